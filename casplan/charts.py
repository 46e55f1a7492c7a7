"""Charts: ``(frame, *, …) -> plotly Figure``. They never show; they return.

Every figure carries the Chinese font (fontconfig would otherwise pick the
Japanese variant) and renders offline.
"""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

__all__ = ["FONT", "style", "plans_by_branch", "setup_notebook"]

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"


def setup_notebook() -> None:
    """Offline rendering for papermill/nbconvert HTML that still draws in JupyterLab (TOOLING.md)."""
    import plotly.io as pio

    pio.renderers.default = "plotly_mimetype+notebook"


def style(fig: go.Figure, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """The house look: Chinese font, white background, title, legend above."""
    fig.update_layout(font_family=FONT, template="plotly_white", title=title or fig.layout.title.text,
                      legend={"orientation": "h", "y": -0.2}, margin={"t": 60, "l": 10, "r": 10})
    if height:
        fig.update_layout(height=height)
    return fig


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
