"""``casplan reviews assign|collect|status``: the expert review round."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casplan.errors import CasplanError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from casplan.cli.common import add_input_arguments

    p = subparsers.add_parser("reviews", help="专家评审：分配专家、生成评审表、回收并核对",
                              description="assign：为每项具备资格的申报分配专家（回避本单位与声明的单位，负担均衡，"
                                          "方向最匹配），写出评审分配表和每位专家的评审表；collect：读取交回的评审表，"
                                          "逐行核对后写出评审表（申报编号、评审专家、评分）；status：谁已交回、谁未交回。")
    sub = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = sub.add_parser("assign", help="分配专家并生成评审表")
    add_input_arguments(a)
    a.add_argument("--experts", required=True, metavar="文件", help="专家表（专家编号、专家姓名、单位、所属分院、研究方向、"
                                                                   "最多评审数、回避单位）")
    a.add_argument("--out", required=True, metavar="文件夹", help="写出 评审分配.xlsx、评审分配.json 与 评审表/ 的文件夹")
    a.add_argument("--deadline", default="", metavar="日期", help="评审表上写的交回截止日期")
    c = sub.add_parser("collect", help="回收交回的评审表，写出评审表 CSV")
    c.add_argument("folder", metavar="文件夹", help="交回的评审表所在的文件夹（文件可改名）")
    c.add_argument("--assignment", required=True, metavar="文件", help="assign 写出的 评审分配.json")
    c.add_argument("--out", required=True, metavar="文件", help="写出的评审结果（.csv 或 .xlsx），供 --reviews 使用")
    s = sub.add_parser("status", help="交回情况：谁未交回，哪些申报的有效评审不足")
    s.add_argument("folder", nargs="?", metavar="文件夹", help="交回的评审表所在的文件夹（不给则视为都未交回）")
    s.add_argument("--assignment", required=True, metavar="文件", help="assign 写出的 评审分配.json")
    p.set_defaults(run=run)


def _assign(args: argparse.Namespace) -> int:
    from casplan.cli.common import load_inputs
    from casplan.pipeline import assess, match_directions
    from casplan.reviews.round import ASSIGNMENT_BOOK, PACKETS_DIR, plan_round, write_round

    loaded = load_inputs(args)
    if not loaded.ok:
        return 2
    eligibility = assess(loaded)
    matches = match_directions(eligibility.applications, loaded.policy)
    plan = plan_round(loaded, eligibility, matches, args.experts)
    for message in plan.experts_read.set_aside["message"].to_list():
        print(f"专家表：{message}（该专家未参加分配）", file=sys.stderr)
    write_round(plan, loaded.policy, args.out, deadline=args.deadline)
    a = plan.assignment
    used = a.experts.filter(a.experts["load"] > 0)
    print(f"{plan.applications.height} 项申报、每项 {a.per_application} 位专家，共 {a.pairs.height} 项次；"
          f"{used.height} 位专家参加，每人 {int(used['load'].min())}–{int(used['load'].max())} 项；"
          f"匹配度合计 {a.total_fit:g}")
    print(f"已写出 {Path(args.out) / ASSIGNMENT_BOOK} 与 {used.height} 份评审表（{Path(args.out) / PACKETS_DIR}）")
    return 0


def _collect(args: argparse.Namespace) -> int:
    from casplan.io import write_frame
    from casplan.reviews.collecting import collect, status
    from casplan.reviews.round import read_record

    record = read_record(args.assignment)
    got = collect(args.folder, record)
    for message in got.notes:
        print(f"说明：{message}", file=sys.stderr)
    for message in got.problems["message"].to_list():
        print(message, file=sys.stderr)
    reviews = got.reviews.select(got.reviews["app_id"].alias("申报编号"), got.reviews["reviewer"].alias("评审专家"),
                                 got.reviews["score"].alias("评分"))
    out = Path(args.out)
    write_frame(reviews, out)
    problems = out.with_name(f"{out.stem}-未计入{out.suffix}")
    if got.problems.height:
        write_frame(got.problems.rename({"file": "文件", "row": "行号", "column": "列", "value": "原值",
                                         "message": "说明"}), problems)
    files = got.files
    unread = files.filter(files["rows_read"] == 0).height
    print(f"文件 {files.height} 份" + (f"（其中 {unread} 份未读取，原因见上）" if unread else "")
          + f"；评分行 {got.rows_read} 行：有效 {int(files['rows_accepted'].sum())}，"
          f"未计入 {int(files['rows_set_aside'].sum())}；已写出 {out}"
          + (f"；未计入的行与文件列在 {problems}" if got.problems.height else ""))
    experts, short = status(record, got)
    missing = experts.filter(experts["状态"] == "未交回")
    if missing.height:
        print(f"未交回 {missing.height} 位：{'、'.join(missing['专家姓名'].to_list())}")
    if short.height:
        print(f"有效评审不足 {record['per_application']} 份的申报 {short.height} 项")
    return 0


def _status(args: argparse.Namespace) -> int:
    from casplan.reviews.collecting import collect, status
    from casplan.reviews.round import read_record

    record = read_record(args.assignment)
    got = collect(args.folder, record) if args.folder else None
    experts, short = status(record, got)
    for r in experts.iter_rows(named=True):
        print(f"{r['专家编号']}\t{r['专家姓名']}\t分配 {r['分配项数']} 项\t有效 {r['有效评分']} 项\t{r['状态']}")
    if got is not None:
        odd = got.files.filter(got.files["rows_read"] == 0)
        if odd.height:
            print(f"未能读取的文件 {odd.height} 份：" + "、".join(f"{f}（{n}）" for f, n in odd.select("file", "note").iter_rows()))
    print(f"已交回 {experts.filter(experts['状态'] != '未交回').height} / {experts.height} 位；"
          f"有效评审不足 {record['per_application']} 份的申报 {short.height} 项"
          + (f"：{'、'.join(short['申报编号'].to_list())}" if short.height else ""))
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return {"assign": _assign, "collect": _collect, "status": _status}[args.action](args)
    except CasplanError as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return exc.exit_code
