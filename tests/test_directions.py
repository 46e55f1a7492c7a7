"""The support-direction matcher: vocabulary, matching rules, scores, frames, CLI, quality."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from casplan.cli.match import add_parser, read_texts, run
from casplan.directions import (
    DEFAULT_THRESHOLD,
    best_direction,
    evaluate_labels,
    load_directions,
    match_frame,
    match_text,
)
from casplan.errors import InputError, PolicyError

DATA = Path(__file__).parent / "data"
PACKAGED = Path(__file__).resolve().parents[1] / "casplan" / "policy" / "directions-2023.yaml"

# The 附表 of the 2023 notice, typed from the notice (not read from the vocabulary).
NOTICE_DIRECTIONS = {
    "yanxiu": ("高技术创新", "关键核心技术攻关任务", "国家重大科技基础设施", "重点研发计划"),
    "duanqi": ("国家重大战略", "重大工程", "重大项目", "重点产业"),
    "jiangtan": ("基础前沿交叉的重大科学和技术问题", "国际学术交流", "原始创新能力", "国际视野"),
    "jingpin": ("原始创新", "关键核心技术相关领域科技人才", "重大科技成果产出",
                "“黑土粮仓”科技会战", "“双碳”专项行动", "关键核心技术攻关"),
    "mohrss": ("创新驱动发展", "乡村振兴", "可持续发展", "区域协调发展", "制造强国", "网络强国", "数字强国",
               "质量强国", "战略性新兴产业",
               "新一代信息技术", "生物技术", "新能源", "新材料", "高端装备", "新能源汽车", "绿色环保",
               "航空航天", "海洋装备",
               "量子信息", "生命健康", "脑科学", "生物育种", "空天科技", "深地深海",
               "人工智能", "物联网", "大数据", "云计算", "智能制造", "工业互联网", "虚拟现实", "区块链", "集成电路"),
    "guanli": (),
}


@pytest.fixture(scope="module")
def vocab():
    return load_directions()


def names(text, vocab, track, **kw):
    return [m.direction for m in match_text(text, vocabulary=vocab, track=track, **kw)]


# ───────────────────────────── vocabulary ─────────────────────────────


def test_every_direction_of_the_notice_is_present(vocab):
    assert {t.id: t.directions for t in vocab.tracks} == NOTICE_DIRECTIONS


def test_track_ids_are_those_of_the_policy(vocab):
    import yaml

    policy = yaml.safe_load((PACKAGED.parent / "2023.yaml").read_text(encoding="utf-8"))
    assert set(vocab.track_ids) == {t["id"] for t in policy["tracks"]}
    assert DEFAULT_THRESHOLD == policy["scoring"]["match_threshold"]


@pytest.mark.parametrize(("track", "direction"),
                         [(t, d) for t, ds in NOTICE_DIRECTIONS.items() for d in ds])
def test_the_notice_words_match_their_own_direction(vocab, track, direction):
    title = direction.replace("“", "").replace("”", "") + "培训班"
    top = match_text(title, vocabulary=vocab, track=track)
    assert direction in [m.direction for m in top]
    assert next(m for m in top if m.direction == direction).score >= 0.8


def test_shared_vocabulary_is_defined_once(vocab):
    a = vocab.directions["关键核心技术攻关任务"].terms
    b = vocab.directions["关键核心技术攻关"].terms
    assert a == b
    assert set(vocab.directions["原始创新能力"].terms) == set(vocab.directions["原始创新"].terms)


# ───────────────────────────── matching ─────────────────────────────


@pytest.mark.parametrize(("text", "track", "direction"), [
    ("碳中和与低碳技术培训班", "jingpin", "“双碳”专项行动"),
    ("净零排放路径研修班", "jingpin", "“双碳”专项行动"),
    ("CCUS技术培训班", "jingpin", "“双碳”专项行动"),
    ("东北黑土保护利用技术培训班", "jingpin", "“黑土粮仓”科技会战"),
    ("梨树模式保护性耕作培训班", "jingpin", "“黑土粮仓”科技会战"),
    ("大模型微调实践高级研修班", "mohrss", "人工智能"),
    ("深度学习高级研修班", "mohrss", "人工智能"),
    ("AI赋能科研高级研修班", "mohrss", "人工智能"),
    ("ＡＩ赋能科研高级研修班", "mohrss", "人工智能"),
    ("AI4S前沿高级研修班", "mohrss", "人工智能"),
    ("神经网络方法研修班", "mohrss", "人工智能"),
    ("芯片设计高级研修班", "mohrss", "集成电路"),
    ("EDA工具高级研修班", "mohrss", "集成电路"),
    ("光刻工艺高级研修班", "mohrss", "集成电路"),
    ("半导体器件高级研修班", "mohrss", "集成电路"),
    ("IoT边缘计算高级研修班", "mohrss", "物联网"),
    ("VR/AR交互技术高级研修班", "mohrss", "虚拟现实"),
    ("5G通信高级研修班", "mohrss", "新一代信息技术"),
    ("上海光源实验技术研修班", "yanxiu", "国家重大科技基础设施"),
    ("卡脖子技术攻关研修班", "yanxiu", "关键核心技术攻关任务"),
    ("载人航天工程载荷培训班", "duanqi", "重大工程"),
    ("邀请海外学者学术讲座", "jiangtan", "国际学术交流"),
    ("从0到1原始创新讲坛", "jiangtan", "原始创新能力"),
])
def test_synonyms(vocab, text, track, direction):
    assert direction in names(text, vocab, track)


@pytest.mark.parametrize(("text", "track", "direction"), [
    ("生物芯片技术培训班", "mohrss", "集成电路"),
    ("基因芯片与微流控芯片培训班", "jingpin", "关键核心技术相关领域科技人才"),
    ("碳酸盐岩储层地质培训班", "jingpin", "“双碳”专项行动"),
    ("碳纤维复合材料培训班", "jingpin", "“双碳”专项行动"),
    ("低碳钢焊接工艺培训班", "jingpin", "“双碳”专项行动"),
    ("低碳钢焊接工艺培训班", "mohrss", "绿色环保"),
    ("人工林经营技术培训班", "mohrss", "人工智能"),
    ("量子化学计算方法研修班", "mohrss", "量子信息"),
    ("量子点发光材料研修班", "mohrss", "量子信息"),
    ("海洋生物多样性调查培训班", "mohrss", "海洋装备"),
    ("区块链电子发票报销培训", "mohrss", "区块链"),
    ("职工心理健康讲座", "mohrss", "生命健康"),
    ("文献计量方法培训", "mohrss", "质量强国"),
    ("森林质量提升技术培训", "mohrss", "质量强国"),
    ("英文EMAIL写作与TRAINING技巧", "mohrss", "人工智能"),
    ("Ar-Ar定年技术培训", "mohrss", "虚拟现实"),
    ("卷积神经网络研修班", "mohrss", "脑科学"),
    ("新能源汽车电池检测研修班", "mohrss", "新能源"),
])
def test_hard_negatives(vocab, text, track, direction):
    assert direction not in names(text, vocab, track)


def test_hard_negatives_still_count_for_the_right_direction(vocab):
    assert "生物技术" in names("生物芯片技术培训班", vocab, "mohrss")
    assert "新能源汽车" in names("新能源汽车电池检测研修班", vocab, "mohrss")


def test_longest_match_wins_and_partial_overlaps_both_count(vocab):
    hits = match_text("新能源材料研修班", vocabulary=vocab, track="mohrss")
    assert {m.direction for m in hits} >= {"新能源", "新材料"}
    (ev,) = [m for m in match_text("新能源汽车研修班", vocabulary=vocab, track="mohrss")
             if m.direction == "新能源汽车"]
    assert [h.matched_text for h in ev.terms] == ["新能源汽车"]


def test_each_hit_names_its_field(vocab):
    text = {"培训名称": "高级研修班", "培训目的": "服务乡村振兴", "培训内容": "讲授碳中和路径", "培训关键词": "人工智能"}
    got = {m.direction: m for m in match_text(text, vocabulary=vocab, track="mohrss")}
    assert [(h.term, h.field) for h in got["乡村振兴"].terms] == [("乡村振兴", "goal")]
    assert [(h.term, h.field) for h in got["绿色环保"].terms] == [("碳中和", "content")]
    assert [(h.term, h.field) for h in got["人工智能"].terms] == [("人工智能", "keywords")]
    assert got["人工智能"].terms_text == "人工智能(培训关键词)"
    # canonical keys are the same as the Chinese labels
    same = match_text({"goal": "服务乡村振兴"}, vocabulary=vocab, track="mohrss")
    assert same[0].direction == "乡村振兴"
    assert same[0].terms[0].field_label == "培训目的"


def test_unknown_field_is_refused(vocab):
    with pytest.raises(InputError, match="不认识的文本字段「备注」"):
        match_text({"备注": "碳中和"}, vocabulary=vocab)


def test_unknown_track_is_refused(vocab):
    with pytest.raises(PolicyError, match="没有类别「foo」"):
        match_text("碳中和", vocabulary=vocab, track="foo")


def test_score_formula(vocab):
    fw = vocab.field_weights

    def score(text, direction, track="mohrss"):
        got = match_text(text, vocabulary=vocab, track=track, threshold=0.0)
        return next(m.score for m in got if m.direction == direction)

    assert score({"培训内容": "碳中和"}, "“双碳”专项行动", "jingpin") == pytest.approx(fw["content"])
    # two distinct terms combine by noisy-or: 1 - (1 - 1.0·0.6)(1 - 0.9·0.6)
    assert score({"培训内容": "碳中和与低碳"}, "“双碳”专项行动", "jingpin") == pytest.approx(1 - 0.4 * 0.46)
    # the same weak term in two fields counts once, at its strongest field: still below the threshold
    assert score({"培训名称": "卫星", "培训内容": "卫星"}, "航空航天") == pytest.approx(0.3)
    assert score("植物分类学", "航空航天") == 0.0


def test_threshold_zero_returns_every_direction_of_the_track(vocab):
    got = match_text("植物分类学研修班", vocabulary=vocab, track="jingpin", threshold=0.0)
    assert [m.direction for m in got] == list(NOTICE_DIRECTIONS["jingpin"])
    assert all(m.score == 0.0 and m.terms == () for m in got)
    assert match_text("植物分类学研修班", vocabulary=vocab, track="guanli", threshold=0.0) == []


def test_results_are_best_first_and_above_threshold(vocab):
    got = match_text({"培训名称": "碳中和研修班", "培训内容": "人工智能"}, vocabulary=vocab, threshold=0.5)
    scores = [m.score for m in got]
    assert scores == sorted(scores, reverse=True)
    assert all(s >= 0.5 for s in scores)
    with pytest.raises(ValueError, match="threshold"):
        match_text("碳中和", vocabulary=vocab, threshold=1.5)


_LABELS = pl.read_csv(DATA / "direction_labels.csv", infer_schema=False)
_TITLES = _LABELS["培训名称"].to_list()
_CONTENTS = _LABELS["培训内容"].to_list()


@settings(max_examples=120, deadline=None)
@given(
    title=st.sampled_from(_TITLES),
    content=st.sampled_from(_CONTENTS),
    extra=st.sampled_from(sorted({t.text for d in load_directions().directions.values() for t in d.terms})),
    field=st.sampled_from(["培训名称", "培训目的", "培训内容", "培训关键词"]),
)
def test_scores_are_bounded_and_monotone(vocab, title, content, extra, field):
    base = {"培训名称": title, "培训内容": content}
    more = dict(base)
    more[field] = (more.get(field) or "") + "；" + extra
    before = {(m.track, m.direction): m.score for m in match_text(base, vocabulary=vocab, threshold=0.0)}
    after = {(m.track, m.direction): m.score for m in match_text(more, vocabulary=vocab, threshold=0.0)}
    assert before.keys() == after.keys()
    for key, s in before.items():
        assert 0.0 <= s <= 1.0
        assert 0.0 <= after[key] <= 1.0
        assert after[key] >= s - 1e-12, key


# ───────────────────────────── frames ─────────────────────────────


def test_match_frame_long_format(vocab):
    plans = pl.DataFrame({
        "app_id": ["A", "B", "C"],
        "培训名称": ["碳中和技术研修班", "植物分类学研修班", "深度学习研修班"],
        "培训内容": ["讲授低碳技术", None, "讲授大模型"],
    })
    out = match_frame(plans, vocabulary=vocab)
    pairs = sum(len(t.directions) for t in vocab.tracks)
    assert out.columns == ["app_id", "track", "direction", "score", "terms", "is_match"]
    assert out.height == plans.height * pairs
    assert out.select(pl.struct("app_id", "track", "direction").is_unique().all()).item()
    assert out["app_id"].unique(maintain_order=True).to_list() == ["A", "B", "C"]
    assert out.filter(pl.col("is_match") != (pl.col("score") >= DEFAULT_THRESHOLD)).is_empty()
    row = out.filter(pl.col("app_id") == "A", pl.col("direction") == "“双碳”专项行动").row(0, named=True)
    assert row["terms"] == "碳中和(培训名称)；低碳(培训内容)"
    assert row["score"] == pytest.approx(1.0)
    assert out.filter(pl.col("app_id") == "B")["score"].max() == 0.0
    # consistent with match_text
    for app, text in (("A", {"培训名称": "碳中和技术研修班", "培训内容": "讲授低碳技术"}),
                      ("C", {"培训名称": "深度学习研修班", "培训内容": "讲授大模型"})):
        expect = {(m.track, m.direction): m.score for m in match_text(text, vocabulary=vocab)}
        got = {(r["track"], r["direction"]): r["score"]
               for r in out.filter(pl.col("app_id") == app, pl.col("is_match")).iter_rows(named=True)}
        assert got == pytest.approx(expect)


def test_best_direction(vocab):
    plans = pl.DataFrame({"app_id": [3, 1, 2],
                          "train_name": ["植物分类学研修班", "碳中和技术研修班", "深度学习研修班"]})
    long = match_frame(plans, vocabulary=vocab)
    best = best_direction(long)
    assert best["app_id"].to_list() == [3, 1, 2]
    assert best["direction"].to_list() == [None, "“双碳”专项行动", "人工智能"]
    per_track = best_direction(long, by_track=True)
    # 管理类 (guanli) has no directions in the notice, hence no rows
    assert per_track.height == plans.height * sum(1 for t in vocab.tracks if t.directions)
    assert "guanli" not in per_track["track"].to_list()
    assert per_track.filter(pl.col("app_id") == 1, pl.col("track") == "mohrss")["direction"].item() == "绿色环保"


def test_match_frame_rejects_bad_ids(vocab):
    with pytest.raises(InputError, match="编号列「app_id」"):
        match_frame(pl.DataFrame({"培训名称": ["x"]}), vocabulary=vocab)
    with pytest.raises(InputError, match="「A」的行不止一行"):
        match_frame(pl.DataFrame({"app_id": ["A", "A"], "培训名称": ["x", "y"]}), vocabulary=vocab)
    with pytest.raises(InputError, match="第2行"):
        match_frame(pl.DataFrame({"app_id": ["A", None], "培训名称": ["x", "y"]}), vocabulary=vocab)
    with pytest.raises(InputError, match="没有可用于方向匹配的文本列"):
        match_frame(pl.DataFrame({"app_id": ["A"], "unit": ["x"]}), vocabulary=vocab)


def test_match_frame_is_fast_on_a_year_of_plans(vocab):
    rows = _LABELS.rows(named=True)
    n = 3000
    plans = pl.DataFrame({
        "app_id": [f"A{i}" for i in range(n)],
        "train_name": [f"{rows[i % len(rows)]['培训名称']}（第{i}期）" for i in range(n)],
        "goal": [f"面向科研骨干，{rows[i % len(rows)]['培训内容']}（{i}）" for i in range(n)],
        "content": [(rows[i % len(rows)]["培训内容"] or "") * 2 + f"共{i}学时" for i in range(n)],
        "keywords": [f"{rows[i % len(rows)]['培训名称'][:8]}；{i}" for i in range(n)],
    })
    start = time.perf_counter()
    out = match_frame(plans, vocabulary=vocab)
    elapsed = time.perf_counter() - start
    assert out.height == n * sum(len(t.directions) for t in vocab.tracks)
    assert elapsed < 1.0, f"match_frame took {elapsed:.2f}s for {n} rows"


# ───────────────────────────── quality ─────────────────────────────


def test_labelled_set_is_well_formed(vocab):
    assert _LABELS.height >= 200
    assert set(_LABELS["track"]) == set(NOTICE_DIRECTIONS)
    empty = _LABELS["expected"].is_null().sum()
    assert 0.15 <= empty / _LABELS.height <= 0.35


def test_f1_on_the_labelled_set(vocab):
    score = evaluate_labels(_LABELS, vocabulary=vocab)
    assert score.f1 >= 0.9, score.errors


def test_evaluate_labels_counts_and_rejects_unknown_names(vocab):
    labels = pl.DataFrame({"培训名称": ["碳中和研修班", "植物分类学研修班", "深度学习研修班"],
                           "track": ["jingpin", "jingpin", "mohrss"],
                           "expected": ["“双碳”专项行动", "原始创新", ""]})
    s = evaluate_labels(labels, vocabulary=vocab)
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)
    assert sorted(s.errors["kind"].to_list()) == ["漏报", "误报"]
    bad = labels.with_columns(pl.lit("黑土粮仓").alias("expected"))
    with pytest.raises(InputError, match="「黑土粮仓」不是类别「jingpin」的重点支持方向"):
        evaluate_labels(bad, vocabulary=vocab)


# ───────────────────────────── loading errors ─────────────────────────────


def _variant(tmp_path, old, new, count=1):
    text = PACKAGED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "directions-test.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "message"), [
    ("field_weights:", "threshold: 0.35\nfield_weights:", "「threshold」不是可识别的键"),
    ("  高技术创新:\n    note:", "  高技术创新:\n    weight: 1\n    note:", "「directions.高技术创新.weight」不是可识别的键"),
    ("  content: 0.6      # 培训内容\n", "", "缺少键「field_weights.content」"),
    ("      高技术: 1.0", "      高技术: 1.5", "「directions.高技术创新.terms.高技术」的权重为「1.5」"),
    ("directions: [国家重大战略,", "directions: [国家重大战咯,", "方向「国家重大战咯」未在 directions 中定义"),
    ("      高新技术: 1.0", "      高技术: 0.9", "键「高技术」重复出现"),
    ("    like: 原始创新\n", "    like: 原始创心\n", "引用的方向「原始创心」未定义"),
    ("    directions: []", "    directions: []\n    quota: 3", "「tracks.guanli.quota」不是可识别的键"),
])
def test_bad_vocabulary_files_are_refused(tmp_path, old, new, message):
    path = _variant(tmp_path, old, new)
    with pytest.raises(PolicyError, match=message) as info:
        load_directions(path)
    assert "directions-test.yaml" in str(info.value)


def test_missing_vocabulary_file(tmp_path):
    with pytest.raises(PolicyError, match="找不到方向词表文件"):
        load_directions(tmp_path / "nope.yaml")


def test_load_from_path_equals_packaged(vocab):
    other = load_directions(PACKAGED)
    assert other.directions == vocab.directions and other.tracks == vocab.tracks


# ───────────────────────────── CLI ─────────────────────────────


def cli(argv, capsys):
    parser = argparse.ArgumentParser(prog="casplan")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["match", *argv])
    code = run(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_shape(capsys):
    code, out, err = cli(["碳中和技术研修班", "植物分类学研修班", "--json", "--track", "jingpin"], capsys)
    assert code == 0 and err == ""
    data = json.loads(out)
    assert [d["text"] for d in data] == ["碳中和技术研修班", "植物分类学研修班"]
    first = data[0]["directions"]
    assert first[0] == {"direction": "“双碳”专项行动", "track": "jingpin", "score": 1.0,
                        "terms": [{"term": "碳中和", "matched_text": "碳中和", "field": "培训名称"}]}
    assert data[1]["directions"] == []


def test_cli_json_lists_only_above_threshold_best_first(capsys):
    code, out, _ = cli(["AI与芯片和卫星", "--json", "--threshold", "0.5"], capsys)
    assert code == 0
    dirs = json.loads(out)[0]["directions"]
    assert dirs and all(d["score"] >= 0.5 for d in dirs)
    assert [d["score"] for d in dirs] == sorted((d["score"] for d in dirs), reverse=True)
    assert "航空航天" not in {d["direction"] for d in dirs}


def test_cli_human_output_is_chinese(capsys):
    code, out, _ = cli(["深度学习研修班", "所庆报告会", "--track", "mohrss"], capsys)
    assert code == 0
    assert "【1】深度学习研修班" in out
    assert "人工智能（人社部高级研修项目）  得分 1.00  命中：深度学习(培训名称)" in out
    assert "【2】所庆报告会" in out and "没有得分达到 0.35 的重点支持方向" in out


def _xlsx(path, grid):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("计划")
    for i, row in enumerate(grid):
        ws.write_row(i, 0, row)
    wb.close()
    return path


def test_cli_reads_xlsx_below_title_rows(tmp_path, capsys):
    path = _xlsx(tmp_path / "plans.xlsx", [["2023年度培训计划"], [],
                                          ["序号", "培训名称", "培训内容", "培训关键词"],
                                          [1, "黑土地保护技术培训班", "推广梨树模式", ""],
                                          [2, "", "空名称的行跳过", ""],
                                          [3, "集成电路设计研修班", "", "EDA"]])
    assert read_texts(path) == [
        {"train_name": "黑土地保护技术培训班", "keywords": None, "content": "推广梨树模式"},
        {"train_name": "集成电路设计研修班", "keywords": "EDA", "content": None},
    ]
    code, out, _ = cli(["--file", str(path), "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and len(data) == 2
    assert data[0]["directions"][0]["direction"] == "“黑土粮仓”科技会战"
    assert {"term": "eda", "matched_text": "EDA", "field": "培训关键词"} in data[1]["directions"][0]["terms"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_cli_reads_csv_in_utf8_and_gbk(tmp_path, capsys, encoding):
    path = tmp_path / "plans.csv"
    path.write_bytes("项目名称,培训内容\n碳中和研修班,讲授低碳技术\n".encode(encoding))
    code, out, err = cli(["--file", str(path)], capsys)
    assert code == 0, err
    assert "“双碳”专项行动" in out


def test_cli_file_without_train_name_column(tmp_path, capsys):
    path = tmp_path / "plans.csv"
    path.write_text("单位名称,培训内容\n物理所,讲授低碳技术\n", encoding="utf-8")
    code, out, err = cli(["--file", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "找不到「培训名称」列" in err and "plans.csv" in err


@pytest.mark.parametrize(("content", "reason"), [(b"", "文件为空"), (b"PK\x03\x04 not really a zip", "无法作为 Excel 工作簿打开")])
def test_cli_unreadable_file(tmp_path, capsys, content, reason):
    path = tmp_path / "plans.xlsx"
    path.write_bytes(content)
    code, out, err = cli(["--file", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and reason in err and "plans.xlsx" in err


def test_cli_missing_file_bad_track_bad_policy(tmp_path, capsys):
    code, _, err = cli(["--file", str(tmp_path / "none.csv")], capsys)
    assert code == 2 and "找不到文件" in err
    code, _, err = cli(["碳中和", "--track", "foo"], capsys)
    assert code == 2 and "未知的类别「foo」" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("directions: {}\n", encoding="utf-8")
    code, _, err = cli(["碳中和", "--policy-directions", str(bad)], capsys)
    assert code == 2 and "bad.yaml" in err and "Traceback" not in err
    code, _, err = cli([], capsys)
    assert code == 2 and "请给出至少一个培训名称" in err
