"""The selection's knobs as plain data (:class:`SelectOptions`), and its catalogue of reason codes and statuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from casplan.errors import PolicyError
from casplan.policy.model import Quota

__all__ = ["SCORE_RESOLUTION", "UNIT_TYPES", "REASONS", "STATUS_TEXT", "SelectOptions", "Quota"]


SCORE_RESOLUTION = 0.01
"""Scores are rounded to this many points before selection (0.01 分)."""


UNIT_TYPES = frozenset({"institute", "branch", "department", "other"})


REASONS: dict[str, str] = {
    "S-CHOSEN": "入选：在名额、经费和单位限制下使总分最高的方案选中了该项目；说明给出其排名及高出本类别未入选最高分的幅度。",
    "S-FORCED-IN": "强制入选：分析人员指定入选，方案在其符合条件的类别中为其保留名额。",
    "S-FORCED-OUT": "强制排除：分析人员指定不入选，不参与本次遴选。",
    "S-CUTOFF": "低于入选线：本类别名额已满，该项目得分低于本类别入选项目的最低分（入选线）；说明给出其排名、入选线和差距。",
    "S-TIE": "同分未入选：得分与本类别入选线相同，按排序链（并列规则）排在入选项目之后。",
    "S-UNIT": "同单位限制：同单位已有项目入选，受“每个研究所原则上 1 个院级资助项目”（U1）或“每单位人社部高研最多 1 项”的限制；说明指出占用名额的项目。",
    "S-BUDGET": "经费不足：剩余预算（或本类别经费上限）不足以支付该项目；说明给出剩余经费和所需经费。",
    "S-TRADEOFF": "整体取舍：单看名额、单位和经费均不受阻，但计入该项目须同时调整其他入选项目，总分反而下降。",
    "S-INFEASIBLE": "无可行方案：约束相互冲突，未能形成方案，见冲突说明。",
}
"""Reason codes of :attr:`Selection.decisions` and their meaning (the docs are generated from it)."""


STATUS_TEXT: dict[str, str] = {
    "optimal": "已求得最优方案",
    "time_limit": "达到求解时间上限，返回当前最好方案（未证明最优）",
    "infeasible": "约束无法同时满足，无可行方案",
    "error": "求解器未能给出方案",
}
"""Chinese text of each solver status."""


class FrozenMap(Mapping):
    """A read-only, hashable mapping that keeps its insertion order (for the options)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items(), key=lambda kv: str(kv[0]))))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and self._data == dict(other)

    def __repr__(self) -> str:
        return repr(self._data)


@dataclass(frozen=True)
class SelectOptions:
    """Every knob of the selection, as plain data (no policy parsing here).

    Parameters
    ----------
    quotas : track id → :class:`Quota`; every track in the candidates needs one.
    money_tracks : tracks whose cost counts against the budget (学术讲坛 is support, not money).
    budget_total : cap on the total cost of the money tracks (万元); ``None`` = no cap.
    budget_per_track : optional caps per money track (万元).
    max_grant : cap of the grant per pair in a track (万元), applied as ``min(cost, cap)``.
    one_per_unit : rule U1 on/off.
    one_per_unit_types : unit types U1 applies to (研究所 = ``institute``).
    one_per_unit_tracks : tracks U1 counts; ``None`` = all tracks.
    one_per_unit_max : how many pairs U1 allows per unit.
    max_per_unit : track → most pairs one unit may have in it (人社部高研: 1), any unit type.
    track_priority : at equal score, an application is placed in the earlier track.
    fallback : primary track → the track its applications may also compete in *only when the primary
        is full* (人社部高研 → 精品, 指南三(二)): an application with a pair in both may be chosen in the
        fallback track only if the primary track's quota is filled.
    forced_in, forced_out : application ids the analyst forces in (in some eligible track) or out.
    track_names : Chinese names used in messages.
    time_limit : seconds each HiGHS call may take; a selection found at the limit has
        status ``time_limit`` (feasible, not proven optimal, and no longer guaranteed
        identical across machines).

    Mappings and sets are frozen on construction (the options are hashable,
    fit for a what-if cache); build a new object with :func:`dataclasses.replace`
    to change an option.
    """

    quotas: Mapping[str, Quota]
    money_tracks: frozenset[str] = frozenset()
    budget_total: float | None = None
    budget_per_track: Mapping[str, float] = field(default_factory=dict)
    max_grant: Mapping[str, float] = field(default_factory=dict)
    one_per_unit: bool = True
    one_per_unit_types: frozenset[str] = frozenset({"institute"})
    one_per_unit_tracks: frozenset[str] | None = None
    one_per_unit_max: int = 1
    max_per_unit: Mapping[str, int] = field(default_factory=dict)
    track_priority: tuple[str, ...] = ()
    fallback: Mapping[str, str] = field(default_factory=dict)
    forced_in: frozenset[str] = frozenset()
    forced_out: frozenset[str] = frozenset()
    track_names: Mapping[str, str] = field(default_factory=dict)
    time_limit: float = 30.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("quotas", "budget_per_track", "max_grant", "max_per_unit", "track_names", "fallback"):
            set_(self, name, FrozenMap(getattr(self, name)))
        for name in ("money_tracks", "one_per_unit_types", "forced_in", "forced_out"):
            set_(self, name, frozenset(getattr(self, name)))
        if self.one_per_unit_tracks is not None:
            set_(self, "one_per_unit_tracks", frozenset(self.one_per_unit_tracks))
        set_(self, "track_priority", tuple(self.track_priority))
        for track, spec in self.quotas.items():
            if not isinstance(spec, Quota):
                raise PolicyError(f"类别「{track}」的名额设置应为 Quota，而不是「{spec!r}」")
        money = [("budget_total", self.budget_total)] if self.budget_total is not None else []
        money += [(f"budget_per_track.{t}", v) for t, v in self.budget_per_track.items()]
        money += [(f"max_grant.{t}", v) for t, v in self.max_grant.items()]
        for what, value in money:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise PolicyError(f"经费设置「{what}」为「{value}」，应为不小于 0 的数（万元）")
        limits = [("one_per_unit_max", self.one_per_unit_max)]
        limits += [(f"max_per_unit.{t}", v) for t, v in self.max_per_unit.items()]
        for what, value in limits:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PolicyError(f"单位限制「{what}」为「{value}」，应为非负整数")

    def name(self, track: str) -> str:
        """Chinese name of ``track`` (its id when unknown)."""
        return self.track_names.get(track, track)
