"""Write EXPECTED_assign.yaml from experts.xlsx (as I, the analyst, read it), the roster and
`casplan check --json` (which applications are eligible).  Written BEFORE running `casplan reviews assign`.

Run from /work/main:
  .venv/bin/casplan check data/samples/2023/plans.xlsx --history data/samples/2023/history.xlsx \
      --roster data/samples/2023/roster.xlsx --json > /tmp/rr_check.json
  .venv/bin/python tests/data/review_round/make_expected_assign.py /tmp/rr_check.json
"""
import json
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
from make_experts import ROWS  # noqa: E402

DEFAULT_MAX = 30  # policy review_round.max_load
K = 3  # policy review_round.per_application

# how I, the analyst, read each unit as typed -> the roster's 单位名称
RESOLVE = {
    "物理所": "中国科学院物理研究所",
    "中科院化学所": "中国科学院化学研究所",
    "中国科学院自动化研究所": "中国科学院自动化研究所",
    "计算所": "中国科学院计算技术研究所",
    "半导体所": "中国科学院半导体研究所",
    "微电子所": "中国科学院微电子研究所",
    " 中国科学院力学研究所 ": "中国科学院力学研究所",
    "软件所": "中国科学院软件研究所",
    "中科院声学所": "中国科学院声学研究所",
    "高能所": "中国科学院高能物理研究所",
    "动物所": "中国科学院动物研究所",
    "昆明动物所": "中国科学院昆明动物研究所",
    "中国科学院植物研究所": "中国科学院植物研究所",
    "遗传所": "中国科学院遗传与发育生物学研究所",
    "心理所": "中国科学院心理研究所",
    "地理资源所": "中国科学院地理科学与资源研究所",
    "地质地球所": "中国科学院地质与地球物理研究所",
    "大气所": "中国科学院大气物理研究所",
    "中国科学院过程工程研究所": "中国科学院过程工程研究所",
    "空天院": "中国科学院空天信息创新研究院",
    "空间中心": "中国科学院国家空间科学中心",
    "国家天文台": "中国科学院国家天文台",
    "纳米中心": "国家纳米科学中心",
    "北京分院": "中国科学院北京分院",
    "金属所": "中国科学院金属研究所",
    "大连化物所": "中国科学院大连化学物理研究所",
    "兰州化物所": "中国科学院兰州化学物理研究所",
    "中科院山西煤化所": "中国科学院山西煤炭化学研究所",
    "沈阳自动化所": "中国科学院沈阳自动化研究所",
    "海洋所": "中国科学院海洋研究所",
    "长春光机所": "中国科学院长春光学精密机械与物理研究所",
    "西安光机所": "中国科学院西安光学精密机械研究所",
    "长春应化所": "中国科学院长春应用化学研究所",
    "东北地理所": "中国科学院东北地理与农业生态研究所",
    "上海光机所": "中国科学院上海光学精密机械研究所",
    "上海微系统所": "中国科学院上海微系统与信息技术研究所",
    "上海有机所": "中国科学院上海有机化学研究所",
    "中科院上海药物所": "中国科学院上海药物研究所",
    "神经所": "中国科学院脑科学与智能技术卓越创新中心",
    "合肥物质院": "中国科学院合肥物质科学研究院",
    "紫台": "中国科学院紫金山天文台",
    "南京土壤所": "中国科学院南京土壤研究所",
    "南京地湖所": "中国科学院南京地理与湖泊研究所",
    "苏州纳米所": "中国科学院苏州纳米技术与纳米仿生研究所",
    "武汉病毒所": "中国科学院武汉病毒研究所",
    "精密测量院": "中国科学院精密测量科学与技术创新研究院",
    "广州能源所": "中国科学院广州能源研究所",
    "深圳先进院": "中国科学院深圳先进技术研究院",
    "成都生物所": "中国科学院成都生物研究所",
    "光电所": "中国科学院光电技术研究所",
    "近物所": "中国科学院近代物理研究所",
}

BAD = {
    "ZJ23044": {"excel_row": 45, "column": "最多评审数", "value": "二十",
                "why": "最多评审数 不是数字（写成了汉字“二十”）；不能猜，应搁置并提示改为阿拉伯数字"},
    "ZJ23045": {"excel_row": 46, "column": "单位", "value": "",
                "why": "单位 为空：无法判断本单位回避，应搁置（不能当作无回避）"},
}


def split_units(s):
    if not s:
        return []
    out = []
    for part in s.replace("；", "、").replace(";", "、").split("、"):
        part = part.strip()
        if part:
            out.append(part)
    return out


def water_fill(caps, total):
    lo, hi = 0, max(caps)
    while lo < hi:  # smallest L with sum(min(c, L)) >= total
        mid = (lo + hi) // 2
        if sum(min(c, mid) for c in caps) >= total:
            hi = mid
        else:
            lo = mid + 1
    return lo


def main(check_json):
    d = json.load(open(check_json, encoding="utf-8"))
    apps = [a for a in d["applications"] if any(t["eligible"] for t in a["tracks"].values())]
    eligible_ids = sorted(a["id"] for a in apps)
    per_unit = Counter(a["unit"] for a in apps)
    roster = set(pl.read_excel(ROOT / "data/samples/2023/roster.xlsx")["单位名称"].to_list())

    experts = {}
    for (eid, name, unit, branch, dirs, mx, avoid) in ROWS:
        if eid in BAD:
            continue
        u = RESOLVE[unit]
        assert u in roster, u
        av = [RESOLVE[x] for x in split_units(avoid)]
        for x in av:
            assert x in roster, x
        cap = DEFAULT_MAX if mx is None else int(mx)
        forb = [u] + av
        experts[eid] = {
            "姓名": name,
            "单位（原文）": unit,
            "单位（名册）": u,
            "回避单位（名册）": av,
            "最多评审数": cap,
            "最多评审数来源": "空白→政策缺省 30" if mx is None else ("文本“25”→25" if isinstance(mx, str) else "表中数字"),
            "须回避的具备资格申报数": sum(per_unit.get(x, 0) for x in forb),
        }
    caps = [e["最多评审数"] for e in experts.values()]
    total = K * len(eligible_ids)
    L = water_fill(caps, total)
    capped = {eid: e["最多评审数"] for eid, e in experts.items() if e["最多评审数"] < L}
    free = [eid for eid in experts if eid not in capped]
    rest = total - sum(capped.values())
    lo_load = rest // len(free)
    n_hi = rest - lo_load * len(free)

    exp = {
        "about": "专家评审分配（casplan reviews assign）对 tests/data/review_round/experts.xlsx 的应有性质；"
                 "在运行工具之前写成，运行后不改。",
        "command": "cd /work/main && .venv/bin/casplan reviews assign data/samples/2023/plans.xlsx "
                   "--history data/samples/2023/history.xlsx --roster data/samples/2023/roster.xlsx "
                   "--experts tests/data/review_round/experts.xlsx --out /tmp/review_round_sent",
        "policy": {"per_application": K, "max_load_default": DEFAULT_MAX, "avoid_same_branch": False,
                   "scale": [0, 100], "criteria": ["培训需求与定位", "内容与师资", "组织实施与预期效果"]},
        "properties": {
            "A0_exit_code": {"expect": 0, "why": "搁置的专家行不是失败（退出码 0 表示完成，即使有搁置的行）"},
            "A1_bad_rows_set_aside": {
                "expect": [dict(专家编号=k, **v) for k, v in BAD.items()],
                "rule": "两行都被搁置，各有一条中文消息写明文件 experts.xlsx、Excel 行号、列名、原值；"
                        "这两位专家不出现在分配中，也没有评审表；其余 43 行全部读入（不得因此丢掉别的行）。",
            },
            "A2_experts_read": {"expect": 43, "ids": sorted(experts)},
            "A3_applications": {
                "expect_count": len(eligible_ids),
                "rule": "分配中的申报恰为 casplan check 判为（至少一个类别）具备资格的全部申报；每项恰好 3 位不同的专家",
                "eligible_ids": eligible_ids,
            },
            "A4_total_slots": total,
            "A5_no_own_unit": "任何专家都不评审本单位（按名册解析后的单位）的申报；见 experts 中的 单位（名册）",
            "A6_no_declared_conflict": "任何专家都不评审其 回避单位（按名册解析）中任一单位的申报",
            "A7_unit_names_resolved": "简称/“中科院”写法/前后空格都解析到名册中的单位（见 experts 的 单位（名册））；"
                                      "若工具不能解析某个写法，应给出消息而不是静默地不回避",
            "A8_max_load": "每位专家的评审数 ≤ 其最多评审数（空白 = 30；文本“25” = 25）",
            "A9_balanced": {
                "rule": "负担尽量均衡（按水位线）：最多评审数低于水位的专家评满其上限；其余专家的评审数相差不超过 1",
                "water_level": L,
                "capped_experts_full_load": capped,
                "others_load_between": [lo_load, lo_load + (1 if n_hi else 0)],
                "others_count": len(free),
                "others_with_higher_load": n_hi,
            },
            "A10_fit_better_than_random": (
                "方向匹配：以分配表中给出的申报重点支持方向为准，统计“专家研究方向原文中含有该方向名称”的（申报, 专家）对数；"
                "工具的对数应不低于同样负担、同样回避约束下 20 个固定种子随机可行分配的最大值"),
            "A11_packets": ("每位读入的专家一个 评审表-<专家编号>-<姓名>.xlsx；第一个工作表是填写说明；工作表 评审表 逐行列出"
                            "分配给他的申报（申报编号、项目名称等），每项准则一列分数、一列意见；只有分数（和意见）单元格可编辑；"
                            "工作簿中隐藏有专家编号；行数 = 该专家的评审数"),
            "A12_outputs": "评审分配.xlsx 与 评审分配.json 的内容一致（同一组 申报→专家）",
            "A13_deterministic": "同样输入再运行一次（另一个 --out），评审分配.json 的分配完全相同",
        },
        "experts": experts,
    }
    out = HERE / "EXPECTED_assign.yaml"
    out.write_text(yaml.safe_dump(exp, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    print(f"wrote {out}: {len(eligible_ids)} eligible, level {L}, capped {capped}, others {lo_load}..{lo_load+1} ({n_hi} high)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rr_check.json")
