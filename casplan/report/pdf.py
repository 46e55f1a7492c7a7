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

__all__ = ["PrintJob", "print_pdfs", "BackgroundPrinter", "bundle_starts", "cut_bundle", "chromium_path", "CHROMIUM_ARGS", "PRINTABLE_WIDTH_PX", "PRINT_WORKERS"]

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


def _in_print_order(jobs) -> list[PrintJob]:
    return sorted(jobs, key=lambda j: not j.parts)  # bundles first: their cutting overlaps the other prints


async def _print_all(queue: "asyncio.Queue[PrintJob | None]", timeout: int, workers: int,
                     interrupted: list[bool] | None = None) -> None:
    """Print the jobs ``queue`` hands in, ``workers`` at a time, until each worker has taken a ``None``."""
    from playwright.async_api import async_playwright

    loop = asyncio.get_running_loop()

    def quiet_after_interrupt(loop_, context) -> None:
        """After Ctrl-C the driver's unread replies ("Future exception was never retrieved: Connection
        closed while reading from the driver") are dropped: the analyst's last line stays 「已中断」."""
        if interrupted:
            return
        loop_.default_exception_handler(context)

    loop.set_exception_handler(quiet_after_interrupt)

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
            while (job := await queue.get()) is not None:
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

    executable = chromium_path()  # its own message when Chromium is not installed
    async with async_playwright() as p:
        try:
            browser = await p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                              timeout=timeout * 1000)
        except Exception as exc:
            raise ReportError(f"无法启动 Chromium：{str(exc).splitlines()[0][:300] if str(exc) else exc!r}") from None
        tasks = [asyncio.ensure_future(work(browser)) for _ in range(max(1, workers))]
        try:
            try:
                await asyncio.gather(*tasks)
            except BaseException:  # a worker failed or the run was cancelled: the others stop too
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
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
    printer = BackgroundPrinter(timeout=timeout, workers=min(workers, len(jobs)))
    try:
        printer.submit(list(jobs))
        printer.finish()
    except BaseException:  # Ctrl-C: the prints stop quietly before the caller removes what they write into
        printer.abort()
        raise


class BackgroundPrinter:
    """One Chromium, started before the pages to print exist, printing them in a thread as they come.

    :func:`casplan.report.runs.render_report` opens it before the notebook runs: the browser starts while
    the kernel does, the letters, the annex and the 公示 list are printed (and the letters cut) as soon as
    the notebook has queued them (:meth:`watch`), while its last cells still run, and the committee
    report is handed in (:meth:`submit`) once its HTML exists. :meth:`finish` waits for every print and
    cut and raises the first error (a :class:`ReportError` naming the document, as :func:`print_pdfs`);
    :meth:`abort` stops it without a word (the run failed or was interrupted) — both before the run's
    folder is removed or renamed, since the prints write into it.
    """

    def __init__(self, *, timeout: int = 120, workers: int = PRINT_WORKERS) -> None:
        import threading

        self._workers = max(1, workers)
        self._interrupted: list[bool] = []
        self._error: BaseException | None = None
        self._taken = False
        self._watch_task: asyncio.Task | None = None
        self._loop = asyncio.new_event_loop()
        self._queue: asyncio.Queue[PrintJob | None] | None = None
        self._main: asyncio.Task | None = None
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._queue = asyncio.Queue()
            self._main = self._loop.create_task(_print_all(self._queue, timeout, self._workers, self._interrupted))
            started.set()
            try:
                self._loop.run_until_complete(self._main)
            except BaseException as exc:  # noqa: BLE001 - kept and raised by finish() in the caller's thread
                self._error = exc
            finally:
                pending = [t for t in asyncio.all_tasks(self._loop) if not t.done()]
                for task in pending:
                    task.cancel()
                self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                self._loop.run_until_complete(self._loop.shutdown_default_executor())  # the cuts' threads
                self._loop.close()

        self._thread = threading.Thread(target=run, name="casplan-print", daemon=True)
        self._thread.start()
        started.wait()

    def _call(self, coroutine_function) -> None:
        """Run ``coroutine_function()`` in the printer's loop and wait for it (nothing once the printer ended)."""
        if not self._thread.is_alive():
            return
        import concurrent.futures

        coroutine = coroutine_function()
        try:
            future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        except RuntimeError:  # the loop closed meanwhile: finish() says why
            coroutine.close()
            return
        while True:  # the loop may close before it runs the call: then the thread's end is the answer
            try:
                future.result(timeout=0.1)
                return
            except concurrent.futures.TimeoutError:
                if not self._thread.is_alive():
                    coroutine.close()  # never run: closed, not left to warn
                    return
            except concurrent.futures.CancelledError:  # the printer ended meanwhile: finish() says why
                return

    def _take(self, path: Path, make_jobs) -> bool:
        """In the loop: hand in the queued pages once ``path`` exists (once)."""
        if self._taken:
            return True
        if not path.exists():
            return False
        self._taken = True
        for job in _in_print_order(make_jobs()):
            self._queue.put_nowait(job)
        return True

    def watch(self, path: Path, make_jobs) -> None:
        """Hand in ``make_jobs()`` as soon as ``path`` (the notebook's list of pages to print) exists."""
        async def start() -> None:
            async def poll() -> None:
                while not self._take(path, make_jobs):
                    await asyncio.sleep(0.1)

            self._watch_task = asyncio.ensure_future(poll())
        self._call(start)

    def notebook_done(self, path: Path, make_jobs) -> None:
        """The notebook has ended: hand in its pages now if the watch has not yet (or raise why it could not)."""
        async def final() -> None:
            task = self._watch_task
            if task is not None and task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()
            if task is not None:
                task.cancel()
            self._take(path, make_jobs)
        self._call(final)

    def submit(self, jobs: list[PrintJob]) -> None:
        async def put() -> None:
            for job in _in_print_order(jobs):
                self._queue.put_nowait(job)
        self._call(put)

    def finish(self) -> None:
        """No more pages: wait for every print and cut; raise the first error."""
        async def close() -> None:
            for _ in range(self._workers):
                self._queue.put_nowait(None)
        self._call(close)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        """Stop printing, quietly (the run failed or was interrupted); returns once nothing writes any more."""
        self._interrupted.append(True)
        if self._thread.is_alive():
            try:
                self._loop.call_soon_threadsafe(self._main.cancel)
            except RuntimeError:
                pass
        self._thread.join()
