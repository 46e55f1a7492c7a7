"""Run the hostile-input corpus (tests/data/hostile, written by a helper who attacked the tool from its docs).

The corpus is generated into a fresh folder by its own script (``make_hostile.py``) and every case is run
through the real ``casplan`` command, as ``EXPECTED.yaml`` says: setup lines, the command under a wall-clock
budget, peak memory measured (RSS of the command, via ``/usr/bin/time``), the ``after`` lines.

    .venv/bin/python tests/hostile.py [CASE …]      # prints one line per case, and the failures in full

What is checked automatically for every case: the exit code (``refused``: 2, report entries 1 or 2;
``decided``: the entry's ``exit``, default 0), no Python traceback, the time and memory limits, the
``after`` lines, and for ``refused`` that stderr names the file. Decision texts (``decision``/``must``)
are read by a person; the decisions that change who gets money have their own assertions in
``tests/test_hostile.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "data" / "hostile"
CASPLAN = ROOT / ".venv" / "bin" / "casplan"
TIME = "/usr/bin/time"


@dataclass
class Outcome:
    case: str
    code: int | None
    seconds: float
    peak_gb: float | None
    stdout: str
    stderr: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@lru_cache(maxsize=1)
def corpus() -> Path:
    """The corpus, generated once per process into a temporary folder (5 s, about 270 MB)."""
    out = Path(tempfile.mkdtemp(prefix="casplan-hostile-"))
    subprocess.run([sys.executable, str(HOSTILE / "make_hostile.py"), "--out", str(out)], check=True,
                   capture_output=True, timeout=600)
    return out


def cases() -> list[dict]:
    return yaml.safe_load((HOSTILE / "EXPECTED.yaml").read_text(encoding="utf-8"))


def _sub(text: str, entry: dict, tmp: Path) -> str:
    return text.replace("{file}", entry.get("file", "")).replace("{tmp}", str(tmp))


def run_case(entry: dict, *, where: Path | None = None) -> Outcome:
    where = where or corpus()
    tmp = Path(tempfile.mkdtemp(prefix="case-"))
    env = {**os.environ, "PATH": f"{CASPLAN.parent}:{os.environ.get('PATH', '')}"}
    env.update({k: _sub(str(v), entry, tmp) for k, v in (entry.get("env") or {}).items()})
    problems: list[str] = []
    try:
        for line in entry.get("setup") or []:
            subprocess.run(_sub(line, entry, tmp), shell=True, cwd=where, env=env, check=True, timeout=120,
                           capture_output=True)
        command = _sub(entry["command"], entry, tmp)
        limits = entry.get("limits") or {}
        seconds = float(limits.get("seconds", 30))
        memory = float(limits.get("memory_gb", 2))
        if command.startswith(("sh -c", "timeout")):
            argv = ["sh", "-c", command]
        else:
            argv = [str(CASPLAN), *shlex.split(command)]
        report = Path(tmp) / "time.txt"
        started = time.monotonic()
        try:
            done = subprocess.run([TIME, "-f", "%M", "-o", str(report), *argv], cwd=where, env=env,
                                  capture_output=True, timeout=seconds + 30, stdin=subprocess.DEVNULL)
            code, out, err = done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as exc:
            code, out, err = None, (exc.stdout or b"").decode("utf-8", "replace"), (exc.stderr or b"").decode("utf-8", "replace")
        elapsed = time.monotonic() - started
        peak = None
        try:
            peak = int(report.read_text().strip().splitlines()[-1]) / 1024 / 1024
        except (OSError, ValueError, IndexError):
            pass
        if code is None:
            problems.append(f"did not finish in {seconds + 30:.0f} s")
        if elapsed > seconds:
            problems.append(f"took {elapsed:.1f} s > {seconds:.0f} s")
        if peak is not None and peak > memory:
            problems.append(f"peak memory {peak:.2f} GB > {memory} GB")
        if "Traceback" in out + err:
            problems.append("Python traceback")
        expect = entry["expect"]
        wanted = entry.get("exit", 2 if expect == "refused" else 0)
        wanted = wanted if isinstance(wanted, list) else [wanted]
        if code is not None and code not in wanted:
            problems.append(f"exit {code}, expected {wanted}")
        if expect == "refused" and code is not None and code != 0:
            name = Path(entry.get("file", "")).name
            last = err.strip().splitlines()[-1] if err.strip() else ""
            if name and name not in err and Path(name).stem not in err:
                problems.append(f"stderr does not name {name}: {last[:200]}")
            if last and not re.search("[\u4e00-\u9fff]", last):
                problems.append(f"last stderr line is not Chinese: {last[:200]}")
        problems += _decision_problems(entry, out)
        for line in entry.get("after") or []:
            check = subprocess.run(_sub(line, entry, tmp), shell=True, cwd=where, env=env, timeout=120,
                                   capture_output=True)
            if check.returncode != 0:
                problems.append(f"after failed: {line[:160]}")
        return Outcome(entry["case"], code, elapsed, peak, out, err, problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_NOT_BOTH = re.compile(r"not both (P\d+) and (P\d+) selected")
_NOT_SELECTED = re.compile(r"^(P\d+)(?: \([^)]*\))? (?:is )?not selected")


def _decision_problems(entry: dict, stdout: str) -> list[str]:
    """The ``must`` lines a program can check: who is (not) selected, on ``select --json`` output."""
    if not entry["command"].startswith("select") or "--json" not in entry["command"]:
        return []
    import json

    try:
        chosen = {r["id"] for r in json.loads(stdout)["selected"]}
    except (ValueError, KeyError, TypeError):
        return [] if entry["expect"] == "refused" else ["select --json output is not JSON"]
    problems = []
    for must in entry.get("must") or []:
        if m := _NOT_BOTH.search(must):
            if {m.group(1), m.group(2)} <= chosen:
                problems.append(f"both {m.group(1)} and {m.group(2)} selected")
        elif m := _NOT_SELECTED.search(must):
            if m.group(1) in chosen:
                problems.append(f"{m.group(1)} selected")
    return problems


def skip(entry: dict) -> str | None:
    if entry.get("skip_if_root") and os.geteuid() == 0:
        return "mode bits do not bind root"
    return None


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failed = []
    for entry in cases():
        if wanted and entry["case"] not in wanted:
            continue
        why = skip(entry)
        if why:
            print(f"SKIP {entry['case']}: {why}")
            continue
        o = run_case(entry)
        mem = f"{o.peak_gb:.2f} GB" if o.peak_gb is not None else "?"
        print(f"{'ok  ' if o.ok else 'FAIL'} {o.case:45s} exit {o.code} {o.seconds:5.1f} s {mem}"
              + ("" if o.ok else "  " + "; ".join(o.problems)), flush=True)
        if not o.ok:
            failed.append(o)
    for o in failed:
        print(f"\n=== {o.case}\n--- stderr\n{o.stderr[-1500:]}\n--- stdout\n{o.stdout[-800:]}")
    print(f"\n{len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
