"""The sample year's recorded review round (issue 17, item 6): reproducible, and what collecting finds in it is
what the recording says it put there — every mistake named, every row counted."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from casplan.reviews import collect, status
from casplan.reviews.round import read_record

ROUND = Path(__file__).resolve().parents[1] / "data" / "samples" / "2023-reviews"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((ROUND / "EXPECTED.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def collected():
    record = read_record(ROUND / "已发出" / "评审分配.json")
    return record, collect(ROUND / "已交回", record)


def test_the_committed_round_is_what_the_generator_makes(tmp_path):
    from tools.sample_round import generate

    generate(tmp_path / "round")
    assert _files(tmp_path / "round") == _files(ROUND)


def test_collecting_the_sample_round_finds_every_mistake_and_counts_every_row(expected, collected):
    record, got = collected
    assert got.reviews.height == expected["valid_reviews"]
    assert got.rows_read == got.reviews.height + int(got.files["rows_set_aside"].sum())
    problems = got.problems
    by_file = {m["file"]: m for m in expected["mistakes"]}
    for m in expected["mistakes"]:
        mine = got.reviews.filter(pl.col("expert_id") == m["expert_id"])
        assert mine.height == m["valid"], m
        if m["kind"] not in ("renamed", "added_row", "twice"):
            assert problems.filter(pl.col("file") == m["file"]).height >= 1, m
    words = {"out_of_range": "超出范围", "in_words": "不是数字", "empty": "为空", "deleted_row": "该行被删除",
             "added_row": "不是发给", "edited_title": "不符", "twice": "这是第二份", "other_round": "不在本次分配的专家中",
             "conflict": "声明回避"}
    text = "\n".join(problems["message"].to_list())
    for kind, word in words.items():
        assert word in text, kind
    renamed = next(m for m in expected["mistakes"] if m["kind"] == "renamed")
    assert renamed["file"] in set(got.files["file"].to_list()) and renamed["file"] in by_file
    # who has not answered: the three silent experts, and the one whose packet belongs to another round
    experts, short = status(record, got)
    missing = set(experts.filter(pl.col("状态") == "未交回")["专家编号"].to_list())
    other = next(m["expert_id"] for m in expected["mistakes"] if m["kind"] == "other_round")
    assert missing == set(expected["not_returned"]) | {other}
    assert short.height > 0 and (short["有效评分"] < short["应评"]).all()


def test_the_collected_round_feeds_the_selection(collected, tmp_path):
    from casplan.io import write_frame
    from casplan.pipeline import Inputs, run_year

    _, got = collected
    path = write_frame(got.reviews.select(pl.col("app_id").alias("申报编号"), pl.col("reviewer").alias("评审专家"),
                                          pl.col("score").alias("评分")), tmp_path / "评审结果.csv")
    sample = ROUND.parent / "2023"
    year = run_year(Inputs.of(sample / "plans.xlsx", history=sample / "history.xlsx", roster=sample / "roster.xlsx",
                              reviews=path))
    reviewed = year.shortlist.scores.table.filter(pl.col("review").is_not_null())
    assert reviewed["app_id"].n_unique() == got.reviews["app_id"].n_unique()
    assert year.shortlist.selection.ok
