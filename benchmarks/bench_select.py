"""Benchmark of the selection kernel (casplan.selection) on seeded synthetic years.

A synthetic year at scale 1 has ~120 units (100 研究所, 12 分院, 8 院机关部门)
and 300 applications; scale 10 multiplies units, applications, quotas and the
budget by 10. Applications are scored from nine criteria with the 2023
policy's weights; criteria follow a latent quality, and the cost follows the
size of the class (trainees × days × 550 元), so larger, better-rated classes
cost more — the correlation that makes the budget knapsack hard.

Measured:

* cold solve: :func:`casplan.selection.solve` (model, solver, greedy, explanations)
  on ``--runs`` seeded instances; p50/p95 of wall time and of the kernel alone;
* what-if re-solve: the same instance re-solved ``--runs`` times with a quota
  or the budget moved (what the live what-if does);
* robustness: :func:`casplan.selection.robustness` with N = 500 at scale 1;
* counterfactuals at scale 1.

Usage::

    .venv/bin/python benchmarks/bench_select.py --out bench-select.json [--runs 50] [--quick]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from casplan.selection import Quota, SelectOptions, counterfactuals, robustness, solve

QUOTAS = {"yanxiu": (10, 2), "duanqi": (10, 2), "jiangtan": (20, 3), "jingpin": (10, 2), "mohrss": (5, 1),
          "guanli": (6, 2)}
WEIGHTS = {  # casplan/policy/2023.yaml, scoring.weights
    "default": {"direction": 30, "scale": 10, "duration": 10, "openness": 10, "joint": 5, "track_record": 10,
                "attachments": 5, "cost": 10, "unit_rank": 10},
    "jiangtan": {"direction": 40, "scale": 10, "duration": 0, "openness": 15, "joint": 5, "track_record": 5,
                 "attachments": 0, "cost": 10, "unit_rank": 15},
    "jingpin": {"direction": 25, "scale": 10, "duration": 10, "openness": 10, "joint": 5, "track_record": 20,
                "attachments": 10, "cost": 5, "unit_rank": 5},
    "mohrss": {"direction": 30, "scale": 10, "duration": 5, "openness": 10, "joint": 5, "track_record": 25,
               "attachments": 5, "cost": 5, "unit_rank": 5},
}


def options_for(scale: int) -> SelectOptions:
    """The 2023 defaults with quotas and budget multiplied by ``scale``."""
    return SelectOptions(
        quotas={t: Quota(a * scale, b * scale) for t, (a, b) in QUOTAS.items()},
        money_tracks=frozenset(QUOTAS) - {"jiangtan"},
        budget_total=900.0 * scale,
        max_grant={"mohrss": 15.0},
        max_per_unit={"mohrss": 1},
        track_priority=("mohrss", "jingpin", "yanxiu", "duanqi", "jiangtan", "guanli"),
    )


def make_instance(scale: int = 1, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A seeded synthetic year: (candidates, criteria)."""
    rng = np.random.default_rng(seed)
    n_inst, n_branch, n_dept = 100 * scale, 12 * scale, 8 * scale
    units = ([(f"所{i:04d}", "institute") for i in range(n_inst)] + [(f"分院{i:03d}", "branch") for i in range(n_branch)]
             + [(f"部门{i:03d}", "department") for i in range(n_dept)])
    # units differ in activity: a few submit many applications
    activity = rng.gamma(1.5, 1.0, len(units))
    activity /= activity.sum()
    cand, crit = [], []
    for a in range(300 * scale):
        u = int(rng.choice(len(units), p=activity))
        unit, utype = units[u]
        z = rng.beta(5, 2)  # latent quality
        if utype != "institute" and rng.random() < 0.6:
            tracks = ["guanli"]
        else:
            r = rng.random()
            tracks = (["yanxiu"] if r < 0.30 else ["duanqi"] if r < 0.55 else ["jiangtan"] if r < 0.80
                      else ["jingpin"] if r < 0.92 else ["mohrss", "jingpin"])
        trainees = int(np.clip(rng.normal(60 + 60 * z, 20), 30, 200))
        days = int(np.clip(np.round(rng.normal(3.5 + 2 * z, 1)), 3, 8))
        ident = f"A{seed:03d}{a:05d}"
        for t in tracks:
            if t == "jiangtan":
                cost = 0.0
            else:
                t_tr = max(trainees, 70) if t in ("jingpin", "mohrss") else trainees
                t_days = max(days, 4) if t in ("jingpin", "mohrss") else days
                cost = round(t_tr * t_days * 550 / 10000 * rng.uniform(0.6, 1.0), 1)
                if t == "mohrss":
                    cost = min(cost, 15.0)
            values = {
                "direction": float(np.clip(z + rng.normal(0, 0.25), 0, 1)),
                "scale": min(trainees / 150, 1.0),
                "duration": min((days - 3) / 4, 1.0),
                "openness": float(rng.choice([0.0, 0.5, 1.0], p=[0.2, 0.4, 0.4])),
                "joint": float(rng.random() < 0.3 + 0.3 * z),
                "track_record": float(np.clip(z + rng.normal(0, 0.3), 0, 1)),
                "attachments": float(rng.random() < 0.5 + 0.4 * z),
                "cost": 1.0 - min(cost / 60, 1.0),
                "unit_rank": float(rng.choice([1.0, 0.6, 0.3])),
            }
            w = WEIGHTS.get(t, WEIGHTS["default"])
            score = 100 * sum(w[c] * v for c, v in values.items()) / sum(w.values())
            cand.append((ident, unit, utype, t, round(score, 2), cost, f"培训班{a:05d}"))
            crit.extend((ident, t, c, v) for c, v in values.items())
    candidates = pl.DataFrame(cand, schema=["app_id", "unit", "unit_kind", "track", "score", "cost", "train_name"],
                              orient="row")
    criteria = pl.DataFrame(crit, schema=["app_id", "track", "criterion", "value"], orient="row")
    return candidates, criteria


def _pct(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values)
    return {"p50": round(float(np.percentile(arr, 50)), 1), "p95": round(float(np.percentile(arr, 95)), 1),
            "max": round(float(arr.max()), 1), "n": len(values)}


def bench_cold(scale: int, runs: int) -> dict[str, object]:
    wall, kernel, status = [], [], []
    opts = options_for(scale)
    for seed in range(runs):
        cands, _ = make_instance(scale, seed)
        start = time.perf_counter()
        sel = solve(cands, options=opts)
        wall.append((time.perf_counter() - start) * 1e3)
        kernel.append(sel.solve_ms)
        status.append(sel.status)
    return {"scale": scale, "applications": 300 * scale, "wall_ms": _pct(wall), "kernel_ms": _pct(kernel),
            "all_optimal": all(s == "optimal" for s in status)}


def bench_whatif(scale: int, runs: int) -> dict[str, object]:
    cands, _ = make_instance(scale, 0)
    base = options_for(scale)
    rng = np.random.default_rng(1)
    wall, kernel = [], []
    tracks = sorted(base.quotas)
    for _ in range(runs):
        if rng.random() < 0.5:
            t = tracks[int(rng.integers(len(tracks)))]
            quotas = dict(base.quotas)
            quotas[t] = quotas[t].shifted(int(rng.choice([-2, -1, 1, 2])))
            opts = replace(base, quotas=quotas)
        else:
            step = float(rng.choice([-100, -50, 50, 100])) * scale
            opts = replace(base, budget_total=float(base.budget_total) + step)
        start = time.perf_counter()
        sel = solve(cands, options=opts)
        wall.append((time.perf_counter() - start) * 1e3)
        kernel.append(sel.solve_ms)
    return {"scale": scale, "wall_ms": _pct(wall), "kernel_ms": _pct(kernel)}


def bench_robustness(n: int) -> dict[str, object]:
    cands, crit = make_instance(1, 0)
    start = time.perf_counter()
    out = robustness(cands, crit, WEIGHTS, options=options_for(1), n=n, seed=0)
    seconds = time.perf_counter() - start
    return {"n": n, "seconds": round(seconds, 2), "unstable": int(out["unstable"].sum()),
            "pairs": out.height}


def bench_counterfactuals() -> dict[str, object]:
    cands, _ = make_instance(1, 0)
    start = time.perf_counter()
    out = counterfactuals(cands, options=options_for(1), budget_delta=50)
    return {"scenarios": out.height, "seconds": round(time.perf_counter() - start, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="遴选求解器基准测试")
    parser.add_argument("--out", type=Path, required=True, help="JSON 结果写入路径")
    parser.add_argument("--runs", type=int, default=50, help="每项计时的次数（默认 50）")
    parser.add_argument("--robustness-n", type=int, default=500, help="稳健性扰动次数（默认 500）")
    parser.add_argument("--quick", action="store_true", help="只测 1 倍规模（不测 10 倍）")
    args = parser.parse_args(argv)
    results: dict[str, object] = {"python": sys.version.split()[0], "machine": platform.machine(),
                                  "processor_count": __import__("os").cpu_count()}
    results["cold_1x"] = bench_cold(1, args.runs)
    results["whatif_1x"] = bench_whatif(1, args.runs)
    if not args.quick:
        results["cold_10x"] = bench_cold(10, args.runs)
        results["whatif_10x"] = bench_whatif(10, args.runs)
    results["robustness_1x"] = bench_robustness(args.robustness_n)
    results["counterfactuals_1x"] = bench_counterfactuals()

    print(f"{'测试':<22}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'内核 p95':>10}")
    for key in ("cold_1x", "whatif_1x", "cold_10x", "whatif_10x"):
        if key in results:
            r = results[key]
            print(f"{key:<22}{r['wall_ms']['p50']:>10}{r['wall_ms']['p95']:>10}{r['wall_ms']['max']:>10}"
                  f"{r['kernel_ms']['p95']:>10}")
    rob = results["robustness_1x"]
    print(f"robustness N={rob['n']}: {rob['seconds']} s，不稳定 {rob['unstable']} / {rob['pairs']}")
    cf = results["counterfactuals_1x"]
    print(f"counterfactuals: {cf['scenarios']} 个情景，{cf['seconds']} s")
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
