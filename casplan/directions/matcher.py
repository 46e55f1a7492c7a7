"""Match training plans against the notice's 重点支持方向 (附表).

The vocabulary lives in a policy file (``policy/directions-2023.yaml``): for each
direction, the notice's own words plus the synonyms and related terms that real
training titles use, each with a weight in (0, 1], and optional exclusion phrases.

Matching does not segment words. Each text field is normalised (NFKC, lower
case) and scanned with one compiled regular expression built from every term and
exclusion phrase of the vocabulary (a prefix trie written as a regex, so it stays
fast with a thousand phrases):

* at each position the longest phrase wins; a match lying wholly inside an
  earlier, longer match is dropped (``新能源汽车`` is not also a hit of
  ``新能源``), partly overlapping matches are both kept;
* a matched phrase counts for every direction that owns a term contained in it
  (``生物医药`` gives ``生物技术`` and, through ``医药``, ``生命健康``) unless the
  phrase is, or contains, one of that direction's exclusions (``生物芯片`` is
  not ``集成电路``);
* a term that begins or ends with a latin letter or digit (``AI``, ``EDA``,
  ``5G``) only matches where the neighbouring character is not one, so ``AI``
  does not match inside ``EMAIL`` or ``TRAINING``.

Score of a direction, in [0, 1] (a noisy-or)::

    score = 1 - prod over distinct terms t of (1 - weight(t) * max field_weight(f))

where the maximum runs over the fields f in which t was found: a term repeated
in title and content counts once, at its strongest field, so one weak word
written twice does not add up to a match. Field weights come from the
vocabulary (培训名称 1.0, 培训关键词 0.9, 培训目的 0.6, 培训内容 0.6 in 2023).
The score is 0 when nothing matched, and monotone: a further hit either brings
a new factor ≤ 1 or raises a term's best field, so more evidence never lowers it. A direction *matches* when its
score is at least the threshold (``scoring.match_threshold`` of the year's
policy, 0.35 in 2023).

>>> vocab = load_directions()
>>> [(m.direction, round(m.score, 2)) for m in match_text("碳中和技术研修班", vocabulary=vocab, track="jingpin")]
[('“双碳”专项行动', 1.0)]
>>> match_text("生物芯片技术培训班", vocabulary=vocab, track="jingpin")
[]
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl

from casplan.errors import InputError, PolicyError
from casplan.intake.fields import FIELDS_BY_NAME, header_key

__all__ = [
    "DEFAULT_THRESHOLD",
    "TEXT_FIELDS",
    "Term",
    "Direction",
    "TrackDirections",
    "Vocabulary",
    "TermHit",
    "DirectionMatch",
    "LabelScore",
    "load_directions",
    "parse_directions",
    "read_directions_source",
    "match_text",
    "match_frame",
    "best_direction",
    "evaluate_labels",
]

#: Default match threshold: ``scoring.match_threshold`` of ``policy/2023.yaml``.
DEFAULT_THRESHOLD = 0.35

#: The plan's text fields, in the order hits are listed (canonical names).
TEXT_FIELDS: tuple[str, ...] = ("train_name", "keywords", "goal", "content")

_DEFAULT_FILE = "directions-2023.yaml"
_TOP_KEYS = {"year": False, "source": False, "field_weights": True, "directions": True, "tracks": True}
_DIRECTION_KEYS = {"terms", "like", "exclude", "note"}
_TRACK_KEYS = {"name": True, "directions": True}
_LABEL_SEP = re.compile(r"[；;]")


# ───────────────────────────── data ─────────────────────────────


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
class TermHit:
    """One piece of evidence: the vocabulary ``term``, the text it was found as, the field."""

    term: str
    matched_text: str
    field: str

    @property
    def field_label(self) -> str:
        """The field's Chinese label (``培训名称`` …)."""
        return FIELDS_BY_NAME[self.field].label

    def __str__(self) -> str:
        return _hit_text(self.term, self.matched_text, self.field)


def _hit_text(term: str, matched_text: str, field_name: str) -> str:
    """``term(字段)``; a latin term is shown as written in the text (``EDA``, not ``eda``)."""
    shown = matched_text if _normalise_term(matched_text) == term else term
    return f"{shown}({FIELDS_BY_NAME[field_name].label})"


@dataclass(frozen=True)
class DirectionMatch:
    """Score of one direction of one track for one text, with the hits behind it."""

    track: str
    direction: str
    score: float
    terms: tuple[TermHit, ...]

    @property
    def terms_text(self) -> str:
        """Hits as the analyst reads them: ``碳中和(培训名称)；低碳(培训内容)``."""
        return "；".join(str(hit) for hit in self.terms)


@dataclass(frozen=True)
class Vocabulary:
    """The parsed direction vocabulary of one year (see :func:`load_directions`)."""

    year: int | None
    source: str
    path: str
    field_weights: Mapping[str, float]
    directions: Mapping[str, Direction]
    tracks: tuple[TrackDirections, ...]
    _matcher: _Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_matcher", _Matcher(self))

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


@dataclass(frozen=True)
class LabelScore:
    """Quality of the matcher against a labelled set (micro, over (text, direction) pairs).

    ``errors`` lists every false positive (误报) and false negative (漏报) with the
    score and hits, one row each.
    """

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    rows: int
    errors: pl.DataFrame


# ───────────────────────────── loading ─────────────────────────────


def _normalise_term(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def load_directions(path: str | Path | None = None) -> Vocabulary:
    """Read and check a direction vocabulary file.

    Parameters
    ----------
    path : the YAML file; ``None`` reads the packaged ``policy/directions-2023.yaml``.

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

    p = Path(path) if path is not None else Path(str(resources.files("casplan") / "policy" / _DEFAULT_FILE))
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
            norm = _normalise_term(term)
            if not norm:
                raise PolicyError(f"{file}：「directions.{dname}.terms」含空词")
            terms[norm] = _weight(w, where, file)
        raw_excl = spec.get("exclude", []) or []
        if not isinstance(raw_excl, list) or not all(isinstance(e, str) and e.strip() for e in raw_excl):
            raise PolicyError(f"{file}：「directions.{dname}.exclude」应为短语列表，如 [生物芯片, 基因芯片]")
        for e in raw_excl:
            norm = _normalise_term(e)
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
def _default_vocabulary() -> Vocabulary:
    return load_directions()


# ───────────────────────────── matcher ─────────────────────────────


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _fits_boundary(text: str, start: int, end: int) -> bool:
    """Latin-edged occurrence ``text[start:end]`` is not glued to a latin letter or digit."""
    if _is_word(text[start]) and start > 0 and _is_word(text[start - 1]):
        return False
    return not (_is_word(text[end - 1]) and end < len(text) and _is_word(text[end]))


def _trie_regex(phrases: Iterable[str]) -> str:
    """One regex for all phrases: a prefix trie, deeper branches first (longest wins)."""
    trie: dict = {}
    for p in phrases:
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = p

    def char(ch: str) -> str:
        return r"\s+" if ch == " " else re.escape(ch)

    def emit(node: dict, last: str) -> str:
        alts = [char(ch) + emit(child, ch) for ch, child in sorted(node.items()) if ch]
        body = "|".join(alts)
        if "" not in node:
            return f"(?:{body})" if len(alts) > 1 else body
        end = r"(?![a-z0-9])" if _is_word(last) else ""
        if not alts:
            return end
        return f"(?:{body}|{end})" if end else f"(?:{body})?"

    top = []
    for ch, child in sorted(trie.items()):
        # A latin first letter must not follow a latin letter or digit; the look-behind
        # sits after the literal so that every branch still starts with a literal and
        # the regex engine can skip positions that start no phrase.
        guard = r"(?<![a-z0-9].)" if _is_word(ch) else ""
        top.append(char(ch) + guard + emit(child, ch))
    return "|".join(top)


class _Matcher:
    """The compiled form of a vocabulary: one regex and phrase → direction hits."""

    def __init__(self, vocab: Vocabulary) -> None:
        term_index: dict[str, list[tuple[str, float]]] = {}
        excl_index: dict[str, set[str]] = {}
        for d in vocab.directions.values():
            for t in d.terms:
                term_index.setdefault(t.text, []).append((d.name, t.weight))
            for e in d.exclude:
                excl_index.setdefault(e, set()).add(d.name)
        phrases = set(term_index) | set(excl_index)
        self.hits: dict[str, tuple[tuple[str, str, float], ...]] = {}
        for p in phrases:
            excluded: set[str] = set()
            best: dict[str, tuple[float, int, str]] = {}
            for i in range(len(p)):
                for j in range(i + 1, len(p) + 1):
                    sub = p[i:j]
                    if sub not in term_index and sub not in excl_index:
                        continue
                    if not _fits_boundary(p, i, j):
                        continue
                    excluded |= excl_index.get(sub, set())
                    for dname, w in term_index.get(sub, ()):
                        cand = (w, len(sub), sub)
                        if dname not in best or cand[:2] > best[dname][:2]:
                            best[dname] = cand
            self.hits[p] = tuple(
                (dname, sub, w) for dname, (w, _, sub) in sorted(best.items()) if dname not in excluded
            )
        self.pattern = re.compile(_trie_regex(phrases))
        self.field_weights = dict(vocab.field_weights)

    def scan(self, text: str) -> list[tuple[str, str]]:
        """(phrase, original span) for every kept match in ``text``."""
        norm = unicodedata.normalize("NFKC", text).lower()
        offsets = None
        if len(norm) != len(text):
            pieces, offsets = [], []
            for i, ch in enumerate(text):
                n = unicodedata.normalize("NFKC", ch).lower()
                pieces.append(n)
                offsets.extend([i] * len(n))
            norm = "".join(pieces)
        found: list[tuple[str, str]] = []
        search = self.pattern.search
        pos, max_end = 0, 0
        while (m := search(norm, pos)) is not None:
            s, e = m.span()
            pos = s + 1
            if e <= max_end:  # wholly inside an earlier, longer match
                continue
            max_end = e
            phrase = m.group()
            if " " in phrase or "\t" in phrase or "\n" in phrase:
                phrase = " ".join(phrase.split())
            if offsets is None:
                original = text[s:e]
            else:
                original = text[offsets[s] : offsets[e - 1] + 1]
            found.append((phrase, original))
        return found

    def evidence(self, fields: Mapping[str, str | None]) -> dict[str, dict[tuple[str, str], tuple[str, float]]]:
        """direction → {(term, field): (matched_text, weight × field weight)}."""
        out: dict[str, dict[tuple[str, str], tuple[str, float]]] = {}
        for fname in TEXT_FIELDS:
            text = fields.get(fname)
            if not text:
                continue
            fw = self.field_weights[fname]
            for phrase, original in self.scan(text):
                for dname, term, w in self.hits.get(phrase, ()):
                    out.setdefault(dname, {}).setdefault((term, fname), (original, w * fw))
        return out


def _score(evidence: Mapping[tuple[str, str], tuple[str, float]]) -> float:
    """Noisy-or over distinct terms, each at its strongest field (see the module docstring)."""
    best: dict[str, float] = {}
    for (term, _), (_, w) in evidence.items():
        if w > best.get(term, 0.0):
            best[term] = w
    miss = 1.0
    for w in best.values():
        miss *= 1.0 - w
    return min(1.0, max(0.0, 1.0 - miss))


def _field_name(key: str) -> str:
    for f in TEXT_FIELDS:
        if key == f or header_key(key) == header_key(FIELDS_BY_NAME[f].label):
            return f
    labels = "、".join(f"{FIELDS_BY_NAME[f].label}（{f}）" for f in TEXT_FIELDS)
    raise InputError(f"不认识的文本字段「{key}」；可用的字段：{labels}", column=key)


def _check_threshold(threshold: float) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a number in [0, 1], got {threshold!r}")


def match_text(
    text: Mapping[str, str | None] | str,
    *,
    vocabulary: Vocabulary | None = None,
    track: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[DirectionMatch]:
    """Score the support directions for one training plan.

    Parameters
    ----------
    text : either a title (培训名称) or a mapping of field → text, keyed by the
        canonical names ``train_name``, ``goal``, ``content``, ``keywords`` or by
        their Chinese labels 培训名称、培训目的、培训内容、培训关键词. ``None`` or empty
        values are skipped.
    vocabulary : from :func:`load_directions`; ``None`` uses the packaged 2023 file.
    track : only this track's directions (``"yanxiu"`` …); ``None`` scores every track.
    threshold : keep directions whose score is at least this; ``0`` returns every
        direction of the track(s), unmatched ones with score 0.

    Returns
    -------
    list of DirectionMatch
        Best first (score, then track and direction in vocabulary order).

    Raises
    ------
    InputError
        A mapping key is not one of the four text fields.
    PolicyError
        ``track`` is not in the vocabulary.

    Examples
    --------
    >>> hits = match_text({"培训名称": "东北黑土地保护性耕作技术培训班", "培训内容": "推广梨树模式"},
    ...                   track="jingpin")
    >>> hits[0].direction, hits[0].terms_text
    ('“黑土粮仓”科技会战', '黑土地(培训名称)；保护性耕作(培训名称)；梨树模式(培训内容)')
    >>> [m.direction for m in match_text("AI大模型与EMAIL沟通", track="mohrss")]
    ['人工智能']
    """
    _check_threshold(threshold)
    vocab = vocabulary if vocabulary is not None else _default_vocabulary()
    if isinstance(text, str):
        fields: dict[str, str | None] = {"train_name": text}
    else:
        fields = {}
        for key, value in text.items():
            fields[_field_name(key)] = value
    tracks = (vocab.track(track),) if track is not None else vocab.tracks
    evidence = vocab._matcher.evidence(fields)
    out: list[tuple[float, int, int, DirectionMatch]] = []
    for ti, t in enumerate(tracks):
        for di, dname in enumerate(t.directions):
            ev = evidence.get(dname, {})
            score = _score(ev)
            if score < threshold:
                continue
            hits = tuple(
                TermHit(term=term, matched_text=original, field=fname) for (term, fname), (original, _) in ev.items()
            )
            out.append((-score, ti, di, DirectionMatch(t.id, dname, score, hits)))
    out.sort(key=lambda x: x[:3])
    return [m for *_, m in out]


# ───────────────────────────── frames ─────────────────────────────


def _text_columns(frame: pl.DataFrame) -> dict[str, str]:
    cols: dict[str, str] = {}
    for f in TEXT_FIELDS:
        label = FIELDS_BY_NAME[f].label
        if f in frame.columns:
            cols[f] = f
        elif label in frame.columns:
            cols[f] = label
    return cols


def match_frame(
    plans: pl.DataFrame,
    *,
    vocabulary: Vocabulary | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    id_column: str = "app_id",
) -> pl.DataFrame:
    """Score every direction of every track for every plan row (long format).

    Parameters
    ----------
    plans : one row per application, with ``id_column`` and any of the text
        columns ``train_name``, ``goal``, ``content``, ``keywords`` (or their
        Chinese labels).
    vocabulary : from :func:`load_directions`; ``None`` uses the packaged 2023 file.
    threshold : sets ``is_match`` (score ≥ threshold); every pair is returned.
    id_column : the column identifying an application; values must be unique.

    Returns
    -------
    polars.DataFrame
        Columns ``id_column, track, direction, score, terms, is_match``: one row per
        (application, track, direction), rows in the input order, then track order,
        then best score first. A track without directions (管理类 in 2023) has no rows. ``terms`` reads ``碳中和(培训名称)；低碳(培训内容)``
        (empty when nothing matched).

    Raises
    ------
    InputError
        ``id_column`` or every text column is missing, or an id is empty or repeated.

    Examples
    --------
    >>> plans = pl.DataFrame({"app_id": ["A1", "A2"],
    ...                       "train_name": ["集成电路EDA工具研修班", "植物分类学研修班"]})
    >>> out = match_frame(plans).filter(pl.col("track") == "mohrss", pl.col("is_match"))
    >>> out.select("app_id", "direction", "terms").rows()
    [('A1', '集成电路', '集成电路(培训名称)；EDA(培训名称)')]
    """
    _check_threshold(threshold)
    vocab = vocabulary if vocabulary is not None else _default_vocabulary()
    if id_column not in plans.columns:
        raise InputError(f"申报表缺少编号列「{id_column}」，无法逐项记录方向匹配结果", column=id_column)
    cols = _text_columns(plans)
    if not cols:
        wanted = "、".join(FIELDS_BY_NAME[f].label for f in TEXT_FIELDS)
        raise InputError(f"申报表中没有可用于方向匹配的文本列（应至少有其一：{wanted}）")
    ids = plans.get_column(id_column)
    if ids.null_count():
        row = ids.is_null().arg_max() + 1
        raise InputError(f"申报表第{row}行的「{id_column}」为空", row=row, column=id_column)
    dup = ids.is_duplicated()
    if dup.any():
        value = ids.filter(dup)[0]
        raise InputError(f"申报表中「{id_column}」为「{value}」的行不止一行，编号应唯一", column=id_column, value=value)

    pairs: list[tuple[int, str, str, int, int]] = []  # pair index, track, direction, track order, direction order
    by_direction: dict[str, list[int]] = {}
    for ti, t in enumerate(vocab.tracks):
        for di, dname in enumerate(t.directions):
            by_direction.setdefault(dname, []).append(len(pairs))
            pairs.append((len(pairs), t.id, dname, ti, di))

    fields = list(cols)
    texts = plans.select([pl.col(cols[f]).cast(pl.String) for f in fields]).rows()
    hit_app: list[int] = []
    hit_pair: list[int] = []
    hit_score: list[float] = []
    hit_terms: list[str] = []
    matcher = vocab._matcher
    for i, row in enumerate(texts):
        evidence = matcher.evidence(dict(zip(fields, row, strict=True)))
        for dname, ev in evidence.items():
            if dname not in by_direction:
                continue
            score = _score(ev)
            terms = "；".join(_hit_text(term, original, fname) for (term, fname), (original, _) in ev.items())
            for p in by_direction[dname]:
                hit_app.append(i)
                hit_pair.append(p)
                hit_score.append(score)
                hit_terms.append(terms)

    pair_frame = pl.DataFrame(
        pairs,
        schema={"_pair": pl.Int64, "track": pl.String, "direction": pl.String, "_t": pl.Int64, "_d": pl.Int64},
        orient="row",
    )
    hits = pl.DataFrame(
        {"_app": hit_app, "_pair": hit_pair, "score": hit_score, "terms": hit_terms},
        schema={"_app": pl.Int64, "_pair": pl.Int64, "score": pl.Float64, "terms": pl.String},
    )
    apps = pl.DataFrame({"_app": pl.int_range(plans.height, eager=True, dtype=pl.Int64)}).with_columns(
        ids.alias(id_column)
    )
    return (
        apps.join(pair_frame, how="cross")
        .join(hits, on=["_app", "_pair"], how="left")
        .with_columns(pl.col("score").fill_null(0.0), pl.col("terms").fill_null(""))
        .with_columns(is_match=pl.col("score") >= threshold)
        .sort(["_app", "_t", "score", "_d"], descending=[False, False, True, False])
        .select(id_column, "track", "direction", "score", "terms", "is_match")
    )


def best_direction(matches: pl.DataFrame, *, id_column: str = "app_id", by_track: bool = False) -> pl.DataFrame:
    """The best-scoring direction per application (or per application and track).

    Parameters
    ----------
    matches : the output of :func:`match_frame`.
    id_column : the application id column.
    by_track : one row per (application, track) instead of per application.

    Returns
    -------
    polars.DataFrame
        Columns ``id_column, track, direction, score, terms, is_match`` in the
        applications' order. Ties go to the earlier track, then the earlier
        direction in the vocabulary. When nothing matched at all, ``direction``
        is null and ``score`` 0.

    Examples
    --------
    >>> plans = pl.DataFrame({"app_id": [1, 2], "train_name": ["深度学习研修班", "所庆报告会"]})
    >>> best_direction(match_frame(plans)).select("app_id", "direction", "score").rows()
    [(1, '人工智能', 1.0), (2, None, 0.0)]
    """
    keys = [id_column, "track"] if by_track else [id_column]
    return (
        matches.with_row_index("_o")
        .sort(["score", "_o"], descending=[True, False])
        .unique(subset=keys, keep="first", maintain_order=True)
        .sort("_o")
        .with_columns(direction=pl.when(pl.col("score") > 0).then(pl.col("direction")))
        .drop("_o")
    )


# ───────────────────────────── evaluation ─────────────────────────────


def _split_labels(value: str | None) -> list[str]:
    if not value:
        return []
    return [p.strip() for p in _LABEL_SEP.split(value) if p.strip()]


def evaluate_labels(
    labels: pl.DataFrame,
    *,
    vocabulary: Vocabulary | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> LabelScore:
    """Precision, recall and F1 of the matcher on a labelled set.

    Parameters
    ----------
    labels : columns 培训名称 (required), optionally 培训内容/培训目的/培训关键词,
        ``track`` (a track id; empty = every track) and ``expected``: the expected
        direction names joined by "；" (empty when none applies).
    vocabulary, threshold : as for :func:`match_text`.

    Returns
    -------
    LabelScore
        Micro-averaged over (text, direction) pairs; ``errors`` lists each miss.

    Raises
    ------
    InputError
        A column is missing or an expected name is not a direction of its track.

    Examples
    --------
    >>> labels = pl.DataFrame({"培训名称": ["量子计算研修班", "量子化学计算研修班"],
    ...                        "track": ["mohrss", "mohrss"], "expected": ["量子信息", ""]})
    >>> s = evaluate_labels(labels)
    >>> s.precision, s.recall, s.f1
    (1.0, 1.0, 1.0)
    """
    _check_threshold(threshold)
    vocab = vocabulary if vocabulary is not None else _default_vocabulary()
    for col in ("培训名称", "track", "expected"):
        if col not in labels.columns:
            raise InputError(f"标注表缺少「{col}」列", column=col)
    text_cols = [FIELDS_BY_NAME[f].label for f in TEXT_FIELDS if FIELDS_BY_NAME[f].label in labels.columns]
    tp = fp = fn = 0
    errors: list[dict[str, Any]] = []
    for n, row in enumerate(labels.iter_rows(named=True), start=1):
        track = (row["track"] or "").strip() or None
        allowed = set(vocab.track(track).directions) if track else set(vocab.directions)
        expected = set(_split_labels(row["expected"]))
        unknown = expected - allowed
        if unknown:
            raise InputError(
                f"标注表第{n}行：「{'、'.join(sorted(unknown))}」不是类别「{track or '全部'}」的重点支持方向",
                row=n,
                column="expected",
            )
        scores = {
            (m.track, m.direction): m
            for m in match_text({c: row[c] for c in text_cols}, vocabulary=vocab, track=track, threshold=0.0)
        }
        predicted = {d for (_, d), m in scores.items() if m.score >= threshold}
        tp += len(predicted & expected)
        for kind, names in (("误报", predicted - expected), ("漏报", expected - predicted)):
            for d in sorted(names):
                m = next((v for (_, dn), v in scores.items() if dn == d), None)
                errors.append(
                    {
                        "row": n,
                        "培训名称": row["培训名称"],
                        "track": track or "",
                        "kind": kind,
                        "direction": d,
                        "score": m.score if m else 0.0,
                        "terms": m.terms_text if m else "",
                    }
                )
        fp += len(predicted - expected)
        fn += len(expected - predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    schema = {
        "row": pl.Int64,
        "培训名称": pl.String,
        "track": pl.String,
        "kind": pl.String,
        "direction": pl.String,
        "score": pl.Float64,
        "terms": pl.String,
    }
    return LabelScore(
        precision=precision,
        recall=recall,
        f1=f1,
        tp=tp,
        fp=fp,
        fn=fn,
        rows=labels.height,
        errors=pl.DataFrame(errors, schema=schema),
    )
