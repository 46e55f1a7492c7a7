"""The ``casplan`` command line. Errors become one Chinese line and an exit code, never a traceback.

Exit codes (:data:`casplan.errors.EXIT_CODES`): 0 done (rows may have been set aside), 1 the run
failed, 2 an input or the policy is wrong, 3 the selection constraints cannot all hold, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from casplan.cli.common import (ChineseHelpFormatter, VisibleStream, add_input_arguments, chinese_argparse, load_inputs,
                                print_json)
from casplan.errors import EXIT_CODES, CasplanError

__all__ = ["main", "build_parser"]

# Sub-commands whose parser and runner live in their own modules (add_parser / run), in the order the
# help lists them: the analysts' first, the developers' last.
_MODULES = {
    "match": "casplan.cli.match",
    "select": "casplan.cli.select",
    "report": "casplan.cli.report",
    "history": "casplan.cli.history",
    "reviews": "casplan.cli.reviews",
    "whatif": "casplan.cli.whatif",
    "render": "casplan.cli.render",
}


def _validate(args: argparse.Namespace) -> int:
    from casplan.intake import cleaned_plans
    from casplan.io import write_frame

    args.plans, args.history = args.paths, None
    if args.out:
        _out_is_not_an_input(args.out, [*args.paths, args.roster, args.policy, args.overrides])
    loaded = load_inputs(args)
    intake = loaded.plans
    notes: list[str] = []
    if args.out:
        write_frame(cleaned_plans(intake.frame), args.out, sheet="培训计划（已清洗）", notes=notes)
    shown = [n for n in loaded.notes if not n.startswith(("未提供往年项目", "未提供专家评审"))]
    if args.json:
        data = intake.summary()
        data["notes"] = shown
        print_json(data)
    else:
        for note in shown:
            print(f"说明：{note}")
        _print_summary(intake)
    for note in notes:
        print(note, file=sys.stderr)
    return 2 if loaded.errors else 0


def _out_is_not_an_input(out: str, inputs: list) -> None:
    """The cleaned table may not replace an input, nor land inside an export folder (it would be read next time)."""
    from pathlib import Path

    from casplan.errors import InputError

    target = Path(out)
    for given in inputs:
        if not given:
            continue
        p = Path(given)
        same = target.exists() and p.exists() and target.resolve() == p.resolve()
        if same or (p.is_file() and target.exists() and os.path.samefile(target, p)):
            raise InputError(f"--out {out} 就是输入文件 {given}：输入文件只读不写，请另写一个文件名")
        if p.is_dir() and target.resolve().is_relative_to(p.resolve()):
            raise InputError(f"--out {out} 在导出文件夹 {given} 里面：下次读取时它会被当成计划读入，请写到别处")
    if target.is_symlink():
        raise InputError(f"--out {out} 是一个链接：不写入链接（它可能指向别人的文件），请给一个普通的文件名")


def _print_summary(intake) -> None:
    """The validate report: files, counts, reasons, the set-aside rows, warnings and notes."""
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


def _check(args: argparse.Namespace) -> int:
    from casplan.pipeline import assess

    if not args.plans:
        print("请给出培训计划导出文件", file=sys.stderr)
        return 2
    loaded = load_inputs(args)
    if loaded.errors:
        return 2
    result = assess(loaded)
    if args.json:
        data = result.to_json(loaded.policy)
        data["intake"] = {k: loaded.plans.summary()[k] for k in ("rows_read", "rows_accepted", "rows_set_aside")}
        data["notes"] = list(loaded.notes)
        print_json(data)
    else:
        for note in loaded.notes:
            print(f"说明：{note}")
        _print_check(result, loaded)
    return 0


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
        from casplan.eligibility import reason_texts

        reasons = reason_texts(policy)
        print("不具备资格的主要原因：")
        for code, n in fails.head(10).iter_rows():
            print(f"  {code} ×{n}：{reasons.get(code, '')}")
    units = result.units
    missing = units.filter(~pl.col("submitted"))["unit"].to_list()
    late = units.filter(pl.col("late"))["unit"].to_list()
    print(f"未报送单位 {len(missing)} 个" + (f"：{'、'.join(missing)}" if missing else ""))
    print(f"逾期报送单位 {len(late)} 个" + (f"：{'、'.join(late)}" if late else ""))


def _policy(args: argparse.Namespace) -> int:
    from casplan.policy import default_policy_path, load_policy, policy_warnings

    path = args.file or default_policy_path()
    policy = load_policy(path)
    vocabulary = policy.vocabulary
    missing = [t.id for t in policy.tracks if t.id not in vocabulary.track_ids]
    if missing:
        print(f"政策文件 {path}：方向词表 {policy.directions_path().name} 中没有类别「{'、'.join(missing)}」",
              file=sys.stderr)
        return 2
    print(f"政策文件 {args.file or f'（内置 {path.stem}）'} 有效：{policy.year} 年度，方向词表 {policy.directions_path().name}，类别 "
          + "、".join(f"{t.name}（名额 {t.quota}±{t.tolerance}）" for t in policy.tracks))
    for warning in policy_warnings(policy):
        print(f"提示：{warning}", file=sys.stderr)
    return 0


_HELP = {
    "match": "按附表重点支持方向匹配培训名称", "select": "遴选资助项目（名额、经费、单位限制下总分最高）",
    "report": "生成正式遴选报告（HTML、PDF、xlsx 名单）",
    "whatif": "情景推演：在浏览器中调整名额、权重、经费与规则",
    "history": "把本年度资助项目写入往年项目（供下一年度审查）",
    "reviews": "专家评审：分配专家、生成评审表、回收并核对",
    "render": "（开发用）用 papermill 运行笔记本并生成离线 HTML",
}


def _sample(rest: list[str]) -> int:
    """The sample generator lives outside the runtime package, in the checkout's tools/ folder."""
    from pathlib import Path

    from casplan.errors import CasplanError

    checkout = Path(__file__).resolve().parents[2]
    if not (checkout / "tools" / "sample.py").exists():
        raise CasplanError("样例生成器只在源代码检出中提供（tools/sample.py），安装的软件包中没有")
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    from tools.sample import main as sample_main

    return sample_main(rest)


def _subparsers(parser: argparse.ArgumentParser):
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    original = sub.add_parser

    def add_parser(name, **kw):
        kw.setdefault("formatter_class", ChineseHelpFormatter)
        if name in _HELP:
            kw["help"] = _HELP[name]
        return original(name, **kw)

    sub.add_parser = add_parser  # every sub-command's help in Chinese, whichever module adds it
    return sub


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``casplan`` parser; with ``only``, just that sub-command's module is imported (fast start)."""
    chinese_argparse()
    epilog = "退出码：" + "；".join(f"{k} {v}" for k, v in EXIT_CODES.items()) + "。任何命令加 --help 列出它的全部选项。"
    parser = argparse.ArgumentParser(prog="casplan", description="中国科学院继续教育与培训院级资助项目遴选工作簿",
                                     formatter_class=ChineseHelpFormatter, epilog=epilog)
    sub = _subparsers(parser)

    v = sub.add_parser("validate", help="读取并校验培训计划导出文件", description="读取导出文件，逐行接收或搁置（写明原因）。")
    v.add_argument("paths", nargs="+", metavar="导出文件", help="导出文件（xlsx/csv）或按单位存放的文件夹")
    add_input_arguments(v, plans=False)
    v.add_argument("--json", action="store_true", help="以 JSON 输出统计与搁置明细")
    v.add_argument("--out", metavar="文件", help="把接收的行（已清洗）写成 .csv 或 .xlsx")
    v.set_defaults(run=_validate)

    c = sub.add_parser("check", help="按通知审查每项申报的资格", description="按当年政策逐条审查每项申报在各类别的资格。")
    add_input_arguments(c)
    c.add_argument("--json", action="store_true", help="以 JSON 输出每项申报在各类别的资格与原因")
    c.set_defaults(run=_check)

    sub.add_parser("sample", help="（开发用）生成样例年度数据（源代码检出中的 tools/sample.py：--seed N --out 目录）")

    wanted = set(_MODULES) if only is None else {only} & set(_MODULES)
    for name, module in _MODULES.items():
        if name == "render":  # the analysts' commands first
            pc = sub.add_parser("policy", help="校验政策文件", description="检查政策文件的每个键，并提示与年度不符的日期。")
            pc.add_argument("action", choices=["check"], metavar="check", help="check：校验")
            pc.add_argument("file", nargs="?", metavar="政策文件", help="政策 YAML 文件（缺省为内置的最新年度政策）")
            pc.set_defaults(run=_policy)
        if name not in wanted:
            sub.add_parser(name, help=_HELP.get(name))  # listed; its module is imported only when used
            continue
        importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not isinstance(sys.stdout, VisibleStream):  # no input can put escape codes or bidi tricks on a terminal
        sys.stdout, sys.stderr = VisibleStream(sys.stdout), VisibleStream(sys.stderr)
    command = next((a for a in argv if not a.startswith("-")), None)
    try:
        if argv[:1] == ["sample"]:
            return int(_sample(argv[1:]))
        # only the sub-command's own module is imported (validate, check, policy: none of them)
        parser = build_parser(only=command or "")
        args = parser.parse_args(argv)
        runner = getattr(args, "run", None) or getattr(args, "func", None)
        if runner is None:
            return int(importlib.import_module(_MODULES[args.command]).run(args))
        return int(runner(args))
    except CasplanError as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
