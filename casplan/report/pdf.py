"""Printing HTML to PDF in one headless Chromium driven by Playwright.

Every page of a run (the committee report, the annex, the 公示 list, a letter per unit) is printed
by the same browser, a few pages at a time: JavaScript dialogs (an ``alert`` smuggled into a title)
are dismissed and make the print fail, requests that leave the machine are refused, plotly charts
are waited for, and every page carries 「第 x 页 / 共 y 页」 in its footer (and a running header when
given).
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

from casplan.errors import ReportError

__all__ = ["PrintJob", "print_pdfs", "chromium_path", "CHROMIUM_ARGS", "PRINTABLE_WIDTH_PX", "PRINT_WORKERS"]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                 "--disable-default-apps", "--mute-audio"]
# The width of A4 between 15 mm margins at 96 dpi: charts are laid out at the width they are printed at.
PRINTABLE_WIDTH_PX = {False: 680, True: 1010}
PRINT_WORKERS = 2  # pages printed at once (measured: 2 is twice as fast as 1 on two cores, 4 no faster)

_FOOTER = ('<div style="width:100%;font-size:8pt;text-align:center;color:#333;'
           "font-family:'Noto Sans CJK SC',sans-serif\">第 <span class=\"pageNumber\"></span> 页 / "
           '共 <span class="totalPages"></span> 页</div>')
_CHARTS_DRAWN = ("() => !document.querySelector('.plotly-graph-div') || "
                 "[...document.querySelectorAll('.plotly-graph-div')].every(d => d._fullLayout)")


def _header(text: str) -> str:
    from html import escape

    return ('<div style="width:100%;font-size:8pt;text-align:right;color:#333;margin-right:15mm;'
            f"font-family:'Noto Sans CJK SC',sans-serif\">{escape(text)}</div>")


@dataclass(frozen=True)
class PrintJob:
    """One PDF: from an HTML file (``source``) or an HTML text (``html``), into ``target``."""

    target: Path
    source: Path | None = None
    html: str | None = None
    landscape: bool = False
    header: str = ""
    page_numbers: bool = True


def chromium_path() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise ReportError("生成 PDF 需要 Chromium（Debian 软件包 chromium），请先运行 make report 安装")
    return chromium


async def _print_all(jobs: list[PrintJob], timeout: int, workers: int) -> None:
    from playwright.async_api import async_playwright

    queue: asyncio.Queue[PrintJob] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    dialogs: list[str] = []

    async def refuse_network(route) -> None:
        if route.request.url.startswith(("file:", "data:", "about:")):
            await route.continue_()
        else:
            await route.abort()

    async def work(browser) -> None:
        # one page per worker, reused: a new page costs more than printing a letter
        page = await browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), asyncio.ensure_future(d.dismiss())))
        await page.route("**/*", refuse_network)
        page.set_default_timeout(timeout * 1000)
        try:
            while not queue.empty():
                job = queue.get_nowait()
                try:
                    await page.emulate_media(media="screen")
                    await page.set_viewport_size({"width": PRINTABLE_WIDTH_PX[job.landscape], "height": 1100})
                    if job.source is not None:
                        await page.goto(job.source.resolve().as_uri(), wait_until="load")
                    else:
                        await page.set_content(job.html or "", wait_until="load")
                    await page.wait_for_function(_CHARTS_DRAWN, timeout=timeout * 1000)
                    await page.emulate_media(media="print")
                    job.target.parent.mkdir(parents=True, exist_ok=True)
                    await page.pdf(path=str(job.target), format="A4", landscape=job.landscape, print_background=True,
                                   display_header_footer=bool(job.page_numbers or job.header),
                                   header_template=_header(job.header) if job.header else "<div></div>",
                                   footer_template=_FOOTER if job.page_numbers else "<div></div>",
                                   margin={"top": "16mm", "bottom": "16mm", "left": "15mm", "right": "15mm"})
                except Exception as exc:  # Playwright's errors and timeouts: name the document
                    text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
                    if "Timeout" in text:
                        raise ReportError(f"Chromium 生成 {job.target.name} 超过 {timeout} 秒未完成") from None
                    raise ReportError(f"Chromium 生成 {job.target.name} 失败：{text}") from None
                if dialogs:
                    raise ReportError(f"{job.target.name} 的页面试图弹出对话框（{dialogs[0][:60]}），说明输入中有脚本未被"
                                      "转义；已拒绝生成 PDF")
                if not job.target.exists() or job.target.stat().st_size == 0:
                    raise ReportError(f"Chromium 没有生成 {job.target.name}")
        finally:
            await page.close()

    async with async_playwright() as p:
        try:
            browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                              timeout=timeout * 1000)
        except Exception as exc:
            raise ReportError(f"无法启动 Chromium：{str(exc).splitlines()[0][:300] if str(exc) else exc!r}") from None
        try:
            await asyncio.gather(*(work(browser) for _ in range(max(1, min(workers, len(jobs))))))
        finally:
            await browser.close()


def print_pdfs(jobs: list[PrintJob], *, timeout: int = 120, workers: int = PRINT_WORKERS) -> None:
    """Print every job with one browser, ``workers`` pages at a time; a failure names the document and its cause.

    Raises
    ------
    ReportError
        When Chromium is missing, a page tries to open a dialog, times out or prints nothing.
    """
    if jobs:
        asyncio.run(_print_all(list(jobs), timeout, workers))
