"""One schema per table, declared once (pandera on polars), with Chinese failure messages.

The ranges below are the bounds of the *possible*, not of the notice's rules: a
row outside them cannot be used at all (−3 days, 10⁹ trainees) and is set aside
at intake. Whether 2.5 days is enough for a 研修班 is eligibility's business.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

from casplan.intake.fields import (EXPERT_FIELDS, FIELDS, FIELDS_BY_NAME, HISTORY_FIELDS, KIND_DTYPES, REVIEW_FIELDS,
                                   ROSTER_FIELDS, Field)

__all__ = [
    "Bound",
    "PLAN_BOUNDS",
    "HISTORY_BOUNDS",
    "PlanSchema",
    "HistorySchema",
    "RosterSchema",
    "schema_for",
    "failures",
]


@dataclass(frozen=True)
class Bound:
    """The possible range of a numeric column, and how to say it in Chinese."""

    low: float
    high: float
    low_open: bool = False

    def describe(self) -> str:
        low = f"大于 {self.low:g}" if self.low_open else f"不小于 {self.low:g}"
        return f"{low} 且不超过 {self.high:g} 的数"


PLAN_BOUNDS: dict[str, Bound] = {
    "year": Bound(2000, 2100),
    "days": Bound(0, 366, low_open=True),
    "class_hours": Bound(0, 8784),
    "trainees": Bound(0, 100_000),
    "staff": Bound(0, 10_000),
    "budget": Bound(0, 100_000),
    "lectures": Bound(0, 1_000),
    "lecture_hours": Bound(0, 24),
    "support_rank": Bound(1, 1_000),
}

HISTORY_BOUNDS: dict[str, Bound] = {
    "year": Bound(1990, 2100),
    "granted": Bound(0, 100_000),
    "spent": Bound(0, 100_000),
}



def _columns(fields: tuple[Field, ...], bounds: dict[str, Bound], required: tuple[str, ...]) -> dict[str, pa.Column]:
    columns: dict[str, pa.Column] = {}
    for f in fields:
        checks = []
        b = bounds.get(f.name)
        if b is not None:
            checks.append(pa.Check.gt(b.low) if b.low_open else pa.Check.ge(b.low))
            checks.append(pa.Check.le(b.high))
        columns[f.name] = pa.Column(KIND_DTYPES[f.kind], checks=checks, nullable=f.name not in required,
                                    required=f.name in required, coerce=True)
        if f.about:
            columns[f"{f.name}_about"] = pa.Column(pl.Boolean, nullable=True, required=False)
    return columns


def _provenance() -> dict[str, pa.Column]:
    return {
        "source_file": pa.Column(pl.Utf8, nullable=False),
        "source_sheet": pa.Column(pl.Utf8, nullable=True),
        "source_row": pa.Column(pl.Int64, nullable=False),
    }


PlanSchema = pa.DataFrameSchema(
    {**_columns(FIELDS, PLAN_BOUNDS, ("unit", "train_name", "category")), **_provenance()},
    name="培训计划", strict=False, coerce=True,
)
HistorySchema = pa.DataFrameSchema(
    {**_columns(HISTORY_FIELDS, HISTORY_BOUNDS, ("unit", "year", "train_name")), **_provenance()},
    name="往年项目", strict=False, coerce=True,
)
RosterSchema = pa.DataFrameSchema(
    {**_columns(ROSTER_FIELDS, {}, ("unit",)), **_provenance()},
    name="单位名册", strict=False, coerce=True,
)

REVIEW_BOUNDS: dict[str, Bound] = {"score": Bound(0, 100), "confidence": Bound(0, 100)}
ReviewSchema = pa.DataFrameSchema(
    {**_columns(REVIEW_FIELDS, REVIEW_BOUNDS, ("app_id", "reviewer", "score")), **_provenance()},
    name="专家评审", strict=False, coerce=True,
)

EXPERT_BOUNDS: dict[str, Bound] = {"max_load": Bound(0, 10_000, low_open=True)}
ExpertSchema = pa.DataFrameSchema(
    {**_columns(EXPERT_FIELDS, EXPERT_BOUNDS, ("name", "unit")), **_provenance()},
    name="评审专家", strict=False, coerce=True,
)

_SCHEMAS = {"plans": (PlanSchema, PLAN_BOUNDS), "history": (HistorySchema, HISTORY_BOUNDS),
            "roster": (RosterSchema, {}), "reviews": (ReviewSchema, REVIEW_BOUNDS),
            "experts": (ExpertSchema, EXPERT_BOUNDS)}


def schema_for(table: str) -> pa.DataFrameSchema:
    """The schema of ``plans``, ``history`` or ``roster``."""
    return _SCHEMAS[table][0]


def failures(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Validate lazily; one row per failing cell: ``index, column, code, expected``.

    ``index`` is the row position in ``frame``. An empty frame means every row passed.

    >>> import polars as pl
    >>> df = pl.DataFrame({"unit": ["物理所"], "train_name": ["班"], "category": ["研修班"],
    ...                    "days": [-3.0], "source_file": ["a.xlsx"], "source_sheet": [None],
    ...                    "source_row": [2]}, schema_overrides={"source_sheet": pl.Utf8})
    >>> failures(df, "plans").select("index", "column", "code").rows()
    [(0, 'days', 'I-RANGE')]
    """
    schema, bounds = _SCHEMAS[table]
    # Types are already right (the normalisers built them): validate the columns that carry checks.
    present = {k: v for k, v in schema.columns.items()
               if (k in frame.columns and (v.checks or not v.nullable)) or v.required}
    sub = pa.DataFrameSchema(present, name=schema.name, strict=False, coerce=True)
    try:
        sub.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return pl.DataFrame(schema={"index": pl.Int64, "column": pl.Utf8, "code": pl.Utf8, "expected": pl.Utf8})
    rows = []
    for case in cases.iter_rows(named=True):
        column, check, index = case["column"], str(case["check"]), case["index"]
        if index is None:
            continue
        if "nullable" in check or "not_nullable" in check:
            label = FIELDS_BY_NAME[column].label if column in FIELDS_BY_NAME else column
            rows.append((int(index), column, "I-REQUIRED", f"「{label}」不能为空"))
        elif column in bounds:
            rows.append((int(index), column, "I-RANGE", bounds[column].describe()))
        else:
            rows.append((int(index), column, "I-TYPE", check))
    out = pl.DataFrame(rows, schema={"index": pl.Int64, "column": pl.Utf8, "code": pl.Utf8, "expected": pl.Utf8},
                       orient="row")
    return out.unique(maintain_order=True).sort("index", "column")
