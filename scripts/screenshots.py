"""Make the analysts' guide's screenshots from the sample year (headless Chromium through Playwright).

Run from the repository root::

    .venv/bin/python scripts/screenshots.py            # every picture into docs/images/
    .venv/bin/python scripts/screenshots.py --only report
    .venv/bin/python scripts/screenshots.py --only whatif

What it makes (all 1280 px wide, clipped, each under 400 KB):

- ``report-page1.png``, ``report-list.png``, ``letter.png``: pages of the committee report's PDF (page 1,
  the first list of selected projects) and of one unit's letter, as printed, rendered by ``casplan report``
  from ``data/samples/2023/report-params.yaml`` into a temporary output folder (the repository's
  ``reports/`` is not touched) and rasterised with poppler's ``pdftoppm`` at 70 dpi;
- ``whatif-before.png``, ``whatif-after.png``, ``whatif-diff.png``, ``whatif-weights.png``,
  ``whatif-save.png``: ``notebooks/04_what_if.ipynb`` in JupyterLab (127.0.0.1, a token,
  a temporary copy of the notebook beside a link to ``data/``), before and after moving
  the 专业技术研修班 quota slider from 10 to 8, the weights tab, and a saved scenario.

JupyterLab runs in its own process group and is stopped by that group's id.
Nothing is written outside ``--out`` and the temporary folder.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASPLAN = ROOT / ".venv" / "bin" / "casplan"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
WIDTH = 1280
MAX_BYTES = 400_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _shot(page, path: Path, clip: dict) -> Path:
    """Screenshot a clip of the page (viewport coordinates), at most WIDTH wide; check the size."""
    clip = {"x": max(0.0, clip["x"]), "y": max(0.0, clip["y"]),
            "width": min(clip["width"], WIDTH - max(0.0, clip["x"])), "height": clip["height"]}
    page.screenshot(path=str(path), clip=clip, animations="disabled")
    size = path.stat().st_size
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
          f"{int(clip['width'])}×{int(clip['height'])}, {size / 1000:.0f} KB")
    if size > MAX_BYTES:
        raise SystemExit(f"{path.name} is {size} bytes (> {MAX_BYTES}): clip it smaller")
    return path


def _box(locator) -> dict:
    box = locator.bounding_box()
    if box is None:
        raise SystemExit(f"not visible: {locator}")
    return box


def _around(top: dict, bottom: dict | None = None) -> dict:
    """The clip from the top of one box to the bottom of another (or the same), with a small margin."""
    bottom = bottom or top
    return {"x": top["x"] - 8, "y": top["y"], "width": top["width"] + 16,
            "height": bottom["y"] + bottom["height"] - top["y"] + 8}


# --- the rendered report ------------------------------------------------------------------------

def render_sample_report(out_root: Path) -> Path:
    """``casplan report`` on the sample year into ``out_root``; the run folder."""
    cmd = [str(CASPLAN), "report", "--params", str(ROOT / "data/samples/2023/report-params.yaml"),
           "--out", str(out_root)]
    print("rendering the sample report:", " ".join(cmd[1:]))
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    return (out_root / "2023" / "latest").resolve()


def report_shots(browser, run: Path, out: Path) -> list[Path]:
    """Pages of the printed documents, as the committee and a unit see them (``browser`` is not needed)."""
    del browser
    letters = sorted((run / "单位反馈").glob("*.pdf"))
    letter = next((p for p in letters if "上海光学精密机械研究所" in p.name), letters[0])
    made = []
    for pdf, page, name in ((run / "report.pdf", 1, "report-page1"), (run / "report.pdf", 4, "report-list"),
                            (letter, 1, "letter")):
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf),
                        str(out / name)], check=True)
        made.append(out / f"{name}.png")
    return made


# --- the what-if in JupyterLab -------------------------------------------------------------------

@contextmanager
def jupyterlab(work: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab on 127.0.0.1 with a token over ``work``; stopped by its own process group."""
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(work / ".config"), "JUPYTER_DATA_DIR": str(work / ".data"),
           "JUPYTER_RUNTIME_DIR": str(work / ".runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(work / ".ws")}
    env.pop("JUPYTER_PATH", None)
    labconfig = work / ".config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(  # no news toast over the screenshots
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}', encoding="utf-8")
    log_path = work / "lab.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--port={port}", f"--ServerApp.token={token}", "--allow-root", "--LabApp.expose_app_in_browser=True",
             f"--ServerApp.root_dir={work}", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--ServerApp.port_retries=0"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("JupyterLab did not start: "
                                         + log_path.read_text(errors="replace")[-2000:]) from None
                    time.sleep(0.3)
            yield url, token
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def whatif_shots(browser, work: Path, out: Path) -> list[Path]:
    (work / "notebooks").mkdir()
    shutil.copy2(ROOT / "notebooks" / "04_what_if.ipynb", work / "notebooks" / "04_what_if.ipynb")
    (work / "data").symlink_to(ROOT / "data")  # the notebook reads ../data/samples/2023
    made = []
    with jupyterlab(work) as (url, token):
        page = browser.new_page(viewport={"width": WIDTH, "height": 1700})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/lab/tree/notebooks/04_what_if.ipynb?token={token}&reset", timeout=60_000)
        page.wait_for_function("window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"
                               "?.status === 'idle'", timeout=90_000)
        page.evaluate("window.jupyterapp.shell.collapseLeft()")
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.locator('.casplan-fill td.chosen[data-track="yanxiu"]').wait_for(timeout=120_000)
        page.wait_for_function("document.querySelector('.casplan-whatif .js-plotly-plot .main-svg')", timeout=60_000)
        panel = page.locator(".casplan-whatif")
        panel.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(800)

        def top_region() -> dict:  # the tabs, the status, the fill table and the chart
            return _around(_box(panel), _box(page.locator(".casplan-whatif .js-plotly-plot").first))

        made.append(_shot(page, out / "whatif-before.png", top_region()))

        def revision() -> int:
            return int(page.locator(".casplan-status [data-revision]").get_attribute("data-revision"))

        handle = page.locator(".casplan-quota-yanxiu .noUi-handle")
        handle.focus()
        for expected in ("9", "8"):
            before = revision()
            page.keyboard.press("ArrowLeft")
            page.wait_for_function("Number(document.querySelector('.casplan-status [data-revision]')"
                                   f".dataset.revision) > {before}", timeout=30_000)
            got = page.locator('.casplan-fill td.chosen[data-track="yanxiu"]').inner_text()
            if got != expected:
                raise SystemExit(f"专业技术研修班 chosen is {got}, expected {expected}")
        page.wait_for_timeout(800)  # the chart's transition
        panel.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        made.append(_shot(page, out / "whatif-after.png", top_region()))

        diff = page.locator(".casplan-diff")
        heading = page.locator(".casplan-whatif h3", has_text="与基线相比").first
        heading.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        made.append(_shot(page, out / "whatif-diff.png", _around(_box(heading), _box(diff))))

        panel.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.locator(".casplan-whatif .lm-TabBar-tab", has_text="评分权重").first.click()
        page.wait_for_timeout(500)
        tabs = page.locator(".casplan-whatif .jupyter-widget-tab, .casplan-whatif .widget-tab").first
        made.append(_shot(page, out / "whatif-weights.png", _around(_box(tabs))))

        page.locator(".casplan-whatif .lm-TabBar-tab", has_text="情景文件").first.click()
        page.wait_for_timeout(300)
        path_box = page.locator(".casplan-whatif .widget-text input:visible").first
        path_box.fill("研修班8个名额.yaml")
        page.locator(".casplan-whatif button", has_text="保存情景").first.click()
        page.wait_for_function("document.querySelector('.casplan-status').innerText.includes('已保存情景到')",
                               timeout=30_000)
        page.wait_for_timeout(300)
        made.append(_shot(page, out / "whatif-save.png", _around(_box(tabs), _box(page.locator(".casplan-status")))))
        saved = work / "notebooks" / "研修班8个名额.yaml"
        if not saved.exists():
            raise SystemExit("the scenario was not saved")
        print("  saved scenario (as the what-if writes it):")
        print("    " + saved.read_text(encoding="utf-8").replace("\n", "\n    "))
        page.close()
        if errors:
            raise SystemExit(f"errors in the page: {errors}")
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="where the PNGs go")
    parser.add_argument("--only", choices=["report", "whatif"], help="make only one group of pictures")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit("Debian's chromium is missing: `make test` or `make report` installs it")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out.resolve()
    with tempfile.TemporaryDirectory(prefix="casplan-shots-") as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            if args.only in (None, "report"):
                report_shots(browser, render_sample_report(Path(tmp) / "reports"), out)
            if args.only in (None, "whatif"):
                work = Path(tmp) / "lab"
                work.mkdir()
                whatif_shots(browser, work, out)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
