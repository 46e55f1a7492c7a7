"""Render a notebook with papermill into offline HTML, atomically.

The notebook runs in a temporary folder; only when execution and conversion
both succeeded is the HTML moved into place (``os.replace``), so a failed run
leaves the last good output where it was.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from casplan.io import write_text_atomic
from casplan.errors import ReportError

__all__ = ["render_notebook", "html_from_notebook", "DEFAULT_TIMEOUT"]

_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I)
DEFAULT_TIMEOUT = 600  # seconds per cell: ipykernel was seen to hang rarely (TOOLING.md)


def html_from_notebook(executed: Path, *, title: str) -> str:
    """Offline HTML of an executed notebook, code hidden, Chinese ``lang`` set."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["title"] = title
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb)
    body = re.sub(r"<html(\s+lang=\"[^\"]*\")?>", '<html lang="zh-CN">', body, count=1)
    # The bureau's intranet has no CDN: drop the template's external scripts (require.js, MathJax);
    # plotly.js is inlined by the notebook renderer.
    body = _EXTERNAL_SCRIPT.sub("", body)
    style = ("<style>"
             "body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC','Source Han Serif SC',serif;font-size:10.5pt}"
             "h1,h2,h3{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif}"
             ".casplan-table table{border-collapse:collapse!important;width:100%!important;font-size:9pt!important;"
             "margin:1mm 0 3mm!important;table-layout:auto!important}"
             ".casplan-table th,.casplan-table td{border:0.6pt solid #555!important;padding:1mm 1.5mm!important;"
             "vertical-align:top!important;text-align:left!important;white-space:normal!important;max-width:none!important}"
             ".casplan-table th{background:#e8eef4!important;white-space:normal!important}"
             ".casplan-table td.num{text-align:right!important;white-space:nowrap!important}"
             ".casplan-cover,.casplan-cover p,.casplan-cover h1{text-align:center!important}"
             ".casplan-table caption{caption-side:top;text-align:left;font-weight:bold;margin-bottom:1mm}"
             ".casplan-table thead{display:table-header-group}"
             "@page{size:A4 portrait;margin:16mm 15mm}"
             "@media print{"
             ".modebar,.modebar-container{display:none!important}"
             ".jp-OutputArea-output,.jp-RenderedHTMLCommon{overflow:visible!important;max-width:100%!important}"
             "body,.jp-Notebook,.jp-Cell,.jp-OutputArea{padding:0!important;margin:0!important}"
             "tr,img,svg,.plotly-graph-div,.js-plotly-plot{break-inside:avoid;page-break-inside:avoid}"
             ".jp-OutputArea-child:has(.plotly-graph-div){break-inside:avoid;page-break-inside:avoid}"
             ".jp-Cell{page-break-inside:auto} h2,h3{break-after:avoid;page-break-after:avoid}"
             # a chart's cell prints its heading first: the two stay on one page (a heading never alone at a foot)
             ".jp-OutputArea:has(.plotly-graph-div){break-inside:avoid;page-break-inside:avoid}}"
             "</style></head>")
    return body.replace("</head>", style, 1)


def render_notebook(notebook: str | os.PathLike, out_html: str | os.PathLike, *,
                    parameters: dict[str, Any] | None = None, timeout: int = DEFAULT_TIMEOUT,
                    title: str = "casplan", progress: bool = True, keep_executed: bool = True) -> Path:
    """Execute ``notebook`` with papermill and write its HTML to ``out_html`` atomically.

    Returns the path of the HTML. The executed notebook is kept beside it
    (``.ipynb``) when ``keep_executed``.

    Raises
    ------
    ReportError
        When a cell fails or times out; the message names the cell and the error.
    """
    from casplan.lazy import skip_iri_grammars

    skip_iri_grammars()
    import papermill as pm

    src = Path(notebook).resolve()
    target = Path(out_html)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".render-", dir=target.parent) as tmp:
        executed = Path(tmp) / src.name
        started = time.perf_counter()
        try:
            pm.execute_notebook(str(src), str(executed), parameters=parameters or {}, cwd=str(src.parent),
                                execution_timeout=timeout, progress_bar=progress, kernel_name="python3")
        except pm.PapermillExecutionError as exc:
            raise ReportError(f"运行 {src.name} 失败：第 {exc.exec_count} 个单元出错：{exc.ename}: {exc.evalue}"
                              "；上一次的成功结果保持不变") from None
        except Exception as exc:  # kernel died, timeout, missing kernel …
            raise ReportError(f"运行 {src.name} 失败（{type(exc).__name__}: {exc}）；上一次的成功结果保持不变") from None
        html = html_from_notebook(executed, title=title)
        tmp_html = Path(tmp) / "out.html"
        write_text_atomic(tmp_html, html)
        if keep_executed:
            os.replace(executed, target.with_suffix(".ipynb"))
        os.replace(tmp_html, target)
        elapsed = time.perf_counter() - started
    if progress:
        print(f"已生成 {target}（{elapsed:.1f} 秒）")
    return target
