"""The whole chain, measured side by side in one run: ``make bench``.

    .venv/bin/python benchmarks/run.py [--scales 1,10,100] [--runs N] [--quick]
                                      [--out-md BENCHMARKS.md] [--out-json benchmarks/results.json]

For every scale (N× the sample year, :mod:`benchmarks.scale`) each step runs as a
whole fresh process, ``--runs`` times, the steps interleaved run by run so that a
slow minute of the machine hits them all alike:

* ``floor``: the bare read of the same files (``polars.read_excel`` / ``read_csv``);
* ``intake``, ``eligibility``, ``scoring``, ``selection``: the chain up to that step
  (``benchmarks/steps.py``), each a process of its own;
* ``end-to-end``: ``casplan select PLANS --history --roster --reviews --policy --json``.

Wall-clock time is taken by this process around each child (interpreter start to
exit); peak memory is the child's ``ru_maxrss`` from ``os.wait4`` (the largest
resident set of the child or of any process it waited for). Then, in one fresh
process per scale (1× and 10×), the what-if: a seeded sequence of realistic moves,
each re-solved (``WhatIf.evaluate``), p50 and p95 of their latencies. Then the
report on the sample year (``casplan report``, robustness draws at their default)
against a bare ``papermill`` run of an empty notebook with the same kernel, both
fresh processes, alternating. Every target of the issue is checked; a missed target
gets a profile (cProfile of the missed process, ``-X importtime``, the report
notebook's cell timings) written next to it.

Writes ``BENCHMARKS.md`` and a JSON file with the same figures; ``--quick`` (one
run, few what-if moves, few robustness draws, no profiles) is the tests' smoke run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from scale import DEFAULT_SEED, OUT, scaled_year, year_info  # noqa: E402

STEPS_PY = HERE / "steps.py"
WORK = ROOT / "benchmarks" / "out" / "work"
SAMPLE_PARAMS = ROOT / "data" / "samples" / "2023" / "report-params.yaml"
CHAIN = ("floor", "intake", "eligibility", "scoring", "selection", "end-to-end")
STAGES = ("import", "load", "assess", "match", "score", "solve")
TARGETS = {
    "e2e_1x": "End-to-end at 1× within 1.5× the floor read",
    "whatif_1x": "What-if move p95 ≤ 50 ms at 1×",
    "whatif_10x": "What-if move p95 ≤ 100 ms at 10×",
    "report": "Report render ≤ bare papermill + 5 s",
    "e2e_100x_time": "100× end-to-end under 30 s",
    "e2e_100x_memory": "100× end-to-end peak memory under 2 GiB (2048 MiB)",
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- measuring a child process ----------------------------------------------------------------------

class ChildFailed(RuntimeError):
    pass


def child_env() -> dict[str, str]:
    """The children's environment: this one, with bytecode caching on (as on an analyst's machine)."""
    env = os.environ.copy()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _busy_cpu_s() -> float | None:
    """CPU seconds the whole machine has been busy since boot (``/proc/stat``), None elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measure(cmd: list[str], *, name: str, stdout: Path | None = None, env: dict | None = None,
            timeout: float = 1800) -> dict:
    """Run ``cmd`` as a fresh process: wall and CPU seconds, peak RSS (MiB), its stdout's last line,
    and ``others_cpu_s``: the CPU seconds the rest of the machine used meanwhile (a shared machine shows here).

    >>> r = measure([sys.executable, "-c", "print('hi')"], name="echo")
    >>> r["wall_s"] > 0, r["cpu_s"] > 0, r["peak_mib"] > 0, r["last_line"]
    (True, True, True, 'hi')
    """
    WORK.mkdir(parents=True, exist_ok=True)
    out_path = stdout or Path(tempfile.mkstemp(dir=WORK, prefix="stdout-", suffix=".txt")[1])
    err_path = Path(tempfile.mkstemp(dir=WORK, prefix="stderr-", suffix=".txt")[1])
    try:
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            busy = _busy_cpu_s()
            started = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT,
                                    env=env or child_env())
            deadline = started + timeout
            while True:  # os.wait4 gives this child's own rusage (peak RSS of it and what it waited for)
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    pid, status, usage = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.002)
            wall = time.perf_counter() - started
            busy_after = _busy_cpu_s()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            tail = err_path.read_text(encoding="utf-8", errors="replace")[-1500:]
            raise ChildFailed(f"{name}: exit {proc.returncode}: {' '.join(map(str, cmd))}\n{tail}")
        lines = [ln for ln in out_path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
        cpu = usage.ru_utime + usage.ru_stime
        others = max(busy_after - busy - cpu, 0.0) if busy is not None and busy_after is not None else None
        return {"wall_s": wall, "cpu_s": cpu, "others_cpu_s": others, "peak_mib": usage.ru_maxrss / 1024,
                "last_line": lines[-1] if lines else ""}
    finally:
        err_path.unlink(missing_ok=True)
        if stdout is None:
            out_path.unlink(missing_ok=True)


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("casplan")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "casplan.cli"]


def _papermill() -> list[str]:
    exe = Path(sys.executable).with_name("papermill")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "papermill"]


def _inputs(folder: Path) -> list[str]:
    return [str(folder / "plans.xlsx"), "--history", str(folder / "history.xlsx"), "--roster",
            str(folder / "roster.xlsx"), "--reviews", str(folder / "reviews.csv"), "--policy",
            str(folder / "policy.yaml")]


def step_command(step: str, folder: Path) -> list[str]:
    if step == "end-to-end":
        return [*_cli(), "select", *_inputs(folder), "--json"]
    return [sys.executable, str(STEPS_PY), step, str(folder)]


def run_step(step: str, folder: Path) -> dict:
    if step != "end-to-end":
        r = measure(step_command(step, folder), name=step)
        r["output"] = json.loads(r.pop("last_line"))
        return r
    out = WORK / f"select-{os.getpid()}.json"
    try:
        r = measure(step_command(step, folder), name=step, stdout=out)
        data = json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)
    r.pop("last_line")
    r["output"] = {"rows": data["intake"]["rows_read"], "status": data["status"],
                   "chosen": sum(1 for d in data["decisions"] if d["chosen"]), "decisions": len(data["decisions"])}
    return r


def summarise(samples: list[dict]) -> dict:
    walls = [s["wall_s"] for s in samples]
    ncpu = os.cpu_count() or 1
    others = [s["others_cpu_s"] / (s["wall_s"] * ncpu) for s in samples if s.get("others_cpu_s") is not None]
    out = {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls), "runs": len(walls),
           "wall_s": walls, "cpu_median_s": statistics.median(s["cpu_s"] for s in samples),
           "others_share": statistics.median(others) if others else None,
           "peak_mib": max(s["peak_mib"] for s in samples), "output": samples[-1]["output"]}
    stages = [s["output"].get("stages") for s in samples if s["output"].get("stages")]
    if stages:
        out["stages_s"] = {k: statistics.median(st[k] for st in stages) for k in stages[0]}
        out["output"] = {k: v for k, v in out["output"].items() if k != "stages"}
    return out


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default).

    >>> _percentile([1.0, 2.0, 3.0, 4.0], 50), _percentile([10.0, 20.0], 95)
    (2.5, 19.5)
    """
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# --- the what-if and the report --------------------------------------------------------------------

def run_whatif(folder: Path, *, changes: int, seed: int) -> dict:
    r = measure([sys.executable, str(STEPS_PY), "whatif", str(folder), "--changes", str(changes),
                 "--seed", str(seed)], name="whatif")
    data = json.loads(r["last_line"])
    lat = data["latencies_ms"]
    solve = data.get("solve_ms") or lat
    return {"p50_ms": _percentile(lat, 50), "p95_ms": _percentile(lat, 95), "max_ms": max(lat),
            "solve_p50_ms": _percentile(solve, 50), "solve_p95_ms": _percentile(solve, 95),
            "mean_ms": statistics.fmean(lat), "changes": len(lat), "latencies_ms": lat,
            "statuses": data["statuses"], "moved": data["moved"], "pairs": data["pairs"], "chosen": data["chosen"],
            "precompute_s": data["stages"]["precompute"], "run_year_s": data["stages"]["run_year"],
            "process_wall_s": r["wall_s"], "peak_mib": r["peak_mib"],
            "others_share": (r["others_cpu_s"] / (r["wall_s"] * (os.cpu_count() or 1))
                             if r["others_cpu_s"] is not None else None)}


def _empty_notebook(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def _cell_timings(notebook: Path, top: int = 6) -> list[dict]:
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    cells = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        d = (c.metadata.get("papermill") or {}).get("duration") or 0.0
        code = [ln.strip() for ln in c.source.splitlines()
                if ln.strip() and not ln.lstrip().startswith(("#", "import ", "from "))]
        label = "; ".join(code[:2]) or c.source.strip().splitlines()[0] if c.source.strip() else ""
        cells.append({"cell": i, "duration_s": round(float(d), 3), "source": label[:100]})
    return sorted(cells, key=lambda c: -c["duration_s"])[:top]


def _cells_total(notebook: Path) -> float:
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    return sum(float((c.metadata.get("papermill") or {}).get("duration") or 0.0) for c in nb.cells)


def run_report(*, runs: int, draws: int | None) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    empty = _empty_notebook(WORK / "empty.ipynb")
    bare, rendered, timings, cells, cells_total = [], [], [], [], []
    for k in range(runs):
        bare.append(measure([*_papermill(), str(empty), str(WORK / "empty-out.ipynb"), "-k", "python3",
                             "--no-progress-bar"], name="bare papermill"))
        out_root = Path(tempfile.mkdtemp(dir=WORK, prefix="report-"))
        try:
            cmd = [*_cli(), "report", "--params", str(SAMPLE_PARAMS), "--out", str(out_root)]
            if draws is not None:
                cmd += ["--robustness-draws", str(draws)]
            rendered.append(measure(cmd, name="report"))
            run_dir = next(p for p in (out_root / "2023").iterdir() if p.is_dir() and not p.is_symlink())
            manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
            timings.append(manifest["timings"])
            cells = _cell_timings(run_dir / "report.ipynb")
            cells_total.append(_cells_total(run_dir / "report.ipynb"))
        finally:
            shutil.rmtree(out_root, ignore_errors=True)
    (WORK / "empty-out.ipynb").unlink(missing_ok=True)
    for r in bare + rendered:
        r.pop("last_line", None)
        r["output"] = {}
    rep, base = summarise(rendered), summarise(bare)
    return {"report": rep, "bare_papermill": base, "over_bare_s": rep["median_s"] - base["median_s"],
            "robustness_draws": draws if draws is not None else "default",
            "manifest_timings_s": {k: statistics.median(t[k] for t in timings) for k in timings[0]},
            "cells_total_s": statistics.median(cells_total), "slowest_cells": cells}


# --- profiles of missed targets --------------------------------------------------------------------

def _area(filename: str) -> str:
    """Where a profiled function lives: ``casplan.<module>``, a package, or the import machinery.

    >>> _area("/x/casplan/scoring.py"), _area("/v/site-packages/polars/frame.py"), _area("<frozen importlib._bootstrap>")
    ('casplan.scoring', 'polars', 'import machinery')
    """
    f = filename.replace("\\", "/")
    if "importlib" in f or f.startswith("<frozen"):
        return "import machinery"
    if "/casplan/" in f:
        return "casplan." + f.rsplit("/casplan/", 1)[1].removesuffix(".py").replace("/", ".")
    if "site-packages/" in f:
        return f.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if f == "~":
        return "builtins"
    return "python stdlib"


def profile_summary(prof: Path, *, top: int = 12) -> dict:
    """Own time by area (builtins charged to their callers) and the casplan functions by cumulative time."""
    st = pstats.Stats(str(prof))
    stats = st.stats  # type: ignore[attr-defined]
    total = st.total_tt  # type: ignore[attr-defined]
    areas: dict[str, float] = {}
    for (file, _line, _fn), (_cc, _nc, tt, _ct, callers) in stats.items():
        if file == "~" and callers:  # a builtin (sum, a Rust method …): charge each caller's share
            for (cfile, _l, _f), (_c1, _c2, ctt, _cct) in callers.items():
                areas[_area(cfile)] = areas.get(_area(cfile), 0.0) + ctt
        else:
            areas[_area(file)] = areas.get(_area(file), 0.0) + tt
    funcs = []
    for (file, line, fn), (_cc, nc, tt, ct, _callers) in stats.items():
        if "/casplan/" in file.replace("\\", "/") and ct < 0.8 * total and fn != "<module>":
            funcs.append({"function": f"casplan/{file.replace(chr(92), '/').rsplit('/casplan/', 1)[1]}:{line} {fn}",
                          "calls": nc, "cumulative_s": round(ct, 3), "own_s": round(tt, 3),
                          "share": round(ct / total, 3)})
    funcs.sort(key=lambda f: -f["cumulative_s"])
    by_area = sorted(areas.items(), key=lambda kv: -kv[1])[:10]
    return {"profiled_s": round(total, 2),
            "own_time_by_area": [{"area": a, "s": round(s, 2), "share": round(s / total, 3)} for a, s in by_area],
            "casplan_functions": funcs[:top]}


def import_times(top: int = 8) -> dict:
    """``-X importtime`` of what ``casplan select`` imports: self time summed per top-level package."""
    code = ("import inspect, casplan.cli as c\n"
            "c.build_parser(**({'only': 'select'} if 'only' in inspect.signature(c.build_parser).parameters else {}))\n"
            "import casplan.pipeline, casplan.selection, casplan.intake, casplan.eligibility, casplan.scoring, "
            "casplan.directions")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True, env=child_env())
    per: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.split(":", 1)[1].split("|", 2)
        pkg = name.strip().split(".")[0]
        per[pkg] = per.get(pkg, 0.0) + int(self_us) / 1e6
    total = sum(per.values())
    return {"total_s": round(total, 3),
            "by_package": [{"package": p, "s": round(s, 3)} for p, s in sorted(per.items(), key=lambda kv: -kv[1])[:top]]}


def profile_process(cmd_tail: list[str], *, name: str) -> dict:
    prof = WORK / f"{name}.prof"
    out = WORK / f"{name}.out"
    try:
        measure([sys.executable, "-m", "cProfile", "-o", str(prof), *cmd_tail], name=f"profile {name}", stdout=out)
        return profile_summary(prof)
    finally:
        prof.unlink(missing_ok=True)
        out.unlink(missing_ok=True)


def profile_e2e(folder: Path) -> dict:
    return profile_process(["-m", "casplan.cli", "select", *_inputs(folder), "--json"], name="e2e")


def profile_whatif(folder: Path, *, changes: int, seed: int) -> dict:
    prof = WORK / "whatif.prof"
    try:
        measure([sys.executable, str(STEPS_PY), "whatif", str(folder), "--changes", str(changes), "--seed", str(seed),
                 "--profile", str(prof)], name="profile whatif")
        return profile_summary(prof)
    finally:
        prof.unlink(missing_ok=True)


# --- the run ------------------------------------------------------------------------------------

def machine() -> dict:
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": sys.version.split()[0]}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in cpu.splitlines() if ln.startswith("model name")), "?")
        mem = Path("/proc/meminfo").read_text()
        kb = int(next(ln.split()[1] for ln in mem.splitlines() if ln.startswith("MemTotal")))
        info["memory_gib"] = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    try:
        os_release = Path("/etc/os-release").read_text()
        info["os"] = next(ln.split("=", 1)[1].strip('"') for ln in os_release.splitlines() if ln.startswith("PRETTY_NAME"))
    except (OSError, StopIteration):
        pass
    return info


def source_digest() -> str:
    """A hash of every file under casplan/ and notebooks/ (to see whether the code changed during the run)."""
    import hashlib

    digest = hashlib.sha256()
    for folder in ("casplan", "notebooks"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def source_state() -> dict:
    """The commit measured and whether casplan/ had uncommitted changes (read-only git)."""
    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    changed = [ln for ln in git("status", "--porcelain", "--", "casplan", "notebooks").splitlines() if ln.strip()]
    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown", "uncommitted_files": len(changed)}


def versions() -> dict:
    from casplan.report import package_versions

    out = package_versions(("casplan", "polars", "fastexcel", "pandas", "pandera", "numpy", "scipy", "highspy",
                            "papermill", "nbclient", "ipykernel", "xlsxwriter"))
    out["highs"] = (f"highspy {out.get('highspy')} (the MILPs, the kept LP and the certificate LP); scipy "
                    f"{out['scipy']}'s own HiGHS only for the diagnosis of a year without a selection")
    return out


def check_targets(res: dict) -> list[dict]:
    scales = res["scales"]
    out = []

    def add(key: str, measured: float | None, limit: float, unit: str, detail: str) -> None:
        out.append({"id": key, "target": TARGETS[key], "measured": measured, "limit": limit, "unit": unit,
                    "met": None if measured is None else measured <= limit, "detail": detail})

    if "1" in scales:
        s = scales["1"]["steps"]
        ratio = s["end-to-end"]["median_s"] / s["floor"]["median_s"]
        add("e2e_1x", round(ratio, 2), 1.5, "× floor",
            f"end-to-end {s['end-to-end']['median_s']:.2f} s / floor {s['floor']['median_s']:.2f} s")
        if "whatif" in scales["1"]:
            w = scales["1"]["whatif"]
            add("whatif_1x", round(w["p95_ms"], 1), 50, "ms", f"p50 {w['p50_ms']:.1f} ms over {w['changes']} moves")
    if "10" in scales and "whatif" in scales["10"]:
        w = scales["10"]["whatif"]
        add("whatif_10x", round(w["p95_ms"], 1), 100, "ms", f"p50 {w['p50_ms']:.1f} ms over {w['changes']} moves")
    if res.get("report"):
        r = res["report"]
        add("report", round(r["over_bare_s"], 2), 5, "s over bare",
            f"report {r['report']['median_s']:.1f} s, bare papermill {r['bare_papermill']['median_s']:.1f} s")
    if "100" in scales:
        e = scales["100"]["steps"]["end-to-end"]
        add("e2e_100x_time", round(e["median_s"], 1), 30, "s", f"min {e['min_s']:.1f} s, max {e['max_s']:.1f} s")
        add("e2e_100x_memory", round(e["peak_mib"]), 2048, "MiB",
            f"{e['peak_mib'] * 1024 * 1024 / 1e9:.2f} GB (10⁹ bytes)")
    return out


def profile_missed(res: dict, folders: dict[str, Path], *, changes: int, seed: int) -> None:
    done: dict[str, dict] = {}
    for t in res["targets"]:
        if t["met"] is not False:
            continue
        log(f"profiling missed target: {t['target']}")
        if t["id"] == "e2e_1x":
            t["profile"] = {"cprofile": profile_e2e(folders["1"]), "imports": import_times(),
                            "stages_s": res["scales"]["1"]["steps"]["selection"].get("stages_s")}
        elif t["id"] in ("e2e_100x_time", "e2e_100x_memory"):
            if "e2e_100x" not in done:
                done["e2e_100x"] = {"cprofile": profile_e2e(folders["100"]),
                                    "stages_s": res["scales"]["100"]["steps"]["selection"].get("stages_s"),
                                    "peak_after_stage_mib": res["scales"]["100"]["steps"]["selection"]["output"]
                                    .get("peak_after_stage_mib")}
                t["profile"] = done["e2e_100x"]
            else:
                t["profile"] = {"see": "e2e_100x_time"}
        elif t["id"] in ("whatif_1x", "whatif_10x"):
            scale = "1" if t["id"] == "whatif_1x" else "10"
            t["profile"] = {"cprofile": profile_whatif(folders[scale], changes=changes, seed=seed)}
        elif t["id"] == "report":
            r = res["report"]
            part = measure([sys.executable, str(STEPS_PY), "report-data", str(folders["1"])], name="report-data")
            t["profile"] = {"manifest_timings_s": r["manifest_timings_s"], "slowest_cells": r["slowest_cells"],
                            "cells_total_s": r["cells_total_s"], "bare_papermill_s": r["bare_papermill"]["median_s"],
                            "first_cell_parts_s": json.loads(part["last_line"])["stages"]}


def run(args: argparse.Namespace) -> dict:
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    changes = args.changes or (10 if args.quick else 50)
    started = time.perf_counter()
    res: dict = {"generated": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
                 "versions": versions(), "quick": bool(args.quick), "seed": args.seed, "scales": {}}
    digest = source_digest()
    folders: dict[str, Path] = {}
    for s in scales:
        log(f"year ×{s}: generating or reading the cache …")
        folders[str(s)] = scaled_year(s, seed=args.seed, root=args.years)
    # warm-up (not measured): byte-compile the package, bring the smallest files into the page cache
    subprocess.run([sys.executable, "-c", "import casplan.cli as c; c.build_parser(); import casplan.pipeline, "
                    "casplan.whatif, casplan.report, casplan.views.charts, casplan.views.tables"], check=True, cwd=ROOT,
                   env=child_env())
    measure(step_command("floor", folders[str(scales[0])]), name="warm-up")
    for s in scales:
        folder = folders[str(s)]
        info = year_info(folder)
        runs = args.runs or (1 if args.quick else 5 if s <= 10 else 3)
        files = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.suffix in (".xlsx", ".csv")}
        entry: dict = {"data": {k: v for k, v in info.items() if k != "key"}, "file_bytes": files, "runs": runs,
                       "steps": {}}
        samples: dict[str, list[dict]] = {step: [] for step in CHAIN}
        for r in range(runs):
            order = CHAIN[r % len(CHAIN):] + CHAIN[:r % len(CHAIN)]
            for step in order:
                m = run_step(step, folder)
                samples[step].append(m)
                log(f"  ×{s} run {r + 1}/{runs} {step:12s} {m['wall_s']:7.2f} s {m['peak_mib']:7.0f} MiB")
        floor = statistics.median(x["wall_s"] for x in samples["floor"])
        for step in CHAIN:
            entry["steps"][step] = summarise(samples[step])
            entry["steps"][step]["ratio_to_floor"] = entry["steps"][step]["median_s"] / floor
        if s in args.whatif_scales and not args.no_whatif:
            log(f"  ×{s} what-if: {changes} moves …")
            entry["whatif"] = run_whatif(folder, changes=changes, seed=args.seed)
            log(f"  ×{s} what-if p50 {entry['whatif']['p50_ms']:.1f} ms p95 {entry['whatif']['p95_ms']:.1f} ms")
        res["scales"][str(s)] = entry
    if 1 in scales and not args.no_report:
        log("report vs bare papermill …")
        res["report"] = run_report(runs=args.report_runs or (1 if args.quick else 3),
                                   draws=20 if args.quick else None)
    res["targets"] = check_targets(res)
    if not args.quick and not args.no_profile:
        profile_missed(res, folders, changes=changes, seed=args.seed)
    res["elapsed_s"] = round(time.perf_counter() - started, 1)
    res["command"] = " ".join(["benchmarks/run.py", *args.argv])
    res["source"] = {**source_state(), "digest": digest, "changed_during_run": source_digest() != digest}
    return res


# --- the markdown ---------------------------------------------------------------------------------------

def _s(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def markdown(res: dict) -> str:
    m, v = res["machine"], res["versions"]
    lines = ["# Benchmarks", "",
             f"Written by `make bench` (`{res['command']}`) on {res['generated']}; do not edit by hand — "
             f"run it again. The same figures are in `{res.get('json', 'benchmarks/results.json')}`. The whole run took "
             f"{res['elapsed_s'] / 60:.1f} min.", ""]
    shares = [x["others_share"] for e in res["scales"].values() for x in e["steps"].values()
              if x.get("others_share") is not None]
    if shares and statistics.median(shares) > 0.1:
        lines += [f"**The machine was shared**: other processes kept a median {statistics.median(shares):.0%} "
                  f"(max {max(shares):.0%}) of its {m['nproc']} cores busy while the steps ran (column “others' "
                  "load”); wall times are inflated by it, CPU times much less.", ""]
    if res["source"].get("changed_during_run"):
        lines += ["**The code under casplan/ or notebooks/ changed while the benchmark ran**: the figures mix "
                  "two versions; run it again.", ""]
    if res["quick"]:
        lines += ["**Quick run** (`--quick`: one run per step, few what-if moves, 20 robustness draws in the "
                  "report, no profiles): a smoke test of the runner, not a measurement.", ""]
    lines += ["## Machine and versions", "",
              f"- Machine: {m.get('cpu', '?')}, {m['nproc']} cores, {m.get('memory_gib', '?')} GiB memory; "
              f"{m.get('os', '')} ({m['platform']})",
              f"- Code: commit {res['source']['commit']}"
              + (f", with {res['source']['uncommitted_files']} uncommitted file(s) under casplan/ and notebooks/"
                 if res["source"]["uncommitted_files"] else "") + " (what was measured)",
              "- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if k != "highs") + f"; HiGHS {v['highs']}",
              "", "## Method", "",
              "The years are `benchmarks/scale.py` copies of the seeded sample year (seed "
              f"{res['seed']}): N groups of units, each group a copy of the sample's roster, history, plans and expert "
              "reviews with its own unit names (suffix （第k组）) and 计划ID, and the policy's quotas, tolerances and "
              "budget ×N. Every step is a whole fresh Python process (interpreter start, imports, work, exit), run "
              "by `benchmarks/run.py` (with bytecode caching on, after one untimed warm-up); the steps alternate "
              "run by run. Wall time is measured by the runner around "
              "the process; peak memory is the process's `ru_maxrss` from `os.wait4` (for the report: the largest "
              "single process of its tree, i.e. the kernel, papermill or Chromium). The floor is a process that "
              "only imports polars and reads the same four files (`pl.read_excel` of plans, history, roster; "
              "`pl.read_csv` of the reviews). intake → selection are cumulative: each runs the chain up to that "
              "step (`benchmarks/steps.py`), so the difference between two rows is the step's cost. "
              "End-to-end is `casplan select PLANS --history --roster --reviews --policy --json` (stdout to a file).",
              "",
              "The what-if is one process per scale: the chain, `WhatIf(year)`, then a seeded sequence of moves "
              "an analyst makes in the panel (a quota ±1..3 within the notice's 左右 range, a criterion weight ±5, "
              "the budget ±5/10 %, U1 or U2 switched, an application forced in or out, back to the baseline), each "
              "a move as the panel makes it — `WhatIf.evaluate(scenario, hint=previous selection, full=False)` "
              "(no trade-off re-solves, decisions only for the ids the diff can ask about) and `WhatIf.diff` "
              "against the baseline with its reasons — timed together; p50/p95 are over the moves "
              "(the solve columns: the evaluate part alone). The browser adds its round trip "
              "(`tests/test_browser_whatif.py` records it).",
              "",
              "The report is `casplan report --params data/samples/2023/report-params.yaml` (the 1× sample, "
              "robustness draws at the default 500; papermill → HTML → PDF by Chromium → xlsx) against "
              "`papermill empty.ipynb out.ipynb -k python3` of a notebook whose only cell is `pass` — the same "
              "kernel, both fresh processes, alternating. Chromium's renderer and GPU helpers are forked from its "
              "zygote and not waited for by the report process: their CPU time shows under “others' load” and their "
              "memory is not in the report's peak.", ""]
    lines += ["## Data", "", "| scale | plan rows | applications | units | history rows | review rows | plans.xlsx | runs |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s, e in res["scales"].items():
        d = e["data"]
        lines.append(f"| {s}× | {d['plan_rows']:,} | {d['applications']:,} | {d['units']:,} | {d['history_rows']:,} | "
                     f"{d['review_rows']:,} | {e['file_bytes'].get('plans.xlsx', 0) / 1e6:.1f} MB | {e['runs']} |")
    lines += ["", "## The chain, step by step", "",
              "Median wall time of the whole process (min–max over the runs), its median CPU time (user + system, "
              "all threads), peak resident memory, the ratio of the median to the floor's median at the same scale, "
              "and how busy the rest of the machine was meanwhile (CPU time of other processes over wall × cores, "
              "median; from `/proc/stat`).", "",
              "| step | scale | median s | min–max s | CPU s | peak MiB | × floor | others' load |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for step in CHAIN:
        for s, e in res["scales"].items():
            x = e["steps"][step]
            other = "–" if x.get("others_share") is None else f"{x['others_share']:.0%}"
            lines.append(f"| {step} | {s}× | {_s(x['median_s'])} | {_s(x['min_s'])}–{_s(x['max_s'])} | "
                         f"{_s(x['cpu_median_s'])} | {x['peak_mib']:.0f} | {x['ratio_to_floor']:.2f} | {other} |")
    lines += ["", "Where the time goes inside the selection process (median seconds per stage; `import` is "
              "importing the package), and the growth from one scale to the next (×10 data):", "",
              "| stage | " + " | ".join(f"{s}×" for s in res["scales"]) + " | growth |",
              "|---|" + "---:|" * len(res["scales"]) + "---|"]
    for stage in STAGES:
        vals = [e["steps"]["selection"].get("stages_s", {}).get(stage) for e in res["scales"].values()]
        growth = " → ".join(f"×{b / a:.0f}" if a and b and a > 0 else "–" for a, b in zip(vals, vals[1:]))
        lines.append(f"| {stage} | " + " | ".join(_s(x) if x is not None else "–" for x in vals) + f" | {growth or '–'} |")
    lines.append("")
    wi = {s: e["whatif"] for s, e in res["scales"].items() if "whatif" in e}
    if wi:
        lines += ["## What-if moves", "",
                  "| scale | moves | p50 ms | p95 ms | max ms | solve p50 ms | solve p95 ms | pairs | precompute s | "
                  "statuses | peak MiB | others' load |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
        for s, w in wi.items():
            st = ", ".join(f"{k} {n}" for k, n in sorted(w["statuses"].items()))
            other = "–" if w.get("others_share") is None else f"{w['others_share']:.0%}"
            solve = (f"{w['solve_p50_ms']:.1f} | {w['solve_p95_ms']:.1f}" if "solve_p50_ms" in w else "– | –")
            lines.append(f"| {s}× | {w['changes']} | {w['p50_ms']:.1f} | {w['p95_ms']:.1f} | {w['max_ms']:.1f} | "
                         f"{solve} | {w['pairs']:,} | {w['precompute_s']:.2f} | {st} | {w['peak_mib']:.0f} | {other} |")
        lines.append("")
    if res.get("report"):
        r = res["report"]
        t = r["manifest_timings_s"]
        lines += ["## Report", "",
                  "| process | median s | min–max s | CPU s | peak MiB | others' load |", "|---|---:|---:|---:|---:|---:|"]
        for label, x in (("bare papermill (empty notebook)", r["bare_papermill"]), ("casplan report", r["report"])):
            other = "–" if x.get("others_share") is None else f"{x['others_share']:.0%}"
            lines.append(f"| {label} | {_s(x['median_s'])} | {_s(x['min_s'])}–{_s(x['max_s'])} | "
                         f"{_s(x['cpu_median_s'])} | {x['peak_mib']:.0f} | {other} |")
        lines += ["",
                  f"The report's own manifest (median): papermill {t.get('papermill_s', 0):.1f} s, HTML "
                  f"{t.get('html_s', 0):.1f} s, PDF {t.get('pdf_s', 0):.1f} s (what is left to print once the report's HTML "
                  "exists: the letters, the annex and the 公示 list print while the notebook's last cells run), total "
                  f"{t.get('total_s', 0):.1f} s "
                  f"(robustness draws: {r['robustness_draws']}).", ""]
    lines += ["## Targets", "", "| target | measured | limit | result | detail |", "|---|---:|---:|---|---|"]
    for t in res["targets"]:
        verdict = "—" if t["met"] is None else "met" if t["met"] else "**missed**"
        lines.append(f"| {t['target']} | {t['measured']} {t['unit']} | {t['limit']} {t['unit']} | {verdict} | "
                     f"{t['detail']} |")
    missed = [t for t in res["targets"] if t["met"] is False and t.get("profile")]
    if missed:
        lines += ["", "## Profiles of the missed targets", "",
                  "cProfile slows Python code more than native code, so read its figures as shares, not as "
                  "seconds. Builtins (`sum`, polars' and fastexcel's native methods) are charged to the "
                  "function that called them.", ""]
    for t in missed:
        p = t["profile"]
        lines += [f"### {t['target']}", ""]
        if "see" in p:
            lines += [f"Same process as “{TARGETS[p['see']]}” above.", ""]
            continue
        if p.get("stages_s"):
            lines.append("Stages of the selection process (median s): "
                         + ", ".join(f"{k} {val:.2f}" for k, val in p["stages_s"].items()) + ".")
        if p.get("peak_after_stage_mib"):
            lines.append("Peak resident memory after each stage (MiB): "
                         + ", ".join(f"{k} {val:.0f}" for k, val in p["peak_after_stage_mib"].items()) + ".")
        if p.get("imports"):
            im = p["imports"]
            lines.append(f"Importing what `casplan select` needs: {im['total_s']:.2f} s (`-X importtime`, self time "
                         "by package: " + ", ".join(f"{x['package']} {x['s']:.2f}" for x in im["by_package"]) + ").")
        if p.get("cprofile"):
            cp = p["cprofile"]
            lines += ["", f"cProfile of the process ({cp['profiled_s']:.1f} s profiled). Own time by area: "
                      + ", ".join(f"{a['area']} {a['share']:.0%}" for a in cp["own_time_by_area"]) + ".", "",
                      "| casplan function | calls | cumulative s | share | own s |", "|---|---:|---:|---:|---:|"]
            for f in cp["casplan_functions"]:
                lines.append(f"| `{f['function']}` | {f['calls']:,} | {f['cumulative_s']:.2f} | {f['share']:.0%} | "
                             f"{f['own_s']:.2f} |")
        if p.get("manifest_timings_s"):
            mt = p["manifest_timings_s"]
            lines.append(f"The report's parts (median s): papermill {mt.get('papermill_s', 0):.1f}, of which the "
                         f"cells {p['cells_total_s']:.1f} (bare papermill of an empty notebook, whole process: "
                         f"{p['bare_papermill_s']:.1f}); HTML {mt.get('html_s', 0):.1f}; PDF by Chromium, left after the HTML "
                         f"{mt.get('pdf_s', 0):.1f}. The first cell's work timed alone in a plain process (s): "
                         + ", ".join(f"{k} {val:.2f}" for k, val in p["first_cell_parts_s"].items())
                         + ". Slowest notebook cells (last run):")
            lines += ["", "| cell | s | first line |", "|---:|---:|---|"]
            for c in p["slowest_cells"]:
                lines.append(f"| {c['cell']} | {c['duration_s']:.2f} | `{c['source'].replace('|', '∣')}` |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description="Benchmark the whole chain and write BENCHMARKS.md and a JSON file.")
    ap.add_argument("--scales", default="1,10,100", help="comma-separated scales (default 1,10,100)")
    ap.add_argument("--runs", type=int, help="runs per step (default 5 at 1× and 10×, 3 at 100×; 1 with --quick)")
    ap.add_argument("--changes", type=int, help="what-if moves (default 50; 10 with --quick)")
    ap.add_argument("--whatif-scales", default="1,10", help="scales of the what-if (default 1,10)")
    ap.add_argument("--report-runs", type=int, help="runs of the report and of bare papermill (default 3)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--years", type=Path, default=OUT, help="cache of generated years (default benchmarks/out/years)")
    ap.add_argument("--out-md", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--out-json", type=Path, default=ROOT / "benchmarks" / "results.json")
    ap.add_argument("--quick", action="store_true", help="smoke run: one run, few moves, no profiles")
    ap.add_argument("--no-whatif", action="store_true")
    ap.add_argument("--no-report", action="store_true")
    ap.add_argument("--no-profile", action="store_true", help="do not profile missed targets")
    ap.add_argument("--render-only", action="store_true",
                    help="measure nothing: write --out-md again from the figures in --out-json")
    args = ap.parse_args(argv)
    if args.render_only:
        res = json.loads(args.out_json.read_text(encoding="utf-8"))
        args.out_md.write_text(markdown(res), encoding="utf-8")
        log(f"wrote {args.out_md} from {args.out_json}")
        return 0
    args.argv = argv
    args.whatif_scales = {int(s) for s in args.whatif_scales.split(",") if s.strip()}
    res = run(args)
    try:
        res["json"] = args.out_json.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        res["json"] = str(args.out_json)
    args.out_json.parent.mkdir(parents=True, exist_ok=True)
    args.out_json.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    args.out_md.parent.mkdir(parents=True, exist_ok=True)
    args.out_md.write_text(markdown(res), encoding="utf-8")
    log(f"wrote {args.out_md} and {args.out_json} ({res['elapsed_s']:.0f} s)")
    for t in res["targets"]:
        log(f"  {'met   ' if t['met'] else 'MISSED'} {t['target']}: {t['measured']} {t['unit']} (limit {t['limit']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
