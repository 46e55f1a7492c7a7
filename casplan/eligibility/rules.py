"""The rules of the notice as declared checks: one function per check, parameterised by the policy.

A track of the policy names its rule id (``rule: Y1``) and the checks that apply to it, in order
(``checks: [apply_funding, min_days, audience, budget: B1, execution: U2]``); each check reads its
parameters from the track (``min_days: 3``) or from the policy's sections (``attachments``,
``open_scope``, ``rules.U2``, ``history``). A check's reason codes are ``<rule>-<SUFFIX>``: the
track's rule id, or the one written beside the check (``attachments: J2``). No check knows a
track by its id, and every text is filled from the policy, so a new notice is a new policy file.

The checks of one application run in :func:`run_checks`; the checks across a unit's applications
(``per_unit``) in :func:`run_unit_checks`. :func:`rule_texts` and :func:`reason_texts` render the
catalogue of rules and reason codes of a policy (the report, the what-if and the guide read them).

>>> from casplan.policy import load_policy
>>> p = load_policy()
>>> rule_texts(p)["Y1"]
'专业技术研修班：“是否申请资助”为“是”；不少于 3 天；适用岗位含科研（提示）'
>>> reason_texts(p)["U2-LOW-RATE"]
'单位2022年度院级资助项目经费执行率低于50%'
>>> sorted(CHECKS) == sorted(CHECK_PARAMS)
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casplan.policy import CHECK_PARAMS, Policy, Track
from casplan.policy.model import UNIT_TYPE_LABELS

__all__ = ["CHECKS", "Check", "GENERAL_RULES", "GENERAL_REASONS", "rule_texts", "reason_texts", "rule_ids",
           "run_checks", "run_unit_checks", "fmt", "support_order", "Context"]


def fmt(x: float | None) -> str:
    """A number as the messages show it: ``3``, ``3.5``; ``（未填）`` for a blank."""
    return "（未填）" if x is None else f"{x:g}"


@dataclass(frozen=True)
class Check:
    """A registered check: its function, the code suffixes it may emit and what they mean.

    ``reasons`` maps a suffix (``DAYS``) to a template of the reason text, filled with the track
    (``{track}``, ``{short}``) and the policy (``{funded_year}``, ``{deadline}``, ``{rate}``);
    ``describe`` renders the requirement for the rule text of the track.
    """

    name: str
    run: Callable[..., None]
    reasons: dict[str, str]
    describe: Callable[[Track, Policy], str]
    scope: str = "application"   # or "unit": runs once over all applications (per_unit)


CHECKS: dict[str, Check] = {}


def _register(name: str, reasons: dict[str, str], describe: Callable[[Track, Policy], str], *,
              scope: str = "application") -> Callable:
    if name not in CHECK_PARAMS:
        raise RuntimeError(f"check {name!r} is not declared in casplan.policy.CHECK_PARAMS")

    def deco(fn: Callable) -> Callable:
        CHECKS[name] = Check(name, fn, reasons, describe, scope)
        return fn
    return deco


@dataclass
class Context:
    """What a check may read besides the application: the policy, the history facts, the verdict sink."""

    policy: Policy
    facts: dict
    add: Callable[[dict, str | None, str, str, str], None]
    execution: dict[str, tuple[str, str]] = field(default_factory=dict)
    rate_notes: dict[str, list[str]] = field(default_factory=dict)
    no_history: bool = False


def _short(track: Track) -> str:
    return track.aliases[0] if track.aliases else track.name


# --- flags -------------------------------------------------------------------------------------

@_register("apply_funding", {"FLAG": "{track}未在“是否申请资助”选“是”"}, lambda t, p: "“是否申请资助”为“是”")
def _apply_funding(ctx: Context, app: dict, t: Track, rule: str) -> None:
    if app.get("apply_funding"):
        ctx.add(app, t.id, f"{rule}-FLAG", "pass", "“是否申请资助”为“是”")
    else:
        said = "否" if app.get("apply_funding") is False else "未填"
        ctx.add(app, t.id, f"{rule}-FLAG", "fail", f"{t.name}须在“是否申请资助”一栏选“是”，本项目为“{said}”")


@_register("apply_support", {"FLAG": "{track}未在“是否申请专项技术支持”选“是”"},
           lambda t, p: "“是否申请专项技术支持”为“是”")
def _apply_support(ctx: Context, app: dict, t: Track, rule: str) -> None:
    if app.get("apply_support"):
        ctx.add(app, t.id, f"{rule}-FLAG", "pass", "“是否申请专项技术支持”为“是”")
    else:
        ctx.add(app, t.id, f"{rule}-FLAG", "fail", f"{t.name}须在“是否申请专项技术支持”一栏选“是”")


@_register("support_only", {"MONEY": "{track}申请经费资助：{track}获得的是专项技术支持而非经费"},
           lambda t, p: "获得的是专项技术支持而非经费")
def _support_only(ctx: Context, app: dict, t: Track, rule: str) -> None:
    if app.get("apply_funding") and not app.get("apply_support"):
        ctx.add(app, t.id, f"{rule}-MONEY", "fail",
                f"{t.name}申请了经费资助但未申请专项技术支持：院对{t.name}提供的是课程拍摄制作、直播等专项技术支持，不是经费")


@_register("entry_flag", {"JINGPIN": "未在“精品项目”一栏选“是”"}, lambda t, p: "“精品项目”为“是”")
def _entry_flag(ctx: Context, app: dict, t: Track, rule: str) -> None:
    if app.get("wants_jingpin") or app.get("wants_mohrss"):
        ctx.add(app, t.id, f"{rule}-JINGPIN", "pass", "“精品项目”为“是”")
    else:
        ctx.add(app, t.id, f"{rule}-JINGPIN", "fail", f"{t.name}须在“精品项目”一栏选“是”")


# --- minimums --------------------------------------------------------------------------------

@_register("min_days", {"DAYS": "{track}天数不足"}, lambda t, p: f"不少于 {t.min_days:g} 天")
def _min_days(ctx: Context, app: dict, t: Track, rule: str) -> None:
    days = app.get("days")
    if days is not None and days >= t.min_days:
        ctx.add(app, t.id, f"{rule}-DAYS", "pass", f"天数 {fmt(days)} 天，不少于{t.name}最低 {t.min_days:g} 天")
    else:
        ctx.add(app, t.id, f"{rule}-DAYS", "fail", f"天数 {fmt(days)} 天，少于{t.name}最低 {t.min_days:g} 天")


@_register("min_trainees", {"TRAINEES": "{track}学员人数不足"}, lambda t, p: f"学员不少于 {t.min_trainees:g} 人")
def _min_trainees(ctx: Context, app: dict, t: Track, rule: str) -> None:
    n = app.get("trainees")
    if n is not None and n >= t.min_trainees:
        ctx.add(app, t.id, f"{rule}-TRAINEES", "pass", f"学员 {fmt(n)} 人，不少于 {t.min_trainees:g} 人")
    else:
        ctx.add(app, t.id, f"{rule}-TRAINEES", "fail", f"学员 {fmt(n)} 人，少于{t.name}最低 {t.min_trainees:g} 人")


@_register("min_lectures", {"LECTURES": "{track}场次不足"}, lambda t, p: f"每年不少于 {t.min_lectures:g} 场")
def _min_lectures(ctx: Context, app: dict, t: Track, rule: str) -> None:
    n = app.get("lectures")
    if n is not None and n >= t.min_lectures:
        ctx.add(app, t.id, f"{rule}-LECTURES", "pass", f"讲座 {fmt(n)} 场，不少于 {t.min_lectures:g} 场")
    else:
        ctx.add(app, t.id, f"{rule}-LECTURES", "fail", f"讲座 {fmt(n)} 场，少于{t.name}每年最低 {t.min_lectures:g} 场")


@_register("min_lecture_hours", {"HOURS": "{track}单场学时不足"},
           lambda t, p: f"单场不少于 {t.min_lecture_hours:g} 学时")
def _min_lecture_hours(ctx: Context, app: dict, t: Track, rule: str) -> None:
    h = app.get("lecture_hours")
    if h is not None and h >= t.min_lecture_hours:
        ctx.add(app, t.id, f"{rule}-HOURS", "pass", f"单场 {fmt(h)} 学时，不少于 {t.min_lecture_hours:g} 学时")
    else:
        ctx.add(app, t.id, f"{rule}-HOURS", "fail", f"单场 {fmt(h)} 学时，少于最低 {t.min_lecture_hours:g} 学时")


@_register("foreign_experts", {"FOREIGN": "{track}未邀请国外一流科研机构或大学的专家"},
           lambda t, p: "鼓励邀请国外一流科研机构或大学的专家（提示）")
def _foreign_experts(ctx: Context, app: dict, t: Track, rule: str) -> None:
    if app.get("foreign_experts") is False:
        ctx.add(app, t.id, f"{rule}-FOREIGN", "warn", "未邀请国外一流科研机构或大学的专家（通知鼓励邀请）")


@_register("audience", {"AUDIENCE": "{track}的适用岗位不含{stations}类（{note}）"},
           lambda t, p: f"适用岗位含{'或'.join(t.audience.stations)}（提示）")
def _audience(ctx: Context, app: dict, t: Track, rule: str) -> None:
    station = app.get("station")
    if station and not any(s in station for s in t.audience.stations):
        if len(t.audience.stations) == 1:
            ctx.add(app, t.id, f"{rule}-AUDIENCE", "warn",
                    f"适用岗位为「{station}」，不含{t.audience.stations[0]}类；{t.audience.note}")
        else:
            ctx.add(app, t.id, f"{rule}-AUDIENCE", "warn", f"适用岗位为「{station}」；{t.audience.note}")


@_register("joint", {"JOINT": "联合施训（加分项）"}, lambda t, p: "联合施训为加分项")
def _joint(ctx: Context, app: dict, t: Track, rule: str) -> None:
    if app.get("joint_units"):
        ctx.add(app, t.id, f"{rule}-JOINT", "info", f"与「{app['joint_units']}」联合施训（加分项）")


# --- history, openness, attachments ---------------------------------------------------------------

def _prior_wanted(t: Track, p: Policy) -> str:
    names = p.track_names
    return "、".join([names[x] for x in t.prior_tracks] + [f"获院级资助的{names[x]}" for x in t.prior_funded_tracks])


@_register("prior", {"HISTORY": "{track}此前未举办过（未找到往年{wanted}）"},
           lambda t, p: f"至少举办过 {t.min_prior_runs or 1} 次（{_prior_wanted(t, p)}）")
def _prior(ctx: Context, app: dict, t: Track, rule: str) -> None:
    code = f"{rule}-HISTORY"
    wanted = _prior_wanted(t, ctx.policy)
    if ctx.no_history:
        ctx.add(app, t.id, code, "pending", f"未提供往年项目，无法核对此前是否举办过{wanted}（待核）")
        return
    basis = ctx.facts.get("basis", {}).get(t.id, [])
    if len(basis) >= (t.min_prior_runs or 1):
        ctx.add(app, t.id, code, "pass", "此前举办过：" + "；".join(basis))
    else:
        seen = ctx.facts.get("runs", [])
        ctx.add(app, t.id, code, "fail",
                f"未找到此前举办过的{wanted}" + ("（找到的往年项目：" + "；".join(seen) + "）" if seen else ""))


@_register("open", {"OPEN": "{track}未面向院内单位开放"}, lambda t, p: "面向院内单位开放")
def _open(ctx: Context, app: dict, t: Track, rule: str) -> None:
    scope = app.get("open_scope")
    entry = ctx.policy.openness(scope)
    short = _short(t)
    if entry is not None and entry.open:
        ctx.add(app, t.id, f"{rule}-OPEN", "pass", f"培训公开范围「{scope}」，面向院内单位开放")
    elif entry is None and scope:
        ctx.add(app, t.id, f"{rule}-OPEN", "fail", f"培训公开范围「{scope}」不在政策文件规定的写法中，按不公开处理；"
                                                    f"{short}应面向院内单位开放（如确为面向院内开放，请核实后人工豁免）")
    else:
        ctx.add(app, t.id, f"{rule}-OPEN", "fail", f"培训公开范围「{scope or '未填'}」，{short}应面向院内单位开放")


def _split_files(text: str | None) -> list[str]:
    return [f.strip() for f in (text or "").replace(";", "；").replace(",", "；").replace("，", "；")
            .replace("、", "；").split("；") if f.strip()]


@_register("attachments", {"ATTACH": "{track}附件不全", "PPT": "培训教材清单不得为 PPT",
                           "RENEWAL": "{funded_year}年已获资助并完成的{short}，只需{renewal}"},
           lambda t, p: (f"附件：{'、'.join(p.attachments.full)}（培训教材清单不含 PPT）；"
                         f"{p.history.funded_year}年已获资助并完成的只需{'、'.join(p.attachments.renewal)}"))
def _attachments(ctx: Context, app: dict, t: Track, rule: str) -> None:
    files = _split_files(app.get("attachments"))
    a, year, short = ctx.policy.attachments, ctx.policy.history.funded_year, _short(t)
    renewal = t.id in ctx.facts.get("renewal", ())
    missing_full = [n for n in a.full if not any(n in f for f in files)]
    missing_renewal = [n for n in a.renewal if not any(n in f for f in files)]
    if not missing_full:
        ctx.add(app, t.id, f"{rule}-ATTACH", "pass", f"附件齐全：{'、'.join(a.full)}")
    elif renewal and not missing_renewal:
        ctx.add(app, t.id, f"{rule}-ATTACH", "pass",
                f"{year}年已获资助并完成的{short}，已提交{'、'.join(a.renewal)}（只需这两项）")
    else:
        also = (f"；或按{year}年已获资助并完成的{short}只提交{'、'.join(a.renewal)}（缺{'、'.join(missing_renewal)}）"
                if renewal else "")
        ctx.add(app, t.id, f"{rule}-ATTACH", "fail", f"缺少附件：{'、'.join(missing_full)}{also}")
    bad = [f for f in files if "教材" in f and any(f.endswith(x) or f.endswith("." + x) for x in a.forbidden_material)]
    if bad:
        ctx.add(app, t.id, f"{rule}-PPT", "fail", f"培训教材清单不得为 PPT：{'、'.join(bad)}")


# --- bands, unit types, per unit -------------------------------------------------------------

@_register("days_band", {"DAYS": "{track}天数不在“{days_about}天左右”的范围内"},
           lambda t, p: f"{t.days_about:g} 天左右（{t.days_band[0]:g}–{t.days_band[1]:g} 天）")
def _days_band(ctx: Context, app: dict, t: Track, rule: str) -> None:
    days, (lo, hi) = app.get("days"), t.days_band
    ok = days is not None and lo <= days <= hi
    ctx.add(app, t.id, f"{rule}-DAYS", "pass" if ok else "fail",
            f"天数 {fmt(days)} 天，{'在' if ok else '不在'}“{t.days_about:g}天左右”的范围 {lo:g}–{hi:g} 天内")


@_register("trainees_band", {"TRAINEES": "{track}人数不在“{trainees_about}人左右”的范围内"},
           lambda t, p: f"{t.trainees_about:g} 人左右（{t.trainees_band[0]:g}–{t.trainees_band[1]:g} 人）")
def _trainees_band(ctx: Context, app: dict, t: Track, rule: str) -> None:
    n, (lo, hi) = app.get("trainees"), t.trainees_band
    ok = n is not None and lo <= n <= hi
    ctx.add(app, t.id, f"{rule}-TRAINEES", "pass" if ok else "fail",
            f"学员 {fmt(n)} 人，{'在' if ok else '不在'}“{t.trainees_about:g}人左右”的范围 {lo:g}–{hi:g} 人内")


def _allowed_units(t: Track) -> str:
    return "、".join(UNIT_TYPE_LABELS.get(u, u) for u in t.unit_types)


@_register("unit_types", {"UNIT": "{track}只能由{allowed}申报"}, lambda t, p: f"仅{_allowed_units(t)}可申报")
def _unit_types(ctx: Context, app: dict, t: Track, rule: str) -> None:
    kind, source = app.get("unit_kind"), app.get("unit_type_source")
    how = f"（{source}）" if source and source != "名册" else ""
    if kind in t.unit_types:
        ctx.add(app, t.id, f"{rule}-UNIT", "pass", f"申报单位类型为「{app.get('unit_type')}」{how}")
    else:
        shown = app.get("unit_type") or "未知（名册中没有该单位，也无法按名称推断）"
        ctx.add(app, t.id, f"{rule}-UNIT", "fail", f"申报单位类型为「{shown}」{how}，{t.name}只能由{_allowed_units(t)}申报")


def support_order(app: dict) -> tuple:
    """The unit's own order of its applications: 资助推荐排序, then the id (unranked last)."""
    rank = app.get("support_rank")
    return (rank if rank is not None else 10**6, app["app_id"])


@_register("per_unit", {"PER-UNIT": "同一单位申报了多项{track}（最多{max_per_unit}项）"},
           lambda t, p: f"每单位最多 {t.max_per_unit} 项", scope="unit")
def _per_unit(ctx: Context, by_unit: dict[str, list[dict]], t: Track, rule: str) -> None:
    for unit, items in by_unit.items():
        entrants = sorted((a for a in items if t.id in a["declared"]), key=support_order)
        for a in entrants[t.max_per_unit:]:
            kept = "、".join(f"{k['app_id']}「{k['train_name']}」" for k in entrants[:t.max_per_unit])
            ctx.add(a, t.id, f"{rule}-PER-UNIT", "fail",
                    f"{unit} 申报了 {len(entrants)} 项{t.name}，每单位最多 {t.max_per_unit} 项；按资助推荐排序保留 {kept}")


# --- money ---------------------------------------------------------------------------------------

@_register("budget", {"AMOUNT": "申请经费资助的项目经费预算为空或为 0"}, lambda t, p: "经费预算大于 0")
def _budget(ctx: Context, app: dict, t: Track, rule: str) -> None:
    budget = app.get("budget")
    if budget is None or budget <= 0:
        ctx.add(app, t.id, f"{rule}-AMOUNT", "fail",
                f"申请{t.name}经费资助，经费预算为「{'未填' if budget is None else f'{budget:g}'}」，应为大于 0 的金额（万元）")


@_register("execution", {
    "NOT-IMPLEMENTED": "单位{funded_year}年度院级资助项目未实施",
    "LOW-RATE": "单位{funded_year}年度院级资助项目经费执行率低于{rate}",
    "UNCHECKED": "未提供往年项目，无法核对单位{funded_year}年度院级资助项目的执行情况（待核）",
    "RATE-CONFLICT": "往年项目中“执行率”与“已支出/资助金额”不一致（提示）",
}, lambda t, p: "上一年度院级资助项目已实施且执行率达标")
def _execution(ctx: Context, app: dict, t: Track, rule: str) -> None:
    switch = ctx.policy.rules.get(rule)
    enabled = switch is None or switch.enabled
    if enabled and ctx.no_history:
        ctx.add(app, t.id, f"{rule}-UNCHECKED", "pending",
                f"未提供往年项目，无法核对{app['unit']} {ctx.policy.history.funded_year}年度院级资助项目的实施和经费执行率（待核）")
    if app["unit"] in ctx.execution:
        suffix, message = ctx.execution[app["unit"]]
        # 原则上: excluded by default; with the rule switched off it stays visible as a warning.
        ctx.add(app, t.id, f"{rule}-{suffix}", "fail" if enabled else "warn", message)
    for message in ctx.rate_notes.get(app["unit"], []):
        ctx.add(app, t.id, f"{rule}-RATE-CONFLICT", "warn", message)


# --- running -------------------------------------------------------------------------------------

def run_checks(ctx: Context, app: dict, track: Track) -> None:
    """The application-level checks of ``track``, in the order the policy lists them."""
    for name, rule in track.checks:
        c = CHECKS[name]
        if c.scope == "application":
            c.run(ctx, app, track, rule)


def run_unit_checks(ctx: Context, apps: list[dict], policy: Policy) -> None:
    """The checks across a unit's applications (``per_unit``), track by track."""
    by_unit: dict[str, list[dict]] = {}
    for a in apps:
        by_unit.setdefault(a["unit"], []).append(a)
    for t in policy.tracks:
        for name, rule in t.checks:
            c = CHECKS[name]
            if c.scope == "unit":
                c.run(ctx, by_unit, t, rule)


# --- the catalogue -------------------------------------------------------------------------------

GENERAL_RULES: dict[str, str] = {
    "T": "申报类别：由培训类别与申报栏目确定参加哪个类别的遴选",
    "P1": "按时报送（{deadline:%Y年%-m月%-d日}前）；名册中未报送的单位",
    "P2": "年度计划包含{p2_subject}（必修课）",
    "U1": "原则上每个研究所申报{u1_max}个院级资助项目",
    "U2": "{funded_year}年度院级资助项目未实施或经费执行率低于{rate}的单位原则上不予资助",
    "PF": "平台表单规则：学时与天数相符、人均每日经费不超标准、工作人员人数、文字长度、外埠地点",
    "B1": "统筹兼顾、精打细算：申请经费资助须有大于 0 的经费预算",
    "U0": "申报单位须能确定：名称与名册中的单位相近而又不同的，须人工确认后才参加遴选",
}
"""Rules that hold for every track (or the whole plan): templates filled from the policy."""

GENERAL_REASONS: dict[str, str] = {
    "T-CATEGORY": "申报了院级资助，但培训类别不属于可资助的类别",
    "T-NONE": "未勾选任何申报栏目",
    "P1-LATE": "上报时间晚于截止日期",
    "P1-MISSING": "名册中的单位未报送年度计划",
    "P2-MISSING": "单位年度计划中没有{p2_subject}内容",
    "U0-UNIT": "申报单位不在名册中，又与名册中的单位相近，无法确定是哪个单位（须人工确认）",
    "U1-EXTRA": "研究所申报了多项院级资助项目，按单位的资助推荐排序只计第1项",
    "PF-HOURS": "学时与天数不符（每日不超过8学时，除报到撤离外每日须满8学时）",
    "PF-FEE": "人均每日经费超过标准",
    "PF-STAFF": "工作人员超过10人或超过学员人数的10%",
    "PF-TEXT": "培训目的/培训内容字数不在10–300之间，或培训对象超过300字",
    "PF-PLACE": "选择外埠但未填具体地点",
    "PF-SCOPE": "培训公开范围的写法不在政策文件 open_scope 中，按不公开处理（提示）",
}
"""Reason codes outside the tracks' checks: templates filled from the policy."""


def _fill(policy: Policy) -> dict[str, Any]:
    p2 = policy.rules.get("P2")
    u1 = policy.rules.get("U1")
    return {"deadline": policy.deadline, "funded_year": policy.history.funded_year,
            "rate": f"{policy.history.min_execution_rate:.0%}", "year": policy.year,
            "p2_subject": (p2.subject or "、".join(p2.terms)) if p2 else "",
            "u1_max": (u1.max_per_institute or 1) if u1 else 1, "renewal": "、".join(policy.attachments.renewal)}


def _track_fill(t: Track, policy: Policy) -> dict[str, Any]:
    return {"track": t.name, "short": _short(t),
            "wanted": _prior_wanted(t, policy) if (t.prior_tracks or t.prior_funded_tracks) else "",
            "stations": "或".join(t.audience.stations) if t.audience else "",
            "note": t.audience.note if t.audience else "",
            "days_about": f"{t.days_about:g}" if t.days_about else "",
            "trainees_about": f"{t.trainees_about:g}" if t.trainees_about else "",
            "allowed": _allowed_units(t), "max_per_unit": t.max_per_unit or ""}


def rule_texts(policy: Policy) -> dict[str, str]:
    """Rule id → what the rule requires, for this policy: T, P1, P2, each track's own rules, then the rest."""
    base = _fill(policy)
    own: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for t in policy.tracks:
        for name, rule in t.checks:
            if rule in GENERAL_RULES:
                continue
            own.setdefault(rule, []).append(CHECKS[name].describe(t, policy))
            names.setdefault(rule, t.name)
    out = {rid: GENERAL_RULES[rid].format(**base) for rid in ("T", "P1", "P2")}
    for rule, parts in own.items():
        out[rule] = f"{names[rule]}：" + "；".join(dict.fromkeys(parts))
    for rid, text in GENERAL_RULES.items():
        out.setdefault(rid, text.format(**base))
    return out


def reason_texts(policy: Policy) -> dict[str, str]:
    """Reason code → its meaning, for this policy (every code a verdict may carry)."""
    base = _fill(policy)
    out: dict[str, str] = {}
    for code, text in GENERAL_REASONS.items():
        if code.startswith(("T-", "U0-")):
            out[code] = text.format(**base)
    for t in policy.tracks:
        fill = {**base, **_track_fill(t, policy)}
        for name, rule in t.checks:
            for suffix, text in CHECKS[name].reasons.items():
                out.setdefault(f"{rule}-{suffix}", text.format(**fill))
    for code, text in GENERAL_REASONS.items():
        out.setdefault(code, text.format(**base))
    return out


def rule_ids(policy: Policy) -> set[str]:
    """Every rule id a verdict, a waiver or a scenario may name under this policy."""
    return set(rule_texts(policy))
