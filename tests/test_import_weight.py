"""What the report's processes import: jsonschema's IRI grammars (rfc3987_syntax, ~1.5 s of Lark
parsers built at import) are kept out of the report's process and its kernel (casplan.lazy)."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_the_kernel_side_skips_the_iri_grammars_and_still_renders():
    code = ("import sys\nfrom casplan.views import charts\ncharts.setup_notebook()\n"
            "import plotly.graph_objects as go, plotly.io as pio\n"
            "html = pio.to_html(go.Figure(go.Bar(x=[1], y=[2])), include_plotlyjs=False)\n"
            "assert 'plotly-graph-div' in html\n"
            "import nbformat, jsonschema\n"
            "nb = nbformat.v4.new_notebook(); nbformat.validate(nb)\n"  # nbformat's own validation still works
            "print('jsonschema._format' in sys.modules, sys.modules.get('rfc3987_syntax', 'absent'))")
    assert _run(code) == "True None"


def test_the_report_process_skips_them_before_papermill():
    code = ("import sys\nfrom casplan.lazy import skip_iri_grammars\nprint(skip_iri_grammars())\n"
            "import papermill\nprint(skip_iri_grammars(), sys.modules.get('rfc3987_syntax', 'absent'))")
    assert _run(code).splitlines() == ["True", "False None"]


def test_nothing_is_skipped_once_jsonschema_has_its_formats():
    code = ("import sys, jsonschema._format\nfrom casplan.lazy import skip_iri_grammars\n"
            "print(skip_iri_grammars(), 'rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is not None)")
    out = _run(code).split()
    assert out[0] == "False"
