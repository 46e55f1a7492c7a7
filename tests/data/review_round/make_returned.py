"""Build returned/ : the review packets as the experts really send them back (deterministic).

Reads the packets `casplan reviews assign` wrote (default /tmp/review_round_sent/评审表) and writes
tests/data/review_round/returned/ (emptied first).  With --expected it also writes EXPECTED_collect.yaml
(what `casplan reviews collect` / `status` must report for these files); that was done once, BEFORE running
collect, and must not be regenerated afterwards.

Run from /work/main:
  .venv/bin/python tests/data/review_round/make_returned.py /tmp/review_round_sent/评审表 \
      --assignment /tmp/review_round_sent/评审分配.json [--expected]
"""
import argparse
import datetime as dt
import json
import random
import re
import shutil
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import yaml
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OUT = HERE / "returned"

CRIT = ["培训需求与定位", "内容与师资", "组织实施与预期效果"]
SCORE_COLS = [8, 9, 10]  # H, I, J in the sent packet
COMMENT_COL = 11  # K
COL_LETTER = {8: "H", 9: "I", 10: "J", 11: "K", 3: "C", 1: "A"}
FIXED_TIME = dt.datetime(2023, 12, 20, 10, 0, 0)

COMMENTS = [
    "培训需求明确，内容设计合理。",
    "师资力量较强，建议增加实践环节。",
    "组织方案可行，预期效果较好。",
    "与重点支持方向契合度一般。",
    "建议压缩理论授课，增加案例研讨。",
    None,
    "整体较好。",
    None,
]

# Which experts return, how (file name) and what goes wrong.  row_index counts the packet's data rows from 0
# (Excel row = row_index + 2 in the sent packet).
PLAN = [
    # (expert_id, returned file name, style, faults)
    ("ZJ23001", "评审表-ZJ23001-王立新.xlsx", "int", []),
    ("ZJ23003", "刘建国评审意见（终稿）.xlsx", "half", []),  # renamed
    ("ZJ23005", "评审表-ZJ23005-孙海燕.xlsx", "mixed", []),
    ("ZJ23005", "评审表-ZJ23005-孙海燕(1).xlsx", "mixed", [("same_as_previous",)]),  # sent twice
    ("ZJ23007", "评审表-ZJ23007-吴晓东.xlsx", "int", [("score", 4, 9, 105)]),  # 105 > 100
    ("ZJ23009", "冯国栋-评审表.xlsx", "mixed", [("score", 2, 8, "八十五")]),  # text score
    ("ZJ23010", "评审表-ZJ23010-何丽华.xlsx", "int", [("score", 6, 10, None)]),  # one empty score
    ("ZJ23011", "评审表-ZJ23011-马俊杰.xlsx", "mixed", [("delete_row", 5)]),
    ("ZJ23015", "评审表-ZJ23015-林思远.xlsx", "half", [("add_row", "P2399999", "中国科学院地质与地球物理研究所",
                                                        "深部资源探测技术高级研修班", "专业技术研修班")]),
    ("ZJ23016", "评审表-ZJ23016-罗建华.xlsx", "int", [("title", 3, "（修改稿）")]),
    ("ZJ23019", "谢红梅-评审结果.xlsx", "mixed", [("copy_new_workbook",)]),
    ("ZJ23021", "评审表-ZJ23021-唐卫东.xlsx", "int", [("recuse", 1)]),
    ("ZJ23029", "评审表_贾志刚_已填.xlsx", "mixed", []),
]
NOTES_FILE = "notes.xlsx"


def normalize(path, modified):
    """Make the saved xlsx byte-for-byte reproducible: fixed zip timestamps and fixed dcterms:modified."""
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
                data = re.sub(rb"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)",
                              rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=(2023, 12, 20, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def scores_for(eid, app_ids, style):
    """Deterministic scores per (expert, application): three criteria."""
    rng = random.Random(f"review_round/{eid}")
    out = {}
    for i, app in enumerate(app_ids):
        base = rng.randint(62, 92)
        s = []
        for _ in CRIT:
            v = base + rng.randint(-6, 6)
            v = max(40, min(100, v))
            half = style == "half" or (style == "mixed" and (i + len(s)) % 3 == 0)
            if half and v < 100:
                v = v + 0.5
            s.append(int(v) if float(v).is_integer() else float(v))
        out[app] = s
    return out


def fill(ws, scores, comments_seed):
    rng = random.Random(comments_seed)
    for r in range(2, ws.max_row + 1):
        app = ws.cell(r, 1).value
        if app in scores:
            for c, v in zip(SCORE_COLS, scores[app]):
                ws.cell(r, c).value = v
            ws.cell(r, COMMENT_COL).value = rng.choice(COMMENTS)


def mean(vals):
    return Fraction(sum(Fraction(str(v)) for v in vals), len(vals))


def main():
    global OUT
    ap = argparse.ArgumentParser()
    ap.add_argument("packets", nargs="?", default="/tmp/review_round_sent/评审表")
    ap.add_argument("--assignment", default="/tmp/review_round_sent/评审分配.json")
    ap.add_argument("--expected", action="store_true", help="also (re)write EXPECTED_collect.yaml")
    ap.add_argument("--out", default=str(HERE / "returned"), help="folder to write the returned files to (emptied first)")
    a = ap.parse_args()
    OUT = Path(a.out)
    packets = Path(a.packets)
    asg = json.loads(Path(a.assignment).read_text(encoding="utf-8"))
    sent = {e["expert_id"]: e for e in asg["experts"]}
    app_title = {x["app_id"]: x["train_name"] for x in asg["applications"]}

    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)

    files = []  # expectations per file
    prev = {}
    for eid, fname, style, faults in PLAN:
        e = sent[eid]
        src = packets / e["packet"]
        ids = [r[0] for r in e["rows"]]
        sc = scores_for(eid, ids, style)
        wb = openpyxl.load_workbook(src)
        ws = wb["评审表"]
        fill(ws, sc, f"comments/{eid}")
        exp = {"file": fname, "expert": eid, "name": e["name"], "sent_rows": len(ids),
               "accepted": [], "set_aside": [], "notices": []}
        excel_row = {app: i + 2 for i, app in enumerate(ids)}
        bad_apps = set()
        skip_rows = False
        kinds = [f[0] for f in faults]
        for f in faults:
            if f[0] == "score":
                _, idx, col, val = f
                app = ids[idx]
                ws.cell(idx + 2, col).value = val
                sc[app] = list(sc[app])
                sc[app][SCORE_COLS.index(col)] = val
                crit = CRIT[SCORE_COLS.index(col)]
                why = {105: "分数超出 0–100 的范围", "八十五": "分数不是数字（汉字）", None: "分数为空"}[val]
                exp["set_aside"].append({"申报编号": app, "excel_row": idx + 2, "column": f"{COL_LETTER[col]}（{crit}）",
                                         "value": "" if val is None else val, "why": why})
                bad_apps.add(app)
            elif f[0] == "delete_row":
                _, idx = f
                app = ids[idx]
                ws.delete_rows(idx + 2, 1)
                for j in range(idx + 1, len(ids)):
                    excel_row[ids[j]] = j + 1
                excel_row.pop(app)
                exp["set_aside"].append({"申报编号": app, "excel_row": None, "column": None, "value": None,
                                         "why": "发出的这一行在交回的表中被删除：该申报缺这位专家的评审，须提示（不是静默少一条）",
                                         "counts_as_row_read": False})
                bad_apps.add(app)
            elif f[0] == "add_row":
                _, new_id, unit, title, cat = f
                r = ws.max_row + 1
                ws.cell(r, 1).value = new_id
                ws.cell(r, 2).value = unit
                ws.cell(r, 3).value = title
                ws.cell(r, 4).value = cat
                for c, v in zip(SCORE_COLS, [88, 90.5, 86]):
                    ws.cell(r, c).value = v
                ws.cell(r, COMMENT_COL).value = "此项为补充评审。"
                exp["set_aside"].append({"申报编号": new_id, "excel_row": r, "column": "A（申报编号）", "value": new_id,
                                         "why": "新增的行：发给该专家的表中没有这项申报（且该编号不存在），不得计入"})
            elif f[0] == "title":
                _, idx, suffix = f
                app = ids[idx]
                old = ws.cell(idx + 2, 3).value
                ws.cell(idx + 2, 3).value = old + suffix
                exp["set_aside"].append({"申报编号": app, "excel_row": idx + 2, "column": "C（项目名称）",
                                         "value": old + suffix, "sent_value": old,
                                         "why": "项目名称与发出的不一致（被改动），该行搁置，请核实专家评的是哪一项"})
                bad_apps.add(app)
            elif f[0] == "recuse":
                _, idx = f
                app = ids[idx]
                for c in SCORE_COLS:
                    ws.cell(idx + 2, c).value = None
                ws.cell(idx + 2, COMMENT_COL).value = "回避"
                exp["set_aside"].append({"申报编号": app, "excel_row": idx + 2, "column": "K（评语）", "value": "回避",
                                         "why": "专家声明回避、未打分：记为回避（不是错误，也不是评审），该申报少一位专家的评审，须提示以便补派"})
                bad_apps.add(app)
        for app in ids:
            if app not in bad_apps:
                m = mean(sc[app])
                exp["accepted"].append({"申报编号": app, "excel_row": excel_row[app], "scores": sc[app],
                                        "评分": round(float(m), 4)})
        wb.properties.modified = FIXED_TIME
        wb.properties.lastModifiedBy = e["name"]
        if "same_as_previous" in kinds:
            first = prev[eid]
            shutil.copyfile(OUT / first["file"], OUT / fname)  # the very same file, mailed a second time
            # make the second copy differ in bytes only (saved again a minute later): same content
            wb2 = openpyxl.load_workbook(OUT / fname)
            wb2.properties.modified = FIXED_TIME + dt.timedelta(minutes=1)
            wb2.save(OUT / fname)
            normalize(OUT / fname, FIXED_TIME + dt.timedelta(minutes=1))
            exp = {"file": fname, "expert": eid, "name": e["name"], "sent_rows": len(ids),
                   "duplicate_of": first["file"], "accepted": [], "set_aside": [],
                   "notices": [f"与 {first['file']} 是同一位专家（{eid} {e['name']}）的同一份评审表，内容相同：只计一次，"
                               "提示“重复交回”并写明两个文件名；该专家每项申报只有一条评审"],
                   "rows_in_file": len(ids)}
            files.append(exp)
            continue
        if "copy_new_workbook" in kinds:
            nb = Workbook()
            nb.remove(nb.active)
            for name in ("填写说明", "评审表"):
                src_ws = wb[name]
                dst = nb.create_sheet(name)
                for row in src_ws.iter_rows(values_only=True):
                    dst.append(list(row))
                for k, d in src_ws.column_dimensions.items():
                    dst.column_dimensions[k].width = d.width
            nb.properties.creator = e["name"]
            nb.properties.created = FIXED_TIME
            nb.properties.modified = FIXED_TIME
            nb.save(OUT / fname)
            normalize(OUT / fname, FIXED_TIME)
            exp["notices"].append(
                "隐藏的识别信息（工作表 casplan）没有了：专家复制到新工作簿。应做：凭可见内容识别——填写说明写有“编号 ZJ23019”、"
                "评审表的申报编号与项目名称逐行与发给 ZJ23019 谢红梅的完全一致（且与其他专家的不同）——接受各行，"
                "同时给出提示写明文件名、“未找到隐藏的专家编号，按表中内容认定为 ZJ23019 谢红梅”。"
                "可接受的另一做法：整份搁置并给出写明文件名和原因的中文消息（不能静默忽略）；这时这些行记为搁置，该专家算未交回。")
            exp["identified_by_content"] = True
        else:
            wb.save(OUT / fname)
            normalize(OUT / fname, FIXED_TIME)
        exp["rows_in_file"] = ws.max_row - 1
        files.append(exp)
        prev[eid] = exp

    # a file that is not a packet at all
    nb = Workbook()
    s = nb.active
    s.title = "Sheet1"
    for row in [["日期", "事项", "备注"],
                ["2023-12-11", "收到评审通知", "截止 12 月 22 日"],
                ["2023-12-15", "完成前 8 项", ""],
                ["2023-12-19", "与处里确认回避规则", "本单位项目不评"],
                ["2023-12-20", "发回评审表", "已发邮件"]]:
        s.append(row)
    nb.properties.creator = "唐卫东"
    nb.properties.created = FIXED_TIME
    nb.properties.modified = FIXED_TIME
    nb.save(OUT / NOTES_FILE)
    normalize(OUT / NOTES_FILE, FIXED_TIME)

    print(f"wrote {len(files) + 1} files to {OUT}")
    if not a.expected:
        return

    returned = sorted({f["expert"] for f in files})
    missing = sorted(set(sent) - set(returned))
    valid = {}  # app -> set of experts with a valid review
    rows_read = accepted = aside = 0
    for f in files:
        if f.get("duplicate_of"):
            rows_read += f["rows_in_file"]
            aside += f["rows_in_file"]  # counted once: the duplicate copy's rows are reported, not used
            continue
        rows_read += f["rows_in_file"]
        accepted += len(f["accepted"])
        aside += sum(1 for x in f["set_aside"] if x.get("counts_as_row_read", True))
        for x in f["accepted"]:
            valid.setdefault(x["申报编号"], set()).add(f["expert"])
    apps = sorted(app_title)
    under = {app: len(valid.get(app, ())) for app in apps if len(valid.get(app, ())) < asg["per_application"]}
    # alternative outcomes the expectations allow (see the notices): ZJ23019's copied workbook set aside whole
    v_alt = {app: {e for e in es if e != "ZJ23019"} for app, es in valid.items()}
    under_alt = {app: len(v_alt.get(app, ())) for app in apps if len(v_alt.get(app, ())) < asg["per_application"]}
    n19 = next(len(f["accepted"]) for f in files if f["expert"] == "ZJ23019")
    dup_rows = sum(f["rows_in_file"] for f in files if f.get("duplicate_of"))
    reviews = sorted(((x["申报编号"], f["expert"], x["评分"]) for f in files if not f.get("duplicate_of")
                      for x in f["accepted"]))
    doc = {
        "about": "casplan reviews collect / status 对 returned/ 的应有结果；在运行 collect 之前写成，运行后不改。",
        "commands": [
            "cd /work/main && .venv/bin/casplan reviews collect tests/data/review_round/returned "
            "--assignment /tmp/review_round_sent/评审分配.json --out /tmp/review_round_reviews.csv",
            "cd /work/main && .venv/bin/casplan reviews status tests/data/review_round/returned "
            "--assignment /tmp/review_round_sent/评审分配.json",
        ],
        "rules": {
            "exit_code": 0,
            "messages": "每条搁置都有一条中文消息，写明文件名、Excel 行号、列（名）和原值；被删除的行写明文件名和申报编号",
            "评分": "该专家三项准则分的算术平均（误差 ≤ 0.01）",
            "评审专家": "CSV 中的评审专家为专家编号（或可唯一对应的姓名）",
            "counting": "读取的行 = 各文件评审表中实际存在的数据行（不含被删掉的行；notes.xlsx 不是评审表，0 行）；"
                        "读取 = 接受 + 搁置（重复交回的那份文件的行记为搁置/重复，不重复计入评审）",
            "not_a_packet": f"{NOTES_FILE}：不是评审表（无识别信息、无评审表工作表）：给出写明文件名的消息，跳过，不算任何专家交回",
        },
        "files": files + [{"file": NOTES_FILE, "expert": None, "rows_in_file": 0, "accepted": [], "set_aside": [],
                            "notices": ["不是评审表：提示并跳过"]}],
        "returned_experts": returned,
        "missing_experts": missing,
        "totals": {"files": len(files) + 1, "packets": len(files), "rows_read": rows_read,
                   "accepted": accepted, "set_aside": aside},
        "totals_if_duplicate_file_rows_not_counted": {"rows_read": rows_read - dup_rows, "accepted": accepted,
                                                      "set_aside": aside - dup_rows},
        "alternative_if_ZJ23019_copy_set_aside": {
            "accepted": accepted - n19, "set_aside": aside + n19, "reviews_csv_rows": len(reviews) - n19,
            "missing_experts": sorted(set(missing) | {"ZJ23019"}),
            "applications_with_fewer_than_3_valid_reviews": len(under_alt)},
        "reviews_csv_rows": len(reviews),
        "reviews": [{"申报编号": r[0], "评审专家": r[1], "评分": r[2]} for r in reviews],
        "applications_with_fewer_than_3_valid_reviews": {"count": len(under), "valid_review_counts": under},
        "applications_with_3_valid_reviews": sorted(set(apps) - set(under)),
    }
    class D(yaml.SafeDumper):
        pass

    def seq(dumper, data):  # short lists of scalars (scores) on one line
        flow = all(not isinstance(x, (dict, list)) for x in data) and len(data) <= 3
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    D.add_representer(list, seq)
    (HERE / "EXPECTED_collect.yaml").write_text(
        yaml.dump(doc, Dumper=D, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    print(f"wrote EXPECTED_collect.yaml: rows_read {rows_read} = accepted {accepted} + set aside {aside}; "
          f"{len(missing)} missing; {len(under)} applications under 3")


if __name__ == "__main__":
    main()
