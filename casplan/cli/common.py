"""What every ``casplan`` sub-command shares: the input arguments, argparse in Chinese, the messages.

The input options (plans, history, roster, policy, decisions, reviews, year) are declared here
once and read into :class:`casplan.pipeline.Inputs` the same way by every sub-command. An
omitted input is none.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_input_arguments", "inputs_from_args", "load_inputs", "print_companions", "print_json",
           "chinese_argparse", "ChineseHelpFormatter", "visible", "VisibleStream"]

# argparse's own strings, in Chinese (the analysts read Chinese; argparse has no Chinese catalogue).
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s（用 --help 查看可用的选项）",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择「%(value)s」（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多一个值",
    "invalid %(type)s value: %(value)r": "「%(value)s」不是有效的%(type)s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "须给出参数 %s 之一",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
}
_TYPE_ZH = {"int": "整数", "float": "数字"}


import re as _re

# What a terminal would act on or hide: C0 controls (but newline, tab, carriage return), DEL, C1 controls,
# zero widths and the bidirectional controls that reorder what is displayed (U+202E …).
_INVISIBLE = _re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def visible(text: str) -> str:
    """Text safe to print to a terminal or a log: invisible and control characters shown as ``<U+202E>``.

    >>> visible("中国科学院\u202e所究研\x1b[2J")
    '中国科学院<U+202E>所究研<U+001B>[2J'
    """
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


class VisibleStream:
    """A text stream that passes everything through :func:`visible` (the CLI's stdout and stderr)."""

    def __init__(self, raw) -> None:
        self._raw = raw

    def write(self, text: str) -> int:
        return self._raw.write(visible(text))

    def __getattr__(self, name: str):
        return getattr(self._raw, name)


def _zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


def _zh_n(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "需要 %s 个值"
    return singular if n == 1 else plural


def chinese_argparse() -> None:
    """Make argparse speak Chinese: usage, headings, the help option and its error messages."""
    argparse._ = _zh  # type: ignore[attr-defined]  # argparse looks its gettext up at call time
    argparse.ngettext = _zh_n  # type: ignore[attr-defined]


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Help text with argparse's words in Chinese, headings with the Chinese colon."""

    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        return "值"

    def format_help(self) -> str:
        import re

        return re.sub(r"^(\S[^\n：]*):\n", r"\1：\n", super().format_help(), flags=re.M)


def add_input_arguments(p: argparse.ArgumentParser, *, plans: bool = True, reviews: bool = False) -> None:
    """The year's inputs, declared once for every sub-command."""
    if plans:
        p.add_argument("plans", nargs="*", metavar="导出文件", help="培训计划导出文件或文件夹（可给多个）")
    p.add_argument("--history", metavar="文件", help="往年项目（xlsx/csv）；不给则 J1、G1、U2 无法核对，相关申报标为待核")
    p.add_argument("--roster", metavar="文件", help="单位名册（xlsx/csv）；不给则无法列出未报送单位，单位类型按名称推断")
    p.add_argument("--policy", metavar="文件", help="政策文件；不给则按导出的培训年度使用内置的当年政策")
    p.add_argument("--year", type=int, metavar="年度", help="计划年度（不给则取导出的培训年度）")
    p.add_argument("--overrides", "--decisions", dest="overrides", metavar="文件", help="人工决定（YAML 或 xlsx）")
    if reviews:
        p.add_argument("--reviews", metavar="文件", help="专家评审（csv/xlsx：申报编号, 评审专家, 评分）")


def inputs_from_args(args: argparse.Namespace):
    """The :class:`casplan.pipeline.Inputs` the arguments name (nothing else)."""
    from casplan.pipeline import Inputs

    return Inputs.of(list(getattr(args, "plans", None) or []), history=args.history, roster=args.roster,
                     policy=args.policy, overrides=args.overrides, reviews=getattr(args, "reviews", None),
                     year=getattr(args, "year", None))


def load_inputs(args: argparse.Namespace):
    """Read the inputs the arguments name; print each unreadable file and the companions' set-aside rows."""
    from casplan.pipeline import load

    loaded = load(inputs_from_args(args))
    for e in loaded.errors:
        print(str(e), file=sys.stderr)
    print_companions({"单位名册": loaded.roster, "往年项目": loaded.history, "专家评审": loaded.reviews})
    return loaded


def print_companions(parts: dict[str, Any]) -> None:
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


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")
