"""The analyst's decisions, recorded with a reason and an author, and checked against the data.

An overrides file (YAML, or xlsx/csv with the same columns) lists entries::

    - action: waive            # waive | force_include | force_exclude | confirm_history | reject_history
      app: A23-3fb21f2ed6      # the application id (申报编号) as shown everywhere
      rule: J1-DAYS            # for waive: a rule id (U2) or a reason code (J1-DAYS)
      track: jingpin           # optional: limit to one track
      history: H-1a2b3c4d5e    # for confirm_history / reject_history
      unit: 中国科学院XX研究所   # instead of app, for unit-wide waivers (U2)
      reason: 经处务会研究同意豁免
      author: 刘杨

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

__all__ = ["Override", "Overrides", "parse_overrides", "read_overrides", "ACTIONS"]

Action = Literal["waive", "force_include", "force_exclude", "confirm_history", "reject_history"]
ACTIONS: dict[str, str] = {
    "waive": "豁免规则",
    "force_include": "强制入选",
    "force_exclude": "强制不入选",
    "confirm_history": "确认往年项目匹配",
    "reject_history": "否定往年项目匹配",
}
_KEYS = {"action", "app", "unit", "rule", "track", "history", "reason", "author"}
_ZH_KEYS = {"操作": "action", "申报编号": "app", "单位名称": "unit", "规则": "rule", "类别": "track",
            "往年项目编号": "history", "理由": "reason", "经办人": "author"}


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
        entry = {_ZH_KEYS.get(str(k).strip(), str(k).strip()): (None if v is None else str(v).strip())
                 for k, v in raw.items()}
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise OverrideError(f"{where}：未知的键「{'、'.join(unknown)}」（可用：{'、'.join(sorted(_KEYS))}）",
                                file=source)
        action = entry.get("action")
        if action not in ACTIONS:
            raise OverrideError(f"{where}：action 为「{action}」，应为 {'、'.join(ACTIONS)} 之一", file=source)
        for required in ("reason", "author"):
            if not entry.get(required):
                raise OverrideError(f"{where}：缺少「{required}」（{'理由' if required == 'reason' else '经办人'}），"
                                    "每项人工决定都须写明理由和经办人", file=source)
        if not entry.get("app") and not (action == "waive" and entry.get("unit")):
            raise OverrideError(f"{where}：缺少 app（申报编号）" + ("或 unit（单位名称）" if action == "waive" else ""),
                                file=source)
        if action == "waive" and not entry.get("rule"):
            raise OverrideError(f"{where}：豁免须写明 rule（规则编号，如 U2 或 J1-DAYS）", file=source)
        if action in ("confirm_history", "reject_history") and not entry.get("history"):
            raise OverrideError(f"{where}：须写明 history（往年项目编号，如 H-…）", file=source)
        out.append(Override(action=action, reason=entry["reason"], author=entry["author"], app=entry.get("app"),
                            unit=entry.get("unit"), rule=entry.get("rule"), track=entry.get("track"),
                            history=entry.get("history"), where=where))
    return Overrides(tuple(out))


def check_overrides(overrides: Overrides, *, app_ids: set[str], units: set[str], tracks: set[str],
                    rules: set[str], history_ids: set[str]) -> None:
    """Raise :class:`OverrideError` for the first entry that names something that does not exist."""
    for e in overrides.entries:
        if e.app and e.app not in app_ids:
            raise OverrideError(f"{e.where}：申报编号「{e.app}」不存在（没有这项申报），请核对编号", value=e.app)
        if e.unit and e.unit not in units:
            raise OverrideError(f"{e.where}：单位「{e.unit}」不在本年度申报单位中", value=e.unit)
        if e.track and e.track not in tracks:
            raise OverrideError(f"{e.where}：类别「{e.track}」不存在（可用：{'、'.join(sorted(tracks))}）", value=e.track)
        if e.rule and e.rule.split("-", 1)[0] not in rules:
            raise OverrideError(f"{e.where}：规则「{e.rule}」不存在（可用：{'、'.join(sorted(rules))}）", value=e.rule)
        if e.history and e.history not in history_ids:
            raise OverrideError(f"{e.where}：往年项目编号「{e.history}」不存在", value=e.history)


def read_overrides(path: str | os.PathLike | None) -> Overrides:
    """Read an overrides file: YAML (a list of entries) or a table (xlsx/csv) with the same columns."""
    if path is None:
        return Overrides()
    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml"):
        from casplan.io import read_yaml

        return parse_overrides(read_yaml(p), source=str(p))
    from casplan.io import read_plain_table

    frame = read_plain_table(p)
    entries = [{k: v for k, v in row.items() if k != "source_row" and v is not None} for row in frame.to_dicts()]
    return parse_overrides(entries, source=str(p))


def as_frame(overrides: Overrides) -> pl.DataFrame:
    """The overrides as a table with Chinese headers (for the report)."""
    return pl.DataFrame(
        [(ACTIONS[e.action], e.app, e.unit, e.rule, e.track, e.history, e.reason, e.author) for e in overrides.entries],
        schema={"操作": pl.Utf8, "申报编号": pl.Utf8, "单位名称": pl.Utf8, "规则": pl.Utf8, "类别": pl.Utf8,
                "往年项目编号": pl.Utf8, "理由": pl.Utf8, "经办人": pl.Utf8}, orient="row")
