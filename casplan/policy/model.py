"""The year's rules as data: a policy YAML parsed into frozen dataclasses.

Every number of the notice (quotas, minimum days and trainees, the deadline,
the 50% execution threshold, the 15万 subsidy cap, the platform's fee caps …)
lives in ``casplan/policy/<year>.yaml``. A new year's notice needs a new
file, not new code. Unknown and missing keys are errors, named in Chinese.

>>> policy = load_policy()
>>> policy.year, policy.track("yanxiu").min_days
(2023, 3.0)
>>> policy.track("mohrss").max_grant
15.0
>>> policy.track("yanxiu").quota_range, policy.track("yanxiu").quota_about
((0, 10), (8, 12))
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from casplan.errors import PolicyError

__all__ = [
    "Policy",
    "Track",
    "Quota",
    "Audience",
    "CHECK_PARAMS",
    "CHECK_KEYS",
    "GENERAL_RULE_IDS",
    "DECLARED_BY",
    "HistoryRules",
    "Platform",
    "Attachments",
    "RuleSwitch",
    "Scoring",
    "load_policy",
    "default_policy_path",
    "policy_hash",
    "UNIT_TYPE_LABELS",
    "CRITERIA",
    "IntakeRules",
    "UnitRules",
    "OpenScope",
    "policy_warnings",
    "find_policy",
    "parse_policy",
    "QuotaMode",
    "TrackKind",
    "CALIBRATIONS",
]

TrackKind = Literal["money", "support"]
QuotaMode = Literal["ceiling", "band"]

# The scoring criteria a policy may weigh (documented in casplan.scoring).
CRITERIA = ("direction", "scale", "duration", "openness", "joint", "track_record", "attachments", "cost", "unit_rank")

# How the expert reviews are calibrated before they enter the score (documented in casplan.scoring).
CALIBRATIONS = {"percentile": "按专家百分位", "z": "按专家标准分", "raw": "原始分"}

UNIT_TYPE_LABELS = {
    "institute": "研究所",
    "branch": "分院",
    "department": "院机关部门",
    "other": "其他单位",
}


CHECK_PARAMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "apply_funding": ((), ()),
    "apply_support": ((), ()),
    "support_only": ((), ()),
    "entry_flag": ((), ()),
    "min_days": (("min_days",), ()),
    "min_trainees": (("min_trainees",), ()),
    "min_lectures": (("min_lectures",), ()),
    "min_lecture_hours": (("min_lecture_hours",), ()),
    "foreign_experts": ((), ()),
    "audience": (("audience",), ()),
    "joint": ((), ()),
    "prior": ((), ("prior_tracks", "prior_funded_tracks", "min_prior_runs")),
    "open": ((), ()),
    "attachments": ((), ()),
    "days_band": (("days_about", "days_band"), ()),
    "trainees_band": (("trainees_about", "trainees_band"), ()),
    "unit_types": (("unit_types",), ()),
    "per_unit": (("max_per_unit",), ()),
    "budget": ((), ()),
    "execution": ((), ()),
}
"""The checks a track may list (``checks:``) → (the track keys it needs, the keys it may use).

The implementations are :data:`casplan.eligibility.rules.CHECKS`; a key a track sets that no
listed check uses is an error (a rule written down that would silently not apply)."""

CHECK_KEYS = frozenset(k for need, may in CHECK_PARAMS.values() for k in (*need, *may))
"""Track keys that are parameters of a check."""

GENERAL_RULE_IDS = ("T", "P1", "P2", "U0", "U1", "U2", "B1", "PF")
"""Rule ids that hold for every track; a track's own ``rule`` may not be one of them."""

DECLARED_BY = ("funding", "jingpin", "mohrss")
"""How an application enters a track: 是否申请资助/专项技术支持, the 精品项目 column, 同时申报人社部高研."""


@dataclass(frozen=True)
class Quota:
    """A track's quota, one meaning everywhere (the CLI, the pipeline, the what-if and the report).

    ``target`` places, ``tolerance`` the 左右 of the notice. ``ceiling``: at most ``target`` are
    chosen (``bounds`` = 0 … target); ``band``: between target − tolerance and target + tolerance.
    ``about`` is the range the analyst may move the target in (target ± tolerance: the what-if's
    slider and the CLI's ``--quota``).

    >>> Quota(10, 2).bounds, Quota(10, 2, "band").bounds, Quota(10, 2).about
    ((0, 10), (8, 12), (8, 12))
    >>> Quota(10, 2).moved(8)
    Quota(target=8, tolerance=2, mode='ceiling')
    """

    target: int
    tolerance: int = 0
    mode: QuotaMode = "ceiling"

    def __post_init__(self) -> None:
        for name in ("target", "tolerance"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PolicyError(f"名额设置「{name}」为「{value}」，应为非负整数")
        if self.mode not in ("ceiling", "band"):
            raise PolicyError(f"名额方式「{self.mode}」无效，应为 ceiling（上限）或 band（区间）")

    @property
    def lower(self) -> int:
        """Fewest places the selection must fill."""
        return max(self.target - self.tolerance, 0) if self.mode == "band" else 0

    @property
    def upper(self) -> int:
        """Most places the selection may fill."""
        return self.target + self.tolerance if self.mode == "band" else self.target

    @property
    def bounds(self) -> tuple[int, int]:
        return self.lower, self.upper

    @property
    def about(self) -> tuple[int, int]:
        """The range 左右 allows the target to move in: target ± tolerance."""
        return max(self.target - self.tolerance, 0), self.target + self.tolerance

    def moved(self, target: int) -> "Quota":
        """The same quota with another target (tolerance and mode kept)."""
        from dataclasses import replace

        return replace(self, target=max(int(target), 0))

    def shifted(self, delta: int) -> "Quota":
        """The same quota with ``target`` moved by ``delta`` (not below 0)."""
        return self.moved(self.target + delta)


@dataclass(frozen=True)
class Audience:
    """Who a track is for (适用岗位 must name one of ``stations``; a warning otherwise)."""

    stations: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Track:
    """One selection track (遴选类别): its rule id, how applications enter it, its checks and their parameters."""

    id: str
    name: str
    kind: TrackKind
    categories: tuple[str, ...]
    quota: int
    rule: str = ""
    declared_by: str = "funding"
    checks: tuple[tuple[str, str], ...] = ()
    tolerance: int = 0
    quota_mode: QuotaMode = "ceiling"
    min_days: float | None = None
    min_trainees: float | None = None
    min_lectures: float | None = None
    min_lecture_hours: float | None = None
    min_prior_runs: int | None = None
    days_about: float | None = None
    days_band: tuple[float, float] | None = None
    trainees_about: float | None = None
    trainees_band: tuple[float, float] | None = None
    audience: Audience | None = None
    max_grant: float | None = None
    max_per_unit: int | None = None
    fallback: str | None = None
    fallback_when: Literal["full"] = "full"
    unit_types: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    prior_tracks: tuple[str, ...] = ()
    prior_funded_tracks: tuple[str, ...] = ()

    @property
    def quota_spec(self) -> Quota:
        """The track's :class:`Quota` (target, tolerance, mode)."""
        return Quota(self.quota, self.tolerance, self.quota_mode)

    @property
    def quota_range(self) -> tuple[int, int]:
        """(fewest, most) places the selection may fill (:attr:`Quota.bounds`)."""
        return self.quota_spec.bounds

    @property
    def quota_about(self) -> tuple[int, int]:
        """The range 左右 allows the target to move in (:attr:`Quota.about`)."""
        return self.quota_spec.about

    def uses(self, check: str) -> bool:
        """Whether the track lists ``check``."""
        return any(name == check for name, _ in self.checks)


@dataclass(frozen=True)
class IntakeRules:
    """How cells are read (the policy's ``intake``): 学时 length, the plan year's margin, limits."""

    minutes_per_class_hour: float = 60.0
    date_margin_days: int = 31
    money_unit_factor: float = 20.0
    max_file_mb: float = 200
    max_uncompressed_mb: float = 200
    max_rows: int = 1_000_000
    max_columns: int = 16_384
    max_cells: int = 30_000_000
    max_cell_kb: float = 1024

    @property
    def limits(self):
        """The :class:`casplan.io.Limits` these rules set."""
        from casplan.io import Limits

        return Limits(max_file_bytes=int(self.max_file_mb * 1048576),
                      max_uncompressed_bytes=int(self.max_uncompressed_mb * 1048576), max_rows=self.max_rows,
                      max_columns=self.max_columns, max_cells=self.max_cells,
                      max_cell_bytes=int(self.max_cell_kb * 1024))


@dataclass(frozen=True)
class UnitRules:
    """How written unit names are resolved (the policy's ``units``; see :mod:`casplan.intake.units`)."""

    similarity: float
    hold_similarity: float
    department_suffixes: tuple[str, ...]
    names: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class OpenScope:
    """One line of the 培训公开范围 table: the words, whether it is open to CAS units, its score."""

    words: tuple[str, ...]
    open: bool
    score: float


@dataclass(frozen=True)
class HistoryRules:
    funded_year: int
    as_of: dt.date
    min_execution_rate: float
    name_similarity: float


@dataclass(frozen=True)
class RuleSwitch:
    """A rule the notice states 原则上 (soft): on/off, and its parameters."""

    mode: Literal["hard", "soft"]
    enabled: bool
    max_per_institute: int | None = None
    terms: tuple[str, ...] = ()
    subject: str = ""


@dataclass(frozen=True)
class Attachments:
    """The attachment lists (指南二(三)): the full set, the renewal set, forbidden material formats."""

    full: tuple[str, ...]
    renewal: tuple[str, ...]
    forbidden_material: tuple[str, ...]


@dataclass(frozen=True)
class Platform:
    fee_caps: dict[str, float]
    max_hours_per_day: float
    staff_max: float
    staff_ratio: float
    text_min: int
    text_max: int
    attendants_max: int


@dataclass(frozen=True)
class ReviewRound:
    """The expert review round: how many experts per application, whom they must not review, the form.

    Every criterion of the form is scored on ``scale`` (e.g. 0–100); an expert's review of an application
    is the mean of the criteria, the 评分 that scoring calibrates."""

    per_application: int = 3
    avoid_same_branch: bool = False
    max_load: int = 30
    scale: tuple[float, float] = (0.0, 100.0)
    criteria: tuple[str, ...] = ("培训需求与定位", "内容与师资", "组织实施与预期效果")


@dataclass(frozen=True)
class Scoring:
    match_threshold: float
    review_weight: float
    tie_break: tuple[str, ...]
    weights: dict[str, dict[str, float]]
    calibration: str = "percentile"  # a key of CALIBRATIONS

    def weights_for(self, track: str) -> dict[str, float]:
        """The criteria weights of a track (its own, else ``default``)."""
        return dict(self.weights.get(track, self.weights["default"]))


@dataclass(frozen=True)
class Policy:
    """A whole year's policy. Build it with :func:`load_policy`."""

    year: int
    notice: str
    deadline: dt.date
    directions: str
    history: HistoryRules
    unit_types: dict[str, tuple[str, ...]]
    categories: dict[str, tuple[str, ...]]
    tracks: tuple[Track, ...]
    attachments: Attachments
    rules: dict[str, RuleSwitch]
    budget_total: float | None
    budget_per_track: dict[str, float]
    platform: Platform
    scoring: Scoring
    units: UnitRules
    intake: IntakeRules
    open_scope: tuple[OpenScope, ...]
    history_categories: dict[str, tuple[str, ...]]
    review_round: ReviewRound = field(default_factory=ReviewRound)
    source: str = field(default="", compare=False)
    sources: tuple = field(default=(), compare=False)
    vocabulary: Any = field(default=None, compare=False, repr=False)

    def track(self, track_id: str) -> Track:
        for t in self.tracks:
            if t.id == track_id:
                return t
        known = "、".join(t.id for t in self.tracks)
        raise PolicyError(f"政策中没有类别「{track_id}」，已有的类别为：{known}")

    def resolve_track(self, text: str, *, what: str = "类别") -> Track:
        """The track a person typed: its Chinese name, a short form of the policy (``aliases``) or its id.

        >>> p = load_policy()
        >>> p.resolve_track("专业技术研修班").id, p.resolve_track("人社部").id, p.resolve_track("jingpin").id
        ('yanxiu', 'mohrss', 'jingpin')
        """
        key = _fold_words(text)
        for t in self.tracks:
            if key in {_fold_words(w) for w in (t.id, t.name, *t.aliases)}:
                return t
        names = "、".join(t.name for t in self.tracks)
        raise PolicyError(f"未知的{what}「{text}」；可用的类别：{names}（也可写简称，如"
                          f"{'、'.join(a for t in self.tracks for a in t.aliases[:1])}）")

    def resolve_unit_type(self, text: str) -> str:
        """The unit-type key of what a person typed (研究所, 分院, 院机关部门 … or the key itself)."""
        kind = self.unit_type_of(text)
        if kind is None:
            labels = "、".join(f"{v[0]}" for v in self.unit_types.values() if v)
            raise PolicyError(f"未知的单位类型「{text}」；可用：{labels}")
        return kind

    def history_track_of(self, raw: str | None) -> str | None:
        """The track id an earlier year's 项目类别 stands for (the notice's names and their variants)."""
        if raw is None:
            return None
        key = _fold_words(raw)
        for tid, names in self.history_categories.items():
            if key in {_fold_words(n) for n in names} or key == _fold_words(tid):
                return tid
        for t in self.tracks:
            if key in {_fold_words(w) for w in (t.name, *t.aliases)}:
                return t.id
        return None

    def openness(self, scope: str | None) -> OpenScope | None:
        """The line of the 培训公开范围 table a value matches (first in order); ``None`` when none does."""
        if not scope:
            return None
        text = "".join(str(scope).split())
        for entry in self.open_scope:
            if any(w in text for w in entry.words):
                return entry
        return None

    @property
    def track_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.tracks)

    @property
    def track_names(self) -> dict[str, str]:
        return {t.id: t.name for t in self.tracks}

    def category_of(self, raw: str | None) -> str | None:
        """The plan category (研修班, 短期班 …) a raw 培训类别 value stands for."""
        if raw is None:
            return None
        text = "".join(str(raw).split())
        for category, names in self.categories.items():
            if text in names:
                return category
        return None

    def unit_type_of(self, raw: str | None) -> str | None:
        """The unit-type key (institute, branch, department, other) of a roster label."""
        if raw is None:
            return None
        text = "".join(str(raw).split())
        for key, names in self.unit_types.items():
            if text in names or text == key:
                return key
        return None

    def quota_warnings(self, quotas: "dict[str, int]") -> list[str]:
        """Targets set outside the range 左右 allows (the policy's quota ± tolerance), one Chinese line each.

        >>> load_policy().quota_warnings({"yanxiu": 7, "duanqi": 10})
        ['专业技术研修班名额设为 7，超出政策文件“10个左右”允许调整的范围 8–12']
        """
        out = []
        for t in self.tracks:
            n = quotas.get(t.id)
            lo, hi = t.quota_about
            if n is not None and not lo <= n <= hi:
                out.append(f"{t.name}名额设为 {n}，超出政策文件“{t.quota}个左右”允许调整的范围 {lo}–{hi}")
        return out

    def directions_path(self) -> Path:
        """The direction vocabulary file named by the policy, next to the policy file."""
        base = Path(self.source).parent if self.source else Path(str(resources.files("casplan") / "policy"))
        return base / self.directions

    def with_changes(self, **changes: Any) -> "Policy":
        """A copy with some top-level fields replaced (used by the what-if)."""
        from dataclasses import replace

        return replace(self, **changes)


def packaged_policy_years() -> list[int]:
    """The years whose policy file ships with the package, oldest first."""
    folder = Path(str(resources.files("casplan") / "policy"))
    return sorted(int(p.stem) for p in folder.glob("[0-9][0-9][0-9][0-9].yaml"))


def default_policy_path(year: int | None = None) -> Path:
    """The packaged policy file of ``year``; without a year, the newest packaged one."""
    if year is None:
        years = packaged_policy_years()
        year = years[-1] if years else 0
    return Path(str(resources.files("casplan") / "policy" / f"{year}.yaml"))


def find_policy(year: int) -> Path:
    """The packaged policy of ``year``; a clear error when the package has none.

    Raises
    ------
    PolicyError
        When no policy of that year is packaged (write one and pass it with ``--policy``).
    """
    path = default_policy_path(year)
    if not path.exists():
        have = sorted(p.stem for p in path.parent.glob("[0-9][0-9][0-9][0-9].yaml"))
        raise PolicyError(f"没有 {year} 年度的政策文件（内置的只有 {'、'.join(have)} 年度）；"
                          f"请按 {year} 年度的通知写政策文件，并用 --policy 指定")
    return path


def _fold_words(text: object) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


def policy_warnings(policy: "Policy") -> list[str]:
    """Dates and years of a policy that do not fit its plan year (a file copied and not fully rewritten)."""
    out = []
    y = policy.year
    if not (dt.date(y - 1, 1, 1) <= policy.deadline <= dt.date(y, 1, 31)):
        out.append(f"deadline（报送截止日期）为 {policy.deadline:%Y-%m-%d}，与计划年度 {y} 不符"
                   f"（{y} 年度的计划应在 {y - 1} 年内报送）")
    if policy.history.funded_year != y - 1:
        out.append(f"history.funded_year 为 {policy.history.funded_year}，计划年度 {y} 应核对 {y - 1} 年度的院级资助项目")
    if policy.history.as_of.year != policy.history.funded_year:
        out.append(f"history.as_of（执行率统计截止日期）为 {policy.history.as_of:%Y-%m-%d}，"
                   f"不在 {policy.history.funded_year} 年度内")
    for t in policy.tracks:
        if t.kind == "money":
            lacking = [c for c in ("budget", "execution") if not t.uses(c)]
            if lacking:
                out.append(f"经费资助类别「{t.name}」的 checks 中没有 {'、'.join(lacking)}"
                           "（经费预算大于 0、上一年度执行率），如非有意，请补上")
    if str(y) not in policy.notice:
        out.append(f"notice（通知名称）中没有出现 {y}：「{policy.notice}」")
    return out


def policy_hash(path: str | Path | None = None) -> str:
    """SHA-256 over the policy file's and its direction vocabulary's own SHA-256 (as read)."""
    policy = load_policy(path)
    digest = hashlib.sha256()
    for src in policy.sources:
        digest.update(src.sha256.encode())
    return digest.hexdigest()


# --- parsing ---------------------------------------------------------------------------------

class _Reader:
    """Walks a YAML mapping, reporting unknown, missing and ill-typed keys with their path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, what: str) -> PolicyError:
        return PolicyError(f"政策文件 {self.source}：{where} {what}")

    def mapping(self, value: Any, where: str, *, required: set[str], optional: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"应为键值表，实际为「{value!r}」")
        keys = set(map(str, value))
        unknown = sorted(keys - required - set(optional))
        if unknown:
            allowed = "、".join(sorted(required | set(optional)))
            raise self.fail(where, f"有未知的键「{'、'.join(unknown)}」（可用的键：{allowed}）；请检查拼写")
        missing = sorted(required - keys)
        if missing:
            raise self.fail(where, f"缺少必需的键「{'、'.join(missing)}」")
        return {str(k): v for k, v in value.items()}

    def number(self, value: Any, where: str, *, low: float | None = None, high: float | None = None) -> float:
        import math

        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, f"应为数字，实际为「{value!r}」")
        try:
            finite = math.isfinite(value)
        except OverflowError:
            finite = False
        if not finite:
            raise self.fail(where, f"应为有限的数字，实际为「{value!r}」（NaN、无穷大会让规则永远不起作用）")
        if low is not None and value < low or high is not None and value > high:
            raise self.fail(where, f"为 {value}，超出允许范围 [{low}, {high}]")
        return float(value)

    def integer(self, value: Any, where: str, *, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or value > 10**12:
            shown = repr(value) if not isinstance(value, int) or abs(value) < 10**15 else f"{str(value)[:12]}…（{len(str(value))} 位）"
            raise self.fail(where, f"应为不小于 {low} 的整数，实际为「{shown}」")
        return value

    def boolean(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"应为 true 或 false，实际为「{value!r}」")
        return value

    def date(self, value: Any, where: str) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(where, f"应为日期（如 2022-11-14），实际为「{value!r}」") from None

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"应为非空文字，实际为「{value!r}」")
        return value

    def texts(self, value: Any, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, f"应为文字列表，实际为「{value!r}」")
        return tuple(value)

    def band(self, value: Any, where: str) -> tuple[float, float]:
        if not isinstance(value, list) or len(value) != 2:
            raise self.fail(where, f"应为 [下限, 上限]，实际为「{value!r}」")
        low, high = (self.number(v, where) for v in value)
        if low > high:
            raise self.fail(where, f"下限 {low} 大于上限 {high}")
        return low, high


_TRACK_REQUIRED = {"id", "name", "kind", "categories", "quota", "rule", "checks"}
_TRACK_OPTIONAL = {f.name for f in fields(Track)} - _TRACK_REQUIRED
_TRACK_NUMBERS = {"min_days", "min_trainees", "min_lectures", "min_lecture_hours", "days_about",
                  "trainees_about", "max_grant"}
_TRACK_INTS = {"tolerance", "min_prior_runs", "max_per_unit"}
_TRACK_TEXTS = {"aliases", "prior_tracks", "prior_funded_tracks"}
_RULE_ID = re.compile(r"[A-Z][A-Z0-9]{0,5}")


def _checks(r: "_Reader", value: Any, where: str, rule: str) -> tuple[tuple[str, str], ...]:
    """``[apply_funding, min_days, attachments: J2]`` → ((check, rule id), …)."""
    if not isinstance(value, list) or not value:
        raise r.fail(where, "应为检查的列表，如 [apply_funding, min_days]（可用的检查见政策文件开头的说明）")
    out: list[tuple[str, str]] = []
    for item in value:
        if isinstance(item, dict) and len(item) == 1:
            name, rid = next(iter(item.items()))
            if not isinstance(rid, str) or not _RULE_ID.fullmatch(rid):
                raise r.fail(where, f"中「{name}: {rid!r}」的规则编号应为大写字母开头的编号（如 J2）")
        elif isinstance(item, str):
            name, rid = item, rule
        else:
            raise r.fail(where, f"中的「{item!r}」应为检查名称，或「检查: 规则编号」")
        if name not in CHECK_PARAMS:
            raise r.fail(where, f"中的检查「{name}」不存在（可用：{'、'.join(CHECK_PARAMS)}）；请检查拼写")
        if any(n == name for n, _ in out):
            raise r.fail(where, f"中检查「{name}」重复")
        out.append((str(name), rid))
    return tuple(out)


def _track(r: _Reader, raw: Any, where: str, categories: dict, unit_types: dict) -> Track:
    m = r.mapping(raw, where, required=_TRACK_REQUIRED, optional=_TRACK_OPTIONAL)
    kw: dict[str, Any] = {"id": r.text(m["id"], f"{where}.id"), "name": r.text(m["name"], f"{where}.name")}
    if m["kind"] not in ("money", "support"):
        raise r.fail(f"{where}.kind", f"应为 money（经费资助）或 support（专项技术支持），实际为「{m['kind']}」")
    kw["kind"] = m["kind"]
    kw["categories"] = r.texts(m["categories"], f"{where}.categories")
    for c in kw["categories"]:
        if c not in categories:
            raise r.fail(f"{where}.categories", f"中的「{c}」不在 categories 中")
    kw["quota"] = r.integer(m["quota"], f"{where}.quota")
    rule = r.text(m["rule"], f"{where}.rule")
    if not _RULE_ID.fullmatch(rule) or rule in GENERAL_RULE_IDS:
        raise r.fail(f"{where}.rule", f"应为本类别自己的规则编号（大写字母开头，如 Y1），不能是通用规则"
                                      f"{'、'.join(GENERAL_RULE_IDS)}；实际为「{rule}」")
    kw["rule"] = rule
    kw["checks"] = _checks(r, m["checks"], f"{where}.checks", rule)
    for key, value in m.items():
        if key in _TRACK_NUMBERS:
            kw[key] = r.number(value, f"{where}.{key}", low=0)
        elif key in _TRACK_INTS:
            kw[key] = r.integer(value, f"{where}.{key}", low=1 if key == "max_per_unit" else 0)
        elif key in ("days_band", "trainees_band"):
            kw[key] = r.band(value, f"{where}.{key}")
        elif key == "quota_mode":
            if value not in ("ceiling", "band"):
                raise r.fail(f"{where}.quota_mode", f"应为 ceiling 或 band，实际为「{value}」")
            kw[key] = value
        elif key == "declared_by":
            if value not in DECLARED_BY:
                raise r.fail(f"{where}.declared_by", f"应为 funding（是否申请资助/专项技术支持）、jingpin（精品项目）"
                                                     f"或 mohrss（同时申报人社部高研），实际为「{value}」")
            kw[key] = value
        elif key == "fallback":
            kw[key] = r.text(value, f"{where}.fallback")
        elif key == "fallback_when":
            if value != "full":
                raise r.fail(f"{where}.fallback_when", f"应为 full（本类别名额已满时才按 fallback 类别参加遴选），实际为「{value}」")
            kw[key] = value
        elif key == "audience":
            a = r.mapping(value, f"{where}.audience", required={"stations", "note"})
            kw[key] = Audience(stations=r.texts(a["stations"], f"{where}.audience.stations"),
                               note=r.text(a["note"], f"{where}.audience.note"))
        elif key in _TRACK_TEXTS:
            kw[key] = r.texts(value, f"{where}.{key}")
        elif key == "unit_types":
            kw[key] = r.texts(value, f"{where}.unit_types")
            bad = [u for u in kw[key] if u not in unit_types]
            if bad:
                raise r.fail(f"{where}.unit_types", f"中的「{'、'.join(bad)}」不在 unit_types 中")
    listed = {name for name, _ in kw["checks"]}
    for name in listed:
        need, may = CHECK_PARAMS[name]
        missing = [k for k in need if k not in m]
        if missing:
            raise r.fail(f"{where}.checks", f"列出了「{name}」，但本类别缺少它的参数「{'、'.join(missing)}」")
        if name == "prior" and not (m.get("prior_tracks") or m.get("prior_funded_tracks")):
            raise r.fail(f"{where}.checks", "列出了「prior」，但没有写 prior_tracks 或 prior_funded_tracks")
    used = {k for name in listed for k in (*CHECK_PARAMS[name][0], *CHECK_PARAMS[name][1])}
    orphans = sorted(k for k in m if k in CHECK_KEYS and k not in used and k != "max_per_unit")
    if orphans:
        raise r.fail(where, f"写了「{'、'.join(orphans)}」，但 checks 中没有用到它的检查；"
                            "不列出检查，这条要求就不会执行（请在 checks 中列出，或删去该参数）")
    if "max_per_unit" in m and "per_unit" not in listed:
        raise r.fail(where, "写了「max_per_unit」，但 checks 中没有 per_unit；请列出 per_unit，或删去该参数")
    if kw["kind"] == "money" and "support_only" in listed:
        raise r.fail(f"{where}.checks", "中的 support_only 只适用于 kind: support 的类别")
    return Track(**kw)


def _bare_file_name(r: "_Reader", value: Any) -> str:
    """The vocabulary is a file beside the policy: a bare name, never a path elsewhere."""
    name = r.text(value, "directions")
    if "/" in name or "\\" in name or name.startswith(".") or not name.endswith((".yaml", ".yml")):
        raise r.fail("directions", f"应为与政策文件同一文件夹中的词表文件名（如 directions-2023.yaml），"
                                   f"不能是其他位置的路径；实际为「{name[:80]}」")
    return name


def _calibration(r, value) -> str:
    """A calibration method by its id or its Chinese name (scoring.calibration)."""
    names = {v: k for k, v in CALIBRATIONS.items()}
    text = str(value).strip()
    if text in CALIBRATIONS:
        return text
    if text in names:
        return names[text]
    raise r.fail("scoring.calibration", f"「{value}」不是评审校准方法（可用：{'、'.join(f'{k}（{v}）' for k, v in CALIBRATIONS.items())}）")


def parse_policy(raw: Any, *, source: str = "<policy>") -> Policy:
    """Build a :class:`Policy` from the YAML mapping; raise :class:`PolicyError` on any fault."""
    r = _Reader(source)
    top = r.mapping(raw, "顶层", required={
        "year", "notice", "deadline", "directions", "history", "unit_types", "categories", "tracks",
        "attachments", "rules", "budget", "platform", "scoring", "units", "intake", "open_scope",
        "history_categories"}, optional={"review_round"})
    h = r.mapping(top["history"], "history", required={"funded_year", "as_of", "min_execution_rate", "name_similarity"})
    history = HistoryRules(
        funded_year=r.integer(h["funded_year"], "history.funded_year", low=1990),
        as_of=r.date(h["as_of"], "history.as_of"),
        min_execution_rate=r.number(h["min_execution_rate"], "history.min_execution_rate", low=0, high=1),
        name_similarity=r.number(h["name_similarity"], "history.name_similarity", low=0, high=1),
    )
    ut = r.mapping(top["unit_types"], "unit_types", required={"institute", "branch", "department", "other"})
    unit_types = {k: r.texts(v, f"unit_types.{k}") for k, v in ut.items()}
    if not isinstance(top["categories"], dict) or not top["categories"]:
        raise r.fail("categories", "应为「类别: [培训类别写法…]」的键值表")
    categories = {str(k): r.texts(v, f"categories.{k}") for k, v in top["categories"].items()}
    if not isinstance(top["tracks"], list) or not top["tracks"]:
        raise r.fail("tracks", "应为类别列表")
    tracks = tuple(_track(r, t, f"tracks[{i}]", categories, unit_types) for i, t in enumerate(top["tracks"]))
    ids = [t.id for t in tracks]
    if len(set(ids)) != len(ids):
        raise r.fail("tracks", f"中类别 id 重复：{ids}")
    owner: dict[str, str] = {}
    for t in tracks:
        for rid in dict.fromkeys([t.rule, *(rid for _, rid in t.checks)]):
            if rid in GENERAL_RULE_IDS:
                continue
            if owner.setdefault(rid, t.id) != t.id:
                raise r.fail(f"tracks.{t.id}", f"的规则编号「{rid}」已是类别「{owner[rid]}」的规则；每个类别的规则编号须各不相同")
    for t in tracks:
        if t.fallback and t.fallback not in ids:
            raise r.fail(f"tracks.{t.id}.fallback", f"指向不存在的类别「{t.fallback}」")
        for key in ("prior_tracks", "prior_funded_tracks"):
            bad = [x for x in getattr(t, key) if x not in ids]
            if bad:
                raise r.fail(f"tracks.{t.id}.{key}", f"中的类别「{'、'.join(bad)}」不存在")
    seen_words: dict[str, str] = {}
    for t in tracks:
        for w in (t.id, t.name, *t.aliases):
            k = _fold_words(w)
            if k in seen_words and seen_words[k] != t.id:
                raise r.fail(f"tracks.{t.id}.aliases", f"中的「{w}」也是类别「{seen_words[k]}」的写法，不能两用")
            seen_words[k] = t.id
    u = r.mapping(top["units"], "units", required={"similarity", "hold_similarity", "department_suffixes", "names"})
    if not isinstance(u["names"], dict):
        raise r.fail("units.names", "应为「单位类型: [名称结尾…]」的键值表")
    bad = [k for k in u["names"] if k not in unit_types]
    if bad:
        raise r.fail("units.names", f"中的单位类型「{'、'.join(map(str, bad))}」不在 unit_types 中")
    units = UnitRules(similarity=r.number(u["similarity"], "units.similarity", low=0.5, high=1),
                      hold_similarity=r.number(u["hold_similarity"], "units.hold_similarity", low=0.3, high=1),
                      department_suffixes=r.texts(u["department_suffixes"], "units.department_suffixes"),
                      names={str(k): r.texts(v, f"units.names.{k}") for k, v in u["names"].items()})
    ik = r.mapping(top["intake"], "intake", required={"minutes_per_class_hour", "date_margin_days",
                                                     "money_unit_factor", "limits"})
    lim = r.mapping(ik["limits"], "intake.limits", required={"max_file_mb", "max_uncompressed_mb", "max_rows",
                                                             "max_columns", "max_cells", "max_cell_kb"})
    intake = IntakeRules(
        minutes_per_class_hour=r.number(ik["minutes_per_class_hour"], "intake.minutes_per_class_hour", low=30, high=60),
        date_margin_days=r.integer(ik["date_margin_days"], "intake.date_margin_days"),
        money_unit_factor=r.number(ik["money_unit_factor"], "intake.money_unit_factor", low=1),
        max_file_mb=r.number(lim["max_file_mb"], "intake.limits.max_file_mb", low=1, high=4096),
        max_uncompressed_mb=r.number(lim["max_uncompressed_mb"], "intake.limits.max_uncompressed_mb", low=1, high=4096),
        max_rows=r.integer(lim["max_rows"], "intake.limits.max_rows", low=1),
        max_columns=r.integer(lim["max_columns"], "intake.limits.max_columns", low=1),
        max_cells=r.integer(lim["max_cells"], "intake.limits.max_cells", low=1),
        max_cell_kb=r.number(lim["max_cell_kb"], "intake.limits.max_cell_kb", low=1, high=1 << 20),
    )
    if not isinstance(top["open_scope"], list) or not top["open_scope"]:
        raise r.fail("open_scope", "应为「- {words: [...], open: true/false, score: 分值}」的列表")
    open_scope = []
    for i, e in enumerate(top["open_scope"]):
        m = r.mapping(e, f"open_scope[{i}]", required={"words", "open", "score"})
        open_scope.append(OpenScope(words=r.texts(m["words"], f"open_scope[{i}].words"),
                                    open=r.boolean(m["open"], f"open_scope[{i}].open"),
                                    score=r.number(m["score"], f"open_scope[{i}].score", low=0, high=1)))
    if not isinstance(top["history_categories"], dict):
        raise r.fail("history_categories", "应为「类别 id: [项目类别的写法…]」的键值表")
    history_categories = {}
    for k, v in top["history_categories"].items():
        if k not in ids:
            raise r.fail("history_categories", f"中的类别「{k}」不存在")
        history_categories[str(k)] = r.texts(v, f"history_categories.{k}")
    a = r.mapping(top["attachments"], "attachments", required={"full", "renewal", "forbidden_material"})
    attachments = Attachments(**{k: r.texts(v, f"attachments.{k}") for k, v in a.items()})
    if not isinstance(top["rules"], dict):
        raise r.fail("rules", "应为键值表")
    rules: dict[str, RuleSwitch] = {}
    for rid, spec in top["rules"].items():
        m = r.mapping(spec, f"rules.{rid}", required={"mode", "enabled"},
                      optional={"max_per_institute", "terms", "subject"})
        if m["mode"] not in ("hard", "soft"):
            raise r.fail(f"rules.{rid}.mode", f"应为 hard 或 soft，实际为「{m['mode']}」")
        rules[str(rid)] = RuleSwitch(
            mode=m["mode"], enabled=r.boolean(m["enabled"], f"rules.{rid}.enabled"),
            max_per_institute=(r.integer(m["max_per_institute"], f"rules.{rid}.max_per_institute", low=1)
                               if "max_per_institute" in m else None),
            terms=r.texts(m["terms"], f"rules.{rid}.terms") if "terms" in m else (),
            subject=r.text(m["subject"], f"rules.{rid}.subject") if "subject" in m else "",
        )
    for needed in ("U1", "U2", "P1", "P2"):
        if needed not in rules:
            raise r.fail("rules", f"缺少规则「{needed}」")
    for t in tracks:
        for name, rid in t.checks:
            if name == "execution" and rid not in rules:
                raise r.fail(f"tracks.{t.id}.checks", f"中 execution 的规则「{rid}」不在 rules 中（其开关与门槛在 rules 与 history）")
    b = r.mapping(top["budget"], "budget", required={"total", "per_track"})
    budget_total = None if b["total"] is None else r.number(b["total"], "budget.total", low=0)
    if not isinstance(b["per_track"], dict):
        raise r.fail("budget.per_track", "应为键值表")
    per_track = {}
    for k, v in b["per_track"].items():
        if k not in ids:
            raise r.fail("budget.per_track", f"中的类别「{k}」不存在")
        per_track[str(k)] = r.number(v, f"budget.per_track.{k}", low=0)
    p = r.mapping(top["platform"], "platform", required={
        "fee_caps", "max_hours_per_day", "staff_max", "staff_ratio", "text_min", "text_max", "attendants_max"})
    if not isinstance(p["fee_caps"], dict) or not p["fee_caps"]:
        raise r.fail("platform.fee_caps", "应为「培训对象级别: 元」的键值表")
    platform = Platform(
        fee_caps={str(k): r.number(v, f"platform.fee_caps.{k}", low=0) for k, v in p["fee_caps"].items()},
        max_hours_per_day=r.number(p["max_hours_per_day"], "platform.max_hours_per_day", low=1, high=24),
        staff_max=r.number(p["staff_max"], "platform.staff_max", low=0),
        staff_ratio=r.number(p["staff_ratio"], "platform.staff_ratio", low=0, high=1),
        text_min=r.integer(p["text_min"], "platform.text_min"),
        text_max=r.integer(p["text_max"], "platform.text_max", low=1),
        attendants_max=r.integer(p["attendants_max"], "platform.attendants_max", low=1),
    )
    s = r.mapping(top["scoring"], "scoring", required={"match_threshold", "review_weight", "tie_break", "weights"},
                  optional={"calibration"})
    if not isinstance(s["weights"], dict) or "default" not in s["weights"]:
        raise r.fail("scoring.weights", "应为键值表，且须含 default")
    weights: dict[str, dict[str, float]] = {}
    criteria = None
    for k, w in s["weights"].items():
        if k != "default" and k not in ids:
            raise r.fail("scoring.weights", f"中的类别「{k}」不存在")
        if not isinstance(w, dict) or not w:
            raise r.fail(f"scoring.weights.{k}", "应为「准则: 权重」的键值表")
        unknown = sorted(set(map(str, w)) - set(CRITERIA))
        if unknown:
            raise r.fail(f"scoring.weights.{k}", f"有未知的准则「{'、'.join(unknown)}」（可用：{'、'.join(CRITERIA)}）；请检查拼写")
        weights[str(k)] = {str(c): r.number(v, f"scoring.weights.{k}.{c}", low=0) for c, v in w.items()}
        if sum(weights[str(k)].values()) <= 0:
            raise r.fail(f"scoring.weights.{k}", "权重之和须大于 0")
        if criteria is None:
            criteria = set(weights[str(k)])
        elif set(weights[str(k)]) != criteria:
            raise r.fail(f"scoring.weights.{k}", f"的准则与 default 不一致：{sorted(set(weights[str(k)]) ^ criteria)}")
    scoring = Scoring(
        match_threshold=r.number(s["match_threshold"], "scoring.match_threshold", low=0, high=1),
        review_weight=r.number(s["review_weight"], "scoring.review_weight", low=0, high=1),
        tie_break=r.texts(s["tie_break"], "scoring.tie_break"),
        weights=weights,
        calibration=_calibration(r, s.get("calibration", "percentile")),
    )
    review_round = ReviewRound()
    if top.get("review_round") is not None:
        rr = r.mapping(top["review_round"], "review_round",
                       required={"per_application", "avoid_same_branch", "max_load", "scale", "criteria"})
        scale = rr["scale"]
        if not (isinstance(scale, list) and len(scale) == 2):
            raise r.fail("review_round.scale", f"应为 [最低分, 最高分]，如 [0, 100]；实际为「{scale!r}」")
        low = r.number(scale[0], "review_round.scale")
        high = r.number(scale[1], "review_round.scale")
        if not low < high:
            raise r.fail("review_round.scale", f"最低分 {low:g} 应小于最高分 {high:g}")
        if not isinstance(rr["avoid_same_branch"], bool):
            raise r.fail("review_round.avoid_same_branch", "应为 true 或 false")
        review_round = ReviewRound(
            per_application=r.integer(rr["per_application"], "review_round.per_application", low=1),
            avoid_same_branch=rr["avoid_same_branch"],
            max_load=r.integer(rr["max_load"], "review_round.max_load", low=1),
            scale=(low, high), criteria=r.texts(rr["criteria"], "review_round.criteria"))
    return Policy(
        year=r.integer(top["year"], "year", low=1990),
        notice=r.text(top["notice"], "notice"),
        deadline=r.date(top["deadline"], "deadline"),
        directions=_bare_file_name(r, top["directions"]),
        history=history, unit_types=unit_types, categories=categories, tracks=tracks,
        attachments=attachments, rules=rules, budget_total=budget_total, budget_per_track=per_track,
        platform=platform, scoring=scoring, units=units, intake=intake, open_scope=tuple(open_scope),
        history_categories=history_categories, review_round=review_round, source=source,
    )


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and check a policy file and the direction vocabulary it names (default: the packaged 2023 policy).

    Both files are read once, through :mod:`casplan.io` (no anchors or aliases, no tags, no duplicate
    keys); their :class:`~casplan.io.Source` records are ``policy.sources``, the vocabulary is
    ``policy.vocabulary``.

    Raises
    ------
    PolicyError
        When a file is missing, is not YAML, or has an unknown, missing or ill-typed key.
    """
    from dataclasses import replace

    from casplan.directions import parse_directions, read_directions_source
    from casplan.errors import UnreadableFileError
    from casplan.io import load_yaml, read_source

    p = Path(path) if path is not None else default_policy_path()
    from casplan.io import YAML_MAX_BYTES, Limits, decode_text

    try:
        data, source = read_source(p, kind="policy", limits=Limits(max_file_bytes=YAML_MAX_BYTES))
        text = decode_text(data, f"政策文件 {p}")
    except UnreadableFileError as exc:
        raise PolicyError(f"政策文件：{exc}" if not str(exc).startswith("政策文件") else str(exc)) from None
    try:
        raw = load_yaml(text, source=f"政策文件 {p}")
    except UnreadableFileError as exc:
        raise PolicyError(str(exc).replace("（日期须真实存在", "（日期须真实存在")) from None
    policy = parse_policy(raw, source=str(p))
    vocab_path = policy.directions_path()
    if not vocab_path.exists():
        raise PolicyError(f"政策文件 {p}：directions 指向的方向词表 {vocab_path} 不存在")
    vocab_raw, vocab_source = read_directions_source(vocab_path)
    vocabulary = parse_directions(vocab_raw, source=str(vocab_path))
    ids, listed = set(policy.track_ids), set(vocabulary.track_ids)
    if listed - ids:
        raise PolicyError(f"方向词表 {vocab_path.name} 中的类别「{'、'.join(sorted(listed - ids))}」不在政策文件 {p.name} 的 tracks 中"
                          "（类别改名或删去时，词表的 tracks 也要改）")
    if ids - listed:
        missing = [t.name for t in policy.tracks if t.id not in listed]
        raise PolicyError(f"方向词表 {vocab_path.name} 的 tracks 中没有类别「{'、'.join(missing)}」；"
                          "没有重点支持方向的类别也请写上，如 `id: {name: 类别名, directions: []}`")
    return replace(policy, vocabulary=vocabulary, sources=(source, vocab_source))
