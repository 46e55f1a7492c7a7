"""The analyst's decisions, recorded with a reason and an author, and checked against the data.

An overrides file (YAML, or xlsx/csv with the same columns) lists entries::

    - action: waive            # waive | force_include | force_exclude | confirm_history | reject_history
                               # | unit_alias | unit_distinct | unit_type
      app: A23-3fb21f2ed6      # the application id (申报编号) as shown everywhere
      rule: J1-DAYS            # for waive: a rule id (U2) or a reason code (J1-DAYS)
      track: jingpin           # optional: limit to one track
      history: H-1a2b3c4d5e    # for confirm_history / reject_history
      unit: 中国科学院XX研究所   # instead of app, for unit-wide waivers (U2)
      reason: 经处务会研究同意豁免
      author: 刘杨
    - action: unit_alias       # a spelling of a roster unit: 计算所 is 中国科学院计算技术研究所
      unit_raw: 计算所
      unit: 中国科学院计算技术研究所
    - action: unit_distinct    # a similarity match that is wrong: this name is its own unit
      unit_raw: 中国科学院化学物理研究所
    - action: unit_type        # the type of a unit the roster does not list (confirms an inference)
      unit: 中国科学院某某中心
      unit_type: 研究所

Every entry needs ``reason`` and ``author``; an entry naming an application,
unit, track, rule or history row that does not exist is an error, not ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from casplan.errors import OverrideError

__all__ = ["Override", "Overrides", "parse_overrides", "read_overrides", "read_overrides_source", "check_overrides",
           "nearest_ids", "unknown_id_message", "as_frame", "ACTIONS"]

Action = Literal["waive", "force_include", "force_exclude", "confirm_history", "reject_history",
                 "unit_alias", "unit_distinct", "unit_type"]
ACTIONS: dict[str, str] = {
    "waive": "豁免规则",
    "force_include": "强制入选",
    "force_exclude": "强制不入选",
    "confirm_history": "确认往年项目匹配",
    "reject_history": "否定往年项目匹配",
    "unit_alias": "确认单位写法",
    "unit_distinct": "否定单位相似匹配",
    "unit_type": "确定单位类型",
}
_ACTION_WORDS = {v: k for k, v in ACTIONS.items()}
_KEYS = {"action", "app", "unit", "rule", "track", "history", "reason", "author", "unit_raw", "unit_type"}
_ZH_KEYS = {"操作": "action", "申报编号": "app", "单位名称": "unit", "规则": "rule", "类别": "track",
            "往年项目编号": "history", "理由": "reason", "经办人": "author", "原单位名称": "unit_raw",
            "单位写法": "unit_raw", "单位类型": "unit_type"}


@dataclass(frozen=True)
class Override:
    action: Action
    reason: str
    author: str
    app: str | None = None
    unit: str | None = None
    rule: str | None = None
    track: str | None = None
    history: str | None = None
    unit_raw: str | None = None
    unit_type: str | None = None
    where: str = ""

    def describe(self) -> str:
        return f"{ACTIONS[self.action]}（{self.author}：{self.reason}）"


@dataclass(frozen=True)
class Overrides:
    entries: tuple[Override, ...] = ()

    def of(self, action: str) -> tuple[Override, ...]:
        return tuple(e for e in self.entries if e.action == action)

    def waiver(self, app_id: str, unit: str, track: str, code: str) -> Override | None:
        """The waiver that covers a failing ``code`` (e.g. ``J1-DAYS``) of an application, if any."""
        rule = code.split("-", 1)[0]
        for e in self.of("waive"):
            if e.rule not in (code, rule):
                continue
            if e.track and e.track != track:
                continue
            if (e.app and e.app == app_id) or (e.unit and not e.app and e.unit == unit):
                return e
        return None

    @property
    def forced_in(self) -> frozenset[str]:
        return frozenset(e.app for e in self.of("force_include") if e.app)

    @property
    def forced_out(self) -> frozenset[str]:
        return frozenset(e.app for e in self.of("force_exclude") if e.app)


def parse_overrides(entries: list[dict] | None, *, source: str = "<overrides>") -> Overrides:
    """Check the shape of override entries (not yet against the data: see :meth:`check`)."""
    if entries is None:
        return Overrides()
    if isinstance(entries, dict) and set(entries) == {"overrides"}:
        entries = entries["overrides"]
    if not isinstance(entries, list):
        raise OverrideError(f"{source}：应为条目列表（每条含 action、app、reason、author）", file=source)
    out = []
    for i, raw in enumerate(entries, start=1):
        where = f"{source} 第 {i} 条"
        if not isinstance(raw, dict):
            raise OverrideError(f"{where}：应为键值表，实际为「{raw!r}」", file=source)
        from casplan.intake.normalize import clean_text

        entry = {_ZH_KEYS.get(str(k).strip(), str(k).strip()): (None if v is None else clean_text(str(v)))
                 for k, v in raw.items()}
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise OverrideError(f"{where}：未知的键「{'、'.join(unknown)}」（可用：{'、'.join(sorted(_KEYS))}）",
                                file=source)
        action = _ACTION_WORDS.get(entry.get("action") or "", entry.get("action"))
        if action not in ACTIONS:
            raise OverrideError(f"{where}：action 为「{entry.get('action')}」，应为 "
                                f"{'、'.join(f'{k}（{v}）' for k, v in ACTIONS.items())} 之一", file=source)
        for required in ("reason", "author"):
            if not entry.get(required):
                raise OverrideError(f"{where}：缺少「{required}」（{'理由' if required == 'reason' else '经办人'}），"
                                    "每项人工决定都须写明理由和经办人", file=source)
        if action in ("unit_alias", "unit_distinct") and not entry.get("unit_raw"):
            raise OverrideError(f"{where}：须写明 unit_raw（导出中的单位写法）", file=source)
        if action == "unit_alias" and not entry.get("unit"):
            raise OverrideError(f"{where}：须写明 unit（名册中的单位名称）", file=source)
        if action == "unit_type" and not (entry.get("unit") and entry.get("unit_type")):
            raise OverrideError(f"{where}：须写明 unit（单位名称）和 unit_type（单位类型，如 研究所、分院、院机关部门）",
                                file=source)
        unit_action = action in ("unit_alias", "unit_distinct", "unit_type")
        if not unit_action and not entry.get("app") and not (action == "waive" and entry.get("unit")):
            raise OverrideError(f"{where}：缺少 app（申报编号）" + ("或 unit（单位名称）" if action == "waive" else ""),
                                file=source)
        if action == "waive" and not entry.get("rule"):
            raise OverrideError(f"{where}：豁免须写明 rule（规则编号，如 U2 或 J1-DAYS）", file=source)
        if action in ("confirm_history", "reject_history") and not entry.get("history"):
            raise OverrideError(f"{where}：须写明 history（往年项目编号，如 H-…）", file=source)
        out.append(Override(action=action, reason=entry["reason"], author=entry["author"], app=entry.get("app"),
                            unit=entry.get("unit"), rule=entry.get("rule"), track=entry.get("track"),
                            history=entry.get("history"), unit_raw=entry.get("unit_raw"),
                            unit_type=entry.get("unit_type"), where=where))
    return Overrides(tuple(out))


def nearest_ids(wanted: str, known: set[str] | frozenset[str], n: int = 3) -> list[str]:
    """The known application ids most like a mistyped one (for 「不存在的申报编号」 messages).

    >>> sorted(nearest_ids("P230021", {"P2300021", "P2300121", "A23-3fb21f2ed6"}))
    ['P2300021', 'P2300121']
    """
    import difflib

    return difflib.get_close_matches(str(wanted), sorted(known), n=n, cutoff=0.6)


def unknown_id_message(wanted: str, known: set[str] | frozenset[str]) -> str:
    """「不存在的申报编号」 with the nearest ids, for every place a person types an id."""
    near = nearest_ids(wanted, known)
    return f"不存在的申报编号「{wanted}」" + (f"；最接近的编号：{'、'.join(near)}" if near else "；请按审查结果中显示的申报编号填写")


def check_overrides(overrides: Overrides, *, app_ids: set[str], units: set[str], tracks: set[str] | None = None,
                    rules: set[str], history_ids: set[str], policy=None,
                    roster_units: set[str] | None = None) -> Overrides:
    """Check every entry against the data; return the entries with tracks and unit types as ids.

    Tracks and unit types may be written the analyst's way (专业技术研修班, 研修班, yanxiu; 研究所);
    ``policy`` resolves them. Raises :class:`OverrideError` for the first entry that names an
    application, unit, track, rule or history row that does not exist (with the nearest ids).
    """
    from dataclasses import replace

    from casplan.errors import PolicyError

    out = []
    for e in overrides.entries:
        if e.app and e.app not in app_ids:
            raise OverrideError(f"{e.where}：{unknown_id_message(e.app, app_ids)}", value=e.app)
        known_units = units | (roster_units or set())
        if e.action != "unit_alias" and e.unit and e.unit not in known_units:
            raise OverrideError(f"{e.where}：单位「{e.unit}」不在本年度申报单位中", value=e.unit)
        if e.action == "unit_alias" and roster_units is not None and e.unit not in roster_units:
            raise OverrideError(f"{e.where}：单位「{e.unit}」不在单位名册中（unit_alias 须指向名册中的单位）", value=e.unit)
        if e.track:
            if policy is not None:
                try:
                    e = replace(e, track=policy.resolve_track(e.track).id)
                except PolicyError as exc:
                    raise OverrideError(f"{e.where}：{exc}", value=e.track) from None
            elif tracks is not None and e.track not in tracks:
                raise OverrideError(f"{e.where}：类别「{e.track}」不存在（可用：{'、'.join(sorted(tracks))}）",
                                    value=e.track)
        if e.unit_type and policy is not None:
            try:
                kind = policy.resolve_unit_type(e.unit_type)
            except PolicyError as exc:
                raise OverrideError(f"{e.where}：{exc}", value=e.unit_type) from None
            e = replace(e, unit_type=policy.unit_types[kind][0] if policy.unit_types.get(kind) else e.unit_type)
        if e.rule and e.rule.split("-", 1)[0] not in rules:
            raise OverrideError(f"{e.where}：规则「{e.rule}」不存在（可用：{'、'.join(sorted(rules))}）", value=e.rule)
        if e.history and e.history not in history_ids:
            raise OverrideError(f"{e.where}：往年项目编号「{e.history}」不存在", value=e.history)
        out.append(e)
    return Overrides(tuple(out))


def read_overrides(path: str | os.PathLike | None) -> Overrides:
    """Read an overrides file: YAML (a list of entries) or a table (xlsx/csv) with the same columns."""
    return read_overrides_source(path)[0]


def read_overrides_source(path: str | os.PathLike | None):
    """:func:`read_overrides` and the :class:`casplan.io.Source` read (``None`` without a file)."""
    if path is None:
        return Overrides(), None
    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml"):
        from casplan.io import read_yaml_source

        data, source = read_yaml_source(p, kind="overrides")
        return parse_overrides(data, source=str(p)), source
    from casplan.io import read_plain_table_source

    frame, source = read_plain_table_source(p, kind="overrides")
    entries = [{k: v for k, v in row.items() if k != "source_row" and v is not None} for row in frame.to_dicts()]
    return parse_overrides(entries, source=str(p)), source


def as_frame(overrides: Overrides) -> pl.DataFrame:
    """The overrides as a table with Chinese headers (for the report)."""
    return pl.DataFrame(
        [(ACTIONS[e.action], e.app, e.unit or e.unit_raw, e.rule, e.track, e.history, e.reason, e.author)
         for e in overrides.entries],
        schema={"操作": pl.Utf8, "申报编号": pl.Utf8, "单位名称": pl.Utf8, "规则": pl.Utf8, "类别": pl.Utf8,
                "往年项目编号": pl.Utf8, "理由": pl.Utf8, "经办人": pl.Utf8}, orient="row")
