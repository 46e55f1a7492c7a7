"""What :func:`casplan.selection.solve` returns: the :class:`Selection`, its clashes and its greedy baselines (computed when first read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from casplan.errors import SelectionError

JSON_NAMES = {"app_id": "id", "train_name": "name"}
"""The columns' names in the ``--json`` output (an interface: it keeps the names it always had)."""

__all__ = ["Clash", "GreedyResult", "Selection", "JSON_NAMES"]


@dataclass(frozen=True)
class Clash:
    """One constraint that cannot hold, with the numbers (Chinese ``message``).

    ``kind`` is one of ``quota_upper``, ``quota_lower``, ``budget_total``,
    ``budget_track``, ``unit_limit``, ``unit_track_limit``,
    ``forced_ineligible``, ``forced_conflict``; ``subject`` names the track,
    unit or application; ``excess`` is by how much the limit is missed
    (places or 万元).
    """

    kind: str
    subject: str
    limit: float | None
    value: float | None
    excess: float | None
    message: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {"kind": self.kind, "subject": self.subject, "limit": self.limit,
                "value": self.value, "excess": self.excess, "message": self.message}


@dataclass(frozen=True)
class GreedyResult:
    """A greedy choice under the same constraints, beside the optimum.

    ``feasible`` is False when the greedy pass could not honour a band's lower
    bound or a forced include; ``gap`` is the optimum's total minus this one
    (``None`` when either is missing).
    """

    key: str
    chosen: pl.DataFrame
    objective: float
    feasible: bool
    gap: float | None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict; ``selected`` sorted by (track, id)."""
        rows = self.chosen.sort("track", "app_id").select(pl.col("app_id").alias("id"), "track").to_dicts()
        return {"key": self.key, "objective": self.objective, "feasible": self.feasible,
                "gap": self.gap, "selected": rows}


@dataclass(frozen=True)
class Selection:
    """The outcome of :func:`solve`.

    Attributes
    ----------
    status : ``optimal`` / ``time_limit`` / ``infeasible`` / ``error``.
    status_code : 0 / 1 / 2 / 4 (the codes of :func:`scipy.optimize.milp`, kept by :mod:`casplan.selection.highs`).
    status_text : the status in Chinese.
    objective : total (rounded) score of the chosen pairs; ``None`` without a choice.
    solve_ms : wall time of the solver kernel in milliseconds.
    chosen : id, unit, name, track, track_name, score, cost, rank_in_track,
        margin_over_best_excluded, forced — one row per chosen pair.
    decisions : one row per application: id, unit, name, track (chosen track, or
        the track its reason refers to), track_name, chosen, code, message,
        score, rank_in_track, cutoff, margin, blocker_id.
    tracks : per track: track, track_name, n_candidates, n_chosen, lower, upper,
        cutoff, cost, budget.
    greedy : ``{"score": GreedyResult, "score_per_cost": GreedyResult}``, computed when first read
        (the report and the CLI show them; a what-if move never pays for them).
    clashes : the clashing constraints when infeasible.
    budget_total, budget_spent : 万元 (``budget_total`` None = no cap).
    """

    status: str
    status_code: int
    status_text: str
    objective: float | None
    solve_ms: float
    chosen: pl.DataFrame
    decisions: pl.DataFrame
    tracks: pl.DataFrame
    clashes: tuple[Clash, ...]
    budget_total: float | None
    budget_spent: float
    model: Any = field(default=None, repr=False, compare=False)
    _greedy: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def greedy(self) -> Mapping[str, GreedyResult]:
        """The greedy baselines under the same constraints (by score, by score per 万元), beside the optimum."""
        if not self._greedy and self.model is not None:
            from casplan.selection.baseline import baselines

            self._greedy.update(baselines(self.model, self.objective))
        return self._greedy

    @property
    def ok(self) -> bool:
        """True when a feasible choice exists (optimal, or best found at the time limit)."""
        return self.status in ("optimal", "time_limit")

    def raise_for_status(self) -> "Selection":
        """Raise :class:`~casplan.errors.SelectionError` (with ``clashes``) unless ``ok``."""
        if not self.ok:
            text = "；".join(c.message for c in self.clashes) or self.status_text
            err = SelectionError(f"{self.status_text}：{text}")
            err.clashes = list(self.clashes)  # type: ignore[attr-defined]
            raise err
        return self

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (no timing: equal inputs give equal dicts)."""
        return {
            "status": self.status,
            "status_code": self.status_code,
            "status_text": self.status_text,
            "objective": self.objective,
            "budget_total": self.budget_total,
            "budget_spent": self.budget_spent,
            "selected": self.chosen.sort("track", "app_id").select(pl.col("app_id").alias("id"), "track").to_dicts(),
            "decisions": self.decisions.sort("app_id").rename(JSON_NAMES, strict=False).to_dicts(),
            "tracks": self.tracks.to_dicts(),
            "greedy": {k: g.to_dict() for k, g in sorted(self.greedy.items())},
            "clashes": [c.to_dict() for c in self.clashes],
        }
