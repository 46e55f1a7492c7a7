"""The sample year's expert review round, recorded: an experts file, the round as ``casplan reviews assign``
makes it, and the packets as experts send them back — with the mistakes a real round has.

    .venv/bin/python -m tools.sample_round            # writes data/samples/2023-reviews/

The sample year itself (``tools.sample``) is made without casplan's code; this recording runs the real
command on it (the assignment is casplan's output, so it is regenerated whenever the assignment changes).
The same seed gives byte-identical files. Written, relative to the output folder:

- ``专家.xlsx`` — 60 experts as the bureau's office keeps them (编号, 姓名, 单位 — a full name or the
  short one —, 所属分院, 研究方向 as free text and direction words, some 最多评审数 and 回避单位);
- ``已发出/`` — what ``casplan reviews assign`` wrote: 评审分配.xlsx, 评审分配.json, 评审表/ (one per expert);
- ``已交回/`` — the packets filled in by the experts (openpyxl, as Excel would save them), with the
  mistakes listed in ``EXPECTED.json`` (a renamed file, a score out of range, a score in words, an empty
  score, a deleted row, an added row, an edited title, a file sent twice, a packet of another round,
  a declared conflict), and three experts who have not answered;
- ``EXPECTED.json`` — what ``casplan reviews collect`` must find, written by this generator from what it did.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import polars as pl

DEFAULT_SEED = 2023
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "2023"
DEFAULT_OUT = ROOT / "data" / "samples" / "2023-reviews"
SENT, RETURNED = "已发出", "已交回"
_FIXED_TIME = (2022, 12, 20, 9, 0, 0)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = ["建国", "志强", "晓燕", "明华", "卫东", "思远", "海涛", "丽娟", "文博", "国栋", "雪梅", "振宇", "静怡", "立新",
          "红军", "宏伟", "建华", "春燕", "永强", "晓东", "秀英", "桂兰", "子涵", "一鸣", "嘉豪", "欣怡", "天佑", "雨桐",
          "浩然", "梓萱", "俊杰", "慧敏", "伟民", "淑华", "德胜", "玉兰", "新民", "婷婷", "光辉", "少华"]
_TITLES = ["研究员", "研究员", "研究员", "教授", "正高级工程师", "副研究员"]
_FREE_TOPICS = ["光学工程与激光技术", "材料科学与工程", "生态学与环境科学", "计算机应用技术", "凝聚态物理", "分析化学",
                "植物学", "大气科学", "海洋科学", "科技管理与人才培养", "科学仪器研制", "天文技术与方法", "信息安全",
                "地球物理", "微电子与集成电路", "生物技术与医药"]


def _experts(rng: random.Random, roster: pl.DataFrame, directions: list[str], n: int = 60) -> pl.DataFrame:
    institutes = roster.filter(pl.col("单位类型") == "研究所").sort("单位名称").to_dicts()
    names: set[str] = set()
    rows = []
    for i in range(1, n + 1):
        while True:
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
            if name not in names:
                names.add(name)
                break
        unit = rng.choice(institutes)
        short = (unit["别名"] or "").split("；")[0]
        # the office writes the unit as it comes: the full name mostly, the short name sometimes
        written = short if short and rng.random() < 0.3 else unit["单位名称"]
        topics = rng.sample(directions, rng.choice([1, 1, 2])) + rng.sample(_FREE_TOPICS, rng.choice([0, 1, 1]))
        rows.append({"专家编号": f"ZJ{i:03d}", "专家姓名": name + rng.choice(_TITLES), "单位": written,
                     "所属分院": unit["所属分院"], "研究方向": "；".join(topics),
                     "最多评审数": rng.choice([None] * 8 + [10, 12]),
                     "回避单位": rng.choice([None] * 9 + [rng.choice(institutes)["单位名称"]])})
    return pl.DataFrame(rows, schema={"专家编号": pl.String, "专家姓名": pl.String, "单位": pl.String, "所属分院": pl.String,
                                      "研究方向": pl.String, "最多评审数": pl.Int64, "回避单位": pl.String})


_README = """# 样例年度的专家评审示例（2023）

由 `make sample`（`python -m tools.sample_round`）生成，同一随机种子生成的文件逐字节相同；请勿手工修改。

- `专家.xlsx`：{experts} 位专家（专家编号、姓名、单位、所属分院、研究方向，部分写了最多评审数与回避单位）；
- `已发出/`：`casplan reviews assign` 为样例年度写出的评审分配表、`评审分配.json` 与每位专家的评审表，共 {sent_rows} 项次；
- `已交回/`：专家交回的评审表，其中 {mistakes} 处常见错误（改了文件名、分数超出范围、分数写成汉字、漏填、删行、加行、
  改了项目名称、同一份交了两次、别的批次的评审表、声明回避），{silent} 未交回；
- `EXPECTED.json`：回收时应得到的结果（有效评分 {valid_reviews} 行，各错误所在的文件）。

试一试（在仓库根目录）：

```text
.venv/bin/casplan reviews status data/samples/2023-reviews/已交回 --assignment data/samples/2023-reviews/已发出/评审分配.json
.venv/bin/casplan reviews collect data/samples/2023-reviews/已交回 --assignment data/samples/2023-reviews/已发出/评审分配.json --out 评审结果.csv
```

样例年度的正式报告（`make report`）仍用 `2023/reviews.csv`；把上面写出的 `评审结果.csv` 作为 `--reviews`
（或报告参数文件的 `reviews`）即可用这一轮评审出报告。
"""


def _normalised(data: bytes) -> bytes:
    """An xlsx with fixed times (zip entries and docProps), so the same content gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2022-12-20T09:00:00Z\2", body)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, body)
    return out.getvalue()


def _save(wb, path: Path) -> None:
    from tools.sample import _write_bytes

    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_bytes(path, _normalised(buffer.getvalue()))


def _fill(src: Path, rng: random.Random, leniency: float, quality: dict[str, float], criteria: int) -> object:
    """The packet as the expert fills it: one integer score per criterion (quality + leniency + noise)."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb["评审表"]
    header = [c.value for c in ws[1]]
    first = header.index(next(h for h in header if h and str(h).startswith(("培训需求", "内容", "组织"))))
    for r in range(2, ws.max_row + 1):
        app = ws.cell(row=r, column=1).value
        if not app:
            continue
        for j in range(criteria):
            value = quality[app] + leniency + rng.gauss(0, 5)
            ws.cell(row=r, column=first + 1 + j, value=int(max(0, min(100, round(value)))))
    return wb, first


def generate(out_dir: Path = DEFAULT_OUT, *, sample: Path = SAMPLE, seed: int = DEFAULT_SEED) -> dict:
    """Write the recorded round to ``out_dir`` (replacing what is there) and return EXPECTED."""
    from casplan.cli import main
    from casplan.io import write_workbook
    from casplan.pipeline import vocabulary_of
    from casplan.policy import load_policy

    rng = random.Random(seed)
    from casplan.policy import default_policy_path

    policy = load_policy(default_policy_path(2023))
    directions = sorted({d for t in vocabulary_of(policy).tracks for d in t.directions})
    roster = pl.read_excel(sample / "roster.xlsx", sheet_name="名册")
    out = Path(out_dir)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".round-") as tmp:
        work = Path(tmp)
        experts = _experts(rng, roster, directions)
        write_workbook({"专家": experts}, work / "专家.xlsx")
        code = main(["reviews", "assign", str(sample / "plans.xlsx"), "--history", str(sample / "history.xlsx"),
                     "--roster", str(sample / "roster.xlsx"), "--experts", str(work / "专家.xlsx"),
                     "--out", str(work / SENT), "--deadline", "2022年12月20日"])
        if code != 0:
            raise SystemExit(f"casplan reviews assign 失败（退出码 {code}）")
        record = json.loads((work / SENT / "评审分配.json").read_text(encoding="utf-8"))
        expected = _returned(work, record, rng, len(policy.review_round.criteria))
        (work / "EXPECTED.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (work / "README.md").write_text(_README.format(
            experts=expected["experts"], sent_rows=expected["sent_rows"], valid_reviews=expected["valid_reviews"],
            silent="、".join(expected["not_returned"]), mistakes=len(expected["mistakes"])), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(work, out)
    return expected


def _returned(work: Path, record: dict, rng: random.Random, criteria: int) -> dict:
    """Fill the packets, make the mistakes, and say what collecting must find."""
    import openpyxl

    experts = sorted(record["experts"], key=lambda e: e["expert_id"])
    all_apps = sorted(a["app_id"] for a in record["applications"])
    quality = {a: rng.uniform(55, 90) for a in all_apps}
    leniency = {e["expert_id"]: rng.uniform(-12, 12) for e in experts}
    silent = [e["expert_id"] for e in experts[-3:]]          # the last three have not answered
    back = work / RETURNED
    mistakes: list[dict] = []
    valid = 0
    kinds = ["renamed", "out_of_range", "in_words", "empty", "deleted_row", "added_row", "edited_title", "twice",
             "other_round", "conflict"]
    by_kind = {k: experts[3 * i + 1]["expert_id"] for i, k in enumerate(kinds)}   # spread over the list
    for e in experts:
        eid = e["expert_id"]
        if eid in silent:
            continue
        wb, first = _fill(work / SENT / "评审表" / e["packet"], rng, leniency[eid], quality, criteria)
        ws = wb["评审表"]
        n = len(e["rows"])
        name = e["packet"]
        kind = next((k for k, x in by_kind.items() if x == eid), None)
        good = n
        if kind == "renamed":
            name = f"{e['name']}评审意见（已完成）.xlsx"
        elif kind == "out_of_range":
            ws.cell(row=2, column=first + 1, value=105)
            good -= 1
        elif kind == "in_words":
            ws.cell(row=3, column=first + 2, value="八十五")
            good -= 1
        elif kind == "empty":
            ws.cell(row=4, column=first + 3).value = None  # cell(value=None) would leave it
            good -= 1
        elif kind == "deleted_row":
            ws.delete_rows(2)
            good -= 1
        elif kind == "added_row":
            extra = next(a for a in all_apps if a not in {r for r, _ in e["rows"]})
            last = ws.max_row + 1
            ws.cell(row=last, column=1, value=extra)
            for j in range(criteria):
                ws.cell(row=last, column=first + 1 + j, value=80)
        elif kind == "edited_title":
            ws.cell(row=2, column=3, value=str(ws.cell(row=2, column=3).value) + "（修改稿）")
            good -= 1
        elif kind == "other_round":
            wb["casplan"].cell(row=1, column=2, value="ZJ999")
            good = 0
        elif kind == "conflict":
            for j in range(criteria):
                ws.cell(row=2, column=first + 1 + j).value = None
            comment = next(i for i, h in enumerate(c.value for c in ws[1]) if h == "评语") + 1
            ws.cell(row=2, column=comment, value="回避（本人曾参与该项目）")
            good -= 1
        _save(wb, back / name)
        if kind == "twice":
            _save(wb, back / f"{Path(name).stem}（第二次发送）.xlsx")
        if kind:
            mistakes.append({"kind": kind, "expert_id": eid, "file": name, "valid": good, "assigned": n})
        valid += good
    sent = sum(len(e["rows"]) for e in experts)
    return {"experts": len(experts), "sent_rows": sent, "not_returned": silent, "valid_reviews": valid,
            "mistakes": mistakes,
            "note": "valid_reviews = 交回的评审表中可计入的评分行数；每种错误所在的文件与该文件可计入的行数见 mistakes。"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.sample_round", description="生成样例年度的专家评审示例")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    expected = generate(args.out, sample=args.sample, seed=args.seed)
    print(f"已写出 {args.out}：{expected['experts']} 位专家、{expected['sent_rows']} 项次评审、"
          f"{len(expected['mistakes'])} 处错误、{len(expected['not_returned'])} 位未交回")
    return 0


if __name__ == "__main__":
    sys.exit(main())
