"""Charts: ``(frame, *, …) -> plotly Figure``. They never show; they return.

Every figure carries the Chinese font (fontconfig would otherwise pick the
Japanese variant), Chinese axis titles, legends and hover text, and renders
offline. The chart functions take plain polars frames; each docstring states
the columns it needs, and a missing column raises
:class:`casplan.errors.InputError` naming it. :func:`save_png` is the only
function here that writes a file.
"""

from __future__ import annotations

import atexit
import math
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import plotly.express as px
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from casplan.errors import InputError, ReportError

__all__ = [
    "FONT",
    "BRANCHES",
    "OTHER_BRANCH",
    "setup_notebook",
    "fit_page",
    "style",
    "plans_by_branch",
    "quota_fill",
    "money",
    "direction_coverage",
    "score_distribution",
    "selection_probability",
    "unit_coverage",
    "ineligibility_pareto",
    "save_png",
]

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"

#: The academy's 12 分院 in the order the academy lists them; charts by 分院 follow it.
BRANCHES: tuple[str, ...] = ("北京分院", "沈阳分院", "长春分院", "上海分院", "南京分院", "武汉分院",
                             "广州分院", "成都分院", "昆明分院", "西安分院", "兰州分院", "新疆分院")
#: What a unit without a 所属分院 (院机关各部门, 直属单位) is shown as.
OTHER_BRANCH = "院机关/其他"

# Palette: light pool behind strong choice; green/orange/red for on time/late/missing.
_POOL = "#c6dbef"
_CHOSEN = "#2171b5"
_OVER = "#cb181d"
_TARGET = "#252525"
_UPPER = "#e6550d"
_ASKED = "#9ecae1"
_GRANTED = "#08519c"
_NOT_CHOSEN = "#bdbdbd"
_ON_TIME = "#41ab5d"
_LATE = "#fd8d3c"
_MISSING = "#de2d26"
_CAP = "#cb181d"

_BY_LABELS = {"track_name": "遴选类别", "branch": "所属分院"}


def setup_notebook() -> None:
    """Offline rendering for papermill/nbconvert HTML that still draws in JupyterLab (TOOLING.md)."""
    from casplan.lazy import skip_iri_grammars

    skip_iri_grammars()  # the notebook renderer imports nbformat, hence jsonschema
    import plotly.io as pio

    pio.renderers.default = "plotly_mimetype+notebook"


def fit_page(fig: go.Figure, *, max_height: int = 900) -> go.Figure:
    """At most ``max_height`` pixels high, so that a printed chart stays whole on one A4 page.

    >>> fit_page(go.Figure(layout={"height": 1500})).layout.height
    900
    """
    if fig.layout.height is None or fig.layout.height > max_height:
        fig.update_layout(height=max_height)
    return fig


def style(fig: go.Figure, *, title: str | None = None, height: int | None = None,
          subtitle: str | None = None) -> go.Figure:
    """Apply the house look: Chinese font, white template, title and subtitle, legend above the plot.

    Parameters
    ----------
    fig : go.Figure
        The figure, changed in place and returned.
    title : str
        The title; ``None`` keeps the figure's own.
    height : int or None
        The height in pixels; ``None`` leaves it to plotly (450) or the caller.
    subtitle : str or None
        A second, smaller title line (e.g. a total).

    Returns
    -------
    go.Figure

    Examples
    --------
    >>> fig = style(go.Figure(), title="测试", subtitle="副标题")
    >>> fig.layout.font.family.split(",")[0], fig.layout.title.subtitle.text
    ('Noto Sans CJK SC', '副标题')
    """
    title_text = title if title is not None else fig.layout.title.text
    top = 52 + (24 if subtitle else 0) + (34 if fig.layout.showlegend is not False else 0)
    fig.update_layout(
        font_family=FONT, template="plotly_white",
        title={"text": title_text, "x": 0.01, "xanchor": "left", "y": 1, "yref": "container",
               "yanchor": "top", "pad": {"t": 12}, "font": {"size": 18},
               "subtitle": {"text": subtitle, "font": {"size": 13, "color": "#555"}} if subtitle else None},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0,
                "title": {"text": ""}},
        margin={"t": top, "l": 10, "r": 20, "b": 40},
        hoverlabel={"font_family": FONT},
    )
    if height is not None:
        fig.update_layout(height=height)
    return fig


def _require(frame: pl.DataFrame, columns: Sequence[str], *, chart: str) -> None:
    """Raise InputError naming the first missing column (and listing every missing one)."""
    if not isinstance(frame, pl.DataFrame):
        raise InputError(f"绘制「{chart}」需要 polars 数据表，收到的是 {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = "、".join(frame.columns) or "（无列）"
        raise InputError(f"绘制「{chart}」缺少列「{'」「'.join(missing)}」；需要的列：{'、'.join(columns)}；"
                         f"现有的列：{have}", column=missing[0])


def _cast(frame: pl.DataFrame, casts: Mapping[str, tuple[pl.DataType | type[pl.DataType], str]], *,
          chart: str) -> pl.DataFrame:
    """Cast columns strictly; a column that does not convert raises InputError saying what it should hold."""
    for col, (dtype, expected) in casts.items():
        if col not in frame.columns:
            continue
        try:
            frame = frame.with_columns(pl.col(col).cast(dtype, strict=True))
        except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as err:
            raise InputError(f"绘制「{chart}」时列「{col}」的值无法识别，应为{expected}", column=col) from err
    return frame


def _first_seen(values: Sequence[object]) -> list:
    """Distinct values in order of first appearance (``None`` dropped)."""
    return list(dict.fromkeys(v for v in values if v is not None))


def _branch_order(names: Sequence[str]) -> list[str]:
    """The 12 分院 in the academy's order, then other names as met, then 院机关/其他."""
    seen = _first_seen(names)
    known = [b for b in BRANCHES if b in seen]
    rest = [b for b in seen if b not in BRANCHES and b != OTHER_BRANCH]
    return known + rest + ([OTHER_BRANCH] if OTHER_BRANCH in seen else [])


def _no_data(fig: go.Figure, what: str) -> go.Figure:
    """Say so on an empty chart instead of showing bare axes."""
    fig.add_annotation(text=f"暂无{what}数据", x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 16, "color": "#777"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def plans_by_branch(plans: pl.DataFrame, *, title: str = "各分院报送的培训计划（按类别）") -> go.Figure:
    """Stacked bars: plan rows per 所属分院 (院机关 and units outside the roster shown as such), by 培训类别.

    >>> import polars as pl
    >>> df = pl.DataFrame({"branch": ["北京分院", None], "unit_type": ["研究所", "院机关部门"],
    ...                    "category": ["学术讲坛", "管理类培训"]})
    >>> fig = plans_by_branch(df)
    >>> sorted(t.name for t in fig.data)
    ['学术讲坛', '管理类培训']
    """
    data = (plans.select(
        pl.when(pl.col("branch").is_not_null()).then(pl.col("branch"))
        .when(pl.col("unit_type").is_not_null()).then(pl.col("unit_type"))
        .otherwise(pl.lit("名册外单位")).alias("分院"),
        pl.col("category").fill_null("（未填）").alias("培训类别"))
        .group_by("分院", "培训类别").len(name="计划数").sort("分院", "培训类别"))
    fig = px.bar(data.to_pandas(), x="分院", y="计划数", color="培训类别", barmode="stack")
    return style(fig, title=title)


def quota_fill(fill: pl.DataFrame, *, title: str = "各遴选类别名额完成情况") -> go.Figure:
    """Per track: the eligible pool (light, behind), the chosen (strong), the quota target and upper bound.

    Parameters
    ----------
    fill : pl.DataFrame
        One row per track, in display order, with columns

        - ``track_name`` (str): the track's Chinese name;
        - ``eligible`` (int): applications eligible for the track (the pool);
        - ``chosen`` (int): applications chosen;
        - ``quota`` (int): the quota target (null: no target);
        - ``quota_max`` (int): target plus tolerance, the upper bound (null: same as ``quota``).
    title : str
        The chart title.

    Returns
    -------
    go.Figure
        Traces 「合格申报」 and 「入选」 (bars, overlaid; a chosen bar above its upper bound is red),
        「名额目标」 and 「名额上限」 (horizontal marks), and the labels 「入选 n / 名额 q」.

    Examples
    --------
    >>> df = pl.DataFrame({"track_name": ["专业技术研修班", "学术讲坛"], "eligible": [18, 25],
    ...                    "chosen": [10, 21], "quota": [10, 20], "quota_max": [12, 23]})
    >>> [t.name for t in quota_fill(df).data]
    ['合格申报', '入选', '名额目标', '名额上限', '标注']
    """
    chart = "名额完成情况"
    _require(fill, ["track_name", "eligible", "chosen", "quota", "quota_max"], chart=chart)
    data = _cast(fill, {c: (pl.Int64, "整数") for c in ("eligible", "chosen", "quota", "quota_max")}, chart=chart)
    data = data.with_columns(pl.col("quota_max").fill_null(pl.col("quota")),
                             pl.col("eligible", "chosen").fill_null(0))
    fig = go.Figure()
    if data.is_empty():
        return style(_no_data(fig, "名额"), title=title, height=420)
    tracks = data["track_name"].to_list()
    eligible, chosen = data["eligible"].to_list(), data["chosen"].to_list()
    quota, upper = data["quota"].to_list(), data["quota_max"].to_list()
    over = [u is not None and c > u for c, u in zip(chosen, upper, strict=True)]
    fig.add_bar(name="合格申报", x=tracks, y=eligible, width=0.7, marker_color=_POOL,
                hovertemplate="%{x}<br>合格申报 %{y} 项<extra></extra>")
    fig.add_bar(name="入选", x=tracks, y=chosen, width=0.4,
                marker_color=[_OVER if o else _CHOSEN for o in over],
                customdata=[["（超出上限）" if o else ""] for o in over],
                hovertemplate="%{x}<br>入选 %{y} 项%{customdata[0]}<extra></extra>")
    fig.add_scatter(name="名额目标", x=tracks, y=quota, mode="markers",
                    marker={"symbol": "line-ew-open", "size": 56, "color": _TARGET, "line": {"width": 3}},
                    hovertemplate="%{x}<br>名额目标 %{y} 项<extra></extra>")
    fig.add_scatter(name="名额上限", x=tracks, y=upper, mode="markers",
                    marker={"symbol": "line-ew-open", "size": 56, "color": _UPPER,
                            "line": {"width": 2, "color": _UPPER}},
                    hovertemplate="%{x}<br>名额上限（含浮动） %{y} 项<extra></extra>")
    tops = [max(v for v in (e, c, q, u) if v is not None) for e, c, q, u in zip(eligible, chosen, quota, upper,
                                                                                  strict=True)]
    labels = [f"入选 {c} / 名额 {q}" if q is not None else f"入选 {c}" for c, q in zip(chosen, quota, strict=True)]
    fig.add_scatter(name="标注", x=tracks, y=tops, mode="text", text=labels, textposition="top center",
                    textfont={"size": 12}, showlegend=False, hoverinfo="skip")
    fig.update_layout(barmode="overlay", bargap=0.3)
    fig.update_xaxes(title_text="遴选类别")
    fig.update_yaxes(title_text="项目数", range=[0, max(tops) * 1.15 + 1], rangemode="tozero")
    return style(fig, title=title, height=460)


def money(frame: pl.DataFrame, *, by: str = "track_name", cap: float | None = None,
          title: str | None = None, total_asked: float | None = None) -> go.Figure:
    """Money asked by the eligible and granted to the chosen, per track or per 分院, against the budget.

    Parameters
    ----------
    frame : pl.DataFrame
        Rows summed per ``by`` (one row per group or one per application), with columns

        - ``by`` (str): the group, ``track_name`` (遴选类别) or ``branch`` (所属分院; null → 「院机关/其他」);
        - ``asked`` (float, 万元): what the eligible applications ask;
        - ``granted`` (float, 万元): what the chosen applications receive.
    by : {'track_name', 'branch'}
        ``"track_name"`` or ``"branch"``.
    cap : float or None
        The total budget in 万元; when given, a 「合计」 group and a dashed budget line are added.
    title : str
        The chart title; by default 「各遴选类别经费」 or 「各分院经费」.
    total_asked : float or None
        The 合计 of the requests when the groups overlap (an application asking in two tracks counted
        once); by default the sum of ``asked``.

    Returns
    -------
    go.Figure
        Grouped bars 「合格申报申请经费」 and 「拟资助经费」; the subtitle gives the total granted (and the
        share of ``cap``).

    Examples
    --------
    >>> df = pl.DataFrame({"track_name": ["专业技术研修班", "精品培训项目"], "asked": [180.0, 260.0],
    ...                    "granted": [95.0, 140.0]})
    >>> fig = money(df, cap=300)
    >>> [t.name for t in fig.data], list(fig.data[1].x)
    (['合格申报申请经费', '拟资助经费'], ['专业技术研修班', '精品培训项目', '合计'])
    >>> fig.layout.shapes[0].y0
    300
    """
    if by not in _BY_LABELS:
        raise InputError(f"经费图只能按「遴选类别」（track_name）或「所属分院」（branch）分组，收到的是「{by}」",
                         column=by)
    if cap is not None and not cap > 0:
        raise InputError(f"经费总预算应为正数（万元），收到的是「{cap}」", value=cap)
    chart = "经费"
    _require(frame, [by, "asked", "granted"], chart=chart)
    data = _cast(frame, {"asked": (pl.Float64, "数字（万元）"), "granted": (pl.Float64, "数字（万元）"),
                         by: (pl.String, "文字")}, chart=chart)
    if by == "branch":
        data = data.with_columns(pl.col("branch").fill_null(OTHER_BRANCH))
    data = data.group_by(by, maintain_order=True).agg(pl.col("asked", "granted").fill_null(0).sum())
    title = title or ("各遴选类别经费" if by == "track_name" else "各分院经费")
    fig = go.Figure()
    if data.is_empty():
        return style(_no_data(fig, "经费"), title=title, height=420)
    if by == "branch":
        order = _branch_order(data["branch"].to_list())
        data = data.join(pl.DataFrame({"branch": order, "_o": range(len(order))}), on="branch").sort("_o")
    groups = [str(g) for g in data[by].to_list()]
    asked, granted = data["asked"].to_list(), data["granted"].to_list()
    total_asked = sum(asked) if total_asked is None else total_asked
    total_granted = sum(granted)
    if cap is not None:
        groups, asked, granted = groups + ["合计"], asked + [total_asked], granted + [total_granted]
    label = _BY_LABELS[by]
    for name, values, color in (("合格申报申请经费", asked, _ASKED), ("拟资助经费", granted, _GRANTED)):
        fig.add_bar(name=name, x=groups, y=values, marker_color=color, text=[f"{v:,.1f}" for v in values],
                    textposition="outside", textfont={"size": 11}, cliponaxis=False,
                    hovertemplate=f"%{{x}}<br>{name} %{{y:,.1f}} 万元<extra></extra>")
    top = max([*asked, *granted, cap or 0, 1])
    if cap is not None:
        fig.add_hline(y=cap, line={"dash": "dash", "color": _CAP, "width": 2},
                      annotation={"text": f"总预算 {cap:,.1f} 万元", "font": {"color": _CAP, "size": 12}},
                      annotation_position="top left")
        share = total_granted / cap
        rest = cap - total_granted
        tail = f"，结余 {rest:,.1f} 万元" if rest >= 0 else f"，超出预算 {-rest:,.1f} 万元"
        subtitle = f"拟资助合计 {total_granted:,.1f} 万元，占总预算 {cap:,.1f} 万元的 {share:.0%}{tail}"
    else:
        subtitle = f"拟资助合计 {total_granted:,.1f} 万元；合格申报申请合计 {total_asked:,.1f} 万元"
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_xaxes(title_text=label, tickangle=-30 if len(groups) > 4 else 0)
    fig.update_yaxes(title_text="经费（万元）", range=[0, top * 1.12], tickformat=",")
    return style(fig, title=title, subtitle=subtitle, height=480)


def direction_coverage(frame: pl.DataFrame, *, title: str = "重点支持方向覆盖情况（入选/申报）") -> go.Figure:
    """Heatmap of directions × tracks: colour is the number chosen, the cell reads 「入选/申报」.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per (track, direction), summed if repeated, with columns

        - ``track_name`` (str): the track (columns, in order of first appearance);
        - ``direction`` (str): the 重点支持方向 (rows, top to bottom in order of first appearance);
        - ``submitted`` (int): eligible applications matching the direction;
        - ``chosen`` (int): chosen applications matching the direction.
        A direction without a row for a track is left blank (not a direction of that track).
    title : str
        The chart title.

    Returns
    -------
    go.Figure
        One ``heatmap`` trace 「入选项数」 (``z`` chosen, ``customdata`` submitted).

    Examples
    --------
    >>> df = pl.DataFrame({"track_name": ["专业技术研修班", "专业技术研修班", "学术讲坛"],
    ...                    "direction": ["高技术创新", "关键核心技术攻关任务", "国际学术交流"],
    ...                    "submitted": [5, 3, 8], "chosen": [2, 0, 6]})
    >>> fig = direction_coverage(df)
    >>> list(fig.data[0].text[2])
    ['', '6/8']
    """
    chart = "重点支持方向覆盖"
    _require(frame, ["track_name", "direction", "submitted", "chosen"], chart=chart)
    data = _cast(frame, {"submitted": (pl.Int64, "整数"), "chosen": (pl.Int64, "整数")}, chart=chart)
    data = (data.filter(pl.col("direction").is_not_null() & pl.col("track_name").is_not_null())
            .group_by("track_name", "direction", maintain_order=True)
            .agg(pl.col("submitted", "chosen").fill_null(0).sum()))
    fig = go.Figure()
    if data.is_empty():
        return style(_no_data(fig, "方向"), title=title, height=420)
    tracks = _first_seen(data["track_name"].to_list())
    directions = _first_seen(data["direction"].to_list())
    cells = {(r["direction"], r["track_name"]): (r["chosen"], r["submitted"]) for r in data.iter_rows(named=True)}
    z = [[cells[(d, t)][0] if (d, t) in cells else None for t in tracks] for d in directions]
    sub = [[cells[(d, t)][1] if (d, t) in cells else None for t in tracks] for d in directions]
    text = [[f"{cells[(d, t)][0]}/{cells[(d, t)][1]}" if (d, t) in cells else "" for t in tracks]
            for d in directions]
    fig.add_heatmap(name="入选项数", x=tracks, y=directions, z=z, customdata=sub, text=text,
                    texttemplate="%{text}", textfont={"size": 12}, colorscale="Blues", zmin=0,
                    xgap=2, ygap=2, colorbar={"title": {"text": "入选<br>项数"}, "thickness": 14},
                    hovertemplate="方向：%{y}<br>类别：%{x}<br>申报 %{customdata} 项，入选 %{z} 项<extra></extra>")
    fig.update_xaxes(title_text="遴选类别", side="top", title_standoff=6, showgrid=False)
    fig.update_yaxes(title_text="重点支持方向", autorange="reversed", showgrid=False)
    fig.update_layout(showlegend=False, plot_bgcolor="#f4f4f4")
    style(fig, title=title, height=190 + 30 * len(directions))
    fig.update_layout(margin_t=110)  # room for the title above the track names on top
    return fig


def score_distribution(frame: pl.DataFrame, *, cutoffs: Mapping[str, float] | None = None,
                       title: str = "各遴选类别综合得分分布") -> go.Figure:
    """Scores per track as points, chosen and not chosen coloured, with each track's cutoff marked.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per (application, track) scored, with columns

        - ``track_name`` (str): the track (one row of the chart each, in order of first appearance);
        - ``score`` (float, 0–100): the composite score (null rows are left out);
        - ``chosen`` (bool): chosen in that track;
        - ``app_id`` (str), ``train_name`` (str): shown on hover.
    cutoffs : mapping of str to float, or None
        The cutoff score per ``track_name`` (「入选分数线」); ``None`` marks each track's lowest
        chosen score instead (「最低入选分」).
    title : str
        The chart title.

    Returns
    -------
    go.Figure
        ``box`` traces 「得分分布」 (all points' spread), 「入选」 and 「未入选」 (points), and a
        ``scatter`` trace of the cutoff marks.

    Examples
    --------
    >>> df = pl.DataFrame({"track_name": ["学术讲坛"] * 3, "score": [81.0, 74.5, 60.0],
    ...                    "chosen": [True, True, False], "app_id": ["A1", "A2", "A3"],
    ...                    "train_name": ["量子信息前沿讲坛", "脑科学讲坛", "大数据讲坛"]})
    >>> fig = score_distribution(df, cutoffs={"学术讲坛": 70})
    >>> [t.name for t in fig.data], list(fig.data[-1].x)
    (['得分分布', '入选', '未入选', '入选分数线'], [70.0])
    """
    chart = "得分分布"
    _require(frame, ["track_name", "score", "chosen", "app_id", "train_name"], chart=chart)
    data = _cast(frame, {"score": (pl.Float64, "0–100 的数字"), "chosen": (pl.Boolean, "是/否（布尔值）"),
                         "app_id": (pl.String, "文字"), "train_name": (pl.String, "文字")}, chart=chart)
    data = data.filter(pl.col("score").is_not_null() & pl.col("track_name").is_not_null()).with_columns(
        pl.col("chosen").fill_null(False), pl.col("train_name").fill_null(""))
    fig = go.Figure()
    if data.is_empty():
        return style(_no_data(fig, "得分"), title=title, height=420)
    tracks = _first_seen(data["track_name"].to_list())
    fig.add_box(name="得分分布", y=data["track_name"].to_list(), x=data["score"].to_list(), orientation="h",
                boxpoints=False, fillcolor="rgba(0,0,0,0)", line={"color": "#969696", "width": 1}, width=0.7,
                hoverinfo="skip")
    for name, flag, color in (("入选", True, _CHOSEN), ("未入选", False, _NOT_CHOSEN)):
        part = data.filter(pl.col("chosen") == flag)
        fig.add_box(name=name, y=part["track_name"].to_list(), x=part["score"].to_list(), orientation="h",
                    boxpoints="all", jitter=0.6, pointpos=0, fillcolor="rgba(0,0,0,0)",
                    line={"color": "rgba(0,0,0,0)"}, hoveron="points",
                    marker={"color": color, "size": 8, "opacity": 0.85, "line": {"width": 0.5, "color": "white"}},
                    customdata=part.select("app_id", "train_name").rows(),
                    hovertemplate=f"%{{customdata[1]}}<br>编号 %{{customdata[0]}}<br>得分 %{{x:.1f}}（{name}）"
                                  "<extra></extra>")
    if cutoffs is None:
        mins = data.filter(pl.col("chosen")).group_by("track_name").agg(pl.col("score").min())
        marks, mark_name = dict(mins.iter_rows()), "最低入选分"
    else:
        marks, mark_name = dict(cutoffs), "入选分数线"
    shown = [t for t in tracks if marks.get(t) is not None]
    marks_x = [float(marks[t]) for t in shown]
    fig.add_scatter(name=mark_name, y=shown, x=marks_x, mode="markers+text",
                    marker={"symbol": "line-ns-open", "size": 46, "color": _OVER, "line": {"width": 3}},
                    text=[f"{marks[t]:.1f}" for t in shown], textposition="top center",
                    textfont={"color": _OVER, "size": 12},
                    hovertemplate=f"%{{y}}<br>{mark_name} %{{x:.1f}}<extra></extra>")
    fig.update_layout(boxmode="overlay")
    low = max(0.0, math.floor((min(data["score"].min(), *marks_x) - 5) / 10) * 10)
    fig.update_xaxes(title_text="综合得分", range=[low, 102], dtick=10)
    fig.update_yaxes(title_text="", categoryorder="array", categoryarray=tracks[::-1])
    return style(fig, title=title, height=190 + 80 * len(tracks))


_STATUS = (  # (base_chosen, unstable) -> legend name, colour
    ((True, False), "基准方案入选，结果稳定", _CHOSEN),
    ((True, True), "基准方案入选，结果不稳定", "#e6550d"),
    ((False, True), "基准方案未入选，结果不稳定", "#fdae6b"),
    ((False, False), "基准方案未入选，结果稳定", _NOT_CHOSEN),
)


def selection_probability(frame: pl.DataFrame, *, title: str = "扰动检验：各项目入选概率") -> go.Figure:
    """Horizontal bars of each application's probability of selection, one panel per track, sorted.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per (application, track) from the robustness run, with columns

        - ``app_id`` (str), ``train_name`` (str): the bar's label 「名称（编号）」;
        - ``track_name`` (str): the panel (in order of first appearance);
        - ``p_selected`` (float, 0–1): share of perturbed runs that chose it;
        - ``base_chosen`` (bool): chosen by the unperturbed selection;
        - ``unstable`` (bool): flagged as unstable (shown in orange).
    title : str
        The chart title.

    Returns
    -------
    go.Figure
        ``bar`` traces named by status (e.g. 「基准方案入选，结果不稳定」), one set per panel, a dotted line
        at 0.5; the height grows with the number of bars.

    Examples
    --------
    >>> df = pl.DataFrame({"app_id": ["A1", "A2"], "train_name": ["先进光源研修班", "催化研修班"],
    ...                    "track_name": ["专业技术研修班"] * 2, "p_selected": [0.95, 0.4],
    ...                    "base_chosen": [True, False], "unstable": [False, True]})
    >>> fig = selection_probability(df)
    >>> [(t.name, list(t.x)) for t in fig.data]
    [('基准方案入选，结果稳定', [0.95]), ('基准方案未入选，结果不稳定', [0.4])]
    """
    chart = "入选概率"
    _require(frame, ["app_id", "train_name", "track_name", "p_selected", "base_chosen", "unstable"], chart=chart)
    data = _cast(frame, {"p_selected": (pl.Float64, "0 到 1 之间的数字"), "base_chosen": (pl.Boolean, "是/否"),
                         "unstable": (pl.Boolean, "是/否"), "app_id": (pl.String, "文字"),
                         "train_name": (pl.String, "文字")}, chart=chart)
    bad = data.filter(pl.col("p_selected").is_null() | ~pl.col("p_selected").is_between(0, 1))
    if not bad.is_empty():
        row = bad.row(0, named=True)
        raise InputError(f"项目「{row['train_name']}」（{row['app_id']}）的入选概率为「{row['p_selected']}」，"
                         "应为 0 到 1 之间的数字", column="p_selected", value=row["p_selected"])
    data = data.with_columns(pl.col("base_chosen", "unstable").fill_null(False), pl.col("train_name").fill_null(""))
    if data.is_empty():
        return style(_no_data(go.Figure(), "扰动检验"), title=title, height=420)
    tracks = _first_seen(data["track_name"].to_list())
    counts = [data.filter(pl.col("track_name") == t).height for t in tracks]
    per_bar, gap_px = 20, 56
    plot_px = per_bar * sum(counts) + gap_px * (len(tracks) - 1)
    spacing = gap_px / plot_px if len(tracks) > 1 else 0
    fig = make_subplots(rows=len(tracks), cols=1, shared_xaxes=True, subplot_titles=tracks,
                        row_heights=[c / sum(counts) for c in counts], vertical_spacing=spacing)
    shown: set[str] = set()
    for i, track in enumerate(tracks, start=1):
        part = (data.filter(pl.col("track_name") == track)
                .with_columns(pl.format("{}（{}）", pl.col("train_name").map_elements(
                    lambda s: _short(s, 18), return_dtype=pl.String), pl.col("app_id")).alias("_label"))
                .sort(["p_selected", "app_id"], descending=[True, False]))
        for rank, (flags, name, color) in enumerate(_STATUS):
            bars = part.filter((pl.col("base_chosen") == flags[0]) & (pl.col("unstable") == flags[1]))
            if bars.is_empty():
                continue
            fig.add_bar(name=name, legendgroup=name, showlegend=name not in shown, legendrank=rank + 1,
                        orientation="h",
                        x=bars["p_selected"].to_list(), y=bars["_label"].to_list(), marker_color=color,
                        text=[f"{p:.0%}" for p in bars["p_selected"]], textposition="outside",
                        textfont={"size": 11}, cliponaxis=False,
                        customdata=bars.select("train_name", "app_id").rows(),
                        hovertemplate=f"%{{customdata[0]}}<br>编号 %{{customdata[1]}}<br>入选概率 %{{x:.0%}}"
                                      f"<br>{name}<extra>{track}</extra>", row=i, col=1)
            shown.add(name)
        fig.update_yaxes(categoryorder="array", categoryarray=part["_label"].to_list()[::-1],
                         tickfont={"size": 11}, row=i, col=1)
    fig.add_vline(x=0.5, line={"dash": "dot", "color": "#525252", "width": 1.5})
    fig.update_xaxes(range=[0, 1.12], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1], showticklabels=True)
    fig.update_xaxes(title_text="入选概率（扰动运行中入选的比例）", row=len(tracks), col=1)
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig.update_annotations(font_size=14, xanchor="left", x=0)
    style(fig, title=title, height=plot_px + 220)
    # the first panel's title sits on top of the plot area: lift the legend above it
    fig.update_layout(legend_y=1 + 30 / plot_px, margin_t=fig.layout.margin.t + 30)
    return fig


_COVERAGE = (("按时报送", _ON_TIME), ("逾期报送", _LATE), ("未报送", _MISSING))


def unit_coverage(frame: pl.DataFrame, *, title: str = "各分院单位计划报送情况") -> go.Figure:
    """Stacked bars per 所属分院: units that submitted on time, late, or not at all.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per unit of the roster (and any unit that submitted), with columns

        - ``branch`` (str): 所属分院; null → 「院机关/其他」 (shown last; the 12 分院 in the academy's order);
        - ``submitted`` (bool): the unit submitted a plan (null counts as not submitted);
        - ``late`` (bool): submitted after the deadline (null counts as on time);
        - ``unit`` (str, optional): the unit's name, listed on hover for late and missing units.
    title : str
        The chart title.

    Returns
    -------
    go.Figure
        Stacked ``bar`` traces 「按时报送」, 「逾期报送」, 「未报送」; the subtitle counts them.

    Examples
    --------
    >>> df = pl.DataFrame({"branch": ["北京分院", "北京分院", None], "submitted": [True, False, True],
    ...                    "late": [False, False, True]})
    >>> fig = unit_coverage(df)
    >>> [(t.name, list(t.x), list(t.y)) for t in fig.data]
    [('按时报送', ['北京分院'], [1]), ('逾期报送', ['院机关/其他'], [1]), ('未报送', ['北京分院'], [1])]
    """
    chart = "单位报送情况"
    _require(frame, ["branch", "submitted", "late"], chart=chart)
    data = _cast(frame, {"submitted": (pl.Boolean, "是/否"), "late": (pl.Boolean, "是/否"),
                         "branch": (pl.String, "文字")}, chart=chart)
    if "unit" not in data.columns:
        data = data.with_columns(pl.lit(None, pl.String).alias("unit"))
    data = data.with_columns(
        pl.col("branch").fill_null(OTHER_BRANCH),
        pl.when(~pl.col("submitted").fill_null(False)).then(pl.lit("未报送"))
        .when(pl.col("late").fill_null(False)).then(pl.lit("逾期报送"))
        .otherwise(pl.lit("按时报送")).alias("_status"))
    fig = go.Figure()
    if data.is_empty():
        return style(_no_data(fig, "单位"), title=title, height=420)
    order = _branch_order(data["branch"].to_list())
    counts = data.group_by("branch", "_status").agg(pl.len().alias("n"), pl.col("unit").drop_nulls().sort())
    totals = {s: 0 for s, _ in _COVERAGE}
    for status, color in _COVERAGE:
        part = counts.filter(pl.col("_status") == status)
        rows = {r["branch"]: r for r in part.iter_rows(named=True)}
        xs = [b for b in order if b in rows]
        if not xs:
            continue
        ns = [rows[b]["n"] for b in xs]
        totals[status] = sum(ns)
        names = ["" if status == "按时报送" else _unit_list(rows[b]["unit"]) for b in xs]
        fig.add_bar(name=status, x=xs, y=ns, marker_color=color, text=ns, textposition="inside",
                    insidetextanchor="middle", textangle=0, customdata=[[n] for n in names],
                    hovertemplate=f"%{{x}}<br>{status} %{{y}} 个单位%{{customdata[0]}}<extra></extra>")
    n_units = sum(totals.values())
    subtitle = (f"共 {n_units} 个单位：按时报送 {totals['按时报送']}，逾期报送 {totals['逾期报送']}，"
                f"未报送 {totals['未报送']}")
    fig.update_layout(barmode="stack", bargap=0.3, uniformtext={"minsize": 10, "mode": "hide"})
    fig.update_xaxes(title_text="所属分院", categoryorder="array", categoryarray=order,
                     tickangle=-30 if len(order) > 10 else 0)
    fig.update_yaxes(title_text="单位数", dtick=5 if counts["n"].max() > 20 else None)
    return style(fig, title=title, subtitle=subtitle, height=460)


def _unit_list(units: Sequence[str], limit: int = 12) -> str:
    """Hover text listing unit names, a few per line."""
    if not units:
        return ""
    shown = list(units[:limit])
    lines = ["、".join(shown[i:i + 3]) for i in range(0, len(shown), 3)]
    more = f"<br>……等 {len(units)} 个" if len(units) > limit else ""
    return "<br>" + "<br>".join(lines) + more


def ineligibility_pareto(frame: pl.DataFrame, *, labels: Mapping[str, str] | None = None,
                         title: str = "不符合条件的原因（帕累托图）") -> go.Figure:
    """Pareto chart of ineligibility reasons: bars sorted descending, cumulative share on the right axis.

    Parameters
    ----------
    frame : pl.DataFrame
        Columns

        - ``code`` (str): the reason code, e.g. ``J2-ATTACH``;
        - ``count`` (int, optional): occurrences; when absent every row counts once.
        Rows with the same code are added up.
    labels : mapping of str to str, or None
        The Chinese meaning of each code (code → text), shown on hover (e.g.
        :data:`casplan.eligibility.REASONS`).
    title : str
        The chart title.

    Returns
    -------
    go.Figure
        A ``bar`` trace 「不符合项数」 (left axis) and a ``scatter`` trace 「累计占比」 on the right axis
        (``yaxis="y2"``) that ends at 100; a dotted 80% line.

    Examples
    --------
    >>> df = pl.DataFrame({"code": ["J2-ATTACH", "Y1-DAYS", "J2-ATTACH", "J2-ATTACH"]})
    >>> fig = ineligibility_pareto(df, labels={"J2-ATTACH": "精品项目附件不全"})
    >>> list(fig.data[0].x), list(fig.data[0].y), list(fig.data[1].y)
    (['J2-ATTACH', 'Y1-DAYS'], [3, 1], [75.0, 100.0])
    """
    chart = "不符合原因帕累托图"
    _require(frame, ["code"], chart=chart)
    labels = dict(labels or {})
    data = _cast(frame, {"code": (pl.String, "文字（原因代码）"), "count": (pl.Int64, "整数")}, chart=chart)
    data = data.filter(pl.col("code").is_not_null())
    counted = pl.col("count").fill_null(0).sum() if "count" in data.columns else pl.len()
    data = (data.group_by("code").agg(counted.cast(pl.Int64).alias("n")).filter(pl.col("n") > 0)
            .sort(["n", "code"], descending=[True, False]))
    fig = go.Figure()
    if data.is_empty():
        return style(_no_data(fig, "不符合原因"), title=title, height=420)
    codes, ns = data["code"].to_list(), data["n"].to_list()
    total = sum(ns)
    cumulative, running = [], 0
    for n in ns:
        running += n
        cumulative.append(round(100 * running / total, 1))
    meanings = [[labels.get(c, "（无说明）"), f"{100 * n / total:.1f}"] for c, n in zip(codes, ns, strict=True)]
    fig.add_bar(name="不符合项数", x=codes, y=ns, marker_color=_CHOSEN, text=ns, textposition="outside",
                cliponaxis=False, customdata=meanings,
                hovertemplate="%{x}：%{customdata[0]}<br>%{y} 项，占 %{customdata[1]}%<extra></extra>")
    fig.add_scatter(name="累计占比", x=codes, y=cumulative, yaxis="y2", mode="lines+markers",
                    line={"color": _UPPER, "width": 2}, marker={"size": 7}, customdata=[[m[0]] for m in meanings],
                    hovertemplate="至 %{x}（%{customdata[0]}）<br>累计占 %{y:.1f}%<extra></extra>")
    fig.add_shape(type="line", xref="paper", x0=0, x1=1, yref="y2", y0=80, y1=80,
                  line={"dash": "dot", "color": "#969696", "width": 1})
    fig.update_layout(
        bargap=0.3,
        xaxis={"title": {"text": "不符合原因（代码；悬停查看说明）"}, "tickangle": -35 if len(codes) > 8 else 0},
        yaxis={"title": {"text": "不符合项数"}, "range": [0, max(ns) * 1.15], "rangemode": "tozero"},
        yaxis2={"title": {"text": "累计占比"}, "overlaying": "y", "side": "right", "range": [0, 105],
                "tickvals": [0, 20, 40, 60, 80, 100], "ticktext": ["0", "20%", "40%", "60%", "80%", "100%"],
                "showgrid": False},
    )
    return style(fig, title=title, subtitle=f"共 {total} 项不符合，{len(codes)} 种原因", height=480)


# --- static export -------------------------------------------------------------------------

_SERVER_LOCK = threading.Lock()
_server_started = False


def _start_kaleido() -> None:
    """Start kaleido's sync server once per process (offline: no MathJax from a CDN), stopped at exit."""
    global _server_started
    import kaleido

    with _SERVER_LOCK:
        if _server_started or not hasattr(kaleido, "start_sync_server"):
            return
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        # Registered after kaleido's own temp directories, so it runs first at exit and Chromium
        # is closed before Python cleans the directories up (else ResourceWarnings at exit).
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _server_started = True


def save_png(fig: go.Figure, path: str | os.PathLike[str], *, width: int = 1000, height: int | None = None,
             scale: float = 1) -> Path:
    """Write the figure as a PNG with kaleido (headless Chromium), atomically.

    Parameters
    ----------
    fig : go.Figure
        The figure.
    path : str or os.PathLike
        The PNG to write; its folder is created when missing; an existing file is replaced only
        once the new one is complete.
    width : int
        Width in layout pixels.
    height : int or None
        Height in layout pixels; ``None`` takes the figure's own height (else 500).
    scale : float
        Pixel ratio (2 for sharper images).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ReportError
        When the image cannot be made (no Chromium, kaleido missing or failing).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save_png(style(go.Figure(go.Bar(x=["北京分院"], y=[3])), title="示例"), Path(tmp) / "a.png")
    ...     out.read_bytes()[:4]
    b'\\x89PNG'
    """
    path = Path(path)
    try:
        import kaleido
    except ImportError as err:
        raise ReportError("无法导出图片：未安装 kaleido（pip install 'kaleido>=1'）") from err
    height = height or fig.layout.height or 500
    try:
        _start_kaleido()
        data = kaleido.calc_fig_sync(fig.to_dict(), opts={"format": "png", "width": width, "height": height,
                                                          "scale": scale})
    except Exception as err:  # kaleido/choreographer raise many types; the analyst needs one message
        if type(err).__name__ == "ChromeNotFoundError":
            raise ReportError("无法导出图片：未找到 Chromium 浏览器（Debian：apt-get install chromium；"
                              "或设置环境变量 BROWSER_PATH）") from err
        raise ReportError(f"无法导出图片「{path.name}」：{err}") from err
    from casplan.io import write_atomic

    return write_atomic(path, data)
