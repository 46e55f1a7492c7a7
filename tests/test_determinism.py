"""Determinism and crash safety.

* The same inputs in any row order, column order, file order and split into any files give
  byte-identical ``casplan select --json`` output, identical report sheets (``frame.equals``) and a
  byte-identical xlsx of the lists and ``selection.json``.
* A ``casplan report`` killed halfway (SIGKILL while papermill runs the notebook) leaves the previous run
  folder, byte for byte, and ``latest`` pointing at it; what the killed run leaves is a hidden
  ``.tmp-…`` folder only, which is not taken for a run (``--if-changed`` still compares with ``latest``).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fastexcel
import pytest
import xlsxwriter

from casplan.report import build, render_report, workbook_sheets, write_artifacts

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "2023"
COMPANIONS = {"history": SAMPLES / "history.xlsx", "roster": SAMPLES / "roster.xlsx"}
DIRTY_FILES = sorted(p for p in (SAMPLES / "dirty").rglob("*") if p.suffix in (".xlsx", ".csv"))


def _cells(path: Path) -> list[list[str | None]]:
    """Every cell of the first sheet as the reader sees it (text)."""
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string")
    return [list(r) for r in sheet.to_polars().rows()]


def _write(path: Path, grid: list[list[str | None]]) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    ws = wb.add_worksheet("培训计划")
    for i, line in enumerate(grid):
        for j, v in enumerate(line):
            if v is not None:
                ws.write_string(i, j, v)
    wb.close()
    return path


@pytest.fixture(scope="module")
def shuffled(tmp_path_factory) -> tuple[Path, Path]:
    """The clean sample plans with rows and columns in a random order, split into two files."""
    grid = _cells(SAMPLES / "plans.xlsx")
    header, body = grid[0], grid[1:]
    rng = random.Random(20231114)
    rng.shuffle(body)
    order = list(range(len(header)))
    rng.shuffle(order)
    grid = [[line[j] for j in order] for line in [header, *body]]
    cut = len(body) // 3
    out = tmp_path_factory.mktemp("shuffled")
    return _write(out / "乙.xlsx", [grid[0], *grid[1:cut + 1]]), _write(out / "甲.xlsx", [grid[0], *grid[cut + 1:]])


def _select(plans: list[Path], *, reviews: bool) -> tuple[int, str, str]:
    argv = [sys.executable, "-m", "casplan.cli", "select", *map(str, plans), "--history", str(COMPANIONS["history"]),
            "--roster", str(COMPANIONS["roster"]), "--json"]
    if reviews:
        argv += ["--reviews", str(SAMPLES / "reviews.csv")]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


def test_select_json_is_byte_identical_in_any_order(shuffled) -> None:
    a, b = shuffled
    runs = {"original": ([SAMPLES / "plans.xlsx"], True), "split a+b": ([a, b], True), "split b+a": ([b, a], True),
            "dirty sorted": (DIRTY_FILES, False), "dirty reversed": (DIRTY_FILES[::-1], False)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        out = dict(zip(runs, pool.map(lambda r: _select(r[0], reviews=r[1]), runs.values())))
    for name, (code, stdout, stderr) in out.items():
        assert code == 0, (name, stderr)
        assert json.loads(stdout)["selected"], name
    assert out["split a+b"][1] == out["original"][1]
    assert out["split b+a"][1] == out["original"][1]
    assert out["dirty reversed"][1] == out["dirty sorted"][1]


def _report_frames(plans: list[Path], out: Path, **extra):
    data = build(plans=";".join(map(str, plans)), history=str(COMPANIONS["history"]),
                 roster=str(COMPANIONS["roster"]), robustness_draws=0, **extra)
    write_artifacts(data, out, report_date="2023-01-20")
    # every file: the xlsx lists, selection.json, the 公示 list, the letters and the pages queued for printing
    return workbook_sheets(data), {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_report_sheets_and_xlsx_are_identical_in_any_order(shuffled, tmp_path) -> None:
    a, b = shuffled
    reviews = {"reviews": str(SAMPLES / "reviews.csv")}
    cases = {
        "original": ([SAMPLES / "plans.xlsx"], reviews), "split b+a": ([b, a], reviews),
        "dirty sorted": (DIRTY_FILES, {}), "dirty reversed": (DIRTY_FILES[::-1], {}),
    }
    got = {name: _report_frames(plans, tmp_path / name, **extra) for name, (plans, extra) in cases.items()}
    for left, right in (("original", "split b+a"), ("dirty sorted", "dirty reversed")):
        sheets_l, files_l = got[left]
        sheets_r, files_r = got[right]
        assert list(sheets_l) == list(sheets_r)
        for sheet in sheets_l:
            assert sheets_l[sheet].equals(sheets_r[sheet]), (left, right, sheet)
        # every file written, byte for byte, but the annex: its 逐文件读取情况 names the files read, which differ
        annex = {"附件.html", ".print/0000.html"}
        assert {k: v for k, v in files_l.items() if k not in annex} == {k: v for k, v in files_r.items()
                                                                       if k not in annex}, (left, right)
    assert got["original"][0]["专业技术研修班"].height > 0


# --- a run killed halfway --------------------------------------------------------------------------

def _tree(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc): the report's kernel runs in a session of its own."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.slow
def test_a_killed_report_leaves_the_last_good_one(tmp_path) -> None:
    root = tmp_path / "reports"
    params = {"year": 2023, "plans": str(SAMPLES / "plans.xlsx"), "history": str(COMPANIONS["history"]),
              "roster": str(COMPANIONS["roster"]), "reviews": str(SAMPLES / "reviews.csv"), "robustness_draws": 0}
    good = render_report(params, out_root=root, progress=False)
    year = root / "2023"
    before = _tree(good)
    assert os.readlink(year / "latest") == good.name

    time.sleep(1.1)  # run folders are named by the second: the killed run must not reuse the good one's name
    argv = [sys.executable, "-m", "casplan.cli", "report", "--plans", params["plans"], "--history", params["history"],
            "--roster", params["roster"], "--reviews", params["reviews"], "--robustness-draws", "0",
            "--out", str(root)]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    kernels: list[int] = []
    doomed: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:  # wait until papermill's kernel runs
            kernels = [p for p in _descendants(proc.pid) if "ipykernel" in _cmdline(p)]
            if kernels and any(year.glob(".tmp-*")):
                break
            time.sleep(0.2)
        assert proc.poll() is None and kernels, "the report finished or never started its kernel"
        time.sleep(2.0)  # mid-notebook
        assert proc.poll() is None, "the report finished before it could be killed"
        doomed = _descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        for pid in kernels + doomed:  # by id: only what this run started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert proc.returncode == -signal.SIGKILL

    assert _tree(good) == before, "the previous run folder changed"
    assert os.readlink(year / "latest") == good.name
    visible = sorted(p.name for p in year.iterdir() if not p.name.startswith("."))
    assert visible == sorted([good.name, "latest"]), visible
    leftovers = [p for p in year.iterdir() if p.name.startswith(".tmp-")]
    # A SIGKILL runs no cleanup: the half-built run stays behind, hidden, as .tmp-<run>-<pid>.
    assert len(leftovers) == 1 and leftovers[0].is_dir(), leftovers
    assert not (leftovers[0] / "manifest.json").exists()
    # It is not taken for a run: --if-changed compares with `latest` and finds nothing new.
    assert render_report(params, out_root=root, if_changed=True, progress=False) is None
    # The next real run sweeps it away (its process is gone) and lands normally.
    fresh = render_report({**params, "robustness_draws": 1}, out_root=root, progress=False)
    assert not [p for p in year.iterdir() if p.name.startswith(".tmp-")]
    assert os.readlink(year / "latest") == fresh.name
