"""A seeded, realistic sample year (2023) of every input the workbook reads.

:func:`build` makes the clean tables in memory (no I/O); :func:`generate` writes
them, plus the same rows as the platform really exports them (``dirty/``), to a
folder. The same seed always gives byte-identical files.

What is written (relative to the output folder):

- ``roster.xlsx`` — 单位名册 (about 120 units: 100 institutes, 12 分院, 院机关部门, 直属单位);
- ``history.xlsx`` — 2019–2022 院级资助/精品/人社部高研 projects, with the 2022 执行率;
- ``plans.xlsx`` — about 3,000 clean plan rows for 2023, about 300 of them applications;
- ``dirty/`` — the same rows as exported: a platform export with title rows, a GBK
  CSV of one 分院, one file per unit; ``dirty/EXPECTED.json`` says which rows are bad;
- ``CASES.json`` — every deliberate borderline or failing case, by 计划ID or unit;
- ``README.md``.

>>> _days_text(3.5)
'三天半'
>>> _hours_range(4)
(16, 32)
"""

from __future__ import annotations

import argparse
import sys
import csv
import io
import json
import math
import os
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from casplan.intake.fields import FIELDS_BY_NAME, HISTORY_FIELDS, ROSTER_FIELDS

__all__ = [
    "DEFAULT_OUT",
    "DEFAULT_SEED",
    "PLAN_COLUMNS",
    "SampleYear",
    "add_parser",
    "build",
    "generate",
    "run",
]

DEFAULT_SEED = 2023
DEFAULT_OUT = Path("data/samples/2023")
YEAR = 2023
DEADLINE = date(2022, 11, 14)          # 通知三：11月14日前完成计划报送
EXPORT_TIME = date(2022, 11, 20)       # 导出时间
AS_OF = date(2022, 11, 30)             # 2022 执行率统计截止日期
CREATED = datetime(2022, 11, 30)       # xlsx 文档属性中的创建时间（固定，保证逐字节相同）
FEE_CAPS = {"处级及以下": 550, "司局级": 650, "其他": 760}   # 人均每日最高培训经费（元）

# Canonical plan columns, in the order of the clean file (names from casplan.intake.fields).
PLAN_COLUMNS: tuple[str, ...] = (
    "plan_id", "unit", "train_name", "year", "category", "start_date", "end_date",
    "class_hours", "days", "trainees", "staff", "fee_level", "fee_channel", "budget",
    "is_noted", "local", "location", "station", "item_type", "train_way", "attendants",
    "goal", "content", "keywords", "organizer", "contact", "contact_phone", "contact_email",
    "open_scope", "submitted_at", "apply_funding", "apply_support", "jingpin", "mohrss",
    "lectures", "lecture_hours", "foreign_experts", "joint_units", "attachments",
    "support_rank", "comment",
)
_BOOL_COLUMNS = ("is_noted", "apply_funding", "apply_support", "mohrss", "foreign_experts")
_PLAN_SCHEMA: dict[str, Any] = {
    "plan_id": pl.String, "unit": pl.String, "train_name": pl.String, "year": pl.Int64,
    "category": pl.String, "start_date": pl.Date, "end_date": pl.Date,
    "class_hours": pl.Float64, "days": pl.Float64, "trainees": pl.Int64, "staff": pl.Int64,
    "fee_level": pl.String, "fee_channel": pl.String, "budget": pl.Float64,
    "is_noted": pl.Boolean, "local": pl.String, "location": pl.String, "station": pl.String,
    "item_type": pl.String, "train_way": pl.String, "attendants": pl.String, "goal": pl.String,
    "content": pl.String, "keywords": pl.String, "organizer": pl.String, "contact": pl.String,
    "contact_phone": pl.String, "contact_email": pl.String, "open_scope": pl.String,
    "submitted_at": pl.Datetime("us"), "apply_funding": pl.Boolean, "apply_support": pl.Boolean,
    "jingpin": pl.String, "mohrss": pl.Boolean, "lectures": pl.Int64,
    "lecture_hours": pl.Float64, "foreign_experts": pl.Boolean, "joint_units": pl.String,
    "attachments": pl.String, "support_rank": pl.Int64, "comment": pl.String,
}
_HISTORY_SCHEMA: dict[str, Any] = {
    "unit": pl.String, "year": pl.Int64, "train_name": pl.String, "track": pl.String,
    "held": pl.Boolean, "funded": pl.Boolean, "implemented": pl.Boolean,
    "completed": pl.Boolean, "granted": pl.Float64, "spent": pl.Float64, "as_of": pl.Date,
}
_ROSTER_SCHEMA: dict[str, Any] = {
    "unit": pl.String, "unit_type": pl.String, "branch": pl.String, "aliases": pl.String,
}

JINGPIN_YES = "是-精品培训项目"
MOHRSS_YES = "是-人社部高级研修项目"

# ---------------------------------------------------------------------------
# Units. Institute rows: name | 所属分院 | 别名（；分隔） | fields | email domain | city
# ---------------------------------------------------------------------------
_INSTITUTES = """
中国科学院物理研究所|北京|物理所|phys|iop.ac.cn|北京市
中国科学院化学研究所|北京|化学所|chem|iccas.ac.cn|北京市
中国科学院数学与系统科学研究院|北京|数学院；数学与系统科学院|math|amss.ac.cn|北京市
中国科学院力学研究所|北京|力学所|eng,mat|imech.ac.cn|北京市
中国科学院半导体研究所|北京|半导体所|info,phys|semi.ac.cn|北京市
中国科学院计算技术研究所|北京|计算所|info|ict.ac.cn|北京市
中国科学院自动化研究所|北京|自动化所|info|ia.ac.cn|北京市
中国科学院软件研究所|北京|软件所|info|iscas.ac.cn|北京市
中国科学院声学研究所|北京|声学所|info,ocean|mail.ioa.ac.cn|北京市
中国科学院高能物理研究所|北京|高能所|phys|ihep.ac.cn|北京市
中国科学院理论物理研究所|北京|理论物理所|phys,math|itp.ac.cn|北京市
中国科学院生物物理研究所|北京|生物物理所|bio|ibp.ac.cn|北京市
中国科学院动物研究所|北京|动物所|bio,eco|ioz.ac.cn|北京市
中国科学院植物研究所|北京|植物所|plant|ibcas.ac.cn|北京市
中国科学院微生物研究所|北京|微生物所|bio|im.ac.cn|北京市
中国科学院遗传与发育生物学研究所|北京|遗传发育所；遗传所|plant,bio|genetics.ac.cn|北京市
中国科学院心理研究所|北京|心理所|psy|psych.ac.cn|北京市
中国科学院地理科学与资源研究所|北京|地理资源所；地理所|eco,earth|igsnrr.ac.cn|北京市
中国科学院地质与地球物理研究所|北京|地质地球所；地质所|earth|mail.iggcas.ac.cn|北京市
中国科学院大气物理研究所|北京|大气所|atmos,earth|mail.iap.ac.cn|北京市
中国科学院青藏高原研究所|北京|青藏高原所；青藏所|earth,eco|itpcas.ac.cn|北京市
中国科学院生态环境研究中心|北京|生态中心；生态环境中心|eco|rcees.ac.cn|北京市
中国科学院过程工程研究所|北京|过程工程所；过程所|chem,eng|ipe.ac.cn|北京市
中国科学院工程热物理研究所|北京|工程热物理所；热物理所|eng|iet.cn|北京市
中国科学院理化技术研究所|北京|理化所|chem,phys|mail.ipc.ac.cn|北京市
中国科学院微电子研究所|北京|微电子所|info|ime.ac.cn|北京市
中国科学院信息工程研究所|北京|信工所|info|iie.ac.cn|北京市
中国科学院电工研究所|北京|电工所|eng|mail.iee.ac.cn|北京市
中国科学院国家天文台|北京|国家天文台；国台|astro|nao.cas.cn|北京市
中国科学院国家空间科学中心|北京|空间中心|astro|nssc.ac.cn|北京市
中国科学院空天信息创新研究院|北京|空天院|astro,opt|aircas.ac.cn|北京市
中国科学院古脊椎动物与古人类研究所|北京|古脊椎所|paleo,earth|ivpp.ac.cn|北京市
中国科学院北京基因组研究所|北京|基因组所；北京基因组所|bio|big.ac.cn|北京市
中国科学院自然科学史研究所|北京|自然科学史所|policy|ihns.ac.cn|北京市
中国科学院科技战略咨询研究院|北京|战略咨询院|policy|casisd.cn|北京市
国家纳米科学中心|北京|纳米中心|mat,chem|nanoctr.cn|北京市
中国科学院金属研究所|沈阳|金属所|mat|imr.ac.cn|沈阳市
中国科学院沈阳自动化研究所|沈阳|沈阳自动化所|eng,info|sia.cn|沈阳市
中国科学院大连化学物理研究所|沈阳|大化所；大连化物所|chem,eng|dicp.ac.cn|大连市
中国科学院沈阳应用生态研究所|沈阳|沈阳生态所|soil,eco|iae.ac.cn|沈阳市
中国科学院海洋研究所|沈阳|海洋所|ocean|qdio.ac.cn|青岛市
中国科学院烟台海岸带研究所|沈阳|烟台海岸带所|ocean,eco|yic.ac.cn|烟台市
中国科学院青岛生物能源与过程研究所|沈阳|青岛能源所|chem,eng|qibebt.ac.cn|青岛市
中国科学院长春光学精密机械与物理研究所|长春|长春光机所|opt|ciomp.ac.cn|长春市
中国科学院长春应用化学研究所|长春|长春应化所|chem,mat|ciac.ac.cn|长春市
中国科学院东北地理与农业生态研究所|长春|东北地理所|soil,eco|iga.ac.cn|长春市
中国科学院上海光学精密机械研究所|上海|上海光机所|opt|siom.ac.cn|上海市
中国科学院上海技术物理研究所|上海|上海技物所|opt,astro|mail.sitp.ac.cn|上海市
中国科学院上海微系统与信息技术研究所|上海|上海微系统所|info,mat|mail.sim.ac.cn|上海市
中国科学院上海硅酸盐研究所|上海|上海硅酸盐所|mat|mail.sic.ac.cn|上海市
中国科学院上海有机化学研究所|上海|上海有机所|chem|sioc.ac.cn|上海市
中国科学院上海药物研究所|上海|上海药物所|bio|simm.ac.cn|上海市
中国科学院上海天文台|上海|上海天文台|astro|shao.ac.cn|上海市
中国科学院上海高等研究院|上海|上海高研院|eng,phys|sari.ac.cn|上海市
中国科学院分子细胞科学卓越创新中心|上海|分子细胞卓越中心；生化细胞所|bio|sibcb.ac.cn|上海市
中国科学院脑科学与智能技术卓越创新中心|上海|脑智卓越中心；神经所|bio|ion.ac.cn|上海市
中国科学院分子植物科学卓越创新中心|上海|分子植物卓越中心；植生所|plant|cemps.ac.cn|上海市
中国科学院上海应用物理研究所|上海|上海应物所|eng,phys|sinap.ac.cn|上海市
中国科学院宁波材料技术与工程研究所|上海|宁波材料所|mat|nimte.ac.cn|宁波市
中国科学院合肥物质科学研究院|上海|合肥研究院；合肥物质院|phys,eng|hfcas.ac.cn|合肥市
中国科学院福建物质结构研究所|上海|福建物构所|chem,mat|fjirsm.ac.cn|福州市
中国科学院城市环境研究所|上海|城市环境所|eco|iue.ac.cn|厦门市
中国科学院紫金山天文台|南京|紫金山天文台；紫台|astro|pmo.ac.cn|南京市
中国科学院南京地理与湖泊研究所|南京|南京湖泊所；南京地湖所|eco|niglas.ac.cn|南京市
中国科学院南京土壤研究所|南京|南京土壤所；土壤所|soil|issas.ac.cn|南京市
中国科学院南京地质古生物研究所|南京|南京古生物所|paleo,earth|nigpas.ac.cn|南京市
中国科学院苏州纳米技术与纳米仿生研究所|南京|苏州纳米所|mat,info|sinano.ac.cn|苏州市
中国科学院精密测量科学与技术创新研究院|武汉|精密测量院|phys,earth|apm.ac.cn|武汉市
中国科学院水生生物研究所|武汉|水生所|eco,bio|ihb.ac.cn|武汉市
中国科学院武汉病毒研究所|武汉|武汉病毒所|bio|wh.iov.cn|武汉市
中国科学院武汉植物园|武汉|武汉植物园|plant|wbgcas.cn|武汉市
中国科学院武汉岩土力学研究所|武汉|武汉岩土所|geotech,earth|whrsm.ac.cn|武汉市
中国科学院华南植物园|广州|华南植物园|plant,eco|scbg.ac.cn|广州市
中国科学院南海海洋研究所|广州|南海海洋所|ocean|scsio.ac.cn|广州市
中国科学院广州地球化学研究所|广州|广州地化所|earth|gig.ac.cn|广州市
中国科学院广州能源研究所|广州|广州能源所|eng|ms.giec.ac.cn|广州市
中国科学院广州生物医药与健康研究院|广州|广州生物院；广州健康院|bio|gibh.ac.cn|广州市
中国科学院深圳先进技术研究院|广州|深圳先进院|info,bio|siat.ac.cn|深圳市
中国科学院亚热带农业生态研究所|广州|亚热带生态所|soil,eco|isa.ac.cn|长沙市
中国科学院深海科学与工程研究所|广州|深海所|ocean|idsse.ac.cn|三亚市
中国科学院成都生物研究所|成都|成都生物所|bio,eco|cib.ac.cn|成都市
中国科学院光电技术研究所|成都|光电所|opt|ioe.ac.cn|成都市
中国科学院、水利部成都山地灾害与环境研究所|成都|山地所|earth,eco|imde.ac.cn|成都市
中国科学院重庆绿色智能技术研究院|成都|重庆研究院|info,eng|cigit.ac.cn|重庆市
中国科学院地球化学研究所|成都|地化所；贵阳地化所|earth|mail.gyig.ac.cn|贵阳市
中国科学院昆明植物研究所|昆明|昆明植物所|plant|mail.kib.ac.cn|昆明市
中国科学院昆明动物研究所|昆明|昆明动物所|bio|mail.kiz.ac.cn|昆明市
中国科学院西双版纳热带植物园|昆明|版纳植物园|plant,eco|xtbg.ac.cn|西双版纳
中国科学院云南天文台|昆明|云南天文台；云台|astro|ynao.ac.cn|昆明市
中国科学院西安光学精密机械研究所|西安|西安光机所|opt|opt.ac.cn|西安市
中国科学院国家授时中心|西安|授时中心|astro|ntsc.ac.cn|西安市
中国科学院地球环境研究所|西安|地球环境所|earth,eco|ieecas.cn|西安市
中国科学院水利部水土保持研究所|西安|水保所|soil,eco|ms.iswc.ac.cn|杨凌
中国科学院山西煤炭化学研究所|西安|山西煤化所|chem,eng|sxicc.ac.cn|太原市
中国科学院近代物理研究所|兰州|近代物理所；近物所|phys|impcas.ac.cn|兰州市
中国科学院兰州化学物理研究所|兰州|兰州化物所|chem,mat|licp.cas.cn|兰州市
中国科学院西北生态环境资源研究院|兰州|西北研究院|eco,earth|lzb.ac.cn|兰州市
中国科学院西北高原生物研究所|兰州|西北高原所|plant,bio|nwipb.cas.cn|西宁市
中国科学院青海盐湖研究所|兰州|盐湖所|chem|isl.ac.cn|西宁市
中国科学院新疆生态与地理研究所|新疆|新疆生地所|eco,soil|egi.ac.cn|乌鲁木齐市
中国科学院新疆理化技术研究所|新疆|新疆理化所|chem,mat|xjipc.cas.cn|乌鲁木齐市
中国科学院新疆天文台|新疆|新疆天文台|astro|xao.ac.cn|乌鲁木齐市
"""

_BRANCHES = (
    ("北京", "bjb.ac.cn", "北京市"), ("沈阳", "syb.ac.cn", "沈阳市"), ("长春", "ccb.ac.cn", "长春市"),
    ("上海", "shb.ac.cn", "上海市"), ("南京", "njb.ac.cn", "南京市"), ("武汉", "whb.ac.cn", "武汉市"),
    ("广州", "gzb.ac.cn", "广州市"), ("成都", "cdb.ac.cn", "成都市"), ("昆明", "kmb.ac.cn", "昆明市"),
    ("西安", "xab.ac.cn", "西安市"), ("兰州", "lzb.cas.cn", "兰州市"), ("新疆", "xjb.ac.cn", "乌鲁木齐市"),
)
_DEPARTMENTS = (
    ("人事局", "院人事局；中国科学院人事局"),
    ("科技促进发展局", "院科发局；中国科学院科技促进发展局"),
    ("前沿科学与教育局", "院前沿局；中国科学院前沿科学与教育局"),
    ("条件保障与财务局", "院条财局；中国科学院条件保障与财务局"),
    ("国际合作局", "院国际局；中国科学院国际合作局"),
    ("机关党委", "院机关党委；中国科学院机关党委"),
)
_DIRECT_UNITS = (
    ("中国科学院文献情报中心", "文献情报中心；国科图", "mail.las.ac.cn"),
    ("中国科学院计算机网络信息中心", "网络中心；CNIC", "cnic.cn"),
)
_CITY_PHONE = {
    "北京市": ("010", "86"), "沈阳市": ("024", "2"), "大连市": ("0411", "8"), "青岛市": ("0532", "8"),
    "烟台市": ("0535", "2"), "长春市": ("0431", "8"), "上海市": ("021", "56"), "宁波市": ("0574", "8"),
    "合肥市": ("0551", "6"), "福州市": ("0591", "6"), "厦门市": ("0592", "6"), "南京市": ("025", "8"),
    "苏州市": ("0512", "6"), "武汉市": ("027", "8"), "广州市": ("020", "8"), "深圳市": ("0755", "8"),
    "长沙市": ("0731", "8"), "三亚市": ("0898", "8"), "成都市": ("028", "8"), "重庆市": ("023", "6"),
    "贵阳市": ("0851", "8"), "昆明市": ("0871", "6"), "西双版纳": ("0691", "8"), "西安市": ("029", "8"),
    "杨凌": ("029", "8"), "太原市": ("0351", "4"), "兰州市": ("0931", "4"), "西宁市": ("0971", "6"),
    "乌鲁木齐市": ("0991", "3"),
}
_CITY_FULL = {
    "北京市": "北京市海淀区", "沈阳市": "辽宁省沈阳市", "大连市": "辽宁省大连市", "青岛市": "山东省青岛市",
    "烟台市": "山东省烟台市", "长春市": "吉林省长春市", "上海市": "上海市", "宁波市": "浙江省宁波市",
    "合肥市": "安徽省合肥市", "福州市": "福建省福州市", "厦门市": "福建省厦门市", "南京市": "江苏省南京市",
    "苏州市": "江苏省苏州市", "武汉市": "湖北省武汉市", "广州市": "广东省广州市", "深圳市": "广东省深圳市",
    "长沙市": "湖南省长沙市", "三亚市": "海南省三亚市", "成都市": "四川省成都市", "重庆市": "重庆市",
    "贵阳市": "贵州省贵阳市", "昆明市": "云南省昆明市", "西双版纳": "云南省西双版纳傣族自治州勐腊县",
    "西安市": "陕西省西安市", "杨凌": "陕西省杨凌示范区", "太原市": "山西省太原市", "兰州市": "甘肃省兰州市",
    "西宁市": "青海省西宁市", "乌鲁木齐市": "新疆维吾尔自治区乌鲁木齐市",
}

# ---------------------------------------------------------------------------
# Topics by field. Each line: core | keywords | three content items | direction key.
# Y = 研修班, D = 短期班 (techniques), J = 学术讲坛.
# ---------------------------------------------------------------------------
_FIELD_NAMES = {
    "phys": "物理学", "chem": "化学化工", "mat": "材料科学", "info": "信息技术", "opt": "光学与光电子",
    "bio": "生命科学", "plant": "植物科学", "soil": "土壤与农业生态", "eco": "生态环境",
    "earth": "地球科学", "ocean": "海洋科学", "astro": "天文与空间科学", "eng": "能源与工程技术",
    "math": "数学与系统科学", "policy": "科技战略与科学史", "psy": "心理学",
    "paleo": "古生物学", "geotech": "岩土力学与工程", "atmos": "大气科学",
}
# 人社部高研选题方向 by field (附表 推广体系)
_FIELD_STRATEGY = {
    "phys": "量子信息等前沿领域", "chem": "新能源和绿色环保产业", "mat": "新材料产业发展",
    "info": "人工智能和集成电路等数字技术领域", "opt": "高端装备和空天科技", "bio": "生命健康和生物技术",
    "plant": "生物育种和乡村振兴战略", "soil": "乡村振兴和粮食安全战略", "eco": "可持续发展和绿色环保",
    "earth": "深地深海等前沿领域", "ocean": "海洋装备和深地深海", "astro": "空天科技和航空航天",
    "eng": "新能源和智能制造", "math": "大数据和人工智能", "policy": "创新驱动发展战略",
    "psy": "生命健康和脑科学", "paleo": "可持续发展战略", "geotech": "重大工程和深地领域",
    "atmos": "可持续发展和绿色环保",
}
_DIRECTIONS = {
    "key": "关键核心技术攻关任务", "fac": "国家重大科技基础设施建设与运行", "rd": "国家重点研发计划实施",
    "hi": "高技术创新", "ind": "重点产业发展需求", "eng": "国家重大工程建设", "str": "国家重大战略需求",
    "carbon": "“双碳”专项行动", "soil": "“黑土粮仓”科技会战", "front": "基础前沿交叉的重大科学问题",
    "": "",
}
_TOPICS_TEXT = """
phys|Y|量子计算与量子精密测量|量子信息,量子计算,量子精密测量|量子计算原理与物理实现,量子精密测量方法,量子器件制备与表征|key
phys|Y|凝聚态物理前沿与量子材料|凝聚态物理,量子材料,拓扑物态|强关联电子体系,拓扑量子材料,低维材料物性|front
phys|Y|同步辐射光源实验技术与应用|同步辐射,先进光源,大科学装置|同步辐射光源原理,谱学与散射实验方法,实验数据处理|fac
phys|Y|粒子物理与核探测技术|粒子物理,核探测,大科学装置|粒子探测器原理,触发与数据获取,蒙特卡罗模拟|fac
phys|Y|超导技术与低温工程|超导,低温工程,关键核心技术|超导材料与磁体,低温制冷技术,超导电子学应用|key
phys|D|透射电子显微学与材料表征技术|透射电镜,材料表征,原位分析|电镜成像原理,样品制备技术,原位表征实验|hi
phys|D|中子散射实验技术|中子散射,散裂中子源,谱仪|中子散射基础,谱仪操作,数据分析软件|fac
phys|D|低温强磁场实验技术|低温,强磁场,极端条件实验|稀释制冷机操作,强磁场测量,极端条件物性测量|fac
phys|J|凝聚态与量子物理前沿|拓扑物态,量子材料,超导|
phys|J|粒子物理与宇宙学前沿|中微子,暗物质,引力波|
chem|Y|多相催化与绿色化工|催化,绿色化工,碳中和|催化剂设计与制备,催化反应机理,化工过程绿色化|carbon
chem|Y|能源化学与新型储能技术|储能,锂电池,新能源|电化学储能原理,电池材料与器件,储能系统安全|ind
chem|Y|氢能与燃料电池关键技术|氢能,燃料电池,关键核心技术|制氢与储运技术,燃料电池电堆,氢能产业应用|key
chem|Y|高分子材料设计与加工|高分子,新材料,材料加工|高分子合成,结构与性能,加工成型技术|ind
chem|Y|二氧化碳捕集与转化利用|二氧化碳,碳捕集,碳中和|碳捕集技术,二氧化碳催化转化,碳利用工程示范|carbon
chem|D|现代质谱分析技术|质谱,分析测试,仪器操作|质谱原理与仪器结构,样品前处理,谱图解析|hi
chem|D|核磁共振波谱技术|核磁共振,波谱分析,结构鉴定|核磁共振原理,一维与二维谱图采集,结构解析实例|hi
chem|D|X射线衍射与晶体结构解析技术|X射线衍射,晶体结构,物相分析|衍射原理,单晶结构解析,粉末衍射精修|hi
chem|D|色谱分离分析技术|色谱,分离分析,液相色谱|色谱理论,方法开发与验证,仪器维护|ind
chem|J|化学前沿与分子科学|合成化学,分子科学,化学生物学|
chem|J|能源与催化化学前沿|催化,能源化学,人工光合作用|
mat|Y|高温合金与先进制造|高温合金,航空发动机,关键核心技术|高温合金成分设计,凝固与加工,服役性能评价|key
mat|Y|先进陶瓷与无机非金属材料|先进陶瓷,新材料,无机非金属|陶瓷粉体制备,烧结工艺,功能陶瓷应用|ind
mat|Y|纳米材料与纳米器件|纳米材料,纳米器件,纳米表征|纳米材料合成,纳米加工技术,纳米器件表征|hi
mat|Y|金属材料腐蚀与防护|腐蚀防护,重大工程,海洋工程材料|腐蚀机理,防护涂层技术,工程腐蚀案例|eng
mat|D|增材制造（3D打印）技术|增材制造,3D打印,智能制造|增材制造原理,工艺参数优化,后处理与检测|ind
mat|D|材料力学性能测试技术|力学性能,材料测试,标准|拉伸与疲劳测试,断裂韧性测试,测试标准解读|hi
mat|D|扫描电镜与能谱分析技术|扫描电镜,能谱分析,显微表征|扫描电镜原理,能谱定量分析,背散射电子衍射|hi
mat|J|材料科学前沿|材料基因组,计算材料学,先进材料|
mat|J|先进结构与功能材料前沿|结构材料,功能材料,材料设计|
info|Y|大模型与生成式人工智能|大模型,人工智能,深度学习|大模型训练与微调,生成式人工智能应用,可信人工智能|key
info|Y|集成电路设计与EDA技术|集成电路,芯片设计,EDA|数字集成电路设计,EDA工具链,芯片验证与测试|key
info|Y|网络空间安全与密码技术|网络安全,密码技术,数据安全|密码算法与协议,系统安全,数据安全治理|key
info|Y|开源操作系统与基础软件|操作系统,基础软件,开源|操作系统内核,编译器技术,开源社区与生态|key
info|Y|高性能计算与科学计算|高性能计算,超算,并行计算|并行编程模型,异构计算,科学计算应用|fac
info|Y|智能机器人与自主系统|机器人,人工智能,自主系统|机器人感知,运动规划与控制,人机协作|hi
info|D|深度学习框架与GPU编程实践|深度学习,GPU,人工智能|深度学习框架使用,CUDA编程,模型部署|hi
info|D|芯片封装与测试技术|芯片,封装测试,集成电路|先进封装工艺,可靠性测试,失效分析|ind
info|D|科学大数据管理与分析技术|大数据,云计算,数据管理|数据汇交与管理,分布式计算,数据可视化|rd
info|D|Python科学计算与数据可视化|Python,数据分析,可视化|Python编程基础,科学计算库,数据可视化|
info|J|人工智能基础理论前沿|机器学习,人工智能,深度学习|
info|J|计算机科学前沿|计算理论,量子计算,系统软件|
opt|Y|超快超强激光技术|激光,超快光学,强场物理|超快激光产生,强场激光物理,激光装置运行|fac
opt|Y|空间光学遥感技术|空间光学,遥感,航空航天|空间光学载荷设计,遥感成像,在轨定标|eng
opt|Y|光电探测与智能成像技术|光电探测,成像,人工智能|光电探测器件,计算成像,图像智能处理|hi
opt|Y|高端光学制造与精密检测|光学制造,精密检测,高端装备|超精密加工,光学检测技术,光学镀膜|key
opt|D|激光器装调与光学检测技术|激光器,光学检测,光路装调|激光器结构与装调,光束质量测量,光学元件检测|hi
opt|D|光学系统设计软件应用|光学设计,Zemax,像质评价|光学设计基础,软件建模,公差分析|
opt|D|红外探测器测试技术|红外探测,测试技术,焦平面|红外探测原理,焦平面测试,测试系统搭建|ind
opt|J|光学与光子学前沿|光子学,非线性光学,量子光学|
opt|J|激光与光电子学前沿|激光物理,光电子学,阿秒科学|
bio|Y|单细胞组学与生物信息分析|单细胞,组学,生物信息|单细胞测序技术,多组学整合分析,生物信息流程|rd
bio|Y|基因编辑与合成生物学|基因编辑,合成生物学,生物技术|基因编辑工具,底盘细胞设计,合成生物学应用|key
bio|Y|冷冻电镜与结构生物学|冷冻电镜,结构生物学,大科学装置|冷冻样品制备,数据采集,三维重构|fac
bio|Y|脑科学与类脑智能|脑科学,类脑智能,神经环路|神经环路解析,脑成像技术,类脑计算|front
bio|Y|创新药物研发关键技术|新药研发,生命健康,药物筛选|靶点发现,药物筛选,临床前研究|key
bio|Y|病原微生物与生物安全|病毒,生物安全,传染病|病原学研究,生物安全实验室管理,疫苗研发|str
bio|D|流式细胞术与细胞分选技术|流式细胞术,细胞分选,仪器操作|流式原理,多色方案设计,数据分析|hi
bio|D|激光共聚焦显微成像技术|共聚焦,显微成像,图像分析|共聚焦原理,活细胞成像,图像处理|hi
bio|D|实验动物与动物模型技术|实验动物,动物模型,动物福利|实验动物管理规范,模型构建,动物实验操作|
bio|D|高通量测序数据分析|高通量测序,生物信息,组学|测序原理,数据质控,变异检测与注释|rd
bio|D|生物安全实验室操作技术|生物安全实验室,生物安全,个人防护|实验室分级,个人防护,应急处置|str
bio|J|生命科学前沿|细胞生物学,发育生物学,生命健康|
bio|J|神经科学前沿|神经科学,脑科学,认知|
plant|Y|作物分子设计育种|生物育种,分子育种,种业|基因组选择,分子设计育种,种业振兴|key
plant|Y|植物种质资源保护与利用|种质资源,生物多样性,保护生物学|种质资源调查,迁地保护,资源评价与利用|str
plant|Y|药用植物资源开发利用|药用植物,乡村振兴,天然产物|药用植物资源,天然产物化学,产业化开发|ind
plant|Y|植物表型组学与智慧农业|表型组学,智慧农业,人工智能|高通量表型,表型数据分析,智慧农业应用|hi
plant|D|植物分类与标本采集制作技术|植物分类,标本,野外调查|植物分类基础,标本采集与制作,数字标本馆|
plant|D|植物组织培养与快繁技术|组织培养,快繁,种苗|无菌操作,培养基配制,快繁体系建立|ind
plant|D|植物生理生态测定技术|光合作用,生理生态,仪器操作|光合仪使用,水分生理测定,数据分析|
plant|J|植物科学前沿|植物生物学,进化生物学,生物多样性|
plant|J|植物与微生物互作前沿|植物免疫,根际微生物,共生固氮|
soil|Y|黑土地保护与利用|黑土地保护,黑土粮仓,东北黑土区|黑土退化机理,保护性耕作技术,黑土地综合治理模式|soil
soil|Y|土壤健康与耕地质量提升|土壤健康,耕地质量,粮食安全|土壤健康评价,耕地地力提升,土壤污染修复|str
soil|Y|盐碱地综合治理与利用|盐碱地,粮食安全,耐盐作物|盐碱地改良,耐盐碱作物,水盐调控|str
soil|Y|农业面源污染防治与绿色农业|面源污染,绿色农业,碳减排|面源污染监测,农田减排技术,绿色种养循环|carbon
soil|D|土壤样品采集与分析测试技术|土壤分析,样品前处理,质量控制|土壤采样规范,理化性质测定,质量控制|
soil|D|稳定同位素分析技术|稳定同位素,质谱,示踪|同位素原理,仪器操作,示踪实验设计|hi
soil|J|土壤与农业生态前沿|土壤学,农业生态,碳循环|
soil|J|土壤碳循环与全球变化前沿|土壤碳库,全球变化,碳中和|
eco|Y|碳达峰碳中和路径与碳排放核算|碳达峰,碳中和,碳排放核算|碳排放核算方法,减排路径分析,碳市场与政策|carbon
eco|Y|生态系统碳汇监测与评估|碳汇,生态系统,碳中和|碳汇计量方法,遥感监测,增汇技术|carbon
eco|Y|生态保护与修复技术|生态修复,生态保护,生物多样性|退化生态系统修复,生态保护红线,成效评估|str
eco|Y|流域水环境综合治理|水环境,流域治理,湖泊|水污染控制,流域综合治理,湖泊富营养化防治|eng
eco|D|环境污染物分析检测技术|污染物,分析检测,新污染物|样品前处理,仪器分析,新污染物筛查|hi
eco|D|涡度相关通量观测技术|通量观测,碳通量,野外台站|涡度相关原理,仪器安装维护,数据处理|rd
eco|D|遥感生态监测技术|遥感,生态监测,地理信息系统|遥感影像处理,生态参数反演,监测平台应用|
eco|J|全球变化与生态学前沿|全球变化,生态学,生物多样性|
eco|J|生物多样性与生态系统功能前沿|生物多样性,生态系统功能,保护生物学|
earth|Y|深地资源探测与勘查技术|深地,资源勘查,关键矿产|深部地球物理探测,成矿理论,关键矿产勘查|key
earth|Y|青藏高原地球系统科学|青藏高原,第二次青藏科考,地球系统|高原隆升与环境,冰冻圈变化,高原生态安全|str
earth|Y|地质灾害监测预警技术|地质灾害,监测预警,重大工程|滑坡泥石流机理,监测技术,预警模型|eng
earth|Y|油气与关键矿产地球化学|油气,关键矿产,地球化学|成藏成矿机理,地球化学示踪,勘查评价|key
earth|D|同位素地球化学分析测试技术|同位素,质谱,地球化学|同位素分析原理,仪器操作,数据处理|hi
earth|D|地球物理野外观测技术|地球物理,野外观测,地震台站|观测仪器布设,数据采集,资料处理|
earth|D|岩矿鉴定与电子探针分析技术|岩矿鉴定,电子探针,显微分析|偏光显微镜鉴定,电子探针定量分析,数据处理|hi
earth|J|地球科学前沿|地球系统科学,行星科学,深部过程|
earth|J|行星科学与比较行星学前沿|行星科学,月球与深空探测,比较行星学|
ocean|Y|深海探测与深海装备|深海,深海装备,海洋装备|深海探测技术,深海装备研制,深海资源|key
ocean|Y|海洋观测与数据同化|海洋观测,数据同化,海洋预报|海洋观测网,资料同化方法,海洋预报系统|fac
ocean|Y|海岸带生态保护与修复|海岸带,生态修复,蓝碳|海岸带生态系统,蓝碳评估,修复技术|carbon
ocean|Y|海洋生物资源开发利用|海洋生物,蓝色粮仓,水产养殖|海洋生物资源,水产种质创新,海洋牧场|ind
ocean|D|海洋科考船调查技术|科考船,海洋调查,规范|调查规范,船载设备操作,样品采集保存|fac
ocean|D|水下机器人操作与维护技术|水下机器人,深海装备,运维|水下机器人系统,布放回收,维护保养|eng
ocean|J|海洋科学前沿|海洋科学,海洋环流,深海|
ocean|J|深海与极地科学前沿|深海,极地,海洋生态|
astro|Y|天文大数据与虚拟天文台|天文大数据,虚拟天文台,人工智能|天文数据处理,虚拟天文台技术,机器学习应用|fac
astro|Y|空间科学卫星载荷技术|空间科学,卫星载荷,空天科技|载荷设计,在轨运行,数据处理|eng
astro|Y|时间频率与导航授时技术|时间频率,北斗导航,授时|原子钟技术,时间比对,导航授时应用|key
astro|Y|射电天文技术与应用|射电天文,射电望远镜,大科学装置|射电观测原理,接收机技术,数据处理|fac
astro|D|天文望远镜观测与数据处理技术|天文观测,望远镜,数据处理|望远镜操作,观测规划,数据归算|fac
astro|D|空间环境监测与空间天气预报|空间天气,空间环境,监测预报|空间环境要素,监测手段,预报模型|eng
astro|J|天文学前沿|宇宙学,系外行星,引力波|
astro|J|空间天文与高能天体物理前沿|高能天体物理,空间天文,伽马射线暴|
eng|Y|新型电力系统与储能技术|储能,新型电力系统,新能源|新能源并网,储能技术路线,电力系统安全|carbon
eng|Y|先进动力与燃气轮机技术|燃气轮机,先进动力,关键核心技术|燃烧与传热,叶轮机械,整机试验|key
eng|Y|先进核能系统|核能,熔盐堆,先进核能|先进核能系统设计,核材料,核安全|eng
eng|Y|智能制造与工业互联网|智能制造,工业互联网,数字化|智能制造系统,工业互联网平台,数字孪生|ind
eng|Y|工业过程节能与碳减排|节能减排,碳中和,工业过程|工业节能技术,碳减排路径,能效评估|carbon
eng|D|机器人系统集成与应用技术|机器人,智能制造,系统集成|机器人编程,系统集成,典型应用|ind
eng|D|电力电子器件测试技术|电力电子,器件测试,新能源|器件特性测试,可靠性评估,测试平台|ind
eng|D|燃烧诊断与激光测量技术|燃烧诊断,激光测量,流场|激光诊断原理,测量系统,数据处理|hi
eng|J|能源科学前沿|能源科学,能源转型,碳中和|
eng|J|先进能源材料与器件前沿|能源材料,储能器件,光伏|
math|Y|数学与人工智能交叉|人工智能,数学建模,深度学习|深度学习的数学理论,优化算法,数学建模实践|front
math|Y|优化理论与算法|优化,算法,运筹学|连续优化,整数规划,大规模优化计算|hi
math|Y|统计学习与数据科学|统计,数据科学,大数据|统计学习方法,高维数据分析,数据科学应用|rd
math|D|科学计算软件与数值方法|数值计算,科学计算,软件|数值方法,科学计算软件,并行实现|
math|J|数学前沿|数论,几何,交叉科学|
math|J|计算数学与科学计算前沿|计算数学,数值分析,科学计算|
paleo|Y|古生物学与地层学前沿|古生物学,地层学,生命演化|重大生物演化事件,高精度地层年代,化石记录与古环境|front
paleo|Y|古人类与旧石器考古研究方法|古人类,旧石器考古,年代学|古人类化石研究,考古发掘方法,测年技术|
paleo|D|化石修复与三维重建技术|化石修复,CT扫描,三维重建|化石修理技术,显微CT扫描,三维重建软件|
paleo|D|化石标本采集、制作与保护技术|化石标本,野外采集,标本保护|野外采集规范,标本制作,馆藏保护|
paleo|J|生命演化与古生物学前沿|生命演化,古生物学,古环境|
geotech|Y|深部岩体力学与地下工程安全|深地,岩体力学,重大工程|深部岩体力学特性,地下工程稳定性,灾变预警|eng
geotech|Y|能源地下储存与二氧化碳地质封存|地下储能,碳封存,碳中和|盐穴储能,二氧化碳地质封存,长期安全评价|carbon
geotech|Y|岩土工程灾害防治技术|岩土工程,地质灾害,防灾减灾|滑坡机理,边坡加固,监测预警|eng
geotech|D|岩土力学试验技术|岩土试验,三轴试验,测试技术|岩石力学试验,土工试验,试验数据处理|hi
geotech|D|工程地质勘察与安全监测技术|工程勘察,安全监测,光纤传感|勘察方法,监测系统布设,数据分析|eng
geotech|J|岩土力学前沿|岩土力学,多场耦合,地下工程|
atmos|Y|大气环境与气候变化数值模拟|数值模拟,气候变化,大气环境|地球系统模式,大气污染模拟,气候预测|fac
atmos|Y|天气气候预测与极端天气|天气预报,气候预测,极端天气|数值天气预报,次季节预测,极端事件归因|str
atmos|Y|大气污染防治与空气质量预报|大气污染,空气质量,碳中和|污染来源解析,空气质量预报,减污降碳协同|carbon
atmos|D|大气观测与激光雷达技术|大气观测,激光雷达,遥感|地基观测系统,激光雷达反演,数据质控|fac
atmos|D|地球系统模式应用技术|地球系统模式,高性能计算,数值模拟|模式编译运行,参数化方案,结果分析|
atmos|J|大气科学前沿|大气物理,气候动力学,大气化学|
policy|Y|科技战略与政策研究方法|科技政策,战略研究,智库|战略研究方法,政策评估,智库建设|str
psy|Y|心理健康与心理援助|心理健康,心理援助,心理咨询|心理健康评估,心理援助技术,危机干预|
psy|Y|认知神经科学与脑成像方法|认知神经科学,脑成像,脑科学|认知实验设计,功能磁共振分析,脑电技术|front
policy|Y|科学史与科学文化|科学史,科学文化,科学传播|科学史研究方法,科学文化建设,科学传播实践|
policy|D|科技评估方法与文献计量工具|科技评估,文献计量,数据分析|评估指标体系,文献计量工具,评估报告撰写|
psy|D|心理测评技术|心理测评,量表,数据分析|测评工具,施测规范,结果解释|
psy|D|眼动与脑电实验技术|眼动追踪,脑电,实验技术|实验设计,数据采集,信号分析|hi
psy|J|心理学与认知科学前沿|心理学,认知科学,脑科学|
policy|D|科技史料整理与数字化技术|科技史料,数字化,档案|史料收集整理,数字化加工,数据库建设|
policy|J|科技与社会前沿|科技伦理,科学传播,创新政策|
"""
# Applications whose text matches no direction of the 附表.
_NODIR_TOPICS = (
    ("科技论文写作与学术规范", "论文写作,学术规范,投稿", "科技论文写作方法,投稿与同行评审,学术不端案例分析"),
    ("科研项目申报与管理实务", "项目申报,项目管理,经费预算", "项目申报书撰写,经费预算编制,结题验收要求"),
    ("实验室运行管理与质量控制", "实验室管理,质量控制,计量认证", "实验室管理制度,计量认证与质量控制,仪器共享管理"),
    ("研究生导师指导能力提升", "导师,研究生培养,师德师风", "导师职责与师德师风,研究生培养过程管理,学位论文质量把关"),
    ("青年科研人员职业发展", "职业发展,青年人才,团队协作", "职业生涯规划,团队协作与沟通,科研项目申请经验"),
    ("科研人员英语学术交流能力提升", "学术英语,国际会议,学术报告", "英文学术报告,国际会议交流,英文邮件与论文润色"),
)
# Signature applications every sample year has: (unit alias, track, topic core).
_FEATURED = (
    ("东北地理所", "jingpin", "黑土地保护与利用"),
    ("沈阳生态所", "yanxiu", "黑土地保护与利用"),
    ("计算所", "yanxiu", "大模型与生成式人工智能"),
    ("自动化所", "jingpin", "大模型与生成式人工智能"),
    ("微电子所", "mohrss", "集成电路设计与EDA技术"),
    ("半导体所", "duanqi", "芯片封装与测试技术"),
    ("物理所", "jingpin", "量子计算与量子精密测量"),
    ("生态中心", "yanxiu", "碳达峰碳中和路径与碳排放核算"),
    ("地理资源所", "jingpin", "生态系统碳汇监测与评估"),
    ("大化所", "mohrss", "氢能与燃料电池关键技术"),
    ("遗传发育所", "mohrss", "作物分子设计育种"),
    ("深海所", "yanxiu", "深海探测与深海装备"),
    ("上海药物所", "jingpin", "创新药物研发关键技术"),
    ("脑智卓越中心", "yanxiu", "脑科学与类脑智能"),
    ("武汉病毒所", "duanqi", "生物安全实验室操作技术"),
)
_FOREIGN = ("美国麻省理工学院", "美国斯坦福大学", "美国加州理工学院", "英国剑桥大学", "英国牛津大学",
            "德国马克斯·普朗克学会", "日本东京大学", "瑞士苏黎世联邦理工学院", "法国国家科学研究中心",
            "新加坡国立大学", "加拿大多伦多大学", "丹麦哥本哈根大学", "荷兰代尔夫特理工大学")
_UNIVERSITIES = ("清华大学", "北京大学", "浙江大学", "南京大学", "武汉大学", "中山大学", "四川大学",
                 "兰州大学", "吉林大学", "中国科学技术大学", "中国科学院大学", "西安交通大学")
_AWAY = ("云南省昆明市", "海南省三亚市", "四川省成都市", "吉林省长春市", "青海省西宁市", "广东省深圳市",
         "浙江省杭州市", "山东省青岛市", "贵州省贵阳市", "福建省厦门市", "湖北省武汉市", "陕西省西安市")
_AWAY_BY_FIELD = {
    "soil": ("黑龙江省海伦市（海伦农业生态实验站）", "吉林省长春市", "黑龙江省哈尔滨市"),
    "ocean": ("海南省三亚市", "山东省青岛市", "广东省湛江市"),
    "astro": ("贵州省平塘县", "云南省丽江市", "青海省德令哈市"),
    "earth": ("西藏自治区拉萨市", "云南省腾冲市", "甘肃省敦煌市"),
    "paleo": ("云南省澄江市", "辽宁省朝阳市", "浙江省长兴县"),
    "plant": ("云南省西双版纳傣族自治州", "四川省峨眉山市", "海南省五指山市"),
    "eco": ("内蒙古自治区锡林浩特市", "甘肃省张掖市", "江西省九江市"),
}
_FEE_CHANNELS = ("单位自有经费", "科研项目经费", "人才项目经费", "基本科研业务费", "培训专项经费")

_SURNAMES = (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
             ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
             ("胡", "hu"), ("朱", "zhu"), ("高", "gao"), ("林", "lin"), ("何", "he"), ("郭", "guo"),
             ("马", "ma"), ("罗", "luo"), ("梁", "liang"), ("宋", "song"), ("郑", "zheng"), ("谢", "xie"),
             ("韩", "han"), ("唐", "tang"), ("冯", "feng"), ("于", "yu"), ("董", "dong"), ("程", "cheng"),
             ("曹", "cao"), ("袁", "yuan"), ("邓", "deng"), ("沈", "shen"), ("曾", "zeng"), ("彭", "peng"))
_GIVEN = (("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
          ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
          ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"),
          ("晓东", "xiaodong"), ("海燕", "haiyan"), ("建华", "jianhua"), ("志强", "zhiqiang"),
          ("文静", "wenjing"), ("思远", "siyuan"), ("雪", "xue"), ("琳", "lin"), ("颖", "ying"),
          ("鹏", "peng"), ("辉", "hui"), ("宁", "ning"), ("欣", "xin"), ("佳", "jia"), ("晨", "chen"),
          ("婷", "ting"), ("斌", "bin"), ("亚楠", "yanan"), ("红梅", "hongmei"), ("国庆", "guoqing"))

# Ordinary 所级 rows: title | 培训类别 | days choices | trainees lo-hi | season | way | station | level
# | 培训对象 | 目的 | 内容 | 关键词
_ORDINARY_TEXT = """
2023年新入职职工岗前培训|新入职培训|2,3|20-80|summer|线下培训|科研类;支撑类;管理类|处级及以下|本单位2023年度新入职职工|帮助新入职职工了解院所历史、规章制度和科研文化，尽快适应岗位要求。|院所概况与发展战略；人事、财务、资产管理制度；科研诚信与实验室安全；职业发展规划。|新入职,岗前培训,规章制度
新进博士后入站培训|新入职培训|1|10-50|any|线下培训|科研类|处级及以下|本年度新进站博士后|使新进站博士后熟悉博士后管理政策和科研工作要求，明确在站期间的培养目标。|博士后管理规定；科研项目申请；学术规范；安全教育。|博士后,入站培训
实验室安全准入培训|安全培训|0.5,1|50-200|any|线下培训|科研类;支撑类|处级及以下|新进科研人员、研究生和访问学者|强化实验室安全意识，掌握实验室安全基本知识和应急处置技能，取得实验室准入资格。|实验室安全管理制度；危险化学品与气瓶使用；消防器材使用；事故案例与应急处置；准入考试。|实验室安全,准入,应急处置
危险化学品安全管理培训|安全培训|1|30-120|any|线下培训|科研类;支撑类|处级及以下|涉及危险化学品的科研人员和管理人员|规范危险化学品采购、储存、使用和废弃物处置全流程管理，防范安全事故。|危险化学品法规；储存与使用规范；实验废弃物处置；典型事故分析。|危险化学品,安全管理,废弃物处置
消防安全知识培训与应急演练|安全培训|0.5|80-300|any|线下培训|科研类;支撑类;管理类|处级及以下|全体职工和研究生|提高职工和学生的消防安全意识和自救互救能力，熟悉应急疏散流程。|消防法规与常识；灭火器和消防栓使用；应急疏散演练。|消防安全,应急演练
保密知识教育培训|安全培训|0.5|30-150|any|线下培训|科研类;管理类|处级及以下|涉密人员及相关管理人员|增强保密意识，掌握保密法律法规和保密技术防护知识，落实保密责任。|保密法律法规；涉密载体管理；信息系统保密；泄密案例警示。|保密教育,保密管理
网络与信息安全意识培训|安全培训|0.5|50-200|any|线上培训|科研类;支撑类;管理类|处级及以下|全体职工|提高职工网络安全意识，防范钓鱼邮件、勒索病毒等常见网络安全风险。|网络安全形势；常见攻击手段识别；终端安全防护；数据备份。|网络安全,信息安全
安全生产月专题培训|安全培训|0.5,1|50-200|summer|线下培训|支撑类;管理类|处级及以下|各部门安全员及相关职工|落实安全生产责任制，提升安全员隐患排查和风险管控能力。|安全生产法规；隐患排查治理；风险分级管控；典型案例。|安全生产,隐患排查
特种设备操作人员安全培训|安全培训|1,2|10-40|any|线下培训|支撑类|处级及以下|压力容器、起重机械等特种设备操作人员|提高特种设备操作人员的安全操作技能，确保持证上岗。|特种设备安全技术规范；操作规程；日常维护与检验；应急处置。|特种设备,持证上岗
财务报销与科研经费管理规范培训|管理类培训|0.5,1|40-150|early|线下培训|科研类;管理类|处级及以下|课题组长、科研财务助理及财务人员|解读科研经费管理新规定，规范财务报销流程，提高经费使用效益。|科研经费管理政策解读；报销流程与常见问题；预算调剂；审计关注重点。|财务报销,科研经费,经费管理
科研项目管理与结题验收培训|管理类培训|1|30-100|any|线下培训|科研类;管理类|处级及以下|项目负责人及科研管理人员|提高科研项目全过程管理水平，做好项目结题验收和绩效评价工作。|项目过程管理；结题验收要求；绩效评价；档案归档。|项目管理,结题验收
中层干部管理能力提升培训|管理类培训|2,3|20-60|any|线下培训|管理类;领导类|处级及以下|本单位中层干部|提升中层干部的政治素养、履职能力和团队管理水平。|政治理论学习；管理沟通与团队建设；制度执行与廉洁从业；案例研讨。|中层干部,履职能力,团队管理
档案管理业务培训|管理类培训|0.5|20-60|any|线下培训|管理类;支撑类|处级及以下|各部门兼职档案员|规范科研档案和文书档案管理，提高档案收集、整理和利用水平。|档案管理规定；科研档案归档范围；电子档案管理。|档案管理,科研档案
政府采购与招投标管理培训|管理类培训|1|20-80|any|线下培训|管理类;科研类|处级及以下|课题组采购经办人和管理人员|熟悉政府采购法规和院所采购制度，规范采购行为，防范廉洁风险。|政府采购政策；采购方式与流程；进口设备采购；常见问题。|政府采购,招投标
国有资产管理培训|管理类培训|0.5|20-80|any|线下培训|管理类;支撑类|处级及以下|各部门资产管理员|规范国有资产配置、使用和处置管理，提高资产使用效率。|国有资产管理制度；资产清查；大型仪器开放共享；资产处置流程。|国有资产,资产管理
人事人才政策解读培训|管理类培训|0.5|30-100|early|线下培训|管理类;科研类|处级及以下|各部门负责人和人事秘书|解读人事人才政策，提高人事人才工作规范化水平。|岗位聘用与考核；人才计划申报；薪酬福利政策；职称评审。|人事政策,人才工作
科研财务助理业务培训|岗位培训|1|20-60|any|线下培训|支撑类|处级及以下|各课题组科研财务助理|提升科研财务助理的业务能力，为科研人员做好经费管理服务。|科研经费预算与报销；财务系统操作；合同与采购流程。|科研财务助理,业务培训
支撑岗位人员技能提升培训|岗位培训|2,3|20-60|any|线下培训|支撑类|处级及以下|本单位技术支撑岗位人员|提升技术支撑人员的专业技能和服务能力，促进支撑队伍建设。|大型仪器运行维护；实验技术创新；技术支撑人才评价。|技术支撑,技能提升
科研助理岗位培训|岗位培训|1|20-80|summer|线下培训|支撑类;管理类|处级及以下|新聘科研助理|使科研助理熟悉岗位职责和工作流程，尽快胜任科研辅助工作。|岗位职责；科研管理流程；办公系统使用；沟通技巧。|科研助理,岗位培训
图书情报与文献检索培训|岗位培训|0.5|30-150|any|线上培训|科研类|处级及以下|科研人员和研究生|提高科研人员利用数字资源和文献检索工具开展研究的能力。|数字资源使用；文献检索策略；文献管理软件；科技查新。|文献检索,数字资源
办公自动化系统使用培训|岗位培训|0.5|30-120|early|线上培训|管理类;支撑类|处级及以下|全体管理人员|熟悉新版办公自动化系统功能，提高办公效率。|系统功能介绍；公文流转；会议管理；常见问题解答。|办公自动化,信息化
科研诚信与学术规范教育|其他|0.5|80-300|any|线下培训|科研类|处级及以下|全体科研人员和研究生|加强科研诚信和学风作风建设，引导科研人员恪守学术规范。|科研诚信政策；学术不端行为认定；论文署名与引用规范；典型案例。|科研诚信,学术规范,学风建设
知识产权保护与专利撰写培训|其他|1|30-100|any|线下培训|科研类;成果转移转化类|处级及以下|科研人员及成果转化管理人员|提高科研人员知识产权保护意识和专利撰写质量，促进科技成果转化。|专利法与实施细则；专利撰写实务；专利布局与运营；成果转化政策。|知识产权,专利撰写,成果转化
科技成果转移转化政策培训|其他|1|30-100|any|线下培训|成果转移转化类;管理类|处级及以下|科研人员及成果转化管理人员|解读科技成果转移转化政策，提升成果转化管理和服务能力。|成果转化法律法规；作价入股与许可；转化收益分配；案例分析。|成果转化,技术转移
研究生导师培训|其他|1|30-100|summer|线下培训|科研类|处级及以下|本单位研究生导师|明确导师立德树人职责，提升研究生指导能力。|导师职责与师德师风；研究生培养制度；学位论文质量管理。|研究生导师,立德树人
英语口语与国际交流能力培训|其他|5,10|20-40|any|混合培训（线下+线上）|科研类;管理类|处级及以下|有出访或国际交流任务的职工|提高职工英语口语表达和国际交流能力。|英语口语训练；学术报告英语；国际会议交流礼仪。|英语口语,国际交流
科学传播与科普能力培训|其他|1|30-80|any|线下培训|科研类|处级及以下|科研人员和科普志愿者|提升科研人员科学传播能力，推动科研成果科普化。|科学传播理论；科普作品创作；新媒体传播实践。|科学传播,科普
职工心理健康讲座|其他|0.5|50-200|any|线上培训|科研类;支撑类;管理类|处级及以下|全体职工和研究生|关注职工心理健康，提升压力管理和情绪调适能力。|心理健康常识；压力管理；情绪调适方法；心理援助资源。|心理健康,压力管理
职工健康知识讲座|其他|0.5|50-200|any|线下培训|科研类;支撑类;管理类|处级及以下|全体职工|普及健康知识，增强职工健康意识。|常见慢性病预防；运动与营养；急救常识。|健康知识,急救
党支部书记培训班|政治理论学习|1,2|20-60|any|线下培训|管理类;科研类|处级及以下|各党支部书记、委员|提升党支部书记抓党建工作的能力，推动党建与科研业务深度融合。|党支部工作规范；组织生活；党建与业务融合案例。|党支部,党建
入党积极分子培训班|政治理论学习|1,2|20-80|any|线下培训|科研类|处级及以下|入党积极分子和发展对象|帮助入党积极分子端正入党动机，提高党性修养。|党章学习；党的基本知识；党员义务与权利。|入党积极分子,党章学习
党纪法规专题教育|政治理论学习|0.5|50-200|any|线下培训|管理类;科研类|处级及以下|全体党员和中层干部|加强党纪法规教育，筑牢拒腐防变思想防线。|党纪处分条例解读；廉洁从业规定；警示教育案例。|党纪法规,廉洁从业
习近平新时代中国特色社会主义思想专题学习|政治理论学习|1|40-200|any|线下培训|管理类;科研类|处级及以下|全体党员、中层干部|深入学习习近平新时代中国特色社会主义思想，坚定理想信念。|专题辅导报告；原著导读；交流研讨。|理论学习,专题学习
"""
_P2_TEXT = """
学习贯彻党的二十大精神专题培训班|政治理论学习|1,2|50-200|early|线下培训|管理类;科研类|处级及以下|全体党员、中层干部和科研骨干|深入学习贯彻党的二十大精神，把思想和行动统一到党中央决策部署上来。|党的二十大报告专题辅导；科技自立自强专题研讨；交流研讨。|二十大精神,专题学习,科技自立自强
党的二十大精神专题辅导报告会|政治理论学习|0.5|100-300|early|线下培训|科研类;支撑类;管理类|处级及以下|全体职工和研究生|全面学习领会党的二十大精神，推动学习宣传贯彻走深走实。|邀请专家作党的二十大精神专题辅导报告。|二十大精神,辅导报告
领导班子学习贯彻党的二十大精神专题研讨班|政治理论学习|2,3|10-30|early|线下培训|领导类|司局级|所领导班子成员及党委委员|深入研讨党的二十大精神，谋划落实院党组部署的具体举措。|专题学习；集中研讨；调研交流。|二十大精神,领导班子,专题研讨
党员学习党的二十大精神线上专题培训|政治理论学习|2|100-300|early|线上培训|科研类;支撑类;管理类|处级及以下|全体党员|利用中国科学院继续教育网线上课程，组织党员系统学习党的二十大精神。|党的二十大精神系列网络课程；在线测试。|二十大精神,线上学习
"""
_BRANCH_ORDINARY = """
{b}系统学习贯彻党的二十大精神专题培训班|政治理论学习|2,3|50-150|early|线下培训|管理类;领导类|司局级|{b}系统各单位党委书记及党务干部|推动{b}系统深入学习贯彻党的二十大精神。|党的二十大报告专题辅导；交流研讨；现场教学。|二十大精神,党务干部
{b}机关干部业务能力提升培训|管理类培训|2|20-50|any|线下培训|管理类|处级及以下|{b}机关全体干部|提高分院机关干部的服务保障能力和工作作风。|公文写作；政策解读；服务意识与作风建设。|机关干部,业务能力
{b}系统安全保卫工作培训|安全培训|1|30-80|any|线下培训|管理类;支撑类|处级及以下|{b}系统各单位安全保卫负责人|提升分院系统安全保卫工作水平。|安全保卫形势；安全检查要点；应急管理。|安全保卫,应急管理
{b}系统离退休工作人员培训|管理类培训|1|20-60|any|线下培训|管理类|处级及以下|{b}系统各单位离退休工作人员|提高离退休工作人员的服务能力。|离退休工作政策；服务案例交流。|离退休工作,服务能力
{b}系统工会干部培训班|其他|2|30-80|any|线下培训|管理类|处级及以下|{b}系统各单位工会干部|提升工会干部履职能力，服务职工群众。|工会工作实务；职工权益保障；文体活动组织。|工会干部,职工服务
{b}系统保密工作培训|安全培训|1|30-80|any|线下培训|管理类|处级及以下|{b}系统各单位保密工作人员|提高分院系统保密管理水平。|保密法规；保密检查；案例警示。|保密工作,保密检查
{b}系统统计信息工作培训|岗位培训|1|20-60|any|线上培训|管理类|处级及以下|{b}系统各单位统计人员|规范统计数据报送，提高统计工作质量。|统计制度；数据报送系统；常见问题解答。|统计工作,数据报送
"""
_DEPT_ORDINARY = """
{d}机关干部学习贯彻党的二十大精神专题学习|政治理论学习|1|20-60|early|线下培训|管理类|司局级|{d}全体干部|深入学习贯彻党的二十大精神，提高机关干部政治素养。|党的二十大报告学习；专题研讨。|二十大精神,机关干部
{d}业务工作研讨会|管理类培训|1|20-60|any|线下培训|管理类|处级及以下|{d}全体干部|交流研讨年度重点工作，提高业务能力。|年度重点工作部署；业务交流。|业务研讨,机关干部
{d}公文写作与政务信息培训|岗位培训|1|20-50|any|线下培训|管理类|处级及以下|{d}全体干部|提高公文写作和政务信息工作水平。|公文写作规范；政务信息报送；案例点评。|公文写作,政务信息
{d}青年干部能力提升培训|管理类培训|2|15-40|any|线下培训|管理类|处级及以下|{d}青年干部|帮助青年干部提升综合素质和业务能力。|理论学习；调查研究方法；业务交流。|青年干部,能力提升
"""


def _parse_ordinary(text: str) -> list[dict[str, Any]]:
    out = []
    for line in text.strip().splitlines():
        (title, cat, days, lohi, season, way, station, level, aud, goal, content, kw) = line.split("|")
        lo, hi = (int(x) for x in lohi.split("-"))
        out.append({
            "title": title, "category": cat, "days": tuple(float(x) for x in days.split(",")),
            "trainees": (lo, hi), "season": season, "way": way, "station": station, "level": level,
            "attendants": aud, "goal": goal, "content": content, "keywords": kw.replace(",", "，"),
        })
    return out


def _parse_topics(text: str) -> dict[str, dict[str, list[dict[str, str]]]]:
    topics: dict[str, dict[str, list[dict[str, str]]]] = {}
    for line in text.strip().splitlines():
        parts = line.split("|")
        field, kind, core, kws = parts[:4]
        contents = parts[4] if len(parts) > 4 else ""
        direction = parts[5] if len(parts) > 5 else ""
        topics.setdefault(field, {}).setdefault(kind, []).append(
            {"core": core, "keywords": kws, "contents": contents, "dir": direction, "field": field})
    return topics


_TOPICS = _parse_topics(_TOPICS_TEXT)
_ORDINARY = _parse_ordinary(_ORDINARY_TEXT)
_P2_ROWS = _parse_ordinary(_P2_TEXT)


# ---------------------------------------------------------------------------
# Small helpers (pure)
# ---------------------------------------------------------------------------
_CN_DIGITS = "零一二三四五六七八九十"


def _cn_number(n: int) -> str:
    """Chinese numeral for 1–99 (第十二届).

    >>> _cn_number(12), _cn_number(20), _cn_number(3)
    ('十二', '二十', '三')
    """
    if n <= 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _CN_DIGITS[tens] + "十"
    return head + (_CN_DIGITS[ones] if ones else "")


def _days_text(days: float) -> str:
    """How people write a number of days in Chinese ("三天半", "两天", "半天")."""
    whole = int(days)
    half = days - whole >= 0.5
    if whole == 0:
        return "半天"
    word = "两" if whole == 2 else _cn_number(whole)
    return f"{word}天" + ("半" if half else "")


def _hours_range(days: float) -> tuple[int, int]:
    """The 学时 the platform accepts for a number of days (trainInfoEdit.js)."""
    if days <= 1:
        return 1, int(8 * days)
    if days < 3:
        return math.ceil((days - 1) * 8), int(8 * days)
    return math.ceil((days - 2) * 8), int(8 * days)


def _fit_days(hours: float) -> float:
    """The fewest days (in half days) in which ``hours`` fit the platform rule."""
    days = max(0.5, math.ceil(hours / 8 * 2) / 2)
    lo, hi = _hours_range(days)
    while not lo <= hours <= hi:
        days += 0.5
        lo, hi = _hours_range(days)
    return days


def _fee_cap(trainees: int, days: float, level: str) -> float:
    """Largest budget (万元) under the 人均每日 cap."""
    return trainees * FEE_CAPS.get(level, 760) * days / 10000


def _workday(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _span_end(start: date, days: float) -> date:
    return start + timedelta(days=max(1, math.ceil(days)) - 1)


@dataclass(frozen=True)
class SampleYear:
    """The clean tables of one sample year, in canonical (English) column names.

    Attributes
    ----------
    roster : 单位名册 (unit, unit_type, branch, aliases).
    history : 往年项目 (unit, year, train_name, track, held, funded, implemented,
        completed, granted, spent, as_of).
    plans : 2023 plan rows, columns :data:`PLAN_COLUMNS`.
    cases : every deliberate borderline or failing case, and the intended track of
        each application, as JSON-ready data (written to ``CASES.json``).
    seed : the seed that made it.
    """

    roster: pl.DataFrame
    history: pl.DataFrame
    plans: pl.DataFrame
    cases: dict[str, Any]
    seed: int


def _load_units() -> list[dict[str, Any]]:
    units: list[dict[str, Any]] = []
    for line in _INSTITUTES.strip().splitlines():
        name, br, aliases, fields, domain, city = line.split("|")
        units.append({"name": name, "type": "研究所", "branch": f"{br}分院",
                      "aliases": aliases.split("；"), "fields": fields.split(","),
                      "domain": domain, "city": city})
    for br, domain, city in _BRANCHES:
        units.append({"name": f"中国科学院{br}分院", "type": "分院", "branch": f"{br}分院",
                      "aliases": [f"{br}分院"], "fields": [], "domain": domain, "city": city})
    for name, aliases in _DEPARTMENTS:
        units.append({"name": name, "type": "院机关部门", "branch": "", "aliases": aliases.split("；"),
                      "fields": [], "domain": "cashq.ac.cn", "city": "北京市"})
    for name, aliases, domain in _DIRECT_UNITS:
        units.append({"name": name, "type": "直属单位", "branch": "", "aliases": aliases.split("；"),
                      "fields": ["info"], "domain": domain, "city": "北京市"})
    return units


# ---------------------------------------------------------------------------
# The builder: one seeded pass over units, history and plan rows
# ---------------------------------------------------------------------------
class _Builder:
    """Holds the random stream and the growing tables; used once by :func:`build`."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.units = _load_units()
        self.by_name = {u["name"]: u for u in self.units}
        self.history: list[dict[str, Any]] = []
        self.apps: list[dict[str, Any]] = []
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.unit_cases: list[dict[str, Any]] = []
        self.used_titles: dict[str, set[str]] = {}
        self.used_cores: dict[str, list[str]] = {}

    # -- units -------------------------------------------------------------
    def choose_units(self) -> None:
        rng = self.rng
        institutes = [u for u in self.units if u["type"] == "研究所"]
        featured = {a for a, _, _ in _FEATURED}
        outside_gz = [u for u in institutes if u["branch"] != "广州分院"
                      and not featured & set(u["aliases"])]
        departments = [u for u in self.units if u["type"] == "院机关部门"]
        missing = rng.sample(outside_gz, 4) + [rng.choice(departments)]
        self.missing = [u["name"] for u in missing]
        self.submitting = [u for u in self.units if u["name"] not in self.missing]
        for u in missing:
            self.unit_cases.append({"unit": u["name"], "case": "missing", "rule": "P1",
                                    "expect": "warn", "note": "名册中有、但未报送任何计划"})
        n_no_p2 = round(0.15 * len(self.submitting))
        self.no_p2 = [u["name"] for u in rng.sample(self.submitting, n_no_p2)]
        for name in self.no_p2:
            self.unit_cases.append({"unit": name, "case": "no_p2", "rule": "P2", "expect": "warn",
                                    "note": "计划中没有二十大精神学习"})
        for u in self.submitting:
            u["contacts"] = self._contacts(u)
        self._submission_times()

    def _contacts(self, unit: dict[str, Any]) -> list[tuple[str, str, str]]:
        rng = self.rng
        code, prefix = _CITY_PHONE[unit["city"]]
        out, emails = [], set()
        for i in range(3):
            (s, sp), (g, gp) = rng.choice(_SURNAMES), rng.choice(_GIVEN)
            local = sp + gp
            while local in emails:
                local = f"{sp}{gp}{rng.randint(1, 99)}"
            emails.add(local)
            if i == 0 or rng.random() < 0.5:
                digits = prefix + "".join(str(rng.randint(0, 9)) for _ in range(8 - len(prefix)))
                phone = f"{code}-{digits}"
            else:
                phone = "1" + rng.choice("3578") + "".join(str(rng.randint(0, 9)) for _ in range(9))
            out.append((s + g, phone, f"{local}@{unit['domain']}"))
        return out

    def _submission_times(self) -> None:
        rng = self.rng
        names = [u["name"] for u in self.submitting]
        late = rng.sample(names, 7)
        self.late, borderline = late[:6], late[6]
        self.submitted: dict[str, datetime] = {}
        for name in names:
            if name in self.late:
                day = date(2022, 11, rng.randint(15, 18))
            elif name == borderline:
                day = DEADLINE
            else:
                day = date(2022, 11, min(14, 14 - int(abs(rng.gauss(0, 4)))))
            secs = rng.randint(8 * 3600 + 1800, 18 * 3600 + 1800)
            if name == borderline:
                secs = 21 * 3600 + 47 * 60 + rng.randint(0, 59)
            self.submitted[name] = datetime(day.year, day.month, day.day) + timedelta(seconds=secs)
        for name in self.late:
            self.unit_cases.append({"unit": name, "case": "late", "rule": "P1", "expect": "warn",
                                    "value": self.submitted[name].isoformat(sep=" "),
                                    "note": "上报时间晚于2022-11-14"})
        self.unit_cases.append({"unit": borderline, "case": "deadline_day", "rule": "P1",
                                "expect": "ok", "value": self.submitted[borderline].isoformat(sep=" "),
                                "note": "截止日当天晚间上报，不算逾期"})

    # -- topics ------------------------------------------------------------
    def _topic(self, unit: dict[str, Any], kind: str, core: str | None = None) -> dict[str, str]:
        rng = self.rng
        used = self.used_cores.setdefault(unit["name"], [])
        if core is not None:
            topic = next(t for f in _TOPICS.values() for t in f.get(kind, []) if t["core"] == core)
            used.append(core)
            return topic
        pools = []
        for f in unit["fields"]:
            pools.extend(_TOPICS.get(f, {}).get(kind, []))
        if not pools:
            pools = _TOPICS["info"][kind]
        fresh = [t for t in pools if t["core"] not in used] or pools
        # the unit's first field weighs most, and topics sharing words with its name
        key = unit["name"].removeprefix("中国科学院")
        for word in ("研究所", "研究院", "研究中心", "卓越创新中心", "创新研究院", "科学", "技术", "中国"):
            key = key.replace(word, "")
        pairs = {key[i:i + 2] for i in range(len(key) - 1)}
        weights = [(3 if t["field"] == unit["fields"][0] else 1)
                   * (1 + 5 * sum(pair in t["core"] + t["keywords"] for pair in sorted(pairs)))
                   for t in fresh]
        topic = rng.choices(fresh, weights=weights)[0]
        used.append(topic["core"])
        return topic

    def _unique_title(self, unit: str, title: str) -> str:
        used = self.used_titles.setdefault(unit, set())
        base, n = title, 2
        while title in used:
            title = f"{base}（第{_cn_number(n)}期）"
            n += 1
        used.add(title)
        return title

    # -- application plan ----------------------------------------------------
    def plan_applications(self) -> None:
        rng = self.rng
        inst = [u for u in self.submitting if u["type"] == "研究所"]
        by_alias = {a: u for u in inst for a in u["aliases"]}
        featured = [(by_alias[a], track, core) for a, track, core in _FEATURED]
        zero = rng.sample([u for u in inst if u not in [f[0] for f in featured]], 8)
        self.no_app_institutes = [u["name"] for u in zero]
        app_units = [u for u in inst if u not in zero]
        counts = {u["name"]: 0 for u in app_units}
        plan: list[dict[str, Any]] = []

        def add(unit: dict[str, Any], track: str, **extra: Any) -> dict[str, Any]:
            item = {"unit": unit, "track": track, **extra}
            plan.append(item)
            counts[unit["name"]] = counts.get(unit["name"], 0) + 1
            return item

        # 人社部高研: 17 single, one unit with two, one without any history, one with 研修班 history only
        mo_featured = [u for u, t, _ in featured if t == "mohrss"]
        mo_units = mo_featured + rng.sample([u for u in app_units if u not in mo_featured],
                                            20 - len(mo_featured))
        for u in mo_units[:17]:
            add(u, "mohrss", history="jingpin")
        add(mo_units[17], "mohrss", history="jingpin", case="mohrss_two_per_unit")
        add(mo_units[17], "mohrss", history="mohrss", case="mohrss_two_per_unit")
        add(mo_units[18], "mohrss", history=None, case="mohrss_no_history")
        add(mo_units[19], "mohrss", history="yanxiu_only", case="mohrss_history_only_yanxiu")
        # 精品: 47 continuing (3 units with two), 3 from units without any 精品/高研 history
        jp_pool = [u for u in app_units if u not in mo_units[18:]]
        jp_featured = [u for u, t, _ in featured if t == "jingpin"]
        jp_units = jp_featured + rng.sample([u for u in jp_pool if u not in jp_featured],
                                            44 - len(jp_featured))
        for u in jp_units + jp_units[:3]:
            add(u, "jingpin", history="jingpin")
        renewal = rng.sample([p for p in plan if p["track"] == "jingpin"], 3)
        for p, case in zip(renewal, ("jingpin_renewal_ok", "jingpin_renewal_ok",
                                     "jingpin_renewal_not_completed"), strict=True):
            p["case"] = case
        others = [u for u in app_units if u not in jp_units and u not in mo_units]
        for u in rng.sample(others, 3):
            add(u, "jingpin", history=None, case="jingpin_no_history")
        quotas = {"yanxiu": 60, "duanqi": 59, "jiangtan": 70}
        for u, _, core in featured:       # reserved, so no other application takes the topic
            self.used_cores.setdefault(u["name"], []).append(core)
        for u, track, core in featured:
            if track in quotas:
                add(u, track, core=core)
                quotas[track] -= 1
        for u, track, core in featured:
            if track in ("jingpin", "mohrss"):
                next(p for p in plan if p["unit"] is u and p["track"] == track)["core"] = core
        # every applying institute has at least one application
        for u in app_units:
            if counts[u["name"]] == 0:
                track = rng.choices(list(quotas), weights=list(quotas.values()))[0]
                quotas[track] -= 1
                add(u, track)
        for track, left in quotas.items():
            for _ in range(left):
                open_units = [u for u in app_units if counts[u["name"]] < 5]
                add(rng.choice(open_units), track)
        # 网络中心 (直属单位) runs one technical short course
        direct = [u for u in self.submitting if u["type"] == "直属单位"]
        add(direct[-1], "duanqi", case="direct_unit_app")
        # 管理类 from 分院 and 院机关部门, and a few wrongly from institutes
        branches = [u for u in self.submitting if u["type"] == "分院"]
        for u in branches + rng.sample(branches, 3):
            add(u, "guanli")
        depts = [u for u in self.submitting if u["type"] == "院机关部门"]
        for u in depts + rng.sample(depts, 3):
            add(u, "guanli")
        for u in rng.sample(app_units, 3):
            add(u, "guanli", case="guanli_from_institute")
        # applications whose text matches no direction
        plain = [p for p in plan if p["track"] in ("yanxiu", "duanqi") and "case" not in p
                 and "core" not in p]
        for p in rng.sample(plain, 11):
            p["case"] = "no_direction"
        self.plan = plan
        self.app_units = app_units

    # -- history -------------------------------------------------------------
    def _history_row(self, unit: str, year: int, name: str, track: str, *, held: bool = True,
                     funded: bool = True, completed: bool | None = None,
                     granted: float | None = None, ratio: float | None = None) -> dict[str, Any]:
        rng = self.rng
        if granted is None:
            if track == "学术讲坛":
                granted = 0.0
            elif track == "人社部高级研修项目":
                granted = 15.0 if funded else 0.0
            elif track == "精品培训项目":
                granted = rng.randint(30, 60) / 2
            else:
                granted = rng.randint(16, 40) / 2
        if completed is None:
            completed = held and (year < 2022 or rng.random() < 0.7)
        if ratio is None:
            if not held:
                ratio = 0.0
            elif year < 2022 or completed:
                ratio = rng.uniform(0.82, 1.0) if year == 2022 else rng.uniform(0.9, 1.0)
            else:
                ratio = rng.uniform(0.56, 0.92)
        spent = round(granted * ratio, 2)
        as_of = AS_OF if year == 2022 else date(year, 12, 31)
        row = {"unit": unit, "year": year, "train_name": name, "track": track, "held": held,
               "funded": funded, "implemented": held, "completed": bool(completed),
               "granted": granted, "spent": spent, "as_of": as_of}
        self.history.append(row)
        return row

    def _project_names(self, core: str, kind: str, years: list[int]) -> tuple[list[str], str]:
        """Names for each held year and the drifted 2023 name."""
        rng = self.rng
        suffix = rng.choice(("高级研修班", "研修班", "专题研修班")) if kind == "Y" else \
            rng.choice(("技术培训班", "培训班", "实训班"))
        if core.endswith("技术") and suffix.startswith("技术"):
            suffix = suffix[2:]
        pattern = rng.choice(("ordinal", "ordinal", "year", "subtitle", "plain"))
        if pattern == "ordinal":
            n0 = rng.randint(1, 6)
            names = [f"第{_cn_number(n0 + i)}届{core}{suffix}" for i in range(len(years))]
            return names, f"第{_cn_number(n0 + len(years))}届{core}{suffix}"
        if pattern == "year":
            return [f"{y}年{core}{suffix}" for y in years], f"{YEAR}年{core}{suffix}"
        if pattern == "subtitle":
            subs = rng.sample(("理论与方法", "前沿进展与应用", "关键技术与实践", "新方法新技术",
                               "数据分析与应用", "创新与发展"), len(years) + 1)
            return [f"{core}{suffix}——{s}" for s in subs[:-1]], f"{core}{suffix}——{subs[-1]}"
        names = [f"{core}{suffix}" for _ in years]
        return names, f"{core}{suffix}（第{_cn_number(len(years) + 1)}期）"

    def _continuing_project(self, item: dict[str, Any]) -> None:
        rng = self.rng
        unit, track = item["unit"], item["track"]
        kind = "Y" if track == "mohrss" or "core" in item or rng.random() < 0.7 else "D"
        topic = self._topic(unit, kind, item.get("core"))
        first = rng.choices((2019, 2020, 2021, 2022), weights=(3, 3, 3, 2))[0]
        years = [first] + [y for y in range(first + 1, 2023) if rng.random() < 0.75]
        renewal = item.get("case", "").startswith("jingpin_renewal")
        if renewal and years[-1] != 2022:
            years.append(2022)
        names, name_2023 = self._project_names(topic["core"], kind, years)
        base_track = "专业技术研修班" if kind == "Y" else "专项技术短期培训班"
        mode = item["history"]
        switch = rng.randint(0, len(years)) if mode == "jingpin" and track == "jingpin" else 0
        for i, (y, name) in enumerate(zip(years, names, strict=True)):
            if mode == "yanxiu_only":
                label = "专业技术研修班"
            elif track == "jingpin":
                label = base_track if i < switch else "精品培训项目"
            elif track == "mohrss" and i == len(years) - 1 and (mode == "mohrss" or rng.random() < 0.35):
                label = "人社部高级研修项目"
            else:
                label = "精品培训项目" if i >= len(years) - 2 or rng.random() < 0.5 else base_track
            if track == "mohrss" and mode != "yanxiu_only" and i == len(years) - 1 \
                    and label == base_track:
                label = "精品培训项目"
            funded = not (label == "人社部高级研修项目" and rng.random() < 0.5)
            held = not (y == 2020 and len(years) > 1 and i > 0 and rng.random() < 0.25)
            completed = None
            if renewal and y == 2022:
                label = "精品培训项目"
                completed = item["case"] == "jingpin_renewal_ok"
            self._history_row(unit["name"], y, name, label, held=held, funded=funded,
                              completed=completed)
        item["topic"], item["kind"], item["title"] = topic, kind, name_2023

    def build_history(self) -> None:
        rng = self.rng
        for p in self.plan:
            if p.get("history"):
                self._continuing_project(p)
        # earlier 院级培育 projects re-applied for in 2023 as 研修班/短期班
        plain = [p for p in self.plan if p["track"] in ("yanxiu", "duanqi") and "case" not in p
                 and "core" not in p and p["unit"]["type"] == "研究所"]
        for p in rng.sample(plain, 12):
            kind = "Y" if p["track"] == "yanxiu" else "D"
            topic = self._topic(p["unit"], kind)
            years = sorted(rng.sample((2019, 2020, 2021), rng.randint(1, 2)))
            names, name_2023 = self._project_names(topic["core"], kind, years)
            label = "专业技术研修班" if kind == "Y" else "专项技术短期培训班"
            for y, name in zip(years, names, strict=True):
                self._history_row(p["unit"]["name"], y, name, label)
            p["topic"], p["kind"], p["title"] = topic, kind, name_2023
        for p in self.plan:
            if "title" not in p:
                self._assign_topic(p)
        # other funded projects, not continued in 2023
        institutes = [u for u in self.units if u["type"] == "研究所"]
        while len(self.history) < 235:
            unit = rng.choice(institutes)
            label = rng.choices(("专业技术研修班", "专项技术短期培训班", "学术讲坛"), weights=(4, 4, 2))[0]
            kind = {"专业技术研修班": "Y", "专项技术短期培训班": "D", "学术讲坛": "J"}[label]
            topic = rng.choice(_TOPICS[rng.choice(unit["fields"])][kind])
            if topic["core"] in self.used_cores.get(unit["name"], []):
                continue
            suffix = {"Y": "研修班", "D": "培训班", "J": "系列学术讲座"}[kind]
            year = rng.choice((2019, 2020, 2021, 2022))
            name = f"{year}年{topic['core']}{suffix}" if rng.random() < 0.3 else f"{topic['core']}{suffix}"
            if any(h["unit"] == unit["name"] and h["train_name"] == name for h in self.history):
                continue
            self._history_row(unit["name"], year, name, label)
        self._execution_cases()
        self.history.sort(key=lambda h: (self._unit_order(h["unit"]), h["year"], h["train_name"]))

    def _unit_order(self, name: str) -> int:
        return next(i for i, u in enumerate(self.units) if u["name"] == name)

    def _execution_cases(self) -> None:
        """Units whose single 2022 project was not implemented or spent < 50% (rule U2)."""
        rng = self.rng
        with_2022 = {h["unit"] for h in self.history if h["year"] == 2022}
        special = {p["unit"]["name"] for p in self.plan if p.get("case")}
        candidates = [u for u in self.app_units if u["name"] not in with_2022
                      and u["name"] not in special and u["name"] not in self.late]
        chosen = rng.sample(candidates, 16)
        designs = [("exec_below_50", 10.0, 4.99), ("exec_below_50", 20.0, 9.98),
                   ("exec_below_50", 12.0, 4.8), ("exec_below_50", 15.0, 5.25),
                   ("exec_below_50", 18.0, 5.04), ("exec_below_50", 10.0, 2.0),
                   ("exec_below_50", 16.0, 1.92), ("exec_below_50", 8.0, 0.4),
                   ("exec_exactly_50", 12.0, 6.0), ("exec_exactly_50", 16.0, 8.0),
                   ("exec_exactly_50", 9.0, 4.5), ("exec_just_above_50", 10.0, 5.01),
                   ("not_implemented_2022", 12.0, 0.0), ("not_implemented_2022", 15.0, 0.0),
                   ("not_implemented_2022", 10.0, 0.0), ("not_implemented_2022", 20.0, 0.0)]
        expect = {"exec_below_50": "excluded", "exec_exactly_50": "ok", "exec_just_above_50": "ok",
                  "not_implemented_2022": "excluded"}
        for unit, (case, granted, spent) in zip(chosen, designs, strict=True):
            kind = rng.choice(("Y", "D"))
            fresh = [t for t in _TOPICS[unit["fields"][0]][kind]
                     if t["core"] not in self.used_cores.get(unit["name"], [])]
            topic = rng.choice(fresh or _TOPICS[unit["fields"][0]][kind])
            label = "专业技术研修班" if kind == "Y" else "专项技术短期培训班"
            name = f"2022年{topic['core']}{'研修班' if kind == 'Y' else '培训班'}"
            held = case != "not_implemented_2022"
            row = self._history_row(unit["name"], 2022, name, label, held=held, completed=False,
                                    granted=granted, ratio=0.0)
            row["spent"] = spent
            self.unit_cases.append({"unit": unit["name"], "case": case, "rule": "U2",
                                    "expect": expect[case],
                                    "value": round(spent / granted, 4) if held else None,
                                    "note": f"2022年院级资助项目「{name}」资助{granted}万元，已支出{spent}万元"
                                            + ("" if held else "，未实施")})

    # -- application rows ------------------------------------------------------
    _GUANLI_DEPT = {
        "人事局": ("全院人事人才工作业务培训班", "全院继续教育与培训管理干部培训班", "全院新任所级领导人员培训班"),
        "科技促进发展局": ("全院科技成果转移转化骨干培训班", "全院知识产权管理与运营培训班"),
        "前沿科学与教育局": ("全院科研管理人员业务培训班", "全院研究生教育管理干部培训班"),
        "条件保障与财务局": ("全院财务管理业务骨干培训班", "全院大型科研仪器共享管理培训班",
                      "全院基本建设与安全管理培训班"),
        "国际合作局": ("全院国际合作与外事管理业务培训班", "全院国际组织人才培训班"),
        "机关党委": ("院机关青年干部理论学习培训班", "院机关党支部书记培训班"),
    }
    _GUANLI_BRANCH = ("{b}系统研究所领导人员履职能力提升培训班", "{b}系统科研管理骨干培训班",
                      "{b}系统人事干部业务培训班", "{b}系统财务与资产管理培训班",
                      "{b}系统安全生产管理培训班", "{b}系统党务干部培训班")
    _GUANLI_INST = ("{a}中层干部管理能力提升培训班", "{a}科研管理人员能力提升培训班",
                    "{a}职能部门管理人员业务培训班")

    def _assign_topic(self, p: dict[str, Any]) -> None:
        rng = self.rng
        unit, track = p["unit"], p["track"]
        alias = unit["aliases"][0]
        if track == "guanli":
            if unit["type"] == "分院":
                pool = [t.format(b=unit["aliases"][0]) for t in self._GUANLI_BRANCH]
            elif unit["type"] == "院机关部门":
                pool = list(self._GUANLI_DEPT[unit["name"]])
            else:
                pool = [t.format(a=alias) for t in self._GUANLI_INST]
            used = self.used_cores.setdefault(unit["name"], [])
            title = rng.choice([t for t in pool if t not in used] or pool)
            used.append(title)
            p["title"], p["topic"] = title, None
            return
        if p.get("case") == "no_direction":
            core, kws, contents = rng.choice(_NODIR_TOPICS)
            p["topic"] = {"core": core, "keywords": kws, "contents": contents, "dir": "",
                          "field": unit["fields"][0]}
            p["kind"] = "Y" if track == "yanxiu" else "D"
            p["title"] = f"{core}研修班" if track == "yanxiu" else f"{core}培训班"
            return
        kind = {"yanxiu": "Y", "duanqi": "D", "jiangtan": "J", "jingpin": "Y", "mohrss": "Y"}[track]
        topic = self._topic(unit, kind, p.get("core"))
        core = topic["core"]
        if kind == "Y" and track in ("jingpin", "mohrss"):
            title = f"{core}高级研修班"
        elif kind == "Y":
            title = rng.choice((f"{core}高级研修班", f"{core}专业技术研修班", f"{YEAR}年{core}研修班",
                                f"{core}前沿研修班"))
        elif kind == "D":
            title = rng.choice((f"{core}培训班", f"{core}专项培训班", f"{core}短期培训班",
                                f"{core}实操培训班"))
        else:
            title = rng.choice((f"{core}国际学术讲坛", f"{core}系列国际学术报告",
                                f"“{alias}前沿”国际学术讲坛——{core}", f"{core}国际在线讲坛"))
        p["topic"], p["kind"], p["title"] = topic, kind, title

    def _base_row(self, unit: dict[str, Any], contact: int | None = None) -> dict[str, Any]:
        rng = self.rng
        if contact is None:
            contact = 0 if rng.random() < 0.7 else rng.randint(1, 2)
        name, phone, email = unit["contacts"][contact]
        row: dict[str, Any] = dict.fromkeys(PLAN_COLUMNS)
        row.update({"unit": unit["name"], "year": YEAR, "organizer": unit["name"], "contact": name,
                    "contact_phone": phone, "contact_email": email,
                    "submitted_at": self.submitted[unit["name"]], "apply_funding": False,
                    "apply_support": False, "jingpin": "否", "mohrss": False, "is_noted": False,
                    "foreign_experts": False, "_cases": [], "_track": None, "_unit": unit})
        return row

    def _place(self, row: dict[str, Any], unit: dict[str, Any], away: bool, field: str) -> None:
        rng = self.rng
        city = unit["city"].rstrip("市")
        if away:
            pool = [x for x in _AWAY_BY_FIELD.get(field, _AWAY) if city not in x] or list(_AWAY)
            row["local"], row["location"] = "外埠", rng.choice(pool)
        else:
            venue = rng.choice(("", "（学术报告厅）", "（会议中心）", "（培训中心）"))
            row["local"] = "本地"
            row["location"] = None if rng.random() < 0.4 else _CITY_FULL[unit["city"]] + venue

    def _numbers(self, row: dict[str, Any], *, ppd: tuple[float, float] | None) -> None:
        """Fill 学时, 工作人员, 经费 and 结束时间 consistently with 天数 and 人数."""
        rng = self.rng
        days, trainees = row["days"], row["trainees"]
        if row.get("lectures"):
            row["class_hours"] = row["lectures"] * row["lecture_hours"]
        else:
            lo, hi = _hours_range(days)
            target = round(days * rng.choice((6, 6.5, 7, 7.5, 8)))
            row["class_hours"] = float(min(hi, max(lo, target)))
        limit = min(10, trainees // 10)
        row["staff"] = rng.randint(max(1, limit // 2), limit) if limit else 0
        if ppd is None:
            row["budget"] = 0.0
        else:
            cap = FEE_CAPS[row["fee_level"]]
            per_day = min(rng.uniform(*ppd), cap * 0.97)
            row["budget"] = math.floor(trainees * days * per_day / 1000) / 10
        if not row.get("lectures"):
            row["end_date"] = _span_end(row["start_date"], days)

    def _refit(self, row: dict[str, Any]) -> None:
        """After a case changed 天数/人数, keep the other numbers within the platform rules."""
        if row.get("lectures"):
            row["class_hours"] = row["lectures"] * row["lecture_hours"]
        else:
            lo, hi = _hours_range(row["days"])
            row["class_hours"] = float(min(hi, max(lo, row["class_hours"])))
            row["end_date"] = _span_end(row["start_date"], row["days"])
        row["staff"] = min(row["staff"], 10, row["trainees"] // 10)
        cap = _fee_cap(row["trainees"], row["days"], row["fee_level"])
        if row["budget"] > cap:
            row["budget"] = math.floor(cap * 0.95 * 10) / 10

    def _app_row(self, p: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        unit, track, topic = p["unit"], p["track"], p["topic"]
        row = self._base_row(unit, contact=rng.randint(0, 2))
        row["_track"] = track
        row["train_name"] = self._unique_title(unit["name"], p["title"])
        field = topic["field"] if topic else "policy"
        fname = _FIELD_NAMES[field]
        start = _workday(date(YEAR, rng.randint(4, 11), rng.randint(1, 28)))
        row["start_date"] = start
        row["fee_level"] = "处级及以下" if rng.random() < 0.9 else "其他"
        row["item_type"] = "三类"
        row["train_way"] = "线下培训" if rng.random() < 0.85 else "混合培训（线下+线上）"
        row["station"] = rng.choice(("科研类", "科研类;支撑类", "科研类;支撑类"))
        row["fee_channel"] = rng.choice(("申请院级资助", "院级资助及单位自筹", "单位自有经费"))
        row["apply_funding"] = True
        row["open_scope"] = rng.choices(("全院", "社会公开", "分院系统"), weights=(6, 3, 1))[0]
        direction = _DIRECTIONS.get(topic["dir"], "") if topic else ""
        with_dir = bool(direction) and rng.random() < 0.6
        if topic:
            core = topic["core"]
            c1, c2, c3 = topic["contents"].split(",") if topic["contents"] else ("", "", "")
            kws = topic["keywords"].split(",")
        ppd: tuple[float, float] = (260, 480)
        if track == "yanxiu":
            row["category"] = "专业技术研修班"
            row["days"] = rng.choice((3.5, 4.0, 4.0, 4.5, 5.0, 5.0))
            row["trainees"] = rng.randrange(50, 151, 10)
            row["attendants"] = rng.choice((f"全院{fname}领域科研人员、博士后及研究生",
                                            f"院内外从事{core}研究的青年科研骨干",
                                            f"{fname}相关领域科研人员"))
            row["goal"] = (f"围绕{direction}，面向{fname}领域科研人员，系统讲授{core}的最新进展与关键技术，"
                           "提升科研人员的专业素养和科技创新能力。") if with_dir else \
                (f"通过主题报告、专题研讨和学术交流，帮助科研人员掌握{core}领域的新理论、新方法和新技术，"
                 "拓展知识领域，促进学科交叉融合。")
            row["content"] = f"1.{c1}；2.{c2}；3.{c3}；4.专题研讨与学术交流；5.现场教学。"
            if rng.random() < 0.25:
                row["joint_units"] = self._joint(unit)
        elif track == "duanqi":
            row["category"] = "专项技术短期培训班"
            row["days"] = rng.choice((3.5, 4.0, 4.0, 5.0, 5.0))
            row["trainees"] = rng.randrange(30, 91, 5)
            row["station"] = rng.choice(("支撑类", "科研类;支撑类"))
            row["attendants"] = "全院从事相关实验技术工作的科技人员和技术支撑人员"
            row["goal"] = (f"服务{direction}，通过专项技术培训和实践操作，使科技人员掌握{core}的新技能、新方法，"
                           "提高实验技能和仪器使用效能。") if with_dir else \
                (f"加强实验技术教学指导，使科技人员系统掌握{core}的操作规范与技术要点，提升实验技术支撑能力。")
            row["content"] = f"1.{c1}；2.{c2}；3.{c3}；4.上机实操与技术观摩；5.实践技能交流与考核。"
            if rng.random() < 0.5:
                row["joint_units"] = self._joint(unit)
        elif track == "jiangtan":
            row["category"] = "学术讲坛"
            row["apply_funding"], row["apply_support"] = False, True
            row["foreign_experts"] = True
            row["lectures"] = rng.randint(6, 12)
            row["lecture_hours"] = rng.choices((2.0, 2.5, 3.0), weights=(6, 2, 2))[0]
            row["train_way"] = "线上培训" if rng.random() < 0.75 else "混合培训（线下+线上）"
            row["days"] = _fit_days(row["lectures"] * row["lecture_hours"])
            row["trainees"] = rng.randrange(100, 301, 20)
            row["open_scope"] = rng.choice(("全院", "社会公开"))
            row["start_date"] = _workday(date(YEAR, rng.randint(3, 4), rng.randint(1, 28)))
            row["end_date"] = _workday(date(YEAR, rng.randint(11, 12), rng.randint(1, 20)))
            row["fee_channel"] = "单位自有经费"
            row["attendants"] = "全院相关领域科研人员及研究生（在线直播）"
            f1, f2, f3 = rng.sample(_FOREIGN, 3)
            row["goal"] = (f"邀请国外一流科研机构和大学的知名专家学者，围绕{core}中的基础前沿交叉问题开展系列学术报告，"
                           "拓宽科研人员国际视野，提升原始创新能力。") if rng.random() < 0.5 else \
                (f"跟踪{core}国际研究前沿，加强与国际一流科研机构的交流合作，培养青年科研人员的国际视野。")
            row["content"] = (f"拟邀请{f1}、{f2}、{f3}等机构的知名学者，围绕{'、'.join(kws)}等主题举办"
                              f"{row['lectures']}场系列学术报告，每场{row['lecture_hours']:g}学时，"
                              "以在线直播形式面向全院开放并开展互动答疑。")
            kws = [*kws, "国际学术交流"]
            ppd = (20, 60)
        elif track in ("jingpin", "mohrss"):
            kind = p.get("kind", "Y")
            row["category"] = "专业技术研修班" if kind == "Y" else "专项技术短期培训班"
            row["is_noted"] = True
            row["open_scope"] = rng.choices(("全院", "社会公开"), weights=(7, 3))[0]
            row["attachments"] = self._attachments(p.get("case", ""))
            if track == "jingpin":
                row["jingpin"] = JINGPIN_YES
                row["days"] = rng.choice((4.5, 5.0, 5.0, 6.0))
                row["trainees"] = rng.randrange(80, 201, 10)
                row["attendants"] = f"全院及相关高校、企业从事{core}研究的科技人员"
                row["goal"] = (f"在往届成功举办的基础上，围绕{direction}，面向全院培养{core}领域的骨干科技人才，"
                               "推动重大科技成果产出，打造具有示范效应的精品培训项目。") if with_dir else \
                    (f"在往届成功举办的基础上，持续更新课程体系，面向全院相关单位培养{core}领域的高水平科技人才，"
                     "形成可推广的精品培训品牌。")
                row["content"] = f"1.{c1}；2.{c2}；3.{c3}；4.现场教学与案例研讨；5.学员交流与结业考核（使用自编培训教材）。"
                kws = [*kws, "精品培训"]
                ppd = (300, 500)
            else:
                row["jingpin"], row["mohrss"] = MOHRSS_YES, True
                row["days"] = rng.choice((5.0, 5.0, 5.0, 4.5, 6.0))
                row["trainees"] = rng.choice((100, 100, 100, 90, 110, 120))
                row["open_scope"] = "社会公开"
                row["fee_channel"] = "单位自筹经费"
                row["attendants"] = f"全国{fname}相关领域具有高级职称的专业技术人员"
                row["goal"] = (f"服务{_FIELD_STRATEGY[field]}，面向全国相关领域高层次专业技术人才开展{core}高级研修，"
                               "推动知识更新，攻坚关键核心技术，促进产业高端化、智能化、绿色化发展。")
                row["content"] = f"1.{c1}；2.{c2}；3.{c3}；4.专题研讨与现场考察；5.研修成果交流。"
                ppd = (380, 530)
        else:  # guanli
            row["category"] = "管理类培训"
            row["station"] = rng.choice(("管理类", "管理类;领导类"))
            row["days"] = rng.choice((3.0, 3.5, 4.0, 5.0))
            row["trainees"] = rng.randrange(60, 151, 10)
            title = p["title"]
            if "领导人员" in title:
                row["fee_level"], row["item_type"], row["station"] = "司局级", "二类", "领导类;管理类"
            if unit["type"] == "分院":
                row["attendants"], row["open_scope"] = f"{unit['aliases'][0]}系统各单位相关管理人员", "分院系统"
                focus = f"{unit['aliases'][0]}系统中心工作"
            elif unit["type"] == "院机关部门":
                row["attendants"], row["open_scope"] = "全院各单位相关管理人员", "全院"
                focus = f"{unit['name']}年度重点工作"
            else:
                row["attendants"], row["open_scope"] = "本单位中层干部及职能部门管理人员", "本单位"
                focus = "研究所管理改革"
            row["goal"] = f"围绕{focus}，提升{row['attendants']}的政策理论水平和业务能力，推动管理工作规范化、科学化。"
            row["content"] = "1.形势政策解读；2.业务规范与制度建设；3.典型案例分析；4.经验交流与专题研讨。"
            core = title.removesuffix("培训班").removeprefix("全院").removeprefix("院机关")
            core = core.replace(f"{unit['aliases'][0]}系统", "").replace(unit["aliases"][0], "")
            kws = [core, "管理能力", "业务培训"]
        if track == "jiangtan":
            self._place(row, unit, False, field)
            row["location"] = "线上直播" if row["train_way"] == "线上培训" else row["location"]
        else:
            self._place(row, unit, rng.random() < 0.4, field)
        row["keywords"] = "，".join(kws)
        self._numbers(row, ppd=ppd)
        if p.get("case"):
            row["_cases"].append(self._case_info(p["case"]))
        return row

    def _joint(self, unit: dict[str, Any]) -> str:
        rng = self.rng
        peers = [u["name"] for u in self.units if u["type"] == "研究所" and u["branch"] == unit["branch"]
                 and u["name"] != unit["name"]]
        parts = rng.sample(peers, min(len(peers), rng.randint(1, 2))) if peers else []
        if rng.random() < 0.5 or not parts:
            parts.append(rng.choice(_UNIVERSITIES))
        return "；".join(parts)

    def _attachments(self, case: str) -> str:
        rng = self.rng
        if case == "jingpin_renewal_ok" or case == "jingpin_renewal_not_completed":
            return "培训方案.docx；教学计划.docx"
        files = ["师资名单.pdf", "课程设置清单.docx", "培训教材清单.xlsx", "需求调研分析报告.pdf",
                 "效果评估总结.pdf", "宣传报道.pdf"]
        if rng.random() < 0.3:
            files = [f"2022年{f}" if f.startswith(("师资", "效果", "宣传")) else f for f in files]
        if rng.random() < 0.2:
            files.append("培训方案.docx")
        return "；".join(files)

    _CASE_INFO = {
        "no_direction": ("direction", "info", "培训名称和内容不涉及任何重点支持方向"),
        "mohrss_two_per_unit": ("G1", "ineligible", "同一单位申报两项人社部高研项目（每单位最多一项）"),
        "mohrss_no_history": ("G1", "ineligible", "未举办过精品或人社部高研项目"),
        "mohrss_history_only_yanxiu": ("G1", "ineligible", "往年只作为院级资助研修班举办过，未作为精品或人社部高研项目"),
        "jingpin_no_history": ("J1", "ineligible", "往年没有举办过（无任何往年记录）"),
        "jingpin_renewal_ok": ("J2", "eligible", "2022年已获院资助并完成的精品项目，只需培训方案及教学计划"),
        "jingpin_renewal_not_completed": ("J2", "ineligible",
                                          "只提交了培训方案及教学计划，但2022年精品项目尚未组织实施完成"),
        "guanli_from_institute": ("M1", "ineligible", "管理类培训由研究所申报（只支持院机关部门和分院）"),
        "direct_unit_app": ("Y2", "eligible", "直属单位（非研究所）申报专项技术短期培训班；通知未限定单位类型"),
    }

    def _case_info(self, case: str, **extra: Any) -> dict[str, Any]:
        rule, expect, note = self._CASE_INFO[case]
        return {"case": case, "rule": rule, "expect": expect, "note": note, **extra}

    def make_applications(self) -> None:
        self.apps = [self._app_row(p) for p in self.plan]

    # -- deliberate borderline and failing cases ---------------------------------
    def apply_cases(self) -> None:
        rng = self.rng
        flagged = set(self.late) | {c["unit"] for c in self.unit_cases if c["rule"] == "U2"}

        def pick(tracks: tuple[str, ...], n: int, pred: Callable[[dict[str, Any]], bool] | None = None
                 ) -> list[dict[str, Any]]:
            pool = [r for r in self.apps if r["_track"] in tracks and not r["_cases"]
                    and r["unit"] not in flagged and (pred is None or pred(r))]
            return rng.sample(pool, n)

        def mark(row: dict[str, Any], case: str, rule: str, expect: str, note: str) -> None:
            row["_cases"].append({"case": case, "rule": rule, "expect": expect, "note": note})

        for r in pick(("yanxiu",), 2):
            r["days"] = 3.0
            self._refit(r)
            mark(r, "yanxiu_days_3", "Y1", "eligible", "研修班恰好3天（不少于3天）")
        for r in pick(("yanxiu",), 2):
            r["days"] = 2.5
            self._refit(r)
            mark(r, "yanxiu_days_2.5", "Y1", "ineligible", "研修班2.5天，少于3天")
        for r in pick(("duanqi",), 1):
            r["days"] = 3.0
            self._refit(r)
            mark(r, "duanqi_days_3", "Y2", "eligible", "短期班恰好3天")
        for r in pick(("duanqi",), 2):
            r["days"] = 2.0
            self._refit(r)
            mark(r, "duanqi_days_2", "Y2", "ineligible", "短期班2天，少于3天")
        for r in pick(("jiangtan",), 2):
            r["lectures"], r["lecture_hours"] = 6, 2.0
            self._lecture_text(r)
            mark(r, "jiangtan_6x2", "Y3", "eligible", "恰好6场、每场2学时")
        for r in pick(("jiangtan",), 2):
            r["lectures"] = 5
            self._lecture_text(r)
            mark(r, "jiangtan_5_lectures", "Y3", "ineligible", "全年只有5场讲座（不少于6场）")
        for r in pick(("jiangtan",), 2):
            r["lecture_hours"] = 1.5
            self._lecture_text(r)
            mark(r, "jiangtan_1.5_hours", "Y3", "ineligible", "单场1.5学时（不少于2学时）")
        for r in pick(("jiangtan",), 2):
            r["apply_funding"], r["apply_support"] = True, False
            mark(r, "jiangtan_funding_not_support", "Y3", "ineligible",
                 "学术讲坛选了“是否申请资助”而没有选“是否申请专项技术支持”")
        for r in pick(("jiangtan",), 1):
            r["foreign_experts"] = False
            r["content"] = r["content"].split("等机构的知名学者")[1]
            r["content"] = "拟邀请国内高校和院内相关研究所的知名学者" + r["content"]
            mark(r, "jiangtan_no_foreign", "Y3", "warn", "未邀请国外专家")
        for r in pick(("jingpin",), 1):
            r["trainees"] = 70
            self._refit(r)
            mark(r, "jingpin_70", "J1", "eligible", "学员恰好70人")
        for r in pick(("jingpin",), 1):
            r["trainees"] = 69
            self._refit(r)
            mark(r, "jingpin_69", "J1", "ineligible", "学员69人，少于70人")
        for r in pick(("jingpin",), 1):
            r["days"] = 4.0
            self._refit(r)
            mark(r, "jingpin_days_4", "J1", "eligible", "精品恰好4天")
        for r in pick(("jingpin",), 1):
            r["days"] = 3.5
            self._refit(r)
            mark(r, "jingpin_days_3.5", "J1", "ineligible", "精品3.5天，少于4天")
        missing = pick(("jingpin",), 2)
        missing[0]["attachments"] = "；".join(
            f for f in missing[0]["attachments"].split("；") if "效果评估" not in f and "宣传" not in f)
        mark(missing[0], "jingpin_missing_attachments", "J2", "ineligible", "缺效果评估总结和宣传报道")
        missing[1]["attachments"] = None
        mark(missing[1], "jingpin_missing_attachments", "J2", "ineligible", "没有上传任何附件")
        for r in pick(("jingpin",), 1):
            r["attachments"] = r["attachments"].replace("培训教材清单.xlsx", "培训教材.pptx")
            mark(r, "jingpin_ppt_material", "J2", "ineligible", "培训教材以PPT提交（培训教材清单不含PPT）")
        for r in pick(("jingpin",), 1):
            r["open_scope"] = "本单位"
            mark(r, "jingpin_scope_unit_only", "J1", "ineligible", "公开范围仅本单位（应面向院内单位开放）")
        mohrss_changes = (("mohrss_days_3", {"days": 3.0}, "ineligible", "研修3天，远少于5天左右"),
                          ("mohrss_days_8", {"days": 8.0}, "ineligible", "研修8天，超出5天左右"),
                          ("mohrss_trainees_60", {"trainees": 60}, "ineligible", "60人，远少于100人左右"),
                          ("mohrss_trainees_150", {"trainees": 150}, "ineligible", "150人，超出100人左右"),
                          ("mohrss_band_edge", {"days": 4.0, "trainees": 80}, "eligible",
                           "4天、80人，在“左右”的可接受范围边上"))
        for r, (case, change, expect, note) in zip(pick(("mohrss",), 5), mohrss_changes, strict=True):
            r.update(change)
            self._refit(r)
            mark(r, case, "G1", expect, note)
        # platform rules on application rows
        money = ("yanxiu", "duanqi", "jingpin", "guanli")
        for r in pick(money, 2):
            r["class_hours"] = r["days"] * 8 + 8
            mark(r, "hours_exceed", "R-HOURS", "warn", "学时超过每天8学时")
        for r in pick(money, 2, lambda r: r["days"] >= 4):
            r["class_hours"] = (r["days"] - 2) * 8 - 6
            mark(r, "hours_short", "R-HOURS", "warn", "学时少于（天数-2）×8")
        for r in pick(money, 3):
            cap = _fee_cap(r["trainees"], r["days"], r["fee_level"])
            r["budget"] = math.ceil(cap * rng.uniform(1.1, 1.3) * 10) / 10
            mark(r, "fee_over_cap", "R-FEE", "warn", f"人均每日经费超过{FEE_CAPS[r['fee_level']]}元")
        for r in pick(money, 1, lambda r: r["trainees"] < 90):
            r["staff"] = r["trainees"] // 10 + 3
            mark(r, "staff_over_ratio", "R-STAFF", "warn", "工作人员超过学员人数的10%")
        for r in pick(money, 1, lambda r: r["trainees"] >= 130):
            r["staff"] = 12
            mark(r, "staff_over_10", "R-STAFF", "warn", "工作人员超过10人")
        for r in pick(money, 2):
            r["local"], r["location"] = "外埠", None
            mark(r, "away_no_location", "R-PLACE", "warn", "外埠培训没有填具体地点")
        for r in pick(money, 1):
            r["goal"] = "提升业务能力。"
            mark(r, "text_short", "R-TEXT", "warn", "培训目的少于10个字")

    def _lecture_text(self, row: dict[str, Any]) -> None:
        row["class_hours"] = row["lectures"] * row["lecture_hours"]
        row["days"] = _fit_days(row["class_hours"])
        head, _, tail = row["content"].partition("等主题举办")
        rest = tail.split("学时，", 1)[1]
        row["content"] = (f"{head}等主题举办{row['lectures']}场系列学术报告，每场{row['lecture_hours']:g}学时，"
                          f"{rest}")

    # -- ordinary rows ---------------------------------------------------------
    def _ordinary_row(self, unit: dict[str, Any], tpl: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        row = self._base_row(unit)
        row["train_name"] = self._unique_title(unit["name"], tpl["title"])
        row["category"] = tpl["category"]
        season = tpl["season"]
        if season == "early":
            start = date(YEAR, 1, 9) + timedelta(days=rng.randint(0, 100))
        elif season == "summer":
            start = date(YEAR, 7, 1) + timedelta(days=rng.randint(0, 85))
        else:
            start = date(YEAR, 3, 1) + timedelta(days=rng.randint(0, 260))
        row["start_date"] = _workday(start)
        row["days"] = rng.choice(tpl["days"])
        lo, hi = tpl["trainees"]
        row["trainees"] = max(lo, rng.randrange(lo, hi + 1, 5))
        row["fee_level"] = tpl["level"]
        row["item_type"] = "二类" if tpl["level"] == "司局级" else "三类"
        row["train_way"] = tpl["way"]
        row["station"] = tpl["station"]
        row["attendants"], row["goal"] = tpl["attendants"], tpl["goal"]
        row["content"], row["keywords"] = tpl["content"], tpl["keywords"]
        row["fee_channel"] = rng.choice(_FEE_CHANNELS)
        row["open_scope"] = rng.choices(("本单位", "全院", "分院系统", "社会公开"), weights=(14, 2, 2, 1))[0]
        if tpl.get("lectures"):
            row["lectures"], row["lecture_hours"] = tpl["lectures"], 2.0
            row["days"] = _fit_days(row["lectures"] * 2.0)
        away = tpl["way"] != "线上培训" and rng.random() < 0.08
        self._place(row, unit, away, unit["fields"][0] if unit["fields"] else "policy")
        if tpl["way"] == "线上培训":
            row["location"] = "线上"
        ppd = None if rng.random() < 0.4 or tpl["way"] == "线上培训" else (60, 320)
        self._numbers(row, ppd=ppd)
        if tpl.get("lectures"):
            row["start_date"] = _workday(date(YEAR, rng.randint(3, 5), rng.randint(1, 28)))
            row["end_date"] = _workday(date(YEAR, rng.randint(10, 12), rng.randint(1, 20)))
        if rng.random() < 0.04:
            row["attachments"] = "培训方案.docx"
        if rng.random() < 0.08:
            row["comment"] = rng.choice(("视疫情情况可调整为线上", "拟邀请所外专家授课", "与工会联合组织",
                                         "分两期举办", "具体时间待定"))
        return row

    def _field_ordinary(self, unit: dict[str, Any]) -> list[dict[str, Any]]:
        """所级 研修班/短期班/讲座 of the unit's own field, not put forward for funding."""
        out = []
        alias = unit["aliases"][0]
        for f in unit["fields"]:
            for t in _TOPICS[f].get("D", [])[:2]:
                out.append({"title": f"{t['core']}内部培训", "category": "专项技术短期培训班",
                            "days": (1.0, 2.0), "trainees": (15, 40), "season": "any",
                            "way": "线下培训", "station": "支撑类;科研类", "level": "处级及以下",
                            "attendants": "本单位相关科技人员和研究生",
                            "goal": f"使本单位科技人员掌握{t['core']}的基本操作与注意事项。",
                            "content": t["contents"].replace(",", "；") + "。",
                            "keywords": t["keywords"].replace(",", "，")})
            for t in _TOPICS[f].get("Y", [])[:1]:
                out.append({"title": f"所内{t['core']}研讨班", "category": "专业技术研修班",
                            "days": (1.0, 2.0), "trainees": (20, 60), "season": "any",
                            "way": "线下培训", "station": "科研类", "level": "处级及以下",
                            "attendants": "本单位科研人员、博士后及研究生",
                            "goal": f"交流{t['core']}方面的研究进展，促进所内学科交叉。",
                            "content": t["contents"].replace(",", "；") + "。",
                            "keywords": t["keywords"].replace(",", "，")})
        out.append({"title": f"{alias}学术前沿系列报告", "category": "学术讲坛", "days": (4.0,),
                    "trainees": (50, 200), "season": "any", "way": "混合培训（线下+线上）",
                    "station": "科研类", "level": "处级及以下", "lectures": 8,
                    "attendants": "本单位科研人员及研究生",
                    "goal": "邀请国内外知名学者作学术报告，活跃学术氛围，拓展科研人员视野。",
                    "content": "全年不定期举办学术前沿报告，每场约2学时。",
                    "keywords": "学术报告，前沿进展"})
        out.append({"title": "青年学者学术沙龙", "category": "学术讲坛", "days": (3.0,),
                    "trainees": (30, 80), "season": "any", "way": "线下培训", "station": "科研类",
                    "level": "处级及以下", "lectures": 6, "attendants": "本单位青年科研人员及研究生",
                    "goal": "为青年科研人员搭建学术交流平台，促进跨课题组合作。",
                    "content": "青年学者学术报告；跨学科交流研讨。", "keywords": "青年学者，学术沙龙"})
        return out

    def make_ordinary(self) -> None:
        rng = self.rng
        apps_by_unit: dict[str, list[dict[str, Any]]] = {}
        for r in self.apps:
            apps_by_unit.setdefault(r["unit"], []).append(r)
        for unit in self.submitting:
            name, kind = unit["name"], unit["type"]
            rows = list(apps_by_unit.get(name, []))
            has_p2 = name not in self.no_p2
            if kind == "研究所":
                total = rng.randint(22, 36)
                pool = [*_ORDINARY, *self._field_ordinary(unit)]
                p2 = _P2_ROWS
            elif kind == "分院":
                total = rng.randint(10, 18)
                branch = _parse_ordinary(_BRANCH_ORDINARY.replace("{b}", unit["aliases"][0]))
                p2, pool = branch[:1], branch[1:] + [t for t in _ORDINARY if t["category"]
                                                     in ("管理类培训", "安全培训")][:8]
            elif kind == "院机关部门":
                total = rng.randint(8, 14)
                dept = _parse_ordinary(_DEPT_ORDINARY.replace("{d}", name))
                p2, pool = dept[:1], dept[1:] + [t for t in _ORDINARY if t["category"]
                                                 in ("管理类培训", "安全培训", "政治理论学习")][:10]
            else:
                total = rng.randint(18, 26)
                pool = [*_ORDINARY, *self._field_ordinary(unit)]
                p2 = _P2_ROWS
            if has_p2:
                for tpl in rng.sample(p2, min(len(p2), 1 if rng.random() < 0.7 else 2)):
                    rows.append(self._ordinary_row(unit, tpl))
            need = max(0, total - len(rows))
            picks = rng.sample(pool, min(need, len(pool)))
            picks += [rng.choice(pool) for _ in range(need - len(picks))]
            rows.extend(self._ordinary_row(unit, tpl) for tpl in picks)
            self.rows[name] = rows
        ordinary = [r for rows in self.rows.values() for r in rows
                    if r["_track"] is None and not r["lectures"] and r["days"] >= 1
                    and r["unit"] not in self.late]
        for r in rng.sample(ordinary, 3):
            r["class_hours"] = r["days"] * 8 + 4
            r["_cases"].append({"case": "ordinary_hours_mismatch", "rule": "R-HOURS", "expect": "warn",
                                "note": "普通计划（非申报）学时超过每天8学时"})
        ordinary = [r for r in ordinary if not r["_cases"]]
        for r in rng.sample(ordinary, 2):
            cap = _fee_cap(r["trainees"], r["days"], r["fee_level"])
            r["budget"] = math.ceil(cap * 1.2 * 10) / 10
            r["_cases"].append({"case": "ordinary_fee_over_cap", "rule": "R-FEE", "expect": "warn",
                                "note": "普通计划（非申报）经费超过人均每日标准"})

    # -- ranks and ids -----------------------------------------------------------
    def rank_and_number(self) -> None:
        rng = self.rng
        prio = {"mohrss": 0.0, "jingpin": 0.5}
        multi = []
        for name, rows in self.rows.items():
            apps = [r for r in rows if r["_track"]]
            apps.sort(key=lambda r: prio.get(r["_track"], 1.0) + rng.random() * 1.5)
            for i, r in enumerate(apps, start=1):
                r["support_rank"] = i
            if len(apps) >= 2 and not any(r["_cases"] for r in apps) and name not in self.late:
                multi.append(name)
        dup, none = rng.sample(multi, 2)
        for r in self.rows[dup]:
            if r["support_rank"] == 2:
                r["support_rank"] = 1
                r["_cases"].append({"case": "rank_duplicate", "rule": "U1", "expect": "warn",
                                    "note": "同一单位两个申报项目的推荐排序都是1"})
        for r in self.rows[none]:
            if r["_track"]:
                r["support_rank"] = None
                r["_cases"].append({"case": "rank_missing", "rule": "U1", "expect": "warn",
                                    "note": "单位未填写资助推荐排序"})
        order = sorted(self.rows, key=lambda n: (self.submitted[n], n))
        next_id = 2300001
        for name in order:
            rows = self.rows[name]
            rng.shuffle(rows)
            for r in rows:
                r["plan_id"] = str(next_id)
                next_id += rng.choice((1, 1, 1, 1, 2, 3))

    # -- frames ------------------------------------------------------------------
    def frames(self) -> SampleYear:
        plan_rows = sorted((r for rows in self.rows.values() for r in rows), key=lambda r: int(r["plan_id"]))
        plans = pl.DataFrame([{c: r[c] for c in PLAN_COLUMNS} for r in plan_rows], schema=_PLAN_SCHEMA)
        history = pl.DataFrame(self.history, schema=_HISTORY_SCHEMA)
        roster = pl.DataFrame([{"unit": u["name"], "unit_type": u["type"], "branch": u["branch"] or None,
                                "aliases": "；".join(u["aliases"])} for u in self.units],
                              schema=_ROSTER_SCHEMA)
        cases = []
        tracks: dict[str, str] = {}
        for r in plan_rows:
            if r["_track"]:
                tracks[r["plan_id"]] = r["_track"]
            for c in r["_cases"]:
                cases.append({"plan_id": r["plan_id"], "unit": r["unit"], "track": r["_track"], **c})
        cases.sort(key=lambda c: (c["case"], c["plan_id"]))
        u1 = sorted(name for name, rows in self.rows.items()
                    if self.by_name[name]["type"] == "研究所"
                    and sum(1 for r in rows if r["apply_funding"]) > 1)
        unit_cases = sorted(self.unit_cases, key=lambda c: (c["case"], c["unit"]))
        for name in u1:
            unit_cases.append({"unit": name, "case": "u1_several_funding_applications", "rule": "U1",
                               "expect": "warn", "note": "研究所申报了多个需要院经费的项目"})
        for name in sorted(self.no_app_institutes):
            unit_cases.append({"unit": name, "case": "institute_without_application", "rule": "info",
                               "expect": "ok", "note": "研究所报送了计划，但没有申报院级资助"})
        count: dict[str, int] = {}
        for t in tracks.values():
            count[t] = count.get(t, 0) + 1
        return SampleYear(roster=roster, history=history, plans=plans, seed=self.seed, cases={
            "seed": self.seed,
            "applications_per_track": dict(sorted(count.items())),
            "application_tracks": tracks,
            "cases": cases,
            "unit_cases": unit_cases,
        })


def build(*, seed: int = DEFAULT_SEED) -> SampleYear:
    """Make a sample year's clean tables in memory (no files are written).

    Parameters
    ----------
    seed : seeds the only random stream (``random.Random(seed)``); the same seed
        always gives the same tables.

    Returns
    -------
    SampleYear
        roster, history and plans frames with canonical column names, and the
        deliberate cases.

    Examples
    --------
    >>> year = build(seed=2023)
    >>> year.roster.filter(pl.col("unit_type") == "分院").height
    12
    >>> year.plans["plan_id"].is_unique().all()
    True
    """
    b = _Builder(seed)
    b.choose_units()
    b.plan_applications()
    b.build_history()
    b.make_applications()
    b.apply_cases()
    b.make_ordinary()
    b.rank_and_number()
    return b.frames()


# ---------------------------------------------------------------------------
# Writing (the only part that touches files)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Formula:
    formula: str
    value: float


_EXPORT_HEADERS = {
    "plan_id": "ID", "train_name": "培训名称：", "year": "培训年度：", "category": "培训类别：",
    "start_date": "培训开始时间：", "end_date": "培训结束时间：", "class_hours": "学时：", "days": "天数：",
    "trainees": "学员计划参加人数：", "staff": "工作人员计划人数：", "fee_level": "培训对象级别：",
    "fee_channel": "列支渠道：", "budget": "经费预算(万元)：", "is_noted": "是否精品培训班：",
    "local": "培训地点：", "location": "具体地点：", "station": "适用岗位：", "item_type": "项目类型：",
    "train_way": "培训方式：", "attendants": "培训对象：", "goal": "培训目的：", "content": "培训内容：",
    "keywords": "培训关键词：", "organizer": "主办单位:", "contact": "联系人:",
    "contact_phone": "联系人电话：", "contact_email": "联系人Email：", "open_scope": "培训公开范围：",
    "submitted_at": "casUpload", "apply_funding": "casSupport", "apply_support": "是否申请专项技术支持：",
    "jingpin": "精品项目：", "mohrss": "同时申报人社部高研项目：", "lectures": "讲座场次：",
    "lecture_hours": "单场学时：", "foreign_experts": "邀请国外专家：", "joint_units": "联合举办单位：",
    "attachments": "附件：", "support_rank": "casSupportRank", "comment": "备注：",
}
_UNIT_FILE_VARIANTS = {
    "train_name": "项目名称", "days": "培训天数", "trainees": "计划培训人数", "unit": "填报单位",
    "start_date": "开始日期", "end_date": "结束日期", "plan_id": "计划编号", "budget": "经费预算（万元）",
}
EXPORT_FILE = "dirty/全院培训计划导出.xlsx"
EXPORT_SHEET = "培训计划列表"
BRANCH_CSV = "dirty/某分院汇总.csv"
BRANCH_CSV_BRANCH = "广州分院"


def _label(name: str) -> str:
    return FIELDS_BY_NAME[name].label


def _num(value: float | int) -> float | int:
    return int(value) if float(value).is_integer() else value


def _text(value: Any) -> str:
    """A clean value as it reads in a text (CSV) file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{_num(value)}"
    return str(value)


def _atomic_path(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix + ".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)     # mkstemp makes 0600; the files are shared data
    return Path(tmp)


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = _atomic_path(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_workbook(path: Path, fill: Callable[[Any, dict[str, Any]], None]) -> None:
    """Write an xlsx atomically; ``fill(workbook, formats)`` adds the sheets."""
    tmp = _atomic_path(path)
    try:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_urls": False,
                                            "strings_to_formulas": False, "in_memory": True})
        wb.set_properties({"created": CREATED, "author": "casplan sample", "title": "casplan sample data"})
        formats = {"date": wb.add_format({"num_format": "yyyy-mm-dd"}),
                   "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
                   "header": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
                   "title": wb.add_format({"bold": True, "font_size": 14, "align": "center"})}
        fill(wb, formats)
        wb.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _put(ws: Any, r: int, c: int, value: Any, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        return
    if isinstance(value, _Formula):
        ws.write_formula(r, c, value.formula, None, _num(value.value))
    elif isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否")
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, formats["datetime"])
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), formats["date"])
    else:
        ws.write_string(r, c, str(value))


def _table_sheet(wb: Any, formats: dict[str, Any], sheet: str, headers: list[str],
                 rows: list[list[Any]], *, header_row: int = 0, widths: list[float] | None = None) -> None:
    ws = wb.add_worksheet(sheet)
    for c, h in enumerate(headers):
        ws.write_string(header_row, c, h, formats["header"])
        ws.set_column(c, c, (widths or [])[c] if widths and c < len(widths) else 14)
    for i, row in enumerate(rows, start=header_row + 1):
        for c, v in enumerate(row):
            _put(ws, i, c, v, formats)
    ws.freeze_panes(header_row + 1, 0)


def _plan_cells(row: dict[str, Any], columns: list[str]) -> list[Any]:
    return [row[c] for c in columns]


# -- the dirty layer -----------------------------------------------------------
class _Dirty:
    """Turns the clean rows into the files units and the platform really send."""

    def __init__(self, year: SampleYear, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 17)
        self.year = year
        self.rows = year.plans.to_dicts()
        roster = year.roster.to_dicts()
        self.aliases = {r["unit"]: r["aliases"].split("；") for r in roster}
        self.branch = {r["unit"]: r["branch"] for r in roster}
        self.bad: list[dict[str, Any]] = []
        self.files: list[dict[str, Any]] = []
        submitting = {p["unit"] for p in self.rows}
        units = [r["unit"] for r in roster if r["unit"] in submitting]
        self.csv_units = [u for u in units if self.branch[u] == BRANCH_CSV_BRANCH]
        rest = [u for u in units if u not in self.csv_units]
        self.unit_file_units = sorted(self.rng.sample(rest, 11), key=units.index)
        self.export_units = [u for u in rest if u not in self.unit_file_units]

    def _rows_of(self, units: list[str]) -> list[dict[str, Any]]:
        wanted = set(units)
        return [r for r in self.rows if r["unit"] in wanted]

    def _choose_bad(self, rows: list[dict[str, Any]], n: int, *, prefer_app: bool = False
                    ) -> list[dict[str, Any]]:
        taken = {b["plan_id"] for b in self.bad}
        apps = [r for r in rows if (r["apply_funding"] or r["apply_support"]) and r["plan_id"] not in taken]
        plain = [r for r in rows if not (r["apply_funding"] or r["apply_support"])
                 and r["plan_id"] not in taken]
        if prefer_app and apps:
            return [self.rng.choice(apps)] + self.rng.sample(plain, n - 1)
        return self.rng.sample(plain, n)

    def _record(self, file: str, sheet: str | None, row: int, name: str, header: str, value: Any,
                why: str, plan_id: str) -> None:
        self.bad.append({"file": file, "sheet": sheet, "row": row, "column": _label(name),
                         "header": header, "value": value, "why": why, "plan_id": plan_id})

    # platform export -----------------------------------------------------------
    def _export_value(self, name: str, value: Any, date_style: str) -> Any:
        rng = self.rng
        if value is None:
            return None
        if name in _BOOL_COLUMNS:
            if value:
                return rng.choices(("是", "√", 1, "1"), weights=(70, 12, 10, 8))[0]
            return rng.choices(("否", "×", 0, "0"), weights=(70, 12, 10, 8))[0]
        if name == "days":
            roll = rng.random()
            if roll < 0.12:
                return f"{_num(value)}天"
            if roll < 0.17:
                return _days_text(value)
            if roll < 0.21 and float(value).is_integer():
                return str(int(value)).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
            return _num(value)
        if name == "trainees":
            roll = rng.random()
            if roll < 0.05:
                return f"约{value}人"
            if roll < 0.10:
                return f"{value}人左右"
            return value
        if name in ("start_date", "end_date"):
            if date_style == "cn":
                return f"{value.year}年{value.month}月{value.day}日"
            if date_style == "dot":
                return f"{value.year}.{value.month}.{value.day}"
            if date_style == "slash":
                return f"{value.year}/{value.month}/{value.day}"
            if date_style == "iso":
                return value.isoformat()
            return value
        if name == "submitted_at":
            return value.strftime("%Y-%m-%d %H:%M:%S") if rng.random() < 0.1 else value
        if name == "train_name" and rng.random() < 0.08:
            return rng.choice((f" {value}", f"{value} ", f"\u3000{value}", f"{value}\u3000", f" {value} "))
        if name == "organizer":
            roll = rng.random()
            if roll < 0.3:
                return self.aliases[value][0]
            if roll < 0.38:
                return f"{value} "
            return value
        if name == "plan_id":
            return int(value)
        if isinstance(value, float):
            return _num(value)
        return value

    def write_export(self, root: Path) -> None:
        rng = self.rng
        columns = [c for c in PLAN_COLUMNS if c != "unit"]
        headers = [_EXPORT_HEADERS[c] for c in columns]
        rows = self._rows_of(self.export_units)
        bad_rows = self._choose_bad(rows, 5)
        bad_kind = dict(zip((r["plan_id"] for r in bad_rows),
                            ("days_range", "trainees_negative", "end_before_start", "category_blank",
                             "impossible_date"), strict=True))
        blank_before = set(rng.sample(range(5, len(rows)), 6))
        formula_candidates = [r for r in rows if r["class_hours"] == 8 * r["days"] and r["days"] >= 1
                              and r["plan_id"] not in bad_kind]
        formula_id = rng.choice(formula_candidates)["plan_id"]
        col = {c: i for i, c in enumerate(columns)}
        grid: list[tuple[int, list[Any]]] = []
        excel_row = 5                      # title, export time, blank line, header, then data
        for i, r in enumerate(rows):
            if i in blank_before:
                excel_row += 1
            style = rng.choices(("date", "cn", "dot", "slash", "iso"), weights=(70, 8, 7, 8, 7))[0]
            cells = [self._export_value(c, r[c], style) for c in columns]
            kind = bad_kind.get(r["plan_id"])
            if kind == "days_range":
                cells[col["days"]] = "三到五天"
                self._record(EXPORT_FILE, EXPORT_SHEET, excel_row, "days", headers[col["days"]],
                             "三到五天", "天数是一个范围，不是数字", r["plan_id"])
            elif kind == "trainees_negative":
                cells[col["trainees"]] = "-3"
                self._record(EXPORT_FILE, EXPORT_SHEET, excel_row, "trainees", headers[col["trainees"]],
                             "-3", "学员人数为负数", r["plan_id"])
            elif kind == "end_before_start":
                end = r["start_date"] - timedelta(days=3)
                cells[col["end_date"]] = end
                cells[col["start_date"]] = r["start_date"]
                self._record(EXPORT_FILE, EXPORT_SHEET, excel_row, "end_date", headers[col["end_date"]],
                             end.isoformat(), "结束时间早于开始时间", r["plan_id"])
            elif kind == "category_blank":
                cells[col["category"]] = None
                self._record(EXPORT_FILE, EXPORT_SHEET, excel_row, "category", headers[col["category"]],
                             None, "培训类别为空", r["plan_id"])
            elif kind == "impossible_date":
                cells[col["start_date"]] = "2023-02-30"
                self._record(EXPORT_FILE, EXPORT_SHEET, excel_row, "start_date",
                             headers[col["start_date"]], "2023-02-30", "日期不存在（2月没有30日）",
                             r["plan_id"])
            if r["plan_id"] == formula_id:
                cells[col["days"]] = _num(r["days"])
                letter = xlsxwriter.utility.xl_col_to_name(col["days"])
                cells[col["class_hours"]] = _Formula(f"={letter}{excel_row}*8", r["class_hours"])
                self.formula = {"row": excel_row, "column": _label("class_hours"), "plan_id": formula_id,
                                "formula": f"={letter}{excel_row}*8", "value": _num(r["class_hours"])}
            grid.append((excel_row, cells))
            excel_row += 1

        def fill(wb: Any, formats: dict[str, Any]) -> None:
            ws = wb.add_worksheet(EXPORT_SHEET)
            ws.merge_range(0, 0, 0, len(headers) - 1, f"中国科学院{YEAR}年度继续教育与培训计划汇总表",
                           formats["title"])
            ws.write_string(1, 0, f"导出时间：{EXPORT_TIME.isoformat()}")
            for c, h in enumerate(headers):
                ws.write_string(3, c, h, formats["header"])
                ws.set_column(c, c, 16)
            for excel, cells in grid:
                for c, v in enumerate(cells):
                    _put(ws, excel - 1, c, v, formats)
            note = wb.add_worksheet("说明")
            lines = ("说明：",
                     f"1. 本表由中国科学院继续教育网“年度计划—导出”功能生成，导出范围：全院，计划年度：{YEAR}。",
                     "2. casSupport 为“是否申请资助”，casSupportRank 为单位资助推荐排序，casUpload 为上报时间。",
                     "3. 本表仅供各单位核对，正式计划以加盖单位公章的纸质版为准。",
                     "4. 如对数据有疑问，请联系中国科学院继续教育网站技术支持（010-58813704）。")
            for i, line in enumerate(lines):
                note.write_string(i, 0, line)
            note.set_column(0, 0, 90)

        _write_workbook(root / EXPORT_FILE, fill)
        self.files.append({"file": EXPORT_FILE, "sheet": EXPORT_SHEET, "header_row": 4,
                           "data_rows": len(rows), "blank_rows": len(blank_before),
                           "units": self.export_units, "skip_sheets": ["说明"]})

    # one 分院's CSV in GBK -----------------------------------------------------
    def write_branch_csv(self, root: Path) -> None:
        rows = self._rows_of(self.csv_units)
        bad_rows = self._choose_bad(rows, 3, prefer_app=True)
        kinds = dict(zip((r["plan_id"] for r in bad_rows), ("budget_tbd", "trainees_huge", "days_abc"),
                         strict=True))
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([_label(c) for c in PLAN_COLUMNS])
        for line, r in enumerate(rows, start=2):
            cells = [_text(r[c]) for c in PLAN_COLUMNS]
            kind = kinds.get(r["plan_id"])
            if kind == "budget_tbd":
                cells[PLAN_COLUMNS.index("budget")] = "待定"
                self._record(BRANCH_CSV, None, line, "budget", _label("budget"), "待定", "经费预算不是数字",
                             r["plan_id"])
            elif kind == "trainees_huge":
                cells[PLAN_COLUMNS.index("trainees")] = "1000000000"
                self._record(BRANCH_CSV, None, line, "trainees", _label("trainees"), "1000000000",
                             "学员人数不合理（10亿）", r["plan_id"])
            elif kind == "days_abc":
                cells[PLAN_COLUMNS.index("days")] = "abc"
                self._record(BRANCH_CSV, None, line, "days", _label("days"), "abc", "天数不是数字",
                             r["plan_id"])
            w.writerow(cells)
        _write_bytes(root / BRANCH_CSV, buf.getvalue().encode("gb18030"))
        self.files.append({"file": BRANCH_CSV, "sheet": None, "header_row": 1, "data_rows": len(rows),
                           "blank_rows": 0, "units": self.csv_units, "encoding": "gb18030"})

    # one file per unit -----------------------------------------------------------
    def write_unit_files(self, root: Path) -> list[str]:
        rng = self.rng
        written = []
        csv_unit = rng.choice(self.unit_file_units)
        blank_unit = rng.choice([u for u in self.unit_file_units if u != csv_unit])
        name_blank_unit = rng.choice([u for u in self.unit_file_units if u != csv_unit])
        for unit in self.unit_file_units:
            rows = self._rows_of([unit])
            names = {c: (_UNIT_FILE_VARIANTS[c] if c in _UNIT_FILE_VARIANTS and rng.random() < 0.5
                         else _label(c)) for c in PLAN_COLUMNS}
            headers = [names[c] for c in PLAN_COLUMNS]
            if unit == csv_unit:
                rel = f"dirty/units/{unit}.csv"
                bad = self._choose_bad(rows, 1)[0]
                buf = io.StringIO()
                w = csv.writer(buf, lineterminator="\n")
                w.writerow(headers)
                for line, r in enumerate(rows, start=2):
                    cells = [_text(r[c]) for c in PLAN_COLUMNS]
                    if r["plan_id"] == bad["plan_id"]:
                        end = (r["start_date"] - timedelta(days=5)).isoformat()
                        cells[PLAN_COLUMNS.index("end_date")] = end
                        self._record(rel, None, line, "end_date", names["end_date"], end,
                                     "结束时间早于开始时间", r["plan_id"])
                    w.writerow(cells)
                _write_bytes(root / rel, buf.getvalue().encode("utf-8-sig"))
                self.files.append({"file": rel, "sheet": None, "header_row": 1, "data_rows": len(rows),
                                   "blank_rows": 0, "units": [unit], "encoding": "utf-8-sig"})
                written.append(rel)
                continue
            rel = f"dirty/units/{unit}.xlsx"
            header_row = rng.choice((1, 2))
            sheet = rng.choice(("Sheet1", f"{YEAR}年培训计划"))
            blank_at = rng.randrange(2, len(rows)) if unit == blank_unit else None
            bad_id = self._choose_bad(rows, 1)[0]["plan_id"] if unit == name_blank_unit else None
            grid = []
            excel_row = header_row + 1
            for i, r in enumerate(rows):
                if i == blank_at:
                    excel_row += 1
                cells = [r[c] for c in PLAN_COLUMNS]
                cells[PLAN_COLUMNS.index("plan_id")] = r["plan_id"]
                if r["plan_id"] == bad_id:
                    cells[PLAN_COLUMNS.index("train_name")] = None
                    self._record(rel, sheet, excel_row, "train_name", names["train_name"], None,
                                 "培训名称为空", r["plan_id"])
                grid.append((excel_row, cells))
                excel_row += 1

            def fill(wb: Any, formats: dict[str, Any], grid: list[tuple[int, list[Any]]] = grid,
                     sheet: str = sheet, header_row: int = header_row, headers: list[str] = headers,
                     unit: str = unit) -> None:
                ws = wb.add_worksheet(sheet)
                if header_row == 2:
                    ws.write_string(0, 0, f"{unit}{YEAR}年度继续教育与培训计划", formats["title"])
                for c, h in enumerate(headers):
                    ws.write_string(header_row - 1, c, h, formats["header"])
                    ws.set_column(c, c, 14)
                for excel, cells in grid:
                    for c, v in enumerate(cells):
                        _put(ws, excel - 1, c, v, formats)

            _write_workbook(root / rel, fill)
            self.files.append({"file": rel, "sheet": sheet, "header_row": header_row,
                               "data_rows": len(rows), "blank_rows": int(blank_at is not None),
                               "units": [unit]})
            written.append(rel)
        return written

    def expected(self) -> dict[str, Any]:
        order = {f["file"]: i for i, f in enumerate(self.files)}
        bad = sorted(self.bad, key=lambda b: (order[b["file"]], b["row"]))
        return {
            "about": "dirty/ 下各文件的应有读取结果；file 为相对于样例目录（含 dirty/ 的目录）的路径，"
                     "row 为 Excel 中显示的行号（CSV 为行号，表头为第1行）。",
            "seed": self.year.seed,
            "rows_total": sum(f["data_rows"] for f in self.files),
            "blank_rows": sum(f["blank_rows"] for f in self.files),
            "bad_rows": bad,
            "formula_cell": self.formula | {"file": EXPORT_FILE, "sheet": EXPORT_SHEET},
            "files": self.files,
        }


# -- clean files -------------------------------------------------------------------
def _write_clean(year: SampleYear, root: Path) -> None:
    roster_rows = [[r["unit"], r["unit_type"], r["branch"], r["aliases"]] for r in year.roster.to_dicts()]

    def roster(wb: Any, formats: dict[str, Any]) -> None:
        _table_sheet(wb, formats, "名册", [f.label for f in ROSTER_FIELDS], roster_rows,
                     widths=[40, 12, 12, 40])

    # the sample's history has the columns it always had (the reader knows more, e.g. 执行率)
    hist_fields = [f for f in HISTORY_FIELDS if f.name in year.history.columns]
    hist_rows = [[h[f.name] for f in hist_fields] for h in year.history.to_dicts()]

    def history(wb: Any, formats: dict[str, Any]) -> None:
        _table_sheet(wb, formats, "往年项目", [f.label for f in hist_fields], hist_rows,
                     widths=[36, 8, 44, 18, 10, 12, 10, 10, 14, 12, 14])

    columns = list(PLAN_COLUMNS)
    plan_rows = [_plan_cells(r, columns) for r in year.plans.to_dicts()]

    def plans(wb: Any, formats: dict[str, Any]) -> None:
        _table_sheet(wb, formats, "培训计划", [_label(c) for c in columns], plan_rows,
                     widths=[10, 36, 44] + [14] * (len(columns) - 3))

    _write_workbook(root / "roster.xlsx", roster)
    _write_workbook(root / "history.xlsx", history)
    _write_workbook(root / "plans.xlsx", plans)


def _readme(year: SampleYear, expected: dict[str, Any]) -> str:
    tracks = year.cases["applications_per_track"]
    names = {"yanxiu": "专业技术研修班", "duanqi": "专项技术短期培训班", "jiangtan": "学术讲坛",
             "jingpin": "精品培训项目", "mohrss": "人社部高级研修项目", "guanli": "管理类培训"}
    per_track = "，".join(f"{names[t]} {n}" for t, n in tracks.items())
    n_units = year.plans["unit"].n_unique()
    return f"""# 2023 年度样例数据（合成）

本目录全部由 `tools.sample` 按随机种子 {year.seed} 生成，内容为虚构的示例数据：单位名称仿照中国科学院
院属单位，联系人、电话、邮箱均为随机编造。同一种子重新生成，文件逐字节相同。

| 文件 | 内容 |
|---|---|
| `roster.xlsx`（工作表“名册”） | 单位名册 {year.roster.height} 个：研究所、12 个分院、院机关部门、直属单位；列：单位名称、单位类型、所属分院、别名（“；”分隔） |
| `history.xlsx`（工作表“往年项目”） | 2019–2022 年院级资助、精品、人社部高研项目 {year.history.height} 条；2022 年各条的统计截止日期为 2022-11-30，可算经费执行率 |
| `plans.xlsx`（工作表“培训计划”） | 干净的 2023 年度计划 {year.plans.height} 条，来自 {n_units} 个单位；表头为标准中文字段名；其中申报院级资助或专项技术支持 {sum(tracks.values())} 条（{per_track}） |
| `CASES.json` | 有意设置的边界与不合格情形：按计划ID（cases）和按单位（unit_cases）列出，并给出每个申报项目的预期类别（application_tracks） |
| `dirty/全院培训计划导出.xlsx` | 与 plans.xlsx 同一批数据中约八成单位的行，模仿平台导出：标题行、导出时间、空行、带冒号的表头和英文字段名、是/否/√/×/1/0、“3天”“三天半”、文本日期、多余空格、空行、公式单元格；无“单位名称”列（单位见“主办单位:”，有时写简称）；第二个工作表“说明”不是数据表 |
| `dirty/某分院汇总.csv` | {BRANCH_CSV_BRANCH}所属 {len(expected['files'][1]['units'])} 个单位的行，GB18030（GBK）编码，逗号分隔 |
| `dirty/units/` | 其余单位各一个文件（表头在第1或第2行、表头用词各异），其中一个为带 BOM 的 UTF-8 CSV |
| `dirty/EXPECTED.json` | dirty/ 的应有读取结果：数据行总数 {expected['rows_total']}、空行 {expected['blank_rows']}、{len(expected['bad_rows'])} 条坏行的文件/工作表/行号/列/原值/原因 |

dirty/ 与 plans.xlsx 是同一批计划（计划ID 相同）；除 EXPECTED.json 列出的坏行外，两者读入后应得到相同的申报项目。

重新生成：

```
casplan sample --seed {year.seed} --out data/samples/2023
# 或
.venv/bin/python -c "from pathlib import Path; from tools.sample import generate; generate(Path('data/samples/2023'), seed={year.seed})"
```

English: synthetic CAS 2023 training-plan sample (roster, history, clean plans, dirty platform-style exports with EXPECTED.json), regenerated byte-identically by `casplan sample --seed {year.seed}`.
"""


_REPORT_PARAMS = """# 样例年度正式报告的参数（`make report` 使用；路径相对本文件）
year: 2023
plans: plans.xlsx
history: history.xlsx
roster: roster.xlsx
reviews: reviews.csv
robustness_draws: 500
"""

REVIEWERS = ("张明华研究员", "李卫东研究员", "王晓燕研究员", "赵建国研究员", "陈思远研究员", "刘志强研究员")


def _reviews_csv(year: SampleYear, seed: int) -> bytes:
    """Expert reviews of the money applications: each by three reviewers of different leniency.

    Its own random stream (seed + 1), so the other files do not change with it.
    """
    rng = random.Random(seed + 1)
    leniency = {r: rng.uniform(-12, 12) for r in REVIEWERS}
    tracks = year.cases["application_tracks"]
    lines = ["申报编号,评审专家,评分"]
    for plan_id in sorted(tracks):
        if tracks[plan_id] not in ("yanxiu", "duanqi", "jingpin", "mohrss"):
            continue
        quality = rng.gauss(72, 9)
        for reviewer in sorted(rng.sample(REVIEWERS, 3)):
            mark = max(40.0, min(99.0, quality + leniency[reviewer] + rng.gauss(0, 4)))
            lines.append(f"P{plan_id},{reviewer},{mark:.0f}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def generate(out_dir: Path, *, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write a sample year to ``out_dir`` (byte-identical for the same seed).

    Each file is written to a temporary file in its folder and then moved into
    place. Spreadsheet or CSV files left in ``out_dir/dirty/units/`` by an earlier
    run with another seed are removed, so the folder always holds one year.

    Parameters
    ----------
    out_dir : the folder to write (created when missing).
    seed : the random seed.

    Returns
    -------
    dict
        Every written file: path relative to ``out_dir`` (POSIX form) → absolute path.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = generate(Path(tmp), seed=5)
    ...     sorted(p for p in paths if "/" not in p)
    ['CASES.json', 'README.md', 'history.xlsx', 'plans.xlsx', 'report-params.yaml', 'reviews.csv', 'roster.xlsx']
    """
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    year = build(seed=seed)
    _write_clean(year, root)
    dirty = _Dirty(year, seed)
    dirty.write_export(root)
    dirty.write_branch_csv(root)
    unit_files = dirty.write_unit_files(root)
    expected = dirty.expected()
    units_dir = root / "dirty" / "units"
    for stale in sorted(units_dir.iterdir()):
        rel = stale.relative_to(root).as_posix()
        if stale.suffix in (".xlsx", ".csv") and rel not in unit_files:
            stale.unlink()
    dump = {"ensure_ascii": False, "indent": 2}
    _write_bytes(root / "dirty" / "EXPECTED.json", (json.dumps(expected, **dump) + "\n").encode())
    _write_bytes(root / "CASES.json", (json.dumps(year.cases, **dump) + "\n").encode())
    _write_bytes(root / "reviews.csv", _reviews_csv(year, seed))
    _write_bytes(root / "report-params.yaml", _REPORT_PARAMS.encode("utf-8"))
    _write_bytes(root / "README.md", _readme(year, expected).encode())
    rels = ["roster.xlsx", "history.xlsx", "plans.xlsx", "reviews.csv", "report-params.yaml", "CASES.json", "README.md",
            EXPORT_FILE, BRANCH_CSV, *unit_files, "dirty/EXPECTED.json"]
    return {rel: (root / rel).resolve() for rel in rels}


# ---------------------------------------------------------------------------
# CLI hooks (the lead's `casplan` command adds the sub-command)
# ---------------------------------------------------------------------------
def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``casplan sample [--seed N] [--out DIR]`` to an argparse sub-parser set.

    >>> root = argparse.ArgumentParser(prog="casplan")
    >>> _ = add_parser(root.add_subparsers(dest="command"))
    >>> args = root.parse_args(["sample", "--seed", "7"])
    >>> args.seed, str(args.out), args.func is run
    (7, 'data/samples/2023', True)
    """
    parser = subparsers.add_parser(
        "sample", help="生成样例年度数据（名册、往年项目、培训计划及平台导出样式的脏数据）",
        description="按随机种子生成一套合成的2023年度样例数据；同一种子生成的文件逐字节相同。")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"输出目录（默认 {DEFAULT_OUT}）")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``casplan sample``: write the files and print a short Chinese summary."""
    paths = generate(args.out, seed=args.seed)
    cases = json.loads(paths["CASES.json"].read_text(encoding="utf-8"))
    expected = json.loads(paths["dirty/EXPECTED.json"].read_text(encoding="utf-8"))
    print(f"已生成样例数据（种子 {args.seed}）到 {args.out}：共 {len(paths)} 个文件")
    print(f"  申报项目 {sum(cases['applications_per_track'].values())} 个；"
          f"dirty/ 数据行 {expected['rows_total']} 行，其中坏行 {len(expected['bad_rows'])} 行")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.sample [--seed N] [--out DIR]`` (also ``casplan sample`` in a checkout)."""
    root = argparse.ArgumentParser(prog="casplan")
    add_parser(root.add_subparsers(dest="command"))
    args = root.parse_args(["sample", *(sys.argv[1:] if argv is None else argv)])
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
