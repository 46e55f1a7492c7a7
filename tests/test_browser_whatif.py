"""A real browser: JupyterLab serves the what-if notebook, headless Chromium runs it and moves a quota slider."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on 127.0.0.1 with a token, stopped by its own process id."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    for key in ("JUPYTER_PATH",):
        env.pop(key, None)
    labconfig = tmp_path / "config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(  # no news toast over the screenshots
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}', encoding="utf-8")
    log = open(tmp_path / "lab.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.token={token}", "--allow-root", "--LabApp.expose_app_in_browser=True",
         f"--ServerApp.root_dir={ROOT}", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--ServerApp.port_retries=0"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("JupyterLab exited: " + (tmp_path / "lab.log").read_text(errors="replace")[-2000:])
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    try:
        yield url, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def _notebook_with_params() -> str:
    """A copy of the what-if notebook under tests/artifacts with the sample's params file filled in.

    The committed notebook names no input (an omitted input is none); the analyst fills ``params_file``.
    """
    import json

    nb = json.loads((ROOT / "notebooks" / "04_what_if.ipynb").read_text(encoding="utf-8"))
    params = ROOT / "data" / "samples" / "2023" / "report-params.yaml"
    source = "".join(nb["cells"][1]["source"]).replace('params_file: str = ""', f'params_file: str = "{params}"', 1)
    nb["cells"][1]["source"] = source
    nb["cells"][2]["source"] = "".join(nb["cells"][2]["source"]).replace(
        "from casplan.views.charts import", "import os; os.chdir(%r)\nfrom casplan.views.charts import" % str(ROOT / "notebooks"), 1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "04_what_if.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return "tests/artifacts/04_what_if.ipynb"


def test_quota_slider_changes_the_shortlist(lab):
    from playwright.sync_api import sync_playwright

    url, token = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    notebook = _notebook_with_params()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/lab/tree/{notebook}?token={token}&reset", timeout=60_000)
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                               "&& window.jupyterapp.shell.currentWidget.sessionContext "
                               "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                               "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                               timeout=90_000)
        page.wait_for_function("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                               timeout=90_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        cell = page.locator('.casplan-fill td.chosen[data-track="yanxiu"]')
        cell.wait_for(timeout=120_000)
        assert cell.inner_text() == "10"
        handle = page.locator(".casplan-quota-yanxiu .noUi-handle")
        handle.scroll_into_view_if_needed()
        handle.focus()

        def revision() -> int:
            return int(page.locator(".casplan-status [data-revision]").get_attribute("data-revision"))

        def press_and_wait(expected: str) -> float:
            before = revision()
            started = time.perf_counter()
            page.keyboard.press("ArrowLeft")
            page.wait_for_function(
                f"Number(document.querySelector('.casplan-status [data-revision]').dataset.revision) > {before}",
                timeout=30_000)
            elapsed = time.perf_counter() - started
            assert page.locator('.casplan-fill td.chosen[data-track="yanxiu"]').inner_text() == expected
            return elapsed

        latencies = [press_and_wait(str(n)) for n in (9, 8, 7)]
        assert page.locator('.casplan-fill td.chosen[data-track="duanqi"]').inner_text() == "10"
        rows = page.locator(".casplan-diff").inner_text().splitlines()
        assert sum(r.startswith("落选\t专业技术研修班") for r in rows) == 3
        shortlist = page.locator(".casplan-shortlist").inner_text().splitlines()
        assert sum(r.startswith("专业技术研修班\t") for r in shortlist) == 7
        page.locator(".casplan-whatif").screenshot(path=str(ARTIFACTS / "whatif.png"))
        (ARTIFACTS / "whatif-latency.txt").write_text(
            "slider step → every output updated (ms): " + ", ".join(f"{x * 1000:.0f}" for x in latencies) + "\n",
            encoding="utf-8")
        browser.close()
    assert not errors, errors
