"""Intake against the floor: the bare read of the same files vs read + normalise + validate.

    .venv/bin/python benchmarks/bench_intake.py [--runs N] [--out FILE.json]

The floor is ``polars.read_excel`` (calamine) of every sheet of every xlsx and
``polars.read_csv`` of every CSV (with the right encoding), all columns as
text. Both sides run in the same warm process, alternating, ``--runs`` times;
medians are reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import polars as pl

from casplan.intake import read_plans, read_roster

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "2023"


def floor(paths: list[Path]) -> int:
    rows = 0
    for p in paths:
        files = sorted(q for q in p.rglob("*") if q.suffix in (".xlsx", ".csv")) if p.is_dir() else [p]
        for f in files:
            if f.suffix == ".xlsx":
                for frame in pl.read_excel(f, sheet_id=0, has_header=False, infer_schema_length=0).values():
                    rows += frame.height
            else:
                data = f.read_bytes()
                enc = "utf8-lossy" if data.startswith(b"\xef\xbb\xbf") else "utf8"
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError:
                    frame = pl.read_csv(f, encoding="gb18030", has_header=False, infer_schema=False)
                else:
                    frame = pl.read_csv(f, encoding=enc, has_header=False, infer_schema=False)
                rows += frame.height
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    roster = read_roster(SAMPLES / "roster.xlsx").frame
    results = {}
    for name, paths in (("clean plans.xlsx", [SAMPLES / "plans.xlsx"]), ("dirty export (13 files)", [SAMPLES / "dirty"])):
        floor_t, intake_t = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            floor(paths)
            floor_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            intake = read_plans(paths, roster=roster)
            intake_t.append(time.perf_counter() - t)
        f, i = statistics.median(floor_t), statistics.median(intake_t)
        results[name] = {"rows_read": intake.rows_read, "floor_s": round(f, 4), "intake_s": round(i, 4),
                         "ratio": round(i / f, 2)}
        print(f"{name:26s} rows {intake.rows_read:5d}  floor {f * 1000:7.1f} ms  intake {i * 1000:7.1f} ms  "
              f"ratio {i / f:4.2f}")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
