"""One measured step of the chain, alone, in the process that runs this file (the runner's child).

    .venv/bin/python benchmarks/steps.py STEP FOLDER [--changes N] [--seed S]

STEP is one of:

``floor``
    the bare read of the same files: ``polars.read_excel`` of plans, history and
    roster, ``polars.read_csv`` of the reviews; nothing of casplan is imported.
``intake``
    :func:`casplan.pipeline.load` (policy, roster, history, reviews, plans: read,
    normalise, validate).
``eligibility``
    intake + :func:`casplan.pipeline.assess`.
``scoring``
    eligibility + direction matching + :func:`casplan.pipeline.score_year` + the candidates.
``selection``
    scoring + the selection (:func:`casplan.pipeline.run_year` does the same calls).
``report-data``
    what the report notebook's first cell does, in parts: import the notebook's
    modules (charts, tables, report), the chain, and the robustness draws
    (``--draws``, default 500 as in the report).
``whatif``
    the selection, :class:`casplan.whatif.WhatIf`, then a seeded sequence of
    ``--changes`` realistic moves (:func:`changes`), each as the panel makes it:
    :meth:`~casplan.whatif.WhatIf.evaluate` (warm-started from the previous
    selection, ``full=False``: no trade-off re-solves, decisions only for the ids the diff can ask about) and :meth:`~casplan.whatif.WhatIf.diff`
    against the baseline with its reasons; the latency of every move is printed
    (``latencies_ms``, and ``solve_ms`` for the evaluate part alone).

FOLDER is a year written by ``benchmarks/scale.py`` (plans.xlsx, history.xlsx,
roster.xlsx, reviews.csv, policy.yaml). The last line printed is one JSON object:
what the step produced (rows, applications, pairs, chosen …, so a step that did
nothing shows) and ``stages``, the seconds each part took inside the process
(``import`` is the time to import what the step needs) and ``peak_after_stage_mib``,
the peak resident memory (VmHWM) reached by the end of each stage.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
STEPS = ("floor", "intake", "eligibility", "scoring", "selection", "whatif", "report-data")


def floor(folder: Path) -> dict:
    stages = {}
    t = time.perf_counter()
    import polars as pl

    stages["import"] = time.perf_counter() - t
    t = time.perf_counter()
    rows = {name: pl.read_excel(folder / f"{name}.xlsx").height for name in ("plans", "history", "roster")}
    rows["reviews"] = pl.read_csv(folder / "reviews.csv").height
    stages["read"] = time.perf_counter() - t
    return {"rows": rows, "stages": stages}


def _peak_mib() -> float | None:
    """The process's peak resident set so far (VmHWM), MiB; None where /proc is not there."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class _Clock:
    """Seconds per stage, and the peak resident memory reached by the end of each stage."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self.peaks: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages[name] = now - self._t
        peak = _peak_mib()
        if peak is not None:
            self.peaks[name] = peak
        self._t = now

    def result(self, **out) -> dict:
        return {**out, "stages": self.stages, "peak_after_stage_mib": self.peaks}


def chain(step: str, folder: Path) -> dict:
    clock = _Clock()
    from casplan.pipeline import (Inputs, assess, candidates_of, load, match_directions, score_year,
                                  select_options)
    from casplan.selection import solve

    clock.lap("import")
    inputs = Inputs.of(folder / "plans.xlsx", history=folder / "history.xlsx", roster=folder / "roster.xlsx",
                       reviews=folder / "reviews.csv", policy=folder / "policy.yaml")
    loaded = load(inputs)
    clock.lap("load")
    if loaded.errors:
        raise loaded.errors[0]
    out: dict = {"rows": loaded.plans.rows_read, "accepted": loaded.plans.rows_accepted}
    if step == "intake":
        return clock.result(**out)
    eligibility = assess(loaded)
    clock.lap("assess")
    out["applications"] = eligibility.applications.height
    if step == "eligibility":
        return clock.result(**out)
    matches = match_directions(eligibility.applications, loaded.policy)
    clock.lap("match")
    reviews = loaded.reviews.frame if loaded.reviews is not None and loaded.reviews.ok else None
    scores = score_year(eligibility, loaded.policy, matches=matches, reviews=reviews)
    cands = candidates_of(scores, loaded.policy)
    clock.lap("score")
    out["pairs"] = cands.height
    if step == "scoring":
        return clock.result(**out)
    selection = solve(cands, options=select_options(loaded.policy, overrides=loaded.overrides))
    clock.lap("solve")
    return clock.result(**out, chosen=selection.chosen.height, status=selection.status)


def changes(whatif, *, n: int, seed: int) -> list:
    """A seeded sequence of ``n`` scenarios, each one move away from the one before.

    The moves an analyst makes in the panel: a track's quota ±1..3 (within the
    notice's 左右 range), one criterion weight ±5, the budget ±5 or 10 %, U1 or U2
    switched, an application forced in or out (or the forcing dropped), and now and
    then back to the baseline. Weights, shares and ranges come from the policy, so
    the sequence means the same at every scale.
    """
    import random
    from dataclasses import replace

    from casplan.scoring import CRITERIA

    rng = random.Random(seed)
    policy = whatif.policy
    base = whatif.baseline.scenario
    chosen = sorted(whatif.baseline.selection.chosen["app_id"].unique().to_list())
    others = sorted(set(whatif.baseline.candidates["app_id"].to_list()) - set(chosen))
    moves = ("quota", "quota", "quota", "weight", "weight", "budget", "budget", "rule", "force", "reset")
    out, s = [], base
    for _ in range(n):
        move = rng.choice(moves)
        if move == "quota":
            track = policy.tracks[rng.randrange(len(policy.tracks))]
            lo, hi = track.quota_about
            q = min(max(s.quotas[track.id] + rng.choice((-3, -2, -1, 1, 2, 3)), lo), hi)
            s = replace(s, quotas={**s.quotas, track.id: q})
        elif move == "weight":
            t = rng.choice(sorted(s.weights))
            c = rng.choice(CRITERIA)
            w = max(s.weights[t].get(c, 0.0) + rng.choice((-5.0, 5.0)), 0.0)
            s = replace(s, weights={**s.weights, t: {**s.weights[t], c: w}})
        elif move == "budget" and s.budget_total is not None:
            s = replace(s, budget_total=round(s.budget_total * rng.choice((0.9, 0.95, 1.05, 1.1)), 1))
        elif move == "rule":
            r = rng.choice(("U1", "U2"))
            s = replace(s, rules={**s.rules, r: not s.rules.get(r, True)})
        elif move == "force":
            if (s.forced_in or s.forced_out) and rng.random() < 0.3:
                s = replace(s, forced_in=(), forced_out=())
            elif rng.random() < 0.5 and others:
                s = replace(s, forced_in=(rng.choice(others),))
            elif chosen:
                s = replace(s, forced_out=(rng.choice(chosen),))
        else:
            s = base
        out.append(replace(s, name=f"第{len(out) + 1}步：{move}"))
    return out


def whatif_step(folder: Path, *, n: int, seed: int, profile: Path | None = None) -> dict:
    clock = _Clock()
    from casplan.pipeline import Inputs, run_year
    from casplan.whatif import WhatIf
    from casplan.whatif.engine import settle_memory

    clock.lap("import")
    year = run_year(Inputs.of(folder / "plans.xlsx", history=folder / "history.xlsx", roster=folder / "roster.xlsx",
                              reviews=folder / "reviews.csv", policy=folder / "policy.yaml"))
    clock.lap("run_year")
    whatif = WhatIf(year)
    settle_memory()  # as the app does once it has opened the year
    clock.lap("precompute")
    latencies, solve_ms, statuses, moved = [], [], {}, 0
    previous = whatif.baseline
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    for scenario in changes(whatif, n=n, seed=seed):
        t = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        outcome = whatif.evaluate(scenario, hint=previous.selection, full=False)
        solved = time.perf_counter()
        whatif.diff(outcome)  # the panel shows the diff against the baseline, with its reasons, after every move
        if profiler is not None:
            profiler.disable()
        latencies.append((time.perf_counter() - t) * 1000)
        solve_ms.append((solved - t) * 1000)
        statuses[outcome.selection.status] = statuses.get(outcome.selection.status, 0) + 1
        before = set(previous.selection.chosen["app_id"].to_list())
        moved += len(before ^ set(outcome.selection.chosen["app_id"].to_list()))
        previous = outcome
    clock.lap("changes")
    if profiler is not None:
        profiler.dump_stats(str(profile))
    return {"pairs": whatif.baseline.candidates.height, "chosen": whatif.baseline.selection.chosen.height,
            "latencies_ms": latencies, "solve_ms": solve_ms, "statuses": statuses, "moved": moved, "stages": clock.stages}


def report_data(folder: Path, *, draws: int) -> dict:
    clock = _Clock()
    from casplan.views import charts, tables  # noqa: F401  (the notebook imports them)
    from casplan.pipeline import Inputs, robustness_of, run_year
    from casplan.report import build  # noqa: F401

    clock.lap("import")
    year = run_year(Inputs.of(folder / "plans.xlsx", history=folder / "history.xlsx", roster=folder / "roster.xlsx",
                              reviews=folder / "reviews.csv", policy=folder / "policy.yaml"))
    clock.lap("run_year")
    robust = robustness_of(year, n=draws)
    clock.lap("robustness")
    return clock.result(pairs=year.candidates.height, draws=draws, robustness_rows=robust.height)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Run one benchmark step alone and print what it did as JSON.")
    ap.add_argument("step", choices=STEPS)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--changes", type=int, default=50, help="what-if moves (whatif only)")
    ap.add_argument("--seed", type=int, default=2023, help="seed of the what-if moves")
    ap.add_argument("--draws", type=int, default=500, help="robustness draws (report-data only)")
    ap.add_argument("--profile", type=Path, help="whatif only: cProfile the moves (evaluate calls) into this file")
    args = ap.parse_args(argv)
    if args.step == "floor":
        result = floor(args.folder)
    elif args.step == "whatif":
        result = whatif_step(args.folder, n=args.changes, seed=args.seed, profile=args.profile)
    elif args.step == "report-data":
        result = report_data(args.folder, draws=args.draws)
    else:
        result = chain(args.step, args.folder)
    result["internal_s"] = time.perf_counter() - STARTED
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
