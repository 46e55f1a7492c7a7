"""The official selection report: what it shows and how a run folder is made (:mod:`casplan.report.runs`); notebooks rendered to offline HTML (:mod:`casplan.report.render`); the report notebook itself is package data."""

from casplan.lazy import attach

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
__getattr__, __dir__ = attach(__name__, _HOME)
