"""The direction vocabulary: the notice's 重点支持方向, their words and weights, and which track supports which.

A vocabulary is a YAML file beside the policy (``directions-<年度>.yaml``, named by the policy's
``directions``); :func:`load_directions` reads and checks it, :class:`Vocabulary` holds it, and
:mod:`casplan.directions.matcher` matches texts against it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from casplan.errors import PolicyError

if TYPE_CHECKING:
    from casplan.directions.matcher import Matcher

__all__ = ["DEFAULT_THRESHOLD", "TEXT_FIELDS", "Term", "Direction", "TrackDirections", "Vocabulary",
           "load_directions", "parse_directions", "read_directions_source", "default_vocabulary",
           "packaged_vocabulary_path", "normalise_term"]

#: Default match threshold: ``scoring.match_threshold`` of the packaged policy.
DEFAULT_THRESHOLD = 0.35

#: The plan's text fields, in the order hits are listed (canonical names).
TEXT_FIELDS: tuple[str, ...] = ("train_name", "keywords", "goal", "content")

_TOP_KEYS = {"year": False, "source": False, "field_weights": True, "directions": True, "tracks": True}
_DIRECTION_KEYS = {"terms", "like", "exclude", "note"}
_TRACK_KEYS = {"name": True, "directions": True}


def packaged_vocabulary_path() -> Path:
    """The newest packaged vocabulary (``casplan/policy/directions-<年度>.yaml``)."""
    base = Path(str(resources.files("casplan") / "policy"))
    found = sorted(base.glob("directions-[0-9][0-9][0-9][0-9].yaml"))
    if not found:
        raise PolicyError(f"软件包中没有方向词表（{base}）")
    return found[-1]


@dataclass(frozen=True)
class Term:
    """One vocabulary term: normalised text and its weight in (0, 1]."""

    text: str
    weight: float


@dataclass(frozen=True)
class Direction:
    """A 重点支持方向, named with the notice's words.

    ``terms`` are the resolved terms (``like`` already merged), strongest first;
    ``exclude`` the phrases whose words do not count for this direction.
    """

    name: str
    terms: tuple[Term, ...]
    exclude: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class TrackDirections:
    """The directions a selection track supports, in notice order: the vocabulary's part of a track
    (the track itself, with its rules and quota, is :class:`casplan.policy.Track`)."""

    id: str
    name: str
    directions: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The parsed direction vocabulary of one year (see :func:`load_directions`)."""

    year: int | None
    source: str
    path: str
    field_weights: Mapping[str, float]
    directions: Mapping[str, Direction]
    tracks: tuple[TrackDirections, ...]
    matcher: "Matcher" = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from casplan.directions.matcher import Matcher

        object.__setattr__(self, "matcher", Matcher(self))

    @property
    def track_ids(self) -> tuple[str, ...]:
        """Track ids in file order."""
        return tuple(t.id for t in self.tracks)

    def track(self, track_id: str) -> TrackDirections:
        """The track with this id; :class:`PolicyError` when the vocabulary has none."""
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise PolicyError(
            f"方向词表 {Path(self.path).name} 中没有类别「{track_id}」；可用的类别：{'、'.join(self.track_ids)}"
        )


def normalise_term(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def load_directions(path: str | Path | None = None) -> Vocabulary:
    """Read and check a direction vocabulary file.

    Parameters
    ----------
    path : the YAML file; ``None`` reads the newest packaged vocabulary (:func:`packaged_vocabulary_path`).

    Returns
    -------
    Vocabulary
        Frozen; ``like`` references are resolved, terms normalised (NFKC, lower case).

    Raises
    ------
    PolicyError
        The file is missing or not YAML, a key is unknown or missing, a key is
        repeated, a weight is outside (0, 1], a track names a direction that is not
        defined, or a direction is defined but never used. The message (Chinese)
        names the file and the key.

    Examples
    --------
    >>> vocab = load_directions()
    >>> vocab.track("duanqi").directions
    ('国家重大战略', '重大工程', '重大项目', '重点产业')
    >>> vocab.directions["集成电路"].exclude[:2]
    ('生物芯片', '基因芯片')
    """
    data, source = read_directions_source(path)
    return _parse(data, Path(source.path).name, source.path)


def read_directions_source(path: str | Path | None = None):
    """The parsed YAML of a vocabulary file and its :class:`casplan.io.Source` (read once, through casplan.io)."""
    from casplan.errors import UnreadableFileError
    from casplan.io import load_yaml, read_source

    p = Path(path) if path is not None else packaged_vocabulary_path()
    from casplan.io import YAML_MAX_BYTES, Limits, decode_text

    if not p.exists():
        raise PolicyError(f"找不到方向词表文件「{p}」")
    try:
        raw, source = read_source(p, kind="directions", limits=Limits(max_file_bytes=YAML_MAX_BYTES))
        text = decode_text(raw, f"方向词表 {p}")
    except UnreadableFileError as exc:
        raise PolicyError(f"方向词表：{exc}") from None
    try:
        return load_yaml(text, source=p.name), source
    except UnreadableFileError as exc:
        raise PolicyError(str(exc)) from None


def parse_directions(data: object, *, source: str) -> Vocabulary:
    """Check and build a :class:`Vocabulary` from already-parsed YAML (``source`` names the file)."""
    return _parse(data, Path(source).name, source)


def _keys(mapping: object, where: str, allowed: Mapping[str, bool] | set[str], file: str) -> dict:
    """Check a mapping against allowed keys (``{key: required}`` or a set of optional keys)."""
    if not isinstance(mapping, dict):
        raise PolicyError(f"{file}：「{where}」应为键值映射（key: value），实为「{mapping!r}」")
    required = {k for k, req in allowed.items() if req} if isinstance(allowed, Mapping) else set()
    for key in mapping:
        if key not in allowed:
            prefix = f"{where}." if where else ""
            raise PolicyError(
                f"{file}：「{prefix}{key}」不是可识别的键；此处可用的键：{'、'.join(allowed)}"
            )
    for key in required:
        if key not in mapping:
            prefix = f"{where}." if where else ""
            raise PolicyError(f"{file}：缺少键「{prefix}{key}」")
    return mapping


def _weight(value: object, where: str, file: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise PolicyError(f"{file}：「{where}」的权重为「{value}」，应为大于 0、不大于 1 的数（如 0.7）")
    return float(value)


def _parse(data: object, file: str, shown: str) -> Vocabulary:
    if data is None:
        raise PolicyError(f"{file} 是空文件")
    top = _keys(data, "", _TOP_KEYS, file)

    fw = _keys(top["field_weights"], "field_weights", {f: True for f in TEXT_FIELDS}, file)
    field_weights = {f: _weight(fw[f], f"field_weights.{f}", file) for f in TEXT_FIELDS}

    raw_dirs = top["directions"]
    if not isinstance(raw_dirs, dict) or not raw_dirs:
        raise PolicyError(f"{file}：「directions」应为非空的映射（方向名: 词表）")
    specs: dict[str, dict] = {}
    for dname, spec in raw_dirs.items():
        if not isinstance(dname, str) or not dname.strip():
            raise PolicyError(f"{file}：方向名「{dname!r}」应为文字")
        spec = _keys(spec if spec is not None else {}, f"directions.{dname}", _DIRECTION_KEYS, file)
        if "terms" not in spec and "like" not in spec:
            raise PolicyError(f"{file}：方向「{dname}」缺少键「directions.{dname}.terms」（或用 like 引用另一方向）")
        specs[dname] = spec

    resolved: dict[str, tuple[dict[str, float], list[str]]] = {}

    def resolve(dname: str, chain: tuple[str, ...]) -> tuple[dict[str, float], list[str]]:
        if dname in resolved:
            return resolved[dname]
        if dname in chain:
            raise PolicyError(f"{file}：方向的 like 引用成环：{' → '.join((*chain, dname))}")
        spec = specs[dname]
        terms: dict[str, float] = {}
        exclude: list[str] = []
        if "like" in spec:
            base = spec["like"]
            if base not in specs:
                raise PolicyError(f"{file}：「directions.{dname}.like」引用的方向「{base}」未定义")
            base_terms, base_excl = resolve(base, (*chain, dname))
            terms.update(base_terms)
            exclude.extend(base_excl)
        raw_terms = spec.get("terms", {})
        if raw_terms is None:
            raw_terms = {}
        if not isinstance(raw_terms, dict):
            raise PolicyError(f"{file}：「directions.{dname}.terms」应为「词: 权重」的映射")
        for term, w in raw_terms.items():
            where = f"directions.{dname}.terms.{term}"
            if not isinstance(term, str):
                raise PolicyError(f"{file}：「{where}」不是文字；数字或 yes/no 之类的词请加引号")
            norm = normalise_term(term)
            if not norm:
                raise PolicyError(f"{file}：「directions.{dname}.terms」含空词")
            terms[norm] = _weight(w, where, file)
        raw_excl = spec.get("exclude", []) or []
        if not isinstance(raw_excl, list) or not all(isinstance(e, str) and e.strip() for e in raw_excl):
            raise PolicyError(f"{file}：「directions.{dname}.exclude」应为短语列表，如 [生物芯片, 基因芯片]")
        for e in raw_excl:
            norm = normalise_term(e)
            if norm in terms:
                raise PolicyError(f"{file}：「{e}」既是方向「{dname}」的词又是它的排除短语")
            if norm not in exclude:
                exclude.append(norm)
        if not terms:
            raise PolicyError(f"{file}：方向「{dname}」没有任何词")
        resolved[dname] = (terms, exclude)
        return resolved[dname]

    directions: dict[str, Direction] = {}
    for dname, spec in specs.items():
        terms, exclude = resolve(dname, ())
        note = spec.get("note", "")
        if not isinstance(note, str):
            raise PolicyError(f"{file}：「directions.{dname}.note」应为文字")
        ordered = sorted(terms.items(), key=lambda kv: (-kv[1], -len(kv[0])))
        directions[dname] = Direction(
            name=dname,
            terms=tuple(Term(t, w) for t, w in ordered),
            exclude=tuple(exclude),
            note=note.strip(),
        )

    raw_tracks = top["tracks"]
    if not isinstance(raw_tracks, dict) or not raw_tracks:
        raise PolicyError(f"{file}：「tracks」应为非空的映射（类别 id: {{name, directions}}）")
    tracks: list[TrackDirections] = []
    used: set[str] = set()
    for tid, spec in raw_tracks.items():
        spec = _keys(spec, f"tracks.{tid}", _TRACK_KEYS, file)
        names = spec["directions"] or []
        if not isinstance(names, list):
            raise PolicyError(f"{file}：「tracks.{tid}.directions」应为方向名列表")
        for n in names:
            if n not in directions:
                raise PolicyError(f"{file}：「tracks.{tid}.directions」中的方向「{n}」未在 directions 中定义")
        if len(set(names)) != len(names):
            raise PolicyError(f"{file}：「tracks.{tid}.directions」中有重复的方向")
        used.update(names)
        tracks.append(TrackDirections(id=str(tid), name=str(spec["name"]), directions=tuple(names)))
    referenced = {s["like"] for s in specs.values() if "like" in s}
    unused = [d for d in directions if d not in used and d not in referenced]
    if unused:
        raise PolicyError(f"{file}：方向「{'、'.join(unused)}」已定义但没有任何类别使用（写入 tracks 或删除）")

    year = top.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise PolicyError(f"{file}：「year」应为年份数字，实为「{year}」")
    return Vocabulary(
        year=year,
        source=str(top.get("source", "")),
        path=shown,
        field_weights=MappingProxyType(field_weights),
        directions=MappingProxyType(directions),
        tracks=tuple(tracks),
    )


@functools.lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    return load_directions()
