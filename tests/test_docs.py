"""The analysts' guide (docs/) stays true to the code.

- the generated pages (消息目录, 字段表) equal what :mod:`casplan.catalogue` renders, and every
  reason code the code can emit is in the catalogue, with advice;
- every ``.venv/bin/casplan`` line of a ```bash block runs from the repository root and exits as
  the guide says (0, or the code in a trailing ``# 退出码 N``), without a traceback; output paths
  (``--out``) go to a temporary folder; of the ``casplan report`` lines expected to succeed, one
  runs (with ``--robustness-draws 0``), then again with ``--if-changed``; ``make`` lines name a
  Makefile target;
- every image and local link exists; the screenshots are PNGs at most 1280 px wide and 400 KB;
- chapter 7 names every key of the 2023 policy (and every key a track may have);
- the systemd units of chapter 6 pass ``systemd-analyze verify``, and the cron line runs the same
  command as the service.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import polars as pl
import pytest
import yaml

from casplan import catalogue  # noqa: I001

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHAPTERS = sorted(DOCS.glob("*.md"))
CASPLAN = ROOT / ".venv" / "bin" / "casplan"
EXIT_NOTE = re.compile(r"#\s*退出码\s*(\d+)")
FENCE = re.compile(r"^```(\S*)\s*$")


class Command(NamedTuple):
    file: str
    line: int
    text: str
    argv: tuple[str, ...]
    expected: int

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def _blocks(path: Path) -> list[tuple[str, int, list[str]]]:
    """(language, first line number, lines) of every fenced block of a Markdown file."""
    out, lang, start, body = [], None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = FENCE.match(line.strip())
        if m and lang is None:
            lang, start, body = m.group(1), number + 1, []
        elif line.strip() == "```" and lang is not None:
            out.append((lang, start, body))
            lang = None
        elif lang is not None:
            body.append(line)
    assert lang is None, f"{path.name}: a code block is not closed"
    return out


def _commands() -> list[Command]:
    found = []
    for path in CHAPTERS:
        for lang, start, body in _blocks(path):
            if lang != "bash":
                continue
            for k, raw in enumerate(body):
                text = raw.strip()
                if not text.startswith((".venv/bin/casplan", "make ")):
                    continue
                note = EXIT_NOTE.search(text)
                found.append(Command(path.name, start + k, text, tuple(shlex.split(text, comments=True)),
                                     int(note.group(1)) if note else 0))
    return found


COMMANDS = _commands()
RUNNABLE = [c for c in COMMANDS if c.argv[0] == ".venv/bin/casplan"
            and not (c.argv[1] == "report" and c.expected == 0)]
REPORTS = [c for c in COMMANDS if c.argv[0] == ".venv/bin/casplan" and c.argv[1] == "report" and c.expected == 0]
REPORT = next((c for c in REPORTS if "--scenario" in c.argv), REPORTS[0] if REPORTS else None)


def _redirect(argv: tuple[str, ...], tmp: Path) -> list[str]:
    """The command as the guide writes it, with ``--out X`` sent to ``tmp/X``."""
    out = [str(CASPLAN) if CASPLAN.exists() else sys.executable, *([] if CASPLAN.exists() else ["-m", "casplan.cli"])]
    args = list(argv[1:])
    for i, a in enumerate(args):
        if a == "--out" and i + 1 < len(args):
            args[i + 1] = str(tmp / Path(args[i + 1]).name)
    return out + args


def _run(argv: list[str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """Every runnable command of the guide, three at a time; the one report, then again with --if-changed."""
    tmp = tmp_path_factory.mktemp("docs-commands")
    jobs = {}
    for c in RUNNABLE:
        where = tmp / c.id.replace(":", "-").replace(".md", "")
        where.mkdir()
        jobs[c.id] = (_redirect(c.argv, where), 120)

    def report_twice() -> dict[str, subprocess.CompletedProcess]:
        argv = _redirect(REPORT.argv, tmp / "report") + ["--robustness-draws", "0"]
        first = _run(argv, 600)
        return {REPORT.id: first, "if-changed": _run(argv + ["--if-changed"], 300)}

    with ThreadPoolExecutor(max_workers=3) as pool:
        report = pool.submit(report_twice) if REPORT else None
        futures = {k: pool.submit(_run, argv, timeout) for k, (argv, timeout) in jobs.items()}
        done = {k: f.result() for k, f in futures.items()}
        if report:
            done.update(report.result())
    done["_out"] = tmp  # type: ignore[assignment]
    return done


# --- (a) the generated pages ---------------------------------------------------------------------

def test_the_message_catalogue_page_is_current():
    page = (DOCS / "消息目录.md").read_text(encoding="utf-8")
    assert page == catalogue.render_markdown(), \
        "docs/消息目录.md is stale: run `.venv/bin/python -m casplan.catalogue > docs/消息目录.md`"


def test_the_field_page_is_current():
    page = (DOCS / "字段表.md").read_text(encoding="utf-8")
    assert page == catalogue.render_fields_markdown(), \
        "docs/字段表.md is stale: run `.venv/bin/python -m casplan.catalogue fields > docs/字段表.md`"


def test_every_catalogued_code_is_on_the_page_with_its_own_advice():
    page = (DOCS / "消息目录.md").read_text(encoding="utf-8")
    table = catalogue.messages()
    assert table.height == table["code"].n_unique()
    for code, stage, meaning, advice in table.iter_rows():
        assert f"| `{code}` | {meaning.replace('|', chr(92) + '|')} |" in page, code
        assert code in catalogue.ADVICE, f"{code} ({stage}) has no advice of its own in casplan.catalogue.ADVICE"
        assert advice
    from casplan.eligibility import rule_texts
    from casplan.policy import load_policy

    for rule in rule_texts(load_policy()):
        assert f"### {rule} " in page, rule


# Reason codes as the modules write them: a rule id, a dash, capitals (Y1-DAYS, I-NUMBER-RANGE, S-CUTOFF).
_CODE_LITERAL = re.compile(r"[\"'`]((?:I|T|P1|P2|Y1|Y2|Y3|J1|J2|G1|M1|U0|U1|U2|B1|PF|R|S)(?:-[A-Z0-9]+)+)[\"'`]")


def test_every_code_written_in_the_package_is_catalogued():
    """A code literal anywhere in casplan/ (the sample generator's own case labels aside) must be in the catalogue."""
    known = set(catalogue.messages()["code"])
    used: dict[str, str] = {}
    for path in sorted((ROOT / "casplan").rglob("*.py")):
        if path.name in ("sample.py", "catalogue.py"):
            continue
        for code in _CODE_LITERAL.findall(path.read_text(encoding="utf-8")):
            used.setdefault(code, path.name)
    assert len(used) > 40  # the scan sees the codes at all
    missing = {c: f for c, f in used.items() if c not in known}
    assert not missing, f"codes used but not catalogued: {missing}"


def test_every_code_the_sample_year_shows_is_catalogued(samples):
    from casplan.intake import read_plans, read_roster
    from casplan.pipeline import run_year
    from conftest import sample_inputs

    known = set(catalogue.messages()["code"])
    year = run_year(sample_inputs(samples))
    dirty = read_plans(samples / "dirty", roster=read_roster(samples / "roster.xlsx").frame)
    shown = (set(year.eligibility.verdicts["code"]) | set(year.selection.decisions["code"])
             | set(dirty.set_aside["reason"]) | set(dirty.warnings["reason"]))
    assert {"I-NUMBER", "U2-LOW-RATE", "S-CUTOFF", "S-UNIT"} <= shown
    assert shown <= known, sorted(shown - known)


def test_every_column_error_and_status_is_explained():
    from casplan import errors
    from casplan.intake.fields import FIELDS
    from casplan.selection import STATUS_TEXT

    assert set(catalogue.FIELD_USES) == {f.name for f in FIELDS}
    kinds = {n for n in errors.__all__
             if isinstance(getattr(errors, n), type) and issubclass(getattr(errors, n), errors.CasplanError)}
    assert kinds <= set(catalogue.ERROR_ADVICE)
    assert set(STATUS_TEXT) <= set(catalogue.STATUS_ADVICE)


def test_the_catalogue_module_prints_the_pages():
    out = subprocess.run([sys.executable, "-m", "casplan.catalogue"], capture_output=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.decode("utf-8") == catalogue.render_markdown()
    bad = subprocess.run([sys.executable, "-m", "casplan.catalogue", "nonsense"], capture_output=True, timeout=60)
    assert bad.returncode == 2


# --- (b) every command of the guide runs --------------------------------------------------------

def test_the_guide_shows_commands_of_every_kind():
    subcommands = {c.argv[1] for c in COMMANDS if c.argv[0] == ".venv/bin/casplan"}
    assert {"validate", "check", "match", "select", "report", "policy"} <= subcommands
    assert any(c.expected != 0 for c in COMMANDS)
    assert REPORT is not None


@pytest.mark.parametrize("command", RUNNABLE, ids=lambda c: c.id)
def test_a_command_of_the_guide_runs(command: Command, runs):
    result = runs[command.id]
    said = f"{command.text}\n--- stdout\n{result.stdout[-1500:]}\n--- stderr\n{result.stderr[-1500:]}"
    assert result.returncode == command.expected, said
    assert "Traceback" not in result.stdout + result.stderr, said
    assert result.stdout.strip() or result.stderr.strip(), said  # every command says something


@pytest.mark.slow
def test_the_report_command_renders_then_sees_nothing_changed(runs):
    first, again = runs[REPORT.id], runs["if-changed"]
    assert first.returncode == 0 and "Traceback" not in first.stdout + first.stderr, first.stderr[-2000:]
    latest = runs["_out"] / "report" / "reports" / "2023" / "latest"
    assert {"report.html", "report.pdf", "遴选名单.xlsx", "manifest.json"} <= {p.name for p in latest.iterdir()}
    assert again.returncode == 0 and "没有变化" in again.stdout, again.stdout + again.stderr


def test_make_lines_name_makefile_targets():
    targets = set(re.findall(r"^([A-Za-z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    makes = [c for c in COMMANDS if c.argv[0] == "make"]
    assert makes
    for c in makes:
        assert c.argv[1] in targets, c.id


# --- (c) images and links -----------------------------------------------------------------------

_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s#]+)(?:#[^)]*)?\)")


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_every_image_exists_and_is_a_small_png():
    referenced = set()
    for path in CHAPTERS:
        for target in _IMAGE.findall(path.read_text(encoding="utf-8")):
            image = (path.parent / target).resolve()
            assert image.is_file(), f"{path.name}: image {target} is missing (run scripts/screenshots.py)"
            width, height = _png_size(image)
            assert width <= 1280 and image.stat().st_size < 400_000, (target, width, image.stat().st_size)
            referenced.add(image)
    assert len(referenced) >= 5
    unused = {p.name for p in (DOCS / "images").glob("*.png")} - {p.name for p in referenced}
    assert not unused, f"images no page shows: {sorted(unused)}"


def test_every_local_link_exists():
    for path in CHAPTERS:
        for target in _LINK.findall(path.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (path.parent / target).exists(), f"{path.name}: link to {target} is broken"


def test_the_example_files_are_valid():
    from casplan.eligibility.overrides import read_overrides
    from casplan.policy import load_policy
    from casplan.whatif import Scenario

    policy = load_policy()
    scenario = Scenario.load(DOCS / "examples" / "情景示例.yaml", policy=policy)
    assert scenario.quotas["yanxiu"] == 8 and scenario.name == "研修班8个名额"
    overrides = read_overrides(DOCS / "examples" / "人工决定示例.yaml")
    assert all(e.reason and e.author for e in overrides.entries) and len(overrides.entries) == 2


# --- (d) chapter 7 explains every key of the policy ---------------------------------------------

def _policy_keys() -> set[str]:
    from casplan.policy import Track

    raw = yaml.safe_load((ROOT / "casplan" / "policy" / "2023.yaml").read_text(encoding="utf-8"))
    keys = set(raw)
    for section in ("history", "unit_types", "categories", "attachments", "rules", "budget", "platform", "scoring"):
        keys |= set(raw[section])
    for track in raw["tracks"]:
        keys |= set(track)
    keys |= {f.name for f in dataclasses.fields(Track)}  # every key a track may have, used in 2023 or not
    for rule in raw["rules"].values():
        keys |= set(rule)
    for weights in raw["scoring"]["weights"].values():
        keys |= set(weights)
    keys |= set(raw["scoring"]["weights"]) | set(raw["scoring"]["tie_break"])
    return {str(k) for k in keys}


def test_chapter_7_names_every_key_of_the_policy():
    text = (DOCS / "07-新的一年.md").read_text(encoding="utf-8")
    keys = _policy_keys()
    assert {"year", "tracks", "min_days", "fee_caps", "max_per_institute", "direction", "jiangtan"} <= keys
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert not missing, f"07-新的一年.md does not explain: {missing}"


def test_chapter_7_check_commands_use_the_policy_check():
    checks = [c for c in COMMANDS if c.file == "07-新的一年.md" and c.argv[1:3] == ("policy", "check")]
    assert {c.expected for c in checks} == {0, 2}


# --- chapter 6: the scheduled run ----------------------------------------------------------------

def _units() -> dict[str, str]:
    """The ```ini blocks of chapter 6 by the file name written just above each."""
    path = DOCS / "06-出具报告.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    units = {}
    for lang, start, body in _blocks(path):
        if lang != "ini":
            continue
        above = next(line for line in reversed(lines[:start - 2]) if line.strip())
        name = re.search(r"`([\w.-]+\.(?:service|timer))`", above)
        assert name, f"no unit name above the block at line {start}"
        units[name.group(1)] = "\n".join(body) + "\n"
    return units


def test_the_systemd_units_pass_systemd_analyze(tmp_path):
    units = _units()
    assert set(units) == {"casplan-report.service", "casplan-report.timer"}
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    for name, text in units.items():
        (tmp_path / name).write_text(text.replace("/srv/casplan/", f"{ROOT}/").replace("/srv/casplan\n", f"{ROOT}\n"),
                                     encoding="utf-8")
    out = subprocess.run([analyze, "verify", *units], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and not out.stderr.strip(), out.stderr
    # and it does look: a unit whose program is missing fails
    (tmp_path / "casplan-report.service").write_text(units["casplan-report.service"], encoding="utf-8")
    bad = subprocess.run([analyze, "verify", "casplan-report.service"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60)
    if not Path("/srv/casplan/.venv/bin/casplan").exists():
        assert bad.returncode != 0


def test_cron_and_systemd_run_the_same_command():
    text = (DOCS / "06-出具报告.md").read_text(encoding="utf-8")
    cron = [body for lang, _, body in _blocks(DOCS / "06-出具报告.md") if lang == "cron"]
    assert len(cron) == 1 and len(cron[0]) == 1
    fields = cron[0][0].split(None, 5)
    schedule, command = fields[:5], fields[5]
    assert schedule == ["30", "7", "*", "*", "*"] and "OnCalendar=*-*-* 07:30:00" in text
    m = re.fullmatch(r"cd (\S+) && (\.venv/bin/casplan .+?) >> \S+ 2>&1", command)
    assert m, command
    exec_start = re.search(r"^ExecStart=(.+)$", _units()["casplan-report.service"], re.M).group(1)
    assert exec_start == f"{m.group(1)}/{m.group(2)}"
    assert "--if-changed" in exec_start
    assert re.search(r"^WorkingDirectory=(.+)$", _units()["casplan-report.service"], re.M).group(1) == m.group(1)


def test_messages_frame_shape():
    table = catalogue.messages()
    assert table.columns == ["code", "阶段", "含义", "处理建议"]
    assert table.schema == pl.Schema({c: pl.Utf8 for c in table.columns})
    assert table["阶段"].unique(maintain_order=True).to_list() == [s for s, _ in catalogue.STAGES]
