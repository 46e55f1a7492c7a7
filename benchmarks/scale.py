"""Seeded N× copies of the sample year, for the benchmarks.

    .venv/bin/python benchmarks/scale.py --scale 10 [--seed 2023] [--out DIR]

A year at scale N is N *groups*, each a copy of the sample year
(:func:`tools.sample.generate` with the seed): group 1 is the sample year
itself; in group k ≥ 2 every unit name, alias and 所属分院 gets the suffix
``（第k组）`` (so the roster, the history and the per-unit rules — one
application per institute, one 人社部 project per unit, the 2022 execution
rate — hold within each group as in the sample), and every 计划ID ``23xxxxx``
becomes ``23kkkxxxxx`` (``kkk`` = k − 1, three digits). Plans, roster, history and
expert reviews all grow N-fold; the applications (rows asking for 院级资助 or
专项技术支持) grow in proportion.

The policy grows with the year: ``policy.yaml`` is the packaged 2023 policy
with every track's quota and tolerance, and the budget, multiplied by N (the
selection stays the same kind of problem: about one application in ten is
chosen); ``directions-2023.yaml`` is copied beside it.

Files written (all plan rows in one sheet even at 100×: 307,300 rows is well
under the 1,048,576 rows an xlsx sheet holds)::

    plans.xlsx  history.xlsx  roster.xlsx  reviews.csv  policy.yaml  directions-2023.yaml  report-params.yaml
    year.json   (counts, seed, scale, and the cache key)

Years are cached under ``benchmarks/out/years/x<N>-seed<S>/`` (git-ignored); the
cache key is a hash of this file, :mod:`tools.sample` and the packaged policy,
so a change in any of them makes a fresh copy. The same seed and scale always
give the same bytes.

>>> _suffix(0), _suffix(2)
('', '（第3组）')
>>> _plan_id("2304677", 0), _plan_id("2304677", 12)
('2304677', '2301204677')
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:          # the generator lives in the checkout's tools/
    sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out" / "years"
DEFAULT_SEED = 2023
CREATED = dt.datetime(2022, 11, 30)
_UNIT_COLUMNS = ("单位名称", "主办单位")


def _suffix(k: int) -> str:
    """The unit-name suffix of group ``k`` (0-based; group 0 keeps the sample's names)."""
    return "" if k == 0 else f"（第{k + 1}组）"


def _plan_id(plan_id: str, k: int) -> str:
    """计划ID of the copy in group ``k``: ``23`` + three digits of k + the sample's serial."""
    return plan_id if k == 0 else f"{plan_id[:2]}{k:03d}{plan_id[2:]}"


def _cache_key(seed: int, scale: int) -> str:
    from tools import sample
    from casplan.policy import default_policy_path

    digest = hashlib.sha256(f"{scale}|{seed}|".encode())
    for path in (Path(__file__), Path(sample.__file__), default_policy_path()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- the pure part: frames in, frames out ---------------------------------------------------------

def _rename_units(frame: pl.DataFrame, k: int, columns: tuple[str, ...]) -> pl.DataFrame:
    sfx = _suffix(k)
    if not sfx:
        return frame
    present = [c for c in columns if c in frame.columns]
    return frame.with_columns(pl.when(pl.col(c).is_not_null() & (pl.col(c) != "")).then(pl.col(c) + sfx)
                              .otherwise(pl.col(c)).alias(c) for c in present)


def scale_frames(base: dict[str, pl.DataFrame], scale: int) -> dict[str, pl.DataFrame]:
    """N groups of the sample year's tables (``plans``, ``history``, ``roster``, ``reviews``).

    Parameters
    ----------
    base : the sample year's tables as read (Chinese headers).
    scale : the number of groups (1 returns the tables unchanged).

    Examples
    --------
    >>> roster = pl.DataFrame({"单位名称": ["中国科学院物理研究所"], "单位类型": ["研究所"], "所属分院": ["北京分院"],
    ...                        "别名": ["物理所；IOP"]})
    >>> plans = pl.DataFrame({"计划ID": ["2300001"], "单位名称": ["中国科学院物理研究所"], "主办单位": [None]},
    ...                      schema_overrides={"主办单位": pl.String})
    >>> history = pl.DataFrame({"单位名称": ["中国科学院物理研究所"], "年度": [2022]})
    >>> reviews = pl.DataFrame({"申报编号": ["P2300001"], "评审专家": ["甲"], "评分": [80]})
    >>> out = scale_frames({"plans": plans, "history": history, "roster": roster, "reviews": reviews}, 2)
    >>> out["roster"]["别名"].to_list()
    ['物理所；IOP', '物理所（第2组）；IOP（第2组）']
    >>> out["plans"]["计划ID"].to_list(), out["reviews"]["申报编号"].to_list()
    (['2300001', '2300100001'], ['P2300001', 'P2300100001'])
    """
    plans, history, roster, reviews = (base[k] for k in ("plans", "history", "roster", "reviews"))
    groups: dict[str, list[pl.DataFrame]] = {"plans": [], "history": [], "roster": [], "reviews": []}
    for k in range(scale):
        sfx = _suffix(k)
        groups["plans"].append(_rename_units(plans, k, _UNIT_COLUMNS).with_columns(
            pl.col("计划ID").map_elements(lambda v, k=k: _plan_id(v, k), return_dtype=pl.String)))
        groups["history"].append(_rename_units(history, k, ("单位名称",)))
        r = _rename_units(roster, k, ("单位名称", "所属分院"))
        if sfx:
            r = r.with_columns(pl.col("别名").map_elements(
                lambda a, sfx=sfx: "；".join(x + sfx for x in a.split("；") if x), return_dtype=pl.String))
        groups["roster"].append(r)
        groups["reviews"].append(reviews.with_columns(pl.col("申报编号").map_elements(
            lambda v, k=k: "P" + _plan_id(v.removeprefix("P"), k), return_dtype=pl.String)))
    return {name: pl.concat(parts) for name, parts in groups.items()}


def scale_policy(text: str, scale: int) -> dict:
    """The policy mapping with every quota, tolerance and the budget multiplied by ``scale``.

    >>> p = scale_policy("tracks:\\n  - {id: a, quota: 10, tolerance: 2}\\nbudget: {total: 900, per_track: {a: 300}}\\n", 3)
    >>> p["tracks"][0]["quota"], p["tracks"][0]["tolerance"], p["budget"]
    (30, 6, {'total': 2700, 'per_track': {'a': 900}})
    """
    import yaml

    policy = yaml.safe_load(text)
    for track in policy["tracks"]:
        track["quota"] = track["quota"] * scale
        if "tolerance" in track:
            track["tolerance"] = track["tolerance"] * scale
    budget = policy["budget"]
    if budget.get("total") is not None:
        budget["total"] = budget["total"] * scale
    budget["per_track"] = {t: v * scale for t, v in (budget.get("per_track") or {}).items()}
    # the intake's file limits guard against hostile files of one year's size; the 100× export is
    # 44 MB (370 MB unzipped), so the copies' policy lets files grow with the year
    limits = (policy.get("intake") or {}).get("limits") or {}
    for key in ("max_file_mb", "max_uncompressed_mb"):
        if key in limits:
            limits[key] = limits[key] * max(1, scale // 10)
    return policy


# --- writing ------------------------------------------------------------------------------------

def _write_xlsx(path: Path, frame: pl.DataFrame, sheet: str) -> None:
    """One sheet, header on row 1, cells typed as the sample writes them; deterministic bytes."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False,
                                         "strings_to_formulas": False})
    wb.set_properties({"created": CREATED, "author": "casplan benchmarks", "title": "casplan scaled sample"})
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    fmt = {pl.Date: wb.add_format({"num_format": "yyyy-mm-dd"}),
           pl.Datetime: wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})}
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, frame.columns, header)
    writers = []
    for c, dtype in enumerate(frame.dtypes):
        if dtype.is_numeric():
            writers.append((c, ws.write_number, None))
        elif dtype == pl.Date:
            writers.append((c, ws.write_datetime, fmt[pl.Date]))
        elif isinstance(dtype, pl.Datetime):
            writers.append((c, ws.write_datetime, fmt[pl.Datetime]))
        else:
            writers.append((c, ws.write_string, None))
    frame = frame.with_columns(pl.col(pl.Date).cast(pl.Datetime("us")))
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, write, cell_format in writers:
            value = row[c]
            if value is None or value == "":
                continue
            if cell_format is None:
                write(r, c, value)
            else:
                write(r, c, value, cell_format)
    ws.freeze_panes(1, 0)
    wb.close()


def _read_base(seed: int, folder: Path) -> dict[str, pl.DataFrame]:
    from tools.sample import generate

    generate(folder, seed=seed)
    frames = {name: pl.read_excel(folder / f"{name}.xlsx", infer_schema_length=None)
              for name in ("plans", "history", "roster")}
    frames["reviews"] = pl.read_csv(folder / "reviews.csv", infer_schema=False)
    return frames


def _counts(frames: dict[str, pl.DataFrame]) -> dict[str, int]:
    plans = frames["plans"]
    asks = (pl.col("是否申请资助") == "是") | (pl.col("是否申请专项技术支持") == "是")
    return {"plan_rows": plans.height, "applications": plans.filter(asks).height,
            "units": frames["roster"].height, "history_rows": frames["history"].height,
            "review_rows": frames["reviews"].height}


def write_year(frames: dict[str, pl.DataFrame], out_dir: Path, *, scale: int) -> None:
    """Write the scaled tables, the scaled policy and a report-params file into ``out_dir``."""
    import yaml

    from casplan.policy import default_policy_path, load_policy

    out_dir.mkdir(parents=True, exist_ok=True)
    _write_xlsx(out_dir / "plans.xlsx", frames["plans"], "培训计划")
    _write_xlsx(out_dir / "history.xlsx", frames["history"], "往年项目")
    _write_xlsx(out_dir / "roster.xlsx", frames["roster"], "名册")
    reviews = frames["reviews"]
    lines = [",".join(reviews.columns)] + [",".join(row) for row in reviews.iter_rows()]
    (out_dir / "reviews.csv").write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    source = default_policy_path()
    policy = scale_policy(source.read_text(encoding="utf-8"), scale)
    (out_dir / "policy.yaml").write_text(
        f"# 基准测试：2023 年政策，名额、容差与经费总额 ×{scale}（由 benchmarks/scale.py 生成）\n"
        + yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copyfile(source.parent / policy["directions"], out_dir / policy["directions"])
    load_policy(out_dir / "policy.yaml")  # the scaled policy must still be a valid policy
    (out_dir / "report-params.yaml").write_text(
        "year: 2023\nplans: plans.xlsx\nhistory: history.xlsx\nroster: roster.xlsx\nreviews: reviews.csv\n"
        "policy: policy.yaml\n", encoding="utf-8")


def scaled_year(scale: int, *, seed: int = DEFAULT_SEED, root: Path = OUT) -> Path:
    """The folder of the year at ``scale`` (made on first use, then reused from the cache)."""
    key = _cache_key(seed, scale)
    folder = root / f"x{scale}-seed{seed}"
    stamp = folder / "year.json"
    if stamp.exists():
        try:
            if json.loads(stamp.read_text(encoding="utf-8")).get("key") == key:
                return folder
        except ValueError:
            pass
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".x{scale}-seed{seed}-"))
    tmp.chmod(0o755)
    try:
        frames = scale_frames(_read_base(seed, tmp / "base"), scale)
        shutil.rmtree(tmp / "base")
        write_year(frames, tmp, scale=scale)
        info = {"scale": scale, "seed": seed, "key": key, **_counts(frames)}
        (tmp / "year.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.rename(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def year_info(folder: Path) -> dict:
    """The counts written beside a scaled year (``year.json``)."""
    return json.loads((folder / "year.json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write (or find in the cache) the sample year at N× scale.")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=OUT, help="cache root (default benchmarks/out/years)")
    args = ap.parse_args(argv)
    folder = scaled_year(args.scale, seed=args.seed, root=args.out)
    print(folder)
    print(json.dumps(year_info(folder), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
