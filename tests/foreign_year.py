"""Measure casplan against the held-out foreign year (tests/data/foreign, written by someone who never read
the generator), the way the bureau's own held-out year is measured: (application, track) verdicts with
their reason codes, both exports (merged cells and plain), both history files.

    .venv/bin/python tests/foreign_year.py          # prints the agreement and every disagreement
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FOREIGN = ROOT / "tests" / "data" / "foreign"
TRACK_IDS = {"专业技术研修班": "yanxiu", "专项技术短期培训班": "duanqi", "学术讲坛": "jiangtan", "精品培训项目": "jingpin",
             "人社部高级研修项目": "mohrss", "管理类培训": "guanli"}
# Codes that explain rather than exclude: compared as warnings, never as reasons.
CSV = "units/中国科学院昆明植物研究所.csv"


@dataclass
class Pair:
    app: str
    track: str
    expected_eligible: bool
    expected_reasons: frozenset[str]
    got_eligible: bool | None
    got_reasons: frozenset[str]
    got_pending: frozenset[str]

    @property
    def agrees(self) -> bool:
        return self.got_eligible == self.expected_eligible and self.got_reasons == self.expected_reasons


@lru_cache(maxsize=1)
def expected() -> dict:
    return yaml.safe_load((FOREIGN / "EXPECTED.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def run_check(variant: str, history: str = "history.xlsx") -> dict:
    export = "export_merged.xlsx" if variant == "merged" else "export_plain.xlsx"
    argv = [sys.executable, "-m", "casplan.cli", "check", export, "units", "--roster", "roster.xlsx",
            "--history", history, "--json"]
    done = subprocess.run(argv, cwd=FOREIGN, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"casplan check failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def pairs(variant: str, history: str = "history.xlsx") -> list[Pair]:
    exp = expected()
    data = run_check(variant, history)
    export = "export_merged.xlsx" if variant == "merged" else "export_plain.xlsx"
    by_place = {}
    for a in data["applications"]:
        by_place[(Path(a["file"]).as_posix(), a["row"])] = a
    out = []
    for app in exp["applications"]:
        if app.get("file"):
            key = (app["file"], app["row"])
        else:
            key = (export, app["row"] if variant == "merged" else app["plain_row"])
        got = by_place.get(key)
        for track_name, verdict in app["tracks"].items():
            want_reasons = frozenset(verdict.get("reasons") or [])
            if got is None:
                out.append(Pair(app["id"], track_name, verdict["eligible"], want_reasons, None, frozenset(),
                                frozenset()))
                continue
            t = got["tracks"].get(track_name)
            if t is None:
                out.append(Pair(app["id"], track_name, verdict["eligible"], want_reasons, None, frozenset(),
                                frozenset()))
                continue
            out.append(Pair(app["id"], track_name, verdict["eligible"], want_reasons, t["eligible"],
                            frozenset(t["reasons"]), frozenset(t.get("pending", []))))
    return out


def report(variant: str, history: str = "history.xlsx") -> tuple[float, list[Pair]]:
    ps = pairs(variant, history)
    good = sum(p.agrees for p in ps)
    return good / len(ps), [p for p in ps if not p.agrees]


@lru_cache(maxsize=4)
def run_validate(variant: str) -> dict:
    export = "export_merged.xlsx" if variant == "merged" else "export_plain.xlsx"
    argv = [sys.executable, "-m", "casplan.cli", "validate", export, "units", "--roster", "roster.xlsx", "--json"]
    done = subprocess.run(argv, cwd=FOREIGN, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"casplan validate failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def set_aside(variant: str) -> tuple[set, set]:
    """(expected (row, code), got (row, code)) for the export's set-aside rows."""
    exp = expected()
    key = "row" if variant == "merged" else "plain_row"
    want = {(r[key], r["code"]) for r in exp["set_aside"]}
    want |= {(row, "I-DUPLICATE") for f in exp.get("flagged", []) if f["code"] == "I-DUPLICATE"
             for row in f[key + "s"][1:]}  # 议题 14.1: the repeat is set aside, the first row stays
    data = run_validate(variant)
    export = "export_merged.xlsx" if variant == "merged" else "export_plain.xlsx"
    got = {(p["row"], p["reason"]) for p in data["set_aside"] if p["file"] == export}
    return want, got


def warnings(variant: str) -> tuple[set, set]:
    """(expected (app, code), got (app, code)) of the codes that warn but do not exclude."""
    exp = expected()
    data = run_check(variant)
    export = "export_merged.xlsx" if variant == "merged" else "export_plain.xlsx"
    by_place = {(Path(a["file"]).as_posix(), a["row"]): a for a in data["applications"]}
    want, got = set(), set()
    for app in exp["applications"]:
        want |= {(app["id"], c) for c in app.get("warnings", [])}
        key = (app["file"], app["row"]) if app.get("file") else (export, app["row" if variant == "merged" else "plain_row"])
        a = by_place.get(key)
        if a is not None:
            got |= {(app["id"], c) for t in a["tracks"].values() for c in t["warnings"]}
    return want, got


def units(variant: str) -> dict[str, tuple[set, set]]:
    """Per finding (missing, late, p2_missing, u2): (expected units, got units)."""
    exp = expected()["units"]
    data = run_check(variant)
    rows = data["units"]
    got = {"missing": {u["unit"] for u in rows if not u["submitted"]},
           "late": {u["unit"] for u in rows if u["late"]},
           "p2_missing": {u["unit"] for u in rows if u["submitted"] and u["has_p2"] is False},
           "u2": {(u["unit"], u["u2_code"]) for u in rows if u["u2_code"]}}
    want = {"missing": set(exp["missing"]), "late": set(exp["late"]), "p2_missing": set(exp["p2_missing"]),
            "u2": set(exp["u2"].items())}
    return {k: (want[k], got[k]) for k in want}


def directions_f1(name: str = "directions.csv") -> tuple[float, list[tuple]]:
    """F1 of the direction matcher on the labelled titles (名称 only, the policy's threshold)."""
    import csv

    from casplan.directions import match_text
    from casplan.policy import load_policy

    policy = load_policy()
    tp = fp = fn = 0
    wrong = []
    with (FOREIGN / name).open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            track = policy.resolve_track(r["track"]).id
            want = {d.strip().replace('"', "“", 1).replace('"', "”", 1)
                    for d in (r["expected_directions"] or "").split("；") if d.strip()}
            got = {m.direction for m in match_text({"train_name": r["title"]}, vocabulary=policy.vocabulary,
                                                   track=track, threshold=policy.scoring.match_threshold)}
            tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
            if want != got:
                wrong.append((r["title"], sorted(want), sorted(got)))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return (2 * precision * recall / (precision + recall) if precision + recall else 0.0), wrong


def main() -> int:
    for variant in ("merged", "plain"):
        for history in ("history.xlsx", "history_rate_only.xlsx"):
            share, bad = report(variant, history)
            print(f"{variant:6s} {history:24s} agreement {share:.1%} ({len(bad)} disagreements)")
            for p in bad:
                print(f"    {p.app} {p.track}: expected {'eligible' if p.expected_eligible else sorted(p.expected_reasons)}"
                      f" · got {'missing' if p.got_eligible is None else 'eligible' if p.got_eligible else sorted(p.got_reasons)}")
        want, got = set_aside(variant)
        print(f"{variant:6s} set aside: expected {len(want)}, got {len(got)}; missing {sorted(want - got)}, extra {sorted(got - want)}")
        want, got = warnings(variant)
        print(f"{variant:6s} warnings: missing {sorted(want - got)}, extra {sorted(got - want)}")
        for k, (w, g) in units(variant).items():
            print(f"{variant:6s} units {k}: missing {sorted(w - g)}, extra {sorted(g - w)}")
    for name in ("directions.csv", "directions_constructed.csv"):
        f1, wrong = directions_f1(name)
        print(f"directions {name}: F1 {f1:.3f}; wrong {wrong}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
