"""One exception tree for the whole package.

The package raises; only the CLI and the notebooks turn an error into a message
for the analyst (``str(error)`` is that message, in Chinese).
"""

from __future__ import annotations

__all__ = [
    "CasplanError",
    "InputError",
    "UnreadableFileError",
    "ValueFormatError",
    "PolicyError",
    "OverrideError",
    "SelectionError",
    "ReportError",
]


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

    Raised by :mod:`casplan.normalize`; the intake turns it into a set-aside row.
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


class ReportError(CasplanError):
    """Rendering the report failed; the last good report is left in place."""
