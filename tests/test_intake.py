"""Intake of plan exports as they really come: each bad input has a test, and every count adds up."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile

import fastexcel
import polars as pl
import pytest
import xlsxwriter
from conftest import plan_row, write_csv, write_xlsx

from casplan.cli import main
from casplan.intake import read_plans, read_roster


def _balanced(intake) -> None:
    assert intake.rows_read == intake.rows_accepted + intake.rows_set_aside
    for f in intake.files.iter_rows(named=True):
        assert f["rows_read"] == f["rows_accepted"] + f["rows_set_aside"], f


def test_title_rows_blank_rows_and_excel_row_numbers(tmp_path):
    p = write_xlsx(tmp_path / "p.xlsx", [plan_row(), None, plan_row(培训名称="第二个班")], title_rows=2)
    intake = read_plans(p)
    _balanced(intake)
    assert intake.files.row(0, named=True)["header_row"] == 3
    assert intake.frame["source_row"].to_list() == [4, 6]
    assert intake.files["blank_rows"].to_list() == [1]
    assert intake.rows_set_aside == 0


def test_values_are_normalised(tmp_path):
    rows = [plan_row(天数="三天半", 学员计划参加人数="约100人", 是否申请资助="√", 培训开始时间="2023年3月1日",
                     培训结束时间="2023.3.4"),
            plan_row(培训名称="　全角空格班　", 天数="３", 学员计划参加人数="100人左右", 是否申请资助="0"),
            plan_row(培训名称="序列日期班", 培训开始时间=44986, 培训结束时间="2023/3/3", 是否申请资助="否")]
    intake = read_plans(write_xlsx(tmp_path / "p.xlsx", rows))
    f = intake.frame.sort("source_row")
    assert f["days"].to_list() == [3.5, 3.0, 3.0]
    assert f["trainees"].to_list() == [100.0, 100.0, 80.0]
    assert f["trainees_about"].to_list() == [True, True, False]
    assert f["apply_funding"].to_list() == [True, False, False]
    assert f["start_date"].to_list() == [dt.date(2023, 3, 1), dt.date(2023, 5, 8), dt.date(2023, 3, 1)]
    assert f["train_name"][1] == "全角空格班"


def test_bad_values_are_set_aside_with_place_and_expectation(tmp_path):
    rows = [plan_row(), plan_row(天数=-3), plan_row(学员计划参加人数=1e9), plan_row(培训结束时间="2023-05-01"),
            plan_row(培训名称=None), plan_row(天数="三到五天"), plan_row(经费预算="待定"),
            plan_row(培训开始时间="2023-02-30")]
    rows[6]["经费预算(万元)"] = "待定"
    p = write_xlsx(tmp_path / "bad.xlsx", rows, title_rows=1)
    intake = read_plans(p)
    _balanced(intake)
    assert intake.rows_accepted == 1 and intake.rows_set_aside == 7
    by_row = {r["row"]: r for r in intake.set_aside.iter_rows(named=True)}
    assert by_row[4]["column"] == "天数" and by_row[4]["value"] == "-3" and by_row[4]["reason"] == "I-RANGE"
    assert "第 4 行「天数」为「-3」" in by_row[4]["message"] and "大于 0" in by_row[4]["message"]
    assert by_row[5]["column"] == "学员计划参加人数" and by_row[5]["reason"] == "I-RANGE"
    assert by_row[6]["reason"] == "I-DATE-ORDER" and by_row[6]["column"] == "培训结束时间"
    assert by_row[7]["reason"] == "I-REQUIRED" and by_row[7]["column"] == "培训名称"
    assert by_row[8]["reason"] == "I-NUMBER-RANGE"
    assert by_row[9]["reason"] == "I-NUMBER" and by_row[9]["value"] == "待定"
    assert by_row[10]["reason"] == "I-DATE" and "2023-02-30" in by_row[10]["message"]
    assert all(m.startswith(p.name) for m in intake.set_aside["message"])
    # The set-aside rows are kept whole, as read.
    assert intake.rejected.height == 7
    assert set(intake.rejected["source_row"]) == set(by_row)


def test_platform_labels_english_names_and_unknown_columns(tmp_path):
    header = ["主办单位:", "培训名称：", "培训类别：", "days", "classHour", "attendantCount", "fee", "isNoted",
              "feeLevel", "ifBJ", "具体地点", "本所自编序号", "学员实际人数"]
    row = {"主办单位:": "物理所", "培训名称：": "光源班", "培训类别：": "专业技术研修班", "days": "3天",
           "classHour": 24, "attendantCount": 80, "fee": 10, "isNoted": 1, "feeLevel": 0, "ifBJ": 0,
           "具体地点": "合肥", "本所自编序号": 75, "学员实际人数": 70}
    intake = read_plans(write_xlsx(tmp_path / "p.xlsx", [row], header=header))
    f = intake.frame
    assert f["unit"][0] == "物理所" and f["train_name"][0] == "光源班"
    assert f["days"][0] == 3 and f["class_hours"][0] == 24 and f["is_noted"][0] is True
    assert f["fee_level"][0] == "处级及以下" and f["is_local"][0] is False
    assert "本所自编序号" in f.columns and f["本所自编序号"][0] == "75"
    assert intake.files["unknown_columns"][0] == "本所自编序号"
    # a label of the platform's form that is deliberately not used is kept, but not reported as unknown
    assert f["学员实际人数"][0] == "70"


def test_roster_aliases_map_units_and_unknown_units_warn(tmp_path):
    roster_file = write_xlsx(tmp_path / "roster.xlsx", [
        {"单位名称": "中国科学院物理研究所", "单位类型": "研究所", "所属分院": "北京分院", "别名": "物理所"}])
    roster = read_roster(roster_file)
    assert roster.rows_accepted == 1
    rows = [plan_row(单位名称="物理所 "), plan_row(单位名称="物理研究所", 培训名称="B"),
            plan_row(单位名称="不存在研究所", 培训名称="C")]
    intake = read_plans(write_xlsx(tmp_path / "p.xlsx", rows), roster=roster.frame)
    assert intake.frame["unit"].to_list()[:2] == ["中国科学院物理研究所"] * 2
    assert intake.frame["branch"].to_list()[:2] == ["北京分院"] * 2
    warn = intake.warnings.filter(pl.col("reason") == "I-UNIT-UNKNOWN")
    assert warn["value"].to_list() == ["不存在研究所"]
    assert intake.rows_accepted == 3  # a warning never drops a row


def test_duplicates_are_one_application_the_others_set_aside(tmp_path):
    """议题 14.1: 「…（2023）」, 「…(2023) 」 and a repeated platform ID are one project, counted once."""
    rows = [plan_row(ID=2300507, 培训名称="院机关财务管理培训班（2023）", 培训类别="管理类培训"),
            plan_row(ID=2399507, 培训名称="院机关财务管理培训班(2023) ", 培训类别="管理类培训"),
            plan_row(ID=2300507, 培训名称="院机关财务管理培训班（2023）", 培训类别="管理类培训"),
            plan_row(培训名称="ＩＮＦＯ 院机关财务管理培训班（2023）", 培训类别="管理类培训"),
            plan_row(培训名称="另一个班")]
    intake = read_plans(write_xlsx(tmp_path / "p.xlsx", rows))
    assert intake.rows_read == 5 and intake.rows_accepted == 3 and intake.rows_set_aside == 2
    assert intake.frame["app_id"].to_list()[0] == "P2300507"
    dups = intake.set_aside.filter(pl.col("reason") == "I-DUPLICATE")
    assert sorted(dups["row"].to_list()) == [3, 4]
    assert all("只保留那一行" in m and "第 2 行" in m for m in dups["message"])
    # a case-folded, full-width variant with another word is a different title: kept
    assert "ＩＮＦＯ 院机关财务管理培训班（2023）" in intake.frame["train_name"].to_list()


def test_stable_ids_survive_a_fresh_export(tmp_path):
    a = read_plans(write_xlsx(tmp_path / "a.xlsx", [plan_row(), plan_row(培训名称="B班")]))
    b = read_plans(write_xlsx(tmp_path / "b.xlsx", [plan_row(培训名称="B班"), None, plan_row(单位名称=" 中国科学院物理研究所")],
                              title_rows=3))
    assert sorted(a.frame["app_id"]) == sorted(b.frame["app_id"])


def test_platform_id_is_used_when_present(tmp_path):
    intake = read_plans(write_xlsx(tmp_path / "p.xlsx", [plan_row(ID=2300017)]))
    assert intake.frame["app_id"].to_list() == ["P2300017"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    p = write_csv(tmp_path / "p.csv", [plan_row(), plan_row(培训名称="黑土地保护与利用短期培训班")], encoding=encoding)
    intake = read_plans(p)
    assert intake.ok and intake.rows_accepted == 2
    assert "黑土地保护与利用短期培训班" in intake.frame["train_name"].to_list()


def test_csv_in_no_known_encoding_is_unreadable(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_bytes(b"\xff\xfe\xfe\xff"[2:] + bytes(range(128, 256)) * 4)
    intake = read_plans(p)
    assert not intake.ok and "编码" in str(intake.errors[0])


def test_xlsx_that_is_really_csv_or_html(tmp_path):
    csv_in_disguise = write_csv(tmp_path / "export.xlsx", [plan_row()])
    intake = read_plans(csv_in_disguise)
    assert intake.ok and intake.rows_accepted == 1
    assert any("内容是文本（CSV）" in m for m in intake.warnings["message"])
    html = tmp_path / "export2.xlsx"
    cells = "".join(f"<td>{v}</td>" for v in plan_row().values())
    head = "".join(f"<th>{k}</th>" for k in plan_row())
    html.write_text(f"<html><body><table><tr>{head}</tr><tr>{cells}</tr></table></body></html>", encoding="utf-8")
    intake = read_plans(html)
    assert intake.ok and intake.rows_accepted == 1
    assert any("网页（HTML）" in m for m in intake.warnings["message"])


def test_missing_empty_corrupt_and_encrypted_files(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(corrupt, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptionInfo".encode("utf-16-le"))
    for path, words in ((tmp_path / "missing.xlsx", "找不到文件"), (empty, "文件为空"),
                        (corrupt, "无法作为 Excel 工作簿打开"), (encrypted, "密码")):
        intake = read_plans(path)
        assert not intake.ok, path
        assert words in str(intake.errors[0]) and path.name in str(intake.errors[0])


def test_no_header_and_missing_required_columns(tmp_path):
    p = write_xlsx(tmp_path / "noheader.xlsx", [{"甲": 1, "乙": 2, "丙": 3}])
    intake = read_plans(p)
    assert not intake.ok and "找不到可识别的表头" in str(intake.errors[0])
    p = write_xlsx(tmp_path / "norequired.xlsx", [{"培训名称": "班", "天数": 3, "学时": 24, "经费预算(万元)": 5}])
    message = str(read_plans(p).errors[0])
    assert "缺少必需的列" in message and "单位名称" in message and "培训类别" in message


def test_same_label_twice_keeps_both(tmp_path):
    header = ["单位名称", "培训名称", "培训类别", "天数", "天数"]
    wb = xlsxwriter.Workbook(str(tmp_path / "twice.xlsx"))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, header)
    ws.write_row(1, 0, ["物理所", "班", "专业技术研修班", 3, 5])
    wb.close()
    intake = read_plans(tmp_path / "twice.xlsx")
    assert intake.frame["days"].to_list() == [3.0]
    assert "天数（重复列 E）" in intake.frame.columns and intake.frame["天数（重复列 E）"].to_list() == ["5"]
    assert "重复" in intake.files["notes"][0]


def test_formula_cells_give_cached_values_and_long_cells_are_whole(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "f.xlsx"))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["单位名称", "培训名称", "培训类别", "天数", "学时", "培训内容"])
    long_text = "量子" * 5000
    ws.write_row(1, 0, ["物理所", "班", "专业技术研修班", 3])
    ws.write_formula(1, 4, "=D2*8", None, 24)
    ws.write_string(1, 5, long_text)
    wb.close()
    intake = read_plans(tmp_path / "f.xlsx")
    assert intake.frame["class_hours"].to_list() == [24.0]
    assert intake.frame["content"][0] == long_text


def test_repeated_header_rows_and_several_sheets(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "multi.xlsx"))
    for name in ("一月", "二月"):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, ["单位名称", "培训名称", "培训类别"])
        ws.write_row(1, 0, ["物理所", f"{name}班", "岗位培训"])
        ws.write_row(2, 0, ["单位名称", "培训名称", "培训类别"])
        ws.write_row(3, 0, ["物理所", f"{name}二班", "岗位培训"])
    wb.add_worksheet("说明").write(0, 0, "填表说明：……")
    wb.close()
    intake = read_plans(tmp_path / "multi.xlsx")
    _balanced(intake)
    assert intake.rows_accepted == 4 and intake.rows_set_aside == 2
    assert set(intake.set_aside["reason"]) == {"I-HEADER-REPEAT"}
    assert set(intake.frame["source_sheet"]) == {"一月", "二月"}
    assert any("说明" in m for m in intake.warnings["message"])


def test_folder_of_per_unit_files(tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    write_xlsx(folder / "物理所.xlsx", [plan_row()], title_rows=1)
    write_csv(folder / "化学所.csv", [plan_row(单位名称="化学所", 培训名称="化学班")], encoding="gb18030")
    (folder / "~$物理所.xlsx").write_bytes(b"lock")
    intake = read_plans(folder)
    _balanced(intake)
    assert intake.ok and intake.rows_accepted == 2 and intake.files.height == 2


def test_inputs_are_never_written(tmp_path):
    p = write_xlsx(tmp_path / "p.xlsx", [plan_row(), plan_row(天数=-1)])
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    assert main(["validate", str(p), "--out", str(tmp_path / "clean.xlsx")]) == 0
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before


def test_cli_json_and_cleaned_output(tmp_path, capsys):
    p = write_xlsx(tmp_path / "p.xlsx", [plan_row(), plan_row(天数="abc"), plan_row(培训名称="=HYPERLINK(\"x\")")],
                   title_rows=1)
    out_csv = tmp_path / "clean.csv"
    assert main(["validate", str(p), "--json", "--out", str(out_csv)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["rows_read"], data["rows_accepted"], data["rows_set_aside"]) == (3, 2, 1)
    bad = data["set_aside"][0]
    assert {k: bad[k] for k in ("row", "column", "value", "reason")} == {
        "row": 4, "column": "天数", "value": "abc", "reason": "I-NUMBER"}
    assert bad["file"].endswith("p.xlsx") and bad["sheet"] == "培训计划"
    text = out_csv.read_bytes().decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[:4] == ["申报编号", "计划ID", "单位名称", "主办单位"] and "是否申请资助" in header
    assert ",是," in text and "2023-05-08" in text and "'=HYPERLINK" in text
    out_xlsx = tmp_path / "clean.xlsx"
    assert main(["validate", str(p), "--out", str(out_xlsx)]) == 0
    back = fastexcel.read_excel(str(out_xlsx)).load_sheet(0).to_polars()
    assert back.height == 2 and back["天数"].dtype == pl.Float64
    assert back["是否申请资助"].to_list() == ["是", "是"]


def test_cli_exit_2_on_unreadable_input(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "找不到文件" in err and "Traceback" not in err
