"""The bad-input corpus (tests/data/bad/): every broken file ends in a clear Chinese message and the right
exit code, never a traceback; every readable row is accounted for; no input is ever written.

Each entry of ``tests/data/bad/EXPECTED.yaml`` is a command line run from the corpus folder (so that
messages name files as the analyst typed them). A fresh process per entry costs ~2.5 s of imports, so the
entries run in a few worker processes (one per core) that import ``casplan.cli`` once and call its
``main(argv)`` exactly as ``python -m casplan.cli`` does (``sys.exit(main())``), with stdout and stderr
captured and an uncaught exception printed as Python prints it. ``test_driver_is_the_real_command``
checks that the worker gives byte-identical output and exit codes to ``python -m casplan.cli`` in its
own process, for a sample of entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

CORPUS = Path(__file__).resolve().parent / "data" / "bad"
EXPECTED = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text(encoding="utf-8"))
ENTRIES: dict[str, dict] = EXPECTED["files"]
COMPANIONS = "good/"
_SCRIPT_FILES = {"make_corpus.py", "EXPECTED.yaml", ".gitattributes"}
_ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1"}

# The worker: runs each job's argv through casplan.cli.main as `python -m casplan.cli` would.
_WORKER = r"""
import contextlib, io, json, sys, traceback
from casplan.cli import main
jobs, results = json.load(open(sys.argv[1], encoding="utf-8")), {}
for name, argv in jobs.items():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if exc.code is not None and not isinstance(exc.code, int):
                print(exc.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
    results[name] = [int(code or 0), out.getvalue(), err.getvalue()]
json.dump(results, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
"""


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def _tree_hashes() -> dict[str, str]:
    """SHA-256 of every file under the corpus folder (new, lost or changed files all show)."""
    return {p.relative_to(CORPUS).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(CORPUS.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def _argv(name: str, entry: dict) -> list[str]:
    return [a.replace("{file}", name) for a in shlex.split(entry["run"])]


def _work(jobs: dict[str, list[str]], scratch: Path) -> dict[str, list]:
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _WORKER, str(scratch / "jobs.json"), str(scratch / "out.json")],
                          cwd=CORPUS, env=_ENV, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((scratch / "out.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> tuple[dict[str, Outcome], dict[str, str], dict[str, str]]:
    """Every entry run once; the hashes of the whole corpus before and after all of them."""
    before = _tree_hashes()
    workers = max(2, os.cpu_count() or 2)
    names = list(ENTRIES)
    shares = [{n: _argv(n, ENTRIES[n]) for n in names[k::workers]} for k in range(workers)]
    scratch = tmp_path_factory.mktemp("corpus")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_work, shares, [scratch / str(k) for k in range(workers)]))
    after = _tree_hashes()
    results = {name: Outcome(*value) for part in parts for name, value in part.items()}
    return results, before, after


@pytest.fixture(scope="module")
def outcomes(corpus_run) -> dict[str, Outcome]:
    return corpus_run[0]


def _counts(out: str) -> tuple[int, int, int] | None:
    """(rows read, accepted, set aside) from ``--json`` output, or from validate's summary line."""
    try:
        data = json.loads(out)
    except ValueError:
        m = re.search(r"读取行数 (\d+)：接收 (\d+)，搁置 (\d+)", out)
        return tuple(int(x) for x in m.groups()) if m else None
    part = data.get("intake", data) if isinstance(data, dict) else {}
    if not {"rows_read", "rows_accepted", "rows_set_aside"} <= set(part):
        return None
    return part["rows_read"], part["rows_accepted"], part["rows_set_aside"]


def _params():
    for name, entry in ENTRIES.items():
        marks = [pytest.mark.xfail(reason=entry["xfail"], strict=True)] if entry.get("xfail") else []
        yield pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("name", list(_params()))
def test_bad_input(name: str, outcomes: dict[str, Outcome]) -> None:
    entry, got = ENTRIES[name], outcomes[name]
    shown = f"$ casplan {' '.join(_argv(name, entry))}\n--- stdout\n{got.stdout[-3000:]}\n--- stderr\n{got.stderr[-3000:]}"
    assert "Traceback" not in got.stdout + got.stderr, shown
    assert got.code == entry["exit"], shown
    assert entry["message"] in got.stdout + got.stderr, shown
    if got.code != 0:  # the reason is told on stderr, as one or more Chinese lines
        assert re.search(r"[\u4e00-\u9fff]", got.stderr), shown
    if "rows" in entry:
        counts = _counts(got.stdout)
        assert counts is not None, shown
        read, accepted, set_aside = counts
        assert read == accepted + set_aside, shown
        assert list(counts) == entry["rows"], shown


def test_no_input_is_written(corpus_run) -> None:
    """After every command of the corpus, every file is byte-identical and nothing was added."""
    _, before, after = corpus_run
    assert after == before


# One entry of each command and outcome: the worker must be indistinguishable from the command itself.
_REAL = ("encrypted.xlsx", "wrong_days.xlsx", "overrides_unknown_rule.yaml", "policy_typo_key.yaml",
         "unknown_category.xlsx")


@pytest.mark.parametrize("name", _REAL)
def test_driver_is_the_real_command(name: str, outcomes: dict[str, Outcome]) -> None:
    proc = subprocess.run([sys.executable, "-m", "casplan.cli", *_argv(name, ENTRIES[name])], cwd=CORPUS, env=_ENV,
                          capture_output=True, text=True, encoding="utf-8", timeout=300, stdin=subprocess.DEVNULL)
    got = outcomes[name]
    assert (proc.returncode, proc.stdout, proc.stderr) == (got.code, got.stdout, got.stderr)


def test_every_corpus_file_has_an_expectation() -> None:
    """Every generated file is named in EXPECTED.yaml (directly or as its folder), and every entry exists."""
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts} - _SCRIPT_FILES
    covered = {f for f in on_disk if f in ENTRIES or f.split("/")[0] in ENTRIES or f.startswith(COMPANIONS)}
    assert on_disk == covered, sorted(on_disk - covered)
    assert all((CORPUS / name).exists() for name in ENTRIES), [n for n in ENTRIES if not (CORPUS / n).exists()]
    bad = [n for n in ENTRIES if not n.startswith(COMPANIONS)]
    assert len(bad) >= 40, len(bad)
    for name, entry in ENTRIES.items():
        assert {"what", "run", "exit", "message"} <= set(entry), name
        assert re.search(r"[\u4e00-\u9fff]", entry["message"]), name


def test_corpus_is_what_the_script_makes(tmp_path: Path) -> None:
    """The committed files are byte-identical to a fresh run of make_corpus.py (deterministic, not edited)."""
    sys.path.insert(0, str(CORPUS))
    try:
        import make_corpus
    finally:
        sys.path.remove(str(CORPUS))
    written = make_corpus.build(tmp_path)
    assert len(written) >= 40
    differ = [rel for rel in written if (CORPUS / rel).read_bytes() != (tmp_path / rel).read_bytes()]
    assert not differ, f"run `.venv/bin/python tests/data/bad/make_corpus.py`: {differ}"
    again = tmp_path / "again"
    make_corpus.build(again)
    assert all((again / rel).read_bytes() == (tmp_path / rel).read_bytes() for rel in written)
