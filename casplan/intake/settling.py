"""Settling the rows read: whose they are, which year, and which are the same project twice.

:func:`settle` takes what :mod:`casplan.intake.read` read (every row, as written) and decides, with
the policy, the roster and the analyst's decisions: the unit each row belongs to (the roster's name,
an alias, a folded or similar spelling, or held when it is near a roster unit and not the same), the
plan year (rows of another year, or dated outside it, are set aside), money written in 元, and the
duplicates (the same project twice is set aside; one plan id with two different projects, both).
Every row keeps its place: read = accepted + set aside.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from casplan.intake.fields import FIELDS, PROVENANCE
from casplan.intake.normalize import normalize_name, stable_id
from casplan.intake.read import PROBLEM_SCHEMA, Intake, describe_place, empty_problems, problem_message
from casplan.intake.units import UnitIndex, infer_unit_type, unit_key

if TYPE_CHECKING:
    from casplan.eligibility.overrides import Overrides
    from casplan.policy import Policy

__all__ = ["settle", "plan_year", "unit_index"]


def unit_index(roster: pl.DataFrame | None, policy: "Policy | None" = None,
               overrides: "Overrides | None" = None) -> UnitIndex:
    """The roster's names and aliases, the policy's folding rules and the analyst's unit decisions."""
    pairs = []
    if roster is not None and roster.height:
        aliases = roster["aliases"] if "aliases" in roster.columns else pl.Series([None] * roster.height)
        pairs = list(zip(roster["unit"].to_list(), aliases.to_list()))
    decided = {e.unit_raw: e.unit for e in overrides.of("unit_alias")} if overrides is not None else {}
    distinct = [e.unit_raw for e in overrides.of("unit_distinct")] if overrides is not None else []
    return UnitIndex(pairs, department_suffixes=policy.units.department_suffixes if policy else (),
                     similarity=policy.units.similarity if policy else 0.85,
                     hold_similarity=policy.units.hold_similarity if policy else 0.6, aliases=decided,
                     distinct=distinct)


def _resolve_units(frame: pl.DataFrame, roster: pl.DataFrame | None, policy: "Policy | None",
                   overrides: "Overrides | None") -> tuple[pl.DataFrame, list[tuple]]:
    """Map every written unit name to the roster's unit; type the units the roster lacks (see casplan.intake.units)."""
    index = unit_index(roster, policy, overrides)
    written = frame.get_column("unit").to_list()
    raw_written = frame.get_column("_unit_written").to_list() if "_unit_written" in frame.columns else written
    by_raw = {r: index.resolve(r if r is not None else w) for r, w in dict.fromkeys(zip(raw_written, written))}
    resolved = {}
    for r, w in zip(raw_written, written):
        resolved.setdefault(w, by_raw[r])
    info: dict[str, tuple] = {}
    if roster is not None and roster.height:
        cols = [c for c in ("unit_type", "branch") if c in roster.columns]
        for row in roster.select("unit", *cols).unique("unit", keep="first", maintain_order=True).iter_rows(named=True):
            info[row["unit"]] = (row.get("unit_type"), row.get("branch"))
    typed = {e.unit: e.unit_type for e in overrides.of("unit_type")} if overrides is not None else {}
    warnings: list[tuple] = []
    firsts = (frame.select(pl.col("unit").alias("_w"), *PROVENANCE).with_columns(pl.len().over("_w").alias("_n"))
              .unique("_w", keep="first", maintain_order=True))
    first_row = {w: (file, sheet, row) for w, file, sheet, row, _ in firsts.iter_rows()}
    counts = dict(zip(firsts["_w"].to_list(), firsts["_n"].to_list()))
    inferred: dict[str, str | None] = {}
    per_name: dict[str, tuple] = {}  # written name → (unit, how, similarity, type, branch, type source)
    for w, r in resolved.items():
        kind_label, branch = info.get(r.unit, (None, None))
        source = "名册" if r.unit in info else None
        if r.unit in typed:
            kind_label, source = typed[r.unit], "人工决定"
        elif kind_label is None and policy is not None:
            if r.unit not in inferred:
                kind = infer_unit_type(r.unit, policy.units.names)
                inferred[r.unit] = policy.unit_types[kind][0] if kind and policy.unit_types.get(kind) else None
            kind_label = inferred[r.unit]
            source = "按名称推断" if kind_label else None
        per_name[w] = (r.unit, r.how, r.similarity if r.how == "similar" else None, kind_label, branch, source)
    columns = list(zip(*(per_name[w] for w in written))) if written else [()] * 6
    units, how, sims, types, branches, type_from = (list(c) for c in columns)
    for w, r in resolved.items():
        file, sheet, row = first_row[w]
        n = counts[w]
        rows_text = f"（共 {n} 行）" if n > 1 else ""
        place = describe_place(file, sheet, row) + "单位名称"
        if r.how == "similar":
            warnings.append((file, sheet, row, "单位名称", w, "I-UNIT-SIMILAR",
                             f"{place}「{w}」{rows_text}按名称相似度 {r.similarity:.2f} 认作名册中的「{r.unit}」；"
                             f"如不是同一单位，请在人工决定中写 unit_distinct"))
        elif r.how == "ambiguous":
            warnings.append((file, sheet, row, "单位名称", w, "I-UNIT-AMBIGUOUS",
                             f"{place}「{w}」{rows_text}不在单位名册中，而与名册中的「{'」「'.join(r.candidates)}」相近"
                             f"（相似度 {r.similarity:.2f}），无法确定是哪个单位；其申报暂不参加遴选（U0-UNIT），"
                             "请在人工决定中写 unit_alias（是名册中的某个单位）或 unit_distinct（是另一个单位）"))
        elif r.how == "unknown" and roster is not None and roster.height:
            kind_label = inferred.get(r.unit) or (typed.get(r.unit))
            near = f"；最接近的名册单位：{'、'.join(r.candidates)}" if r.candidates else ""
            typed_text = (f"；按名称推断为「{kind_label}」（如有误，请在人工决定中写 unit_type）" if kind_label
                          else "；无法按名称推断单位类型，按「其他单位」处理")
            warnings.append((file, sheet, row, "单位名称", w, "I-UNIT-UNKNOWN",
                             f"{place}「{w}」{rows_text}不在单位名册中{typed_text}{near}；"
                             "如是名册中单位的简称，请在名册「别名」列补充，或在人工决定中写 unit_alias"))
    if roster is None or not roster.height:
        for unit, kind_label in inferred.items():
            w = next(x for x in written if resolved[x].unit == unit)
            file, sheet, row = first_row[w]
            warnings.append((file, sheet, row, "单位名称", unit, "I-UNIT-TYPE",
                             f"未提供单位名册：「{unit}」的单位类型"
                             + (f"按名称推断为「{kind_label}」" if kind_label else "无法按名称推断，按「其他单位」处理")
                             + "（如有误，请在人工决定中写 unit_type）"))
    frame = frame.drop([c for c in ("_unit_written",) if c in frame.columns]).with_columns(
        pl.Series("unit_raw", written, dtype=pl.Utf8), pl.Series("unit", units, dtype=pl.Utf8),
        pl.Series("unit_type", types, dtype=pl.Utf8), pl.Series("branch", branches, dtype=pl.Utf8),
        pl.Series("unit_match", how, dtype=pl.Utf8), pl.Series("unit_similarity", sims, dtype=pl.Float64),
        pl.Series("unit_type_source", type_from, dtype=pl.Utf8))
    return frame, warnings


def _year_problems(frame: pl.DataFrame, policy: "Policy") -> list[tuple[int, str, str, str]]:
    """Rows that are not this year's plans, or whose dates contradict each other (need the policy's year)."""

    year, margin = policy.year, policy.intake.date_margin_days
    first = dt.date(year, 1, 1) - dt.timedelta(days=margin)
    last = dt.date(year, 12, 31) + dt.timedelta(days=margin)
    out: list[tuple[int, str, str, str]] = []
    cols = [c for c in ("year", "start_date", "end_date", "days") if c in frame.columns]
    for i, row in _rows_flagged(frame, cols, _year_suspects(frame, year, first, last)):
        y = row.get("year")
        if y is not None and y != year:
            out.append((i, "year", "I-YEAR", f" {year}（本次遴选的计划年度；{y} 年度的计划不参加本年度审查）"))
            continue
        s, e, d = row.get("start_date"), row.get("end_date"), row.get("days")
        for col, day in (("start_date", s), ("end_date", e)):
            if day is not None and not (first <= day <= last):
                out.append((i, col, "I-DATE-YEAR", f" {year} 年度内的日期（可早于 1 月 1 日或晚于 12 月 31 日至多 {margin} 天）"))
                break
        else:
            if s is not None and e is not None and d is not None and d > (e - s).days + 1 + 1e-9:
                out.append((i, "days", "I-DATE-SPAN",
                            f"不超过培训起止日期所跨天数的天数（{s:%Y-%m-%d} 至 {e:%Y-%m-%d} 共 {(e - s).days + 1} 天）"))
    return out


def _rows_flagged(frame: pl.DataFrame, cols: list[str], suspect: pl.Expr | None):
    """(position, row as a dict) of the rows ``suspect`` flags, in order: the per-row checks read only these.

    ``suspect`` is a vectorised test that flags every row the per-row check could report (a superset);
    None reads every row."""
    if suspect is None or not cols:
        yield from enumerate(frame.select(cols).iter_rows(named=True))
        return
    picked = frame.select(*cols).with_row_index("_i").filter(suspect.fill_null(True))
    for row in picked.iter_rows(named=True):
        yield row.pop("_i"), row


def _year_suspects(frame: pl.DataFrame, year: int, first: dt.date, last: dt.date) -> pl.Expr | None:
    """Rows :func:`_year_problems` may report: another year, a date outside the margins, 天数 near or over
    the dates' span (a superset: the per-row check decides)."""
    names = frame.columns
    if not all(c in names for c in ("year", "start_date", "end_date", "days")) or not all(
            frame.schema[c] == pl.Date for c in ("start_date", "end_date")) or not (
            frame.schema["year"].is_numeric() and frame.schema["days"].is_numeric()):
        return None  # not the settled types: every row goes through the per-row check
    s, e = pl.col("start_date"), pl.col("end_date")
    span = (e - s).dt.total_days().cast(pl.Float64) + 1.0
    return ((pl.col("year").is_not_null() & (pl.col("year") != year))
            | (s.is_not_null() & ((s < first) | (s > last))) | (e.is_not_null() & ((e < first) | (e > last)))
            | (pl.col("days").cast(pl.Float64, strict=False) > span - 1e-6))


def _money_warnings(frame: pl.DataFrame, policy: "Policy") -> list[tuple]:
    """Budgets so far above the platform's per-head-per-day caps that 元 was probably typed as 万元."""
    need = {"budget", "trainees", "days"}
    if not need <= set(frame.columns):
        return []
    caps = policy.platform.fee_caps
    default = caps.get("处级及以下", min(caps.values()))
    factor = policy.intake.money_unit_factor
    out = []
    cols = ["budget", "trainees", "days", "fee_level", *PROVENANCE]
    present = [c for c in cols if c in frame.columns]
    suspect = None
    if all(c in present for c in ("budget", "trainees", "days")):
        level_cap = (pl.col("fee_level").cast(pl.Utf8, strict=False)
                     .replace_strict(caps, default=default, return_dtype=pl.Float64)
                     if "fee_level" in present else pl.lit(float(default)))
        b_, n_, d_ = (pl.col(c).cast(pl.Float64, strict=False) for c in ("budget", "trainees", "days"))
        suspect = (b_ * 10000.0 / (n_ * d_)) > factor * level_cap * (1 - 1e-9)  # the per-row test decides
    for _, r in _rows_flagged(frame, present, suspect):
        b, n, d = r["budget"], r["trainees"], r["days"]
        if not b or not n or not d:
            continue
        cap = caps.get(r.get("fee_level") or "", default)
        per_day = b * 10000 / (n * d)
        if per_day > factor * cap:
            out.append((r["source_file"], r["source_sheet"], r["source_row"], "经费预算(万元)", f"{b:g}", "I-MONEY-UNIT",
                        f"{describe_place(r['source_file'], r['source_sheet'], r['source_row'], '经费预算(万元)')}为 "
                        f"{b:g} 万元，人均每日 {per_day:,.0f} 元，是标准 {cap:g} 元的 {per_day / cap:,.0f} 倍；"
                        "可能把“元”填成了“万元”，请与单位核实"))
    return out


def _declares(frame: pl.DataFrame) -> pl.Series:
    flags = [pl.col(c).fill_null(False) for c in ("apply_funding", "apply_support", "jingpin_flag", "mohrss")
             if c in frame.columns]
    return frame.select(pl.any_horizontal(flags) if flags else pl.lit(False)).to_series()


def _duplicates(frame: pl.DataFrame) -> tuple[list[tuple[int, str, str, str]], list[str | None]]:
    """Rows that repeat an application: the same platform ID, or the same unit, folded name and year.

    The first row that declares anything (then the first in file order) stays; the others are set aside.
    """
    n = frame.height
    declares = _declares(frame).to_list()
    order = sorted(range(n), key=lambda i: (not declares[i], i))
    ids = [str(v).strip().removesuffix(".0") if v is not None else None for v in frame.get_column("plan_id").to_list()]
    units, names = frame["unit"].to_list(), frame["train_name"].to_list()
    unit_keys = {u: unit_key(u) for u in set(units)}  # once per distinct name, not per row
    name_keys = {t: normalize_name(t) for t in set(names)}
    keys = [f"{unit_keys[u]}|{name_keys[t]}|{y}" for u, t, y in zip(units, names, frame["year"].to_list())]
    prov = frame.select(*PROVENANCE).rows()
    seen_id: dict[str, int] = {}
    seen_key: dict[str, int] = {}
    out: list[tuple[int, str, str, str]] = []
    kept_of: list[str | None] = [None] * n
    by_id: dict[str, list[int]] = {}
    for i, ident in enumerate(ids):
        if ident:
            by_id.setdefault(ident, []).append(i)
    conflicted: set[int] = set()
    for ident, rows in by_id.items():
        if len(rows) > 1 and len({(unit_keys[units[i]], name_keys[names[i]]) for i in rows}) > 1:
            places = "、".join(f"{describe_place(*prov[i])}「{names[i]}」" for i in rows)
            for i in rows:
                out.append((i, "plan_id", "I-ID-CONFLICT",
                            f"的计划ID {ident} 也出现在其他单位或名称不同的行（{places}），无法判断哪一行是该项目，"
                            "几行都已搁置；请单位在平台上核对后重新导出"))
                conflicted.add(i)
    key_count = Counter(keys)
    # a row whose ID and key no other row has is neither a repeat nor repeated: only the others are walked
    shared = [i for i in order if key_count[keys[i]] > 1 or (ids[i] and len(by_id[ids[i]]) > 1)]
    for i in shared:
        if i in conflicted:
            continue
        j = seen_id.get(ids[i]) if ids[i] else None
        how = "计划ID相同"
        if j is None:
            j = seen_key.get(keys[i])
            how = "同一单位、同名、同年度"
        if j is not None:
            file, sheet, row = prov[j]
            out.append((i, "train_name", "I-DUPLICATE",
                        f"与{describe_place(file, sheet, row)}「{names[j]}」是同一项目（{how}），已搁置，只保留那一行；"
                        "请单位删去重复的一条"))
            kept_of[i] = f"{file}|{sheet}|{row}"
            continue
        if ids[i]:
            seen_id[ids[i]] = i
        seen_key.setdefault(keys[i], i)
    return out, kept_of


def settle(intake: Intake, *, policy: "Policy | None" = None, roster: pl.DataFrame | None = None,
           overrides: "Overrides | None" = None) -> Intake:
    """Give accepted plan rows their unit (resolved), this year's checks and a stable ``app_id``.

    With ``policy``: rows of another plan year, dates outside the year (with the policy's margin) and a
    天数 longer than the dates allow are set aside; budgets far above the platform's caps are flagged.
    Always: unit names are resolved against the roster (:mod:`casplan.intake.units`), repeated applications
    are set aside (one stays), and every row gets ``app_id`` (``P`` + 计划ID, else a stable hash of
    unit, name and year). Rows read = rows accepted + rows set aside still holds per file.
    """
    frame = intake.frame
    if frame.height == 0:
        extra_cols = [pl.lit(None, dtype=pl.Utf8).alias(c) for c in
                      ("app_id", "unit_raw", "unit_type", "branch", "unit_match", "unit_type_source")]
        extra_cols.append(pl.lit(None, dtype=pl.Float64).alias("unit_similarity"))
        return replace(intake, frame=frame.with_columns(extra_cols))
    frame, unit_warnings = _resolve_units(frame, roster, policy, overrides)
    problems: list[tuple[int, str, str, str]] = []
    warnings = list(unit_warnings)
    if policy is not None:
        problems += _year_problems(frame, policy)
        warnings += _money_warnings(frame, policy)
    bad = {i for i, *_ in problems}
    if bad:
        keep = [i for i in range(frame.height) if i not in bad]
        intake = _move_aside(intake, frame, problems)
        frame = frame[keep]
    dups, _ = _duplicates(frame)
    if dups:
        intake = _move_aside(intake, frame, dups)
        drop = {i for i, *_ in dups}
        frame = frame[[i for i in range(frame.height) if i not in drop]]
    frame = frame.sort("source_file", "source_sheet", "source_row", nulls_last=True)
    ids = [f"P{str(p).strip().removesuffix('.0')}" if p is not None else stable_id(u, n, y)
           for p, u, n, y in frame.select("plan_id", "unit", "train_name", "year").iter_rows()]
    frame = frame.with_columns(pl.Series("app_id", ids, dtype=pl.Utf8))
    frame = frame.select("app_id", *[c for c in frame.columns if c != "app_id"])
    new_warnings = pl.DataFrame(warnings, schema=PROBLEM_SCHEMA, orient="row") if warnings else empty_problems()
    files = intake.files
    if files.height:
        ok = {(f, s): n for f, s, n in frame.group_by("source_file", "source_sheet").len().iter_rows()}
        files = files.with_columns(
            pl.struct("file", "sheet").map_elements(lambda r: ok.get((r["file"], r["sheet"]), 0),
                                                    return_dtype=pl.Int64).alias("rows_accepted"))
        files = files.with_columns((pl.col("rows_read") - pl.col("rows_accepted")).alias("rows_set_aside"))
    return replace(intake, frame=frame, warnings=pl.concat([new_warnings, intake.warnings]), files=files)


def _move_aside(intake: Intake, frame: pl.DataFrame, problems: list[tuple[int, str, str, str]]) -> Intake:
    """Move accepted rows (positions in ``frame``) to the set-aside rows, with their problems."""
    label_of = {f.name: f.label for f in FIELDS}
    rows = []
    reasons: dict[int, list[str]] = {}
    for i, col, code, expected in problems:
        file, sheet, row = frame["source_file"][i], frame["source_sheet"][i], frame["source_row"][i]
        value = frame[col][i] if col in frame.columns else None
        shown = None if value is None else (f"{value:%Y-%m-%d}" if hasattr(value, "strftime") else f"{value:g}"
                                            if isinstance(value, float) else str(value))
        label = label_of.get(col, col)
        rows.append((file, sheet, row, label, shown, code, problem_message(file, sheet, row, label, shown, expected, code)))
        reasons.setdefault(i, []).append(code)
    idx = sorted(reasons)
    moved = frame[idx].with_columns(pl.Series("reasons", ["；".join(reasons[i]) for i in idx], dtype=pl.Utf8))
    text = moved.select([pl.col(c).cast(pl.Utf8) if moved.schema[c] != pl.Utf8 else pl.col(c)
                         for c in moved.columns if c not in ("app_id",)])
    keep = [c for c in text.columns if c in PROVENANCE or c == "reasons" or text[c].null_count() < text.height]
    rejected = pl.concat([intake.rejected, text.select(keep)], how="diagonal_relaxed").sort(
        "source_file", "source_sheet", "source_row", nulls_last=True)
    set_aside = pl.concat([intake.set_aside, pl.DataFrame(rows, schema=PROBLEM_SCHEMA, orient="row")]).sort(
        "file", "sheet", "row", nulls_last=True, maintain_order=True)
    return replace(intake, rejected=rejected, set_aside=set_aside)


def plan_year(intake: Intake) -> int | None:
    """The plan year of an export: the most frequent 培训年度 (else the year of most start dates)."""
    frame = intake.frame
    for col, expr in (("year", pl.col("year")), ("start_date", pl.col("start_date").dt.year())):
        if col in frame.columns:
            values = frame.select(expr.alias("y")).drop_nulls()
            if values.height:
                # the most frequent year; on a tie the earlier one (a stray typo is more often 2099 than 1999)
                counts = values.group_by("y").len().sort(["len", "y"], descending=[True, False])
                return int(counts["y"][0])
    return None
