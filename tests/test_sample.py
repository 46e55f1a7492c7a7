"""The seeded sample year: determinism, scale, deliberate cases and the dirty files.

Everything is read back from the written files (fastexcel / csv), not from the
generator's memory, so these tests check what an analyst or the intake would see.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import shutil
import time
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from tools import sample
from casplan.intake.fields import FIELDS, HISTORY_FIELDS, ROSTER_FIELDS, match_header

BRANCHES = ["北京分院", "沈阳分院", "长春分院", "上海分院", "南京分院", "武汉分院", "广州分院",
            "成都分院", "昆明分院", "西安分院", "兰州分院", "新疆分院"]
YES = {"是", "√", "1", "1.0"}
NO = {"否", "×", "0", "0.0"}


# -- fixtures --------------------------------------------------------------------
@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    a, b, c = (tmp_path_factory.mktemp(n) for n in ("seed2023a", "seed2023b", "seed7"))
    t0 = time.perf_counter()
    paths = sample.generate(a, seed=2023)
    seconds = time.perf_counter() - t0
    sample.generate(b, seed=2023)
    sample.generate(c, seed=7)
    return {"a": a, "b": b, "other": c, "paths": paths, "seconds": seconds}


@pytest.fixture(scope="module")
def root(runs: dict[str, object]) -> Path:
    return runs["a"]  # type: ignore[return-value]


def _yes_no(frame: pl.DataFrame, labels: list[str]) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).replace_strict({"是": True, "否": False}, return_dtype=pl.Boolean)
                              for c in labels)


@pytest.fixture(scope="module")
def plans(root: Path) -> pl.DataFrame:
    frame = pl.read_excel(root / "plans.xlsx", sheet_name="培训计划", infer_schema_length=None)
    labels = {f.label: f.name for f in FIELDS if f.label in frame.columns}
    frame = frame.rename(labels)
    return _yes_no(frame, ["is_noted", "apply_funding", "apply_support", "mohrss", "foreign_experts"])


@pytest.fixture(scope="module")
def history(root: Path) -> pl.DataFrame:
    frame = pl.read_excel(root / "history.xlsx", sheet_name="往年项目", infer_schema_length=None)
    frame = frame.rename({f.label: f.name for f in HISTORY_FIELDS if f.label in frame.columns})
    return _yes_no(frame, ["held", "funded", "implemented", "completed"])


@pytest.fixture(scope="module")
def roster(root: Path) -> pl.DataFrame:
    frame = pl.read_excel(root / "roster.xlsx", sheet_name="名册", infer_schema_length=None)
    return frame.rename({f.label: f.name for f in ROSTER_FIELDS})


@pytest.fixture(scope="module")
def cases(root: Path) -> dict:
    return json.loads((root / "CASES.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def expected(root: Path) -> dict:
    return json.loads((root / "dirty" / "EXPECTED.json").read_text(encoding="utf-8"))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _unit_cases(cases: dict, case: str) -> set[str]:
    return {c["unit"] for c in cases["unit_cases"] if c["case"] == case}


def _plan_cases(cases: dict, case: str) -> set[str]:
    return {c["plan_id"] for c in cases["cases"] if c["case"] == case}


# -- determinism and files ---------------------------------------------------------
def test_same_seed_gives_byte_identical_files(runs: dict[str, object]) -> None:
    first, second = _files(runs["a"]), _files(runs["b"])  # type: ignore[arg-type]
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_other_seed_gives_other_data(runs: dict[str, object]) -> None:
    first, other = _files(runs["a"]), _files(runs["other"])  # type: ignore[arg-type]
    assert first["plans.xlsx"] != other["plans.xlsx"]
    names = pl.read_excel(runs["other"] / "plans.xlsx")["培训名称"]  # type: ignore[operator]
    mine = pl.read_excel(runs["a"] / "plans.xlsx")["培训名称"]  # type: ignore[operator]
    assert sorted(names.to_list()) != sorted(mine.to_list())


def test_generate_returns_every_file_and_leaves_no_temporaries(runs: dict[str, object]) -> None:
    folder: Path = runs["a"]  # type: ignore[assignment]
    paths: dict[str, Path] = runs["paths"]  # type: ignore[assignment]
    on_disk = set(_files(folder))
    assert set(paths) == on_disk
    assert all(paths[rel] == (folder / rel).resolve() for rel in paths)
    assert not [name for name in on_disk if Path(name).name.startswith(".")]


def test_generation_is_fast(runs: dict[str, object]) -> None:
    assert runs["seconds"] < 10


def test_regenerating_over_another_seed_gives_the_same_folder(runs: dict[str, object],
                                                              tmp_path: Path) -> None:
    target = tmp_path / "reused"
    shutil.copytree(runs["other"], target)  # type: ignore[arg-type]
    sample.generate(target, seed=2023)
    assert _files(target) == _files(runs["a"])  # type: ignore[arg-type]


def test_committed_sample_is_what_the_generator_makes(runs: dict[str, object]) -> None:
    committed = Path(__file__).resolve().parents[1] / "data" / "samples" / "2023"
    assert _files(committed) == _files(runs["a"])  # type: ignore[arg-type]


def test_cli_hooks_write_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="casplan")
    sample.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sample", "--seed", "11", "--out", str(tmp_path / "s")])
    assert args.func(args) == 0
    assert (tmp_path / "s" / "plans.xlsx").is_file()
    assert "已生成样例数据" in capsys.readouterr().out
    defaults = parser.parse_args(["sample"])
    assert (defaults.seed, defaults.out) == (2023, Path("data/samples/2023"))


# -- roster, plans, applications -----------------------------------------------------
def test_roster_has_about_120_units_and_the_12_branches(roster: pl.DataFrame) -> None:
    assert 110 <= roster.height <= 130
    assert roster["unit"].is_unique().all()
    branches = roster.filter(pl.col("unit_type") == "分院")
    assert sorted(branches["branch"].to_list()) == sorted(BRANCHES)
    assert (branches["branch"] == branches["aliases"]).all()      # 所属分院 is the 分院 itself
    institutes = roster.filter(pl.col("unit_type") == "研究所")
    assert 95 <= institutes.height <= 105
    assert set(institutes["branch"]) <= set(BRANCHES)
    assert set(roster.filter(pl.col("unit_type") == "院机关部门")["unit"]) >= {"人事局", "机关党委"}
    assert roster.filter(pl.col("unit_type") == "院机关部门")["branch"].null_count() == 6
    assert roster.filter(pl.col("unit_type") == "直属单位").height == 2
    aliases = [a for text in roster["aliases"] for a in text.split("；")]
    assert len(aliases) == len(set(aliases))
    assert not set(aliases) & set(roster["unit"])


def test_plans_scale_and_missing_units(plans: pl.DataFrame, roster: pl.DataFrame, cases: dict) -> None:
    assert 2700 <= plans.height <= 3300
    assert plans["plan_id"].is_unique().all()
    assert set(plans["unit"]) <= set(roster["unit"])
    missing = set(roster["unit"]) - set(plans["unit"])
    assert 3 <= len(missing) <= 8
    assert missing == _unit_cases(cases, "missing")
    per_institute = (plans.join(roster, on="unit").filter(pl.col("unit_type") == "研究所")
                     .group_by("unit").len()["len"])
    assert per_institute.is_between(20, 40).mean() >= 0.9
    assert (plans["organizer"] == plans["unit"]).all()
    assert (plans["year"] == 2023).all()


def _track(frame: pl.DataFrame) -> pl.Expr:
    applied = pl.col("apply_funding") | pl.col("apply_support")
    return (pl.when(~applied).then(None)
            .when(pl.col("jingpin") == sample.MOHRSS_YES).then(pl.lit("mohrss"))
            .when(pl.col("jingpin") == sample.JINGPIN_YES).then(pl.lit("jingpin"))
            .when(pl.col("category") == "学术讲坛").then(pl.lit("jiangtan"))
            .when(pl.col("category") == "专业技术研修班").then(pl.lit("yanxiu"))
            .when(pl.col("category") == "专项技术短期培训班").then(pl.lit("duanqi"))
            .when(pl.col("category") == "管理类培训").then(pl.lit("guanli"))
            .otherwise(pl.lit("other")))


def test_every_track_has_applications(plans: pl.DataFrame, cases: dict) -> None:
    apps = plans.with_columns(track=_track(plans)).filter(pl.col("track").is_not_null())
    assert 270 <= apps.height <= 330
    counts = dict(apps.group_by("track").len().iter_rows())
    bands = {"yanxiu": (50, 70), "duanqi": (50, 70), "jiangtan": (60, 80), "jingpin": (40, 60),
             "mohrss": (15, 25), "guanli": (18, 32)}
    for track, (lo, hi) in bands.items():
        assert lo <= counts.get(track, 0) <= hi, track
    assert "other" not in counts
    assert dict(apps.select("plan_id", "track").iter_rows()) == cases["application_tracks"]
    ranked = apps.filter(pl.col("support_rank").is_not_null())
    assert ranked.height >= apps.height - 6
    several = ranked.group_by("unit").len().filter(pl.col("len") > 1).height
    assert several >= 40                                   # rule U1 has plenty to warn about


def test_p2_twentieth_congress_study_in_about_85_percent(plans: pl.DataFrame, cases: dict) -> None:
    by_unit = plans.group_by("unit").agg(p2=pl.col("train_name").str.contains("二十大").any())
    share = by_unit["p2"].mean()
    assert 0.78 <= share <= 0.92
    without = set(by_unit.filter(~pl.col("p2"))["unit"])
    assert without == _unit_cases(cases, "no_p2")
    text = pl.concat_str(["train_name", "goal", "content", "keywords"], separator=" ")
    assert plans.filter(pl.col("unit").is_in(list(without)) & text.str.contains("二十大")).height == 0


def test_late_submissions(plans: pl.DataFrame, cases: dict) -> None:
    submitted = plans.group_by("unit").agg(pl.col("submitted_at").max())
    late = set(submitted.filter(pl.col("submitted_at").dt.date() > date(2022, 11, 14))["unit"])
    assert late == _unit_cases(cases, "late")
    assert len(late) == 6
    assert submitted["submitted_at"].max() < datetime(2022, 11, 20)


def _platform_violations(plans: pl.DataFrame) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"R-HOURS": set(), "R-FEE": set(), "R-STAFF": set(), "R-PLACE": set(),
                                "R-TEXT": set()}
    caps = {"处级及以下": 550, "司局级": 650, "其他": 760}
    for r in plans.iter_rows(named=True):
        d, h = r["days"], r["class_hours"]
        lo = 1 if d <= 1 else (d - 1) * 8 if d < 3 else (d - 2) * 8
        if r["train_way"] != "线上培训" and not lo <= h <= 8 * d:
            out["R-HOURS"].add(r["plan_id"])
        if r["budget"] * 10000 > r["trainees"] * (caps[r["fee_level"]] + 0.0001) * d:
            out["R-FEE"].add(r["plan_id"])
        if r["staff"] > 10 or r["staff"] > r["trainees"] / 10:
            out["R-STAFF"].add(r["plan_id"])
        if r["local"] == "外埠" and not r["location"]:
            out["R-PLACE"].add(r["plan_id"])
        if not (10 <= len(r["goal"]) <= 300 and 10 <= len(r["content"]) <= 300):
            out["R-TEXT"].add(r["plan_id"])
        assert r["end_date"] >= r["start_date"]
    return out


def test_platform_rules_fail_exactly_on_the_marked_rows(plans: pl.DataFrame, cases: dict) -> None:
    found = _platform_violations(plans)
    for rule, ids in found.items():
        marked = {c["plan_id"] for c in cases["cases"] if c["rule"] == rule}
        assert ids == marked, rule
        assert marked, rule


CHECKS = {
    "yanxiu_days_3": lambda r: r["days"] == 3 and r["category"] == "专业技术研修班",
    "yanxiu_days_2.5": lambda r: r["days"] == 2.5 and r["category"] == "专业技术研修班",
    "duanqi_days_3": lambda r: r["days"] == 3 and r["category"] == "专项技术短期培训班",
    "duanqi_days_2": lambda r: r["days"] == 2 and r["category"] == "专项技术短期培训班",
    "jiangtan_6x2": lambda r: (r["lectures"], r["lecture_hours"], r["class_hours"]) == (6, 2, 12),
    "jiangtan_5_lectures": lambda r: r["lectures"] == 5 and r["lecture_hours"] >= 2,
    "jiangtan_1.5_hours": lambda r: r["lecture_hours"] == 1.5 and r["lectures"] >= 6,
    "jiangtan_funding_not_support": lambda r: r["apply_funding"] and not r["apply_support"],
    "jiangtan_no_foreign": lambda r: not r["foreign_experts"] and "国外" not in r["content"],
    "jingpin_70": lambda r: r["trainees"] == 70 and r["days"] >= 4,
    "jingpin_69": lambda r: r["trainees"] == 69 and r["days"] >= 4,
    "jingpin_days_4": lambda r: r["days"] == 4 and r["trainees"] >= 70,
    "jingpin_days_3.5": lambda r: r["days"] == 3.5 and r["trainees"] >= 70,
    "jingpin_missing_attachments": lambda r: not r["attachments"] or "效果评估" not in r["attachments"],
    "jingpin_ppt_material": lambda r: "培训教材.pptx" in r["attachments"] and "培训教材清单" not in r["attachments"],
    "jingpin_renewal_ok": lambda r: r["attachments"] == "培训方案.docx；教学计划.docx",
    "jingpin_renewal_not_completed": lambda r: r["attachments"] == "培训方案.docx；教学计划.docx",
    "jingpin_scope_unit_only": lambda r: r["open_scope"] == "本单位",
    "mohrss_days_3": lambda r: r["days"] == 3,
    "mohrss_days_8": lambda r: r["days"] == 8,
    "mohrss_trainees_60": lambda r: r["trainees"] == 60,
    "mohrss_trainees_150": lambda r: r["trainees"] == 150,
    "mohrss_band_edge": lambda r: (r["days"], r["trainees"]) == (4, 80),
    "guanli_from_institute": lambda r: r["category"] == "管理类培训" and r["apply_funding"],
    "rank_missing": lambda r: r["support_rank"] is None,
}


def test_deliberate_cases_have_their_stated_property(plans: pl.DataFrame, cases: dict,
                                                     roster: pl.DataFrame) -> None:
    rows = {r["plan_id"]: r for r in plans.iter_rows(named=True)}
    counts: dict[str, int] = {}
    for c in cases["cases"]:
        counts[c["case"]] = counts.get(c["case"], 0) + 1
        row = rows[c["plan_id"]]
        assert row["unit"] == c["unit"]
        if c["case"] in CHECKS:
            assert CHECKS[c["case"]](row), c
    assert set(CHECKS) <= set(counts)
    institutes = set(roster.filter(pl.col("unit_type") == "研究所")["unit"])
    assert {c["unit"] for c in cases["cases"] if c["case"] == "guanli_from_institute"} <= institutes
    guanli = plans.filter((pl.col("category") == "管理类培训") & pl.col("apply_funding"))
    types = dict(roster.select("unit", "unit_type").iter_rows())
    ok = guanli.filter(~pl.col("plan_id").is_in(list(_plan_cases(cases, "guanli_from_institute"))))
    assert {types[u] for u in ok["unit"]} == {"分院", "院机关部门"}
    two = [c["unit"] for c in cases["cases"] if c["case"] == "mohrss_two_per_unit"]
    assert len(two) == 2 and len(set(two)) == 1


def test_most_applications_respect_their_tracks_hard_rules(plans: pl.DataFrame, cases: dict) -> None:
    marked = {c["plan_id"] for c in cases["cases"] if c["expect"] == "ineligible"}
    apps = plans.with_columns(track=_track(plans)).filter(
        pl.col("track").is_not_null() & ~pl.col("plan_id").is_in(list(marked)))
    for r in apps.iter_rows(named=True):
        if r["track"] in ("yanxiu", "duanqi"):
            assert r["days"] >= 3 and r["apply_funding"], r["plan_id"]
        elif r["track"] == "jiangtan":
            assert r["lectures"] >= 6 and r["lecture_hours"] >= 2 and r["apply_support"], r["plan_id"]
        elif r["track"] == "jingpin":
            assert r["days"] >= 4 and r["trainees"] >= 70 and r["attachments"], r["plan_id"]
        elif r["track"] == "mohrss":
            assert 4 <= r["days"] <= 7 and 80 <= r["trainees"] <= 130 and r["mohrss"], r["plan_id"]


# -- history ---------------------------------------------------------------------
def test_history_years_and_2022_execution(history: pl.DataFrame, cases: dict) -> None:
    assert 200 <= history.height <= 300
    assert set(history["year"]) == {2019, 2020, 2021, 2022}
    assert set(history["track"]) == {"专业技术研修班", "专项技术短期培训班", "学术讲坛", "精品培训项目",
                                     "人社部高级研修项目"}
    y22 = history.filter(pl.col("year") == 2022)
    assert (y22["as_of"] == date(2022, 11, 30)).all()
    not_done = set(y22.filter(~pl.col("implemented"))["unit"])
    assert not_done == _unit_cases(cases, "not_implemented_2022")
    money = y22.filter(pl.col("implemented") & (pl.col("granted") > 0))
    ratio = money.group_by("unit").agg(r=pl.col("spent").sum() / pl.col("granted").sum())
    assert set(ratio.filter(pl.col("r") < 0.5)["unit"]) == _unit_cases(cases, "exec_below_50")
    assert set(ratio.filter(pl.col("r") == 0.5)["unit"]) == _unit_cases(cases, "exec_exactly_50")
    assert len(_unit_cases(cases, "exec_below_50")) == 8
    assert ratio.filter((pl.col("r") >= 0.499) & (pl.col("r") < 0.5)).height >= 2   # just under 50%


def test_continuing_projects_drift_but_still_match(plans: pl.DataFrame, history: pl.DataFrame,
                                                   cases: dict) -> None:
    no_history = _plan_cases(cases, "jingpin_no_history") | _plan_cases(cases, "mohrss_no_history")
    names = history.group_by("unit").agg("train_name")
    past = dict(names.iter_rows())
    star = history.filter(pl.col("track").is_in(["精品培训项目", "人社部高级研修项目"]))
    star_past = dict(star.group_by("unit").agg("train_name").iter_rows())
    apps = plans.filter(pl.col("jingpin") != "否")
    for r in apps.iter_rows(named=True):
        before = past.get(r["unit"], [])
        best = max((difflib.SequenceMatcher(None, r["train_name"], n).ratio() for n in before), default=0)
        if r["plan_id"] in no_history:
            stars = star_past.get(r["unit"], [])
            assert all(difflib.SequenceMatcher(None, r["train_name"], n).ratio() < 0.6 for n in stars)
        else:
            assert best >= 0.6, r["train_name"]
            assert r["train_name"] not in before        # the name drifted


# -- the dirty files ----------------------------------------------------------------
def _sheet(path: Path, sheet: str) -> pl.DataFrame:
    return fastexcel.read_excel(path).load_sheet(sheet, header_row=None, dtypes="string").to_polars()


def _grid(root: Path, info: dict) -> list[list[str | None]]:
    """Every line of a dirty file as raw strings, line 1 first (Excel row 1 / CSV line 1)."""
    path = root / info["file"]
    if info["sheet"] is None:
        with path.open(encoding=info["encoding"], newline="") as fh:
            return [[c if c != "" else None for c in line] for line in csv.reader(fh)]
    return [list(row) for row in _sheet(path, info["sheet"]).iter_rows()]


def test_dirty_headers_all_map_to_known_fields(root: Path, expected: dict) -> None:
    for info in expected["files"]:
        header = [h for h in _grid(root, info)[info["header_row"] - 1] if h is not None]
        names = [match_header(h) for h in header]
        assert None not in names, (info["file"], header)
        assert len(set(names)) == len(names)
        assert ("unit" in names) == (info["file"] != sample.EXPORT_FILE)


def test_dirty_rows_add_up_to_the_clean_plans(root: Path, expected: dict, plans: pl.DataFrame) -> None:
    seen: list[str] = []
    blanks = 0
    for info in expected["files"]:
        grid = _grid(root, info)
        header = grid[info["header_row"] - 1]
        id_col = next(i for i, h in enumerate(header) if h and match_header(h) == "plan_id")
        body = grid[info["header_row"]:]
        rows = [r for r in body if any(v not in (None, "") for v in r)]
        assert len(rows) == info["data_rows"], info["file"]
        blanks += len(body) - len(rows)
        seen += [str(int(float(r[id_col]))) for r in rows]
    assert expected["rows_total"] == len(seen) == plans.height
    assert expected["blank_rows"] == blanks > 0
    assert sorted(seen) == sorted(plans["plan_id"].to_list())
    units = [u for info in expected["files"] for u in info["units"]]
    assert sorted(units) == sorted(plans["unit"].unique().to_list())
    export = next(f for f in expected["files"] if f["file"] == sample.EXPORT_FILE)
    share = export["data_rows"] / plans.height
    assert 0.7 <= share <= 0.9
    assert fastexcel.read_excel(root / sample.EXPORT_FILE).sheet_names == ["培训计划列表", "说明"]


def test_bad_rows_are_where_expected_says(root: Path, expected: dict) -> None:
    files = {f["file"]: f for f in expected["files"]}
    assert 8 <= len(expected["bad_rows"]) <= 12
    assert len({b["file"] for b in expected["bad_rows"]}) >= 3
    for bad in expected["bad_rows"]:
        info = files[bad["file"]]
        grid = _grid(root, info)
        header = grid[info["header_row"] - 1]
        col = header.index(bad["header"])
        assert match_header(bad["header"]) == match_header(bad["column"])
        cell = grid[bad["row"] - 1][col]
        if bad["value"] is None:
            assert cell is None, bad
        else:
            assert cell is not None and cell.startswith(bad["value"]), (bad, cell)
        id_col = next(i for i, h in enumerate(header) if h and match_header(h) == "plan_id")
        assert str(int(float(grid[bad["row"] - 1][id_col]))) == bad["plan_id"]


def test_formula_cell_has_a_cached_value(root: Path, expected: dict) -> None:
    cell = expected["formula_cell"]
    grid = _sheet(root / cell["file"], cell["sheet"])
    header = list(grid.row(3))
    col = next(i for i, h in enumerate(header) if h and match_header(h) == "class_hours")
    assert float(grid.row(cell["row"] - 1)[col]) == cell["value"]
    with zipfile.ZipFile(root / cell["file"]) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert f"<f>{cell['formula'].lstrip('=')}</f>" in xml


def _clean_bool(text: str | None) -> bool | None:
    if text is None:
        return None
    return True if text in YES else False if text in NO else None


_CN = {"半": 0.5, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
       "九": 9, "十": 10}


def _clean_days(text: str) -> float:
    text = unicodedata.normalize("NFKC", text).strip().replace("天", "")
    try:
        return float(text)
    except ValueError:
        pass
    if text == "半":
        return 0.5
    half = text.endswith("半")
    return _CN[text.removesuffix("半")] + (0.5 if half else 0)


def _clean_date(text: str) -> date:
    text = text.split(" ")[0]
    for sep in ("年", "月", ".", "/"):
        text = text.replace(sep, "-")
    y, m, d = (int(x) for x in text.rstrip("日").split("-"))
    return date(y, m, d)


def test_export_values_mean_the_clean_values(root: Path, expected: dict, plans: pl.DataFrame,
                                             roster: pl.DataFrame) -> None:
    """The export is dirty but, row for row, says the same thing as plans.xlsx."""
    export = next(f for f in expected["files"] if f["file"] == sample.EXPORT_FILE)
    grid = _grid(root, export)
    header = [match_header(h) if h else None for h in grid[export["header_row"] - 1]]
    bad = {(b["plan_id"], match_header(b["column"])) for b in expected["bad_rows"]}
    clean = {r["plan_id"]: r for r in plans.iter_rows(named=True)}
    alias = {a: r["unit"] for r in roster.iter_rows(named=True) for a in r["aliases"].split("；")}
    styles = {"days": set(), "trainees": set(), "bool": set(), "date": set(), "name": set()}
    for line in grid[export["header_row"]:]:
        if all(v is None for v in line):
            continue
        cell = dict(zip(header, line, strict=True))
        pid = str(int(float(cell["plan_id"])))
        want = clean[pid]
        for name in ("is_noted", "apply_funding", "apply_support", "mohrss", "foreign_experts"):
            assert _clean_bool(cell[name]) == want[name], (pid, name, cell[name])
            styles["bool"].add(cell[name])
        if (pid, "days") not in bad:
            assert _clean_days(cell["days"]) == want["days"], (pid, cell["days"])
            styles["days"].add("text" if not cell["days"].replace(".", "").isdigit() else "number")
        if (pid, "trainees") not in bad:
            digits = "".join(ch for ch in cell["trainees"] if ch.isdigit() or ch == ".")
            assert float(digits) == want["trainees"]
            styles["trainees"].add(cell["trainees"][0] == "约" or cell["trainees"].endswith("左右"))
        for name in ("start_date", "end_date"):
            if (pid, name) not in bad:
                assert _clean_date(cell[name]) == want[name], (pid, name, cell[name])
                styles["date"].add(" " in cell[name])
        organizer = cell["organizer"].strip()
        assert alias.get(organizer, organizer) == want["unit"]
        if (pid, "train_name") not in bad:
            assert cell["train_name"].strip() == want["train_name"]
            styles["name"].add(cell["train_name"] != want["train_name"])
    assert styles["bool"] >= {"是", "否", "√", "×", "1", "0"}
    assert styles["days"] == {"text", "number"}
    assert styles["trainees"] == {True, False}
    assert styles["date"] == {True, False}            # real dates and text dates
    assert styles["name"] == {True, False}            # stray spaces on some names


def test_branch_csv_is_gbk_and_unit_files_vary(root: Path, expected: dict) -> None:
    branch = next(f for f in expected["files"] if f["file"] == sample.BRANCH_CSV)
    raw = (root / branch["file"]).read_bytes()
    raw.decode("gbk")                                   # plain GBK, not only GB18030
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert 8 <= len(branch["units"]) <= 12
    units = [f for f in expected["files"] if f["file"].startswith("dirty/units/")]
    assert {f["header_row"] for f in units} == {1, 2}
    boms = [f for f in units if f["file"].endswith(".csv")]
    assert len(boms) == 1 and (root / boms[0]["file"]).read_bytes().startswith(b"\xef\xbb\xbf")
    headers = {h for f in units for h in _grid(root, f)[f["header_row"] - 1] if h}
    assert {"项目名称", "培训天数"} <= headers
