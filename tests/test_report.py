"""The official report, rendered for real: files, a real browser, the PDF's text, the xlsx, safety, atomicity."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import fastexcel
import openpyxl
import pytest
from conftest import SAMPLES, write_xlsx

from casplan.errors import CasplanError
from casplan.report import WORKBOOK, render_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(2)>"
FORMULA = '=HYPERLINK("http://example.invalid","点我")'


@pytest.fixture(scope="module")
def hostile_plans(tmp_path_factory) -> Path:
    """The sample year with hostile titles on applications that get chosen, as a unit would type them."""
    from casplan.pipeline import run_year
    from conftest import sample_inputs

    chosen = run_year(sample_inputs(SAMPLES)).selection.chosen.sort("track", "app_id")
    targets = {}
    for track, prefix in (("jiangtan", HOSTILE_SCRIPT), ("yanxiu", HOSTILE_IMG), ("duanqi", FORMULA)):
        app_id = chosen.filter(chosen["track"] == track)["app_id"][0]
        targets[app_id.removeprefix("P")] = prefix
    frame = fastexcel.read_excel(str(SAMPLES / "plans.xlsx")).load_sheet(0, dtypes="string").to_polars()
    rows = frame.to_dicts()
    for row in rows:
        if row["计划ID"] in targets:
            prefix = targets[row["计划ID"]]
            row["培训名称"] = prefix if prefix == FORMULA else prefix + row["培训名称"]
    out = tmp_path_factory.mktemp("hostile") / "plans.xlsx"
    return write_xlsx(out, rows, header=list(frame.columns))


@pytest.fixture(scope="module")
def rendered(hostile_plans, tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    params = {"year": 2023, "plans": str(hostile_plans), "history": str(SAMPLES / "history.xlsx"),
              "roster": str(SAMPLES / "roster.xlsx"), "reviews": str(SAMPLES / "reviews.csv"),
              "robustness_draws": 50}
    run = render_report(params, out_root=root, timeout=300, progress=False)
    return root, run, params


def test_every_file_is_there_and_latest_points_at_it(rendered):
    root, run, _ = rendered
    names = {p.name for p in run.iterdir()}
    assert {"report.html", "report.pdf", WORKBOOK, "manifest.json", "selection.json", "diff.json"} <= names
    assert (root / "2023" / "latest").resolve() == run.resolve()
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["solver"]["status"] == "optimal"
    assert len(manifest["inputs"]) >= 5 and all(len(h) == 64 for h in manifest["inputs"].values())
    assert {"papermill_s", "html_s", "pdf_s", "total_s"} <= set(manifest["timings"])
    assert not [p for p in (root / "2023").iterdir() if p.name.startswith(".")]


def test_html_in_a_real_browser(rendered):
    from playwright.sync_api import sync_playwright

    _, run, _ = rendered
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        console, dialogs, requests = [], [], []
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto((run / "report.html").resolve().as_uri())
        page.wait_for_load_state("load")
        graphs = page.locator(".plotly-graph-div")
        assert graphs.count() >= 4  # the committee report keeps the charts that matter (issue 16)
        page.wait_for_function("[...document.querySelectorAll('.plotly-graph-div')]"
                               ".every(d => d.querySelector('svg.main-svg'))", timeout=30_000)
        text = page.inner_text("body")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        browser.close()
    assert HOSTILE_SCRIPT in text and HOSTILE_IMG in text  # shown as text, not run
    assert not dialogs, dialogs
    assert not console, console
    assert not requests, requests  # offline: nothing fetched from any network
    for heading in ("一、名额与经费", "二、拟入选项目名单", "八、稳健性", "十、方法说明"):
        assert heading in text


def test_pdf_text_has_the_headings(rendered):
    _, run, _ = rendered
    text = subprocess.run(["pdftotext", str(run / "report.pdf"), "-"], capture_output=True, check=True,
                          text=True).stdout
    for heading in ("中国科学院2023年度继续教育与培训", "一、名额与经费", "二、拟入选项目名单", "方法说明"):
        assert heading in text.replace("\n", ""), heading


def test_workbook_lists_and_no_live_formulas(rendered):
    from casplan.policy import load_policy

    _, run, _ = rendered
    wb = openpyxl.load_workbook(run / WORKBOOK)
    expected = ["汇总", "经费", *(t.name for t in load_policy().tracks), "不具备资格", "接收时搁置的行", "未报送单位",
                "单位情况"]
    assert wb.sheetnames == expected
    formulas, titles = [], []
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(cell.coordinate)
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    titles.append(cell.value)
    assert not formulas
    assert titles and all(t.startswith("'=") for t in titles)
    sheet = wb[load_policy().track("yanxiu").name]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["状态", "排名", "申报编号"] and "联系人电话" not in header


def test_contacts_stay_out_of_html_and_pdf(rendered):
    import polars as pl

    _, run, _ = rendered
    plans = pl.read_excel(SAMPLES / "plans.xlsx")
    phones = [p for p in plans["联系人电话"].drop_nulls().unique().to_list() if len(str(p)) >= 7][:200]
    emails = plans["联系人Email"].drop_nulls().unique().to_list()[:200]
    html = (run / "report.html").read_text(encoding="utf-8")
    pdf = subprocess.run(["pdftotext", str(run / "report.pdf"), "-"], capture_output=True, text=True).stdout
    xlsx_text = " ".join(str(c.value) for book in (WORKBOOK, "公示名单.xlsx", "单位反馈.xlsx")
                         for ws in openpyxl.load_workbook(run / book).worksheets
                         for row in ws.iter_rows() for c in row if c.value is not None)
    sent = [run / "附件.pdf", run / "公示名单.pdf", *sorted((run / "单位反馈").glob("*.pdf"))[:20]]
    sent_text = " ".join(subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True).stdout for f in sent)
    sent_text += (run / "附件.html").read_text(encoding="utf-8")
    for secret in phones + emails:
        assert str(secret) not in html and str(secret) not in pdf and str(secret) not in xlsx_text
        assert str(secret) not in sent_text


def test_if_changed_renders_nothing_new(rendered):
    root, run, params = rendered
    assert render_report(params, out_root=root, if_changed=True, progress=False) is None
    assert [p.name for p in (root / "2023").iterdir() if not p.name.startswith(("latest", "."))] == [run.name]


def test_a_failed_run_leaves_the_last_good_report(rendered, tmp_path):
    root, run, params = rendered
    empty = tmp_path / "plans.xlsx"
    empty.write_bytes(b"")  # exists, but cannot be read: refused before the notebook starts (exit 2)
    before = sorted(p.name for p in (root / "2023").iterdir())
    with pytest.raises(CasplanError, match="文件为空") as info:
        render_report({**params, "plans": str(empty)}, out_root=root, progress=False)
    assert info.value.exit_code == 2
    assert sorted(p.name for p in (root / "2023").iterdir()) == before
    # a scenario the notebook refuses midway (its own cell raises): the same, and the input's exit code
    bad = tmp_path / "情景.yaml"
    bad.write_text("name: 试算\nquotas: {不存在的类别: 3}\n", encoding="utf-8")
    with pytest.raises(CasplanError, match="不存在的类别") as info:
        render_report({**params, "scenario": str(bad)}, out_root=root, progress=False)
    assert info.value.exit_code == 2
    assert sorted(p.name for p in (root / "2023").iterdir()) == before
    assert (root / "2023" / "latest").resolve() == run.resolve()


def test_cli_policy_typo_is_one_clear_line(rendered, tmp_path, capsys):
    from casplan.cli import main

    root, _, params = rendered
    bad_policy = tmp_path / "2023.yaml"
    bad_policy.write_text((Path(__file__).resolve().parents[1] / "casplan" / "policy" / "2023.yaml")
                          .read_text(encoding="utf-8").replace("min_days: 3", "min_dayz: 3", 1), encoding="utf-8")
    code = main(["report", "--plans", params["plans"], "--policy", str(bad_policy), "--out", str(root)])
    err = capsys.readouterr().err
    assert code == 2 and "min_dayz" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_report_from_plans_alone_reads_nothing_else(tmp_path):
    """议题 13.1: in a clone without data/samples, plans alone give a report that says what was not given."""
    repo = Path(__file__).resolve().parents[1]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(repo), str(clone)], check=True, timeout=120)
    for name in ("casplan", "notebooks"):  # the working tree as it is now (uncommitted changes included)
        shutil.rmtree(clone / name)
        shutil.copytree(repo / name, clone / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.rmtree(clone / "data" / "samples")
    foreign = repo / "tests" / "data" / "foreign"
    plans = tmp_path / "导出"
    plans.mkdir()
    shutil.copy(foreign / "export_merged.xlsx", plans / "全院导出.xlsx")
    out = tmp_path / "reports"
    env = {**__import__("os").environ, "PYTHONPATH": str(clone)}
    done = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", "casplan.cli", "report", "--plans", str(plans),
                           # relative, as `make report` gives it (papermill runs the kernel from another folder)
                           "--robustness-draws", "0", "--out", __import__("os").path.relpath(out, clone)],
                          cwd=clone, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    run = (out / "2023" / "latest").resolve()
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    kinds = sorted(k.split(":", 1)[0] for k in manifest["inputs"])
    assert kinds == ["directions", "plans", "policy"], manifest["inputs"]
    assert all(str(clone) in k or str(plans) in k for k in manifest["inputs"])
    import hashlib
    assert manifest["inputs"][f"plans:{(plans / '全院导出.xlsx').resolve()}"] == \
        hashlib.sha256((plans / "全院导出.xlsx").read_bytes()).hexdigest()
    text = subprocess.run(["pdftotext", "-layout", str(run / "report.pdf"), "-"], capture_output=True, text=True,
                          timeout=60).stdout
    for said in ("未提供往年项目", "未提供单位名册", "未提供专家评审", "待核"):
        assert said in text, said


def test_no_text_from_a_scenario_or_a_decision_runs_in_a_browser(tmp_path):
    """议题 14.7: scenario names and notes, decision reasons and authors are escaped wherever shown."""
    from playwright.sync_api import sync_playwright

    from casplan.pipeline import run_year
    from conftest import sample_inputs

    year = run_year(sample_inputs(SAMPLES))
    app = year.selection.chosen["app_id"][0]
    scenario = tmp_path / "情景.yaml"
    scenario.write_text("name: '<script>alert(3)</script>情景'\nnote: '[点我](javascript:alert(4))'\n"
                        "quotas: {专业技术研修班: 9}\n", encoding="utf-8")
    decisions = tmp_path / "决定.yaml"
    decisions.write_text(f"- action: force_include\n  app: {app}\n  reason: '<img src=x onerror=alert(5)>'\n"
                         "  author: '</style><script>alert(6)</script>'\n", encoding="utf-8")
    root = tmp_path / "reports"
    params = {"plans": str(SAMPLES / "plans.xlsx"), "history": str(SAMPLES / "history.xlsx"),
              "roster": str(SAMPLES / "roster.xlsx"), "scenario": str(scenario), "overrides": str(decisions),
              "robustness_draws": 0}
    run = render_report(params, out_root=root, timeout=300, progress=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((run / "report.html").resolve().as_uri())
        page.wait_for_load_state("load")
        text = page.inner_text("body")
        planted = page.evaluate("""() => ({
            img: document.querySelectorAll('img[src="x"]').length,
            js: document.querySelectorAll('a[href^="javascript:"]').length,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes]
                       .some(a => a.name.startsWith('on'))).length})""")
        browser.close()
    assert not dialogs, dialogs
    assert planted == {"img": 0, "js": 0, "handlers": 0}, planted
    for payload in ("<script>alert(3)</script>情景", "<img src=x onerror=alert(5)>"):
        assert payload in text, payload
