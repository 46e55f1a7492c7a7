"""``casplan report``: render the official report (see :func:`casplan.report.render_report`)."""

from __future__ import annotations

import argparse
import sys

from casplan.errors import CasplanError, InputError
from casplan.report import render_report

__all__ = ["add_parser", "run", "params_from_args"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("report", help="生成正式遴选报告（HTML、PDF、xlsx 名单、清单文件）",
                              description="用 papermill 运行报告笔记本，生成 HTML、PDF、xlsx 名单和清单文件。"
                                          "只读取给出的文件：没给的输入即为“未提供”，报告首页写明。")
    p.add_argument("--params", metavar="文件", help="参数文件（YAML：plans、history、roster、policy、overrides、"
                                                  "reviews、scenario、year、robustness_draws、include_contacts、status_mark、report_date）")
    p.add_argument("--plans", nargs="+", metavar="导出文件", help="培训计划导出文件或文件夹")
    for key, label in (("history", "往年项目"), ("roster", "单位名册"), ("policy", "政策文件（不给则按导出的培训年度）"),
                       ("overrides", "人工决定"), ("reviews", "专家评审"), ("scenario", "情景文件")):
        p.add_argument(f"--{key}", metavar="文件", help=label)
    p.add_argument("--year", type=int, metavar="年度", help="计划年度（不给则取导出的培训年度）")
    p.add_argument("--robustness-draws", type=int, metavar="次数", help="稳健性分析的扰动次数（缺省 500）")
    p.add_argument("--mark", metavar="标记", help="报告标记：征求意见稿（缺省）、送审稿，或 \"\"（正式稿，不加标记）")
    p.add_argument("--date", metavar="日期", help="报告日期 YYYY-MM-DD（缺省为今天）")
    p.add_argument("--include-contacts", action="store_true", help="在 xlsx 名单中包含联系人信息（仅供内部使用）")
    p.add_argument("--out", default="reports", metavar="目录", help="输出根目录（缺省 reports/）")
    p.add_argument("--if-changed", action="store_true", help="输入与政策未变化时不重新生成")
    p.add_argument("--timeout", type=int, default=600, metavar="秒", help="每个单元的执行时限（秒）")
    p.set_defaults(run=run)


def params_from_args(args: argparse.Namespace) -> dict:
    from casplan.pipeline import read_params

    params: dict = read_params(args.params) if args.params else {}
    if args.plans:
        params["plans"] = ";".join(args.plans)
    for key in ("history", "roster", "policy", "overrides", "reviews", "scenario"):
        if getattr(args, key):
            params[key] = getattr(args, key)
    if args.robustness_draws is not None:
        if not 0 <= args.robustness_draws <= 100_000:
            raise InputError(f"--robustness-draws 为 {args.robustness_draws}，应在 0–100000 之间")
        params["robustness_draws"] = args.robustness_draws
    if args.include_contacts:
        params["include_contacts"] = True
    if args.year is not None:
        params["year"] = args.year
    if args.mark is not None:
        params["status_mark"] = args.mark
    if args.date:
        params["report_date"] = args.date
    return params


def run(args: argparse.Namespace) -> int:
    try:
        params = params_from_args(args)
        render_report(params, out_root=args.out, if_changed=args.if_changed, timeout=args.timeout)
    except CasplanError as exc:
        where = f"（参数文件 {args.params}）" if args.params else ""
        text = " ".join(str(exc).split())
        print(f"报告生成失败{where}：{text}；上一次的成功报告保持不变", file=sys.stderr)
        return exc.exit_code
    return 0
