"""The expert review round (issue 17): assignment without conflicts, packets, collecting, status.

Small hand-made cases for the exact properties (conflicts, balance, optimal fit against brute force,
the reasons when no assignment exists), the packets as Excel opens them (protection, validation, the
hidden id), and a round trip on the sample year: assign → fill → collect → the reviews feed scoring.
"""

from __future__ import annotations

import itertools
import shutil

import openpyxl
import polars as pl
import pytest
from conftest import SAMPLES

from casplan.cli import main
from casplan.errors import InputError, SelectionError
from casplan.reviews import assign, collect, expert_table, packet_bytes, status
from casplan.reviews.round import read_record


def _experts(rows) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema={"expert_id": pl.String, "name": pl.String, "unit": pl.String,
                                       "branch": pl.String, "topics": pl.String, "max_load": pl.Int64,
                                       "conflicts": pl.String}, orient="row")
    return expert_table(frame, max_load=30)


def _apps(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"app_id": pl.String, "unit": pl.String, "branch": pl.String,
                                      "track": pl.String}, orient="row")


def _fits(apps, experts, table) -> pl.DataFrame:
    rows = [(a, e, float(table.get((a, e), 0)), "", "") for a in apps["app_id"] for e in experts["expert_id"]]
    return pl.DataFrame(rows, schema={"app_id": pl.String, "expert_id": pl.String, "fit": pl.Float64,
                                      "shared_directions": pl.String, "shared_words": pl.String}, orient="row")


def test_no_expert_reviews_their_own_unit_a_declared_conflict_or_with_the_switch_their_branch():
    experts = _experts([("E1", "甲", "物理所", "北京分院", "", None, ""), ("E2", "乙", "化学所", "北京分院", "", None, "声学所"),
                        ("E3", "丙", "金属所", "沈阳分院", "", None, ""), ("E4", "丁", "大连化物所", "沈阳分院", "", None, "")])
    apps = _apps([("A", "物理所", "北京分院", "yanxiu"), ("B", "声学所", "北京分院", "yanxiu"),
                  ("C", "金属所", "沈阳分院", "yanxiu")])
    fits = _fits(apps, experts, {})
    got = assign(apps, experts, fits, per_application=2, avoid_same_branch=False)
    pairs = set(got.pairs.select("app_id", "expert_id").iter_rows())
    assert ("A", "E1") not in pairs and ("B", "E2") not in pairs and ("C", "E3") not in pairs
    assert got.pairs.group_by("app_id").len()["len"].to_list() == [2, 2, 2]
    branch = assign(apps, experts, fits, per_application=2, avoid_same_branch=True)
    for a, e in branch.pairs.select("app_id", "expert_id").iter_rows():
        assert {"A": "北京分院", "B": "北京分院", "C": "沈阳分院"}[a] != {"E1": "北京分院", "E2": "北京分院",
                                                                       "E3": "沈阳分院", "E4": "沈阳分院"}[e]


def test_when_too_few_experts_are_free_the_message_names_the_application_and_who_is_in_conflict():
    experts = _experts([("E1", "甲", "物理所", None, "", None, ""), ("E2", "乙", "化学所", None, "", None, "物理所")])
    apps = _apps([("A", "物理所", None, "yanxiu"), ("B", "声学所", None, "yanxiu")])
    with pytest.raises(SelectionError) as info:
        assign(apps, experts, _fits(apps, experts, {}), per_application=2, avoid_same_branch=False)
    text = str(info.value)
    assert "A（物理所）只有 0 位专家可评" in text and "甲（本单位）" in text and "乙（声明回避）" in text
    assert "B" not in text.split("——")[1].split("。")[0].replace("申报", "")  # B can be covered
    tight = _experts([("E1", "甲", "金属所", None, "", 1, ""), ("E2", "乙", "化学所", None, "", 1, "")])
    with pytest.raises(SelectionError, match="评审上限合计 2 项次，少于需要的 4 项次"):
        assign(apps, tight, _fits(apps, tight, {}), per_application=2, avoid_same_branch=False)


def test_loads_are_as_even_as_possible_and_the_fit_is_the_best_under_them():
    experts = _experts([(f"E{i}", f"专家{i}", f"所{i}", None, "", None, "") for i in range(1, 5)])
    apps = _apps([(a, "院外", None, "yanxiu") for a in "ABCDEF"])
    table = {("A", "E1"): 3, ("B", "E1"): 3, ("C", "E1"): 3, ("D", "E1"): 3, ("A", "E2"): 2, ("E", "E3"): 1}
    fits = _fits(apps, experts, table)
    got = assign(apps, experts, fits, per_application=2, avoid_same_branch=False)
    loads = got.experts["load"].to_list()
    assert max(loads) == 3 and min(loads) == 3  # 12 reviews over 4 experts
    # brute force over every assignment with loads exactly 3: the fit found is the best
    best = 0.0
    ids = list("ABCDEF")
    for combo in itertools.product(itertools.combinations(range(4), 2), repeat=len(ids)):
        load = [0] * 4
        for pair in combo:
            for e in pair:
                load[e] += 1
        if max(load) > 3:
            continue
        best = max(best, sum(table.get((ids[k], f"E{e + 1}"), 0) for k, pair in enumerate(combo) for e in pair))
    assert got.total_fit == best


def test_the_same_inputs_give_the_same_assignment():
    experts = _experts([(f"E{i}", f"专家{i}", f"所{i % 3}", None, "", None, "") for i in range(1, 9)])
    apps = _apps([(f"A{k}", f"所{k % 4}", None, "yanxiu") for k in range(20)])
    fits = _fits(apps, experts, {(f"A{k}", f"E{(k % 8) + 1}"): 1 for k in range(20)})
    one = assign(apps, experts, fits, per_application=3, avoid_same_branch=False)
    two = assign(apps, experts, fits, per_application=3, avoid_same_branch=False)
    assert one.pairs.equals(two.pairs)


def test_duplicate_expert_ids_are_refused():
    with pytest.raises(InputError, match="专家编号「E1」重复"):
        _experts([("E1", "甲", "物理所", None, "", None, ""), ("E1", "乙", "化学所", None, "", None, "")])


def test_a_packet_locks_all_but_the_scores_validates_them_and_hides_the_expert():
    rows = pl.DataFrame({"app_id": ["P1", "P2"], "unit": ["物理所", "化学所"], "train_name": ["量子班", "=催化班"],
                         "track_name": ["专业技术研修班"] * 2, "goal": ["目的"] * 2, "content": ["内容"] * 2,
                         "directions": ["高技术创新", ""]})
    data = packet_bytes({"expert_id": "E7", "name": "王五", "unit": "声学所"}, rows, year=2023,
                        criteria=("需求", "内容", "效果"), scale=(0.0, 100.0))
    import io

    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "填写说明" and "王五" in str(wb["填写说明"]["A2"].value)
    ws = wb["评审表"]
    assert ws.protection.sheet
    assert [c.value for c in ws[1]][:3] == ["申报编号", "单位", "项目名称"]
    assert ws["C3"].value == "'=催化班"  # a title that looks like a formula stays text
    assert ws["A2"].protection.locked and not ws["H2"].protection.locked and not ws["K2"].protection.locked
    dv = ws.data_validations.dataValidation[0]
    assert dv.type == "decimal" and float(dv.formula1) == 0 and float(dv.formula2) == 100
    assert "H2:J3" in str(dv.sqref)
    meta = wb["casplan"]
    assert meta.sheet_state == "veryHidden" and meta["B1"].value == "E7"


@pytest.fixture(scope="module")
def sent(tmp_path_factory):
    """A round on the sample year: 30 experts from the roster, the packets written."""
    tmp = tmp_path_factory.mktemp("round")
    roster = pl.read_excel(SAMPLES / "roster.xlsx")
    topics = ["量子信息；人工智能", "新能源、氢能", "生物技术", "新材料", "生态环境；碳中和", "空天科技"]
    units = roster["单位名称"].to_list()
    experts = pl.DataFrame({"专家编号": [f"E{i:02d}" for i in range(1, 31)],
                            "专家姓名": [f"专家{i}" for i in range(1, 31)],
                            "单位": [units[(i * 7) % len(units)] for i in range(30)],
                            "研究方向": [topics[i % len(topics)] for i in range(30)]})
    from casplan.io import write_frame

    path = write_frame(experts, tmp / "专家.csv")
    out = tmp / "sent"
    code = main(["reviews", "assign", str(SAMPLES / "plans.xlsx"), "--history", str(SAMPLES / "history.xlsx"),
                 "--roster", str(SAMPLES / "roster.xlsx"), "--experts", str(path), "--out", str(out)])
    assert code == 0
    return tmp, out, read_record(out / "评审分配.json")


def _fill(src, dst, scores):
    wb = openpyxl.load_workbook(src)
    ws = wb["评审表"]
    for r, row in enumerate(ws.iter_rows(min_row=2), start=2):
        for j, v in enumerate(scores(r)):
            ws.cell(row=r, column=8 + j, value=v)
    wb.save(dst)


def test_the_sample_round_covers_every_eligible_application_without_conflict(sent):
    _, out, record = sent
    per_app = {}
    unit_of = {}
    from casplan.pipeline import Inputs, assess, load

    loaded = load(Inputs.of(SAMPLES / "plans.xlsx", history=SAMPLES / "history.xlsx", roster=SAMPLES / "roster.xlsx"))
    e = assess(loaded)
    eligible = set(e.summary.filter(pl.col("eligible"))["app_id"].to_list())
    unit_of = dict(e.applications.select("app_id", "unit").iter_rows())
    for ex in record["experts"]:
        for app, _ in ex["rows"]:
            per_app[app] = per_app.get(app, 0) + 1
            assert unit_of[app] != ex["unit"]
    assert set(per_app) == eligible and set(per_app.values()) == {3}
    loads = [len(ex["rows"]) for ex in record["experts"]]
    assert max(loads) - min(loads) <= 1
    book = openpyxl.load_workbook(out / "评审分配.xlsx")
    assert book.sheetnames == ["按申报", "按专家", "明细"]


def test_collect_checks_every_row_and_the_reviews_feed_scoring(sent, tmp_path, capsys):
    _, out, record = sent
    packets = sorted((out / "评审表").glob("*.xlsx"))
    back = tmp_path / "back"
    back.mkdir()
    _fill(packets[0], back / "随便改的名字.xlsx", lambda r: (80, 70.5, 90))             # renamed: found by the hidden id
    _fill(packets[1], back / packets[1].name, lambda r: (105, 70, 80) if r == 2 else (60, 60, 60))  # out of range
    _fill(packets[2], back / packets[2].name, lambda r: ("八十五", 70, 80) if r == 3 else (75, 75, 75))
    shutil.copy(back / packets[0].name if (back / packets[0].name).exists() else back / "随便改的名字.xlsx",
                back / "再交一次.xlsx")                                                    # the same expert twice
    got = collect(back, record)
    msgs = "\n".join(got.problems["message"].to_list())
    first = record["experts"][0]
    assert got.reviews.filter(pl.col("expert_id") == first["expert_id"]).height == len(first["rows"])
    assert "第 2 行「" in msgs and "为「105」，超出范围" in msgs
    assert "为「八十五」，不是数字" in msgs
    assert "这是第二份" in msgs
    assert got.rows_read == got.reviews.height + int(got.files["rows_set_aside"].sum())
    score = got.reviews.filter(pl.col("expert_id") == first["expert_id"])["score"][0]
    assert score == pytest.approx((80 + 70.5 + 90) / 3)
    experts, short = status(record, got)
    assert experts.filter(pl.col("状态") == "未交回").height == len(record["experts"]) - 3
    assert short.height > 0
    # the CLI writes the reviews table that select reads
    reviews = tmp_path / "reviews.csv"
    assert main(["reviews", "collect", str(back), "--assignment", str(out / "评审分配.json"), "--out", str(reviews)]) == 0
    said = capsys.readouterr()
    assert "未交回" in said.out and "超出范围" in said.err
    code = main(["select", str(SAMPLES / "plans.xlsx"), "--history", str(SAMPLES / "history.xlsx"),
                 "--roster", str(SAMPLES / "roster.xlsx"), "--reviews", str(reviews), "--json"])
    assert code == 0


def test_leniency_is_measured_against_the_co_reviewers_before_and_after_calibration():
    """宽 gives every project 10 more than 严 and 中 on the same project: +20/3·… before, ~0 after; a project
    with one reviewer gives no comparison; coverage lists the projects with fewer than k reviews."""
    from casplan.reviews import expert_leniency, review_coverage, review_disagreements
    from casplan.scoring import calibrate_reviews

    rows = []
    for i, base in enumerate((60, 70, 80, 90)):
        rows += [(f"A{i}", "宽", base + 10), (f"A{i}", "中", base), (f"A{i}", "严", base - 10)]
    rows.append(("A9", "宽", 99))  # alone: not compared
    reviews = pl.DataFrame(rows, schema={"app_id": pl.String, "reviewer": pl.String, "score": pl.Float64}, orient="row")
    calibrated, _ = calibrate_reviews(reviews, app_ids={f"A{i}" for i in (0, 1, 2, 3, 9)})
    got = {r["reviewer"]: r for r in expert_leniency(calibrated, method="percentile").to_dicts()}
    span = 100 - 50  # raw min–max over the file (90 + 10, 60 − 10)
    # before: 宽 is 10 above 中 and 20 above 严 on every project → mean difference 15 raw points
    assert got["宽"]["before"] == pytest.approx(100 * 15 / span)
    assert got["严"]["before"] == pytest.approx(-100 * 15 / span)
    assert got["中"]["before"] == pytest.approx(0.0)
    assert got["宽"]["n_reviews"] == 5 and got["宽"]["n_compared"] == 4
    # after per-expert percentiles every expert ranks the four projects alike: 宽's extra is only A9's top place
    assert abs(got["宽"]["after"]) < abs(got["宽"]["before"]) / 3
    assert abs(got["严"]["after"]) < abs(got["严"]["before"]) / 3
    assert list(expert_leniency(calibrated, method="percentile")["reviewer"]) == ["宽", "中", "严"]
    raw = {r["reviewer"]: r for r in expert_leniency(calibrated, method="raw").to_dicts()}
    assert raw["宽"]["after"] == pytest.approx(raw["宽"]["before"])
    split = review_disagreements(calibrated, points=15)
    assert split["app_id"].to_list() == ["A0", "A1", "A2", "A3"] and split["scores"][0] == "宽 70；中 60；严 50"
    counts = calibrated.group_by("app_id").agg(pl.len().alias("n_reviews"))
    apps = pl.DataFrame({"app_id": ["A0", "A9", "B1"]})
    short = review_coverage(counts, apps, per_application=3)
    assert short.select("app_id", "n_reviews", "missing").rows() == [("B1", 0, 3), ("A9", 1, 2)]


@pytest.mark.parametrize("seed", range(6))
def test_the_assignment_does_not_depend_on_the_order_of_rows(seed):
    import random

    rng = random.Random(seed)
    experts = _experts([(f"E{i}", f"专家{i}", f"所{rng.randrange(4)}", None, "", rng.choice([None, 4, 6]),
                         rng.choice(["", "所1"])) for i in range(1, 8)])
    apps = _apps([(f"A{k}", f"所{rng.randrange(5)}", None, "yanxiu") for k in range(9)])
    fits = _fits(apps, experts, {(f"A{rng.randrange(9)}", f"E{rng.randrange(1, 8)}"): rng.choice([1, 2, 0.5])
                                 for _ in range(15)})
    one = assign(apps, experts, fits, per_application=2, avoid_same_branch=False)
    shuffled = assign(apps.sample(fraction=1, shuffle=True, seed=seed), experts.sample(fraction=1, shuffle=True, seed=seed),
                      fits.sample(fraction=1, shuffle=True, seed=seed), per_application=2, avoid_same_branch=False)
    assert one.pairs.equals(shuffled.pairs) and one.total_fit == shuffled.total_fit
    unit = dict(apps.select("app_id", "unit").iter_rows())
    own = dict(experts.select("expert_id", "unit").iter_rows())
    conflicts = dict(experts.select("expert_id", "conflicts").iter_rows())
    for a, e in one.pairs.select("app_id", "expert_id").iter_rows():
        assert unit[a] != own[e] and unit[a] not in conflicts[e]
    limit = dict(experts.select("expert_id", "max_load").iter_rows())
    for e, n in one.pairs.group_by("expert_id").len().iter_rows():
        assert n <= limit[e]


def test_the_hub_relaxation_reaches_the_full_lp_optimum_or_falls_back(monkeypatch):
    """_best_fit (fitting pairs + one hub for the zero-fit places, then a flow) against the LP over every pair,
    on 80 random cases with many conflicts: the same optimum every time, through both paths."""
    import numpy as np

    from casplan.reviews import assignment as A

    full_lp, fallbacks, cases = A._full_lp, [], 0
    monkeypatch.setattr(A, "_full_lp", lambda *a: fallbacks.append(1) or full_lp(*a))
    for seed in range(80):
        rng = np.random.default_rng(seed)
        na, ne, k = 10, 5, 2
        allowed = rng.random((na, ne)) > 0.45
        if (allowed.sum(axis=1) < k).any():
            continue
        a_of, e_of = np.nonzero(allowed)
        fit = np.where(rng.random(len(a_of)) < 0.3, rng.integers(1, 4, len(a_of)), 0).astype(float)
        upper, lower = np.full(ne, 5), np.full(ne, 3)
        if not A._feasible(a_of, e_of, na, ne, k, lower, upper):
            lower = np.zeros(ne, dtype=int)
        if not A._feasible(a_of, e_of, na, ne, k, lower, upper):
            continue
        cases += 1
        fast = A._best_fit(a_of, e_of, fit, na, ne, k, lower, upper)
        assert fit[fast].sum() == pytest.approx(fit[full_lp(a_of, e_of, fit, na, ne, k, lower, upper)].sum())
        per_app, loads = np.bincount(a_of[fast], minlength=na), np.bincount(e_of[fast], minlength=ne)
        assert (per_app == k).all() and (loads <= upper).all() and (loads >= lower).all()
    assert cases >= 20 and 0 < len(fallbacks) < cases
