"""The official selection report (see :mod:`casplan.report.runs`)."""

from importlib import import_module

__all__ = [
    "WORKBOOK",
    "NOTEBOOK",
    "ReportData",
    "build",
    "package_versions",
    "workbook_sheets",
    "selection_record",
    "write_artifacts",
    "write_sources",
    "settle_params",
    "render_report",
    "PARAMETERS",
    "add_parser",
    "run",
]


def __getattr__(name: str):
    """The public names of :mod:`casplan.report.runs`, imported when first used (no import cycle, fast start)."""
    if name in __all__:
        return getattr(import_module("casplan.report.runs"), name)
    raise AttributeError(f"module 'casplan.report' has no attribute {name!r}")
