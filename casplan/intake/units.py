"""Who a unit is, however it is written: names folded, resolved against the roster, typed.

The same institute reaches the workbook as 「中国科学院化学研究所」, 「中科院化学所」,
「中國科學院化學研究所」, 「…化学研究所人事处」 (the 主办单位 column) or with an invisible
character inside. One application per institute (U1) and the 2022 execution rule
(U2) hold only if all of these are one unit, so every name is resolved here, once,
for plans and history alike:

1. :func:`unit_key` folds a name: Unicode NFKC, traditional → simplified (OpenCC
   ``t2s``), Unicode's invisible code points removed, spaces and punctuation dropped,
   中科院 → 中国科学院.
2. :class:`UnitIndex` resolves the key against the roster's names and aliases:
   exactly; after the policy's folding rules (an internal office such as 人事处
   after the unit's name is dropped, 「…所」 is tried as 「…研究所」, the 中国科学院
   prefix is optional); or by similarity above the policy's threshold, which is
   *applied* (so that a re-spelled name cannot escape U1/U2) and shown to the
   analyst for confirmation, with the score. The analyst's decisions file can
   confirm a spelling (``unit_alias``), reject a similarity match
   (``unit_distinct``) or set a unit's type (``unit_type``).
3. A unit the roster does not list keeps its folded name, and its type is
   inferred from the name with the policy's vocabulary (``unit_names``: 分院,
   研究所/研究院 …, 局/厅/办公室 of 院机关), with a warning naming the inference —
   never silently 「其他」.

>>> unit_key("中國科學院 化學研究所\\ufe0f")
'中国科学院化学研究所'
>>> unit_key("中科院沈阳应用生态所")
'中国科学院沈阳应用生态所'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["unit_key", "UnitIndex", "Resolution", "infer_unit_type", "RESOLUTION_LABELS"]

_CAS = "中国科学院"
_CAS_SHORT = ("中科院", "中国科学院院属", "科学院")
RESOLUTION_LABELS = {
    "roster": "与名册一致",
    "alias": "名册别名",
    "folded": "规范化后与名册一致",
    "similar": "按名称相似度认定（请核对）",
    "decided": "人工决定",
    "ambiguous": "与名册中的单位相近而又不同，无法确定（须人工确认）",
    "unknown": "名册中没有",
}
_RLO = "\u202e"


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s.json")


@lru_cache(maxsize=1 << 16)
def unit_key(name: str) -> str:
    """The identity key of a unit name (see the module docstring, step 1).

    >>> unit_key(" 中科院 物理所 ") == unit_key("中国科学院物理所")
    True
    """
    from casplan.intake.normalize import normalize_name, strip_invisible

    text = strip_invisible(unicodedata.normalize("NFKC", str(name)))
    text = _t2s().convert(text)
    key = normalize_name(text)
    for short in _CAS_SHORT:
        if key.startswith(short):
            key = _CAS + key[len(short):]
            break
    return key


def _bigram_dice(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) < 2 or len(b) < 2:
        return 0.0
    ga = [a[i:i + 2] for i in range(len(a) - 1)]
    gb = [b[i:i + 2] for i in range(len(b) - 1)]
    pool = list(gb)
    shared = 0
    for g in ga:
        if g in pool:
            pool.remove(g)
            shared += 1
    return 2.0 * shared / (len(ga) + len(gb))


_GENERIC_TAIL = re.compile(r"(研究所|研究院|研究中心|分院|所)$")


def _core(key: str) -> str:
    """The distinctive part of a unit key: no 中国科学院 prefix, no 研究所/研究院 ending."""
    core = key.removeprefix(_CAS)
    return _GENERIC_TAIL.sub("", core) or core


@dataclass(frozen=True)
class Resolution:
    """How one written name was resolved.

    ``how`` is one of :data:`RESOLUTION_LABELS`; ``unit`` is the roster's name (or the
    cleaned written name when unknown); ``similarity`` the score of a similarity match;
    ``candidates`` the nearest roster names when nothing was decided.
    """

    written: str
    unit: str
    how: str
    similarity: float | None = None
    candidates: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.how not in ("unknown", "ambiguous")


class UnitIndex:
    """The roster's names and aliases, folded, for resolving written names.

    Parameters
    ----------
    roster : (unit, aliases) pairs; aliases separated by ；;,，、.
    department_suffixes : internal offices that may follow a unit's name (人事处 …).
    similarity : the lowest similarity at which a name is taken as a roster unit.
    aliases : the analyst's confirmed spellings (written → roster unit).
    distinct : written names the analyst declared not to be any roster unit.
    """

    def __init__(self, roster: Iterable[tuple[str, str | None]], *, department_suffixes: Sequence[str] = (),
                 similarity: float = 0.85, hold_similarity: float = 0.6, aliases: Mapping[str, str] | None = None,
                 distinct: Iterable[str] = ()) -> None:
        self.exact: dict[str, str] = {}
        self.alias: dict[str, str] = {}
        self.units: list[str] = []
        listed: set[str] = set()  # a list's `in` made this quadratic: 1.9 s for a roster of 12,200 units
        for unit, extra in roster:
            if unit not in listed:
                listed.add(unit)
                self.units.append(unit)
            self.exact.setdefault(unit_key(unit), unit)
            for a in re.split(r"[；;,，、/]", extra or ""):
                if a.strip():
                    self.alias.setdefault(unit_key(a), unit)
        self.suffixes = tuple(sorted({unit_key(s) for s in department_suffixes if s.strip()}, key=len, reverse=True))
        self.similarity = similarity
        self.hold_similarity = hold_similarity
        self.decided = {unit_key(k): v for k, v in (aliases or {}).items()}
        self.distinct = {unit_key(k) for k in distinct}
        self._cores = [(_core(unit_key(u)), u) for u in self.units]
        self._cache: dict[str, Resolution] = {}

    def _lookup(self, key: str) -> tuple[str, str] | None:
        for table, how in ((self.exact, "roster"), (self.alias, "alias")):
            if key in table:
                return table[key], how
        return None

    def _forms(self, key: str) -> list[str]:
        """The key with the policy's folding rules applied (offices dropped, 所 → 研究所, prefix optional)."""
        forms = [key]
        for s in self.suffixes:
            if key.endswith(s) and len(key) > len(s) + 2:
                forms.append(key[: -len(s)])
                break
        more = []
        for f in forms:
            if f.endswith("所") and not f.endswith("研究所"):
                more.append(f[:-1] + "研究所")
            if f.endswith("院") and not f.endswith(("研究院", "分院", "学院")):
                more.append(f[:-1] + "研究院")
        forms += more
        forms += [_CAS + f for f in forms if not f.startswith(_CAS)]
        forms += [f.removeprefix(_CAS) for f in forms if f.startswith(_CAS)]
        return list(dict.fromkeys(forms))

    def resolve(self, written: str) -> Resolution:
        """Resolve one written name (cached)."""
        hit = self._cache.get(written)
        if hit is None:
            hit = self._cache[written] = self._resolve(written)
        return hit

    def _resolve(self, written: str) -> Resolution:
        from casplan.intake.normalize import displayed

        plain = self._resolve_plain(written)
        if _RLO in written and not plain.known:  # the order the reader sees (a reversed name shown forwards)
            seen = self._resolve_plain(displayed(written))
            if seen.known:
                return Resolution(written, seen.unit, seen.how, seen.similarity, seen.candidates)
        return plain

    def _resolve_plain(self, written: str) -> Resolution:
        from casplan.intake.normalize import clean_text

        shown = clean_text(written) or str(written)
        key = unit_key(written)
        if key in self.decided:
            return Resolution(written, self.decided[key], "decided")
        found = self._lookup(key)
        if found:
            return Resolution(written, found[0], found[1])
        if key in self.distinct:
            return Resolution(written, self._own_name(shown), "unknown")
        for form in self._forms(key)[1:]:
            found = self._lookup(form)
            if found:
                return Resolution(written, found[0], "folded")
        if not self.units:
            return Resolution(written, self._own_name(shown), "unknown")
        core = _core(self._forms(key)[0])
        scored = sorted(((_bigram_dice(core, c), u) for c, u in self._cores), key=lambda x: (-x[0], x[1]))
        best, unit = scored[0]
        runner = scored[1][0] if len(scored) > 1 else 0.0
        near = tuple(u for s, u in scored[:3] if s > 0.3)
        if best >= self.similarity and best - runner >= 0.05:
            return Resolution(written, unit, "similar", round(best, 3), near)
        if best >= self.hold_similarity:
            # close to a roster unit (or to several) but not clearly one: deciding either way moves money
            close = tuple(u for sc, u in scored if sc >= self.hold_similarity)[:3]
            return Resolution(written, self._own_name(shown), "ambiguous", round(best, 3), close)
        return Resolution(written, self._own_name(shown), "unknown", round(best, 3) if near else None, near)

    @staticmethod
    def _own_name(shown: str) -> str:
        """An unknown unit keeps its written name, with the academy's prefix spelled out and simplified."""
        text = _t2s().convert(shown)
        for short in _CAS_SHORT:
            if text.startswith(short):
                return _CAS + text[len(short):]
        return text


def infer_unit_type(name: str, patterns: Mapping[str, Sequence[str]]) -> str | None:
    """The unit type a name suggests, by the policy's name endings (the first type that fits, in order).

    >>> pats = {"branch": ["分院"], "department": ["局", "厅", "办公室"], "institute": ["研究所", "所"]}
    >>> infer_unit_type("中国科学院武汉分院", pats), infer_unit_type("中国科学院科技促进发展局", pats)
    ('branch', 'department')
    >>> infer_unit_type("某某公司", pats) is None
    True
    """
    key = unit_key(name)
    for kind, endings in patterns.items():
        for e in endings:
            if key.endswith(unit_key(e)):
                return kind
    return None
