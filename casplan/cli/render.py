"""``casplan render`` (for developers): run a notebook with papermill and write offline HTML."""

from __future__ import annotations

import argparse

from casplan.report.render import DEFAULT_TIMEOUT, render_notebook

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("render", help="用 papermill 运行笔记本并生成离线 HTML")
    p.add_argument("notebook")
    p.add_argument("--out", required=True, help="HTML 输出路径")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("名称", "值"),
                   help="笔记本参数（可重复）")
    p.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="每个单元的执行时限（秒）")
    p.add_argument("--title", default="casplan")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from casplan.io import load_yaml

    params = {k: load_yaml(v, source=f"参数 {k}") for k, v in args.parameter}
    render_notebook(args.notebook, args.out, parameters=params, timeout=args.timeout, title=args.title)
    return 0
