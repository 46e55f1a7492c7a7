"""Compare EXPECTED_collect.yaml with what `casplan reviews collect` / `status` produced.

Run from /work/main (after collect and status, with their outputs saved):
  .venv/bin/python tests/data/review_round/check_collect.py /tmp/review_round_reviews.csv \
      /tmp/rr_collect.out /tmp/rr_collect.err /tmp/rr_status.out
Prints a markdown table: case, expected, tool, agree/disagree.
"""
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def main(csv_path, c_out, c_err, s_out):
    exp = yaml.safe_load((HERE / "EXPECTED_collect.yaml").read_text(encoding="utf-8"))
    msgs = Path(c_err).read_text(encoding="utf-8").splitlines() + Path(c_out).read_text(encoding="utf-8").splitlines()
    status = Path(s_out).read_text(encoding="utf-8")
    rows = list(csv.DictReader(open(csv_path, encoding="utf-8-sig")))
    got = defaultdict(list)  # (app, expert id) -> [score]
    for r in rows:
        m = re.search(r"ZJ\d{5}", r["评审专家"])
        got[(r["申报编号"], m.group(0) if m else r["评审专家"])].append(float(r["评分"]))
    out = []

    def rep(case, expected, tool, ok):
        out.append((case, expected, tool, "agree" if ok else "DISAGREE"))

    def find(*parts):
        return [m for m in msgs if all(str(p) in m for p in parts)]

    for f in exp["files"]:
        fn, eid = f["file"], f["expert"]
        if eid is None:  # notes.xlsx
            hit = find(fn)
            rep(f"{fn}: 不是评审表", "提示写明文件名并跳过", hit[0] if hit else "（无消息）", bool(hit))
            continue
        if f.get("duplicate_of"):
            hit = [m for m in msgs if fn in m and f["duplicate_of"] in m]
            dup_rows = [k for k, v in got.items() if k[1] == eid and len(v) > 1]
            rep(f"{fn}: 同一份交回两次", "只计一次，消息写明两个文件名", (hit[0] if hit else "（无消息）") + f"；CSV 中重复的 (申报, {eid}) {len(dup_rows)} 个",
                bool(hit) and not dup_rows)
            continue
        acc = f["accepted"]
        ok_acc = [x for x in acc if (x["申报编号"], eid) in got and abs(got[(x["申报编号"], eid)][0] - x["评分"]) <= 0.01]
        wrong = [(x["申报编号"], x["评分"], got.get((x["申报编号"], eid))) for x in acc if x not in ok_acc]
        label = fn + ("（改名）" if not fn.startswith("评审表-ZJ") else "")
        if f.get("identified_by_content"):
            hit = find(fn)
            rep(f"{label}: 复制到新工作簿（隐藏识别信息丢失）",
                f"首选：凭可见内容认定 {eid}，接受 {len(acc)} 行并提示；可接受：整份搁置并给出清楚的中文消息",
                f"接受 {len(ok_acc)}/{len(acc)} 行；消息：{hit[0] if hit else '（无）'}", len(ok_acc) == len(acc))
            continue
        rep(f"{label}: 有效行", f"{len(acc)} 行接受，评分 = 三项平均", f"{len(ok_acc)} 行一致" + (f"；不一致 {wrong[:5]}" if wrong else ""),
            not wrong)
        for x in f["set_aside"]:
            in_csv = (x["申报编号"], eid) in got
            if x["excel_row"] is None:  # deleted row
                hit = find(fn, x["申报编号"])
                rep(f"{fn}: 删除一行 {x['申报编号']}", "消息写明文件与申报编号；不计入", (hit[0] if hit else "（无消息）") + f"；CSV 中有={in_csv}",
                    bool(hit) and not in_csv)
                continue
            col = re.sub(r"^[A-Z]（|）$", "", x["column"])
            val = x["value"]
            hit = find(fn, f"第 {x['excel_row']} 行", col) or find(fn, f"第{x['excel_row']}行", col)
            if val not in ("", None):
                hit = [m for m in hit if str(val) in m]
            elif hit:
                pass
            shown_none = any("「None」" in m for m in hit)
            ok = bool(hit) and not in_csv and not shown_none
            tool = (hit[0] if hit else "（无写明文件/行/列/原值的消息）") + f"；CSV 中有={in_csv}"
            if not hit and x["why"].startswith("专家声明回避"):
                h2 = find(fn, f"第 {x['excel_row']} 行", x["申报编号"], "回避")
                tool = (h2[0] if h2 else "（无）") + f"；CSV 中有={in_csv}"
                ok = bool(h2) and not in_csv
            rep(f"{fn}: 第 {x['excel_row']} 行 {x['column']}=「{val}」", f"搁置：{x['why']}", tool + ("（原值显示为「None」）" if shown_none else ""), ok)

    # experts returned / missing
    m = re.search(r"未交回 (\d+) 位：(.*)", Path(c_out).read_text(encoding="utf-8"))
    names = {f["name"]: f["expert"] for f in exp["files"] if f.get("expert")}
    miss_names = m.group(2).split("、") if m else []
    st_missing = sorted(re.findall(r"^(ZJ\d{5})\t.*未交回$", status, re.M))
    rep("未交回的专家（collect）", f"{len(exp['missing_experts'])} 位（可接受：加上 ZJ23019 共 {len(exp['alternative_if_ZJ23019_copy_set_aside']['missing_experts'])} 位）",
        f"{m.group(1) if m else '?'} 位；其中已交回文件的：{[n for n in miss_names if n in names]}",
        m and int(m.group(1)) == len(exp["missing_experts"]))
    rep("未交回的专家（status）", f"{exp['missing_experts']}", f"多 {sorted(set(st_missing) - set(exp['missing_experts']))} 少 {sorted(set(exp['missing_experts']) - set(st_missing))}",
        st_missing == exp["missing_experts"])
    # totals
    t = exp["totals"]
    m = re.search(r"读取评审表 (\d+) 份，评分行 (\d+) 行：有效 (\d+)，未计入 (\d+)", Path(c_out).read_text(encoding="utf-8"))
    tool_t = tuple(map(int, m.groups())) if m else None
    rep("合计", f"文件 {t['files']}，读取 {t['rows_read']} = 接受 {t['accepted']} + 搁置 {t['set_aside']}（重复那份不计读取时 {exp['totals_if_duplicate_file_rows_not_counted']}）",
        f"文件 {tool_t[0]}，读取 {tool_t[1]} = 有效 {tool_t[2]} + 未计入 {tool_t[3]}；读取=有效+未计入 {tool_t[1] == tool_t[2] + tool_t[3]}" if tool_t else "?",
        bool(tool_t) and tool_t[1:] == (t["rows_read"], t["accepted"], t["set_aside"]))
    rep("reviews.csv 行数", f"{exp['reviews_csv_rows']}（可接受：{exp['alternative_if_ZJ23019_copy_set_aside']['reviews_csv_rows']}）", f"{len(rows)}",
        len(rows) == exp["reviews_csv_rows"])
    extra = sorted(set(got) - {(r["申报编号"], r["评审专家"]) for r in exp["reviews"]})
    rep("reviews.csv 无意外行", "只含预期接受的行", f"预期之外的行 {extra[:5]}", not extra)
    # fewer than 3
    cnt = defaultdict(set)
    for (a, e) in got:
        cnt[a].add(e)
    want = exp["applications_with_fewer_than_3_valid_reviews"]
    all_apps = set(want["valid_review_counts"]) | set(exp["applications_with_3_valid_reviews"])
    tool_under = sorted(a for a in all_apps if len(cnt.get(a, ())) < 3)
    m = re.search(r"有效评审不足 3 份的申报 (\d+) 项：(.*)", status)
    listed = m.group(2).strip().split("、") if m else []
    rep("有效评审不足 3 份（status 数目）", f"{want['count']}（可接受：{exp['alternative_if_ZJ23019_copy_set_aside']['applications_with_fewer_than_3_valid_reviews']}）",
        m.group(1) if m else "?", bool(m) and int(m.group(1)) == want["count"])
    rep("有效评审不足 3 份（status 列出）", f"列出全部 {want['count']} 项",
        f"只列出 {len(listed)} 项（{listed[0]}…{listed[-1]}），无“等/…”提示" if listed else "（无）", len(listed) == int(m.group(1)) if m else False)
    rep("有效评审满 3 份的申报", f"{exp['applications_with_3_valid_reviews']}", f"{sorted(all_apps - set(tool_under))}",
        sorted(all_apps - set(tool_under)) == exp["applications_with_3_valid_reviews"])
    print("| 情形 | 预期 | 工具 | 结论 |\n|---|---|---|---|")
    for r in out:
        print("| " + " | ".join(str(x).replace("|", "/").replace("\n", " ") for x in r) + " |")


if __name__ == "__main__":
    main(*sys.argv[1:])
