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

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from casplan.directions.vocabulary import (DEFAULT_THRESHOLD, TEXT_FIELDS, Vocabulary, default_vocabulary, normalise_term)
from casplan.directions.vocabulary import load_directions  # noqa: F401  (the doctests)
from casplan.errors import InputError
from casplan.intake.fields import FIELDS_BY_NAME, header_key

__all__ = ["TermHit", "DirectionMatch", "Matcher", "match_text", "match_frame", "best_direction", "check_threshold"]


# ───────────────────────────── data ─────────────────────────────


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
    shown = matched_text if normalise_term(matched_text) == term else term
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


# ───────────────────────────── loading ─────────────────────────────


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


class Matcher:
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


def check_threshold(threshold: float) -> None:
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
    check_threshold(threshold)
    vocab = vocabulary if vocabulary is not None else default_vocabulary()
    if isinstance(text, str):
        fields: dict[str, str | None] = {"train_name": text}
    else:
        fields = {}
        for key, value in text.items():
            fields[_field_name(key)] = value
    tracks = (vocab.track(track),) if track is not None else vocab.tracks
    evidence = vocab.matcher.evidence(fields)
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
    check_threshold(threshold)
    vocab = vocabulary if vocabulary is not None else default_vocabulary()
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
    matcher = vocab.matcher
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
