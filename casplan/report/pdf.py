"""Printing HTML to PDF in one headless Chromium driven by Playwright.

Every page of a run (the committee report, the annex, the 公示 list, a letter per unit) is printed
by the same browser, a few pages at a time: JavaScript dialogs (an ``alert`` smuggled into a title)
are dismissed and make the print fail, requests that leave the machine are refused, plotly charts
are waited for, and every page carries 「第 x 页 / 共 y 页」 in its footer (and a running header when
given).

Many short documents of one kind (the letters to the units) are printed as one *bundle*: a page that
holds them all, each opening with the page's only kind of ``<h1>`` on a new sheet, printed once with
an outline (one top-level entry per ``<h1>``) and cut at those entries into one file per document
(pikepdf). Each part then gets its own 「第 x 页 / 共 y 页」 and header from a blank page of the same
size printed with the footer, laid over its pages. Printing the sample's 117 letters one by one took
46 s; as a bundle about 5 s, and the pages are the same to the pixel (tests/test_pdf_bundle.py looks).
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

from casplan.errors import ReportError

__all__ = ["PrintJob", "print_pdfs", "bundle_starts", "cut_bundle", "chromium_path", "CHROMIUM_ARGS", "PRINTABLE_WIDTH_PX", "PRINT_WORKERS"]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                 "--disable-default-apps", "--mute-audio"]
# The width of A4 between 15 mm margins at 96 dpi: charts are laid out at the width they are printed at.
PRINTABLE_WIDTH_PX = {False: 680, True: 1010}
PRINT_WORKERS = 2  # pages printed at once (measured: 2 is twice as fast as 1 on two cores, 4 no faster)

_FOOTER = ('<div style="width:100%;font-size:8pt;text-align:center;color:#333;'
           "font-family:'Noto Sans CJK SC',sans-serif\">第 <span class=\"pageNumber\"></span> 页 / "
           '共 <span class="totalPages"></span> 页</div>')
_MARGIN = {"top": "16mm", "bottom": "16mm", "left": "15mm", "right": "15mm"}
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
    parts: tuple[Path, ...] = ()  # a bundle: ``target`` is the whole, cut into these files (see the module)

    @property
    def names(self) -> str:
        """What a message calls the job: its file, or a bundle's folder and how many files it holds."""
        if not self.parts:
            return self.target.name
        if len(self.parts) == 1:
            return self.parts[0].name
        return f"{self.parts[0].parent.name}（{len(self.parts)} 份）"


def chromium_path() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise ReportError("生成 PDF 需要 Chromium（Debian 软件包 chromium），请先运行 make report 安装")
    return chromium


async def _print_all(jobs: list[PrintJob], timeout: int, workers: int, interrupted: list[bool] | None = None) -> None:
    from playwright.async_api import async_playwright

    loop = asyncio.get_running_loop()

    def quiet_after_interrupt(loop_, context) -> None:
        """After Ctrl-C the driver's unread replies ("Future exception was never retrieved: Connection
        closed while reading from the driver") are dropped: the analyst's last line stays 「已中断」."""
        if interrupted:
            return
        loop_.default_exception_handler(context)

    loop.set_exception_handler(quiet_after_interrupt)

    queue: asyncio.Queue[PrintJob] = asyncio.Queue()
    for job in sorted(jobs, key=lambda j: not j.parts):  # bundles first: their cutting overlaps the other prints
        queue.put_nowait(job)
    dialogs: list[str] = []
    cuts: list[asyncio.Future] = []  # the bundles being cut (pikepdf, in threads), awaited after the prints

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
                    if job.parts:  # the parts' own page numbers and header are laid over later (stamps)
                        await page.pdf(path=str(job.target), format="A4", landscape=job.landscape,
                                       print_background=True, margin=_MARGIN, outline=True, tagged=True)
                    else:
                        await _print(page, job.target, job.landscape, job.header, job.page_numbers, background=True)
                except Exception as exc:  # Playwright's errors and timeouts: name the document
                    text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
                    if "Timeout" in text:
                        raise ReportError(f"Chromium 生成 {job.names} 超过 {timeout} 秒未完成") from None
                    raise ReportError(f"Chromium 生成 {job.names} 失败：{text}") from None
                if dialogs:
                    raise ReportError(f"{job.names} 的页面试图弹出对话框（{dialogs[0][:60]}），说明输入中有脚本未被"
                                      "转义；已拒绝生成 PDF")
                if not job.target.exists() or job.target.stat().st_size == 0:
                    raise ReportError(f"Chromium 没有生成 {job.names}")
                if job.parts:  # cut in a thread while this worker goes on printing the other pages
                    starts = bundle_starts(job)
                    marks = await stamps(page, job, {b - a for a, b in zip(starts, starts[1:])})
                    cuts.append(asyncio.ensure_future(asyncio.to_thread(cut_bundle, job, starts, marks)))
        finally:
            await page.close()

    async def stamps(page, job: PrintJob, lengths: set[int]) -> dict[int, Path]:
        """For each length n of the bundle's parts: n blank pages carrying only the header and 「第 k 页 / 共 n 页」."""
        out = {}
        if not (job.page_numbers or job.header):
            return out
        for n in sorted(lengths):
            sheets = "<div style='height:1px;break-after:page'></div>" * (n - 1) + "<div style='height:1px'></div>"
            await page.set_content(f"<!DOCTYPE html><html><body style='margin:0'>{sheets}</body></html>")
            out[n] = job.target.with_name(f"{job.target.stem}-页码-{n}.pdf")
            await _print(page, out[n], job.landscape, job.header, job.page_numbers, background=False)
        return out

    async with async_playwright() as p:
        try:
            browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                              timeout=timeout * 1000)
        except Exception as exc:
            raise ReportError(f"无法启动 Chromium：{str(exc).splitlines()[0][:300] if str(exc) else exc!r}") from None
        try:
            try:
                await asyncio.gather(*(work(browser) for _ in range(max(1, min(workers, len(jobs))))))
            finally:  # a cut already started finishes (or fails) before the run reports; its error is the run's
                done = await asyncio.gather(*cuts, return_exceptions=True)
            for outcome in done:
                if isinstance(outcome, BaseException):
                    raise outcome
        finally:
            await browser.close()


async def _print(page, target: Path, landscape: bool, header: str, page_numbers: bool, *, background: bool) -> None:
    await page.pdf(path=str(target), format="A4", landscape=landscape, print_background=background,
                   display_header_footer=bool(page_numbers or header),
                   header_template=_header(header) if header else "<div></div>",
                   footer_template=_FOOTER if page_numbers else "<div></div>", margin=_MARGIN)


def bundle_starts(job: PrintJob) -> list[int]:
    """The first page (0-based) of each part of a printed bundle, then its page count: from its outline.

    Raises
    ------
    ReportError
        When the outline does not open exactly one entry per part, in order, the first on page 1 —
        the bundle is not cut on a guess.
    """
    import pikepdf

    with pikepdf.open(job.target) as pdf:
        pages = {page.objgen: k for k, page in enumerate(pdf.pages)}
        with pdf.open_outline() as outline:
            starts = []
            for item in outline.root:
                dest = item.destination
                if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
                    starts.append(pages.get(dest[0].objgen, -1))
                else:
                    starts.append(-1)
        total = len(pdf.pages)
    if (len(starts) != len(job.parts) or not starts or starts[0] != 0
            or any(b <= a for a, b in zip(starts, starts[1:])) or starts[-1] >= total):
        raise ReportError(f"{job.names}：合并打印后的目录有 {len(starts)} 个条目（应为 {len(job.parts)} 个，各起一页），"
                          "无法按份拆分；未生成这些 PDF")
    return [*starts, total]


def cut_bundle(job: PrintJob, starts: list[int], stamps: dict[int, Path]) -> None:
    """Cut a printed bundle at ``starts`` into ``job.parts``; lay the blank page k of ``stamps[n]`` over the
    page k of a part of n pages (its page numbers and header). Each part is written whole or not at all."""
    import io

    import pikepdf

    from casplan.io import write_atomic

    with pikepdf.open(job.target) as whole:
        marks = {n: pikepdf.open(path) for n, path in stamps.items()}
        try:
            for n, mark in marks.items():
                if len(mark.pages) != n:
                    raise ReportError(f"{job.names}：页码页应为 {n} 页，Chromium 生成了 {len(mark.pages)} 页")
            for target, a, b in zip(job.parts, starts, starts[1:]):
                part = pikepdf.new()
                part.pages.extend(whole.pages[a:b])
                for k, page in enumerate(part.pages):
                    if "/StructParents" in page.obj:  # the structure tree stays with the whole
                        del page.obj["/StructParents"]
                    if b - a in marks:
                        page.add_overlay(marks[b - a].pages[k])
                if "/Title" in whole.docinfo:
                    part.docinfo["/Title"] = whole.docinfo["/Title"]
                if "/Lang" in whole.Root:
                    part.Root.Lang = whole.Root.Lang
                part.remove_unreferenced_resources()
                buffer = io.BytesIO()
                part.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)  # a third smaller
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, buffer.getvalue())
        finally:
            for mark in marks.values():
                mark.close()


def print_pdfs(jobs: list[PrintJob], *, timeout: int = 120, workers: int = PRINT_WORKERS) -> None:
    """Print every job with one browser, ``workers`` pages at a time; a failure names the document and its cause.

    Raises
    ------
    ReportError
        When Chromium is missing, a page tries to open a dialog, times out or prints nothing, or a
        bundle cannot be cut into its parts.
    """
    if not jobs:
        return
    interrupted: list[bool] = []
    try:
        asyncio.run(_print_all(list(jobs), timeout, workers, interrupted))
    except KeyboardInterrupt:  # Ctrl-C reaches Playwright's driver too: its pending replies die with it, unread
        interrupted.append(True)
        raise
