"""Presentation tables: frames with the analysts' Chinese headers, and a styled view for notebooks.

Functions take frames and return frames (or a pandas ``Styler`` for display);
nothing here reads or writes files.
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "escape",
    "files_table",
    "set_aside_table",
    "counts_by",
    "styled",
    "eligibility_overview",
    "ineligible_table",
    "units_table",
    "history_table",
    "score_table",
    "breakdown_table",
    "calibration_table",
    "direction_counts",
    "track_list",
    "fill_for",
    "money_for",
    "money_total_asked",
    "coverage_for",
    "distribution_for",
    "probability_for",
    "method_weights",
    "counterfactual_table",
    "FILE_LABELS",
    "PROBLEM_LABELS",
]

FILE_LABELS = {
    "file": "文件", "sheet": "工作表", "header_row": "表头行", "rows_read": "读取行数",
    "rows_accepted": "接收", "rows_set_aside": "搁置", "blank_rows": "空行", "unknown_columns": "未识别的列",
    "notes": "说明",
}
PROBLEM_LABELS = {
    "file": "文件", "sheet": "工作表", "row": "行号", "column": "列", "value": "原值", "reason": "原因代码",
    "message": "说明",
}


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[](){}#|!~"})


def escape(text: object) -> str:
    r"""Text from a file, safe inside the report's Markdown: HTML inert, Markdown syntax literal.

    Every text that comes from an input (scenario names and notes, decision reasons and authors,
    unit and training names) goes through here before it is shown as Markdown.

    >>> escape("<script>alert(1)</script>[点我](javascript:alert(2))")
    '&lt;script&gt;alert\\(1\\)&lt;/script&gt;\\[点我\\]\\(javascript:alert\\(2\\)\\)'
    """
    import html

    return html.escape(str(text), quote=False).translate(_MARKDOWN_SPECIAL)


def files_table(files: pl.DataFrame) -> pl.DataFrame:
    """Per-file counts with Chinese headers, and a total line that must add up.

    >>> import polars as pl
    >>> f = pl.DataFrame({"file": ["a.xlsx"], "sheet": ["计划"], "header_row": [3], "rows_read": [5],
    ...                   "rows_accepted": [4], "rows_set_aside": [1], "blank_rows": [0],
    ...                   "unknown_columns": [""], "notes": [""]})
    >>> files_table(f)["读取行数"].to_list()
    [5, 5]
    """
    total = files.select(
        pl.lit("合计").alias("file"), pl.lit(None, pl.Utf8).alias("sheet"), pl.lit(None, pl.Int64).alias("header_row"),
        pl.col("rows_read").sum(), pl.col("rows_accepted").sum(), pl.col("rows_set_aside").sum(),
        pl.col("blank_rows").sum(), pl.lit(None, pl.Utf8).alias("unknown_columns"), pl.lit(None, pl.Utf8).alias("notes"),
    )
    return pl.concat([files, total.cast(files.schema)]).rename(FILE_LABELS)


def set_aside_table(problems: pl.DataFrame) -> pl.DataFrame:
    """Set-aside problems sorted by place, with Chinese headers."""
    return problems.sort("file", "sheet", "row", nulls_last=True).rename(PROBLEM_LABELS)


def counts_by(frame: pl.DataFrame, rows: str, columns: str, *, labels: dict[str, str] | None = None) -> pl.DataFrame:
    """A count table: one line per value of ``rows``, one column per value of ``columns``, and totals.

    >>> import polars as pl
    >>> df = pl.DataFrame({"branch": ["北京分院", "北京分院", "上海分院"], "category": ["研修班", "讲坛", "研修班"]})
    >>> counts_by(df, "branch", "category").row(0)
    ('上海分院', 1, 0, 1)
    """
    labels = labels or {}
    data = frame.select(pl.col(rows).fill_null("（未填）"), pl.col(columns).fill_null("（未填）"))
    table = (data.group_by(rows, columns).len()
             .pivot(on=columns, index=rows, values="len", sort_columns=True)
             .fill_null(0).sort(rows))
    value_cols = [c for c in table.columns if c != rows]
    table = table.with_columns(pl.sum_horizontal(value_cols).alias("合计"))
    return table.rename({rows: labels.get(rows, rows)})


def styled(frame: pl.DataFrame, *, max_rows: int = 200, caption: str | None = None):
    """A pandas ``Styler`` of the frame for notebooks and the report: no index, numbers tidy.

    Text from the export stays text: pandas escapes HTML in cell values.
    """
    shown = frame.head(max_rows).to_pandas(use_pyarrow_extension_array=True)
    styler = (shown.style.hide(axis="index").format(precision=1, na_rep="", escape="html")
              .set_properties(**{"text-align": "left", "vertical-align": "top"})
              .set_table_styles([{"selector": "th", "props": "text-align: left; white-space: nowrap;"}]))
    if caption:
        more = f"（共 {frame.height} 行，显示前 {max_rows} 行）" if frame.height > max_rows else ""
        styler = styler.set_caption(caption + more)
    return styler


def eligibility_overview(summary: pl.DataFrame, track_names: dict[str, str]) -> pl.DataFrame:
    """Per track: applications entering it, eligible, not eligible, eligible only thanks to a waiver."""
    order = list(track_names)
    out = (summary.group_by("track").agg(
        pl.len().alias("申报"), pl.col("eligible").sum().alias("具备资格"),
        (~pl.col("eligible")).sum().alias("不具备资格"),
        (pl.col("eligible") & (pl.col("waived").list.len() > 0)).sum().alias("其中经豁免"))
        .with_columns(pl.col("track").replace_strict({t: i for i, t in enumerate(order)}, default=len(order)).alias("_o"))
        .sort("_o").drop("_o"))
    return out.with_columns(pl.col("track").replace_strict(track_names, default=pl.col("track")).alias("类别")) \
        .select("类别", "申报", "具备资格", "不具备资格", "其中经豁免")


def ineligible_table(summary: pl.DataFrame, track_names: dict[str, str]) -> pl.DataFrame:
    """Every (application, track) that may not compete, with the failing rules and their messages."""
    bad = summary.filter(~pl.col("eligible"))
    return bad.select(
        pl.col("app_id").alias("申报编号"), pl.col("unit").alias("单位"), pl.col("train_name").alias("培训名称"),
        pl.col("track").replace_strict(track_names, default=pl.col("track")).alias("类别"),
        pl.col("reasons").list.join("、").alias("原因代码"),
        pl.col("fail_messages").list.join("；").alias("说明"),
    ).sort("类别", "单位", "申报编号")


def units_table(units: pl.DataFrame, policy) -> pl.DataFrame:
    """The units' own report: submission, lateness, the P2 study, the funded year's execution, notes.

    The headers follow the policy (「含党的二十大精神学习」, 「2022执行情况」 in 2023).
    """
    p2 = policy.rules["P2"]
    subject = p2.subject or "、".join(p2.terms)
    def yes(c: str) -> pl.Expr:
        return pl.when(pl.col(c)).then(pl.lit("是")).when(~pl.col(c)).then(pl.lit("否")).otherwise(pl.lit(""))

    return units.sort("branch", "unit", nulls_last=True).select(
        pl.col("unit").alias("单位"), pl.col("unit_type").alias("单位类型"), pl.col("branch").alias("所属分院"),
        pl.col("plan_rows").alias("计划条数"), pl.col("applications").alias("申报项数"),
        yes("submitted").alias("已报送"), yes("late").alias("逾期"), yes("has_p2").alias(f"含{subject}"),
        pl.col("u2_code").fill_null("").alias(f"{policy.history.funded_year}执行情况"), pl.col("notes").alias("说明"))


def history_table(matches: pl.DataFrame, applications: pl.DataFrame, policy) -> pl.DataFrame:
    """Which earlier-year project each application was matched to, how alike the names are, and who decided."""
    decided = {"auto": "自动匹配", "confirmed": "人工确认", "rejected": "人工否定"}
    names = applications.select("app_id", "unit", "train_name")
    return matches.join(names, on="app_id", how="left").select(
        pl.col("app_id").alias("申报编号"), pl.col("unit").alias("单位"), pl.col("train_name").alias(f"{policy.year}年名称"),
        pl.col("history_id").alias("往年项目编号"), pl.col("history_year").alias("年度"),
        pl.col("history_name").alias("往年名称"), pl.col("history_track").alias("往年类别"),
        pl.col("similarity").alias("名称相似度"),
        pl.col("decided").replace_strict(decided, default=pl.col("decided")).alias("认定"),
    ).sort("单位", "申报编号", "年度")


def score_table(table: pl.DataFrame, track_names: dict[str, str]) -> pl.DataFrame:
    """Ranked scores per track, with the matched direction and words."""
    cols = [
        pl.col("track").replace_strict(track_names, default=pl.col("track")).alias("类别"),
        pl.col("rank").alias("排名"), pl.col("app_id").alias("申报编号"), pl.col("unit").alias("单位"),
        pl.col("train_name").alias("培训名称"), pl.col("score").round(1).alias("总分"),
        pl.col("criteria_score").round(1).alias("准则得分"),
        (pl.col("review") * 100).round(1).alias("评审（校准后百分位）"),
        pl.col("best_direction").alias("匹配方向"), pl.col("matched_terms").alias("命中词（字段）"),
        pl.when(pl.col("tied")).then(pl.lit("并列")).otherwise(pl.lit("")).alias("并列"),
    ]
    order = {t: i for i, t in enumerate(track_names)}
    return (table.with_columns(pl.col("track").replace_strict(order, default=len(order)).alias("_o"))
            .sort("_o", "rank").select(cols))


def breakdown_table(breakdown: pl.DataFrame, labels: dict[str, str]) -> pl.DataFrame:
    """Per criterion: raw value, normalised value, weight, contribution (a score that explains itself)."""
    return breakdown.select(
        pl.col("app_id").alias("申报编号"),
        pl.col("criterion").replace_strict(labels, default=pl.col("criterion")).alias("准则"),
        pl.col("raw").alias("原始值"), pl.col("value").round(3).alias("归一化值"),
        (pl.col("weight") * 100).round(1).alias("权重%"), pl.col("contribution").round(2).alias("得分贡献"))


def calibration_table(table: pl.DataFrame, track_names: dict[str, str], *, min_change: int = 1) -> pl.DataFrame:
    """Applications whose rank moved when the reviewers' scores were calibrated."""
    if "rank_uncalibrated" not in table.columns:
        return pl.DataFrame({"说明": ["没有专家评审数据"]})
    moved = table.with_columns((pl.col("rank_uncalibrated") - pl.col("rank")).alias("move")) \
        .filter(pl.col("move").abs() >= min_change)
    return moved.sort("track", "rank").select(
        pl.col("track").replace_strict(track_names, default=pl.col("track")).alias("类别"),
        pl.col("app_id").alias("申报编号"), pl.col("train_name").alias("培训名称"),
        pl.col("review_raw").round(1).alias("评审原始均分"), (pl.col("review") * 100).round(1).alias("校准后百分位"),
        pl.col("rank_uncalibrated").alias("未校准排名"), pl.col("rank").alias("校准后排名"),
        pl.col("move").alias("上升名次"))


def direction_counts(matches: pl.DataFrame, track_names: dict[str, str]) -> pl.DataFrame:
    """Directions × tracks: how many applications match each direction (above the threshold)."""
    hit = matches.filter(pl.col("is_match"))
    counts = hit.group_by("track", "direction").agg(pl.col("app_id").n_unique().alias("n"))
    allpairs = matches.select("track", "direction").unique(maintain_order=True)
    out = allpairs.join(counts, on=["track", "direction"], how="left").with_columns(pl.col("n").fill_null(0))
    return out.select(pl.col("track").replace_strict(track_names, default=pl.col("track")).alias("类别"),
                      pl.col("direction").alias("重点支持方向"), pl.col("n").alias("匹配的申报数"))


def track_list(data, track: str) -> pl.DataFrame:
    """One track's list for the 公示: the chosen (入选) then the waiting list (候补), with scores and reasons.

    The waiting list holds the eligible applications of the track not chosen anywhere, best first.
    """
    sel = data.selection
    scores = data.scores.table.filter(pl.col("track") == track)
    decisions = sel.decisions.select("app_id", pl.col("track").alias("decided_track"), "chosen", "code", "message")
    chosen_here = sel.chosen.filter(pl.col("track") == track).select("app_id")
    t = (scores.join(decisions, on="app_id", how="left")
         .with_columns(pl.col("app_id").is_in(chosen_here["app_id"].implode()).alias("here")))
    t = t.filter(pl.col("here") | ~pl.col("chosen").fill_null(False))
    cutoff = sel.tracks.filter(pl.col("track") == track)["cutoff"]
    cut = cutoff[0] if cutoff.len() else None
    return t.sort(["here", "score", "rank"], descending=[True, True, False]).select(
        pl.when(pl.col("here")).then(pl.lit("入选")).otherwise(pl.lit("候补")).alias("状态"),
        pl.col("rank").alias("排名"), pl.col("app_id").alias("申报编号"), pl.col("unit").alias("单位"),
        pl.col("train_name").alias("培训名称"), pl.col("score").round(2).alias("得分"),
        pl.col("budget").alias("经费(万元)"), pl.lit(cut, dtype=pl.Float64).alias("入选线"),
        pl.col("best_direction").alias("匹配方向"), pl.col("matched_terms").alias("命中词（字段）"),
        pl.col("message").alias("说明"))


# --- the charts' input frames (see casplan.views.charts for each contract) ------------------------------

def fill_for(selection, quotas: dict[str, int]) -> pl.DataFrame:
    """Quota fill per track: eligible pool, chosen, quota, upper bound."""
    return selection.tracks.select(
        "track", "track_name", pl.col("n_candidates").alias("eligible"), pl.col("n_chosen").alias("chosen"),
        pl.col("track").replace_strict(quotas, default=0, return_dtype=pl.Int64).alias("quota"),
        pl.col("upper").alias("quota_max"))


def money_for(data, *, by: str = "track_name") -> pl.DataFrame:
    """Money asked by the eligible and granted to the chosen, by track or by 分院 (the money chart's input).

    By track, an application that competes in two tracks (精品 and 人社部) asks in each, and its grant
    counts in the track it was chosen in; the chart's 合计 counts each application once (see
    :func:`money_total_asked`). Granted money is the selection's (人社部 capped), as in the report's lists.
    """
    sel = data.selection
    money = list(data.options.money_tracks)
    names = dict(data.options.track_names)
    cands = data.candidates.filter(pl.col("track").is_in(money))
    granted = sel.chosen.filter(pl.col("track").is_in(money)).select("app_id", "track", pl.col("cost").alias("granted"))
    if by == "track_name":
        asked = cands.group_by("track").agg(pl.col("cost").sum().alias("asked"))
        given = granted.group_by("track").agg(pl.col("granted").sum())
        order = pl.DataFrame({"track": [t for t in names if t in money]})
        frame = order.join(asked, on="track", how="left").join(given, on="track", how="left")
        return frame.select(pl.col("track").replace_strict(names, default=pl.col("track")).alias("track_name"),
                            pl.col("asked").fill_null(0.0), pl.col("granted").fill_null(0.0))
    asked = cands.group_by("app_id").agg(pl.col("cost").max().alias("asked"))
    apps = data.year.eligibility.applications.select("app_id", "branch", "unit_type")
    frame = (asked.join(granted.select("app_id", "granted"), on="app_id", how="left").join(apps, on="app_id", how="left")
             .with_columns(pl.col("granted").fill_null(0.0), pl.coalesce("branch", "unit_type").fill_null("其他").alias("branch")))
    return frame.group_by(by).agg(pl.col("asked").sum(), pl.col("granted").sum()).sort(by)


def money_total_asked(data) -> float:
    """What the eligible applications of the money tracks ask, each application counted once (万元)."""
    cands = data.candidates.filter(pl.col("track").is_in(list(data.options.money_tracks)))
    return float(cands.group_by("app_id").agg(pl.col("cost").max())["cost"].sum())


def coverage_for(data) -> pl.DataFrame:
    """Directions × tracks: eligible applications matching each direction, and how many were chosen."""
    matches = data.year.matches.filter(pl.col("is_match"))
    eligible = data.candidates.select("app_id", "track")
    hit = matches.join(eligible, on=["app_id", "track"], how="semi")
    chosen = data.selection.chosen.select("app_id", "track")
    names = dict(data.options.track_names)
    order = data.year.matches.select("track", "direction").unique(maintain_order=True)
    counts = hit.group_by("track", "direction").agg(pl.col("app_id").n_unique().alias("submitted"))
    won = hit.join(chosen, on=["app_id", "track"], how="semi").group_by("track", "direction") \
        .agg(pl.col("app_id").n_unique().alias("chosen"))
    return (order.join(counts, on=["track", "direction"], how="left").join(won, on=["track", "direction"], how="left")
            .with_columns(pl.col("submitted").fill_null(0), pl.col("chosen").fill_null(0),
                          pl.col("track").replace_strict(names, default=pl.col("track")).alias("track_name"))
            .select("track_name", "direction", "submitted", "chosen"))


def distribution_for(data) -> tuple[pl.DataFrame, dict[str, float]]:
    """Scores per track with chosen flags, and each track's cutoff (by Chinese track name)."""
    names = dict(data.options.track_names)
    chosen = data.selection.chosen.select("app_id", "track", pl.lit(True).alias("chosen"))
    frame = data.scores.table.join(chosen, on=["app_id", "track"], how="left").select(
        pl.col("track").replace_strict(names, default=pl.col("track")).alias("track_name"), "score",
        pl.col("chosen").fill_null(False), "app_id", "train_name")
    cutoffs = {names.get(t, t): c for t, c in data.selection.tracks.select("track", "cutoff").iter_rows()
               if c is not None}
    return frame, cutoffs


def probability_for(data, *, limit: int = 80) -> pl.DataFrame:
    """Robustness per application: how often it is chosen in any track under perturbed weights.

    An application that moves between tracks (精品 ↔ 人社部) is still selected, so the probability is the
    application's, not the pair's; the track shown is the one it is chosen in at the base (else its most
    frequent). Only the uncertain ones (0 < p < 1), most uncertain first, at most ``limit``.
    """
    r = data.robustness
    if "p_any" not in r.columns:
        r = r.with_columns(pl.col("p_selected").alias("p_any"))
    names = dict(data.options.track_names)
    titles = data.candidates.select("app_id", "track", "train_name")
    per_app = (r.join(titles, on=["app_id", "track"], how="left")
               .sort(["app_id", "base_chosen", "p_selected", "track"], descending=[False, True, True, False])
               .group_by("app_id", maintain_order=True)
               .agg(pl.col("train_name").first(), pl.col("track").first(), pl.col("p_any").first(),
                    pl.col("base_chosen").any(), pl.col("unstable").any()))
    frame = per_app.filter((pl.col("p_any") > 0) & (pl.col("p_any") < 1))
    frame = frame.with_columns((pl.col("p_any") - 0.5).abs().alias("_d")).sort("_d", "app_id").head(limit)
    return frame.select("app_id", "train_name",
                        pl.col("track").replace_strict(names, default=pl.col("track")).alias("track_name"),
                        pl.col("p_any").alias("p_selected"), "base_chosen", "unstable")


def method_weights(policy) -> pl.DataFrame:
    """The criteria weights of every track, in % after normalisation."""
    from casplan.scoring import CRITERION_LABELS

    rows = []
    for t in policy.tracks:
        w = policy.scoring.weights_for(t.id)
        total = sum(w.values()) or 1
        rows.append({"类别": t.name, **{CRITERION_LABELS.get(c, c): round(100 * v / total, 1) for c, v in w.items()}})
    return pl.DataFrame(rows)


def counterfactual_table(frame: pl.DataFrame) -> pl.DataFrame:
    """One place more or less per track, and the budget ±: who would enter or leave (Chinese headers)."""
    return frame.select(pl.col("label").alias("变动"), pl.col("objective_change").round(2).alias("总分变化"),
                        pl.col("entered").list.join("、").alias("新入选"), pl.col("left").list.join("、").alias("落选"),
                        pl.col("message").alias("说明"))
