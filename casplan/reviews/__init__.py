"""The expert review round: assigning experts without conflicts (:mod:`casplan.reviews.assignment`), the scoring workbooks (:mod:`casplan.reviews.packets`), collecting what comes back (:mod:`casplan.reviews.collecting`), the round end to end (:mod:`casplan.reviews.round`), and what the committee should know about the reviews (:mod:`casplan.reviews.audit`)."""

from casplan.lazy import attach

_HOME = {
    "Assignment": "assignment",
    "expert_table": "assignment",
    "fit_table": "assignment",
    "assign": "assignment",
    "conflict_of": "assignment",
    "PACKET_SHEET": "packets",
    "META_SHEET": "packets",
    "packet_name": "packets",
    "packet_fingerprint": "packets",
    "packet_bytes": "packets",
    "assignment_sheets": "packets",
    "Collected": "collecting",
    "collect": "collecting",
    "status": "collecting",
    "REVIEWER_LABEL": "collecting",
    "ASSIGNMENT_BOOK": "round",
    "ASSIGNMENT_RECORD": "round",
    "PACKETS_DIR": "round",
    "RoundPlan": "round",
    "eligible_once": "round",
    "review_applications": "round",
    "plan_round": "round",
    "write_round": "round",
    "read_record": "round",
    "review_coverage": "audit",
    "expert_leniency": "audit",
    "review_disagreements": "audit",
}
__all__ = list(_HOME)
__getattr__, __dir__ = attach(__name__, _HOME)
