"""What the bureau's documents say, as frames: the committee report, the 公示 list, the letters to units.

Every function takes the report's data (:class:`casplan.report.runs.ReportData`) and returns polars
frames with Chinese headers, or plain records; nothing here reads or writes a file. The committee
report speaks Chinese only (no reason code, identifier or English word); the annex and the xlsx put
each code beside its Chinese text.

Money has two columns everywhere: 申请经费 (what the unit asked, the plan's 经费预算) and 拟资助经费 (what
the selection grants: the request capped by the track's ``max_grant``, e.g. 人社部高研 ≤ 15 万元);
support tracks (学术讲坛) receive 专项技术支持 and no money. :func:`money_by_track` is the one place the
per-track totals are summed, and the report, the charts and the xlsx read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

__all__ = [
    "DISAGREEMENT_POINTS", "SUPPORT_TEXT", "review_stats", "why_chosen", "selected_list", "money_by_track",
    "summary_figures", "publicity_list", "UnitLetter", "set_aside_by_unit", "unit_letters", "letters_table", "history_comparison",
    "branch_comparison", "tie_break_text", "summary_lines", "review_paragraph", "eligibility_counts", "reason_counts",
    "eligibility_paragraph", "history_paragraph", "robustness_paragraph", "changes_list", "changes_paragraph",
    "method_paragraphs", "HISTORY_COLUMNS", "history_rows", "direction_comparison", "decisions_list",
    "review_coverage_table", "leniency_table", "disagreement_table",
]

DISAGREEMENT_POINTS = 20.0  # raw review scores (百分制) further apart than this are flagged 「评审意见分歧较大」
SUPPORT_TEXT = "专项技术支持"

_TIE_WORDS = {
    "score": "总分", "direction": "与重点支持方向的匹配程度", "support_rank": "单位填报的资助推荐排序",
    "submitted_at": "上报时间（早者优先）", "app_id": "申报编号",
}


def tie_break_text(policy) -> str:
    """The tie-break chain in words: 「总分相同时，依次比较……」."""
    words = [_TIE_WORDS.get(k, k) for k in policy.scoring.tie_break]
    return f"排名先看{words[0]}；{words[0]}相同时依次比较" + "、".join(words[1:]) + "。" if len(words) > 1 else \
        f"排名看{words[0]}。"


def review_stats(data) -> pl.DataFrame:
    """Per application: number of expert reviews, raw mean, lowest and highest, the calibrated percentile,
    and a flag where the reviewers disagree strongly (highest − lowest > :data:`DISAGREEMENT_POINTS`)."""
    reviews = data.year.loaded.reviews
    frame = getattr(reviews, "frame", None)
    schema = {"app_id": pl.String, "n_reviews": pl.UInt32, "raw_mean": pl.Float64, "raw_min": pl.Float64,
              "raw_max": pl.Float64, "calibrated": pl.Float64, "disagree": pl.Boolean}
    if frame is None or frame.is_empty():
        return pl.DataFrame(schema=schema)
    calibrated = (data.scores.table.group_by("app_id").agg(pl.col("review").max().alias("calibrated")))
    out = (frame.filter(pl.col("score").is_not_null()).group_by("app_id").agg(
        pl.len().alias("n_reviews"), pl.col("score").mean().alias("raw_mean"), pl.col("score").min().alias("raw_min"),
        pl.col("score").max().alias("raw_max"))
        .join(calibrated, on="app_id", how="left")
        .with_columns((pl.col("calibrated") * 100).round(0),
                      ((pl.col("raw_max") - pl.col("raw_min")) > DISAGREEMENT_POINTS).alias("disagree")))
    return out.select(list(schema)).cast(schema).sort("app_id")


def _review_text(n, mean, low, high, calibrated, disagree) -> str:
    if not n:
        return "无专家评审"
    text = f"{n} 份，均分 {mean:.1f}（{low:g}–{high:g}）"
    if calibrated is not None:
        text += f"，校准后 {calibrated:.0f}"
    return text + ("，分歧较大" if disagree else "")


def why_chosen(rank: int, margin: float | None, forced: bool) -> str:
    """One line of why a project was chosen, in plain Chinese (no code, no identifier).

    >>> why_chosen(3, 4.5, False)
    '第 3 名，高出未入选最高分 4.50 分'
    >>> why_chosen(12, -0.2, False)
    '第 12 名；排名在前的未入选项目受每所一项、经费或已入选其他类别限制'
    """
    if forced:
        return f"第 {rank} 名，经遴选工作组决定入选"
    if margin is None:
        return f"第 {rank} 名，本类别具备资格的项目全部入选"
    if margin >= 0:
        return f"第 {rank} 名，高出未入选最高分 {margin:.2f} 分"
    return f"第 {rank} 名；排名在前的未入选项目受每所一项、经费或已入选其他类别限制"


def _chosen(data) -> pl.DataFrame:
    """The chosen pairs with the request (申请经费), the grant (拟资助经费) and the expert reviews."""
    sel = data.selection
    money = set(data.options.money_tracks)
    asked = data.scores.table.select("app_id", "track", pl.col("budget").alias("asked"))
    stats = review_stats(data)
    return (sel.chosen.join(asked, on=["app_id", "track"], how="left").join(stats, on="app_id", how="left")
            .with_columns(pl.col("track").is_in(list(money)).alias("is_money"))
            .with_columns(pl.when(pl.col("is_money")).then(pl.col("cost")).otherwise(None).alias("granted"),
                          pl.when(pl.col("is_money")).then(pl.col("asked")).otherwise(None).alias("asked")))


def selected_list(data, track: str, *, with_ids: bool = False) -> pl.DataFrame:
    """One track's selected projects for the committee: 序号, 单位, 项目名称, 得分, money, 专家评审, 入选理由.

    Money tracks show 申请经费 and 拟资助经费（万元）; a support track shows 支持方式 = 专项技术支持.
    「第 N 名」 is the rank in the track (the tie-break chain of the policy).
    ``with_ids`` adds 申报编号 (for the annex and the xlsx, not for the committee).
    """
    rows = _chosen(data).filter(pl.col("track") == track).sort(["rank_in_track", "app_id"])
    is_money = track in set(data.options.money_tracks)
    why = [why_chosen(r, m, f) for r, m, f in rows.select("rank_in_track", "margin_over_best_excluded",
                                                          "forced").iter_rows()]
    review = [_review_text(*v) for v in rows.select("n_reviews", "raw_mean", "raw_min", "raw_max", "calibrated",
                                                    "disagree").iter_rows()]
    cols = [pl.int_range(1, pl.len() + 1).alias("序号")]
    if with_ids:
        cols.append(pl.col("app_id").alias("申报编号"))
    cols += [pl.col("unit").alias("单位"), pl.col("train_name").alias("项目名称"), pl.col("score").round(2).alias("得分")]
    if is_money:
        cols += [pl.col("asked").alias("申请经费（万元）"), pl.col("granted").alias("拟资助（万元）")]
    else:
        cols.append(pl.lit(SUPPORT_TEXT).alias("支持方式"))
    out = rows.select(cols)
    return out.with_columns(pl.Series("专家评审", review, dtype=pl.String), pl.Series("入选理由", why, dtype=pl.String))


def money_by_track(data) -> pl.DataFrame:
    """Per track (policy order) and 合计: chosen projects, 申请经费 and 拟资助经费 of the chosen, and the kind
    of support. The one sum of money per track: the report, the charts, the 公示 list and the xlsx read it."""
    chosen = _chosen(data)
    money = set(data.options.money_tracks)
    rows = []
    for t, name in data.options.track_names.items():
        part = chosen.filter(pl.col("track") == t)
        is_money = t in money
        rows.append({"类别": name, "入选项数": part.height,
                     "申请经费（万元）": round(float(part["asked"].fill_null(0).sum()), 2) if is_money else None,
                     "拟资助经费（万元）": round(float(part["granted"].fill_null(0).sum()), 2) if is_money else None,
                     "支持方式": "经费资助" if is_money else SUPPORT_TEXT})
    total = {"类别": "合计", "入选项数": sum(r["入选项数"] for r in rows),
             "申请经费（万元）": round(sum(r["申请经费（万元）"] or 0 for r in rows), 2),
             "拟资助经费（万元）": round(sum(r["拟资助经费（万元）"] or 0 for r in rows), 2), "支持方式": ""}
    schema = {"类别": pl.String, "入选项数": pl.Int64, "申请经费（万元）": pl.Float64, "拟资助经费（万元）": pl.Float64,
              "支持方式": pl.String}
    return pl.DataFrame([*rows, total], schema=schema, orient="row")


def summary_figures(data) -> pl.DataFrame:
    """The key figures, numbers stored as numbers: 项目, 数值 (float or null), 说明 (text)."""
    year = data.year
    loaded, e, sel = year.loaded, year.eligibility, data.selection
    units = e.units
    budget = data.options.budget_total
    money = money_by_track(data)
    granted = float(money.filter(pl.col("类别") == "合计")["拟资助经费（万元）"][0])
    rows: list[tuple[str, float | None, str]] = [
        ("遴选依据", None, data.scenario_name),
        ("求解结果", None, sel.status_text),
        ("名册单位数", units.height, ""),
        ("报送单位数", int(units["submitted"].sum()), ""),
        ("未报送单位数", int((~units["submitted"]).sum()), ""),
        ("逾期报送单位数", int(units["late"].sum()), ""),
        ("计划行：读取", loaded.plans.rows_read, ""),
        ("计划行：接收", loaded.plans.rows_accepted, ""),
        ("计划行：搁置", loaded.plans.rows_set_aside, "原因见附件"),
        ("申报项目数", e.applications.height, ""),
        ("具备资格的申报项目数", e.summary.filter(pl.col("eligible"))["app_id"].n_unique(), ""),
        ("入选项目数", sel.chosen.height, ""),
        ("拟资助经费（万元）", round(granted, 2), ""),
        ("经费总额（万元）", budget, "" if budget is not None else "不设上限"),
    ]
    for r in sel.tracks.iter_rows(named=True):
        rows.append((f"{r['track_name']}：入选", r["n_chosen"], f"名额 {r['upper']} 项，具备资格 {r['n_candidates']} 项"))
    return pl.DataFrame(rows, schema={"项目": pl.String, "数值": pl.Float64, "说明": pl.String}, orient="row")


def publicity_list(data) -> pl.DataFrame:
    """The 公示 list: only the selected, 序号 / 单位 / 项目名称 / 类别 / 拟资助金额（万元） / 支持方式, by track
    (policy order), then 单位 and name."""
    chosen = _chosen(data)
    order = {t: i for i, t in enumerate(data.options.track_names)}
    names = dict(data.options.track_names)
    rows = (chosen.with_columns(pl.col("track").replace_strict(order, default=len(order)).alias("_o"))
            .sort("_o", "unit", "train_name", "app_id"))
    return rows.select(
        pl.int_range(1, pl.len() + 1).alias("序号"), pl.col("unit").alias("单位"), pl.col("train_name").alias("项目名称"),
        pl.col("track").replace_strict(names, default=pl.col("track")).alias("类别"),
        pl.col("granted").alias("拟资助金额（万元）"),
        pl.when(pl.col("is_money")).then(pl.lit("经费资助")).otherwise(pl.lit(SUPPORT_TEXT)).alias("支持方式"))


# --- the letters to units ------------------------------------------------------------------------------

_ID_IN_TEXT = re.compile(r"（P[0-9A-Za-z-]+）")


@dataclass(frozen=True)
class UnitLetter:
    """What one submitting unit is told: selected (amount), not selected (why), set aside, warnings."""

    unit: str
    branch: str | None
    selected: pl.DataFrame       # 申报编号, 项目名称, 类别, 申请经费（万元）, 拟资助经费（万元）, 支持方式
    not_selected: pl.DataFrame   # 申报编号, 项目名称, 类别, 结果, 原因
    set_aside: pl.DataFrame      # 文件, 行号, 列, 原值, 原因, 如何修改
    warnings: tuple[str, ...]

    @property
    def file_stem(self) -> str:
        """The unit's name made safe as a file name (no separators or control characters)."""
        stem = re.sub(r"[\\/:*?\"<>|\x00-\x1f\x7f]", "_", self.unit).strip(" .") or "未命名单位"
        return stem[:80]


def _plain(message: str) -> str:
    """A selection message for a unit: the other project named by its title, not its identifier."""
    return _ID_IN_TEXT.sub("", message or "")


def set_aside_by_unit(data) -> pl.DataFrame:
    """The set-aside plan rows with the unit written in them (``unit``: the row's 单位名称 as resolved to the
    roster when it could be, else as written; null when the row has none)."""
    plans = data.year.loaded.plans
    problems = plans.set_aside
    rejected = plans.rejected
    if problems.is_empty() or "unit" not in rejected.columns:
        return problems.with_columns(pl.lit(None, pl.String).alias("unit"))
    from casplan.intake import unit_index

    loaded = data.year.loaded
    index = unit_index(getattr(loaded.roster, "frame", None), loaded.policy, loaded.overrides)
    written = rejected.select(pl.col("source_file").alias("file"), pl.col("source_sheet").alias("sheet"),
                              pl.col("source_row").cast(pl.Int64).alias("row"), pl.col("unit").alias("_written"))
    units = {u: index.resolve(u).unit for u in written["_written"].drop_nulls().unique().to_list()}
    written = written.with_columns(pl.col("_written").replace_strict(units, default=pl.col("_written")).alias("unit"))
    return problems.join(written.drop("_written").unique(["file", "sheet", "row"]), on=["file", "sheet", "row"],
                         how="left", nulls_equal=True)


def unit_letters(data) -> list[UnitLetter]:
    """One letter per submitting unit (units that did not submit are listed for the bureau, not written to)."""
    year = data.year
    e, sel = year.eligibility, data.selection
    names = dict(data.options.track_names)
    money = set(data.options.money_tracks)
    chosen = _chosen(data)
    decisions = sel.decisions
    chosen_ids = set(chosen["app_id"].to_list())
    apps = e.applications
    fails = e.summary.filter(~pl.col("eligible"))
    problems = set_aside_by_unit(data)
    # every unit that submitted, and any whose rows were all set aside (they must hear how to fix them)
    aside_units = problems["unit"].drop_nulls().unique().to_list()
    units = e.units.filter(pl.col("submitted") | pl.col("unit").is_in(aside_units)).sort("unit")
    known = set(e.units["unit"].to_list())
    extra = sorted(u for u in aside_units if u not in known)
    if extra:
        units = pl.concat([units, pl.DataFrame({"unit": extra}).with_columns(
            [pl.lit(None, units.schema[c]).alias(c) for c in units.columns if c != "unit"]).select(units.columns)])
    p2 = year.loaded.policy.rules.get("P2")
    subject = (p2.subject or "、".join(p2.terms)) if p2 is not None else ""
    def by_unit(frame: pl.DataFrame) -> dict:
        return {k[0]: v for k, v in frame.partition_by("unit", as_dict=True, maintain_order=True).items()}

    chosen_of, apps_of, aside_of = by_unit(chosen), by_unit(apps), by_unit(problems)
    first_decision: dict[str, dict] = {}
    for r in decisions.iter_rows(named=True):
        first_decision.setdefault(r["app_id"], r)
    fails_of: dict[str, list[dict]] = {}
    for r in fails.iter_rows(named=True):
        fails_of.setdefault(r["app_id"], []).append(r)
    letters = []
    for u in units.iter_rows(named=True):
        unit = u["unit"]
        mine = chosen_of.get(unit, chosen.clear()).sort("track", "app_id")
        selected = mine.select(
            pl.col("app_id").alias("申报编号"), pl.col("train_name").alias("项目名称"),
            pl.col("track").replace_strict(names, default=pl.col("track")).alias("类别"),
            pl.col("asked").alias("申请经费（万元）"), pl.col("granted").alias("拟资助经费（万元）"),
            pl.when(pl.col("is_money")).then(pl.lit("经费资助")).otherwise(pl.lit(SUPPORT_TEXT)).alias("支持方式"))
        rows = []
        my_apps = apps_of.get(unit, apps.clear()).sort("app_id")
        for a in my_apps.iter_rows(named=True):
            ident = a["app_id"]
            if ident in chosen_ids:
                continue
            d = first_decision.get(ident)
            f = fails_of.get(ident, [])
            if d is not None:
                rows.append((ident, a["train_name"], names.get(d["track"], d["track"]), "具备资格，未入选",
                             _plain(d["message"])))
            for x in f:
                rows.append((ident, a["train_name"], names.get(x["track"], x["track"]), "不具备资格",
                             "；".join(x["fail_messages"]) or "不符合本类别要求"))
            if d is None and not f:
                rows.append((ident, a["train_name"], "", "未参加遴选", "未申请院级资助或专项技术支持"))
        not_selected = pl.DataFrame(rows, schema={"申报编号": pl.String, "项目名称": pl.String, "类别": pl.String,
                                                  "结果": pl.String, "原因": pl.String}, orient="row")
        aside = aside_of.get(unit, problems.clear()).select(
            pl.col("file").alias("文件"), pl.col("row").alias("行号"), pl.col("column").alias("列"),
            pl.col("value").alias("原值"), pl.col("message").alias("原因及如何修改"))
        warnings = []
        if u.get("late"):
            warnings.append("计划逾期报送")
        if u.get("has_p2") is False and subject:
            warnings.append(f"年度计划中没有{subject}的内容，请补充")
        if u.get("u2_message") and (u.get("u2_code") or "").endswith(("LOW-RATE", "NOT-HELD")):
            warnings.append(u["u2_message"])
        letters.append(UnitLetter(unit=unit, branch=u.get("branch"), selected=selected, not_selected=not_selected,
                                  set_aside=aside, warnings=tuple(warnings)))
    return letters


def letters_table(letters: list[UnitLetter]) -> pl.DataFrame:
    """All letters in one table (单位反馈.xlsx): one row per unit and project, plus the unit's warnings."""
    rows = []
    for letter in letters:
        for r in letter.selected.iter_rows(named=True):
            rows.append((letter.unit, r["申报编号"], r["项目名称"], r["类别"], "入选", r["拟资助经费（万元）"],
                         r["支持方式"]))
        for r in letter.not_selected.iter_rows(named=True):
            rows.append((letter.unit, r["申报编号"], r["项目名称"], r["类别"], r["结果"], None, r["原因"]))
        for w in letter.warnings:
            rows.append((letter.unit, None, None, None, "提示", None, w))
        for r in letter.set_aside.iter_rows(named=True):
            rows.append((letter.unit, None, None, None, "接收时搁置", None, f"{r['文件']} 第 {r['行号']} 行：{r['原因及如何修改']}"))
    return pl.DataFrame(rows, schema={"单位": pl.String, "申报编号": pl.String, "项目名称": pl.String, "类别": pl.String,
                                      "结果": pl.String, "拟资助经费（万元）": pl.Float64, "说明": pl.String}, orient="row")


# --- compared with last year ---------------------------------------------------------------------------

def history_comparison(data) -> pl.DataFrame | None:
    """Units funded this year against the history's funded year: 再次获资助 / 新获资助 / 上年获资助今年未入选.

    ``None`` when no history was given."""
    history = getattr(data.year.loaded.history, "frame", None)
    if history is None or history.is_empty():
        return None
    funded_year = data.year.loaded.policy.history.funded_year
    last = set(history.filter((pl.col("year") == funded_year) & pl.col("funded").fill_null(False))["unit"].to_list())
    now = set(data.selection.chosen["unit"].to_list())
    rows = [(u, "再次获资助") for u in sorted(now & last)] + [(u, "新获资助") for u in sorted(now - last)]
    rows += [(u, f"{funded_year}年获资助，今年未入选") for u in sorted(last - now)]
    return pl.DataFrame(rows, schema={"单位": pl.String, "情况": pl.String}, orient="row")


def branch_comparison(data) -> pl.DataFrame | None:
    """Funded projects per 分院: the history's funded year against this year's selection. ``None`` without history."""
    history = getattr(data.year.loaded.history, "frame", None)
    if history is None or history.is_empty():
        return None
    funded_year = data.year.loaded.policy.history.funded_year
    branch_of = data.year.eligibility.units.select("unit", pl.col("branch").fill_null("院机关及其他"))
    last = (history.filter((pl.col("year") == funded_year) & pl.col("funded").fill_null(False))
            .join(branch_of, on="unit", how="left").with_columns(pl.col("branch").fill_null("院机关及其他"))
            .group_by("branch").len().rename({"len": "last"}))
    now = (data.selection.chosen.join(branch_of, on="unit", how="left")
           .with_columns(pl.col("branch").fill_null("院机关及其他")).group_by("branch").len().rename({"len": "now"}))
    out = (last.join(now, on="branch", how="full", coalesce=True).with_columns(pl.col("last", "now").fill_null(0))
           .sort("branch"))
    return out.select(pl.col("branch").alias("所属分院"), pl.col("last").alias(f"{funded_year}年获资助项目"),
                      pl.col("now").alias(f"{data.year.loaded.policy.year}年拟入选项目"),
                      (pl.col("now").cast(pl.Int64) - pl.col("last").cast(pl.Int64)).alias("增减"))


# --- the committee report's sentences ------------------------------------------------------------------

def summary_lines(data) -> pl.DataFrame:
    """Page 1's figures as two text columns (项目, 情况), Chinese only."""
    e, sel, loaded = data.year.eligibility, data.selection, data.year.loaded
    units = e.units
    money = money_by_track(data)
    total = money.filter(pl.col("类别") == "合计").row(0, named=True)
    budget = data.options.budget_total
    spent = total["拟资助经费（万元）"] or 0.0
    share = f"，占经费总额 {budget:g} 万元的 {spent / budget:.0%}" if budget else "（未设经费总额）"
    rows = [
        ("遴选依据", f"{data.scenario_name}；{sel.status_text}"),
        ("报送情况", f"名册单位 {units.height} 个，报送 {int(units['submitted'].sum())} 个，未报送 "
                     f"{int((~units['submitted']).sum())} 个，逾期报送 {int(units['late'].sum())} 个"),
        ("计划行", f"读取 {loaded.plans.rows_read} 行，接收 {loaded.plans.rows_accepted} 行，搁置 {loaded.plans.rows_set_aside} 行"),
        ("申报与资格", f"申报项目 {e.applications.height} 项，具备资格 "
                       f"{e.summary.filter(pl.col('eligible'))['app_id'].n_unique()} 项"),
        ("拟入选", f"{sel.chosen.height} 项"),
        ("拟资助经费", f"{spent:,.1f} 万元{share}（申请 {total['申请经费（万元）'] or 0:,.1f} 万元）"),
    ]
    for r in sel.tracks.iter_rows(named=True):
        rows.append((r["track_name"], f"拟入选 {r['n_chosen']} 项 / 名额 {r['upper']} 项（具备资格 {r['n_candidates']} 项）"))
    return pl.DataFrame(rows, schema={"项目": pl.String, "情况": pl.String}, orient="row")


def _calibration_words(method: str) -> str:
    return {"percentile": "先按每位专家自己的打分分布换算为百分位（校准）再取平均",
            "z": "先按每位专家自己的打分换算为标准分（校准）再取平均",
            "raw": "按原始分取平均（未按专家校准）"}.get(method, method)


def _to_review(data) -> pl.DataFrame:
    """The applications that should have expert reviews (as the review round picks them), with unit and name."""
    from casplan.reviews import eligible_once

    policy = data.year.loaded.policy
    apps = data.year.eligibility.applications
    return (eligible_once(data.year.eligibility, policy)
            .join(apps.select("app_id", "unit", "train_name"), on="app_id", how="left")
            .select("app_id", "unit", "train_name",
                    pl.col("track").replace_strict(policy.track_names, default=pl.col("track")).alias("track_name")))


def review_coverage_table(data) -> pl.DataFrame:
    """Eligible applications with fewer valid reviews than the round asks for (review_round.per_application)."""
    from casplan.reviews import review_coverage

    k = data.year.loaded.policy.review_round.per_application
    chosen = set(data.selection.chosen["app_id"].to_list())
    out = review_coverage(review_stats(data), _to_review(data), per_application=k)
    return out.select(pl.col("app_id").alias("申报编号"), pl.col("unit").alias("单位"), pl.col("train_name").alias("项目名称"),
                      pl.col("track_name").alias("类别"), pl.col("n_reviews").alias("有效评审份数"),
                      pl.lit(k).alias("应有份数"),
                      pl.when(pl.col("app_id").is_in(list(chosen))).then(pl.lit("入选")).otherwise(pl.lit("未入选"))
                      .alias("本方案"))


def leniency_table(data) -> pl.DataFrame:
    """Per expert: reviews and leniency against the co-reviewers of the same applications, before and after
    calibration (see :mod:`casplan.reviews.audit`)."""
    from casplan.reviews import expert_leniency

    out = expert_leniency(data.scores.reviews, method=data.scores.calibration)
    return out.select(pl.col("reviewer").alias("评审专家"), pl.col("n_reviews").alias("评审份数"),
                      pl.col("raw_mean").round(1).alias("原始均分"),
                      pl.col("before").round(1).alias("宽严（校准前）"), pl.col("after").round(1).alias("宽严（校准后）"))


def disagreement_table(data) -> pl.DataFrame:
    """Applications whose experts' raw scores are more than :data:`DISAGREEMENT_POINTS` apart."""
    from casplan.reviews import review_disagreements

    out = review_disagreements(data.scores.reviews, points=DISAGREEMENT_POINTS)
    apps = data.year.eligibility.applications.select("app_id", "unit", "train_name")
    chosen = set(data.selection.chosen["app_id"].to_list())
    return (out.join(apps, on="app_id", how="left")
            .select(pl.col("app_id").alias("申报编号"), pl.col("unit").alias("单位"), pl.col("train_name").alias("项目名称"),
                    pl.col("scores").alias("各专家评分"), pl.col("spread").round(1).alias("最高最低相差"),
                    pl.when(pl.col("app_id").is_in(list(chosen))).then(pl.lit("入选")).otherwise(pl.lit("未入选"))
                    .alias("本方案")))


def review_paragraph(data) -> str:
    """How the expert reviews enter the score, and what they were: coverage, leniency, disagreements."""
    policy = data.year.loaded.policy
    share = policy.scoring.review_weight
    stats = review_stats(data)
    if stats.is_empty():
        return f"本次未提供专家评审；总分完全由评分准则计算（有评审时评审分占 {share:.0%}）。"
    reviewers = data.year.loaded.reviews.frame["reviewer"].n_unique()
    chosen = set(data.selection.chosen["app_id"].to_list())
    reviewed = stats.filter(pl.col("app_id").is_in(list(chosen)))
    disagree = int(reviewed["disagree"].sum())
    k = policy.review_round.per_application
    short = review_coverage_table(data)
    none = int((short["有效评审份数"] == 0).sum())
    coverage = (f"具备资格的 {_to_review(data).height} 项申报中，{short.height} 项的有效评审少于 {k} 份"
                f"（其中 {none} 项没有评审，按评分准则计分；明细见附件）。" if short.height else
                f"具备资格的申报都有至少 {k} 份有效评审。")
    lenient = leniency_table(data)
    spread = ""
    if lenient.height > 1 and lenient["宽严（校准前）"].drop_nulls().len() > 1:
        before = lenient["宽严（校准前）"].drop_nulls()
        after = lenient["宽严（校准后）"].drop_nulls()
        top, low = lenient.row(0, named=True), lenient.drop_nulls("宽严（校准前）").row(-1, named=True)
        spread = (f"与同一项目的其他专家相比，打分最宽的是{top['评审专家']}（平均高 {top['宽严（校准前）']:.1f} 分），"
                  f"最严的是{low['评审专家']}（平均低 {-low['宽严（校准前）']:.1f} 分）；专家间宽严之差"
                  f"校准前为 {before.max() - before.min():.1f} 分，校准后为 {after.max() - after.min():.1f} 分（评审分按百分制）。")
    return (f"{reviewers} 位专家共评审 {stats.height} 项申报、{int(stats['n_reviews'].sum())} 份评审意见。"
            f"有评审的申报，评审分占总分的 {share:.0%}，其余 {1 - share:.0%} 由评分准则计算；各专家的打分宽严不同，"
            f"{_calibration_words(data.scores.calibration)}。{coverage}{spread}拟入选项目中有评审的 "
            f"{reviewed.height} 项，名单的“专家评审”一栏列出份数、原始均分与最低–最高分及校准后的分值；"
            f"最高分与最低分相差超过 {DISAGREEMENT_POINTS:g} 分的标为“评审意见分歧较大”（{disagree} 项）。")


def eligibility_counts(data) -> pl.DataFrame:
    """Per track: applications, eligible, not eligible, eligible thanks to a waiver (Chinese)."""
    from casplan.views.tables import eligibility_overview

    return eligibility_overview(data.year.eligibility.summary, data.year.loaded.policy.track_names)


def reason_counts(data, *, top: int = 10) -> pl.DataFrame:
    """The main reasons of ineligibility in words (no code): 原因, 申报项数."""
    from casplan.eligibility import reason_texts

    texts = reason_texts(data.year.loaded.policy)
    fails = data.year.eligibility.verdicts.filter(pl.col("status") == "fail")
    counts = (fails.group_by("code").agg(pl.col("app_id").n_unique().alias("申报项数"))
              .with_columns(pl.col("code").replace_strict(texts, default="其他原因").alias("原因"))
              .group_by("原因").agg(pl.col("申报项数").sum()).sort(["申报项数", "原因"], descending=[True, False]))
    return counts.head(top).select("原因", "申报项数")


def eligibility_paragraph(data) -> str:
    e = data.year.eligibility
    units = e.units
    policy = data.year.loaded.policy
    missing = units.filter(~pl.col("submitted"))["unit"].to_list()
    late = units.filter(pl.col("late"))["unit"].to_list()
    p2 = policy.rules.get("P2")
    subject = (p2.subject or "、".join(p2.terms)) if p2 is not None else ""
    no_p2 = units.filter(pl.col("submitted") & (pl.col("has_p2") == False))["unit"].to_list()  # noqa: E712
    parts = [f"未报送的单位 {len(missing)} 个" + (f"：{'、'.join(missing)}" if missing else "") + "。",
             f"逾期报送的单位 {len(late)} 个" + (f"：{'、'.join(late)}" if late else "") + "。"]
    if subject:
        parts.append(f"年度计划中没有{subject}内容的单位 {len(no_p2)} 个（已在单位反馈中提示）。")
    parts.append("不具备资格的申报逐项列于附件，并写明所违反的要求。")
    return "".join(parts)


def history_paragraph(data) -> str:
    comp = history_comparison(data)
    if comp is None:
        return "未提供往年项目，无法与上年度比较。"
    funded_year = data.year.loaded.policy.history.funded_year
    again = comp.filter(pl.col("情况") == "再次获资助").height
    new = comp.filter(pl.col("情况") == "新获资助").height
    dropped = comp.height - again - new
    return (f"本年度拟入选项目来自 {again + new} 个单位：{again} 个单位 {funded_year} 年度也获得院级资助，"
            f"{new} 个单位为新获资助；{funded_year} 年度获资助的单位中有 {dropped} 个本年度没有项目拟入选。"
            "单位名单见附件。")


def robustness_paragraph(data, *, draws: int) -> str:
    r = data.robustness
    if r is None:
        return "本次未做稳健性分析。"
    per_app = r.group_by("app_id").agg(pl.col("p_any").first(), pl.col("base_chosen").any(), pl.col("unstable").any())
    chosen = per_app.filter(pl.col("base_chosen"))
    shaky = chosen.filter(pl.col("unstable")).join(data.selection.chosen.select("app_id", "train_name", "unit"),
                                                   on="app_id").sort("p_any")
    text = (f"把各类别的评分权重在政策值附近随机扰动 {draws} 次（固定随机种子，可重现），每次重新求最优组合，"
            "统计每个项目入选的比例（在任一类别入选都计为入选）。")
    if shaky.height == 0:
        return text + f"拟入选的 {chosen.height} 个项目在扰动下都稳定入选（入选比例不低于 90%）。"
    names = "；".join(f"{u}「{n}」（{p:.0%}）" for n, u, p in shaky.select("train_name", "unit", "p_any").iter_rows())
    return text + (f"拟入选的 {chosen.height} 个项目中，{chosen.height - shaky.height} 个稳定入选；"
                   f"{shaky.height} 个处在入选线附近，结果对权重敏感：{names}。")


def changes_list(previous: dict | None, current: dict, data) -> pl.DataFrame:
    """Who entered or left since the previous run, by name and track (no identifier)."""
    names = dict(data.options.track_names)
    schema = {"变化": pl.String, "项目名称": pl.String, "类别": pl.String}
    if not previous:
        return pl.DataFrame(schema=schema)
    old = {s["id"]: s for s in previous.get("selected", [])}
    new = {s["id"]: s for s in current["selected"]}
    rows = [("新入选", new[i]["name"], names.get(new[i]["track"], new[i]["track"])) for i in sorted(set(new) - set(old))]
    rows += [("不再入选", old[i]["name"], names.get(old[i]["track"], old[i]["track"])) for i in sorted(set(old) - set(new))]
    rows += [("换类别", new[i]["name"], f"{names.get(old[i]['track'], old[i]['track'])} → "
                                        f"{names.get(new[i]['track'], new[i]['track'])}")
             for i in sorted(set(old) & set(new)) if old[i]["track"] != new[i]["track"]]
    return pl.DataFrame(rows, schema=schema, orient="row")


def changes_paragraph(previous: dict | None, current: dict, data) -> str:
    if previous is None:
        return "这是本年度第一次生成报告，没有可比较的上一次结果。"
    changes = changes_list(previous, current, data)
    if changes.height == 0:
        return "与上一次生成的报告相比，拟入选名单没有变化。"
    return f"与上一次生成的报告相比，有 {changes.height} 处变化，列于下表。"


def method_paragraphs(data) -> str:
    """The method in plain Chinese: eligibility, scoring, reviews, tie-break, the optimisation, the check."""
    policy = data.year.loaded.policy
    opts = data.options
    budget = f"经费总额（{opts.budget_total:g} 万元）" if opts.budget_total is not None else "经费"
    caps = "、".join(f"{policy.track_names[t]}每项最多资助 {v:g} 万元" for t, v in opts.max_grant.items())
    sel = data.selection
    greedy = sel.greedy.get("score")
    gap = (f"作为核对，按得分从高到低逐个入选的简单办法总分为 {greedy.objective:.2f}，比本方案少 {greedy.gap:.2f} 分"
           + ("" if greedy.feasible else "，且不能同时满足全部约束") + "。") if greedy is not None and greedy.objective is not None else ""
    paragraphs = [
        "1. 资格审查：逐项核对通知对各类别的要求（天数、人数、讲座场次、往年举办情况、附件、申报栏目等，见下列规则）；"
        "硬性要求不符合的不参加该类别遴选，“原则上”的要求默认执行，经人工决定可以豁免，豁免逐项记录。",
        "2. 评分：各类别按评分准则计算得分（准则及权重见下表），准则值在本类别内归一到 0–1，按权重加总为百分制；"
        f"有专家评审的，评审分占 {policy.scoring.review_weight:.0%}。",
        f"3. 排名：{tie_break_text(policy)}",
        f"4. 遴选：在各类别名额、{budget}、每个研究所原则上一项"
        + (f"、{caps}" if caps else "") + "的约束下，求总分最高的组合；同一项目只能在一个类别入选。"
        "这一组合是所有满足约束的组合中总分最高的，并非逐个挑选的近似结果。" + gap,
        "5. 稳健性：评分权重随机扰动后重新遴选，检验结果对权重的敏感程度（见第八部分）。",
    ]
    return "\n\n".join(paragraphs)


# --- next year's history -------------------------------------------------------------------------------

def _history_columns() -> dict[str, str]:
    from casplan.intake.fields import HISTORY_FIELDS

    return {f.name: f.label for f in HISTORY_FIELDS if f.name != "rate"}


# the history file's own labels, in its order (casplan.intake.fields.HISTORY_FIELDS; 执行率 is derived)
HISTORY_COLUMNS = _history_columns()


def history_rows(data) -> pl.DataFrame:
    """This year's selected projects in the history file's format (labels of :data:`HISTORY_COLUMNS`).

    资助金额 is the 拟资助 amount (money tracks; support tracks are not 院级资助 money); 是否举办, 是否实施, 是否完成,
    已支出 and 统计截止日期 are left empty for the units' spending report (``casplan history append
    --spending``) — this file is also its template.
    """
    chosen = _chosen(data)
    names = dict(data.options.track_names)
    year = data.year.loaded.policy.year
    frame = chosen.sort("track", "unit", "app_id").select(
        pl.col("unit"), pl.lit(year, pl.Int64).alias("year"), pl.col("train_name"),
        pl.col("track").replace_strict(names, default=pl.col("track")).alias("track"),
        pl.lit(None, pl.Boolean).alias("held"), pl.col("is_money").alias("funded"),
        pl.lit(None, pl.Boolean).alias("implemented"), pl.lit(None, pl.Boolean).alias("completed"),
        pl.col("granted").alias("granted"), pl.lit(None, pl.Float64).alias("spent"),
        pl.lit(None, pl.Date).alias("as_of"))
    return frame.rename(HISTORY_COLUMNS)


def direction_comparison(data) -> pl.DataFrame | None:
    """Per 重点支持方向: last year's funded projects (their titles matched now, in the track their 项目类别
    names) against this year's selected. ``None`` without history."""
    from casplan.directions import match_text

    history = getattr(data.year.loaded.history, "frame", None)
    if history is None or history.is_empty():
        return None
    policy = data.year.loaded.policy
    last = history.filter((pl.col("year") == policy.history.funded_year) & pl.col("funded").fill_null(False))
    counts_last: dict[str, int] = {}
    for name, raw in last.select("train_name", "track").iter_rows():
        tid = policy.history_track_of(raw)
        if tid is None or tid not in policy.vocabulary.track_ids:
            continue
        hits = match_text(name or "", vocabulary=policy.vocabulary, track=tid,
                          threshold=policy.scoring.match_threshold)
        if hits:
            counts_last[hits[0].direction] = counts_last.get(hits[0].direction, 0) + 1
    chosen = data.selection.chosen.select("app_id", "track")
    now = (data.scores.table.join(chosen, on=["app_id", "track"], how="semi")
           .filter(pl.col("best_direction").is_not_null()).group_by("best_direction").len())
    counts_now = dict(now.iter_rows())
    names = sorted(set(counts_last) | set(counts_now), key=lambda d: (-(counts_now.get(d, 0) + counts_last.get(d, 0)), d))
    return pl.DataFrame({"重点支持方向": names,
                         f"{policy.history.funded_year}年获资助项目": [counts_last.get(d, 0) for d in names],
                         f"{policy.year}年拟入选项目": [counts_now.get(d, 0) for d in names]},
                        schema={"重点支持方向": pl.String, f"{policy.history.funded_year}年获资助项目": pl.Int64,
                                f"{policy.year}年拟入选项目": pl.Int64})


def decisions_list(data) -> pl.DataFrame:
    """The analysts' decisions for the committee, in words: 决定, 项目或单位, 理由, 经办人 (no id, no rule code)."""
    from casplan.eligibility import as_frame, rule_texts

    frame = as_frame(data.year.loaded.overrides)
    if frame.is_empty():
        return pl.DataFrame(schema={"决定": pl.String, "项目或单位": pl.String, "理由": pl.String, "经办人": pl.String})
    names = dict(data.year.eligibility.applications.select("app_id", "train_name").iter_rows())
    rules = rule_texts(data.year.loaded.policy)
    rows = []
    for r in frame.iter_rows(named=True):
        what = r["操作"] + (f"（{rules[r['规则']].split('；')[0]}）" if r["规则"] in rules else "")
        subject = names.get(r["申报编号"]) or r["单位名称"] or ""
        rows.append((what, subject, r["理由"] or "", r["经办人"] or ""))
    return pl.DataFrame(rows, schema={"决定": pl.String, "项目或单位": pl.String, "理由": pl.String, "经办人": pl.String},
                        orient="row")
