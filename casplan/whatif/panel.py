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

from casplan.scoring import CRITERION_LABELS
from casplan.whatif import Outcome, Scenario, WhatIf, setting_changes, soft_rules
from casplan.whatif.engine import settle_memory

__all__ = ["WhatIfPanel", "fill_frame", "fill_bars", "shortlist_frame", "diff_frame", "slider_range", "CSS", "ENV_PARAMS", "ENV_CWD",
           "ENV_REPORTS", "ENV_SCENARIO"]


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
    """The diff with Chinese headers: change, track, id, unit, name and the reason (knock-ons named)."""
    unit = pl.col("unit") if "unit" in changes.columns else pl.lit(None, dtype=pl.String)
    return changes.select(pl.col("change").alias("变化"),
                          pl.col("track").replace_strict(track_names, default=pl.col("track")).alias("类别"),
                          pl.col("app_id").alias("申报编号"), unit.alias("单位"), pl.col("train_name").alias("培训名称"),
                          pl.col("why").alias("原因"))


_SHORT = {"变化", "类别", "排名", "申报编号", "得分", "经费(万元)"}  # never wrapped, one character a line

CSS = """
<style>
.casplan-whatif { font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; max-width: 1500px; }
.casplan-whatif .widget-label { min-width: 0; }
.casplan-table { border-collapse: collapse; font-size: 13px; }
.casplan-table th, .casplan-table td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left;
  vertical-align: top; }
.casplan-table th { background: #f3f5f7; position: sticky; top: 0; }
.casplan-table td.short, .casplan-table th.short { white-space: nowrap; }
.casplan-settings { background: #fff8e1; border-left: 4px solid #f0a500; padding: 4px 10px; }
.casplan-settings.same { background: #eef7ee; border-left-color: #3a9a3a; }
.casplan-field-error { color: #b00020; font-weight: bold; }
.casplan-report-status code { font-size: 13px; }
.casplan-bars { max-width: 1100px; margin: 6px 0 10px; }
.casplan-bars h4 { margin: 4px 0; }
.casplan-bar-row { display: flex; align-items: center; gap: 10px; margin: 3px 0; font-size: 13px; }
.casplan-bar-label { width: 11em; text-align: right; white-space: nowrap; }
.casplan-bar { position: relative; flex: 0 0 520px; height: 18px; background: #fafafa; }
.casplan-bar .pool { position: absolute; top: 0; bottom: 0; left: 0; background: #c6dbef; }
.casplan-bar .chosen { position: absolute; top: 3px; bottom: 3px; left: 0; background: #2171b5; }
.casplan-bar .mark { position: absolute; top: -3px; bottom: -3px; width: 2px; }
.casplan-bar .mark.quota, .casplan-legend .sw.quota { background: #111; }
.casplan-bar .mark.upper, .casplan-legend .sw.upper { background: #e6550d; }
.casplan-bar-text { white-space: nowrap; color: #333; }
.casplan-legend { font-size: 12px; margin-bottom: 4px; }
.casplan-legend .sw { display: inline-block; width: 14px; height: 10px; margin: 0 4px 0 12px; }
.casplan-legend .sw.pool { background: #c6dbef; } .casplan-legend .sw.chosen { background: #2171b5; }
</style>
"""


def _table(frame: pl.DataFrame, *, css: str, empty: str) -> str:
    if frame.height == 0:
        return f'<div class="{css}"><p>{html.escape(empty)}</p></div>'
    short = [c in _SHORT for c in frame.columns]
    head = "".join(f"<th{' class=short' if k else ''}>{html.escape(str(c))}</th>" for c, k in zip(frame.columns, short))
    rows = []
    for r in frame.iter_rows():
        rows.append("<tr>" + "".join(f"<td{' class=short' if k else ''}>{'' if v is None else html.escape(str(v))}</td>"
                                     for v, k in zip(r, short)) + "</tr>")
    return (f'<div class="{css}" style="max-height:460px;overflow:auto"><table class="casplan-table">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _ids(text: str) -> tuple[str, ...]:
    """The ids typed in a field: commas (either width), 、, semicolons or spaces separate them."""
    for sep in ("，", "、", ";", "；", " ", "\n"):
        text = text.replace(sep, ",")
    return tuple(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))


def fill_bars(fill: pl.DataFrame) -> str:
    """The quota fill as HTML bars (the panel's chart): per track the eligible pool (light), the chosen
    (strong), the quota (a black mark) and its upper bound (an orange mark), on one scale.

    >>> html_ = fill_bars(pl.DataFrame({"track": ["a"], "track_name": ["甲类"], "eligible": [40], "chosen": [8],
    ...                                  "quota": [10], "quota_max": [12]}))
    >>> "入选 8 / 名额 10" in html_
    True
    """
    top = max([1, *fill["eligible"].to_list(), *fill["quota_max"].to_list()])
    pct = lambda v: f"{100 * v / top:.2f}%"  # noqa: E731
    rows = []
    for r in fill.iter_rows(named=True):
        rows.append(
            f'<div class="casplan-bar-row" data-track="{html.escape(r["track"])}">'
            f'<div class="casplan-bar-label">{html.escape(r["track_name"])}</div><div class="casplan-bar">'
            f'<div class="pool" style="width:{pct(r["eligible"])}"></div>'
            f'<div class="chosen" style="width:{pct(r["chosen"])}"></div>'
            f'<div class="mark quota" style="left:{pct(r["quota"])}"></div>'
            f'<div class="mark upper" style="left:{pct(r["quota_max"])}"></div></div>'
            f'<div class="casplan-bar-text">入选 {r["chosen"]} / 名额 {r["quota"]}（上限 {r["quota_max"]}，'
            f'具备资格 {r["eligible"]}）</div></div>')
    legend = ('<div class="casplan-legend"><span class="sw pool"></span>具备资格<span class="sw chosen"></span>入选'
              '<span class="sw quota"></span>名额<span class="sw upper"></span>名额上限</div>')
    return f'<div class="casplan-bars"><h4>各遴选类别名额完成情况</h4>{legend}{"".join(rows)}</div>'


def slider_range(track) -> tuple[int, int]:
    """The quota slider's range, from the policy: ``ceiling`` 0 … quota + tolerance (fewer is allowed,
    more than 左右 is not); ``band`` quota ± tolerance. Outside :attr:`Track.quota_about` is flagged."""
    low, high = track.quota_about
    return (low if track.quota_mode == "band" else 0), high


class WhatIfPanel:
    """Sliders for quotas, weights and the budget, switches for U1/U2 and the calibration, forced ids,
    scenario files and the report of a scenario.

    ``params`` is the parameters file the what-if was read from (the report of a scenario reads the
    same); ``reports`` the folder the reports go to; ``scenarios`` where scenarios are saved.
    """

    def __init__(self, whatif: WhatIf, *, params: str | None = None, reports: str = "reports",
                 scenarios: str = "情景") -> None:
        import ipywidgets as w

        self.whatif = whatif
        self.policy = policy = whatif.policy
        self.params = params
        self.reports = reports
        self.scenario = whatif.baseline.scenario
        self.outcome = whatif.baseline
        self.last_ms = 0.0
        self.revision = 0
        self._report_job = None
        style = {"description_width": "initial"}
        wide = w.Layout(width="44em")
        self.quota = {}
        for t in policy.tracks:
            low, high = slider_range(t)
            s = w.IntSlider(value=t.quota, min=low, max=high, step=1,
                            description=f"{t.name}名额", continuous_update=False, style=style, layout=wide)
            s.add_class("casplan-quota")
            s.add_class(f"casplan-quota-{t.id}")
            s.observe(self._changed, names="value")
            self.quota[t.id] = s
        self.track_pick = w.Dropdown(options=[(t.name, t.id) for t in policy.tracks], description="调整权重的类别",
                                     style=style, layout=wide)
        self.track_pick.observe(self._show_weights, names="value")
        self.weight = {}
        for c in policy.scoring.weights_for(policy.tracks[0].id):
            s = w.FloatSlider(value=0, min=0, max=100, step=1, description=CRITERION_LABELS.get(c, c),
                              continuous_update=False, style=style, layout=wide, readout_format=".0f")
            s.observe(self._weight_changed, names="value")
            self.weight[c] = s
        self.weight_note = w.HTML()
        total = policy.budget_total or 1000.0
        self.budget = w.FloatSlider(value=total, min=0, max=total * 2, step=10, description="经费总额（万元）",
                                    continuous_update=False, style=style, layout=wide, readout_format=".0f")
        self.budget.add_class("casplan-budget")
        self.budget.observe(self._changed, names="value")
        self.rules = {}
        for r, label in soft_rules(policy).items():
            cb = w.Checkbox(value=policy.rules[r].enabled, description=f"{r}：{label}", indent=False,
                            layout=w.Layout(width="60em"))
            cb.add_class(f"casplan-rule-{r}")
            cb.observe(self._changed, names="value")
            self.rules[r] = cb
        from casplan.policy import CALIBRATIONS

        self.calibration = w.Dropdown(options=[(label, key) for key, label in CALIBRATIONS.items()],
                                      value=self.scenario.calibration, description="专家评审分校准", style=style,
                                      layout=wide)
        self.calibration.add_class("casplan-calibration")
        self.calibration.observe(self._changed, names="value")
        self.forced_in = w.Text(description="强制入选的申报编号", placeholder="如 P2300021, P2300022",
                                style=style, layout=wide, continuous_update=False)
        self.forced_out = w.Text(description="强制不入选的申报编号", placeholder="如 P2300021",
                                 style=style, layout=wide, continuous_update=False)
        self.forced_in.add_class("casplan-forced-in")
        self.forced_out.add_class("casplan-forced-out")
        self.forced_in_error, self.forced_out_error = w.HTML(), w.HTML()
        self.forced_in_error.add_class("casplan-forced-in-error")
        self.forced_out_error.add_class("casplan-forced-out-error")
        for t in (self.forced_in, self.forced_out):
            t.observe(self._changed, names="value")
        stamp = time.strftime("%Y%m%d-%H%M")
        self.path = w.Text(value=f"{scenarios}/情景-{stamp}.yaml", description="情景文件", style=style, layout=wide)
        self.path.add_class("casplan-path")
        self.path_error = w.HTML()
        self.save_button = w.Button(description="保存情景", layout=w.Layout(width="auto"))
        self.load_button = w.Button(description="载入情景", layout=w.Layout(width="auto"))
        self.report_button = w.Button(description="保存情景并生成报告", button_style="primary",
                                      layout=w.Layout(width="auto"))
        self.report_button.add_class("casplan-report-button")
        self.report_button.disabled = params is None
        self.report_status = w.HTML("" if params else "<p>未给出参数文件：不能在此生成报告</p>")
        self.report_status.add_class("casplan-report-status")
        self.save_button.on_click(lambda _: self.save())
        self.load_button.on_click(lambda _: self.load())
        self.report_button.on_click(lambda _: self.report())
        self.reset_button = w.Button(description="恢复基线", layout=w.Layout(width="auto"))
        self.reset_button.add_class("casplan-reset")
        self.reset_button.on_click(lambda _: self.reset())
        self.settings = w.HTML()
        self.settings.add_class("casplan-settings-line")
        self.status = w.HTML()
        self.status.add_class("casplan-status")
        self.fill = w.HTML()
        self.fill.add_class("casplan-fill")
        self.chart = w.HTML()  # bars in HTML: no plotly.js to load, drawn with the page's own fonts
        self.chart.add_class("casplan-chart")
        self.shortlist = w.HTML()
        self.changes = w.HTML()
        self._show_weights()
        tabs = w.Tab(children=[
            w.VBox(list(self.quota.values())),
            w.VBox([self.track_pick, *self.weight.values(), self.weight_note]),
            w.VBox([self.budget, *self.rules.values(),
                    *([self.calibration] if whatif.has_reviews else [])]),
            w.VBox([self.forced_in, self.forced_in_error, self.forced_out, self.forced_out_error]),
            w.VBox([self.path, self.path_error,
                    w.HBox([self.save_button, self.load_button, self.report_button]), self.report_status]),
        ])
        for i, title in enumerate(("名额", "评分权重", "经费与规则", "人工决定", "情景与报告")):
            tabs.set_title(i, title)
        tabs.add_class("casplan-tabs")
        self.widget = w.VBox([w.HTML(CSS + "<h2>情景推演：名额、权重、经费与规则</h2>"), tabs,
                              w.HBox([self.settings, self.reset_button]), self.status, w.HBox([self.fill, self.chart]),
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
        if sum(weights[track].values()) <= 0:
            self.weight_note.value = "<small class='casplan-field-error'>权重之和须大于 0：本次调整未采用</small>"
            return
        self.scenario = replace(self.scenario, name="调整中的情景", weights=weights)
        self._note_weights()
        self._solve()

    def _forced_ok(self, field, error, ids: tuple[str, ...]) -> bool:
        """Check typed ids at their field: an unknown id is a Chinese message under it, and no re-solve."""
        from casplan.errors import InputError

        try:
            self.whatif.check_ids(ids)
        except InputError as exc:
            error.value = f"<p class='casplan-field-error'>{html.escape(str(exc))}；本次修改未采用</p>"
            return False
        error.value = ""
        return True

    def _changed(self, *_: object) -> None:
        if getattr(self, "_muted", False):
            return
        forced_in, forced_out = _ids(self.forced_in.value), _ids(self.forced_out.value)
        ok_in = self._forced_ok(self.forced_in, self.forced_in_error, forced_in)
        ok_out = self._forced_ok(self.forced_out, self.forced_out_error, forced_out)
        if not (ok_in and ok_out):
            self._bump()
            return
        self.scenario = replace(
            self.scenario, name="调整中的情景", quotas={t: s.value for t, s in self.quota.items()},
            budget_total=float(self.budget.value), rules={r: cb.value for r, cb in self.rules.items()},
            forced_in=forced_in, forced_out=forced_out, calibration=self.calibration.value)
        self._solve()

    def _solve(self) -> None:
        started = time.perf_counter()
        self.outcome = self.whatif.evaluate(self.scenario, hint=self.outcome.selection, full=False)
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
        self.chart.value = fill_bars(fill)
        self.shortlist.value = _table(shortlist_frame(o), css="casplan-shortlist", empty="没有入选项目")
        changes = diff_frame(self.whatif.diff(o), self.policy.track_names)
        self.changes.value = _table(changes, css="casplan-diff", empty="与基线相同")
        differs = setting_changes(o.scenario, self.whatif.baseline.scenario, self.policy)
        self.settings.value = (
            f"<p class='casplan-settings'>与基线不同的设置：{html.escape('；'.join(differs))}</p>" if differs else
            "<p class='casplan-settings same'>当前为基线：政策文件与参数文件的全部设置</p>")
        self.reset_button.disabled = not differs
        budget = "不设上限" if o.scenario.budget_total is None else f"{o.scenario.budget_total:g} 万元"
        clash = "".join(f"<li>{html.escape(c.message)}</li>" for c in sel.clashes)
        self._status = (
            f"<b>{html.escape(o.scenario.name)}</b>：{html.escape(sel.status_text)}；"
            f"总分 {sel.objective or 0:.2f}；经费已安排 {sel.budget_spent or 0:.1f} 万元 / {budget}；"
            f"求解 {o.elapsed_ms:.0f} 毫秒</p>"
            + "".join(f"<p class='casplan-quota-note'>提示：{html.escape(n)}</p>"
                      for n in self.policy.quota_warnings(dict(o.scenario.quotas)))
            + (f"<ul class='casplan-clashes'>{clash}</ul>" if clash else ""))
        self._bump()

    def _bump(self, extra: str = "") -> None:
        """The status goes last and carries a revision number: when it changes, everything above is new."""
        self.revision += 1
        self.status.value = f"<p data-revision='{self.revision}'>{self._status}{extra}"

    # --- scenario files and the report --------------------------------------------------------

    def save(self) -> str | None:
        """Save the scenario to the path field; a message under the field says where (or why not)."""
        from casplan.errors import CasplanError

        path = self.path.value.strip()
        if not path.endswith((".yaml", ".yml")):
            self.path_error.value = "<p class='casplan-field-error'>情景文件名应以 .yaml 结尾</p>"
            return None
        try:
            written = self.scenario.save(path)
        except (CasplanError, OSError) as exc:
            self.path_error.value = f"<p class='casplan-field-error'>未能保存情景：{html.escape(str(exc))}</p>"
            return None
        self.path_error.value = f"<p>已保存情景到 <code>{html.escape(str(written))}</code></p>"
        return str(written)

    def load(self) -> None:
        from casplan.errors import CasplanError

        try:
            scenario = Scenario.load(self.path.value.strip(), policy=self.policy)
            self.whatif.check_ids(scenario.forced_in + scenario.forced_out, where="情景中的强制入选/不入选：")
        except CasplanError as exc:
            self.path_error.value = f"<p class='casplan-field-error'>{html.escape(str(exc))}</p>"
            return
        self.path_error.value = f"<p>已载入情景「{html.escape(scenario.name)}」</p>"
        self.apply(scenario)

    def report(self) -> None:
        """Save the scenario, then render its report (``casplan report --params … --scenario …``) in the
        background; the status under the button shows the progress and, at the end, the result's path."""
        if self.params is None or (self._report_job is not None and self._report_job.is_alive()):
            return
        saved = self.save()
        if saved is None:
            return
        import asyncio

        self.report_button.disabled = True
        job = self._render_report(saved)
        try:
            self._report_job = asyncio.get_running_loop().create_task(job)  # the kernel's loop: the page stays live
        except RuntimeError:  # no loop (a script, a test): run it here
            asyncio.run(job)

    async def _render_report(self, scenario_path: str) -> None:
        import asyncio
        import sys

        started = time.monotonic()
        cmd = [sys.executable, "-m", "casplan", "report", "--params", self.params, "--scenario", scenario_path,
               "--out", self.reports]
        self.report_status.value = "<p class='casplan-report-running'>正在按情景生成报告……</p>"
        try:
            proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE,
                                                        stderr=asyncio.subprocess.STDOUT)
        except OSError as exc:
            self.report_status.value = f"<p class='casplan-field-error'>未能启动报告生成：{html.escape(str(exc))}</p>"
            self.report_button.disabled = False
            return
        lines: list[str] = []

        async def read() -> None:
            async for raw in proc.stdout:
                lines.append(raw.decode("utf-8", errors="replace").strip())

        reading = asyncio.ensure_future(read())
        while True:
            try:
                await asyncio.wait_for(asyncio.shield(reading), timeout=1.0)
                break
            except asyncio.TimeoutError:
                self.report_status.value = (f"<p class='casplan-report-running'>正在按情景生成报告……已用 "
                                            f"{time.monotonic() - started:.0f} 秒（通常约一分钟）</p>")
        code = await proc.wait()
        elapsed = time.monotonic() - started
        done = [x for x in lines if x]
        if code == 0:
            folder = next((x.removeprefix("已生成").strip().split("（")[0] for x in reversed(done)
                           if x.startswith("已生成")), None)
            where = f"{folder}/report.pdf" if folder else self.reports
            self.report_status.value = (f"<p class='casplan-report-done'>报告已生成（{elapsed:.0f} 秒）："
                                        f"<code>{html.escape(where)}</code></p>")
        else:
            why = html.escape(done[-1] if done else f"退出码 {code}")
            self.report_status.value = f"<p class='casplan-field-error'>报告生成失败：{why}</p>"
        self.report_button.disabled = False

    def reset(self) -> None:
        """Back to the baseline in one click: every control, the fields' messages, then one solve."""
        self.forced_in_error.value = self.forced_out_error.value = ""
        self.apply(self.whatif.baseline.scenario)

    def apply(self, scenario: Scenario) -> None:
        """Set every control from a scenario, then solve once."""
        self._muted = True
        for t, s in self.quota.items():
            value = scenario.quotas[t]
            s.min, s.max = min(s.min, value), max(s.max, value)   # a saved scenario may go beyond 左右
            s.value = value
        if scenario.budget_total is not None:
            self.budget.max = max(self.budget.max, scenario.budget_total)
            self.budget.value = scenario.budget_total
        for r, cb in self.rules.items():
            cb.value = scenario.rules.get(r, True)
        self.forced_in.value = ", ".join(scenario.forced_in)
        self.forced_out.value = ", ".join(scenario.forced_out)
        self.calibration.value = scenario.calibration
        self.scenario = scenario
        self._muted = False
        self._show_weights()
        self._solve()

    # --- the served page ----------------------------------------------------------------------

    @classmethod
    def served(cls, params: str = ""):
        """The widget of the page ``casplan whatif`` serves: the panel of the parameters file ``params`` or the
        one the command was given (environment ``CASPLAN_WHATIF_PARAMS``), or a Chinese message saying what is
        wrong — never a traceback."""
        import os

        import ipywidgets as w

        from casplan.errors import CasplanError

        params = params or os.environ.get(ENV_PARAMS, "")
        if os.environ.get(ENV_CWD):
            os.chdir(os.environ[ENV_CWD])
        if not params:
            return w.HTML(CSS + "<h2>情景推演</h2><p class='casplan-field-error'>未给出参数文件：请用 "
                          "<code>casplan whatif --params 参数.yaml</code> 启动</p>")
        try:
            from casplan.pipeline import inputs_from_params, run_year

            inputs, settings = inputs_from_params(params)  # exactly as casplan report --params reads it
            whatif = WhatIf(run_year(inputs))
            panel = cls(whatif, params=params, reports=os.environ.get(ENV_REPORTS, "reports"))
            scenario = os.environ.get(ENV_SCENARIO, "") or settings.get("scenario", "")
            if scenario:
                panel.apply(Scenario.load(scenario, policy=whatif.policy))
            settle_memory()
        except CasplanError as exc:
            return w.HTML(CSS + "<h2>情景推演</h2><p class='casplan-field-error'>不能打开情景推演："
                          f"{html.escape(' '.join(str(exc).split()))}</p><p>请改正后在终端重新运行 casplan whatif。</p>")
        return panel.widget


ENV_PARAMS, ENV_CWD, ENV_REPORTS, ENV_SCENARIO = ("CASPLAN_WHATIF_PARAMS", "CASPLAN_WHATIF_CWD",
                                                  "CASPLAN_WHATIF_REPORTS", "CASPLAN_WHATIF_SCENARIO")
