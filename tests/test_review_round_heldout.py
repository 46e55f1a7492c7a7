"""The review round against held-out inputs (tests/data/review_round, written by a helper who never read
casplan/reviews): an experts file as an office fills it, returned packets as experts really return them,
and the verdicts written before the tool ran (EXPECTED_assign.yaml, EXPECTED_collect.yaml).

The helper's own checkers (check_assign.py, check_collect.py) judge the tool's output; two of their
expectations are adjudicated here, not silently dropped:

- A1/A2: the helper expected 最多评审数「二十」 to be set aside; casplan reads Chinese numerals in every
  file (「三天半」 is 3.5 days in the plans), so 「二十」 is 20 — the guide says so (docs/08).
- 合计: the helper counted the rows of the second copy of a returned-twice packet as read and set
  aside; casplan does not read that copy at all and says so. EXPECTED_collect.yaml gives this count as
  its acceptable alternative (``totals_if_duplicate_file_rows_not_counted``), which is what is asserted.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import SAMPLES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "tests" / "data" / "review_round"
CASPLAN = ROOT / ".venv" / "bin" / "casplan"
ADJUDICATED_ASSIGN = {"A1_bad_rows_set_aside", "A2_experts_read"}


def _run(*argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*map(str, argv)], capture_output=True, text=True, cwd=ROOT, timeout=600, **kw)


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rr") / "sent"
    done = _run(CASPLAN, "reviews", "assign", SAMPLES / "plans.xlsx", "--history", SAMPLES / "history.xlsx",
                "--roster", SAMPLES / "roster.xlsx", "--experts", HERE / "experts.xlsx", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "第 46 行「单位」为空" in done.stderr  # the bad row is set aside, and said
    return out


def _table(text: str) -> dict[str, str]:
    return {m.group(1).strip(): m.group(2).strip() for m in re.finditer(r"^\|\s*([^|]+?)\s*\|\s*(PASS|FAIL)\s*\|",
                                                                          text, re.M)}


def test_the_assignment_has_every_property_the_helper_wrote_down(sent):
    done = _run(sys.executable, HERE / "check_assign.py", sent)
    verdicts = _table(done.stdout)
    assert len(verdicts) >= 12, done.stdout[-2000:]
    failing = {k for k, v in verdicts.items() if v == "FAIL"}
    assert failing <= ADJUDICATED_ASSIGN, done.stdout
    for key in ("A5_no_own_unit", "A6_no_declared_conflict", "A7_unit_names_resolved", "A8_max_load", "A9_balanced",
                "A11_packets"):
        assert verdicts.get(key) == "PASS", key


def test_the_committed_returned_packets_are_made_from_todays_assignment(sent, tmp_path):
    again = tmp_path / "returned"
    done = _run(sys.executable, HERE / "make_returned.py", sent / "评审表", "--assignment", sent / "评审分配.json",
                "--out", again)
    assert done.returncode == 0, done.stderr
    committed = {p.name: p.read_bytes() for p in (HERE / "returned").iterdir()}
    made = {p.name: p.read_bytes() for p in again.iterdir()}
    assert made == committed  # else regenerate: make_returned.py … --expected (see the folder's README)


def test_collect_and_status_agree_with_the_expectations(sent, tmp_path):
    reviews = tmp_path / "reviews.csv"
    collect = _run(CASPLAN, "reviews", "collect", HERE / "returned", "--assignment", sent / "评审分配.json",
                   "--out", reviews)
    assert collect.returncode == 0, collect.stderr
    status = _run(CASPLAN, "reviews", "status", HERE / "returned", "--assignment", sent / "评审分配.json")
    assert status.returncode == 0, status.stderr
    files = {name: tmp_path / name for name in ("c.out", "c.err", "s.out")}
    files["c.out"].write_text(collect.stdout, encoding="utf-8")
    files["c.err"].write_text(collect.stderr, encoding="utf-8")
    files["s.out"].write_text(status.stdout, encoding="utf-8")
    check = _run(sys.executable, HERE / "check_collect.py", reviews, files["c.out"], files["c.err"], files["s.out"])
    rows = [line for line in check.stdout.splitlines() if line.startswith("| ") and line.rstrip().endswith("|")]
    verdicts = [(line.split("|")[1].strip(), line.split("|")[-2].strip()) for line in rows]
    verdicts = [(k, v) for k, v in verdicts if v in ("agree", "DISAGREE")]
    assert len(verdicts) >= 25, check.stdout[-2000:]
    disagree = [k for k, v in verdicts if v == "DISAGREE"]
    assert disagree == ["合计"], check.stdout
    expected = yaml.safe_load((HERE / "EXPECTED_collect.yaml").read_text(encoding="utf-8"))
    alt = expected["totals_if_duplicate_file_rows_not_counted"]
    m = re.search(r"评分行 (\d+) 行：有效 (\d+)，未计入 (\d+)", collect.stdout)
    assert m and tuple(map(int, m.groups())) == (alt["rows_read"], alt["accepted"], alt["set_aside"])
    assert (tmp_path / "reviews-未计入.csv").is_file()  # the set-aside rows are a file too, not only the screen
