"""Check EXPECTED_assign.yaml against what `casplan reviews assign` wrote.

Run from /work/main:
  .venv/bin/python tests/data/review_round/check_assign.py /tmp/review_round_sent [/tmp/review_round_sent2]
The optional second folder is a second run of the same command (determinism, A13).
Prints a markdown report (pass/fail per property, with evidence).
"""
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
from make_experts import ROWS  # noqa: E402
from make_expected_assign import RESOLVE, split_units  # noqa: E402

CASPLAN = str(ROOT / ".venv/bin/casplan")
S = ROOT / "data/samples/2023"


def run_json(args):
    out = subprocess.run([CASPLAN, *args], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return json.loads(out)


def main(sent, sent2=None):
    sent = Path(sent)
    exp = yaml.safe_load((HERE / "EXPECTED_assign.yaml").read_text(encoding="utf-8"))
    props = exp["properties"]
    check = run_json(["check", str(S / "plans.xlsx"), "--history", str(S / "history.xlsx"),
                      "--roster", str(S / "roster.xlsx"), "--json"])
    match = run_json(["match", "--file", str(S / "plans.xlsx"), "--json"])
    unit_of = {a["id"]: a["unit"] for a in check["applications"]}
    dirs_of = {a["id"]: {d["direction"] for d in match[a["row"] - 2]["directions"]} for a in check["applications"]}

    js = json.loads((sent / "评审分配.json").read_text(encoding="utf-8"))
    assign = defaultdict(list)  # app -> experts
    load = Counter()
    for e in js["experts"]:
        for app, _title in e["rows"]:
            assign[app].append(e["expert_id"])
            load[e["expert_id"]] += 1
    experts_tool = [e["expert_id"] for e in js["experts"]]

    # my reading of every row of experts.xlsx (including ZJ23044, which the tool kept)
    info = {}
    for (eid, name, unit, branch, dirs, mx, avoid) in ROWS:
        if unit is None:
            continue
        forb = {RESOLVE[unit]} | {RESOLVE[x] for x in split_units(avoid)}
        cap = 30 if mx is None else (20 if mx == "二十" else int(mx))
        info[eid] = dict(name=name, forb=forb, cap=cap, dirs=dirs)

    res = []

    def rep(key, ok, evidence):
        res.append((key, "PASS" if ok else "FAIL", evidence))

    # A1/A2
    bad_ids = [b["专家编号"] for b in props["A1_bad_rows_set_aside"]["expect"]]
    present_bad = [b for b in bad_ids if b in experts_tool]
    rep("A1_bad_rows_set_aside", not present_bad,
        f"分配中的专家 {len(experts_tool)} 位；应搁置而仍参加分配的：{present_bad or '无'}"
        + (f"（ZJ23044 的 最多评审数 被读作 {[r for r in openpyxl.load_workbook(sent / '评审分配.xlsx')['按专家'].iter_rows(values_only=True) if r[0] == 'ZJ23044'][0][5]}）" if "ZJ23044" in present_bad else ""))
    rep("A2_experts_read", sorted(experts_tool) == props["A2_experts_read"]["ids"],
        f"工具 {len(experts_tool)} 位，预期 {props['A2_experts_read']['expect']} 位；多出 {sorted(set(experts_tool) - set(props['A2_experts_read']['ids']))}，"
        f"缺少 {sorted(set(props['A2_experts_read']['ids']) - set(experts_tool))}")
    # A3/A4
    ids = sorted(a["app_id"] for a in js["applications"])
    want = props["A3_applications"]["eligible_ids"]
    sizes = Counter(len(v) for v in assign.values())
    dup = [a for a, v in assign.items() if len(set(v)) != len(v)]
    rep("A3_applications", ids == want and set(assign) == set(want) and sizes == Counter({3: len(want)}) and not dup,
        f"申报 {len(ids)} 项（预期 {len(want)}）；多 {sorted(set(ids) - set(want))} 少 {sorted(set(want) - set(ids))}；每项专家数分布 {dict(sizes)}；重复专家 {dup}")
    rep("A4_total_slots", sum(load.values()) == props["A4_total_slots"], f"项次 {sum(load.values())}")
    # A5/A6/A7
    own, decl = [], []
    for app, es in assign.items():
        for e in es:
            eunit = RESOLVE[[r for r in ROWS if r[0] == e][0][2]]
            if unit_of[app] == eunit:
                own.append((e, app, unit_of[app]))
            elif unit_of[app] in info[e]["forb"]:
                decl.append((e, app, unit_of[app]))
    bite = {e: sum(1 for a in assign if unit_of[a] in info[e]["forb"]) for e in experts_tool}
    rep("A5_no_own_unit", not own, f"违反：{own or '无'}")
    rep("A6_no_declared_conflict", not decl, f"违反：{decl or '无'}；各专家须回避的申报数合计 {sum(bite.values())}")
    rep("A7_unit_names_resolved", not own and not decl,
        "按 A5/A6 判断：简称（物理所、紫台、神经所、纳米中心、北京分院…）、“中科院×所”（化学所、声学所、上海药物所、山西煤化所）与前后空格的写法，"
        "相应单位的申报都没有分给该专家" if not own and not decl else "见 A5/A6 的违反")
    # A8
    over = {e: (load[e], info[e]["cap"]) for e in experts_tool if load[e] > info[e]["cap"]}
    rep("A8_max_load", not over, f"超过上限：{over or '无'}")
    # A9 balance
    a9 = props["A9_balanced"]
    L = a9["water_level"]
    capped = a9["capped_experts_full_load"]
    cap_ok = all(load[e] == c for e, c in capped.items())
    others = {e: load[e] for e in experts_tool if e not in capped}
    spread = (min(others.values()), max(others.values()))
    dist = Counter(others.values())
    ok9 = cap_ok and spread[1] - spread[0] <= 1
    # is an even (16/17) assignment feasible with the tool's own 44 experts? repair greedily
    fix = {a: list(v) for a, v in assign.items()}
    ld = Counter(load)
    moved = 0
    for _ in range(1000):
        low = [e for e in others if ld[e] < 16]
        if not low:
            break
        e_lo = low[0]
        done = False
        for e_hi in sorted(others, key=lambda e: -ld[e]):
            if ld[e_hi] <= 16:
                break
            for a, v in fix.items():
                if e_hi in v and e_lo not in v and unit_of[a] not in info[e_lo]["forb"]:
                    v[v.index(e_hi)] = e_lo
                    ld[e_hi] -= 1
                    ld[e_lo] += 1
                    moved += 1
                    done = True
                    break
            if done:
                break
        if not done:
            break
    fixed_dist = Counter(ld[e] for e in others)
    rep("A9_balanced", ok9,
        f"上限低于水位 {L} 的专家满额：{cap_ok}（{ {e: load[e] for e in capped} }）；其余 {len(others)} 位的评审数 {spread[0]}–{spread[1]}，分布 {dict(sorted(dist.items()))}；"
        f"可行性：从工具的分配出发移动 {moved} 项次即得到其余专家分布 {dict(sorted(fixed_dist.items()))} 且不违反回避（即 16/17 的均衡分配可行）")
    # A10 fit proxy
    def hits(asg):
        return sum(1 for a, es in asg.items() for e in es if any(d in info[e]["dirs"] for d in dirs_of[a]))
    tool_hits = hits(assign)
    pairs = [(a, i) for a in sorted(assign) for i in range(3)]
    best = []
    for seed in range(20):
        rng = random.Random(seed)
        asg = {a: list(v) for a, v in assign.items()}
        for _ in range(20000):
            (a1, i1), (a2, i2) = rng.sample(pairs, 2)
            e1, e2 = asg[a1][i1], asg[a2][i2]
            if a1 == a2 or e1 == e2 or e2 in asg[a1] or e1 in asg[a2]:
                continue
            if unit_of[a1] in info[e2]["forb"] or unit_of[a2] in info[e1]["forb"]:
                continue
            asg[a1][i1], asg[a2][i2] = e2, e1
        best.append(hits(asg))
    rep("A10_fit_better_than_random", tool_hits >= max(best),
        f"专家研究方向原文含申报匹配方向（casplan match 的全部方向）的对数：工具 {tool_hits}；随机可行分配（同负担，20 个种子）最小 {min(best)} 平均 {sum(best)/len(best):.1f} 最大 {max(best)}；"
        f"工具自报匹配度合计见输出")
    # A11 packets
    pk = sent / "评审表"
    files = sorted(p.name for p in pk.glob("*.xlsx"))
    probs = []
    for e in js["experts"]:
        fn = f"评审表-{e['expert_id']}-{e['name']}.xlsx"
        if fn not in files:
            probs.append(f"缺 {fn}")
            continue
        wb = openpyxl.load_workbook(pk / fn)
        if wb.sheetnames[0] != "填写说明" or "评审表" not in wb.sheetnames:
            probs.append(f"{fn} 工作表 {wb.sheetnames}")
        ws = wb["评审表"]
        hdr = [c.value for c in ws[1]]
        rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
        if [r[0] for r in rows] != [x[0] for x in e["rows"]]:
            probs.append(f"{fn} 行与分配不符")
        crit_cols = [i for i, h in enumerate(hdr) if h and any(str(h).startswith(c) for c in js["criteria"])]
        com = [i for i, h in enumerate(hdr) if h in ("评语", "意见", "评审意见")]
        if len(crit_cols) != 3 or len(com) != 1:
            probs.append(f"{fn} 表头 {hdr}")
        if not ws.protection.sheet:
            probs.append(f"{fn} 评审表未保护")
        for r in range(2, ws.max_row + 1):
            for c in range(1, ws.max_column + 1):
                cell = ws.cell(r, c)
                editable = not cell.protection.locked
                should = (c - 1) in crit_cols + com
                if editable != should:
                    probs.append(f"{fn} {cell.coordinate} 可编辑={editable}")
        hidden = [s for s in wb.worksheets if s.sheet_state != "visible"]
        if not any(s.cell(1, 2).value == e["expert_id"] for s in hidden):
            probs.append(f"{fn} 无隐藏的专家编号")
    extra = sorted(set(files) - {f"评审表-{e['expert_id']}-{e['name']}.xlsx" for e in js["experts"]})
    rep("A11_packets", not probs and not extra and len(files) == len(experts_tool),
        f"评审表 {len(files)} 份；问题 {probs[:10] or '无'}；多余文件 {extra or '无'}；"
        f"分数列 H–J（数据验证 decimal 0–100），评语列 K 可编辑，其余锁定，隐藏工作表 casplan 写有 expert_id")
    # A12
    wb = openpyxl.load_workbook(sent / "评审分配.xlsx")
    x_pairs = sorted((r[0], r[1]) for r in wb["明细"].iter_rows(min_row=2, values_only=True) if r[0])
    j_pairs = sorted((a, e) for a, es in assign.items() for e in es)
    rep("A12_outputs", x_pairs == j_pairs, f"明细 {len(x_pairs)} 对，json {len(j_pairs)} 对，一致={x_pairs == j_pairs}")
    # A13
    if sent2:
        js2 = json.loads((Path(sent2) / "评审分配.json").read_text(encoding="utf-8"))
        rep("A13_deterministic", js2["experts"] == js["experts"], f"第二次运行（{sent2}）的 experts 与第一次相同={js2['experts'] == js['experts']}")
    print("| 性质 | 结果 | 证据 |\n|---|---|---|")
    for k, r, ev in res:
        print(f"| {k} | {r} | {str(ev).replace('|', '/')} |")


if __name__ == "__main__":
    main(*sys.argv[1:])
