"""Eligibility: every rule of the notice, read from the policy, with a reason for every verdict.

:func:`check` takes the accepted plan rows, the history and the roster and
returns an :class:`Eligibility`: the applications (plan rows that declare 资助,
专项技术支持, 精品 or 人社部), the tracks each enters, a verdict table
(application × track × rule: pass / fail / warn / waived / info, with a reason
code and a Chinese message naming the value and the threshold), a summary per
application and track, the units' own report (missing, late, 二十大, 2022
execution) and the history matches used.

Reason codes start with the rule id of DOMAIN.md: P1 P2 Y1 Y2 Y3 J1 J2 G1 M1 U1 U2,
PF (the platform's form rules) and T (which tracks an application enters).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from casplan.intake.normalize import name_similarity, stable_id
from casplan.eligibility.overrides import Overrides, check_overrides
from casplan.policy import Policy, Track

__all__ = [
    "Eligibility",
    "check",
    "applications_of",
    "history_ids",
    "match_history",
    "RULES",
    "REASONS",
    "VERDICT_SCHEMA",
]

RULES: dict[str, str] = {
    "T": "申报类别：由培训类别与申报栏目确定参加哪个类别的遴选",
    "P1": "按时报送（2022年11月14日前）；名册中未报送的单位",
    "P2": "年度计划包含党的二十大精神学习（必修课）",
    "Y1": "专业技术研修班：不少于3天，申请资助",
    "Y2": "专项技术短期培训班：不少于3天，申请资助；联合施训为加分项",
    "Y3": "学术讲坛：每年不少于6场、单场不少于2学时，申请专项技术支持",
    "J1": "精品培训项目：至少举办过1次（精品或院级资助研修班/短期班），不少于4天，面向院内开放，不少于70人",
    "J2": "精品培训项目附件：师资名单、课程设置清单、培训教材清单（不含PPT）、需求调研分析报告、效果评估总结、宣传报道",
    "G1": "人社部高级研修项目：举办过精品或人社部高研，5天左右，100人左右，每单位最多1项",
    "M1": "管理类培训：仅院机关各部门、分院可申报",
    "U1": "原则上每个研究所申报1个院级资助项目",
    "U2": "2022年度院级资助项目未实施或经费执行率低于50%的单位原则上不予资助",
    "PF": "平台表单规则：学时与天数相符、人均每日经费不超标准、工作人员人数、文字长度、外埠地点",
    "B1": "统筹兼顾、精打细算：申请经费资助须有大于 0 的经费预算",
    "U0": "申报单位须能确定：名称与名册中的单位相近而又不同的，须人工确认后才参加遴选",
}

REASONS: dict[str, str] = {
    "T-CATEGORY": "申报了院级资助，但培训类别不属于可资助的类别",
    "T-NONE": "未勾选任何申报栏目",
    "P1-LATE": "上报时间晚于截止日期",
    "P1-MISSING": "名册中的单位未报送年度计划",
    "P2-MISSING": "单位年度计划中没有党的二十大精神学习内容",
    "Y1-DAYS": "专业技术研修班天数不足",
    "Y1-FLAG": "专业技术研修班未在“是否申请资助”选“是”",
    "Y1-AUDIENCE": "研修班的适用岗位不含科研类（参加人员应为科研人员）",
    "Y2-DAYS": "专项技术短期培训班天数不足",
    "Y2-FLAG": "专项技术短期培训班未在“是否申请资助”选“是”",
    "Y2-JOINT": "联合施训（加分项）",
    "Y2-AUDIENCE": "短期班的适用岗位既不含科研类也不含支撑类（应以科技人员为主）",
    "Y3-LECTURES": "学术讲坛场次不足",
    "Y3-HOURS": "学术讲坛单场学时不足",
    "Y3-FLAG": "学术讲坛未在“是否申请专项技术支持”选“是”",
    "Y3-MONEY": "学术讲坛申请经费资助：学术讲坛获得的是专项技术支持而非经费",
    "Y3-FOREIGN": "学术讲坛未邀请国外一流科研机构或大学的专家",
    "J1-HISTORY": "精品项目此前未举办过（未找到往年精品或院级资助研修班/短期班）",
    "J1-DAYS": "精品项目天数不足",
    "J1-TRAINEES": "精品项目学员人数不足",
    "J1-OPEN": "精品项目未面向院内单位开放",
    "J1-FLAG": "精品项目未在“是否申请资助”选“是”",
    "J1-JINGPIN": "未在“精品项目”一栏选“是”",
    "J2-ATTACH": "精品项目附件不全",
    "J2-PPT": "培训教材清单不得为 PPT",
    "J2-RENEWAL": "2022年已获资助并完成的精品项目，只需培训方案和教学计划",
    "G1-HISTORY": "人社部高研项目此前未举办过精品或人社部高研项目",
    "G1-DAYS": "人社部高研项目天数不在“5天左右”的范围内",
    "G1-TRAINEES": "人社部高研项目人数不在“100人左右”的范围内",
    "G1-PER-UNIT": "同一单位申报了多项人社部高研项目（最多1项）",
    "G1-FLAG": "人社部高研项目未在“是否申请资助”选“是”",
    "M1-UNIT": "管理类培训只能由院机关各部门或分院申报",
    "M1-FLAG": "管理类培训未在“是否申请资助”选“是”",
    "U1-EXTRA": "研究所申报了多项院级资助项目，按单位的资助推荐排序只计第1项",
    "U2-NOT-IMPLEMENTED": "单位2022年度院级资助项目未实施",
    "U2-LOW-RATE": "单位2022年度院级资助项目经费执行率低于50%",
    "PF-HOURS": "学时与天数不符（每日不超过8学时，除报到撤离外每日须满8学时）",
    "PF-FEE": "人均每日经费超过标准",
    "PF-STAFF": "工作人员超过10人或超过学员人数的10%",
    "PF-TEXT": "培训目的/培训内容字数不在10–300之间，或培训对象超过300字",
    "PF-PLACE": "选择外埠但未填具体地点",
    "PF-SCOPE": "培训公开范围的写法不在政策文件 open_scope 中，按不公开处理（提示）",
    "B1-AMOUNT": "申请经费资助的项目经费预算为空或为 0",
    "U0-UNIT": "申报单位不在名册中，又与名册中的单位相近，无法确定是哪个单位（须人工确认）",
    "U2-UNCHECKED": "未提供往年项目，无法核对单位2022年度院级资助项目的执行情况（待核）",
    "U2-RATE-CONFLICT": "往年项目中“执行率”与“已支出/资助金额”不一致（提示）",
}

VERDICT_SCHEMA = {"app_id": pl.Utf8, "unit": pl.Utf8, "train_name": pl.Utf8, "track": pl.Utf8, "rule": pl.Utf8,
                  "code": pl.Utf8, "status": pl.Utf8, "message": pl.Utf8}
_RULE_OF_TRACK_FALLBACK = {"yanxiu": "Y1", "duanqi": "Y2", "jiangtan": "Y3", "jingpin": "J1", "mohrss": "G1",
                           "guanli": "M1"}


def _fmt(x: float | None) -> str:
    return "（未填）" if x is None else f"{x:g}"


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
    for cat, jp, mo in apps.select("plan_category", "wants_jingpin", "wants_mohrss").iter_rows():
        tracks: list[str] = []
        for t in policy.tracks:
            if cat not in t.categories:
                continue
            if t.requires_mohrss:
                if mo:
                    tracks.append(t.id)
            elif t.requires_jingpin:
                if jp or (mo and any(o.fallback == t.id for o in policy.tracks if o.requires_mohrss)):
                    tracks.append(t.id)
            elif not (jp or mo):
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
    facts: dict[str, dict] = defaultdict(lambda: {"runs": [], "basis": defaultdict(list), "renewal": False})
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
        # 2022年已获院资助并组织实施完成的精品培训项目 (指南二(三)): only the renewal attachments are needed
        if (track is not None and track in _renewal_tracks(policy) and m["history_year"] == policy.history.funded_year
                and funded and bool(m.get("completed"))):
            f["renewal"] = True
    return facts


def _renewal_tracks(policy: Policy) -> tuple[str, ...]:
    """The tracks whose funded, completed run of the funded year allows the renewal attachments (精品)."""
    return tuple(t.id for t in policy.tracks if t.requires_jingpin)


def _unit_execution(history: pl.DataFrame, policy: Policy) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """Units failing U2: unit → (code, message); and warnings (unit, message) where 执行率 and amounts disagree.

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
    for unit, rows in funded.group_by("unit", maintain_order=True):
        unit = unit[0]
        not_done = rows.filter(pl.col("implemented") == False)  # noqa: E712  (null = unknown, not "not done")
        if not_done.height:
            out[unit] = ("U2-NOT-IMPLEMENTED",
                         f"{unit} {year}年度院级资助项目「{not_done['train_name'][0]}」未实施，原则上不予资助")
            continue
        granted = spent = 0.0
        rates: list[float] = []
        for r in rows.iter_rows(named=True):
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
                out[unit] = ("U2-LOW-RATE",
                             f"{unit} {year}年度院级资助经费执行率 {value:.1%}（{how}，截至 {policy.history.as_of:%Y-%m-%d}），"
                             f"低于 {threshold:.0%}，原则上不予资助")
    return out, notes


def _has_text(app: dict, terms: tuple[str, ...]) -> bool:
    text = "".join(str(app.get(c) or "") for c in ("train_name", "goal", "content", "keywords"))
    return any(t in text for t in terms)


def _check_track(app: dict, track: Track, policy: Policy, facts: dict, v: _Verdicts) -> None:
    tid, tname = track.id, track.name
    days, trainees = app.get("days"), app.get("trainees")
    rule = _RULE_OF_TRACK_FALLBACK.get(tid, tid.upper())
    if track.requires_funding:
        code = f"{rule}-FLAG"
        if app.get("apply_funding"):
            v.add(app, tid, code, "pass", "“是否申请资助”为“是”")
        else:
            v.add(app, tid, code, "fail", f"{tname}须在“是否申请资助”一栏选“是”，本项目为“{'否' if app.get('apply_funding') is False else '未填'}”")
    if track.requires_support:
        if app.get("apply_support"):
            v.add(app, tid, "Y3-FLAG", "pass", "“是否申请专项技术支持”为“是”")
        else:
            v.add(app, tid, "Y3-FLAG", "fail", "学术讲坛须在“是否申请专项技术支持”一栏选“是”")
        if app.get("apply_funding") and not app.get("apply_support"):
            v.add(app, tid, "Y3-MONEY", "fail",
                  "学术讲坛申请了经费资助但未申请专项技术支持：院对学术讲坛提供的是课程拍摄制作、直播等专项技术支持，不是经费")
    if track.requires_jingpin:
        if app.get("wants_jingpin") or app.get("wants_mohrss"):
            v.add(app, tid, "J1-JINGPIN", "pass", "“精品项目”为“是”")
        else:
            v.add(app, tid, "J1-JINGPIN", "fail", "精品培训项目须在“精品项目”一栏选“是”")
    if track.min_days is not None:
        code = f"{rule}-DAYS"
        if days is not None and days >= track.min_days:
            v.add(app, tid, code, "pass", f"天数 {_fmt(days)} 天，不少于{tname}最低 {track.min_days:g} 天")
        else:
            v.add(app, tid, code, "fail", f"天数 {_fmt(days)} 天，少于{tname}最低 {track.min_days:g} 天")
    if track.min_trainees is not None:
        code = f"{rule}-TRAINEES"
        if trainees is not None and trainees >= track.min_trainees:
            v.add(app, tid, code, "pass", f"学员 {_fmt(trainees)} 人，不少于 {track.min_trainees:g} 人")
        else:
            v.add(app, tid, code, "fail", f"学员 {_fmt(trainees)} 人，少于{tname}最低 {track.min_trainees:g} 人")
    if track.min_lectures is not None:
        n = app.get("lectures")
        if n is not None and n >= track.min_lectures:
            v.add(app, tid, "Y3-LECTURES", "pass", f"讲座 {_fmt(n)} 场，不少于 {track.min_lectures:g} 场")
        else:
            v.add(app, tid, "Y3-LECTURES", "fail", f"讲座 {_fmt(n)} 场，少于学术讲坛每年最低 {track.min_lectures:g} 场")
    if track.min_lecture_hours is not None:
        h = app.get("lecture_hours")
        if h is not None and h >= track.min_lecture_hours:
            v.add(app, tid, "Y3-HOURS", "pass", f"单场 {_fmt(h)} 学时，不少于 {track.min_lecture_hours:g} 学时")
        else:
            v.add(app, tid, "Y3-HOURS", "fail", f"单场 {_fmt(h)} 学时，少于最低 {track.min_lecture_hours:g} 学时")
        if app.get("foreign_experts") is False:
            v.add(app, tid, "Y3-FOREIGN", "warn", "未邀请国外一流科研机构或大学的专家（通知鼓励邀请）")
    if tid == "yanxiu" and app.get("station") and "科研" not in app["station"]:
        v.add(app, tid, "Y1-AUDIENCE", "warn", f"适用岗位为「{app['station']}」，不含科研类；研修班参加人员应为科研人员")
    if tid == "duanqi":
        if app.get("station") and not any(s in app["station"] for s in ("科研", "支撑")):
            v.add(app, tid, "Y2-AUDIENCE", "warn", f"适用岗位为「{app['station']}」；短期班应以科技人员为主")
        if app.get("joint_units"):
            v.add(app, tid, "Y2-JOINT", "info", f"与「{app['joint_units']}」联合施训（加分项）")
    if track.min_prior_runs is not None or track.prior_tracks:
        _check_prior(app, track, policy, facts, v, code=f"{rule}-HISTORY")
    if tid == "jingpin":
        scope = app.get("open_scope")
        entry = policy.openness(scope)
        if entry is not None and entry.open:
            v.add(app, tid, "J1-OPEN", "pass", f"培训公开范围「{scope}」，面向院内单位开放")
        elif entry is None and scope:
            v.add(app, tid, "J1-OPEN", "fail", f"培训公开范围「{scope}」不在政策文件规定的写法中，按不公开处理；"
                                               "精品项目应面向院内单位开放（如确为面向院内开放，请核实后人工豁免）")
        else:
            v.add(app, tid, "J1-OPEN", "fail", f"培训公开范围「{scope or '未填'}」，精品项目应面向院内单位开放")
        _check_attachments(app, policy, facts, v)
    if track.days_band is not None:
        lo, hi = track.days_band
        ok = days is not None and lo <= days <= hi
        v.add(app, tid, "G1-DAYS", "pass" if ok else "fail",
              f"天数 {_fmt(days)} 天，{'在' if ok else '不在'}“{track.days_about:g}天左右”的范围 {lo:g}–{hi:g} 天内")
    if track.trainees_band is not None:
        lo, hi = track.trainees_band
        ok = trainees is not None and lo <= trainees <= hi
        v.add(app, tid, "G1-TRAINEES", "pass" if ok else "fail",
              f"学员 {_fmt(trainees)} 人，{'在' if ok else '不在'}“{track.trainees_about:g}人左右”的范围 {lo:g}–{hi:g} 人内")
    if track.unit_types:
        kind = app.get("unit_kind")
        allowed = "、".join({"department": "院机关部门", "branch": "分院", "institute": "研究所", "other": "其他"}[u]
                           for u in track.unit_types)
        source = app.get("unit_type_source")
        how = f"（{source}）" if source and source != "名册" else ""
        if kind in track.unit_types:
            v.add(app, tid, "M1-UNIT", "pass", f"申报单位类型为「{app.get('unit_type')}」{how}")
        else:
            shown = app.get("unit_type") or "未知（名册中没有该单位，也无法按名称推断）"
            v.add(app, tid, "M1-UNIT", "fail", f"申报单位类型为「{shown}」{how}，{tname}只能由{allowed}申报")


def _check_prior(app: dict, track: Track, policy: Policy, facts: dict, v: _Verdicts, *, code: str) -> None:
    """Held before (J1, G1): enough earlier runs in the tracks the policy names; pending without a history."""
    names = policy.track_names
    wanted = "、".join([names[t] for t in track.prior_tracks]
                      + [f"获院级资助的{names[t]}" for t in track.prior_funded_tracks])
    if facts.get("no_history"):
        v.add(app, track.id, code, "pending", f"未提供往年项目，无法核对此前是否举办过{wanted}（待核）")
        return
    basis = facts.get("basis", {}).get(track.id, [])
    need = track.min_prior_runs or 1
    if len(basis) >= need:
        v.add(app, track.id, code, "pass", "此前举办过：" + "；".join(basis))
    else:
        seen = facts.get("runs", [])
        v.add(app, track.id, code, "fail",
              f"未找到此前举办过的{wanted}" + ("（找到的往年项目：" + "；".join(seen) + "）" if seen else ""))


def _check_attachments(app: dict, policy: Policy, facts: dict, v: _Verdicts) -> None:
    files = [f.strip() for f in (app.get("attachments") or "").replace(";", "；").replace(",", "；")
             .replace("，", "；").replace("、", "；").split("；") if f.strip()]
    renewal = facts.get("renewal", False)
    full = policy.attachments.jingpin_full
    missing_full = [n for n in full if not any(n in f for f in files)]
    renewal_set = policy.attachments.jingpin_renewal
    missing_renewal = [n for n in renewal_set if not any(n in f for f in files)]
    if not missing_full:
        v.add(app, "jingpin", "J2-ATTACH", "pass", f"附件齐全：{'、'.join(full)}")
    elif renewal and not missing_renewal:
        v.add(app, "jingpin", "J2-ATTACH", "pass",
              f"2022年已获资助并完成的精品项目，已提交{'、'.join(renewal_set)}（只需这两项）")
    else:
        also = (f"；或按2022年已获资助并完成的精品项目只提交{'、'.join(renewal_set)}（缺{'、'.join(missing_renewal)}）"
                if renewal else "")
        v.add(app, "jingpin", "J2-ATTACH", "fail", f"缺少附件：{'、'.join(missing_full)}{also}")
    bad = [f for f in files if "教材" in f and any(f.endswith(x) or f.endswith("." + x) for x in
                                                 policy.attachments.forbidden_material)]
    if bad:
        v.add(app, "jingpin", "J2-PPT", "fail", f"培训教材清单不得为 PPT：{'、'.join(bad)}")


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
    terms = policy.rules["P2"].terms or ("二十大",)
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
            notes.append("P2-MISSING：年度计划中没有党的二十大精神学习内容（应列为必修课）")
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
                                rules=set(RULES), history_ids=set(history["history_id"]), policy=policy,
                                roster_units=set(roster["unit"]) if roster is not None and roster.height else None)
    matches = match_history(apps, history, threshold=policy.history.name_similarity, overrides=overrides)
    facts = _history_facts(matches, policy)
    execution, rate_notes = _unit_execution(history, policy) if "funded" in history.columns else ({}, [])
    v = _Verdicts(overrides)
    money = {t.id for t in policy.tracks if t.kind == "money"}
    u2 = policy.rules["U2"]
    pf = policy.rules.get("PF")
    deadline = policy.deadline
    funded_year = policy.history.funded_year
    app_rows = apps.to_dicts()
    rate_by_unit: dict[str, list[str]] = defaultdict(list)
    for unit, message in rate_notes:
        rate_by_unit[unit].append(message)
    for app in app_rows:
        tracks = app["declared"]
        app_facts = facts.get(app["app_id"], {"runs": [], "basis": {}, "renewal": False})
        if no_history:
            app_facts = {**app_facts, "no_history": True}
        if not tracks:
            cat = app.get("category")
            v.add(app, None, "T-CATEGORY", "fail",
                  f"培训类别「{cat}」不属于可申请院级资助的类别（研修班、短期班、学术讲坛、管理类），"
                  "或精品/人社部申报的类别不是研修班、短期班")
        if app.get("unit_match") == "ambiguous":
            v.add(app, None, "U0-UNIT", "fail",
                  f"申报单位「{app.get('unit_raw') or app['unit']}」不在单位名册中，又与名册中的单位相近，无法确定是哪个单位"
                  "（否则它可能借另一个名称避开“每所一项”或往年执行率的规则）；请在人工决定中写 unit_alias 或 unit_distinct")
        for tid in tracks:
            track = policy.track(tid)
            _check_track(app, track, policy, app_facts, v)
            if tid in money:
                budget = app.get("budget")
                if budget is None or budget <= 0:
                    v.add(app, tid, "B1-AMOUNT", "fail",
                          f"申请{track.name}经费资助，经费预算为「{'未填' if budget is None else f'{budget:g}'}」，"
                          "应为大于 0 的金额（万元）")
                if not u2.enabled:
                    pass
                elif no_history:
                    v.add(app, tid, "U2-UNCHECKED", "pending",
                          f"未提供往年项目，无法核对{app['unit']} {funded_year}年度院级资助项目的实施和经费执行率（待核）")
                if app["unit"] in execution:
                    code, message = execution[app["unit"]]
                    # 原则上: excluded by default; with U2 switched off it stays visible as a warning.
                    v.add(app, tid, code, "fail" if u2.enabled else "warn", message)
                for message in rate_by_unit.get(app["unit"], []):
                    v.add(app, tid, "U2-RATE-CONFLICT", "warn", message)
        _check_platform(app, policy, v, pf.mode if pf and pf.enabled else "soft")
        scope = app.get("open_scope")
        if scope and policy.openness(scope) is None:
            v.add(app, None, "PF-SCOPE", "warn", f"培训公开范围「{scope}」不在政策文件 open_scope 的写法中，按不公开处理")
        sub = app.get("submitted_at")
        if policy.rules["P1"].enabled and sub is not None and sub > deadline:
            v.add(app, None, "P1-LATE", "warn", f"上报时间 {sub:%Y-%m-%d}，晚于截止日期 {deadline:%Y-%m-%d}")
    _per_unit_limits(apps, policy, v)
    verdicts = v.frame()
    summary = _summarise(apps, verdicts)
    units = _unit_report(plans, apps, roster, policy, execution)
    return Eligibility(applications=apps, verdicts=verdicts, summary=summary, units=units, history_matches=matches)


def _rank_key(app: dict) -> tuple:
    rank = app.get("support_rank")
    return (rank if rank is not None else 10**6, app["app_id"])


def _per_unit_limits(apps: pl.DataFrame, policy: Policy, v: _Verdicts) -> None:
    """G1 (≤ 1 人社部 per unit, hard) and U1 (one 院级资助 per 研究所, soft: warn)."""
    rows = apps.to_dicts()
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for a in rows:
        by_unit[a["unit"]].append(a)
    for t in policy.tracks:
        if not t.max_per_unit:
            continue
        for unit, items in by_unit.items():
            entrants = sorted((a for a in items if t.id in a["declared"]), key=_rank_key)
            for a in entrants[t.max_per_unit:]:
                kept = "、".join(f"{k['app_id']}「{k['train_name']}」" for k in entrants[:t.max_per_unit])
                v.add(a, t.id, "G1-PER-UNIT", "fail",
                      f"{unit} 申报了 {len(entrants)} 项{t.name}，每单位最多 {t.max_per_unit} 项；"
                      f"按资助推荐排序保留 {kept}")
    u1 = policy.rules["U1"]
    if not u1.enabled:
        return
    limit = u1.max_per_institute or 1
    for unit, items in by_unit.items():
        if items[0].get("unit_kind") != "institute" or len(items) <= limit:
            continue
        ordered = sorted(items, key=_rank_key)
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

