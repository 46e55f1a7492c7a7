"""Quality and speed of the support-direction matcher on labelled sets.

Usage::

    python benchmarks/matcher_quality.py [FILE ...] [--threshold X] [--policy-directions YAML] [--rows N]

FILE is a labelled CSV (培训名称, 培训内容, track, expected; expected = direction
names joined by "；", empty when none applies). Default: the tuning set
``tests/data/direction_labels.csv`` and the holdout ``tests/data/direction_holdout.csv``.

For each file it prints micro precision, recall and F1 over (text, direction)
pairs, the counts per direction, every confusion (误报 = predicted but not
expected, 漏报 = expected but missed, with the score and the words that hit),
and the time to match the file. Then it times :func:`casplan.directions.match_frame`
over N (default 3,000) distinct plan rows with all four text fields, built from
the labelled rows (each row made unique so that no caching can help). Exit 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

from casplan.directions import DEFAULT_THRESHOLD, evaluate_labels, load_directions, match_frame, match_text

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = [ROOT / "tests" / "data" / "direction_labels.csv", ROOT / "tests" / "data" / "direction_holdout.csv"]


def _per_direction(labels: pl.DataFrame, errors: pl.DataFrame) -> pl.DataFrame:
    expected = (
        labels.select(pl.col("expected").fill_null("").str.split("；").alias("direction"))
        .explode("direction")
        .filter(pl.col("direction") != "")
        .group_by("direction")
        .len("expected")
    )
    kinds = errors.group_by("direction").agg(
        fp=(pl.col("kind") == "误报").sum(), fn=(pl.col("kind") == "漏报").sum()
    )
    return (
        expected.join(kinds, on="direction", how="full", coalesce=True)
        .fill_null(0)
        .with_columns(tp=pl.col("expected") - pl.col("fn"))
        .select("direction", "expected", "tp", "fp", "fn")
        .sort(["fp", "fn", "expected"], descending=True)
    )


def _synthetic(labels: pl.DataFrame, n: int) -> pl.DataFrame:
    rows = labels.rows(named=True)
    pick = [rows[i % len(rows)] for i in range(n)]
    return pl.DataFrame(
        {
            "app_id": [f"A{i:05d}" for i in range(n)],
            "train_name": [f"{r['培训名称']}（第{i}期）" for i, r in enumerate(pick)],
            "goal": [f"面向科研骨干，{r['培训内容'] or ''}提升专业能力（{i}）" for i, r in enumerate(pick)],
            "content": [(r["培训内容"] or "") * 2 + f"共{i % 9 + 3}天，{i}学时。" for i, r in enumerate(pick)],
            "keywords": [f"{r['培训名称'][:8]}；第{i}期" for i, r in enumerate(pick)],
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--policy-directions", type=Path, default=None)
    parser.add_argument("--rows", type=int, default=3000, help="rows for the speed test (default 3000)")
    args = parser.parse_args(argv)

    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_fmt_str_lengths(40)
    pl.Config.set_tbl_hide_dataframe_shape(True)

    start = time.perf_counter()
    vocab = load_directions(args.policy_directions)
    print(f"词表 {vocab.path}：{len(vocab.directions)} 个方向，"
          f"{sum(len(d.terms) for d in vocab.directions.values())} 个词；载入 {time.perf_counter() - start:.3f} s")
    print(f"阈值 {args.threshold}\n")

    all_labels = []
    for path in args.files:
        labels = pl.read_csv(path, infer_schema=False)
        all_labels.append(labels)
        start = time.perf_counter()
        score = evaluate_labels(labels, vocabulary=vocab, threshold=args.threshold)
        elapsed = time.perf_counter() - start
        none = labels["expected"].is_null().sum()
        print(f"== {path.name}：{labels.height} 行（其中 {none} 行无方向），{score.tp + score.fn} 个期望的（文本，方向）对")
        print(f"   precision {score.precision:.3f}   recall {score.recall:.3f}   F1 {score.f1:.3f}"
              f"   (tp {score.tp}, fp {score.fp}, fn {score.fn})   评估用时 {elapsed:.3f} s")
        if score.errors.height:
            print("   有误的方向：")
            print(_per_direction(labels, score.errors).filter((pl.col("fp") > 0) | (pl.col("fn") > 0)))
            print("   混淆明细：")
            print(score.errors.select("row", "培训名称", "track", "kind", "direction", "score", "terms"))
        print()

    labels = pl.concat(all_labels, how="diagonal_relaxed")
    plans = _synthetic(labels, args.rows)
    chars = plans.select(pl.sum_horizontal(pl.col("train_name", "goal", "content", "keywords").str.len_chars()).sum())
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        out = match_frame(plans, vocabulary=vocab, threshold=args.threshold)
        timings.append(time.perf_counter() - start)
    print(f"== 速度：match_frame 处理 {plans.height} 行 × 4 个文本字段（共 {chars.item():,} 字），"
          f"输出 {out.height:,} 行；三次用时 {', '.join(f'{t:.3f}' for t in timings)} s（最好 {min(timings):.3f} s）")
    start = time.perf_counter()
    for row in plans.head(1000).iter_rows(named=True):
        match_text({k: row[k] for k in ("train_name", "goal", "content", "keywords")}, vocabulary=vocab)
    print(f"   match_text 逐条 1000 条：{time.perf_counter() - start:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
