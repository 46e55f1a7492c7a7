"""One exception tree for the whole package, and the one table of exit codes.

The package raises; only the CLI and the notebooks turn an error into a message
for the analyst (``str(error)`` is that message, in Chinese). Each class carries
the exit code the ``casplan`` command ends with (:data:`EXIT_CODES`).

>>> EXIT_CODES[2], InputError.exit_code, SelectionError.exit_code
('输入文件或政策文件有误（消息写明哪个文件、哪里错了）', 2, 3)
"""

from __future__ import annotations

__all__ = [
    "EXIT_CODES",
    "CasplanError",
    "InputError",
    "UnreadableFileError",
    "ValueFormatError",
    "PolicyError",
    "OverrideError",
    "SelectionError",
    "ReportError",
]


EXIT_CODES: dict[int, str] = {
    0: "完成（即使有搁置的行）",
    1: "运行失败（报告未能生成、求解器出错等；上一次的成功结果保持不变）",
    2: "输入文件或政策文件有误（消息写明哪个文件、哪里错了）",
    3: "遴选的约束无法同时满足（如强制入选超过名额或经费）",
    130: "被中断（Ctrl-C）",
}
"""The exit codes of the ``casplan`` command (the guide's table is generated from here)."""


class CasplanError(Exception):
    """Base of every error the package raises on purpose.

    ``str(err)`` is a complete Chinese sentence fit to show the analyst.
    """

    exit_code = 1


class InputError(CasplanError):
    """An input (plans, history, roster, reviews, overrides) is unusable.

    Carries where the problem is, so that the message can name it.
    """

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, sheet: str | None = None,
                 row: int | None = None, column: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value


class UnreadableFileError(InputError):
    """A file cannot be read at all: missing, empty, corrupt, encrypted, no header."""


class ValueFormatError(ValueError):
    """A single cell value does not parse; ``expected`` says what would be right (Chinese).

    Raised by :mod:`casplan.intake.normalize`; the intake turns it into a set-aside row.
    It is a ``ValueError`` rather than a :class:`CasplanError` because it never
    reaches the analyst on its own: it always gains a file, row and column first.
    """

    def __init__(self, value: object, expected: str, *, code: str = "I-FORMAT") -> None:
        super().__init__(f"「{value}」不是有效的值，应为{expected}")
        self.value = value
        self.expected = expected
        self.code = code


class PolicyError(CasplanError):
    """The policy file is missing a key, has an unknown one, or holds a bad value."""

    exit_code = 2


class OverrideError(InputError):
    """An override or review names an application, unit or rule that does not exist."""


class SelectionError(CasplanError):
    """The selection model cannot be solved as asked (e.g. forced includes clash)."""

    exit_code = 3


class ReportError(CasplanError):
    """Rendering the report failed; the last good report is left in place."""
