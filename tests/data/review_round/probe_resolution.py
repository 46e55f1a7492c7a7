"""Extra probe for A7 (unit names resolved): with only 3 experts and k = 3, every application needs all three,
so an application of an expert's own unit (or of a declared 回避单位) can only be handled by reporting it as
impossible.  If a name like 「中科院声学所」 were NOT resolved, the tool would silently assign it instead.

Run from /work/main: .venv/bin/python tests/data/review_round/probe_resolution.py
Writes scratch files under /tmp/rr_probe/ only.
"""
import subprocess
import sys
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
from make_experts import HEADER, ROWS  # noqa: E402

GROUPS = {
    "G1": ["ZJ23002", "ZJ23008", "ZJ23006"],  # 中科院化学所, 中科院声学所, " 中国科学院力学研究所 "
    "G2": ["ZJ23001", "ZJ23019", "ZJ23020"],  # 物理所, 纳米中心, 北京分院
    "G3": ["ZJ23022", "ZJ23034", "ZJ23031"],  # 大连化物所 + 回避 兰州化物所；中科院山西煤化所, 紫台 (0 apps), 中科院上海药物所 (0 apps)
}
S = ROOT / "data/samples/2023"
tmp = Path("/tmp/rr_probe")
tmp.mkdir(exist_ok=True)
by_id = {r[0]: r for r in ROWS}
for g, ids in GROUPS.items():
    wb = Workbook()
    ws = wb.active
    ws.title = "评审专家"
    ws.append(HEADER)
    for i in ids:
        r = list(by_id[i])
        r[5] = 300
        ws.append(r)
    f = tmp / f"experts_{g}.xlsx"
    wb.save(f)
    p = subprocess.run([str(ROOT / ".venv/bin/casplan"), "reviews", "assign", str(S / "plans.xlsx"), "--history", str(S / "history.xlsx"),
                        "--roster", str(S / "roster.xlsx"), "--experts", str(f), "--out", str(tmp / g)],
                       capture_output=True, text=True, cwd=ROOT)
    print(f"### {g}: {[by_id[i][2] for i in ids]} 回避 {[by_id[i][6] for i in ids]}\nrc={p.returncode}\n{p.stdout}{p.stderr}")
