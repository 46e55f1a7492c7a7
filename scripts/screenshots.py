"""Make the analysts' guide's screenshots from the sample year (printed pages; the served what-if page).

Run from the repository root::

    .venv/bin/python scripts/screenshots.py            # every picture into docs/images/
    .venv/bin/python scripts/screenshots.py --only report
    .venv/bin/python scripts/screenshots.py --only whatif

What it makes (all 1280 px wide, clipped, each under 400 KB):

- ``report-page1.png``, ``report-list.png``, ``letter.png``: pages of the committee report's PDF (page 1,
  the first list of selected projects) and of one unit's letter, as printed, rendered by ``casplan report``
  from ``data/samples/2023/report-params.yaml`` into a temporary output folder (the repository's
  ``reports/`` is not touched) and rasterised with poppler's ``pdftoppm`` at 70 dpi;
- ``whatif-*.png``: the served what-if page (``casplan whatif``), made by the real-browser test
  ``tests/test_browser_whatif.py`` (before and after moving the 专业技术研修班 quota from 10 to 8, the diff,
  the weights tab, a message at a field, a scenario's report), which this script runs with
  ``CASPLAN_SHOTS_DIR`` set to ``--out`` (a plain test run writes them under ``tests/artifacts/``).

Nothing is written outside ``--out`` and the temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASPLAN = ROOT / ".venv" / "bin" / "casplan"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def render_sample_report(out_root: Path) -> Path:
    """``casplan report`` on the sample year into ``out_root``; the run folder."""
    cmd = [str(CASPLAN), "report", "--params", str(ROOT / "data/samples/2023/report-params.yaml"),
           "--out", str(out_root)]
    print("rendering the sample report:", " ".join(cmd[1:]))
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    return (out_root / "2023" / "latest").resolve()


def report_shots(run: Path, out: Path) -> list[Path]:
    """Pages of the printed documents, as the committee and a unit see them."""
    letters = sorted((run / "单位反馈").glob("*.pdf"))
    letter = next((p for p in letters if "上海光学精密机械研究所" in p.name), letters[0])
    made = []
    for pdf, page, name in ((run / "report.pdf", 1, "report-page1"), (run / "report.pdf", 4, "report-list"),
                            (letter, 1, "letter")):
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf),
                        str(out / name)], check=True)
        made.append(out / f"{name}.png")
    return made


# --- the what-if page ------------------------------------------------------------------------------

def whatif_shots(out: Path) -> None:
    """Run the browser test of the served what-if page with its pictures going to ``out``."""
    env = {**os.environ, "CASPLAN_SHOTS_DIR": str(out)}
    done = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_browser_whatif.py::test_the_served_app"], cwd=ROOT, env=env)
    if done.returncode:
        raise SystemExit("the what-if browser test failed: its pictures in --out may be incomplete")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="where the PNGs go")
    parser.add_argument("--only", choices=["report", "whatif"], help="make only one group of pictures")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit("Debian's chromium is missing: `make test` or `make report` installs it")
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out.resolve()
    if args.only in (None, "report"):
        with tempfile.TemporaryDirectory(prefix="casplan-shots-") as tmp:
            report_shots(render_sample_report(Path(tmp) / "reports"), out)
    if args.only in (None, "whatif"):
        whatif_shots(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
