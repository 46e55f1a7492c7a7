"""Guards a redesign needs before it moves code (议题 15.8): the gaps a mutation pass over the suite found.

Each test fails on one seeded bug that the rest of the suite let through: a reversed tie-break key,
a boundary of J1 reached through the CLI, the 人社部 → 精品 fallback entry, formula neutralisation in
every writer, contacts in any analyst table, U2 at its boundary and switched off, the 人社部 cap.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import openpyxl
import polars as pl
import pytest
from conftest import SAMPLES, sample_inputs, write_xlsx

from casplan.cli import main
from casplan.io import write_frame, write_workbook
from casplan.pipeline import Inputs, candidates_of, run_year, select_options
from casplan.policy import load_policy
from casplan.scoring import score
from casplan.selection import Quota, solve

POLICY = load_policy()
NO_UNIT_RANK = {t: {**POLICY.scoring.weights_for(t), "unit_rank": 0.0} for t in POLICY.track_ids}


def _pair(app_id: str, **over) -> dict:
    row = {"app_id": app_id, "track": "yanxiu", "unit": f"单位{app_id}", "unit_kind": "institute",
           "train_name": f"班{app_id}", "trainees": 80.0, "days": 3.0, "lectures": None, "lecture_hours": None,
           "open_scope": "全院", "joint_units": None, "attachments": None, "budget": 10.0, "fee_level": "处级及以下",
           "support_rank": 1, "submitted_at": dt.date(2022, 11, 10)}
    row.update(over)
    return row


def _scores(rows: list[dict]):
    pairs = pl.DataFrame(rows, schema_overrides={"lectures": pl.Float64, "lecture_hours": pl.Float64,
                                                 "joint_units": pl.Utf8, "attachments": pl.Utf8})
    directions = pl.DataFrame([(r["app_id"], "yanxiu", 0.5, "高技术创新", "高技术(培训名称)") for r in rows],
                              schema={"app_id": pl.Utf8, "track": pl.Utf8, "score": pl.Float64, "direction": pl.Utf8,
                                      "terms": pl.Utf8}, orient="row")
    return score(pairs, policy=POLICY, directions=directions, weights=NO_UNIT_RANK)


def test_equal_score_and_direction_are_ordered_by_the_units_support_rank():
    # A1 comes first by id; only its 资助推荐排序 (2, worse than A2's 1) may put it second
    s = _scores([_pair("A1", support_rank=2), _pair("A2", support_rank=1)])
    t = s.table.sort("rank")
    assert t["score"][0] == t["score"][1]
    assert t["app_id"].to_list() == ["A2", "A1"]
    assert not t["tied"].any()


def test_then_by_submission_date():
    s = _scores([_pair("A1", submitted_at=dt.date(2022, 11, 12)), _pair("A2", submitted_at=dt.date(2022, 11, 3))])
    assert s.table.sort("rank")["app_id"].to_list() == ["A2", "A1"]


def test_the_tie_break_is_carried_once_through_solve_and_the_tie_message_names_the_right_project():
    s = _scores([_pair("A1", support_rank=2), _pair("A2", support_rank=1)])
    cands = candidates_of(s, POLICY)
    opts = replace(select_options(POLICY), quotas={t: Quota(1 if t == "yanxiu" else 0) for t in POLICY.track_ids},
                   budget_total=None)
    sel = solve(cands, options=opts)
    assert sel.chosen["app_id"].to_list() == ["A2"]
    loser = sel.decisions.filter(pl.col("app_id") == "A1").row(0, named=True)
    assert loser["code"] == "S-TIE" and "（A2）" in loser["message"] and loser["blocker_id"] == "A2"


GOAL = "更新专业知识，提高科技创新能力，服务关键核心技术攻关。"
ATTACH = "师资名单.pdf；课程设置清单.docx；培训教材清单.xlsx；需求调研分析报告.pdf；效果评估总结.pdf；宣传报道.pdf"


def _jingpin_year(tmp_path, **over):
    unit = "中国科学院物理研究所"
    row = {"单位名称": unit, "培训名称": "先进光源技术研修班", "培训类别": "专业技术研修班", "培训年度": 2023,
           "培训开始时间": "2023-05-08", "培训结束时间": "2023-05-11", "天数": 4, "学时": 32, "学员计划参加人数": 70,
           "工作人员计划人数": 5, "培训对象级别": "处级及以下", "经费预算(万元)": 10, "培训地点": "本地", "适用岗位": "科研类",
           "培训目的": GOAL, "培训内容": GOAL, "培训公开范围": "全院", "上报时间": "2022-11-10", "是否申请资助": "是",
           "是否申请专项技术支持": "否", "精品项目": "是", "同时申报人社部高研项目": "否", "附件": ATTACH, "资助推荐排序": 1}
    row.update(over)
    plans = write_xlsx(tmp_path / "plans.xlsx", [row])
    roster = write_xlsx(tmp_path / "roster.xlsx", [{"单位名称": unit, "单位类型": "研究所", "所属分院": "北京分院"}])
    history = write_xlsx(tmp_path / "history.xlsx", [{
        "单位名称": unit, "年度": 2021, "培训名称": "第三届先进光源技术研修班", "项目类别": "精品培训项目", "是否举办": "是",
        "是否院级资助": "是", "是否实施": "是", "是否完成": "是", "资助金额(万元)": 10, "已支出(万元)": 10}])
    return [str(plans), "--roster", str(roster), "--history", str(history)]


@pytest.mark.parametrize("trainees, days, ok", [(70, 4, True), (69, 4, False), (70, 3.5, False)])
def test_j1_at_exactly_70_trainees_and_4_days_through_the_cli(tmp_path, capsys, trainees, days, ok):
    args = _jingpin_year(tmp_path, 学员计划参加人数=trainees, 天数=days, 培训结束时间="2023-05-11")
    assert main(["check", *args, "--json"]) == 0
    app = json.loads(capsys.readouterr().out)["applications"][0]
    assert app["tracks"]["精品培训项目"]["eligible"] is ok


def test_a_jingpin_entry_reached_through_the_mohrss_fallback(tmp_path, capsys):
    # declared only for 人社部 (精品项目 = 人社部高级研修项目), 8 days: out of 人社部's band, still a 精品 candidate
    args = _jingpin_year(tmp_path, 精品项目="是-人社部高级研修项目", 同时申报人社部高研项目="是", 天数=8,
                         培训结束时间="2023-05-15", 学时=48, 学员计划参加人数=100)
    assert main(["check", *args, "--json"]) == 0
    tracks = json.loads(capsys.readouterr().out)["applications"][0]["tracks"]
    assert tracks["人社部高级研修项目"]["eligible"] is False and "G1-DAYS" in tracks["人社部高级研修项目"]["reasons"]
    assert tracks["精品培训项目"]["eligible"] is True
    assert main(["select", *args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["selected"] == [{"id": _only_id(args), "track": "jingpin"}]


def _only_id(args):
    year = run_year(Inputs.of(args[0], roster=args[2], history=args[4]))
    return year.eligibility.applications["app_id"][0]


FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1"]


def test_formulas_are_neutralised_in_every_writer(tmp_path):
    frame = pl.DataFrame({"文字": FORMULAS})
    import csv

    write_frame(frame, tmp_path / "a.csv")
    with (tmp_path / "a.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = [row[0] for row in csv.reader(fh)][1:]
    assert len(cells) == len(FORMULAS) and all(c.startswith("'") for c in cells)
    for path in (write_frame(frame, tmp_path / "a.xlsx"), write_workbook({"表": frame}, tmp_path / "b.xlsx")):
        ws = openpyxl.load_workbook(path).worksheets[0]
        values = [ws.cell(i + 2, 1) for i in range(len(FORMULAS))]
        assert all(c.data_type == "s" and str(c.value).startswith("'") for c in values)


def test_no_contact_value_in_any_analyst_table_without_include_contacts():
    from casplan.report import ReportData, workbook_sheets

    year = run_year(sample_inputs())
    apps = year.eligibility.applications
    contacts = {v for c in ("contact", "contact_phone", "contact_email") if c in apps.columns
                for v in apps[c].drop_nulls().to_list() if len(str(v)) > 3}
    assert contacts
    data = ReportData(year=year, scenario_name="基线", shortlist=year.shortlist)
    for name, sheet in workbook_sheets(data).items():
        for col in sheet.columns:
            if sheet.schema[col] == pl.Utf8:
                leaked = set(sheet[col].drop_nulls().to_list()) & contacts
                assert not leaked, (name, col, sorted(leaked)[:3])


@pytest.mark.parametrize("spent, enabled, excluded", [(4.999, True, True), (5.0, True, False), (4.0, False, False)])
def test_u2_at_49_99_and_50_percent_and_switched_off(tmp_path, spent, enabled, excluded):
    unit = "中国科学院化学研究所"
    row = {"单位名称": unit, "培训名称": "催化化学前沿技术研修班", "培训类别": "专业技术研修班", "培训年度": 2023,
           "培训开始时间": "2023-05-08", "培训结束时间": "2023-05-10", "天数": 3, "学时": 24, "学员计划参加人数": 60,
           "工作人员计划人数": 4, "培训对象级别": "处级及以下", "经费预算(万元)": 8, "培训地点": "本地", "适用岗位": "科研类",
           "培训目的": GOAL, "培训内容": GOAL, "培训公开范围": "全院", "上报时间": "2022-11-10", "是否申请资助": "是"}
    plans = write_xlsx(tmp_path / "plans.xlsx", [row])
    history = write_xlsx(tmp_path / "history.xlsx", [{
        "单位名称": unit, "年度": 2022, "培训名称": "催化化学研修班", "项目类别": "专业技术研修班", "是否举办": "是",
        "是否院级资助": "是", "是否实施": "是", "是否完成": "否", "资助金额(万元)": 10, "已支出(万元)": spent}])
    policy = tmp_path / "2023.yaml"
    text = (SAMPLES.parents[2] / "casplan" / "policy" / "2023.yaml").read_text(encoding="utf-8")
    if not enabled:
        text = text.replace("U2: {mode: soft, enabled: true}", "U2: {mode: soft, enabled: false}")
    policy.write_text(text, encoding="utf-8")
    (tmp_path / "directions-2023.yaml").write_bytes(
        (SAMPLES.parents[2] / "casplan" / "policy" / "directions-2023.yaml").read_bytes())
    year = run_year(Inputs.of(plans, history=history, policy=policy))
    summary = year.eligibility.summary.row(0, named=True)
    assert (("U2-LOW-RATE" in summary["reasons"]) is excluded)
    assert summary["eligible"] is (not excluded)
    if not enabled:
        assert "U2-LOW-RATE" in summary["warnings"]  # switched off: visible, not excluding


def test_every_chosen_mohrss_project_costs_at_most_the_cap_on_the_sample():
    year = run_year(sample_inputs())
    cap = POLICY.track("mohrss").max_grant
    chosen = year.selection.chosen.filter(pl.col("track") == "mohrss")
    assert chosen.height == POLICY.track("mohrss").quota
    assert (chosen["cost"] <= cap + 1e-9).all()
    asked = year.eligibility.applications.filter(pl.col("app_id").is_in(chosen["app_id"].implode()))["budget"]
    assert (asked > cap).any()  # the cap binds on the sample: some asked for more than 15 万元
