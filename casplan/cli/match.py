"""``casplan match``: show which 重点支持方向 a training title (or a file of them) matches.

Usage::

    casplan match TEXT... [--track T] [--json] [--threshold X] [--policy-directions FILE]
    casplan match --file plans.xlsx [--track T] [--json] ...

Each TEXT is a 培训名称. ``--file`` reads a CSV (UTF-8 or GBK/GB18030) or an
Excel workbook (first sheet) whose header row (within the first 10 rows, so a
title row above it is fine) has a 培训名称 column; 培训内容、培训目的、培训关键词
are used when present. The human output is Chinese, one block per text; ``--json``
prints a JSON array, one object per text::

    [{"text": "…", "directions": [{"direction": "…", "track": "…", "score": 0.9,
      "terms": [{"term": "…", "matched_text": "…", "field": "培训名称"}]}]}]

with the directions at or above the threshold, best first. An unreadable file,
a missing 培训名称 column, a bad vocabulary file or an unknown track prints one
Chinese line on stderr and exits 2.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="casplan")
>>> _ = add_parser(parser.add_subparsers(dest="command"))
>>> run(parser.parse_args(["match", "深度学习研修班", "--track", "mohrss"]))
【1】深度学习研修班
    人工智能（人社部高级研修项目）  得分 1.00  命中：深度学习(培训名称)
0
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


from casplan.directions import (
    DEFAULT_THRESHOLD,
    TEXT_FIELDS,
    DirectionMatch,
    Vocabulary,
    load_directions,
    match_text,
)
from casplan.errors import CasplanError, InputError

__all__ = ["add_parser", "run", "read_texts"]



def _threshold(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"阈值「{value}」不是数字，应为 0 到 1 之间的数（如 0.35）") from None
    if not 0 <= x <= 1:
        raise argparse.ArgumentTypeError(f"阈值「{value}」超出范围，应为 0 到 1 之间的数（如 0.35）")
    return x


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``match`` sub-command to an ``argparse`` sub-parsers object.

    The parser's ``func`` default is :func:`run`.
    """
    parser = subparsers.add_parser(
        "match",
        help="按附表重点支持方向匹配培训名称",
        description="按《申报指南》附表的重点支持方向匹配培训名称（或文件中的每一行），显示得分与命中词。",
    )
    parser.add_argument("texts", nargs="*", metavar="TEXT", help="培训名称，可给多个")
    parser.add_argument("--file", "-f", type=Path, help="CSV（UTF-8 或 GBK）或 xlsx 文件，须有「培训名称」列")
    parser.add_argument("--track", "-t", metavar="类别",
                        help="只看某一类别的方向：类别名或简称，如 专业技术研修班、学术讲坛、精品、人社部")
    parser.add_argument("--json", action="store_true", help="输出 JSON 数组")
    parser.add_argument(
        "--threshold",
        type=_threshold,
        default=DEFAULT_THRESHOLD,
        help=f"得分不低于此值才列出（默认 {DEFAULT_THRESHOLD}，即内置政策的 scoring.match_threshold）",
    )
    parser.add_argument("--policy", type=Path, default=None, metavar="文件",
                        help="政策文件：用它的方向词表和类别写法（默认内置的最新年度政策）")
    parser.add_argument("--policy-directions", type=Path, default=None, metavar="文件",
                        help="方向词表 YAML（默认用政策文件中的词表）")
    parser.set_defaults(func=run)
    return parser


# ───────────────────────────── reading ─────────────────────────────


def read_texts(path: str | Path) -> list[dict[str, str | None]]:
    """Read the text fields of every row of a plan file (CSV or Excel).

    Parameters
    ----------
    path : CSV (UTF-8, UTF-8 with BOM, UTF-16, GBK/GB18030) or Excel file, read by
        :func:`casplan.io.read_tables`; the header row may sit below title rows.

    Returns
    -------
    list of dict
        One mapping per row with a non-empty 培训名称, keyed by the canonical text
        fields (``train_name``, ``keywords``, ``goal``, ``content``).

    Raises
    ------
    UnreadableFileError
        Missing, empty, corrupt or undecodable file.
    InputError
        No 培训名称 column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "plans.csv"
    >>> _ = p.write_text("2023年培训计划\\n培训名称,培训内容\\n碳中和研修班,讲授低碳技术\\n", encoding="utf-8")
    >>> read_texts(p)
    [{'train_name': '碳中和研修班', 'content': '讲授低碳技术'}]
    """
    from casplan.intake.fields import FIELDS_BY_NAME
    from casplan.io import read_tables

    fields = tuple(FIELDS_BY_NAME[f] for f in TEXT_FIELDS)
    tables, _ = read_tables(Path(path), fields=fields, display_name=Path(path).name, min_matches=1)
    out: list[dict[str, str | None]] = []
    for table in tables:
        if "train_name" not in table.frame.columns:
            continue
        ordered = [f for f in TEXT_FIELDS if f in table.frame.columns]
        for row in table.frame.select(ordered).rows():
            record = {f: (v.strip() if isinstance(v, str) else v) for f, v in zip(ordered, row, strict=True)}
            if record.get("train_name"):
                out.append(record)
    if not out and not any("train_name" in t.frame.columns for t in tables):
        raise InputError(f"文件「{Path(path).name}」中找不到「培训名称」列", file=str(path), column="培训名称")
    return out


# ───────────────────────────── output ─────────────────────────────


def _as_json(text: str, matches: list[DirectionMatch]) -> dict[str, Any]:
    return {
        "text": text,
        "directions": [
            {
                "direction": m.direction,
                "track": m.track,
                "score": round(m.score, 4),
                "terms": [
                    {"term": h.term, "matched_text": h.matched_text, "field": h.field_label} for h in m.terms
                ],
            }
            for m in matches
        ],
    }


def _as_block(n: int, text: str, matches: list[DirectionMatch], vocab: Vocabulary, threshold: float) -> str:
    lines = [f"【{n}】{text}"]
    names = {t.id: t.name for t in vocab.tracks}
    for m in matches:
        lines.append(f"    {m.direction}（{names[m.track]}）  得分 {m.score:.2f}  命中：{m.terms_text or '—'}")
    if not matches:
        lines.append(f"    （没有得分达到 {threshold:g} 的重点支持方向）")
    return "\n".join(lines)


def _track_id(text: str, vocab: Vocabulary, policy) -> str:
    """The vocabulary's track id of what the analyst typed: the Chinese name, a policy short form or the id."""
    from casplan.errors import PolicyError

    for t in vocab.tracks:
        if text.strip() in (t.id, t.name):
            return t.id
    try:
        tid = policy.resolve_track(text).id
    except PolicyError as exc:
        raise InputError(f"--track：{exc}") from None
    vocab.track(tid)
    return tid


def run(args: argparse.Namespace) -> int:
    """Run ``casplan match``; return the exit code (0, or 2 on unusable input).

    Errors are printed as one Chinese line on stderr, without a traceback.
    """
    try:
        from casplan.policy import load_policy

        policy = load_policy(getattr(args, "policy", None))
        vocab = load_directions(args.policy_directions) if args.policy_directions else policy.vocabulary
        if args.track is not None:
            args.track = _track_id(args.track, vocab, policy)
        items: list[dict[str, str | None]] = [{"train_name": t} for t in args.texts if t.strip()]
        if args.file is not None:
            items.extend(read_texts(args.file))
        if not items:
            raise InputError("请给出至少一个培训名称，或用 --file 指定含「培训名称」列的文件")
    except CasplanError as err:
        print(f"错误：{err}", file=sys.stderr)
        return err.exit_code
    results = [
        (item["train_name"] or "", match_text(item, vocabulary=vocab, track=args.track, threshold=args.threshold))
        for item in items
    ]
    if args.json:
        print(json.dumps([_as_json(t, m) for t, m in results], ensure_ascii=False, indent=2))
    else:
        print("\n".join(_as_block(n, t, m, vocab, args.threshold) for n, (t, m) in enumerate(results, start=1)))
    return 0
