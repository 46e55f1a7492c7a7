"""The 重点支持方向: the vocabulary of directions and words (:mod:`casplan.directions.vocabulary`), the matcher that finds them in a plan's texts (:mod:`casplan.directions.matcher`), and its agreement with hand labels (:mod:`casplan.directions.quality`)."""

from casplan.lazy import attach

_HOME = {
    "DEFAULT_THRESHOLD": "vocabulary",
    "TEXT_FIELDS": "vocabulary",
    "Term": "vocabulary",
    "Direction": "vocabulary",
    "TrackDirections": "vocabulary",
    "Vocabulary": "vocabulary",
    "load_directions": "vocabulary",
    "parse_directions": "vocabulary",
    "read_directions_source": "vocabulary",
    "default_vocabulary": "vocabulary",
    "packaged_vocabulary_path": "vocabulary",
    "normalise_term": "vocabulary",
    "TermHit": "matcher",
    "DirectionMatch": "matcher",
    "Matcher": "matcher",
    "match_text": "matcher",
    "match_frame": "matcher",
    "best_direction": "matcher",
    "check_threshold": "matcher",
    "LabelScore": "quality",
    "evaluate_labels": "quality",
}
__all__ = list(_HOME)
__getattr__, __dir__ = attach(__name__, _HOME)
