"""Every notebook runs top to bottom on the sample year (papermill, with an execution timeout)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from casplan.report.render import render_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + [ROOT / "casplan" / "report" / "selection_report.ipynb"]


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(notebook, tmp_path):
    from conftest import SAMPLES

    parameters = ({"plans": str(SAMPLES / "plans.xlsx"), "history": str(SAMPLES / "history.xlsx"),
                   "roster": str(SAMPLES / "roster.xlsx"), "reviews": str(SAMPLES / "reviews.csv"),
                   "robustness_draws": 50}
                  if notebook.stem == "selection_report" else {"params_file": str(SAMPLES / "report-params.yaml")})
    html = render_notebook(notebook, tmp_path / f"{notebook.stem}.html", parameters=parameters,
                           timeout=300, progress=False)
    text = html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text
    assert "Traceback" not in text
    executed = json.loads((tmp_path / f"{notebook.stem}.ipynb").read_text(encoding="utf-8"))
    charts = sum("application/vnd.plotly.v1+json" in o.get("data", {}) for c in executed["cells"]
                 for o in c.get("outputs", []))
    assert text.count("Plotly.newPlot") >= charts  # every chart is in the HTML, drawn by inlined plotly.js
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert not re.search(r"<script[^>]*src=\"https?://", text)  # offline: nothing loaded from a CDN


def test_render_failure_keeps_the_last_good_output(tmp_path):
    import nbformat

    from casplan.errors import ReportError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('坏')")]
    for i, c in enumerate(nb.cells):
        c["id"] = f"c{i}"
    bad = tmp_path / "bad.ipynb"
    nbformat.write(nb, str(bad))
    out = tmp_path / "out.html"
    out.write_text("上一次的报告", encoding="utf-8")
    with pytest.raises(ReportError, match="第 2 个单元出错"):
        render_notebook(bad, out, timeout=60, progress=False)
    assert out.read_text(encoding="utf-8") == "上一次的报告"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ipynb", "out.html"]
