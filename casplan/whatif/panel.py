"""The what-if's controls (ipywidgets): every change re-solves through :class:`casplan.whatif.WhatIf`.

Only presentation lives here: the engine, the scenario and the diff are in
:mod:`casplan.whatif`. Elements carry stable CSS classes (``casplan-…``) and
``data-track`` attributes so the browser test can find them.
"""

from __future__ import annotations

import html
import time
from dataclasses import replace

import polars as pl

from casplan.views.charts import quota_fill
from casplan.scoring import CRITERION_LABELS
from casplan.whatif import Outcome, Scenario, WhatIf, soft_rules

__all__ = ["WhatIfPanel", "fill_frame", "shortlist_frame", "diff_frame", "slider_range"]


def fill_frame(outcome: Outcome, policy) -> pl.DataFrame:
    """Per track: eligible pool, chosen, quota target and upper bound (the quota-fill chart's input)."""
    from casplan.views.tables import fill_for

    return fill_for(outcome.selection, outcome.scenario.quotas)


def shortlist_frame(outcome: Outcome) -> pl.DataFrame:
    """The chosen applications, by track and rank, with Chinese headers."""
    c = outcome.selection.chosen
    cols = [pl.col("track_name").alias("类别"), pl.col("rank_in_track").alias("排名"), pl.col("app_id").alias("申报编号")]
    if "unit" in c.columns:
        cols.append(pl.col("unit").alias("单位"))
    cols += [pl.col("train_name").alias("培训名称"), pl.col("score").alias("得分"), pl.col("cost").alias("经费(万元)")]
    return c.sort("track_name", "rank_in_track").select(cols)


def diff_frame(changes: pl.DataFrame, track_names: dict[str, str]) -> pl.DataFrame:
    return changes.select(pl.col("change").alias("变化"),
                          pl.col("track").replace_strict(track_names, default=pl.col("track")).alias("类别"),
                          pl.col("app_id").alias("申报编号"), pl.col("train_name").alias("培训名称"),
                          pl.col("why").alias("现在的原因"))


def _table(frame: pl.DataFrame, *, css: str, empty: str) -> str:
    if frame.height == 0:
        return f'<div class="{css}"><p>{html.escape(empty)}</p></div>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for r in frame.iter_rows():
        rows.append("<tr>" + "".join(f"<td>{'' if v is None else html.escape(str(v))}</td>" for v in r) + "</tr>")
    return (f'<div class="{css}" style="max-height:420px;overflow:auto"><table class="casplan-table">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def slider_range(track) -> tuple[int, int]:
    """The quota slider's range, from the policy: ``ceiling`` 0 … quota + tolerance (fewer is allowed,
    more than 左右 is not); ``band`` quota ± tolerance. Outside :attr:`Track.quota_about` is flagged."""
    low, high = track.quota_about
    return (low if track.quota_mode == "band" else 0), high


class WhatIfPanel:
    """Sliders for quotas, weights and the budget, switches for U1/U2, forced ids, scenario files."""

    def __init__(self, whatif: WhatIf) -> None:
        import ipywidgets as w

        self.whatif = whatif
        self.policy = policy = whatif.policy
        self.scenario = whatif.baseline.scenario
        self.outcome = whatif.baseline
        self.last_ms = 0.0
        self.revision = 0
        style = {"description_width": "11em"}
        self.quota = {}
        for t in policy.tracks:
            low, high = slider_range(t)
            s = w.IntSlider(value=t.quota, min=low, max=high, step=1,
                            description=f"{t.name}名额", continuous_update=False, style=style,
                            layout=w.Layout(width="34em"))
            s.add_class("casplan-quota")
            s.add_class(f"casplan-quota-{t.id}")
            s.observe(self._changed, names="value")
            self.quota[t.id] = s
        self.track_pick = w.Dropdown(options=[(t.name, t.id) for t in policy.tracks], description="调整权重的类别",
                                     style=style)
        self.track_pick.observe(self._show_weights, names="value")
        self.weight = {}
        for c in policy.scoring.weights_for(policy.tracks[0].id):
            s = w.FloatSlider(value=0, min=0, max=100, step=1, description=CRITERION_LABELS.get(c, c),
                              continuous_update=False, style=style, layout=w.Layout(width="34em"), readout_format=".0f")
            s.observe(self._weight_changed, names="value")
            self.weight[c] = s
        self.weight_note = w.HTML()
        total = policy.budget_total or 1000.0
        self.budget = w.FloatSlider(value=total, min=0, max=total * 2, step=10, description="经费总额（万元）",
                                    continuous_update=False, style=style, layout=w.Layout(width="34em"),
                                    readout_format=".0f")
        self.budget.observe(self._changed, names="value")
        self.rules = {}
        for r, label in soft_rules(policy).items():
            cb = w.Checkbox(value=policy.rules[r].enabled, description=f"{r}：{label}", indent=False,
                            layout=w.Layout(width="40em"))
            cb.observe(self._changed, names="value")
            self.rules[r] = cb
        self.forced_in = w.Text(description="强制入选（编号，逗号分隔）", style=style, layout=w.Layout(width="40em"),
                                continuous_update=False)
        self.forced_out = w.Text(description="强制不入选（编号，逗号分隔）", style=style, layout=w.Layout(width="40em"),
                                 continuous_update=False)
        for t in (self.forced_in, self.forced_out):
            t.observe(self._changed, names="value")
        self.path = w.Text(value="scenario.yaml", description="情景文件", style=style, layout=w.Layout(width="34em"))
        self.save_button = w.Button(description="保存情景", icon="save")
        self.load_button = w.Button(description="载入情景", icon="folder-open")
        self.reset_button = w.Button(description="恢复基线", icon="undo")
        self.save_button.on_click(lambda _: self.save())
        self.load_button.on_click(lambda _: self.load())
        self.reset_button.on_click(lambda _: self.reset())
        self.status = w.HTML()
        self.status.add_class("casplan-status")
        self.fill = w.HTML()
        self.fill.add_class("casplan-fill")
        import plotly.graph_objects as go

        self.chart = go.FigureWidget(quota_fill(self._fill_input(fill_frame(self.outcome, policy))))
        self.shortlist = w.HTML()
        self.changes = w.HTML()
        self._show_weights()
        tabs = w.Tab(children=[
            w.VBox(list(self.quota.values())),
            w.VBox([self.track_pick, *self.weight.values(), self.weight_note]),
            w.VBox([self.budget, *self.rules.values()]),
            w.VBox([self.forced_in, self.forced_out]),
            w.VBox([self.path, w.HBox([self.save_button, self.load_button, self.reset_button])]),
        ])
        for i, title in enumerate(("名额", "评分权重", "经费与规则", "人工决定", "情景文件")):
            tabs.set_title(i, title)
        self.widget = w.VBox([tabs, self.status, self.fill, self.chart,
                              w.HTML("<h3>与基线相比：入选与落选</h3>"), self.changes,
                              w.HTML("<h3>入选名单</h3>"), self.shortlist])
        self.widget.add_class("casplan-whatif")
        self._render()

    # --- events -------------------------------------------------------------------------------

    def _show_weights(self, *_: object) -> None:
        track = self.track_pick.value
        weights = self.scenario.weights[track]
        self._muted = True
        for c, s in self.weight.items():
            s.value = float(weights.get(c, 0))
        self._muted = False
        self._note_weights()

    def _note_weights(self) -> None:
        weights = self.scenario.weights[self.track_pick.value]
        total = sum(weights.values()) or 1.0
        parts = "；".join(f"{CRITERION_LABELS.get(c, c)} {100 * v / total:.0f}%" for c, v in weights.items() if v)
        self.weight_note.value = f"<small>归一化后：{html.escape(parts)}</small>"

    def _weight_changed(self, *_: object) -> None:
        if getattr(self, "_muted", False):
            return
        track = self.track_pick.value
        weights = {**self.scenario.weights, track: {c: float(s.value) for c, s in self.weight.items()}}
        self.scenario = replace(self.scenario, name="调整中的情景", weights=weights)
        self._note_weights()
        self._solve()

    def _changed(self, *_: object) -> None:
        if getattr(self, "_muted", False):
            return
        ids = lambda text: tuple(x.strip() for x in text.replace("，", ",").split(",") if x.strip())  # noqa: E731
        self.scenario = replace(
            self.scenario, name="调整中的情景", quotas={t: s.value for t, s in self.quota.items()},
            budget_total=float(self.budget.value), rules={r: cb.value for r, cb in self.rules.items()},
            forced_in=ids(self.forced_in.value), forced_out=ids(self.forced_out.value))
        self._solve()

    def _solve(self) -> None:
        started = time.perf_counter()
        self.outcome = self.whatif.evaluate(self.scenario, hint=self.outcome.selection)
        self._render()
        self.last_ms = (time.perf_counter() - started) * 1000

    # --- output -------------------------------------------------------------------------------

    def _render(self) -> None:
        o = self.outcome
        sel = o.selection
        fill = fill_frame(o, self.policy)
        cells = "".join(
            f'<tr data-track="{r["track"]}"><td>{html.escape(r["track_name"])}</td>'
            f'<td class="chosen" data-track="{r["track"]}">{r["chosen"]}</td><td>{r["quota"]}</td>'
            f'<td>{r["eligible"]}</td></tr>' for r in fill.iter_rows(named=True))
        self.fill.value = ("<table class='casplan-table'><thead><tr><th>类别</th><th>入选</th><th>名额</th>"
                           f"<th>具备资格</th></tr></thead><tbody>{cells}</tbody></table>")
        new = quota_fill(self._fill_input(fill))
        with self.chart.batch_update():  # in place: no output area to clear, nothing re-created
            for old, fresh in zip(self.chart.data, new.data):
                for key in ("x", "y", "text", "customdata"):
                    if fresh[key] is not None and tuple(old[key] or ()) != tuple(fresh[key]):
                        old[key] = fresh[key]
                if tuple(old.marker.color or ()) != tuple(fresh.marker.color or ()):
                    old.marker.color = fresh.marker.color
            if tuple(self.chart.layout.yaxis.range or ()) != tuple(new.layout.yaxis.range or ()):
                self.chart.layout.yaxis.range = new.layout.yaxis.range
        self.shortlist.value = _table(shortlist_frame(o), css="casplan-shortlist", empty="没有入选项目")
        changes = diff_frame(self.whatif.diff(o), self.policy.track_names)
        self.changes.value = _table(changes, css="casplan-diff", empty="与基线相同")
        # the status goes last and carries a revision number: when it changes, everything above is new
        self.revision += 1
        budget = "不设上限" if o.scenario.budget_total is None else f"{o.scenario.budget_total:g} 万元"
        clash = "".join(f"<li>{html.escape(c.message)}</li>" for c in sel.clashes)
        self.status.value = (
            f"<p data-revision='{self.revision}'><b>{html.escape(o.scenario.name)}</b>：{html.escape(sel.status_text)}；"
            f"总分 {sel.objective or 0:.2f}；经费已安排 {sel.budget_spent or 0:.1f} 万元 / {budget}；"
            f"求解 {o.elapsed_ms:.0f} 毫秒</p>"
            + "".join(f"<p class='casplan-quota-note'>提示：{html.escape(n)}</p>"
                      for n in self.policy.quota_warnings(dict(o.scenario.quotas)))
            + (f"<ul class='casplan-clashes'>{clash}</ul>" if clash else ""))

    @staticmethod
    def _fill_input(fill: pl.DataFrame) -> pl.DataFrame:
        return fill.select("track_name", "eligible", "chosen", "quota", "quota_max")

    # --- scenario files -----------------------------------------------------------------------

    def save(self) -> None:
        path = self.path.value
        self.scenario.save(path)
        self.status.value += f"<p>已保存情景到 {html.escape(path)}</p>"

    def load(self) -> None:
        from casplan.errors import CasplanError

        try:
            scenario = Scenario.load(self.path.value, policy=self.policy)
        except CasplanError as exc:
            self.status.value += f"<p style='color:#b00'>{html.escape(str(exc))}</p>"
            return
        self.apply(scenario)

    def reset(self) -> None:
        self.apply(self.whatif.baseline.scenario)

    def apply(self, scenario: Scenario) -> None:
        """Set every control from a scenario, then solve once."""
        self._muted = True
        for t, s in self.quota.items():
            value = scenario.quotas[t]
            s.min, s.max = min(s.min, value), max(s.max, value)   # a saved scenario may go beyond 左右
            s.value = value
        if scenario.budget_total is not None:
            self.budget.value = scenario.budget_total
        for r, cb in self.rules.items():
            cb.value = scenario.rules.get(r, True)
        self.forced_in.value = ", ".join(scenario.forced_in)
        self.forced_out.value = ", ".join(scenario.forced_out)
        self.scenario = scenario
        self._muted = False
        self._show_weights()
        self._solve()
