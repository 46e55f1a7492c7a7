"""How well the matcher agrees with hand labels: precision, recall and F1 per direction and overall."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from casplan.directions.matcher import check_threshold, match_text
from casplan.directions.vocabulary import DEFAULT_THRESHOLD, TEXT_FIELDS, Vocabulary, default_vocabulary
from casplan.errors import InputError
from casplan.intake.fields import FIELDS_BY_NAME

__all__ = ["LabelScore", "evaluate_labels"]

_LABEL_SEP = re.compile(r"[；;]")


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
    check_threshold(threshold)
    vocab = vocabulary if vocabulary is not None else default_vocabulary()
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
