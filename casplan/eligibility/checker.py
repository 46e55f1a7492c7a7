"""Eligibility: every rule of the notice, read from the policy, with a reason for every verdict.

:func:`check` takes the accepted plan rows, the history and the roster and
returns an :class:`Eligibility`: the applications (plan rows that declare 资助,
专项技术支持, 精品 or 人社部), the tracks each enters, a verdict table
(application × track × rule: pass / fail / warn / waived / info, with a reason
code and a Chinese message naming the value and the threshold), a summary per
application and track, the units' own report (missing, late, the P2 study, the funded year's
execution) and the history matches used. The checks themselves are :mod:`casplan.eligibility.rules`.

Reason codes start with the rule id of DOMAIN.md: P1 P2 Y1 Y2 Y3 J1 J2 G1 M1 U1 U2,
PF (the platform's form rules) and T (which tracks an application enters).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from casplan.intake.normalize import name_similarity, stable_id
from casplan.eligibility.overrides import Overrides, check_overrides
from casplan.eligibility.rules import Context, support_order, rule_ids, run_checks, run_unit_checks
from casplan.policy import Policy, Track

__all__ = [
    "Eligibility",
    "check",
    "applications_of",
    "history_ids",
    "match_history",
    "VERDICT_SCHEMA",
]

VERDICT_SCHEMA = {"app_id": pl.Utf8, "unit": pl.Utf8, "train_name": pl.Utf8, "track": pl.Utf8, "rule": pl.Utf8,
                  "code": pl.Utf8, "status": pl.Utf8, "message": pl.Utf8}


@dataclass(frozen=True)
class Eligibility:
    """Everything eligibility decided, as frames (see the module docstring)."""

    applications: pl.DataFrame
    verdicts: pl.DataFrame
    summary: pl.DataFrame
    units: pl.DataFrame
    history_matches: pl.DataFrame

    def eligible_pairs(self) -> pl.DataFrame:
        """(app_id, track) pairs that may compete, with the application's columns."""
        ok = self.summary.filter(pl.col("eligible")).select("app_id", "track")
        return ok.join(self.applications, on="app_id", how="left")

    def to_json(self, policy: Policy) -> dict:
        """The ``casplan check --json`` object: ``applications`` with per-track verdicts, and units."""
        names = policy.track_names
        per_app: dict[str, dict] = {}
        for row in self.summary.iter_rows(named=True):
            per_app.setdefault(row["app_id"], {})[names[row["track"]]] = {
                "id": row["track"], "eligible": row["eligible"], "reasons": row["reasons"],
                "warnings": row["warnings"], "pending": row["pending"], "messages": row["messages"]}
        notes = dict(self.verdicts.filter(pl.col("track").is_null() & pl.col("status").is_in(["fail", "warn"]))
                     .group_by("app_id", maintain_order=True).agg("message").iter_rows())
        apps = []
        for a in self.applications.sort("app_id").iter_rows(named=True):
            apps.append({"id": a["app_id"], "name": a["train_name"], "unit": a["unit"], "category": a["category"],
                         "file": a["source_file"], "row": a["source_row"], "tracks": per_app.get(a["app_id"], {}),
                         "notes": notes.get(a["app_id"], [])})
        return {"applications": apps, "units": self.units.to_dicts()}


def history_ids(history: pl.DataFrame) -> pl.DataFrame:
    """Give every history row a stable id ``H-…`` (unit, name, year)."""
    if "history_id" in history.columns:
        return history
    ids = [stable_id(u, n, y).replace("A", "H", 1) for u, n, y in
           history.select("unit", "train_name", "year").iter_rows()]
    return history.with_columns(pl.Series("history_id", ids, dtype=pl.Utf8))


def _with_history_tracks(history: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """``history_track``: the track id each earlier project's 项目类别 stands for (the policy's names)."""
    if "track" not in history.columns:
        return history.with_columns(pl.lit(None, dtype=pl.Utf8).alias("history_track"))
    mapping = {raw: policy.history_track_of(raw) for raw in history["track"].drop_nulls().unique().to_list()}
    return history.with_columns(pl.col("track").replace_strict(mapping, default=None, return_dtype=pl.Utf8)
                                .alias("history_track"))


def applications_of(plans: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """The plan rows that declare anything (资助, 专项技术支持, 精品, 人社部), with derived columns.

    Adds ``plan_category`` (研修班, 短期班, 学术讲坛, 管理类 or null), ``wants_jingpin``,
    ``wants_mohrss``, ``unit_kind`` (institute, branch, department, other) and ``declared``
    (the list of track ids it enters).
    """
    def flag(c: str) -> pl.Expr:
        return pl.col(c).fill_null(False) if c in plans.columns else pl.lit(False)

    jingpin_type = pl.col("jingpin_type").fill_null("") if "jingpin_type" in plans.columns else pl.lit("")
    apps = plans.with_columns(
        (flag("jingpin_flag") & ~jingpin_type.str.contains("人社部|人力资源")).alias("wants_jingpin"),
        (flag("mohrss") | jingpin_type.str.contains("人社部|人力资源")).alias("wants_mohrss"),
    ).filter(flag("apply_funding") | flag("apply_support") | pl.col("wants_jingpin") | pl.col("wants_mohrss"))
    category_map = {raw: policy.category_of(raw) for raw in apps["category"].unique().to_list()}
    kind_map = {raw: policy.unit_type_of(raw) for raw in apps["unit_type"].unique().to_list()}
    apps = apps.with_columns(
        pl.col("category").replace_strict(category_map, default=None, return_dtype=pl.Utf8).alias("plan_category"),
        pl.col("unit_type").replace_strict(kind_map, default=None, return_dtype=pl.Utf8).alias("unit_kind"),
    )
    declared = []
    primaries: dict[str, list[Track]] = defaultdict(list)   # fallback track → the tracks it is the fallback of
    for t in policy.tracks:
        if t.fallback:
            primaries[t.fallback].append(t)
    for cat, jp, mo in apps.select("plan_category", "wants_jingpin", "wants_mohrss").iter_rows():
        flags = {"jingpin": bool(jp), "mohrss": bool(mo), "funding": not (jp or mo)}
        tracks: list[str] = []
        for t in policy.tracks:
            if cat not in t.categories:
                continue
            # declared for the track itself, or for a track whose fallback it is (人社部高研 → 精品, 指南三(二))
            if flags[t.declared_by] or any(flags[p.declared_by] and cat in p.categories for p in primaries[t.id]):
                tracks.append(t.id)
        declared.append(tracks)
    return apps.with_columns(pl.Series("declared", declared, dtype=pl.List(pl.Utf8)))


def match_history(apps: pl.DataFrame, history: pl.DataFrame, *, threshold: float,
                  overrides: Overrides = Overrides()) -> pl.DataFrame:
    """Match each application to earlier years' rows of the same unit by fuzzy name.

    Returns one row per (app_id, history_id) kept: similarity, how it was decided
    (``auto`` above the threshold, ``confirmed`` / ``rejected`` by the analyst), and the
    history row's year, name, track and flags.
    """
    schema = {"app_id": pl.Utf8, "history_id": pl.Utf8, "similarity": pl.Float64, "decided": pl.Utf8}
    if history.height == 0 or apps.height == 0:
        return pl.DataFrame(schema=schema)
    by_unit: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for hid, unit, name in history.select("history_id", "unit", "train_name").iter_rows():
        by_unit[unit].append((hid, name))
    confirmed = {(e.app, e.history) for e in overrides.of("confirm_history")}
    rejected = {(e.app, e.history) for e in overrides.of("reject_history")}
    names = dict(history.select("history_id", "train_name").iter_rows())
    rows = []
    for app_id, unit, name in apps.select("app_id", "unit", "train_name").iter_rows():
        for hid, hname in by_unit.get(unit, ()):
            sim = round(name_similarity(name, hname), 3)
            if (app_id, hid) in rejected:
                rows.append((app_id, hid, sim, "rejected"))
            elif (app_id, hid) in confirmed:
                rows.append((app_id, hid, sim, "confirmed"))
            elif sim >= threshold:
                rows.append((app_id, hid, sim, "auto"))
    for app_id, hid in confirmed:
        if not any(r[0] == app_id and r[1] == hid for r in rows) and hid in names:
            name = apps.filter(pl.col("app_id") == app_id)["train_name"].to_list()
            rows.append((app_id, hid, round(name_similarity(name[0], names[hid]), 3) if name else 0.0, "confirmed"))
    out = pl.DataFrame(rows, schema=schema, orient="row")
    cols = [c for c in ("history_id", "year", "train_name", "track", "history_track", "held", "funded", "implemented",
                        "completed", "granted", "spent") if c in history.columns]
    renamed = {"train_name": "history_name", "track": "history_category", "year": "history_year"}
    joined = out.join(history.select(cols).rename({k: v for k, v in renamed.items() if k in cols}),
                      on="history_id", how="left")
    if "history_track" not in joined.columns:
        joined = joined.with_columns(pl.lit(None, dtype=pl.Utf8).alias("history_track"))
    return joined.sort("app_id", "history_year", "history_id")


class _Verdicts:
    """Collects verdict rows and applies waivers."""

    def __init__(self, overrides: Overrides) -> None:
        self.rows: list[tuple] = []
        self.overrides = overrides

    def add(self, app: dict, track: str | None, code: str, status: str, message: str) -> None:
        if status == "fail":
            waiver = self.overrides.waiver(app["app_id"], app["unit"], track or "", code)
            if waiver is not None:
                status, message = "waived", f"{message}；已豁免：{waiver.describe()}"
        self.rows.append((app["app_id"], app["unit"], app["train_name"], track, code.split("-", 1)[0], code, status,
                          message))

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, schema=VERDICT_SCHEMA, orient="row")


def _history_facts(matches: pl.DataFrame, policy: Policy) -> dict[str, dict]:
    """Per application: the earlier runs found, and which tracks' ``prior_tracks`` rules they satisfy."""
    facts: dict[str, dict] = defaultdict(lambda: {"runs": [], "basis": defaultdict(list), "renewal": set()})
    kept = matches.filter(pl.col("decided") != "rejected")
    names = policy.track_names
    for m in kept.iter_rows(named=True):
        f = facts[m["app_id"]]
        if m.get("held") is False:
            continue
        track = m.get("history_track")
        shown = names.get(track) if track else None
        label = shown or m.get("history_category") or "类别不明"
        desc = f"{m['history_year']}年「{m['history_name']}」（{label}，相似度 {m['similarity']:.2f}）"
        f["runs"].append(desc)
        funded = bool(m.get("funded"))
        for t in policy.tracks:
            if track in t.prior_tracks or (track in t.prior_funded_tracks and funded):
                f["basis"][t.id].append(desc)
        # 上一年度已获院资助并组织实施完成的同类项目 (指南二(三)): only the renewal attachments are needed
        if (track is not None and m["history_year"] == policy.history.funded_year and funded
                and bool(m.get("completed"))):
            f["renewal"].add(track)
    return facts


def _unit_execution(history: pl.DataFrame, policy: Policy) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """Units failing U2: unit → (code suffix, message); and warnings (unit, message) where 执行率 and amounts disagree.

    The execution rate of a unit is 已支出 / 资助金额 over its funded projects of the funded year;
    a project given only with a 执行率 counts with that rate (its amount unknown: the rates are averaged
    with the amounts where both exist). A rate written beside amounts that differs by more than one
    percentage point is reported, and the amounts are used.
    """
    out: dict[str, tuple[str, str]] = {}
    notes: list[tuple[str, str]] = []
    if history.height == 0:
        return out, notes
    year = policy.history.funded_year
    funded = history.filter((pl.col("year") == year) & pl.col("funded").fill_null(False))
    threshold = policy.history.min_execution_rate
    has_rate = "rate" in funded.columns
    by_unit: dict[str | None, list[dict]] = {}  # the units in the order they first appear
    for r in funded.iter_rows(named=True):  # one pass: a frame filter per unit was 1.5 s at 6,200 units
        by_unit.setdefault(r["unit"], []).append(r)
    for unit, rows in by_unit.items():
        not_done = [r for r in rows if r["implemented"] is False]  # null = unknown, not "not done"
        if not_done:
            out[unit] = ("NOT-IMPLEMENTED",
                         f"{unit} {year}年度院级资助项目「{not_done[0]['train_name']}」未实施，原则上不予资助")
            continue
        granted = spent = 0.0
        rates: list[float] = []
        for r in rows:
            g, sp = r.get("granted"), r.get("spent")
            rate = r.get("rate") if has_rate else None
            if g is not None and g > 0 and sp is not None:
                granted += g
                spent += sp
                if rate is not None and abs(rate - sp / g) > 0.01:
                    notes.append((unit, f"{unit}「{r['train_name']}」的执行率写为 {rate:.1%}，按已支出 {sp:g} / 资助 {g:g} 万元"
                                        f"应为 {sp / g:.1%}；按金额计算"))
            elif rate is not None:
                rates.append(rate)
        if granted > 0 or rates:
            if granted > 0 and not rates:
                value = round(spent / granted, 6)
                how = f"已支出 {spent:g} / 资助 {granted:g} 万元"
            elif rates and granted == 0:
                value = round(sum(rates) / len(rates), 6)
                how = "按往年项目中的执行率"
            else:
                value = round((spent / granted + sum(rates)) / (1 + len(rates)), 6)
                how = "按金额与执行率"
            if value < threshold:
                out[unit] = ("LOW-RATE",
                             f"{unit} {year}年度院级资助经费执行率 {value:.1%}（{how}，截至 {policy.history.as_of:%Y-%m-%d}），"
                             f"低于 {threshold:.0%}，原则上不予资助")
    return out, notes


def _check_platform(app: dict, policy: Policy, v: _Verdicts, mode: str) -> None:
    """The platform's own form rules (trainInfoEdit.js), on the application as a whole."""
    p = policy.platform
    status = "fail" if mode == "hard" else "warn"
    days, hours, trainees = app.get("days"), app.get("class_hours"), app.get("trainees")
    online = (app.get("train_way") or "").startswith("线上")
    if days is not None and hours is not None and not online:
        low = 0.0 if days <= 1 else (days - 1) * p.max_hours_per_day if days < 3 else (days - 2) * p.max_hours_per_day
        high = p.max_hours_per_day * days
        if not (low <= hours <= high):
            v.add(app, None, "PF-HOURS", status,
                  f"学时 {hours:g}，与天数 {days:g} 天不符：应在 {low:g}–{high:g} 学时之间（每日不超过 8 学时，"
                  f"{'1–2天的除1天' if days < 3 else '3天及以上的除2天'}报到撤离外每日须满 8 学时）")
    budget, level = app.get("budget"), app.get("fee_level")
    if budget is not None and trainees and days:
        cap = p.fee_caps.get(level or "", p.fee_caps.get("处级及以下"))
        per_day = budget * 10000 / (trainees * days)
        if cap is not None and trainees * (cap + 0.0001) * days < budget * 10000:
            v.add(app, None, "PF-FEE", status,
                  f"人均每日经费 {per_day:.0f} 元（{budget:g} 万元 / {trainees:g} 人 / {days:g} 天），"
                  f"超过「{level or '处级及以下'}」标准 {cap:g} 元")
    staff = app.get("staff")
    if staff is not None and trainees is not None and (staff > p.staff_max or staff > trainees * p.staff_ratio):
        v.add(app, None, "PF-STAFF", status,
              f"工作人员 {staff:g} 人，超过 {p.staff_max:g} 人或学员 {trainees:g} 人的 {p.staff_ratio:.0%}")
    for col, label in (("goal", "培训目的"), ("content", "培训内容")):
        n = len(app.get(col) or "")
        if not (p.text_min <= n <= p.text_max):
            v.add(app, None, "PF-TEXT", status, f"{label} {n} 字，应为 {p.text_min}–{p.text_max} 字")
    if len(app.get("attendants") or "") > p.attendants_max:
        v.add(app, None, "PF-TEXT", status, f"培训对象 {len(app['attendants'])} 字，超过 {p.attendants_max} 字")
    if app.get("is_local") is False and not app.get("location"):
        v.add(app, None, "PF-PLACE", status, "选择外埠的，具体地点不得为空")


def _unit_report(plans: pl.DataFrame, apps: pl.DataFrame, roster: pl.DataFrame | None, policy: Policy,
                 execution: dict[str, tuple[str, str]]) -> pl.DataFrame:
    p2 = policy.rules["P2"]
    terms = p2.terms or (p2.subject,)
    subject = p2.subject or "、".join(terms)
    text = pl.concat_str([pl.col(c).fill_null("") for c in ("train_name", "goal", "content", "keywords")
                          if c in plans.columns])
    per_unit = plans.group_by("unit").agg(
        pl.len().alias("plan_rows"),
        text.str.contains("|".join(terms)).any().alias("has_p2"),
        pl.col("submitted_at").max().alias("submitted_at"),
        pl.col("unit_type").first(), pl.col("branch").first(),
    )
    n_apps = apps.group_by("unit").len(name="applications")
    units = per_unit.join(n_apps, on="unit", how="left").with_columns(pl.col("applications").fill_null(0))
    if roster is not None and roster.height:
        missing = roster.filter(~pl.col("unit").is_in(units["unit"].implode())).select(
            "unit", pl.lit(0, pl.UInt32).alias("plan_rows"), pl.lit(None, pl.Boolean).alias("has_p2"),
            pl.lit(None, pl.Date).alias("submitted_at"), "unit_type", "branch",
            pl.lit(0, pl.UInt32).alias("applications"))
        units = pl.concat([units.with_columns(pl.col("plan_rows").cast(pl.UInt32), pl.col("applications").cast(pl.UInt32)),
                           missing], how="diagonal_relaxed")
    deadline = policy.deadline
    rows = []
    for u in units.sort("unit").iter_rows(named=True):
        submitted = u["plan_rows"] > 0
        late = bool(submitted and u["submitted_at"] is not None and u["submitted_at"] > deadline)
        code, message = execution.get(u["unit"], (None, None))
        notes = []
        if not submitted:
            notes.append(f"P1-MISSING：名册中的单位未报送年度计划（截止 {deadline:%Y-%m-%d}）")
        if late:
            notes.append(f"P1-LATE：上报时间 {u['submitted_at']:%Y-%m-%d}，晚于截止日期 {deadline:%Y-%m-%d}")
        if submitted and not u["has_p2"]:
            notes.append(f"P2-MISSING：年度计划中没有{subject}内容（应列为必修课）")
        if code:
            notes.append(f"{code}：{message}")
        rows.append({**u, "submitted": submitted, "late": late, "u2_code": code, "u2_message": message,
                     "notes": "；".join(notes)})
    return pl.DataFrame(rows, schema={**dict(units.schema), "submitted": pl.Boolean, "late": pl.Boolean,
                                      "u2_code": pl.Utf8, "u2_message": pl.Utf8, "notes": pl.Utf8})


def check(plans: pl.DataFrame, *, policy: Policy, history: pl.DataFrame | None = None,
          roster: pl.DataFrame | None = None, overrides: Overrides = Overrides()) -> Eligibility:
    """Check every application against the policy.

    Parameters
    ----------
    plans : accepted plan rows (:func:`casplan.intake.read_plans`).
    history : accepted history rows (:func:`casplan.intake.read_history`), or None.
    roster : accepted roster rows, to list missing units and unit types.
    overrides : the analyst's waivers and history decisions (forced includes and
        excludes are the selection's; they are checked for existence here).

    Raises
    ------
    OverrideError
        When an override names an application, unit, track, rule or history row that does not exist.
    """
    no_history = history is None
    history = (_with_history_tracks(history_ids(history), policy) if history is not None and history.height
               else pl.DataFrame(schema={"history_id": pl.Utf8, "unit": pl.Utf8, "train_name": pl.Utf8,
                                         "year": pl.Int64}))
    apps = applications_of(plans, policy)
    overrides = check_overrides(overrides, app_ids=set(apps["app_id"]), units=set(plans["unit"]),
                                rules=rule_ids(policy), history_ids=set(history["history_id"]), policy=policy,
                                roster_units=set(roster["unit"]) if roster is not None and roster.height else None)
    matches = match_history(apps, history, threshold=policy.history.name_similarity, overrides=overrides)
    facts = _history_facts(matches, policy)
    execution, rate_notes = _unit_execution(history, policy) if "funded" in history.columns else ({}, [])
    v = _Verdicts(overrides)
    pf = policy.rules.get("PF")
    deadline = policy.deadline
    rate_by_unit: dict[str, list[str]] = defaultdict(list)
    for unit, message in rate_notes:
        rate_by_unit[unit].append(message)
    ctx = Context(policy=policy, facts={}, add=v.add, execution=execution, rate_notes=rate_by_unit,
                  no_history=no_history)
    app_rows = apps.to_dicts()
    categories = "、".join(policy.categories)
    for app in app_rows:
        tracks = app["declared"]
        ctx.facts = facts.get(app["app_id"], {"runs": [], "basis": {}, "renewal": set()})
        if not tracks:
            cat = app.get("category")
            v.add(app, None, "T-CATEGORY", "fail",
                  f"培训类别「{cat}」不属于可申请院级资助的类别（{categories}），"
                  "或申报的栏目（精品项目、人社部高研）与培训类别不符")
        if app.get("unit_match") == "ambiguous":
            v.add(app, None, "U0-UNIT", "fail",
                  f"申报单位「{app.get('unit_raw') or app['unit']}」不在单位名册中，又与名册中的单位相近，无法确定是哪个单位"
                  "（否则它可能借另一个名称避开“每所一项”或往年执行率的规则）；请在人工决定中写 unit_alias 或 unit_distinct")
        for tid in tracks:
            run_checks(ctx, app, policy.track(tid))
        _check_platform(app, policy, v, pf.mode if pf and pf.enabled else "soft")
        scope = app.get("open_scope")
        if scope and policy.openness(scope) is None:
            v.add(app, None, "PF-SCOPE", "warn", f"培训公开范围「{scope}」不在政策文件 open_scope 的写法中，按不公开处理")
        sub = app.get("submitted_at")
        if policy.rules["P1"].enabled and sub is not None and sub > deadline:
            v.add(app, None, "P1-LATE", "warn", f"上报时间 {sub:%Y-%m-%d}，晚于截止日期 {deadline:%Y-%m-%d}")
    run_unit_checks(ctx, app_rows, policy)
    _one_per_institute(app_rows, policy, v)
    verdicts = v.frame()
    summary = _summarise(apps, verdicts)
    rules = sorted({rule for t in policy.tracks for name, rule in t.checks if name == "execution"}) or ["U2"]
    units = _unit_report(plans, apps, roster, policy,
                         {u: (f"{rules[0]}-{suffix}", m) for u, (suffix, m) in execution.items()})
    return Eligibility(applications=apps, verdicts=verdicts, summary=summary, units=units, history_matches=matches)


def _one_per_institute(rows: list[dict], policy: Policy, v: _Verdicts) -> None:
    """U1 (原则上 one 院级资助 per 研究所, soft: a warning; the selection enforces it while it is on)."""
    u1 = policy.rules["U1"]
    if not u1.enabled:
        return
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for a in rows:
        by_unit[a["unit"]].append(a)
    limit = u1.max_per_institute or 1
    for unit, items in by_unit.items():
        if items[0].get("unit_kind") != "institute" or len(items) <= limit:
            continue
        ordered = sorted(items, key=support_order)
        first = "、".join(f"{k['app_id']}「{k['train_name']}」" for k in ordered[:limit])
        for a in ordered[limit:]:
            v.add(a, None, "U1-EXTRA", "warn",
                  f"{unit} 申报了 {len(items)} 项院级资助项目，原则上每个研究所 {limit} 项；按资助推荐排序计入 {first}")


def _summarise(apps: pl.DataFrame, verdicts: pl.DataFrame) -> pl.DataFrame:
    """One row per (application, declared track): eligible, failing codes, warning codes, messages."""
    pairs = apps.select("app_id", "unit", "train_name", pl.col("declared").alias("track")).explode("track") \
        .filter(pl.col("track").is_not_null())
    general = verdicts.filter(pl.col("track").is_null())
    specific = verdicts.filter(pl.col("track").is_not_null())
    joined = pl.concat([
        specific,
        pairs.select("app_id", "track").join(general.drop("track"), on="app_id", how="inner").select(verdicts.columns),
    ])
    agg = joined.group_by("app_id", "track").agg(
        pl.col("code").filter(pl.col("status") == "fail").alias("reasons"),
        pl.col("code").filter(pl.col("status") == "warn").alias("warnings"),
        pl.col("code").filter(pl.col("status") == "waived").alias("waived"),
        pl.col("code").filter(pl.col("status") == "pending").alias("pending"),
        pl.col("message").filter(pl.col("status").is_in(["fail", "warn", "waived", "pending"])).alias("messages"),
        pl.col("message").filter(pl.col("status") == "fail").alias("fail_messages"),
    )
    out = pairs.join(agg, on=["app_id", "track"], how="left").with_columns(
        [pl.col(c).fill_null(pl.lit([], dtype=pl.List(pl.Utf8)))
         for c in ("reasons", "warnings", "waived", "pending", "messages", "fail_messages")])
    return out.with_columns((pl.col("reasons").list.len() == 0).alias("eligible")).sort("app_id", "track")

