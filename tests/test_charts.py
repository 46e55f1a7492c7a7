"""Charts: the figures' content through ``to_plotly_json()``, and real PNGs through kaleido/Chromium."""

from __future__ import annotations

import random
import re
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from casplan.views.charts import (
    BRANCHES,
    FONT,
    OTHER_BRANCH,
    direction_coverage,
    ineligibility_pareto,
    money,
    plans_by_branch,
    quota_fill,
    save_png,
    score_distribution,
    selection_probability,
    style,
    unit_coverage,
)
from casplan.errors import InputError

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "charts"

# (name, quota, tolerance) as in policy/2023.yaml
TRACKS = [("专业技术研修班", 10, 2), ("专项技术短期培训班", 10, 2), ("学术讲坛", 20, 3),
          ("精品培训项目", 10, 2), ("人社部高级研修项目", 5, 1), ("管理类培训", 6, 2)]
DIRECTIONS = {
    "专业技术研修班": ["高技术创新", "关键核心技术攻关任务", "国家重大科技基础设施", "重点研发计划"],
    "专项技术短期培训班": ["国家重大战略", "重大工程", "重大项目", "重点产业"],
    "学术讲坛": ["基础前沿交叉的重大科学和技术问题", "国际学术交流", "原始创新能力", "国际视野"],
    "精品培训项目": ["原始创新", "关键核心技术攻关任务", "“黑土粮仓”科技会战", "“双碳”专项行动"],
    "人社部高级研修项目": ["人工智能", "量子信息", "新材料", "乡村振兴", "集成电路"],
}
NAMES = ["先进光源技术", "量子精密测量", "高分辨率对地观测", "生物育种前沿", "碳中和路径与技术", "深海探测装备",
         "大模型与科学计算", "黑土地保护与利用", "脑科学与类脑智能", "集成电路先进工艺", "科研仪器研制",
         "野外台站观测规范", "科技伦理与科研诚信", "知识产权运营管理"]
REASONS = {"J2-ATTACH": "精品项目附件不全", "Y1-DAYS": "专业技术研修班天数不足",
           "U2-EXEC": "2022年度院级资助项目经费执行率低于50%", "T-CATEGORY": "申报了院级资助，但培训类别不属于可资助的类别",
           "Y3-LECTURES": "学术讲坛场次不足", "G1-TRAINEES": "人社部高研项目人数不在“100人左右”的范围内",
           "M1-UNIT": "管理类培训只能由院机关各部门或分院申报", "PF-HOURS": "学时与天数不符"}


# --- realistic frames ------------------------------------------------------------------------------

def fill_frame() -> pl.DataFrame:
    """Quota fill of the six tracks; 学术讲坛 is chosen beyond its upper bound (20+3)."""
    eligible = [18, 14, 31, 12, 7, 5]
    chosen = [10, 11, 24, 9, 5, 5]
    return pl.DataFrame({"track_name": [t[0] for t in TRACKS], "eligible": eligible, "chosen": chosen,
                         "quota": [t[1] for t in TRACKS], "quota_max": [t[1] + t[2] for t in TRACKS]})


def applications(seed: int = 2023, n: int = 90) -> pl.DataFrame:
    """Scored applications over the six tracks: score, chosen (top quota per track), money, 分院."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        track, quota, _ = TRACKS[i % len(TRACKS)]
        rows.append({"app_id": f"2023-{i + 1:04d}", "track_name": track,
                     "train_name": f"{rng.choice(NAMES)}{rng.choice(['研修班', '高级研修班', '培训班', '讲坛'])}",
                     "branch": rng.choice([*BRANCHES, None]),
                     "score": round(rng.uniform(35, 98), 1), "asked": round(rng.uniform(8, 40), 1)})
    frame = pl.DataFrame(rows)
    quota = pl.DataFrame({"track_name": [t[0] for t in TRACKS], "quota": [t[1] for t in TRACKS]})
    frame = (frame.join(quota, on="track_name")
             .with_columns((pl.col("score").rank("ordinal", descending=True).over("track_name")
                            <= pl.col("quota") // 2).alias("chosen"))
             .with_columns(pl.when(pl.col("chosen")).then((pl.col("asked") * 0.8).round(1)).otherwise(0.0)
                           .alias("granted"))
             .drop("quota"))
    return frame


def direction_frame() -> pl.DataFrame:
    rng = random.Random(7)
    rows = []
    for track, directions in DIRECTIONS.items():
        for d in directions:
            submitted = rng.randint(0, 12)
            rows.append({"track_name": track, "direction": d, "submitted": submitted,
                         "chosen": rng.randint(0, submitted)})
    return pl.DataFrame(rows)


def probability_frame(n: int = 100, seed: int = 11) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        p = rng.choice([0.0, 0.02, 1.0, 0.98, round(rng.random(), 2)])
        rows.append({"app_id": f"2023-{i + 1:04d}", "train_name": f"{rng.choice(NAMES)}研修班",
                     "track_name": TRACKS[i % 5][0], "p_selected": p, "base_chosen": p >= 0.5,
                     "unstable": 0.1 < p < 0.9})
    return pl.DataFrame(rows)


def units_frame(seed: int = 5) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(120):
        branch = rng.choice([*BRANCHES, None, None])
        submitted = rng.random() > 0.12
        rows.append({"unit": f"中国科学院第{i + 1}研究所", "branch": branch, "submitted": submitted,
                     "late": submitted and rng.random() < 0.1})
    return pl.DataFrame(rows)


def reasons_frame(seed: int = 3) -> pl.DataFrame:
    rng = random.Random(seed)
    codes = list(REASONS)
    return pl.DataFrame({"code": rng.choices(codes, weights=[30, 18, 12, 9, 6, 4, 2, 1], k=150)})


# --- helpers -----------------------------------------------------------------------------------------

def visible_text(spec: dict) -> list[str]:
    """The strings an analyst can see: titles, names, axis titles, annotations, hover and cell text."""
    found: list[str] = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in {"text", "name", "hovertemplate", "texttemplate"}:
            found.append(node)

    walk(spec["data"])
    layout = spec["layout"]
    walk({k: v for k, v in layout.items() if k != "template"})
    return found


def english_words(texts: list[str], allowed: set[str] = frozenset()) -> list[str]:
    words = []
    for t in texts:
        t = re.sub(r"%\{[^}]*\}", "", t)          # placeholders
        t = re.sub(r"<[^>]*>", "", t)             # <br>, <extra>
        words += [w for w in re.findall(r"[A-Za-z][A-Za-z_\-]+", t) if w not in allowed]
    return words


def all_figures() -> dict[str, go.Figure]:
    apps = applications()
    plans = pl.DataFrame({"branch": ["北京分院", "上海分院", None], "unit_type": ["研究所", "研究所", "院机关部门"],
                          "category": ["专业技术研修班", "学术讲坛", "管理类培训"]})
    cutoffs = dict(apps.filter("chosen").group_by("track_name").agg(pl.col("score").min()).iter_rows())
    return {
        "plans_by_branch": plans_by_branch(plans),
        "quota_fill": quota_fill(fill_frame()),
        "money_track": money(apps, cap=900),
        "money_branch": money(apps, by="branch"),
        "direction_coverage": direction_coverage(direction_frame()),
        "score_distribution": score_distribution(apps, cutoffs=cutoffs),
        "selection_probability": selection_probability(probability_frame()),
        "unit_coverage": unit_coverage(units_frame()),
        "ineligibility_pareto": ineligibility_pareto(reasons_frame(), labels=REASONS),
    }


def png_rows(data: bytes, rows: int | None = None) -> tuple[int, int, list[bytes]]:
    """(width, height, the first ``rows`` scanlines unfiltered) of an 8-bit RGB(A) PNG, stdlib only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    out, prev = [], bytearray(stride)
    for r in range(height if rows is None else min(rows, height)):
        kind, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        out.append(bytes(line))
        prev = line
    return width, height, out


def differing_pixels(a: list[bytes], b: list[bytes], bpp: int = 4) -> int:
    return sum(1 for ra, rb in zip(a, b, strict=True) for i in range(0, len(ra), bpp) if ra[i:i + bpp] != rb[i:i + bpp])


@pytest.fixture(scope="module")
def cjk_font() -> None:
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig (fc-list) is missing: install fonts-noto-cjk (make test does)")
    families = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    if "Noto Sans CJK SC" not in families:
        pytest.skip("fonts-noto-cjk is missing (no 'Noto Sans CJK SC' in fc-list :lang=zh): make test installs it")


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# --- the figures' content -----------------------------------------------------------------------------

def test_quota_fill_bars_marks_and_labels():
    frame = fill_frame()
    spec = quota_fill(frame).to_plotly_json()
    data = spec["data"]
    assert [(t["type"], t["name"]) for t in data] == [
        ("bar", "合格申报"), ("bar", "入选"), ("scatter", "名额目标"), ("scatter", "名额上限"), ("scatter", "标注")]
    pool, chosen, target, upper, labels = data
    assert list(pool["x"]) == frame["track_name"].to_list() and len(chosen["x"]) == frame.height
    assert list(pool["y"]) == frame["eligible"].to_list() and list(chosen["y"]) == frame["chosen"].to_list()
    assert pool["width"] > chosen["width"]                       # the pool stands behind, wider
    assert spec["layout"]["barmode"] == "overlay"
    assert list(target["y"]) == frame["quota"].to_list() and list(upper["y"]) == frame["quota_max"].to_list()
    assert target["marker"]["symbol"].startswith("line-ew")
    assert list(labels["text"]) == [f"入选 {c} / 名额 {q}" for c, q in frame.select("chosen", "quota").rows()]
    over = [c > m for c, m in frame.select("chosen", "quota_max").rows()]
    assert over.count(True) == 1
    colours = chosen["marker"]["color"]
    assert len({colours[i] for i, o in enumerate(over) if o} & {colours[i] for i, o in enumerate(over) if not o}) == 0
    assert spec["layout"]["font"]["family"] == FONT and FONT.startswith("Noto Sans CJK SC")


def test_quota_fill_missing_upper_bound_falls_back_to_quota():
    frame = fill_frame().with_columns(pl.lit(None, pl.Int64).alias("quota_max"))
    upper = quota_fill(frame).data[3]
    assert list(upper.y) == frame["quota"].to_list()


def test_money_by_track_with_cap():
    apps = applications()
    fig = money(apps, cap=900)
    spec = fig.to_plotly_json()
    asked, granted = spec["data"]
    assert (asked["type"], asked["name"], granted["name"]) == ("bar", "合格申报申请经费", "拟资助经费")
    tracks = apps["track_name"].unique(maintain_order=True).to_list()
    assert list(granted["x"]) == [*tracks, "合计"]
    sums = {t: sum(g for tt, g in apps.select("track_name", "granted").rows() if tt == t) for t in tracks}
    assert list(granted["y"][:-1]) == pytest.approx([sums[t] for t in tracks])
    total = sum(sums.values())
    assert granted["y"][-1] == pytest.approx(total)
    assert asked["y"][-1] == pytest.approx(apps["asked"].sum())
    shapes = spec["layout"]["shapes"]
    assert len(shapes) == 1 and shapes[0]["y0"] == shapes[0]["y1"] == 900
    assert any("总预算 900.0 万元" in a["text"] for a in spec["layout"]["annotations"])
    subtitle = spec["layout"]["title"]["subtitle"]["text"]
    assert f"{total:,.1f}" in subtitle and f"{total / 900:.0%}" in subtitle
    assert spec["layout"]["xaxis"]["title"]["text"] == "遴选类别"
    assert spec["layout"]["yaxis"]["title"]["text"] == "经费（万元）"


def test_money_over_budget_is_said():
    frame = pl.DataFrame({"track_name": ["精品培训项目"], "asked": [500.0], "granted": [450.0]})
    subtitle = money(frame, cap=400).layout.title.subtitle.text
    assert "超出预算 50.0 万元" in subtitle
    with pytest.raises(InputError, match="正数"):
        money(frame, cap=0)


def test_money_by_branch_orders_branches_and_names_the_rest():
    apps = applications()
    fig = money(apps, by="branch")
    granted = fig.data[1]
    present = set(apps["branch"].drop_nulls())
    assert list(granted.x) == [b for b in BRANCHES if b in present] + [OTHER_BRANCH]
    assert granted.y[-1] == pytest.approx(apps.filter(pl.col("branch").is_null())["granted"].sum())
    assert fig.layout.xaxis.title.text == "所属分院"
    assert not fig.layout.shapes and "合计" not in granted.x
    with pytest.raises(InputError, match="所属分院"):
        money(apps, by="unit")


def test_direction_coverage_heatmap():
    frame = direction_frame()
    spec = direction_coverage(frame).to_plotly_json()
    (heat,) = spec["data"]
    assert heat["type"] == "heatmap"
    directions = frame["direction"].unique(maintain_order=True).to_list()
    assert list(heat["y"]) == directions and list(heat["x"]) == list(DIRECTIONS)
    assert spec["layout"]["yaxis"]["autorange"] == "reversed"     # first direction on top
    cells = {}
    for r in frame.iter_rows(named=True):                          # 关键核心技术攻关任务 is in two tracks
        c, s = cells.get((r["direction"], r["track_name"]), (0, 0))
        cells[(r["direction"], r["track_name"])] = (c + r["chosen"], s + r["submitted"])
    for i, d in enumerate(directions):
        for j, t in enumerate(DIRECTIONS):
            if (d, t) in cells:
                assert heat["z"][i][j] == cells[(d, t)][0]
                assert heat["customdata"][i][j] == cells[(d, t)][1]
                assert heat["text"][i][j] == f"{cells[(d, t)][0]}/{cells[(d, t)][1]}"
            else:
                assert heat["z"][i][j] is None and heat["text"][i][j] == ""
    assert "申报" in heat["hovertemplate"]


def test_direction_coverage_sums_repeated_cells():
    frame = pl.DataFrame({"track_name": ["学术讲坛"] * 2, "direction": ["国际视野"] * 2,
                          "submitted": [3, 4], "chosen": [1, 2]})
    heat = direction_coverage(frame).data[0]
    assert heat.z[0][0] == 3 and heat.text[0][0] == "3/7"


def test_score_distribution_points_and_cutoffs():
    apps = applications().with_columns(
        pl.when(pl.col("app_id") == "2023-0001").then(None).otherwise(pl.col("score")).alias("score"))
    cutoffs = {"专业技术研修班": 80.0, "学术讲坛": 72.5}
    spec = score_distribution(apps, cutoffs=cutoffs).to_plotly_json()
    spread, chosen, rest, marks = spec["data"]
    assert [t["type"] for t in spec["data"]] == ["box", "box", "box", "scatter"]
    assert (chosen["name"], rest["name"], marks["name"]) == ("入选", "未入选", "入选分数线")
    scored = apps.filter(pl.col("score").is_not_null())
    assert len(chosen["x"]) == scored["chosen"].sum() and len(rest["x"]) == scored.height - scored["chosen"].sum()
    assert chosen["boxpoints"] == "all" and chosen["marker"]["color"] != rest["marker"]["color"]
    assert dict(zip(marks["y"], marks["x"], strict=True)) == cutoffs
    assert {row[0] for row in chosen["customdata"]} <= set(apps["app_id"])


def test_score_distribution_default_cutoff_is_lowest_chosen_score():
    apps = applications()
    marks = score_distribution(apps).data[-1]
    assert marks.name == "最低入选分"
    lowest = dict(apps.filter("chosen").group_by("track_name").agg(pl.col("score").min()).iter_rows())
    assert dict(zip(marks.y, marks.x, strict=True)) == lowest


def test_selection_probability_sorted_highlighted_and_growing():
    frame = probability_frame(100)
    fig = selection_probability(frame)
    spec = fig.to_plotly_json()
    assert {t["type"] for t in spec["data"]} == {"bar"}
    assert sum(len(t["x"]) for t in spec["data"]) == frame.height
    names = {t["name"] for t in spec["data"]}
    assert {"基准方案入选，结果不稳定", "基准方案未入选，结果不稳定", "基准方案入选，结果稳定"} <= names
    unstable = [t for t in spec["data"] if "不稳定" in t["name"]]
    assert sum(len(t["x"]) for t in unstable) == frame["unstable"].sum()
    stable_colours = {t["marker"]["color"] for t in spec["data"] if "不稳定" not in t["name"]}
    assert not stable_colours & {t["marker"]["color"] for t in unstable}
    assert sum(1 for t in spec["data"] if t["showlegend"]) == len(names)      # one legend entry each
    # per track the category order runs from the highest probability down (top of the panel first)
    for i, track in enumerate(frame["track_name"].unique(maintain_order=True).to_list(), start=1):
        axis = spec["layout"]["yaxis" if i == 1 else f"yaxis{i}"]
        order = axis["categoryarray"][::-1]
        p = {lab: x for t in spec["data"] if t["yaxis"] == ("y" if i == 1 else f"y{i}")
             for lab, x in zip(t["y"], t["x"], strict=True)}
        assert len(order) == frame.filter(pl.col("track_name") == track).height
        assert [p[lab] for lab in order] == sorted(p.values(), reverse=True)
    assert any(s["type"] == "line" and s["x0"] == s["x1"] == 0.5 for s in spec["layout"]["shapes"])
    panels = frame["track_name"].unique(maintain_order=True).to_list()
    assert [a["text"] for a in spec["layout"]["annotations"]] == panels
    small = selection_probability(probability_frame(20))
    assert fig.layout.height - small.layout.height >= 18 * (100 - 20)   # grows with the bars
    assert fig.layout.height / frame.height >= 18                # at least ~18 px per bar


def test_selection_probability_rejects_a_probability_outside_0_1():
    frame = probability_frame(5).with_columns(pl.lit(1.5).alias("p_selected"))
    with pytest.raises(InputError, match="0 到 1") as err:
        selection_probability(frame)
    assert err.value.column == "p_selected"


def test_unit_coverage_counts_per_branch():
    frame = units_frame()
    spec = unit_coverage(frame).to_plotly_json()
    assert [(t["type"], t["name"]) for t in spec["data"]] == [("bar", "按时报送"), ("bar", "逾期报送"), ("bar", "未报送")]
    assert spec["layout"]["barmode"] == "stack"
    expected: dict[tuple[str, str], int] = {}
    for r in frame.iter_rows(named=True):
        status = "未报送" if not r["submitted"] else "逾期报送" if r["late"] else "按时报送"
        key = (r["branch"] or OTHER_BRANCH, status)
        expected[key] = expected.get(key, 0) + 1
    got = {(b, t["name"]): n for t in spec["data"] for b, n in zip(t["x"], t["y"], strict=True)}
    assert got == expected
    assert spec["layout"]["xaxis"]["categoryarray"][-1] == OTHER_BRANCH
    missing = [t for t in spec["data"] if t["name"] == "未报送"][0]
    a_missing = frame.filter(~pl.col("submitted")).row(0, named=True)
    i = list(missing["x"]).index(a_missing["branch"] or OTHER_BRANCH)
    assert a_missing["unit"] in missing["customdata"][i][0]
    n_missing = (~frame["submitted"]).sum()
    assert f"未报送 {n_missing}" in spec["layout"]["title"]["subtitle"]["text"]


def test_unit_coverage_without_unit_names_and_with_null_flags():
    frame = pl.DataFrame({"branch": ["兰州分院", "兰州分院", "新疆分院"], "submitted": [True, None, True],
                          "late": [None, None, True]})
    fig = unit_coverage(frame)
    got = {(t.name, x): y for t in fig.data for x, y in zip(t.x, t.y, strict=True)}
    assert got == {("按时报送", "兰州分院"): 1, ("未报送", "兰州分院"): 1, ("逾期报送", "新疆分院"): 1}
    assert list(fig.layout.xaxis.categoryarray) == ["兰州分院", "新疆分院"]


def test_ineligibility_pareto_is_a_real_pareto_chart():
    frame = reasons_frame()
    spec = ineligibility_pareto(frame, labels=REASONS).to_plotly_json()
    bars, line = spec["data"]
    assert (bars["type"], bars["name"], line["type"], line["name"]) == ("bar", "不符合项数", "scatter", "累计占比")
    counts = {c: frame["code"].to_list().count(c) for c in set(frame["code"])}
    assert list(bars["y"]) == sorted(counts.values(), reverse=True)
    assert dict(zip(bars["x"], bars["y"], strict=True)) == counts
    cumulative = list(line["y"])
    assert cumulative == sorted(cumulative) and cumulative[-1] == 100.0
    assert cumulative[0] == pytest.approx(100 * max(counts.values()) / frame.height, abs=0.05)
    assert line["yaxis"] == "y2" and spec["layout"]["yaxis2"]["overlaying"] == "y"
    assert spec["layout"]["yaxis2"]["side"] == "right"
    assert [row[0] for row in bars["customdata"]] == [REASONS[c] for c in bars["x"]]
    assert any(s.get("yref") == "y2" and s["y0"] == 80 for s in spec["layout"]["shapes"])


def test_ineligibility_pareto_sums_a_count_column_and_labels_unknown_codes():
    frame = pl.DataFrame({"code": ["Y1-DAYS", "J2-ATTACH", "Y1-DAYS", "X-NEW"], "count": [2, 5, 4, 1]})
    bars, line = ineligibility_pareto(frame, labels=REASONS).data
    assert list(bars.x) == ["Y1-DAYS", "J2-ATTACH", "X-NEW"] and list(bars.y) == [6, 5, 1]
    assert list(line.y) == [50.0, 91.7, 100.0]
    assert bars.customdata[2][0] == "（无说明）"


def test_every_chart_speaks_chinese_in_the_house_font():
    for name, fig in all_figures().items():
        spec = fig.to_plotly_json()
        assert spec["layout"]["font"]["family"] == FONT, name
        assert spec["layout"]["template"]["layout"]["plot_bgcolor"] == "white", name
        texts = visible_text(spec)
        assert texts, name
        allowed = set(REASONS) if name == "ineligibility_pareto" else set()
        assert english_words(texts, allowed) == [], name
        assert all(t.get("name") for t in spec["data"]), name       # no 'trace 0' in a legend or hover


def test_style_keeps_title_and_sets_height():
    fig = style(go.Figure(layout={"title": {"text": "原标题"}}), height=300)
    assert fig.layout.title.text == "原标题" and fig.layout.height == 300
    assert fig.layout.legend.orientation == "h"


MISSING = [
    (quota_fill, fill_frame, "quota_max", {}),
    (money, applications, "granted", {}),
    (money, lambda: applications().select("track_name", "asked", "granted"), "branch", {"by": "branch"}),
    (direction_coverage, direction_frame, "direction", {}),
    (score_distribution, applications, "score", {}),
    (selection_probability, probability_frame, "unstable", {}),
    (unit_coverage, units_frame, "late", {}),
    (ineligibility_pareto, reasons_frame, "code", {}),
]


@pytest.mark.parametrize(("chart", "make", "column", "kwargs"), MISSING,
                         ids=[f"{m[0].__name__}-{m[2]}" for m in MISSING])
def test_a_missing_column_is_named(chart, make, column, kwargs):
    frame = make()
    if column in frame.columns:
        frame = frame.drop(column)
    with pytest.raises(InputError, match=f"缺少列「{column}」") as err:
        chart(frame, **kwargs)
    assert err.value.column == column


def test_a_column_of_the_wrong_kind_is_named():
    frame = applications().with_columns(pl.col("chosen").replace_strict({True: "是", False: "否"}))
    with pytest.raises(InputError, match="「chosen」") as err:
        score_distribution(frame)
    assert err.value.column == "chosen"
    with pytest.raises(InputError, match="polars"):
        quota_fill(fill_frame().to_pandas())


@pytest.mark.parametrize("chart", [quota_fill, money, direction_coverage, score_distribution,
                                   selection_probability, unit_coverage, ineligibility_pareto])
def test_an_empty_frame_gives_an_empty_chart_that_says_so(chart):
    columns = {quota_fill: fill_frame, money: applications, direction_coverage: direction_frame,
               score_distribution: applications, selection_probability: probability_frame,
               unit_coverage: units_frame, ineligibility_pareto: reasons_frame}[chart]().clear()
    fig = chart(columns)
    assert not fig.data
    assert any(a.text.startswith("暂无") for a in fig.layout.annotations)


# --- PNGs through kaleido and Chromium ----------------------------------------------------------------

def test_cjk_font_is_installed(cjk_font):
    families = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK SC" in families


def test_every_chart_saves_as_png(cjk_font, artifacts):
    timings = {}
    for name, fig in all_figures().items():
        target = artifacts / f"{name}.png"
        start = time.perf_counter()
        out = save_png(fig, target)
        timings[name] = time.perf_counter() - start
        assert out == target
        width, height, _ = png_rows(target.read_bytes(), rows=0)
        assert (width, height) == (1000, fig.layout.height or 500), name
    assert not list(artifacts.glob(".*.tmp"))                    # written atomically, nothing left over
    again = save_png(all_figures()["quota_fill"], artifacts / "quota_fill_small.png", width=600, height=300, scale=2)
    assert png_rows(again.read_bytes(), rows=0)[:2] == (1200, 600)
    print("PNG export (s): " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))


def _title_png(text: str, family: str = FONT) -> bytes:
    fig = go.Figure(layout={"title": {"text": text, "font": {"size": 44, "family": family}, "x": 0.02,
                                      "y": 0.95, "yref": "container", "yanchor": "top"},
                            "template": "plotly_white", "margin": {"t": 90}, "xaxis": {"visible": False},
                            "yaxis": {"visible": False}})
    return fig.to_dict()


def _band(path: Path, rows: int = 80) -> list[bytes]:
    return png_rows(path.read_bytes(), rows=rows)[2]


def test_chinese_glyphs_render_in_png(cjk_font, artifacts):
    """Glyphs, not boxes: two different Chinese titles differ, and neither looks like missing-glyph boxes."""
    titles = {"empty": "", "zh_a": "中国科学院继续教育培训计划遴选", "zh_b": "研修班短期班学术讲坛精品项目高研",
              "tofu": "\ue000" * 15}
    bands = {}
    for key, text in titles.items():
        path = save_png(go.Figure(_title_png(text)), artifacts / f"glyphs_{key}.png", width=900, height=200)
        bands[key] = _band(path)
    band_px = 900 * 80
    ink = differing_pixels(bands["zh_a"], bands["empty"])
    assert ink > 0.03 * band_px, f"only {ink} pixels of title ink"
    assert differing_pixels(bands["zh_a"], bands["zh_b"]) > 0.03 * band_px, "two titles render alike: boxes?"
    assert differing_pixels(bands["zh_a"], bands["tofu"]) > 0.03 * band_px, "title looks like missing glyphs"


def test_the_house_font_picks_the_simplified_chinese_glyphs(cjk_font, artifacts):
    """骨/直/角/写 are drawn differently in Japanese and Simplified Chinese: FONT must give the SC shapes."""
    text = "骨直角写判"
    bands = {}
    for key, family in {"font": FONT, "sc": "Noto Sans CJK SC", "jp": "Noto Sans CJK JP"}.items():
        path = save_png(go.Figure(_title_png(text, family)), artifacts / f"variant_{key}.png", width=600, height=200)
        bands[key] = _band(path)
    assert differing_pixels(bands["sc"], bands["jp"]) > 100         # the variants do differ here
    assert differing_pixels(bands["font"], bands["sc"]) == 0
