"""议题 13: nothing silent — the year picks the policy, the analyst's words work, typos are the only message."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import polars as pl
import pytest
from conftest import ROOT, SAMPLES, plan_row, write_xlsx

from casplan.cli import main
from casplan.errors import EXIT_CODES, CasplanError, InputError, PolicyError, SelectionError
from casplan.intake.fields import IGNORED_PLAN_HEADERS, header_key, match_header
from casplan.intake import read_plans, read_roster
from casplan.pipeline import Inputs, load, run_year
from casplan.policy import load_policy, policy_warnings

FIELD_LIST = ROOT.parent / "shared" / "reference" / "casmooc-plan-fields.csv"


def _field_list_rows():
    path = FIELD_LIST if FIELD_LIST.exists() else None
    if path is None:
        pytest.skip("the platform's field list (shared/reference) is not beside this checkout")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def test_every_label_and_column_of_the_platform_field_list_is_known_or_deliberately_ignored():
    ignored = {header_key(h) for h in IGNORED_PLAN_HEADERS}
    unknown = []
    for row in _field_list_rows():
        for header in (row["column"], row["ui_label_zh"]):
            if header and match_header(header) is None and header_key(header) not in ignored:
                unknown.append(header)
    assert not unknown, unknown
    assert match_header("（培训地点的具体地点）") == "location"


def test_the_year_of_the_data_picks_the_policy_and_a_mismatch_is_one_line(tmp_path, capsys):
    plans = write_xlsx(tmp_path / "2024.xlsx", [plan_row(培训年度=2024, 培训开始时间="2024-05-08",
                                                         培训结束时间="2024-05-10")])
    assert main(["check", str(plans)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["没有 2024 年度的政策文件（内置的只有 2023 年度）；请按 2024 年度的通知写政策文件，并用 --policy 指定"]
    assert main(["check", str(plans), "--policy", str(ROOT / "casplan" / "policy" / "2023.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "导出的培训年度为 2024" in err[0] and "2023 年度" in err[0]


def test_policy_check_warns_about_dates_of_another_year(tmp_path, capsys):
    text = (ROOT / "casplan" / "policy" / "2023.yaml").read_text(encoding="utf-8")
    (tmp_path / "directions-2023.yaml").write_bytes((ROOT / "casplan" / "policy" / "directions-2023.yaml").read_bytes())
    path = tmp_path / "2024.yaml"
    path.write_text(text.replace("year: 2023 ", "year: 2024 ", 1), encoding="utf-8")
    warnings = policy_warnings(load_policy(path))
    assert any("deadline" in w and "2022-11-14" in w for w in warnings)
    assert any("funded_year" in w for w in warnings) and any("notice" in w for w in warnings)
    assert main(["policy", "check", str(path)]) == 0
    assert "提示：deadline" in capsys.readouterr().err
    assert not policy_warnings(load_policy())


def test_a_typo_in_a_path_is_the_first_and_only_message(capsys):
    assert main(["check", str(SAMPLES / "plans.xlsx"), "--history", str(SAMPLES / "histroy.xlsx"),
                 "--roster", str(SAMPLES / "roster.xlsx")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [f"找不到文件 {SAMPLES / 'histroy.xlsx'}（往年项目），请检查路径是否正确"]


def test_help_is_chinese_and_lists_the_analysts_commands_first():
    out = subprocess.run([sys.executable, "-m", "casplan.cli", "--help"], capture_output=True, text=True, timeout=60,
                         cwd=ROOT).stdout
    for english in ("usage:", "positional arguments", "options:", "show this help message"):
        assert english not in out
    commands = [line.split()[0] for line in out.splitlines() if line.startswith("    ")]
    assert commands.index("validate") < commands.index("report") < commands.index("render")
    assert "（开发用）" in out.split("render", 1)[1].splitlines()[0]
    sub = subprocess.run([sys.executable, "-m", "casplan.cli", "select", "--help"], capture_output=True, text=True,
                         timeout=60, cwd=ROOT).stdout
    assert "用法：" in sub and "选项：" in sub and "（开发用）" in sub
    bad = subprocess.run([sys.executable, "-m", "casplan.cli", "check", "--nope"], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert bad.returncode == 2 and "无法识别的参数：--nope" in bad.stderr and "error" not in bad.stderr


def test_exit_codes_are_one_table():
    assert EXIT_CODES[0] and EXIT_CODES[1] and EXIT_CODES[2] and EXIT_CODES[3]
    assert (InputError.exit_code, PolicyError.exit_code, SelectionError.exit_code, CasplanError.exit_code) == (2, 2, 3, 1)
    page = (ROOT / "docs" / "消息目录.md").read_text(encoding="utf-8")
    for code, text in EXIT_CODES.items():
        assert f"| {code} | {text} |" in page
    chapter = (ROOT / "docs" / "06-出具报告.md").read_text(encoding="utf-8")
    assert "| 3 | 遴选的约束无法同时满足" in chapter and "| 2 | 输入文件或政策文件有误" in chapter


# --- the analyst's words: Chinese track names, short forms, unit types -----------------------------

def test_quota_by_chinese_name_and_short_form(capsys):
    base = [str(SAMPLES / "plans.xlsx"), "--history", str(SAMPLES / "history.xlsx"), "--roster",
            str(SAMPLES / "roster.xlsx"), "--json"]
    assert main(["select", *base, "--quota", "专业技术研修班=8"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sum(1 for r in data["selected"] if r["track"] == "yanxiu") == 8
    assert main(["select", *base, "--quota", "研修班=7"]) == 0
    assert sum(1 for r in json.loads(capsys.readouterr().out)["selected"] if r["track"] == "yanxiu") == 7
    assert main(["select", *base, "--quota", "研究班=7"]) == 2
    err = capsys.readouterr().err
    assert "未知的类别「研究班」" in err and "专业技术研修班" in err


def test_force_in_a_mistyped_id_names_the_nearest(capsys):
    base = [str(SAMPLES / "plans.xlsx"), "--history", str(SAMPLES / "history.xlsx"), "--roster",
            str(SAMPLES / "roster.xlsx")]
    assert main(["select", *base, "--force-in", "P230021"]) == 2
    err = capsys.readouterr().err
    assert "不存在的申报编号「P230021」" in err and "最接近的编号" in err and "不具备任何类别的资格" not in err


def test_decisions_and_scenarios_take_chinese_track_names(tmp_path):
    from casplan.whatif import Scenario

    policy = load_policy()
    s = Scenario.from_dict({"name": "试算", "quotas": {"专业技术研修班": 8, "人社部": 3},
                            "weights": {"精品培训项目": {"direction": 50}}}, policy=policy)
    assert s.quotas["yanxiu"] == 8 and s.quotas["mohrss"] == 3 and s.weights["jingpin"]["direction"] == 50
    with pytest.raises(InputError, match="未知的类别「研究班」"):
        Scenario.from_dict({"quotas": {"研究班": 8}}, policy=policy)
    decisions = tmp_path / "决定.yaml"
    loaded = load(Inputs.of(SAMPLES / "plans.xlsx", history=SAMPLES / "history.xlsx", roster=SAMPLES / "roster.xlsx"))
    app = loaded.plans.frame.filter(pl.col("apply_funding") & (pl.col("category") == "专业技术研修班"))["app_id"][0]
    decisions.write_text(f"- {{action: waive, app: {app}, rule: PF, track: 专业技术研修班, reason: 核实无误, author: 刘杨}}\n",
                         encoding="utf-8")
    year = run_year(Inputs.of(SAMPLES / "plans.xlsx", history=SAMPLES / "history.xlsx", roster=SAMPLES / "roster.xlsx",
                              overrides=decisions))
    assert year.loaded.overrides.entries[0].track == "专业技术研修班"  # as written; resolved where it is checked


def test_select_scores_takes_chinese_track_and_unit_type(tmp_path, capsys):
    path = tmp_path / "scores.csv"
    path.write_text("id,unit,unit_type,track,score,cost\nA1,物理所,研究所,专业技术研修班,80,10\n"
                    "A2,北京分院,分院,管理类,70,5\n", encoding="utf-8")
    assert main(["select", "--scores", str(path), "--year", "2023", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {(r["id"], r["track"]) for r in data["selected"]} == {("A1", "yanxiu"), ("A2", "guanli")}
    assert main(["select", "--scores", str(path)]) == 2
    assert "须用 --policy" in capsys.readouterr().err


def test_match_track_in_chinese(capsys):
    assert main(["match", "深度学习研修班", "--track", "人社部"]) == 0
    assert "人工智能（人社部高级研修项目）" in capsys.readouterr().out


# --- unit types without a roster, 主办单位 variants -------------------------------------------------

def test_unit_type_is_inferred_from_the_name_without_a_roster(tmp_path):
    text = {"培训目的": "提高管理干部的履职能力和业务水平。", "培训内容": "政策解读、案例研讨与经验交流。"}
    rows = [plan_row(单位名称="中国科学院武汉分院", 培训名称="分院系统干部培训班", 培训类别="管理类培训", **text),
            plan_row(单位名称="中国科学院科技促进发展局", 培训名称="成果转化管理培训班", 培训类别="管理类培训", **text),
            plan_row(单位名称="中国科学院化学研究所", 培训名称="研究所管理培训班", 培训类别="管理类培训", **text)]
    path = write_xlsx(tmp_path / "p.xlsx", rows)
    year = run_year(Inputs.of(path))
    s = year.eligibility.summary.join(year.eligibility.applications.select("app_id", "unit"), on="app_id")
    verdict = dict(s.select("unit", "eligible").iter_rows())
    assert verdict == {"中国科学院武汉分院": True, "中国科学院科技促进发展局": True, "中国科学院化学研究所": False}
    notes = year.loaded.plans.warnings.filter(pl.col("reason") == "I-UNIT-TYPE")["message"].to_list()
    assert any("武汉分院" in n and "按名称推断为「分院」" in n for n in notes)
    m1 = year.eligibility.verdicts.filter(pl.col("code") == "M1-UNIT")["message"].to_list()
    assert all("名册中未找到" not in m for m in m1) and any("按名称推断" in m for m in m1)


def test_organiser_variants_resolve_to_the_roster_unit(tmp_path):
    roster = read_roster(write_xlsx(tmp_path / "r.xlsx", [
        {"单位名称": "中国科学院计算技术研究所", "单位类型": "研究所", "所属分院": "北京分院", "别名": "计算所"}])).frame
    header = ["单位名称", "主办单位", "培训名称", "培训类别"]
    rows = [{"主办单位": "中国科学院计算技术研究所人事处", "培训名称": "甲班", "培训类别": "专业技术研修班"},
            {"主办单位": "计算所", "培训名称": "乙班", "培训类别": "专业技术研修班"},
            {"单位名称": "中科院计算所", "培训名称": "丙班", "培训类别": "专业技术研修班"}]
    intake = read_plans(write_xlsx(tmp_path / "p.xlsx", rows, header=header), roster=roster, policy=load_policy())
    assert intake.frame["unit"].to_list() == ["中国科学院计算技术研究所"] * 3
    assert intake.warnings.filter(pl.col("reason").str.starts_with("I-UNIT")).height == 0
