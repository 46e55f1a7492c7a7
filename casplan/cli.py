"""The ``casplan`` command line. Errors become one Chinese line and an exit code, never a traceback.

Exit codes: 0 done (rows may have been set aside), 1 an unexpected fault of ours,
2 an input could not be read, 3 the selection constraints cannot all hold.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from casplan.errors import CasplanError

__all__ = ["main", "build_parser"]

# Sub-commands whose parser and runner live in their own modules (add_parser / run).
_MODULES = {
    "sample": "casplan.sample",
    "match": "casplan.cli_match",
    "select": "casplan.cli_select",
    "render": "casplan.render",
    "report": "casplan.report",
}


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")


def _validate(args: argparse.Namespace) -> int:
    from casplan.intake import cleaned_plans, read_plans, read_roster
    from casplan.io import write_frame

    roster = None
    if args.roster:
        r = read_roster([args.roster])
        if r.errors:
            for e in r.errors:
                print(str(e), file=sys.stderr)
            return 2
        roster = r.frame
        _print_companions({"单位名册": r})
    intake = read_plans(args.paths, roster=roster)
    if args.out:
        write_frame(cleaned_plans(intake.frame), args.out, sheet="培训计划（已清洗）")
    if args.json:
        _print_json(intake.summary())
    else:
        _print_summary(intake)
    for e in intake.errors:
        print(str(e), file=sys.stderr)
    return 2 if intake.errors else 0


def _print_companions(parts: dict) -> None:
    """On stderr: the rows of the roster, history or reviews that were set aside or warned about.

    The plans have their own summary; without this, a bad row of a companion file would vanish unseen.
    """
    for label, part in parts.items():
        if part is None:
            continue
        for message in part.set_aside["message"].to_list():
            print(f"{label}：{message}（该行未使用）", file=sys.stderr)
        for reason, message in part.warnings.select("reason", "message").iter_rows():
            if reason != "I-NOTE":
                print(f"{label}：{message}", file=sys.stderr)


def _print_summary(intake) -> None:
    s = intake.summary()
    print(f"读取文件 {len({f['file'] for f in s['files']})} 个（工作表 {len(s['files'])} 张），"
          f"无法读取 {len(s['errors'])} 个")
    print(f"读取行数 {s['rows_read']}：接收 {s['rows_accepted']}，搁置 {s['rows_set_aside']}"
          f"（另有空行 {s['blank_rows']} 行未计）")
    for f in s["files"]:
        sheet = f"「{f['sheet']}」" if f["sheet"] else ""
        print(f"  {f['file']}{sheet}：表头在第 {f['header_row']} 行，读取 {f['rows_read']}，"
              f"接收 {f['rows_accepted']}，搁置 {f['rows_set_aside']}"
              + (f"；未识别的列：{f['unknown_columns']}" if f["unknown_columns"] else ""))
    if s["reasons"]:
        from casplan.intake import INTAKE_REASONS

        print("搁置原因（按出现次数）：")
        for code, n in list(s["reasons"].items())[:8]:
            print(f"  {code} ×{n}：{INTAKE_REASONS.get(code, '')}")
        print("搁置明细（前 20 条）：")
        for p in s["set_aside"][:20]:
            print(f"  {p['message']}")
    notes = [w for w in s["warnings"] if w["reason"] != "I-NOTE"]
    if notes:
        print(f"提示 {len(notes)} 条（不影响接收），例如：")
        for w in notes[:5]:
            print(f"  {w['message']}")
    for w in s["warnings"]:
        if w["reason"] == "I-NOTE":
            print(f"  说明：{w['message']}")


def _inputs_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("plans", nargs="*", metavar="PLANS", help="培训计划导出文件或文件夹")
    p.add_argument("--history", help="往年项目（xlsx/csv）")
    p.add_argument("--roster", help="单位名册（xlsx/csv）")
    p.add_argument("--policy", help="政策文件（缺省为内置 2023 年政策）")
    p.add_argument("--overrides", help="人工决定（YAML 或 xlsx）")


def _load(args: argparse.Namespace):
    from casplan.pipeline import Inputs, load

    inputs = Inputs.of(args.plans, history=args.history, roster=args.roster, policy=args.policy,
                       overrides=args.overrides, **({"reviews": args.reviews} if getattr(args, "reviews", None) else {}))
    loaded = load(inputs)
    for e in loaded.errors:
        print(str(e), file=sys.stderr)
    _print_companions({"单位名册": loaded.roster, "往年项目": loaded.history, "专家评审": loaded.reviews})
    return loaded


def _check(args: argparse.Namespace) -> int:
    from casplan.pipeline import assess

    if not args.plans:
        print("请给出培训计划导出文件（PLANS）", file=sys.stderr)
        return 2
    loaded = _load(args)
    result = assess(loaded)
    if args.json:
        data = result.to_json(loaded.policy)
        data["intake"] = {k: loaded.plans.summary()[k] for k in ("rows_read", "rows_accepted", "rows_set_aside")}
        _print_json(data)
    else:
        _print_check(result, loaded)
    return 2 if loaded.errors else 0


def _print_check(result, loaded) -> None:
    import polars as pl

    policy = loaded.policy
    s = result.summary
    print(f"申报项目 {result.applications.height} 项（读取 {loaded.plans.rows_read} 行，搁置 {loaded.plans.rows_set_aside} 行）")
    for t in policy.tracks:
        part = s.filter(pl.col("track") == t.id)
        print(f"  {t.name}：申报 {part.height}，具备资格 {part['eligible'].sum()}，不具备 {(~part['eligible']).sum()}")
    fails = result.verdicts.filter(pl.col("status") == "fail").group_by("code").len().sort(["len", "code"], descending=[True, False])
    if fails.height:
        from casplan.eligibility import REASONS

        print("不具备资格的主要原因：")
        for code, n in fails.head(10).iter_rows():
            print(f"  {code} ×{n}：{REASONS.get(code, '')}")
    units = result.units
    missing = units.filter(~pl.col("submitted"))["unit"].to_list()
    late = units.filter(pl.col("late"))["unit"].to_list()
    print(f"未报送单位 {len(missing)} 个" + (f"：{'、'.join(missing)}" if missing else ""))
    print(f"逾期报送单位 {len(late)} 个" + (f"：{'、'.join(late)}" if late else ""))


def _policy(args: argparse.Namespace) -> int:
    from casplan.policy import load_policy

    from casplan.directions import load_directions

    policy = load_policy(args.file)
    vocabulary = load_directions(policy.directions_path())
    missing = [t.id for t in policy.tracks if t.id not in vocabulary.track_ids]
    if missing:
        print(f"政策文件 {args.file}：方向词表 {policy.directions_path().name} 中没有类别「{'、'.join(missing)}」",
              file=sys.stderr)
        return 2
    print(f"政策文件 {args.file or '（内置 2023）'} 有效：{policy.year} 年度，方向词表 {policy.directions_path().name}，类别 "
          + "、".join(f"{t.name}（名额 {t.quota}±{t.tolerance}）" for t in policy.tracks))
    return 0


_HELP = {
    "sample": "生成样例年度数据", "match": "按附表重点支持方向匹配培训名称", "select": "遴选资助项目",
    "render": "用 papermill 运行笔记本并生成离线 HTML", "report": "生成正式遴选报告",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``casplan`` parser; with ``only``, just that sub-command's module is imported (fast start)."""
    parser = argparse.ArgumentParser(prog="casplan", description="中国科学院继续教育与培训院级资助项目遴选工作簿")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    v = sub.add_parser("validate", help="读取并校验培训计划导出文件")
    v.add_argument("paths", nargs="+", metavar="PATH", help="导出文件（xlsx/csv）或按单位存放的文件夹")
    v.add_argument("--roster", help="单位名册（xlsx/csv）")
    v.add_argument("--json", action="store_true", help="以 JSON 输出统计与搁置明细")
    v.add_argument("--out", help="把接收的行（已清洗）写成 .csv 或 .xlsx")
    v.set_defaults(run=_validate)

    c = sub.add_parser("check", help="按通知审查每项申报的资格")
    _inputs_arguments(c)
    c.add_argument("--json", action="store_true", help="以 JSON 输出每项申报在各类别的资格与原因")
    c.set_defaults(run=_check)

    pc = sub.add_parser("policy", help="校验政策文件")
    pc.add_argument("action", choices=["check"])
    pc.add_argument("file", nargs="?", help="政策 YAML 文件（缺省为内置 2023 年政策）")
    pc.set_defaults(run=_policy)

    wanted = set(_MODULES) if only is None else {only} & set(_MODULES)
    for name, module in _MODULES.items():
        if name not in wanted:
            sub.add_parser(name, help=_HELP.get(name))  # listed; its module is imported only when used
            continue
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        if hasattr(mod, "add_parser"):
            mod.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=command if command in _MODULES else None)
    args = parser.parse_args(argv)
    runner = getattr(args, "run", None)
    try:
        if runner is None:
            return int(importlib.import_module(_MODULES[args.command]).run(args))
        return int(runner(args))
    except CasplanError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
