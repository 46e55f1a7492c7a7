"""The 人社部 → 精品 priority (议题 13.14) and the truth of every explanation.

The policy says ``fallback: jingpin`` with ``fallback_when: full``: an application declared for
人社部高研 and selected goes to 人社部 while that track has room; only otherwise does it compete in 精品.
Every 「计入本项目须同时调整」 (S-TRADEOFF) claim is checked here by re-solving with the pair forced in.
"""

from __future__ import annotations

import re

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from casplan.pipeline import select_options
from casplan.policy import load_policy
from casplan.selection import Quota, SelectOptions, solve

POLICY = load_policy()


def _options(**over) -> SelectOptions:
    base = select_options(POLICY)
    from dataclasses import replace

    return replace(base, **over)


def _cands(rows):
    return pl.DataFrame(rows, schema={"app_id": pl.String, "unit": pl.String, "unit_kind": pl.String, "track": pl.String,
                                      "score": pl.Float64, "cost": pl.Float64}, orient="row")


def test_the_declared_track_is_filled_first_even_when_the_fallback_scores_higher():
    # the year: one application eligible for 人社部高研 (quota 5) scores higher in 精品
    rows = [("A", "甲所", "institute", "mohrss", 70.0, 20.0), ("A", "甲所", "institute", "jingpin", 85.0, 20.0)]
    rows += [(f"J{k}", f"所{k}", "institute", "jingpin", 60.0 + k, 10.0) for k in range(12)]
    sel = solve(_cands(rows), options=_options(budget_total=None))
    chosen = dict(sel.chosen.select("app_id", "track").iter_rows())
    assert chosen["A"] == "mohrss"
    fill = dict(sel.tracks.select("track", "n_chosen").iter_rows())
    assert fill["mohrss"] == 1 and fill["jingpin"] == 10
    msg = sel.decisions.filter(pl.col("app_id") == "A")["message"].item()
    assert msg.startswith("入选人社部高级研修项目")
    assert "须同时调整" not in " ".join(sel.decisions["message"])


def test_the_fallback_is_used_only_when_the_declared_track_is_full():
    rows = [("A", "甲所", "institute", "mohrss", 70.0, 20.0), ("A", "甲所", "institute", "jingpin", 85.0, 20.0)]
    rows += [(f"M{k}", f"乙{k}", "institute", "mohrss", 80.0 + k, 15.0) for k in range(5)]
    rows += [(f"J{k}", f"所{k}", "institute", "jingpin", 60.0 + k, 10.0) for k in range(12)]
    sel = solve(_cands(rows), options=_options(budget_total=None))
    chosen = dict(sel.chosen.select("app_id", "track").iter_rows())
    assert chosen["A"] == "jingpin"  # 人社部 is full with five better projects: A competes in 精品
    assert sum(1 for t in chosen.values() if t == "mohrss") == 5
    msg = sel.decisions.filter(pl.col("app_id") == "A")["message"].item()
    assert "未入选人社部高级研修项目" in msg and "入选线" in msg


def test_a_quota_counterfactual_keeps_the_priority(tmp_path):
    from casplan.selection import counterfactuals

    rows = [("A", "甲所", "institute", "mohrss", 70.0, 20.0), ("A", "甲所", "institute", "jingpin", 85.0, 20.0)]
    rows += [(f"M{k}", f"乙{k}", "institute", "mohrss", 80.0 + k, 15.0) for k in range(5)]
    rows += [(f"J{k}", f"所{k}", "institute", "jingpin", 60.0 + k, 10.0) for k in range(12)]
    cf = counterfactuals(_cands(rows), options=_options(budget_total=None))
    plus = cf.filter(pl.col("scenario") == "mohrss+1").row(0, named=True)
    # one more 人社部 place: A (declared for 人社部) moves there, a 精品 place frees up for the next one
    assert plus["switched"] == ["A"] and plus["entered"] == ["J2"]  # J3…J11 and A held the ten 精品 places


def _claims(sel):
    for r in sel.decisions.iter_rows(named=True):
        for part in r["message"].split("；未入选"):
            if "须同时调整" in part:
                yield r["app_id"], part


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_every_tradeoff_claim_is_what_a_re_solve_with_the_pair_forced_in_gives(data):
    n = data.draw(st.integers(4, 9))
    rows = []
    for k in range(n):
        unit = data.draw(st.sampled_from(["甲所", "乙所", "丙所", "丁分院"]))
        kind = "branch" if unit.endswith("分院") else "institute"
        tracks = data.draw(st.lists(st.sampled_from(["yanxiu", "jingpin", "mohrss", "duanqi"]), min_size=1,
                                    max_size=2, unique=True))
        for t in tracks:
            rows.append((f"A{k}", unit, kind, t, float(data.draw(st.integers(40, 90))),
                         float(data.draw(st.integers(5, 40)))))
    quotas = {t: Quota(data.draw(st.integers(0, 2))) for t in POLICY.track_ids}
    opts = _options(quotas=quotas, budget_total=float(data.draw(st.integers(20, 120))))
    cands = _cands(rows)
    sel = solve(cands, options=opts)
    if not sel.ok:
        return
    for ident, text in _claims(sel):
        track_name = text.split("排名第")[0].removeprefix("：").split("：")[-1]
        track = next(t for t in POLICY.track_ids if opts.name(t) == track_name.strip("；"))
        forced = solve(cands.filter((pl.col("app_id") != ident) | (pl.col("track") == track)),
                       options=_options(quotas=quotas, budget_total=opts.budget_total,
                                        forced_in=frozenset({ident})))
        loss = re.search(r"总分下降 ([0-9.]+) 分", text)
        if "无法同时满足" in text:
            assert not forced.ok
            continue
        assert forced.ok and loss is not None
        assert abs((sel.objective - forced.objective) - float(loss.group(1))) < 0.011, (text, sel.objective,
                                                                                     forced.objective)
        assert sel.objective >= forced.objective


def _check_capped(rows, quotas, budget):
    from unittest import mock

    from casplan.selection import explain as E

    opts = _options(quotas=quotas, budget_total=budget)
    with mock.patch.object(E, "TRADEOFF_RESOLVES_PER_TRACK", 1):
        sel = solve(_cands(rows), options=opts)
    if not sel.ok:
        return 0
    names = {opts.name(t): t for t in POLICY.track_ids}
    seen: dict[str, dict[str, list[int]]] = {}
    pattern = re.compile(r"(" + "|".join(map(re.escape, names)) + r")排名第 (\d+)（[^）]*）；(计入本项目须同时调整|"
                         + re.escape(E.TRADEOFF_SHORT) + "|计入本项目后名额)")
    for message in sel.decisions.filter(pl.col("code").is_in(["S-TRADEOFF", "S-CHOSEN"]))["message"]:
        for m in pattern.finditer(message):
            kind = "short" if m.group(3) == E.TRADEOFF_SHORT else "full"
            seen.setdefault(m.group(1), {"full": [], "short": []})[kind].append(int(m.group(2)))
    for track, kinds in seen.items():
        full = set(kinds["full"])
        assert len(full) <= 1, (track, kinds)
        if kinds["short"]:
            assert full and min(full) <= min(kinds["short"]), (track, kinds)
    return sum(len(k["short"]) for k in seen.values())


def test_a_track_with_more_trade_offs_than_the_cap_re_solves_only_its_best_ranked():
    rows = [("A0", "乙所", "institute", "mohrss", 60.0, 15.0), ("A0", "乙所", "institute", "yanxiu", 41.0, 31.0),
            ("A1", "丁分院", "branch", "yanxiu", 48.0, 25.0), ("A2", "丁分院", "branch", "jingpin", 52.0, 25.0),
            ("A2", "丁分院", "branch", "yanxiu", 80.0, 26.0), ("A3", "丙所", "institute", "yanxiu", 65.0, 10.0),
            ("A3", "丙所", "institute", "jingpin", 53.0, 20.0), ("A4", "甲所", "institute", "yanxiu", 45.0, 17.0),
            ("A5", "丙所", "institute", "jingpin", 50.0, 12.0), ("A5", "丙所", "institute", "mohrss", 41.0, 22.0),
            ("A6", "乙所", "institute", "mohrss", 55.0, 8.0), ("A7", "甲所", "institute", "jingpin", 84.0, 26.0),
            ("A7", "甲所", "institute", "yanxiu", 78.0, 33.0), ("A8", "乙所", "institute", "mohrss", 50.0, 15.0),
            ("A8", "乙所", "institute", "jingpin", 65.0, 12.0), ("A9", "乙所", "institute", "jingpin", 47.0, 8.0),
            ("A9", "乙所", "institute", "yanxiu", 73.0, 17.0), ("A10", "丁分院", "branch", "yanxiu", 45.0, 12.0)]
    quotas = {t: Quota(v) for t, v in {"yanxiu": 2, "duanqi": 0, "jiangtan": 2, "jingpin": 3, "mohrss": 3,
                                       "guanli": 0}.items()}
    assert _check_capped(rows, quotas, 105.0) >= 1  # some trade-off went without its re-solve


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_only_the_best_ranked_trade_offs_of_a_track_are_re_solved(data):
    """With the cap at 1, each track has at most one 「须同时调整」 claim, and it is the best-ranked of the
    track's trade-offs; the others say they lost a trade-off (never a wrong or missing reason)."""
    n = data.draw(st.integers(5, 10))
    rows = []
    for k in range(n):
        unit = data.draw(st.sampled_from(["甲所", "乙所", "丙所", "丁分院"]))
        kind = "branch" if unit.endswith("分院") else "institute"
        for t in data.draw(st.lists(st.sampled_from(["yanxiu", "jingpin", "mohrss"]), min_size=1, max_size=2,
                                    unique=True)):
            rows.append((f"A{k}", unit, kind, t, float(data.draw(st.integers(40, 90))),
                         float(data.draw(st.integers(5, 40)))))
    quotas = {t: Quota(data.draw(st.integers(0, 2))) for t in POLICY.track_ids}
    _check_capped(rows, quotas, float(data.draw(st.integers(20, 120))))
