"""The official selection report: what it shows and how a run folder is made (:mod:`casplan.report.runs`); notebooks rendered to offline HTML (:mod:`casplan.report.render`); the report notebook itself is package data."""

from importlib import import_module

_HOME = {
    "WORKBOOK": "runs",
    "NOTEBOOK": "runs",
    "ReportData": "runs",
    "build": "runs",
    "package_versions": "runs",
    "workbook_sheets": "runs",
    "selection_record": "runs",
    "write_artifacts": "runs",
    "write_sources": "runs",
    "settle_params": "runs",
    "render_report": "runs",
    "PARAMETERS": "runs",
    "render_notebook": "render",
    "html_from_notebook": "render",
    "DEFAULT_TIMEOUT": "render",
}
__all__ = list(_HOME)


def __getattr__(name: str):
    """A public name of the package, imported from its module when first used (no import cycle, fast start)."""
    if name in _HOME:
        return getattr(import_module(f"casplan.report.{_HOME[name]}"), name)
    raise AttributeError(f"module 'casplan.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
