"""Benchmark of the review round's assignment (issue 17): the sample year and N× copies of it.

    .venv/bin/python benchmarks/reviews.py [--scales 1,10] [--runs 3]

For each scale the year is :mod:`benchmarks.scale`'s copy of the sample (N groups of units), and the
experts are the recorded sample round's 60 experts (``data/samples/2023-reviews/专家.xlsx``) copied once
per group, with their unit renamed like the group's units (so each copy has its own conflicts). The year
is read, assessed and matched once (not timed); then, in the same process, ``runs`` times:

* ``fits``   — :func:`casplan.reviews.fit_table` (expert topics against the applications' directions);
* ``assign`` — :func:`casplan.reviews.assign` (conflicts, balanced loads, the best fit; exact);

and the median of each is reported, with the problem's size (applications, experts, allowed pairs).
The figures go to ``benchmarks/out/reviews.json`` and to the section 「Review round」 of BENCHMARKS.md
(``make bench`` runs this after ``benchmarks/run.py``, which writes the rest of that file).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from scale import _suffix, scaled_year  # noqa: E402

EXPERTS = ROOT / "data" / "samples" / "2023-reviews" / "专家.xlsx"


def scaled_experts(scale: int, out: Path) -> Path:
    """The sample round's experts, one copy per group of units, written as an experts file."""
    base = pl.read_excel(EXPERTS)
    copies = []
    for k in range(scale):
        copies.append(base.with_columns(
            (pl.col("专家编号") + (f"-{k + 1}" if k else "")),
            (pl.col("单位") + _suffix(k)),
            pl.when(pl.col("回避单位").is_not_null()).then(pl.col("回避单位") + _suffix(k)).otherwise(None)))
    from casplan.io import write_frame

    return write_frame(pl.concat(copies), out)


def measure(scale: int, *, runs: int) -> dict:
    from casplan.intake import read_experts, unit_index
    from casplan.pipeline import Inputs, assess, load, match_directions
    from casplan.reviews import assign, expert_table, fit_table, review_applications

    folder = scaled_year(scale)
    experts_path = scaled_experts(scale, folder / "experts.xlsx")
    loaded = load(Inputs.of(folder / "plans.xlsx", history=folder / "history.xlsx", roster=folder / "roster.xlsx",
                            policy=folder / "policy.yaml"))
    policy = loaded.policy
    rr = policy.review_round
    eligibility = assess(loaded)
    matches = match_directions(eligibility.applications, policy)
    intake = read_experts(experts_path)
    experts = expert_table(intake.frame, max_load=rr.max_load)
    index = unit_index(loaded.roster.frame, policy, loaded.overrides)
    resolve = lambda name: index.resolve(name).unit if name else name  # noqa: E731
    apps = review_applications(loaded, eligibility, matches)
    times = {"fits": [], "assign": []}
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        fits = fit_table(apps, matches, experts, policy.vocabulary, threshold=policy.scoring.match_threshold)
        times["fits"].append(time.perf_counter() - t)
        t = time.perf_counter()
        result = assign(apps, experts, fits, per_application=rr.per_application,
                        avoid_same_branch=rr.avoid_same_branch, resolve=resolve)
        times["assign"].append(time.perf_counter() - t)
    return {"scale": scale, "applications": apps.height, "experts": experts.height,
            "pairs_considered": apps.height * experts.height, "reviews": int(result.pairs.height),
            "loads": [int(result.min_load_used), int(result.max_load_used)], "total_fit": result.total_fit,
            "median_s": {k: round(statistics.median(v), 3) for k, v in times.items()},
            "max_s": {k: round(max(v), 3) for k, v in times.items()}, "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md", help="the file whose section is written")
    parser.add_argument("--json", type=Path, default=HERE / "out" / "reviews.json")
    args = parser.parse_args(argv)
    results = []
    for scale in (int(s) for s in args.scales.split(",")):
        r = measure(scale, runs=args.runs)
        print(json.dumps(r, ensure_ascii=False))
        results.append(r)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_section(results, args.markdown)
    return 0


MARK = "## Review round"


def write_section(results: list[dict], path: Path) -> None:
    """Replace (or add) the review round's section at the end of BENCHMARKS.md."""
    lines = [MARK, "", "Written by `benchmarks/reviews.py` (`make bench`). The assignment of issue 17: each eligible "
             "application gets 3 experts, no expert of its own unit or a declared conflict, loads as even as possible, "
             "the best total fit under them (exact). Median of the runs in one process, after the year was read, "
             "assessed and matched (not timed); targets ≤ 2 s at 1×, ≤ 20 s at 10×.", "",
             "| scale | applications | experts | pairs considered | reviews | loads | total fit | fits s | assign s | runs |",
             "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['scale']}× | {r['applications']:,} | {r['experts']:,} | {r['pairs_considered']:,} | "
                     f"{r['reviews']:,} | {r['loads'][0]}–{r['loads'][1]} | {r['total_fit']} | {r['median_s']['fits']} | "
                     f"{r['median_s']['assign']} | {r['runs']} |")
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    head = text.split(MARK)[0].rstrip() + "\n\n"
    path.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
