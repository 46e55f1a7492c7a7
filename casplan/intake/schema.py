"""One schema per table, declared once, with Chinese failure messages; checked by polars expressions, and
the same schema as pandera (on polars) is the reference the tests hold those checks to.

The ranges below are the bounds of the *possible*, not of the notice's rules: a
row outside them cannot be used at all (−3 days, 10⁹ trainees) and is set aside
at intake. Whether 2.5 days is enough for a 研修班 is eligibility's business.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from casplan.intake.fields import (EXPERT_FIELDS, FIELDS, FIELDS_BY_NAME, HISTORY_FIELDS, KIND_DTYPES, REVIEW_FIELDS,
                                   ROSTER_FIELDS, Field)

__all__ = [
    "Bound",
    "ColumnSpec",
    "TableSpec",
    "PLAN_BOUNDS",
    "HISTORY_BOUNDS",
    "spec_for",
    "schema_for",
    "failures",
    "failures_pandera",
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



@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table's schema: its dtype, whether it may be empty, whether it must exist, its range."""

    name: str
    dtype: object
    nullable: bool = True
    required: bool = False
    bound: Bound | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]

    @property
    def bounds(self) -> dict[str, Bound]:
        return {c.name: c.bound for c in self.columns if c.bound is not None}


def _columns(fields: tuple[Field, ...], bounds: dict[str, Bound], required: tuple[str, ...]) -> list[ColumnSpec]:
    out = []
    for f in fields:
        out.append(ColumnSpec(f.name, KIND_DTYPES[f.kind], nullable=f.name not in required,
                              required=f.name in required, bound=bounds.get(f.name)))
        if f.about:
            out.append(ColumnSpec(f"{f.name}_about", pl.Boolean))
    return out


_PROVENANCE = [ColumnSpec("source_file", pl.Utf8, nullable=False), ColumnSpec("source_sheet", pl.Utf8),
               ColumnSpec("source_row", pl.Int64, nullable=False)]

REVIEW_BOUNDS: dict[str, Bound] = {"score": Bound(0, 100), "confidence": Bound(0, 100)}
EXPERT_BOUNDS: dict[str, Bound] = {"max_load": Bound(0, 10_000, low_open=True)}

_SPECS = {
    "plans": TableSpec("培训计划", (*_columns(FIELDS, PLAN_BOUNDS, ("unit", "train_name", "category")), *_PROVENANCE)),
    "history": TableSpec("往年项目", (*_columns(HISTORY_FIELDS, HISTORY_BOUNDS, ("unit", "year", "train_name")),
                                      *_PROVENANCE)),
    "roster": TableSpec("单位名册", (*_columns(ROSTER_FIELDS, {}, ("unit",)), *_PROVENANCE)),
    "reviews": TableSpec("专家评审", (*_columns(REVIEW_FIELDS, REVIEW_BOUNDS, ("app_id", "reviewer", "score")),
                                      *_PROVENANCE)),
    "experts": TableSpec("评审专家", (*_columns(EXPERT_FIELDS, EXPERT_BOUNDS, ("name", "unit")), *_PROVENANCE)),
}
_TYPE_WORDS = {"Float64": "应为数字", "Int64": "应为整数", "Date": "应为日期", "Datetime": "应为日期时间",
               "Boolean": "应为“是”或“否”", "String": "应为文字"}
_EMPTY = {"index": pl.Int64, "column": pl.Utf8, "code": pl.Utf8, "expected": pl.Utf8}


def spec_for(table: str) -> TableSpec:
    """The declared schema of ``plans``, ``history``, ``roster``, ``reviews`` or ``experts``."""
    return _SPECS[table]


def schema_for(table: str):
    """The same schema as a pandera ``DataFrameSchema`` (pandera on polars; imported only here)."""
    import pandera.polars as pa

    spec = _SPECS[table]
    columns = {}
    for c in spec.columns:
        checks = []
        if c.bound is not None:
            checks.append(pa.Check.gt(c.bound.low) if c.bound.low_open else pa.Check.ge(c.bound.low))
            checks.append(pa.Check.le(c.bound.high))
        columns[c.name] = pa.Column(c.dtype, checks=checks, nullable=c.nullable, required=c.required, coerce=True)
    return pa.DataFrameSchema(columns, name=spec.name, strict=False, coerce=True)


def _label(column: str) -> str:
    return FIELDS_BY_NAME[column].label if column in FIELDS_BY_NAME else column


def failures(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Validate; one row per failing cell: ``index, column, code, expected``.

    ``index`` is the row position in ``frame``. An empty frame means every row passed. The checks are
    the declared schema's (:func:`spec_for`), run as polars expressions over whole columns: an empty
    cell of a column that may not be empty (I-REQUIRED), a value outside its range (I-RANGE; NaN is
    outside every range), a value that is not of the column's type (I-TYPE). :func:`failures_pandera`
    runs the same schema through pandera, and the tests hold the two to the same answer.

    >>> import polars as pl
    >>> df = pl.DataFrame({"unit": ["物理所"], "train_name": ["班"], "category": ["研修班"],
    ...                    "days": [-3.0], "source_file": ["a.xlsx"], "source_sheet": [None],
    ...                    "source_row": [2]}, schema_overrides={"source_sheet": pl.Utf8})
    >>> failures(df, "plans").select("index", "column", "code").rows()
    [(0, 'days', 'I-RANGE')]
    """
    spec = _SPECS[table]
    parts = []
    for c in spec.columns:
        if c.name not in frame.columns:
            continue
        col = pl.col(c.name)
        if frame.schema[c.name] != c.dtype:
            cast = col.cast(c.dtype, strict=False)
            bad = col.is_not_null() & cast.is_null()
            parts.append(_flagged(frame, bad, c.name, "I-TYPE", _TYPE_WORDS.get(str(c.dtype), str(c.dtype))))
            col = cast
        if not c.nullable:  # NaN counts as empty, as pandera counts it
            empty = (col.is_null() | col.is_nan()) if c.dtype == pl.Float64 else col.is_null()
            parts.append(_flagged(frame, empty, c.name, "I-REQUIRED", f"「{_label(c.name)}」不能为空"))
        if c.bound is not None:  # the spec's bounded columns are numeric (or cast to it above)
            b = c.bound
            low = (col > b.low) if b.low_open else (col >= b.low)
            outside = col.is_not_null() & ~(low & (col <= b.high)).fill_null(False)
            parts.append(_flagged(frame, outside, c.name, "I-RANGE", b.describe()))
    if not parts:
        return pl.DataFrame(schema=_EMPTY)
    out = pl.concat(parts)
    return out.unique(maintain_order=True).sort("index", "column")


def _flagged(frame: pl.DataFrame, mask: pl.Expr, column: str, code: str, expected: str) -> pl.DataFrame:
    return (frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("index"), mask.alias("_bad"))
            .filter(pl.col("_bad")).select("index", pl.lit(column).alias("column"), pl.lit(code).alias("code"),
                                           pl.lit(expected).alias("expected")))


def failures_pandera(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """:func:`failures` as pandera finds them: the reference the tests hold the polars checks to."""
    import pandera.polars as pa

    schema = schema_for(table)
    bounds = _SPECS[table].bounds
    present = {k: v for k, v in schema.columns.items()
               if (k in frame.columns and (v.checks or not v.nullable)) or v.required}
    sub = pa.DataFrameSchema(present, name=schema.name, strict=False, coerce=True)
    try:
        sub.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return pl.DataFrame(schema=_EMPTY)
    rows = []
    for case in cases.iter_rows(named=True):
        column, check, index = case["column"], str(case["check"]), case["index"]
        if index is None:
            continue
        if "nullable" in check or "not_nullable" in check:
            rows.append((int(index), column, "I-REQUIRED", f"「{_label(column)}」不能为空"))
        elif column in bounds:
            rows.append((int(index), column, "I-RANGE", bounds[column].describe()))
        else:
            rows.append((int(index), column, "I-TYPE", check))
    out = pl.DataFrame(rows, schema=_EMPTY, orient="row")
    return out.unique(maintain_order=True).sort("index", "column")
