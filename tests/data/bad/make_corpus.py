"""Write the bad-input corpus: small broken files, each with its expected outcome in EXPECTED.yaml.

Run from the repository root to (re)generate every file of this folder except
``EXPECTED.yaml`` (written by hand) and this script::

    .venv/bin/python tests/data/bad/make_corpus.py

The output is deterministic (fixed workbook dates, fixed zip timestamps, a seeded
random generator): ``tests/test_bad_inputs.py`` regenerates the corpus into a
temporary folder and checks that the committed files are byte-identical to it.
The bad policy files are edited copies of the packaged ``casplan/policy/2023.yaml``:
when that file changes, run this script again.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
POLICY = HERE.parents[2] / "casplan" / "policy" / "2023.yaml"
CREATED = dt.datetime(2022, 11, 30)
ZIP_TIME = (2022, 11, 30, 0, 0, 0)

# The columns of a plan file in this corpus, and three good rows.
HEADER = ["计划ID", "单位名称", "培训名称", "培训类别", "培训年度", "培训开始时间", "培训结束时间", "学时", "天数",
          "学员计划参加人数", "工作人员计划人数", "经费预算(万元)", "培训对象级别", "培训地点", "是否申请资助",
          "是否申请专项技术支持", "精品项目", "同时申报人社部高研项目", "是否精品培训班", "讲座场次", "单场学时",
          "邀请国外专家", "资助推荐排序", "上报时间", "适用岗位", "培训公开范围", "培训对象", "培训目的", "培训关键词", "培训内容"]

UNITS = ("中国科学院物理研究所", "中国科学院化学研究所", "中国科学院植物研究所", "中国科学院北京分院")


def _row(k: int, **over: object) -> dict[str, object]:
    """A good plan row (the k-th of the corpus), overridable by label."""
    names = ("先进光源技术研修班", "高分辨质谱分析技术短期培训班", "植物分类学研修班", "科研管理骨干培训班",
             "量子精密测量研修班", "化学安全技术短期培训班", "生物多样性学术讲坛")
    categories = ("专业技术研修班", "专项技术短期培训班", "专业技术研修班", "管理类培训", "专业技术研修班",
                  "专项技术短期培训班", "学术讲坛")
    row: dict[str, object] = {
        "计划ID": f"23990{k:02d}", "单位名称": UNITS[k % len(UNITS)], "培训名称": names[k % len(names)],
        "培训类别": categories[k % len(categories)], "培训年度": 2023,
        "培训开始时间": f"2023-0{4 + k % 5}-10", "培训结束时间": f"2023-0{4 + k % 5}-14", "学时": 32, "天数": 5,
        "学员计划参加人数": 80 + 5 * k, "工作人员计划人数": 6, "经费预算(万元)": 12.5, "培训对象级别": "处级及以下",
        "培训地点": "本地", "是否申请资助": "是", "是否申请专项技术支持": "否", "精品项目": "否",
        "同时申报人社部高研项目": "否", "是否精品培训班": "否", "讲座场次": None, "单场学时": None,
        "邀请国外专家": "否", "资助推荐排序": 1 + k // len(UNITS), "上报时间": "2022-11-08 10:30:00",
        "适用岗位": "科研类", "培训公开范围": "全院", "培训对象": "院内相关领域的青年科研骨干",
        "培训目的": "帮助科研人员掌握本领域的新理论、新方法和新技术，促进学科交叉融合。", "培训关键词": "光源，同步辐射，谱学",
        "培训内容": "1.前沿讲座；2.实验技术；3.专题研讨与交流。",
    }
    if row["培训类别"] == "学术讲坛":
        row.update({"是否申请资助": "否", "是否申请专项技术支持": "是", "讲座场次": 8, "单场学时": 2,
                    "邀请国外专家": "是"})
    row.update(over)
    return row


def _rows(bad: dict[str, object], *, at: int = 1, n: int = 3) -> list[dict[str, object]]:
    """``n`` good rows, the one at position ``at`` carrying ``bad``."""
    return [_row(k, **(bad if k == at else {})) for k in range(n)]


# --- writers -----------------------------------------------------------------------------------

class Formula(str):
    """A formula cell with its cached result (what Excel last computed)."""

    def __new__(cls, formula: str, result: str) -> "Formula":
        cell = super().__new__(cls, formula)
        cell.result = result
        return cell


def _xlsx_bytes(grid: list[list[object]], *, sheet: str = "培训计划", merge_title: int = 0,
                extra: Callable[[xlsxwriter.Workbook], None] | None = None) -> bytes:
    """A workbook whose first sheet holds ``grid`` (None = empty cell); numbers stay numbers."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    wb.set_properties({"created": CREATED})
    ws = wb.add_worksheet(sheet)
    width = max((len(r) for r in grid), default=1)
    for i in range(merge_title):
        ws.merge_range(i, 0, i, max(width - 1, 1), f"中国科学院2023年度培训计划汇总表（第 {i + 1} 行标题）")
    for i, line in enumerate(grid):
        if i < merge_title:
            continue
        for j, v in enumerate(line):
            if v is None:
                continue
            if isinstance(v, Formula):
                ws.write_formula(i, j, str(v), None, v.result)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, str(v))
    if extra is not None:
        extra(wb)
    wb.close()
    return buffer.getvalue()


def _grid(rows: list[dict[str, object]], header: list[str] = HEADER) -> list[list[object]]:
    return [list(header)] + [[r.get(h) for h in header] for r in rows]


def _csv_text(grid: list[list[object]], sep: str = ",") -> str:
    def cell(v: object) -> str:
        text = "" if v is None else str(v)
        return f'"{text}"' if any(c in text for c in (sep, '"', "\n")) else text
    return "".join(sep.join(cell(v) for v in line) + "\r\n" for line in grid)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), data)
    return buffer.getvalue()


def _png(width: int = 8, height: int = 8) -> bytes:
    """A tiny grey PNG (for a workbook that holds only a picture)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _policy_edit(old: str, new: str) -> bytes:
    text = POLICY.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{POLICY} no longer contains {old!r}: update make_corpus.py")
    return text.replace(old, new, 1).encode("utf-8")


# --- the corpus --------------------------------------------------------------------------------

# Every column typed wrong once: (file, label, bad value). Even entries are xlsx, odd are CSV.
WRONG_ONCE: tuple[tuple[str, str, object], ...] = (
    ("wrong_days.xlsx", "天数", "三到五天"),
    ("wrong_class_hours.csv", "学时", "待定"),
    ("wrong_trainees.xlsx", "学员计划参加人数", "若干"),
    ("wrong_staff.csv", "工作人员计划人数", "5人/天"),
    ("wrong_budget.xlsx", "经费预算(万元)", "10万元（含税）"),
    ("wrong_lectures.csv", "讲座场次", "每月一场"),
    ("wrong_lecture_hours.xlsx", "单场学时", "2h-3h"),
    ("wrong_support_rank.csv", "资助推荐排序", "1.5"),
    ("wrong_year.xlsx", "培训年度", "明年"),
    ("wrong_apply_funding.csv", "是否申请资助", "待定"),
    ("wrong_apply_support.xlsx", "是否申请专项技术支持", "对"),
    ("wrong_mohrss.csv", "同时申报人社部高研项目", "可能"),
    ("wrong_foreign_experts.xlsx", "邀请国外专家", "拟邀请"),
    ("wrong_is_noted.csv", "是否精品培训班", "视情况"),
    ("wrong_start_date.xlsx", "培训开始时间", "2023-02-30"),
    ("wrong_end_date.csv", "培训结束时间", "5月中旬"),
    ("wrong_submitted_at.xlsx", "上报时间", "2022-13-01"),
    ("wrong_local.csv", "培训地点", "北京"),
    ("wrong_fee_level.xlsx", "培训对象级别", "部级"),
    ("wrong_jingpin.csv", "精品项目", "待评"),
)

# Values beyond the possible: (file, label, value).
EXTREMES: tuple[tuple[str, str, object], ...] = (
    ("extreme_budget_1e308.csv", "经费预算(万元)", "1e308"),
    ("extreme_days_minus_zero.csv", "天数", "-0"),
    ("extreme_trainees_1e9.xlsx", "学员计划参加人数", 1_000_000_000),
    ("extreme_days_366_5.xlsx", "天数", 366.5),
)


def _files() -> dict[str, bytes]:
    rng = random.Random(2023)
    good3 = [_row(k) for k in range(3)]
    files: dict[str, bytes] = {}

    # -- companions: a small good year for the commands that need one
    good_plans = [_row(k) for k in range(7)]
    files["good/plans.xlsx"] = _xlsx_bytes(_grid(good_plans))
    files["good/roster.csv"] = _csv_text(
        [["单位名称", "单位类型", "所属分院", "别名"]]
        + [[u, "分院" if u.endswith("分院") else "研究所", "北京分院", u.removeprefix("中国科学院").replace("研究", "")]
           for u in UNITS]).encode("utf-8-sig")
    files["good/history.csv"] = _csv_text(
        [["单位名称", "年度", "培训名称", "项目类别", "是否举办", "是否院级资助", "是否实施", "是否完成",
          "资助金额(万元)", "已支出(万元)", "统计截止日期"],
         [UNITS[0], 2022, "第二届先进光源技术研修班", "专业技术研修班", "是", "是", "是", "是", 15, 14.2, "2022-11-30"],
         [UNITS[1], 2021, "高分辨质谱分析技术短期培训班", "专项技术短期培训班", "是", "是", "是", "是", 10, 9.6,
          "2021-12-31"]]).encode("utf-8-sig")
    files["good/reviews.csv"] = _csv_text(
        [["申报编号", "评审专家", "评分"]]
        + [[f"P23990{k:02d}", f"专家{e}", 60 + (7 * k + 11 * j) % 35] for k in range(3) for j, e in enumerate("甲乙")]
    ).encode("utf-8-sig")

    # -- files that cannot be read
    files["zip_not_xlsx.xlsx"] = _zip({"readme.txt": "这不是工作簿".encode("utf-8")})
    whole = _xlsx_bytes(_grid(good3))
    files["truncated.xlsx"] = whole[: len(whole) // 2]
    files["empty_sheet.xlsx"] = _xlsx_bytes([])

    def picture(wb: xlsxwriter.Workbook) -> None:
        wb.worksheets()[0].insert_image("B2", "logo.png", {"image_data": io.BytesIO(_png())})
    files["image_only.xlsx"] = _xlsx_bytes([], sheet="封面", extra=picture)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    files["encrypted.xlsx"] = ole + "EncryptionInfo".encode("utf-16-le") + bytes(1024)
    files["ole_garbage.xls"] = ole + bytes(rng.randrange(256) for _ in range(1536))
    files["binary_garbage.csv"] = bytes(rng.randrange(256) for _ in range(4096))
    files["latin1.csv"] = _csv_text([["trainName", "orgName", "trainTypeID", "days"],
                                     ["Séminaire de physique", "Institut de Physique", "stage", 3],
                                     ["Cours de chimie", "Université de Lyon", "café", 2]]).encode("latin-1")
    files["whitespace_only.csv"] = b" \r\n\t\r\n   \r\n"
    files["header_row35.xlsx"] = _xlsx_bytes([["中国科学院2023年度培训计划"]] + [[None]] * 33 + _grid(good3))
    files["no_required_column.csv"] = _csv_text(
        _grid(good3, [h for h in HEADER if h != "培训类别"])).encode("utf-8")
    files["empty_folder/.gitkeep"] = b""
    files["lock_only/~$培训计划.xlsx"] = b"\x0c" + "刘杨".encode("utf-16-le").ljust(53, b"\x20") + bytes(109)

    # -- readable, but not what the extension says / odd encodings
    html = ("<html><head><meta charset='utf-8'></head><body><table>"
            + "".join("<tr>" + "".join(f"<td>{'' if v is None else v}</td>" for v in line) + "</tr>"
                      for line in _grid(good3))
            + "</table></body></html>")
    files["html_as_xlsx.xlsx"] = html.encode("utf-8")
    files["csv_as_xlsx.xlsx"] = _csv_text(_grid(good3)).encode("utf-8")
    files["utf16.csv"] = b"\xff\xfe" + _csv_text(_grid(good3), "\t").encode("utf-16-le")
    files["gbk_with_utf8_bom.csv"] = b"\xef\xbb\xbf" + _csv_text(_grid(good3)).encode("gb18030")
    files["unclosed_quote.csv"] = _csv_text(_grid(good3)).replace("先进光源技术研修班", '"先进光源技术研修班', 1
                                                                 ).encode("utf-8")

    # -- headers shifted, doubled, repeated, merged
    files["header_row25.xlsx"] = _xlsx_bytes([["中国科学院2023年度培训计划"]] + [[None]] * 23 + _grid(good3))
    files["header_twice.xlsx"] = _xlsx_bytes([HEADER] + _grid(good3))
    files["header_repeated_mid.csv"] = _csv_text(_grid(good3) + _grid([_row(k) for k in range(3, 5)])).encode("utf-8")
    files["header_shifted_right.xlsx"] = _xlsx_bytes([[None] * 3 + line for line in _grid(good3)])
    files["merged_title.xlsx"] = _xlsx_bytes([[None]] * 3 + _grid(good3), merge_title=3)

    # -- every column typed wrong once
    for k, (name, label, value) in enumerate(WRONG_ONCE):
        grid = _grid(_rows({label: value}))
        files[name] = _xlsx_bytes(grid) if name.endswith(".xlsx") else _csv_text(grid).encode("utf-8")
    files["end_before_start.xlsx"] = _xlsx_bytes(_grid(_rows({"培训开始时间": "2023-06-10",
                                                             "培训结束时间": "2023-06-01"})))

    # -- extreme values
    for name, label, value in EXTREMES:
        grid = _grid(_rows({label: value}))
        files[name] = _xlsx_bytes(grid) if name.endswith(".xlsx") else _csv_text(grid).encode("utf-8")
    files["formula_error.xlsx"] = _xlsx_bytes(_grid(_rows({"经费预算(万元)": Formula("=1/0", "#DIV/0!")})))
    # 100,000 characters: more than an Excel cell holds (32,767), so a CSV
    files["extreme_long_cell.csv"] = _csv_text(_grid(_rows({"培训内容": ("量子信息" * 25_000)}))).encode("utf-8")

    # -- duplicates and unknown categories
    files["duplicate_application.xlsx"] = _xlsx_bytes(_grid(good3 + [_row(0, 计划ID=None), ]))
    files["duplicate_roster_unit.csv"] = _csv_text(
        [["单位名称", "单位类型", "所属分院", "别名"]]
        + [[u, "研究所", "北京分院", ""] for u in UNITS]
        + [[UNITS[0], "分院", "上海分院", "物理所"]]).encode("utf-8")
    files["unknown_category.xlsx"] = _xlsx_bytes(_grid(_rows({"培训类别": "茶话会"})))

    files["history_bad_row.csv"] = _csv_text(
        [["单位名称", "年度", "培训名称", "项目类别", "是否举办", "是否院级资助", "资助金额(万元)", "已支出(万元)"],
         [UNITS[0], 2022, "第二届先进光源技术研修班", "专业技术研修班", "是", "是", 15, 14.2],
         [UNITS[1], "去年", "高分辨质谱分析技术短期培训班", "专项技术短期培训班", "是", "是", 10, 9.6]]
    ).encode("utf-8")

    # -- overrides and reviews that name what does not exist
    def yaml_entries(*entries: dict[str, str]) -> bytes:
        out = []
        for e in entries:
            out.append("- " + "\n  ".join(f"{k}: {v}" for k, v in e.items()))
        return ("# 人工决定\n" + "\n".join(out) + "\n").encode("utf-8")
    sign = {"reason": "经处务会研究同意", "author": "刘杨"}
    files["overrides_unknown_app.yaml"] = yaml_entries({"action": "force_include", "app": "P2399099", **sign})
    files["overrides_unknown_unit.yaml"] = yaml_entries({"action": "waive", "unit": "中国科学院不存在研究所",
                                                        "rule": "U2", **sign})
    files["overrides_unknown_rule.yaml"] = yaml_entries({"action": "waive", "app": "P2399000", "rule": "Z9-DAYS",
                                                        **sign})
    files["overrides_unknown_track.yaml"] = yaml_entries({"action": "waive", "app": "P2399000", "rule": "Y1-DAYS",
                                                         "track": "yanxiuban", **sign})
    files["overrides_unknown_history.yaml"] = yaml_entries({"action": "confirm_history", "app": "P2399000",
                                                           "history": "H23-0000000000", **sign})
    files["overrides_no_reason.yaml"] = yaml_entries({"action": "force_exclude", "app": "P2399001",
                                                     "author": "刘杨"})
    files["overrides_no_author.csv"] = _csv_text([["操作", "申报编号", "理由", "经办人"],
                                                  ["force_exclude", "P2399001", "单位撤回申报", None]]).encode("utf-8")
    files["overrides_impossible_date.yaml"] = (yaml_entries({"action": "waive", "app": "P2399000", "rule": "U2",
                                                             **sign}).decode("utf-8")
                                                + "  decided: 2023-02-30\n").encode("utf-8")
    files["overrides_not_a_list.yaml"] = "action: waive\napp: P2399000\nrule: U1\n".encode("utf-8")
    files["reviews_unknown_app.csv"] = _csv_text([["申报编号", "评审专家", "评分"], ["P2399000", "专家甲", 80],
                                                  ["P2399000", "专家乙", 75], ["P2399077", "专家甲", 90]]
                                                 ).encode("utf-8")
    files["reviews_bad_score.csv"] = _csv_text([["申报编号", "评审专家", "评分"], ["P2399000", "专家甲", 80],
                                                ["P2399001", "专家甲", "优秀"], ["P2399002", "专家甲", 70]]
                                               ).encode("utf-8")

    # -- policy files
    files["policy_typo_key.yaml"] = _policy_edit("    min_days: 3                 # 指南一(一)1",
                                                 "    min_dasy: 3                 # 指南一(一)1")
    files["policy_bad_type.yaml"] = _policy_edit("quota: 10                   # 指南一(一)2",
                                                 "quota: 十个                 # 指南一(一)2")
    files["policy_impossible_date.yaml"] = _policy_edit("deadline: 2022-11-14", "deadline: 2022-11-31")
    files["policy_not_yaml.yaml"] = _policy_edit("tracks:\n", "tracks:\n\t- id: [yanxiu\n")
    return files


def build(out: Path = HERE) -> list[str]:
    """Write the corpus into ``out``; return the relative paths written (sorted)."""
    files = _files()
    files[".gitattributes"] = b"# the corpus is bytes: no line-ending or encoding conversion by git\n* -text\n"
    for rel, data in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sorted(files)


if __name__ == "__main__":
    written = build()
    print(f"wrote {len(written)} files under {HERE}")
