"""``casplan select --scores FILE``: choose the funded projects from a scores CSV.

The CSV has one row per application and track it may enter, with the columns
``id, unit, unit_type, track, score, cost`` (optionally ``name`` and
``tiebreak``); UTF-8 (with or without BOM) or GBK/GB18030. Quotas, the
budget and the unit limits come from the policy (``--policy`` or ``--year``:
:func:`casplan.pipeline.select_options`); ``--quota`` and ``--budget`` override
them, a quota keeping the policy's meaning (:class:`casplan.policy.Quota`).

Output: a Chinese text report, or with ``--json`` one JSON object (keys
sorted, Chinese kept) with ``status``, ``status_code``, ``objective``,
``solve_ms``, ``selected`` (sorted by track, id), ``decisions``, ``greedy``
and ``clashes``. ``solve_ms`` is ``null`` unless ``--timing`` is given, so
that equal inputs give byte-identical output.

Exit codes: 0 solved, 1 solver failure, 2 unreadable input (one Chinese line
on stderr, no traceback), 3 the constraints cannot all hold (the clashes are
printed in Chinese).

>>> from casplan.pipeline import select_options
>>> from casplan.policy import load_policy
>>> policy = load_policy()
>>> opts = select_options(policy)
>>> opts.quotas["yanxiu"].upper, sorted(opts.money_tracks)[:2], dict(opts.max_grant)
(10, ['duanqi', 'guanli'], {'mohrss': 15.0})
>>> parse_quota("yanxiu=8", opts, policy)
('yanxiu', Quota(target=8, tolerance=2, mode='ceiling'))
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from casplan.cli.common import add_input_arguments, load_inputs
from casplan.errors import CasplanError, InputError
from casplan.selection import Quota, Selection, SelectOptions, solve

__all__ = [
    "COLUMNS",
    "add_parser",
    "run",
    "run_scores",
    "read_scores",
    "options_from_policy",
    "options_from_args",
    "parse_quota",
    "format_text",
    "to_json",
]

COLUMNS = ("id", "unit", "unit_type", "track", "score", "cost")
_OPTIONAL = ("name", "tiebreak")
_INTERNAL = {"id": "app_id", "unit_type": "unit_kind", "name": "train_name", "tiebreak": "rank"}

def options_from_policy(policy: Mapping[str, Any]) -> SelectOptions:
    """Selection options from the raw YAML dict of a policy file (checked like any policy file).

    >>> import importlib.resources, yaml
    >>> text = importlib.resources.files("casplan").joinpath("policy/2023.yaml").read_text("utf-8")
    >>> opts = options_from_policy(yaml.safe_load(text))
    >>> opts.budget_total, opts.quotas["mohrss"], opts.track_priority[0]
    (900.0, Quota(target=5, tolerance=1, mode='ceiling'), 'mohrss')
    """
    from casplan.pipeline import select_options
    from casplan.policy import parse_policy

    return select_options(parse_policy(policy))


def parse_quota(text: str, options: SelectOptions, policy: Any) -> tuple[str, Quota]:
    """``TRACK=N`` → (track id, the track's quota with target N); TRACK may be the Chinese name or a short form.

    The quota keeps the policy's meaning (``ceiling``: at most N; ``band``: N ± tolerance).

    >>> from casplan.pipeline import select_options
    >>> from casplan.policy import load_policy
    >>> p = load_policy()
    >>> parse_quota("专业技术研修班=8", select_options(p), p)
    ('yanxiu', Quota(target=8, tolerance=2, mode='ceiling'))
    """
    from casplan.errors import PolicyError

    track, sep, number = text.replace("＝", "=").partition("=")
    track = track.strip()
    if not sep or not track:
        raise InputError(f"--quota 的值「{text}」应为 类别=名额，如 专业技术研修班=12")
    try:
        track = policy.resolve_track(track).id
    except PolicyError as exc:
        raise InputError(f"--quota：{exc}") from None
    if track not in options.quotas:
        names = "、".join(options.name(t) for t in options.quotas)
        raise InputError(f"--quota：未知的类别「{track}」，可用：{names}")
    try:
        n = int(number.strip())
    except ValueError:
        raise InputError(f"--quota {options.name(track)} 的名额「{number.strip()}」应为非负整数") from None
    if n < 0:
        raise InputError(f"--quota {options.name(track)} 的名额「{n}」应为非负整数")
    return track, options.quotas[track].moved(n)


def options_from_args(args: argparse.Namespace, base: SelectOptions, policy: Any,
                      known_ids: set[str] | None = None) -> SelectOptions:
    """Apply ``--quota``, ``--budget``, ``--one-per-unit``, ``--force-in/--force-out`` to ``base``.

    ``known_ids``: the application ids of the year; a forced id that is none of them is an error
    naming the nearest ids (「不存在的申报编号」).
    """
    quotas = dict(base.quotas)
    for text in getattr(args, "quota", None) or []:
        track, spec = parse_quota(text, base, policy)
        quotas[track] = spec
    changes: dict[str, Any] = {"quotas": quotas}
    budget = getattr(args, "budget", None)
    if budget is not None:
        if not budget >= 0:
            raise InputError(f"--budget「{budget}」应为不小于 0 的数（万元）")
        changes["budget_total"] = float(budget)
    if getattr(args, "one_per_unit", None) is not None:
        changes["one_per_unit"] = bool(args.one_per_unit)
    if known_ids is not None:
        from casplan.eligibility.overrides import unknown_id_message

        for flag in ("force_in", "force_out"):
            for ident in getattr(args, flag, None) or []:
                if ident not in known_ids:
                    raise InputError(f"--{flag.replace('_', '-')}：{unknown_id_message(ident, known_ids)}", value=ident)
    if getattr(args, "force_in", None):
        changes["forced_in"] = base.forced_in | frozenset(args.force_in)
    if getattr(args, "force_out", None):
        changes["forced_out"] = base.forced_out | frozenset(args.force_out)
    return replace(base, **changes)


# --------------------------------------------------------------------------- reading


def read_scores(path: str | os.PathLike[str], policy: Any = None) -> pl.DataFrame:
    """Read a scores CSV into the candidates frame :func:`casplan.selection.solve` takes.

    The file's columns ``id, unit_type, name, tiebreak`` become ``app_id, unit_kind, train_name, rank``.

    With ``policy``, ``track`` and ``unit_type`` may be written the analyst's way (专业技术研修班,
    研修班; 研究所, 分院) and are read into their ids.

    Raises :class:`~casplan.errors.InputError` naming the file, the line and
    the column of the first bad value (or the missing column).
    """
    from casplan.io import read_plain_table

    p = Path(path)
    frame = read_plain_table(p).rename({"source_row": "_line"})
    frame = frame.rename({c: c.strip().lower() for c in frame.columns if c != "_line"})
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{p.name} 缺少列「{missing[0]}」（需要 {', '.join(COLUMNS)}）", file=str(p),
                         column=missing[0])
    keep = list(COLUMNS) + [c for c in _OPTIONAL if c in frame.columns]
    frame = frame.select(pl.col(keep).str.strip_chars(), "_line")
    frame = frame.filter(~pl.all_horizontal(pl.col(keep).is_null() | (pl.col(keep) == "")))
    numeric = {"score": (pl.Float64, "数字（0–100）"), "cost": (pl.Float64, "数字（万元）"),
               "tiebreak": (pl.Int64, "整数")}
    for col, (dtype, expected) in numeric.items():
        if col not in frame.columns:
            continue
        value = pl.col(col).str.replace_all("，", "").str.replace_all(",", "")
        if col == "tiebreak":
            value = value.str.replace(r"\.0+$", "")
        parsed = value.cast(dtype, strict=False)
        bad = frame.filter(pl.col(col).is_not_null() & (pl.col(col) != "") & parsed.is_null())
        if bad.height:
            line, cell = bad.select("_line", col).row(0)
            raise InputError(f"{p.name} 第{line}行「{col}」为「{cell}」，应为{expected}", file=str(p), row=line,
                             column=col, value=cell)
        frame = frame.with_columns(parsed.alias(col))
    for col in ("id", "unit", "unit_type", "track", "score", "cost"):
        bad = frame.filter(pl.col(col).is_null() | (pl.col(col).cast(pl.String) == ""))
        if bad.height:
            line = bad["_line"][0]
            raise InputError(f"{p.name} 第{line}行「{col}」为空", file=str(p), row=line, column=col)
    if policy is not None:
        from casplan.errors import PolicyError

        for col, resolve in (("track", lambda v: policy.resolve_track(v).id), ("unit_type", policy.resolve_unit_type)):
            mapping = {}
            for value, line in frame.select(col, "_line").unique(col, keep="first", maintain_order=True).iter_rows():
                try:
                    mapping[value] = resolve(value)
                except PolicyError as exc:
                    raise InputError(f"{p.name} 第{line}行「{col}」：{exc}", file=str(p), row=line, column=col,
                                     value=value) from None
            frame = frame.with_columns(pl.col(col).replace_strict(mapping, return_dtype=pl.String))
    # the file's columns (an interface, documented in the help) → the names the package uses throughout
    return frame.drop("_line").rename({k: v for k, v in _INTERNAL.items() if k in frame.columns})


# --------------------------------------------------------------------------- output


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: object, width: int, right: bool = False) -> str:
    s = "" if text is None else str(text)
    fill = " " * max(width - _width(s), 0)
    return fill + s if right else s + fill


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_text(sel: Selection, *, timing: bool = False) -> str:
    """The Chinese text report of a selection."""
    lines = []
    head = f"遴选结果：{sel.status_text}"
    if sel.objective is not None:
        head += f"，总分 {_num(sel.objective)}"
    if timing:
        head += f"（求解用时 {sel.solve_ms:.1f} ms）"
    lines.append(head)
    if not sel.ok:
        lines.append("冲突的约束：")
        lines.extend(f"  {c.message}" for c in sel.clashes)
        return "\n".join(lines)
    budget = "不设上限" if sel.budget_total is None else f"{_num(sel.budget_total)} 万元"
    lines.append(f"经费：已安排 {_num(sel.budget_spent)} 万元，总额 {budget}")
    lines.append("")
    lines.append(_pad("类别", 20) + _pad("入选/上限", 10, True) + _pad("申报", 6, True) + _pad("入选线", 8, True)
                 + _pad("经费(万元)", 12, True))
    for r in sel.tracks.iter_rows(named=True):
        lines.append(_pad(r["track_name"], 20) + _pad(f"{r['n_chosen']}/{r['upper']}", 10, True)
                     + _pad(r["n_candidates"], 6, True) + _pad(_num(r["cutoff"]), 8, True)
                     + _pad(_num(r["cost"]), 12, True))
    lines.append("")
    lines.append("入选名单")
    lines.append(_pad("类别", 20) + _pad("排名", 6, True) + "  " + _pad("申报ID", 14) + _pad("单位", 16)
                 + _pad("得分", 8, True) + _pad("经费", 8, True) + _pad("比未入选最高", 14, True) + "  培训名称")
    for r in sel.chosen.iter_rows(named=True):
        lines.append(_pad(r["track_name"], 20) + _pad(r["rank_in_track"], 6, True) + "  " + _pad(r["app_id"], 14)
                     + _pad(r["unit"], 16) + _pad(_num(r["score"]), 8, True) + _pad(_num(r["cost"]), 8, True)
                     + _pad(_num(r["margin_over_best_excluded"]), 14, True) + "  " + (r["train_name"] or "")
                     + ("（强制入选）" if r["forced"] else ""))
    lines.append("")
    lines.append("与贪心法比较")
    labels = {"score": "按得分从高到低", "score_per_cost": "按每万元得分从高到低"}
    for key in ("score", "score_per_cost"):
        g = sel.greedy[key]
        text = f"  {labels[key]}：入选 {g.chosen.height} 项，总分 {_num(g.objective)}"
        if g.gap is not None:
            text += f"，比最优少 {_num(g.gap)} 分"
        if not g.feasible:
            text += "（未能满足名额下限或强制入选）"
        lines.append(text)
    out = sel.decisions.filter(~pl.col("chosen"))
    if out.height:
        lines.append("")
        lines.append(f"未入选说明（{out.height} 项）")
        for r in out.iter_rows(named=True):
            lines.append(f"  {r['app_id']}  [{r['code']}] {r['message']}")
    return "\n".join(lines)


def to_json(sel: Selection, *, timing: bool = False) -> str:
    """One JSON object (sorted keys, Chinese kept); ``solve_ms`` only with ``timing``."""
    data = sel.to_dict()
    data["solve_ms"] = round(sel.solve_ms, 3) if timing else None
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


@contextmanager
def _native_stdout_silenced() -> Iterator[None]:
    """Keep HiGHS's rare native debug prints out of our stdout (the JSON must stay clean)."""
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        yield
        return
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def run_scores(path: str | os.PathLike[str], *, options: SelectOptions, as_json: bool = False,
               timing: bool = False, policy: Any = None, args: argparse.Namespace | None = None) -> int:
    """Read ``path``, solve with ``options``, print the result; return the exit code.

    With ``args``, the command's flags are applied once the candidates are known (forced ids checked).
    """
    try:
        candidates = read_scores(path, policy)
        if args is not None:
            options = options_from_args(args, options, policy, known_ids=set(candidates["app_id"].to_list()))
            for note in policy.quota_warnings({t: q.target for t, q in options.quotas.items()}):
                print(f"提示：{note}", file=sys.stderr)
        with _native_stdout_silenced():
            sel = solve(candidates, options=options)
    except CasplanError as err:
        print(f"错误：{err}", file=sys.stderr)
        return err.exit_code
    sys.stdout.write((to_json(sel, timing=timing) if as_json else format_text(sel, timing=timing)) + "\n")
    if sel.status == "infeasible":
        for clash in sel.clashes:
            print(f"约束冲突：{clash.message}", file=sys.stderr)
        return 3
    if not sel.ok:
        print(f"错误：{sel.status_text}", file=sys.stderr)
        return 1
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``select`` sub-command; its ``func`` default is :func:`run`."""
    parser = subparsers.add_parser(
        "select",
        help="按得分遴选资助项目（名额、经费、单位限制下总分最高）",
        description="读取候选得分表（每个申报、每个可参选类别一行），在名额、经费和单位限制下求总分最高的方案，"
                    "并说明每个申报入选或未入选的原因。",
    )
    add_input_arguments(parser, reviews=True)
    parser.add_argument("--scores", type=Path, metavar="文件",
                        help="（开发用）只运行遴选：候选得分 CSV，列 id, unit, unit_type, track, score, cost"
                             "（可选 name, tiebreak）；须同时用 --policy 或 --year 指定政策")
    parser.add_argument("--quota", action="append", default=[], metavar="类别=名额",
                        help="把某类别名额设为 N（可重复），如 --quota 专业技术研修班=12 或 --quota 研修班=12；"
                             "含义与政策文件相同（ceiling：至多 N 项；band：N±tolerance 项）")
    parser.add_argument("--budget", type=float, metavar="万元", help="经费资助总额上限（万元）")
    parser.add_argument("--one-per-unit", action=argparse.BooleanOptionalAction, default=None,
                        help="每个研究所原则上只资助 1 个项目（规则 U1，默认开启）")
    parser.add_argument("--force-in", action="append", default=[], metavar="申报编号", help="强制入选的申报编号（可重复）")
    parser.add_argument("--force-out", action="append", default=[], metavar="申报编号", help="强制排除的申报编号（可重复）")
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    parser.add_argument("--timing", action="store_true",
                        help="输出求解用时（默认不输出，相同输入得到逐字节相同的输出）")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``casplan select``: the whole chain from the export, or the solver alone on ``--scores FILE``."""
    plans = getattr(args, "plans", None) or []
    if getattr(args, "scores", None) is None and not plans:
        print("错误：请给出培训计划导出文件，或用 --scores 指定候选得分 CSV", file=sys.stderr)
        return 2
    try:
        if plans:
            return _run_plans(args)
        from casplan.pipeline import select_options
        from casplan.policy import find_policy, load_policy

        if getattr(args, "policy", None):
            policy = load_policy(args.policy)
        elif getattr(args, "year", None) is not None:
            policy = load_policy(find_policy(args.year))
        else:
            raise InputError("用 --scores 时须用 --policy 指定政策文件（或用 --year 指定年度）：名额、经费和单位限制都来自政策")
        base = select_options(policy)
    except CasplanError as err:
        print(f"错误：{err}", file=sys.stderr)
        return err.exit_code
    return run_scores(args.scores, options=base, as_json=bool(args.json), timing=bool(args.timing), policy=policy,
                      args=args)


def _run_plans(args: argparse.Namespace) -> int:
    """The whole chain: read, check, score, select with the policy's options and the flags."""
    from casplan.pipeline import run_year, select_options

    loaded = load_inputs(args)
    if loaded.errors:
        return 2
    options = options_from_args(args, select_options(loaded.policy, overrides=loaded.overrides), loaded.policy,
                                known_ids=set(loaded.plans.frame["app_id"].to_list()))
    for note in loaded.policy.quota_warnings({t: q.target for t, q in options.quotas.items()}):
        print(f"提示：{note}", file=sys.stderr)
    with _native_stdout_silenced():
        year = run_year(options=options, loaded=loaded)
    sel = year.selection
    if args.json:
        data = json.loads(to_json(sel, timing=bool(args.timing)))
        data["intake"] = {k: loaded.plans.summary()[k] for k in ("rows_read", "rows_accepted", "rows_set_aside")}
        data["notes"] = list(loaded.notes)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n")
    else:
        for note in loaded.notes:
            print(f"说明：{note}")
        sys.stdout.write(format_text(sel, timing=bool(args.timing)) + "\n")
    if sel.status == "infeasible":
        for clash in sel.clashes:
            print(f"约束冲突：{clash.message}", file=sys.stderr)
        return 3
    return 0 if sel.ok else 1
