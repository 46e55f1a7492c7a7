"""A real browser against the served app: ``casplan whatif --params …`` (the real command) serves the panel
through Voilà; headless Chromium checks that no code and no English is on the page, moves a quota, switches
U1, forces an unknown id, saves a scenario and renders its report, and records how long each took."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
# the guide's pictures go to docs/images only when asked (scripts/screenshots.py sets it); a test run
# writes them among its artifacts, so running the tests never changes the checkout
IMAGES = Path(os.environ.get("CASPLAN_SHOTS_DIR") or ARTIFACTS / "whatif-shots")
SAMPLES = ROOT / "data" / "samples" / "2023"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.browser

# What may be Latin in the page's visible text: ids, rule ids, units and file names the analyst typed.
ALLOWED = re.compile(r"^(P\d+|U\d|J\d|casplan|whatif|yaml|yml|pdf|reports?|token|EDA|AI)$", re.IGNORECASE)


def _params(tmp: Path) -> Path:
    """The sample year with the guide's decisions file (the report's optimum with it is 4331.36)."""
    p = tmp / "参数.yaml"
    p.write_text("\n".join([
        "year: 2023", f"plans: {SAMPLES / 'plans.xlsx'}", f"history: {SAMPLES / 'history.xlsx'}",
        f"roster: {SAMPLES / 'roster.xlsx'}", f"reviews: {SAMPLES / 'reviews.csv'}",
        f"overrides: {ROOT / 'docs' / 'examples' / '人工决定示例.yaml'}", "robustness_draws: 0", ""]), encoding="utf-8")
    return p


@pytest.fixture
def app(tmp_path):
    """``casplan whatif`` as the analyst starts it (as root too: no extra flag), stopped by Ctrl-C (SIGINT)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    params = _params(tmp_path)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "casplan", "whatif", "--params", str(params), "--port", "0",
                             "--out", str(tmp_path / "reports")], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    url, printed = None, []
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            pytest.fail("casplan whatif exited: " + proc.stderr.read()[-2000:])
        printed.append(line)
        m = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line)
        if m:
            url = m.group(1)
    assert url, printed
    try:
        yield {"url": url, "started": started, "proc": proc, "tmp": tmp_path, "printed": printed}
    finally:
        if proc.poll() is None:  # as the analyst stops it: Ctrl-C; it stops Voilà and its kernel
            os.kill(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # Voilà then gets SIGTERM from its parent's death
                proc.wait(timeout=10)


def _english(text: str) -> list[str]:
    """Latin words outside the allow-list, each with the text around it."""
    return sorted({text[max(m.start() - 30, 0):m.end() + 30] for m in re.finditer(r"[A-Za-z][A-Za-z_]+", text)
                   if not ALLOWED.match(m.group())})


def _visible_words(page) -> str:
    """The page's visible text without the data cells (a training's name may be Latin: 「Python 科学计算」) and
    without the paths of files (shown as code)."""
    text = page.evaluate("document.body.innerText")
    cells = page.eval_on_selector_all("td, code", "els => els.map(e => e.innerText)")
    for cell in sorted(cells, key=len, reverse=True):
        if cell.strip():
            text = text.replace(cell, " ")
    return text


def _top(page, path: Path) -> None:
    """A screenshot from the panel's top to the end of the quota bars (the guide's pictures: ≤ 1280 px wide)."""
    top = page.locator(".casplan-whatif").bounding_box()
    bottom = page.locator(".casplan-chart").bounding_box()
    page.screenshot(path=str(path), clip={"x": top["x"], "y": top["y"], "width": min(top["width"], 1240),
                                          "height": bottom["y"] + bottom["height"] - top["y"] + 8})


def test_the_served_app(app):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    timings: dict[str, object] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1260, "height": 2400}, locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(app["url"], timeout=60_000)
        cell = page.locator('.casplan-fill td.chosen[data-track="yanxiu"]')
        cell.wait_for(timeout=90_000)
        page.locator(".casplan-status [data-revision]").wait_for(timeout=30_000)
        timings["start_to_usable_s"] = round(time.monotonic() - app["started"], 2)
        assert cell.inner_text() == "10"
        assert page.title() == "情景推演"

        # no code, no English in what the analyst sees
        assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor").count() == 0
        body = page.evaluate("document.body.innerText")
        assert "import" not in body and "WhatIfPanel" not in body
        assert _english(_visible_words(page)) == [], _english(_visible_words(page))
        status = page.locator(".casplan-status").inner_text()
        assert "总分 4331.36" in status, status  # the report's optimum with the decisions file
        _top(page, IMAGES / "whatif-before.png")

        def revision() -> int:
            return int(page.locator(".casplan-status [data-revision]").get_attribute("data-revision"))

        def timed(action) -> float:
            before = revision()
            t = time.perf_counter()
            action()
            page.wait_for_function(
                f"Number(document.querySelector('.casplan-status [data-revision]').dataset.revision) > {before}",
                timeout=30_000)
            return round((time.perf_counter() - t) * 1000)

        def tab(title: str) -> None:
            page.locator(".casplan-tabs .lm-TabBar-tab", has_text=title).click()

        moves: list[tuple[str, float]] = []
        # move a quota: 专业技术研修班 10 → 9 → 8 by the keyboard on the slider's handle
        handle = page.locator(".casplan-quota-yanxiu .noUi-handle")
        handle.focus()
        for n in (9, 8):
            moves.append((f"研修班名额→{n}", timed(lambda: page.keyboard.press("ArrowLeft"))))
            assert cell.inner_text() == str(n)
        settings = page.locator(".casplan-settings-line").inner_text()
        assert "名额 专业技术研修班 10→8" in settings, settings
        diff = page.locator(".casplan-diff").inner_text()
        knock = [r for r in diff.splitlines() if "P2302156" in r]
        assert knock and "P2302150" in knock[0] and "每所一项" in knock[0], knock
        _top(page, IMAGES / "whatif-after.png")
        page.locator(".casplan-diff").screenshot(path=str(IMAGES / "whatif-diff.png"))
        tab("评分权重")
        page.locator(".casplan-tabs").screenshot(path=str(IMAGES / "whatif-weights.png"))

        # switch U1 off
        tab("经费与规则")
        moves.append(("关闭 U1", timed(lambda: page.locator(".casplan-rule-U1 input").click())))
        assert "U1 关" in page.locator(".casplan-settings-line").inner_text()

        # an unknown id at 强制入选: a message at the field, the shortlist stays
        tab("人工决定")
        field = page.locator(".casplan-forced-in input")
        field.fill("P9999999")
        moves.append(("强制入选未知编号", timed(lambda: field.press("Enter"))))
        error = page.locator(".casplan-forced-in-error")
        assert "不存在的申报编号" in error.inner_text()
        assert page.locator(".casplan-shortlist tbody tr").count() > 40
        _top(page, IMAGES / "whatif-error.png")
        field.fill("")
        moves.append(("清空强制入选", timed(lambda: field.press("Enter"))))
        assert error.inner_text().strip() == ""

        # one click back to the baseline
        moves.append(("恢复基线", timed(lambda: page.locator(".casplan-reset button, button.casplan-reset").click())))
        assert "当前为基线" in page.locator(".casplan-settings-line").inner_text()
        assert cell.inner_text() == "10"
        tab("名额")
        handle.focus()
        moves.append(("研修班名额→9", timed(lambda: page.keyboard.press("ArrowLeft"))))

        # save the scenario and render its report
        tab("情景与报告")
        path = page.locator(".casplan-path input")
        path.fill("情景/研修班9个.yaml")
        t = time.perf_counter()
        page.locator(".casplan-report-button").click()
        page.locator(".casplan-report-running").wait_for(timeout=30_000)
        done = page.locator(".casplan-report-done")
        done.wait_for(timeout=600_000)
        timings["report_s"] = round(time.perf_counter() - t, 1)
        saved = app["tmp"] / "情景" / "研修班9个.yaml"
        assert saved.is_file() and "yanxiu: 9" in saved.read_text(encoding="utf-8")
        pdf = Path(re.search(r"(/\S+report\.pdf)", done.inner_text()).group(1))
        assert pdf.is_file(), done.inner_text()
        page.locator(".casplan-tabs").screenshot(path=str(IMAGES / "whatif-report.png"))
        assert _english(_visible_words(page)) == [], _english(_visible_words(page))

        # Ctrl-C: a clean stop, a Chinese line on the terminal, no traceback; the open page says so in Chinese
        proc = app["proc"]
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        lost = page.locator("#casplan-lost")
        lost.wait_for(state="visible", timeout=30_000)
        assert "连接已断开" in lost.inner_text()
        browser.close()
    assert not errors, errors
    assert proc.returncode == 0, (out, err)
    assert "情景推演已停止" in out and "Traceback" not in out + err, (out, err)

    latencies = sorted(ms for _, ms in moves)
    timings["moves_ms"] = [f"{what} {ms:.0f}" for what, ms in moves]
    timings["median_ms"] = latencies[len(latencies) // 2]
    timings["worst_ms"] = latencies[-1]
    (ARTIFACTS / "whatif-latency.json").write_text(json.dumps(timings, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")


def test_a_kernel_that_dies_is_said_in_chinese(app):
    """The kernel behind the page dies (killed, out of memory): the page says in Chinese that the panel's
    state is lost and what to do, and the command still stops cleanly on Ctrl-C."""
    import psutil
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1260, "height": 1600}, locale="zh-CN")
        page.goto(app["url"], timeout=60_000)
        page.locator(".casplan-status [data-revision]").wait_for(timeout=90_000)
        assert not page.locator("#casplan-lost").is_visible()
        kernels = [c for c in psutil.Process(app["proc"].pid).children(recursive=True)
                   if "ipykernel" in " ".join(c.cmdline())]
        assert len(kernels) == 1, [c.cmdline() for c in kernels]
        kernels[0].kill()
        lost = page.locator("#casplan-lost")
        lost.wait_for(state="visible", timeout=60_000)
        text = lost.inner_text()
        assert "计算内核已停止" in text and "刷新本页" in text and "重新运行" not in text, text
        assert _english(text) == [], text
        browser.close()
    proc = app["proc"]
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "情景推演已停止" in out, (out, err)
