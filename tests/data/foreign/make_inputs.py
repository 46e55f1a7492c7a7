# -*- coding: utf-8 -*-
"""Writes the held-out "foreign year" inputs in this folder.

Written by hand from the 2023 notice and casplan/policy/2023.yaml, without
running casplan or reading its code.  Run:  python make_inputs.py
(needs openpyxl).  EXPECTED.yaml is NOT generated: it is written by hand; this
script only prints the Excel row numbers and an arithmetic cross-check of the
platform form rules (PF-*) so the hand-written verdicts can be checked.
"""
import csv
import datetime as dt
import os

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = os.path.dirname(os.path.abspath(__file__))
D = dt.date
T = dt.datetime

SIX = "师资名单.pdf；课程设置清单.docx；培训教材清单.docx；需求调研分析报告.pdf；效果评估总结.pdf；宣传报道.pdf"

# ---------------------------------------------------------------- columns
# (key, label in export_merged/plain, label in the unit CSV)
COLS = [
    ("seq", "序号", None),
    ("pid", "计划ID", "ID"),
    ("unit", "单位名称", "单位名称"),
    ("name", "培训名称：", "培训名称"),
    ("year", "培训年度：", "培训年度"),
    ("cat", "培训类别：", "培训类别"),
    ("start", "培训开始时间：", "培训开始时间"),
    ("end", "培训结束时间：", "培训结束时间"),
    ("hours", "学时：", "学时"),
    ("days", "天数：", "天数"),
    ("trainees", "学员计划参加人数：", "学员计划参加人数"),
    ("staff", "工作人员计划人数：", "工作人员计划人数"),
    ("level", "培训对象级别：", "培训对象级别"),
    ("channel", "列支渠道：", "列支渠道"),
    ("fee", "经费预算(万元)：", "经费预算(万元)"),
    ("isnoted", "是否精品培训班：", "是否精品培训班"),
    ("ptype", "培训地点：", "培训地点"),
    ("place", "（培训地点的具体地点）", "具体地点"),
    ("station", "适用岗位：", "适用岗位"),
    ("itype", "项目类型：", "项目类型"),
    ("mode", "培训方式：", "培训方式"),
    ("aud", "培训对象：", "培训对象"),
    ("goal", "培训目的：", "培训目的"),
    ("content", "培训内容：", "培训内容"),
    ("kw", "培训关键词：", "培训关键词"),
    ("host", "主办单位:", "主办单位"),
    ("contact", "联系人:", "联系人"),
    ("phone", "联系人电话：", "联系人电话"),
    ("email", "联系人Email：", "联系人Email"),
    ("scope", "培训公开范围：", "培训公开范围"),
    ("remark", "备注：", "备注"),
    ("fund", "是否申请资助", "是否申请资助"),
    ("support", "是否申请专项技术支持", "是否申请专项技术支持"),
    ("jp", "精品项目", "精品项目"),
    ("mohrss", "同时申报人社部高研项目", "同时申报人社部高研项目"),
    ("attach", "附件", "附件"),
    ("rank", "资助推荐排序", "资助推荐排序"),
    ("lect", "讲座场次", "讲座场次"),
    ("lech", "单场学时", "单场学时"),
    ("foreign", "邀请国外专家", "邀请国外专家"),
    ("joint", "联合举办单位", "联合举办单位"),
    ("sub", "上报时间", "上报时间"),
]

DEFAULT = dict(year=2023, level="处级及以下", channel="所自筹经费", isnoted="否",
               ptype="本地", itype="二类", mode="线下培训", fund="否", support="否",
               jp="否", mohrss="否", scope="本单位", station="科研类;支撑类;管理类")


def R(**kw):
    r = dict(DEFAULT)
    r.update(kw)
    return r


# -------------------------------------------------------------- the units
# Each block: canonical unit, how 单位名称 is written in the merged cell,
# 上报时间, contact, and its rows.  "app" marks the rows that EXPECTED.yaml lists.
BLOCKS = []

# 1 计算所 ---------------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院计算技术研究所", written="中国科学院计算技术研究所",
    sub=T(2022, 11, 14, 17, 45, 12), contact=("赵敏", "010-62600001", "peixun@ict.ac.cn"),
    rows=[
        R(app="A01", pid=2300412, name="开源芯片与处理器敏捷设计技术研修班", cat="专业技术研修班",
          start=D(2023, 7, 11), end=D(2023, 7, 13), hours=22, days="3天", trainees=60, staff=6,
          channel="院级资助经费+所自筹", fee=8, place="计算所科研楼一层报告厅", station="科研类",
          aud="从事处理器芯片、EDA工具与计算机体系结构研究的科研人员",
          goal="面向处理器芯片关键核心技术攻关，帮助科研人员掌握开源芯片敏捷设计方法，提升高技术创新能力。",
          content="RISC-V开源指令集与处理器微架构；敏捷设计流程与开源EDA工具链；香山开源高性能处理器实践；芯片验证与流片经验交流。",
          kw="开源芯片；敏捷设计；RISC-V；处理器", host="中国科学院计算技术研究所", scope="面向全院",
          fund="是", rank=1),
        R(pid=2300415, name="网络安全与保密教育培训（2023）", cat="其他", start=D(2023, 3, 21), end=D(2023, 3, 21),
          hours=4, days=1, trainees=200, staff=4, fee=0.5, place="计算所科研楼一层报告厅",
          aud="全所职工和研究生", goal="增强全所职工网络安全和保密意识，落实保密工作责任制。",
          content="保密法律法规解读；涉密信息系统管理；网络安全典型案例警示教育。", kw="保密；网络安全",
          host="计算所", station="科研类;支撑类;管理类"),
        R(pid=None, name="网络安全与保密教育培训(2023) ", cat="其他", start=D(2023, 3, 21), end=D(2023, 3, 21),
          hours=4, days=1, trainees=200, staff=4, fee=0.5, place="计算所科研楼一层报告厅",
          aud="全所职工和研究生", goal="增强全所职工网络安全和保密意识，落实保密工作责任制。",
          content="保密法律法规解读；涉密信息系统管理；网络安全典型案例警示教育。", kw="保密；网络安全",
          host="计算所", station="科研类;支撑类;管理类", dup_of="网络安全与保密教育培训（2023）"),
        R(pid=2300418, name="学习贯彻党的二十大精神专题培训班", cat="其他", start=D(2023, 1, 12), end=D(2023, 1, 13),
          hours=12, days=2, trainees=150, staff=5, fee=1.5, place="计算所科研楼一层报告厅",
          aud="全所党员、中层干部和科研骨干", goal="深入学习贯彻党的二十大精神，把二十大精神学习作为必修课。",
          content="党的二十大报告专题辅导；科技自立自强专题研讨；中层干部交流发言。", kw="二十大；必修课",
          host="计算所", scope="本单位（不对外公开）"),
        R(setaside="I-NUMBER-RANGE", pid=2300421, name="人工智能与大数据技术高级研修班", cat="专业技术研修班",
          start=D(2023, 10, 16), end=D(2023, 10, 20), hours=36, days="4-5天", trainees=100, staff=10, fee=15,
          place="计算所科研楼一层报告厅", station="科研类",
          aud="从事人工智能与大数据研究的科研骨干",
          goal="围绕人工智能与大数据前沿，培养一批掌握大模型与数据智能关键技术的骨干人才。",
          content="大模型基础理论；数据智能与知识计算；智能计算系统；行业应用案例研讨。", kw="人工智能；大数据；大模型",
          host="中国科学院计算技术研究所", scope="面向全院", fund="是", jp="是", mohrss="是",
          attach=SIX, rank=2),
        R(pid=2300424, name="新入职职工入所教育", cat="其他", start=D(2023, 9, 5), end=D(2023, 9, 5),
          hours="120分钟", days=1, trainees=60, staff=3, fee=0.2, place="计算所科研楼三层会议室",
          aud="2023年新入职职工", goal="帮助新入职职工了解所情所史、规章制度和科研诚信要求。",
          content="所情所史介绍；人事、财务、科研管理制度讲解；科研诚信教育。", kw="入职教育", host="计算所"),
    ]))

# 2 声学所 ---------------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院声学研究所", written="中国科学院声学研究所",
    sub=T(2022, 11, 10, 15, 2, 40), contact=("孙丽", "010-62600002", "peixun@mail.ioa.ac.cn"),
    rows=[
        R(app="A02", pid=2300507, name="水声信号处理前沿技术研修班", cat="专业技术研修班",
          start=D(2023, 9, 19), end=D(2023, 9, 21), hours=18, days=2.5, trainees=45, staff=6, fee=5,
          place="声学所北四环园区学术报告厅", station="科研类", aud="从事水声、声呐与信号处理研究的科研人员",
          goal="跟踪水声信号处理前沿，提升科研人员在水声探测与通信方向的高技术创新能力。",
          content="水声信道建模；阵列信号处理新方法；水声通信与组网；深度学习在水声目标识别中的应用。",
          kw="水声；信号处理；声呐", host="中国科学院声学研究所", scope="面向全院", fund="是 ", rank=1,
          remark="19日下午报到，21日结束"),
        R(pid=2300509, name="声学所学习贯彻党的二十大精神专题报告会", cat="其他", start=D(2023, 2, 16),
          end=D(2023, 2, 16), hours=3, days=1, trainees=300, staff=4, fee=0.3, place="声学所学术报告厅",
          aud="全所职工", goal="学习宣传贯彻党的二十大精神，推动二十大精神进课题组、进实验室。",
          content="邀请专家作党的二十大精神专题报告；各党支部交流学习体会。", kw="二十大", host="中国科学院声学研究所"),
        R(pid=None, name="声学计量与测试技术研修班", cat="专业技术研修班", start=D(2023, 6, 6), end=D(2023, 6, 9),
          hours=26, days=4, trainees=40, staff=4, fee=4, isnoted="是", place="声学所北四环园区",
          station="科研类;支撑类", aud="所内从事声学计量测试的科研和技术支撑人员",
          goal="提升声学计量测试人员的专业能力，保障声学实验数据质量。",
          content="声学量值传递体系；消声室与混响室测量方法；声学测量不确定度评定。", kw="声学计量；测试",
          host="中国科学院声学研究所", remark="所级培训，不申请院资助"),
        R(pid=None, name="实验室安全与危化品管理培训", cat="其他", start=D(2023, 4, 12), end=D(2023, 4, 12),
          hours=4, days=1, trainees=120, staff=3, fee="8000元", place="声学所学术报告厅",
          aud="实验室安全员和研究生", goal="提高实验人员安全意识和危化品规范管理水平。",
          content="实验室安全管理制度；危险化学品采购与存储；应急处置演练。", kw="实验室安全",
          host="中国科学院声学研究所"),
    ]))

# 3 自动化所 -------------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院自动化研究所", written="中国科学院自动化研究所",
    sub=T(2022, 11, 8, 10, 11, 5), contact=("钱坤", "010-62600003", "peixun@ia.ac.cn"),
    rows=[
        R(app="A03", pid=2300633, name="人工智能前沿国际学术讲坛", cat="学术讲坛", start=D(2023, 3, 15),
          end=D(2023, 11, 15), hours=12, days=6, trainees=500, staff=4, fee=0, mode="线上培训",
          place="线上直播（中国科学院继续教育网）", station="科研类",
          aud="全院从事人工智能及交叉学科研究的科研人员和研究生",
          goal="邀请国外一流大学和科研机构的知名学者，围绕人工智能基础前沿与交叉科学问题开展国际学术交流，拓宽国际视野。",
          content="类脑智能与认知计算；机器学习理论；人工智能与科学研究（AI for Science）交叉前沿；每场报告2学时，全年6场，在线直播。",
          kw="人工智能；学术讲坛；国际学术交流", host="中国科学院自动化研究所", scope="面向全院",
          support="是", rank=1, lect=6, lech=2, foreign="是"),
        R(pid=2300635, name="深入学习贯彻党的二十大精神研讨班", cat="其他", start=D(2023, 2, 23), end=D(2023, 2, 24),
          hours=12, days=2, trainees=80, staff=4, fee=1, place="自动化所智能化大厦报告厅",
          aud="所领导班子成员、中层干部", goal="深入学习领会党的二十大精神，提升干部政治素养和履职能力。",
          content="二十大报告专题辅导；分组研讨；交流发言。", kw="二十大；干部培训", host="中国科学院自动化研究所"),
        R(pid=None, name="科研项目管理与经费使用培训", cat="管理类培训", start=D(2023, 5, 9), end=D(2023, 5, 9),
          hours=6, days=1, trainees=90, staff=3, fee=0.5, place="自动化所智能化大厦报告厅",
          station="管理类;科研类", aud="课题组长、科研助理和财务人员",
          goal="规范科研项目管理和经费使用，提高科研助理业务能力。",
          content="国家科研项目管理新规；经费预算调剂与结题审计；常见问题解答。", kw="科研管理；经费",
          host="中国科学院自动化研究所"),
        R(setaside="I-NUMBER", pid=2300640, name="智能机器人技术短期培训", cat="专项技术短期培训班",
          start=D(2023, 7, 1), end=D(2023, 7, 3), hours=20, days="待定", trainees=40, staff=4, fee=3,
          place="自动化所", station="支撑类", aud="实验技术人员",
          goal="提升实验技术人员在智能机器人平台搭建与维护方面的技能。",
          content="机器人操作系统；运动控制；平台调试与维护。", kw="机器人", host="中国科学院自动化研究所"),
    ]))

# 4 植物所 ---------------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院植物研究所", written="中国科学院植物研究所",
    sub=T(2022, 11, 11, 9, 40, 0), contact=("周洁", "010-62600004", "peixun@ibcas.ac.cn"),
    rows=[
        R(app="A04", pid=2300720, name="植物分类与鉴定精品培训班", cat="专项技术短期培训班",
          start=D(2023, 5, 15), end=D(2023, 5, 18), hours=24, days=3.5, trainees=69, staff=6, fee=9,
          ptype="外埠", place="广东韶关 车八岭国家级自然保护区", station="科研类;支撑类",
          aud="全院及自然保护地从事植物多样性调查、标本采集与鉴定的科研和技术人员",
          goal="系统培训植物分类与鉴定的理论和野外实践技能，服务国家植物多样性保护和国家植物园体系建设。",
          content="种子植物分类与鉴定；蕨类、兰科、菊科等重点类群识别；植物学拉丁文与命名法规；野外标本采集、摄影、制作和鉴定实习。",
          kw="植物分类；标本；鉴定", host="中国科学院植物研究所", scope="面向全院",
          fund="是", jp="是", attach=SIX, rank=1, remark="15日报到，18日中午结束"),
        R(pid=2300722, name="植物所学习贯彻党的二十大精神专题培训", cat="其他", start=D(2023, 1, 10), end=D(2023, 1, 10),
          hours=4, days=1, trainees=200, staff=4, fee=0.3, place="植物所南区报告厅",
          aud="全所职工", goal="推动党的二十大精神入脑入心，落实必修课要求。",
          content="二十大报告原文学习；专题辅导报告；支部研讨。", kw="二十大", host="中国科学院植物研究所"),
        R(pid=None, name="专业技术职务评聘政策解读培训", cat="其他", start=D(2023, 3, 2), end=D(2023, 3, 2),
          hours=3, days=1, trainees=100, staff=3, fee=0.1, place="植物所南区报告厅",
          aud="拟申报专业技术职务的职工", goal="帮助职工了解2023年专业技术职务评聘政策和申报要求。",
          content="评聘政策解读；申报材料准备；答辩注意事项。", kw="职称评审",
          host="中国科学院植物研究所人事处", station="科研类;支撑类"),
        R(pid=2300726, name="稳定同位素技术研修班", cat="专业技术研修班", start=D(2023, 6, 26), end=D(2023, 6, 28),
          hours=20, days=3, trainees=50, staff=5, fee=4, place="植物所南区报告厅", station="科研类",
          aud="从事生态学研究的科研人员和研究生", goal="推广稳定同位素技术在生态学研究中的应用。",
          content="稳定同位素原理；样品前处理与质谱测试；生态学应用案例。", kw="稳定同位素；生态学",
          host="中国科学院植物研究所", remark="所级培训"),
    ]))

# 5 地理资源所 -----------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院地理科学与资源研究所", written="中国科学院地理科学与资源研究所",
    sub=T(2022, 11, 9, 16, 20, 33), contact=("吴涛", "010-62600005", "peixun@igsnrr.ac.cn"),
    rows=[
        R(app="A05", pid=2300811, name="中国通量观测研究联盟第十八次通量观测理论与技术培训班",
          cat="专项技术短期培训班", start=D(2023, 8, 21), end=D(2023, 8, 24), hours="16学时", days=4,
          trainees=150, staff=10, channel="院级资助经费+合作单位自筹", fee=15, ptype="外埠",
          place="内蒙古呼伦贝尔 草原生态系统国家野外科学观测研究站", station="支撑类;科研类",
          aud="全国从事陆地生态系统通量观测的科研人员和台站技术人员",
          goal="提升通量观测技术人员的观测、数据质控和仪器运维能力，服务国家“双碳”战略对生态系统碳汇监测的重大需求。",
          content="涡度相关通量观测原理；仪器配置、运行与维护；通量数据质控与处理；碳水通量研究进展与野外现场教学。",
          kw="通量观测；涡度相关；碳汇", host="中国科学院地理科学与资源研究所", scope="社会公开",
          fund="1", rank=1, joint="中国农业科学院农业资源与农业区划研究所；中国科学院西北高原生物研究所"),
        R(app="A06", pid=2300815, name="自然资源要素综合观测技术研修班", cat="专业技术研修班",
          start=D(2023, 10, 16), end=D(2023, 10, 20), hours=34, days=5, trainees=80, staff=8, fee=12,
          place="地理资源所奥运村园区", station="支撑类",
          aud="野外台站和观测网络的观测技术骨干",
          goal="依托国家重点研发计划项目成果，培养会建站、懂观测、能组织科研工作的自然资源综合观测人才。",
          content="自然资源要素综合观测体系；天-空-地一体化观测技术；观测数据集成与共享；台站建设与运行管理。",
          kw="综合观测；野外台站；自然资源", host="中国科学院地理科学与资源研究所", scope="面向全院",
          fund="1", rank=2),
        R(pid=2300818, name="学习宣传贯彻党的二十大精神专题培训班", cat="其他", start=D(2023, 1, 5), end=D(2023, 1, 6),
          hours=12, days=2, trainees=120, staff=5, fee=1.2, place="地理资源所奥运村园区报告厅",
          aud="全所党员干部", goal="深入学习贯彻党的二十大精神，落实全面从严治党要求。",
          content="党的二十大精神专题辅导；生态文明建设专题讲座；支部书记交流。", kw="二十大",
          host="中国科学院地理科学与资源研究所", fund="0"),
        R(pid=None, name="野外台站安全生产培训", cat="其他", start=D(2023, 4, 18), end=D(2023, 4, 18),
          hours=6, days=1, trainees=80, staff=3, fee=0.4, place="地理资源所奥运村园区",
          aud="野外台站工作人员和研究生", goal="增强野外工作安全意识，掌握野外应急处置技能。",
          content="野外工作安全规范；车辆与用电安全；急救与应急演练。", kw="安全生产", host="中国科学院地理科学与资源研究所",
          fund="0"),
    ]))

# 6 微生物所 -------------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院微生物研究所", written="中国科学院微生物研究所",
    sub=T(2022, 11, 7, 11, 5, 0), contact=("郑华", "010-62600006", "peixun@im.ac.cn"),
    rows=[
        R(app="A07", pid=2300902, name="食用菌资源开发及利用技术培训班", cat="专项技术短期培训班",
          start=D(2023, 9, 11), end=D(2023, 9, 12), hours=6, days=2, trainees=40, staff=4, fee=3,
          place="微生物所北辰西路园区", station="支撑类",
          aud="从事食用菌资源收集、鉴定与栽培技术的科技人员",
          goal="提升科技人员在食用菌资源收集鉴定、菌种制备和栽培技术方面的实验技能。",
          content="食用菌资源收集与鉴定；菌种分离、纯化与保存；母种、原种和栽培种制备；珍稀食用菌栽培技术观摩。",
          kw="食用菌；菌种；栽培", host="中国科学院微生物研究所", scope="院内公开", fund="√", rank=1),
        R(pid=2300904, name="微生物所党的二十大精神学习班", cat="其他", start=D(2023, 2, 9), end=D(2023, 2, 9),
          hours=4, days=1, trainees=150, staff=3, fee=0.3, place="微生物所报告厅",
          aud="全所职工", goal="学习贯彻党的二十大精神，把二十大精神学习作为年度培训必修课。",
          content="二十大报告专题辅导；科技强国建设专题讲座。", kw="二十大", host="中国科学院微生物研究所", fund="×"),
        R(pid=2300906, name="病原微生物实验室生物安全培训", cat="其他", start=D(2023, 3, 14), end=D(2023, 3, 15),
          hours=12, days=2, trainees=80, staff=4, fee=0.8, place="微生物所报告厅",
          aud="从事病原微生物实验活动的人员", goal="落实病原微生物实验室生物安全管理要求，提升实验人员安全操作能力。",
          content="生物安全法律法规；BSL-2实验室操作规范；个人防护与应急处置。", kw="生物安全", host="中国科学院微生物研究所",
          fund="×", scope="仅限本所"),
        R(setaside="I-DATE", pid=2300909, name="菌种保藏与鉴定技术培训", cat="专项技术短期培训班",
          start=D(2099, 6, 12), end=D(2099, 6, 14), hours=20, days=3, trainees=30, staff=3, fee=2,
          place="微生物所", station="支撑类", aud="菌种保藏技术人员",
          goal="提升菌种保藏与鉴定技术人员的业务能力。", content="菌种保藏方法；分子鉴定技术；保藏质量管理。",
          kw="菌种保藏", host="中国科学院微生物研究所", fund="×"),
    ]))

# 7 大气所 ---------------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院大气物理研究所", written="中国科学院大气物理研究所",
    sub=T(2022, 11, 10, 9, 0, 0), contact=("冯雪", "010-62600007", "peixun@mail.iap.ac.cn"),
    rows=[
        R(app="A08", pid=2301005, name="资料同化技术高级研修班", cat="专业技术研修班",
          start=D(2023, 7, 3), end=D(2023, 7, 7), hours=36, days=5, trainees=150, staff=10, fee=15,
          place="大气所北辰西路园区", station="科研类",
          aud="全院及相关单位从事大气、海洋与地球系统模式研究的科研人员",
          goal="系统讲授资料同化理论与前沿方法，提升科研人员在天气气候预测和地球系统模拟方面的原始创新能力。",
          content="变分同化与集合卡尔曼滤波；卫星和雷达观测资料同化；耦合资料同化；地球系统数值模拟装置上的实践课程。",
          kw="资料同化；数值预报；地球系统模式", host="中国科学院大气物理研究所", scope="面向全院",
          fund="是", jp="是", mohrss="是", attach=SIX, rank=1),
        R(pid=None, name="学习贯彻党的二十大精神专题党课", cat="其他", start=D(2023, 3, 1), end=D(2023, 3, 1),
          hours=3, days=1, trainees=200, staff=3, fee=0.2, place="大气所报告厅",
          aud="全所党员", goal="深入学习贯彻党的二十大精神，提高党员政治素养。",
          content="所党委书记讲授二十大精神专题党课；支部研讨。", kw="二十大；党课", host="中国科学院大气物理研究所"),
        R(setaside="I-DATE", pid=2301009, name="大气环境监测仪器运维培训", cat="专项技术短期培训班",
          start=D(2023, 9, 12), end=D(2025, 9, 14), hours=20, days=3, trainees=40, staff=4, fee=2,
          place="大气所香河观测站", station="支撑类", aud="观测站技术人员",
          goal="提升观测站技术人员大气环境监测仪器运维能力。", content="激光雷达维护；气溶胶观测仪器标定；数据质控。",
          kw="大气观测；仪器运维", host="中国科学院大气物理研究所"),
        R(pid=None, name="气象观测仪器维护技术培训", cat="专项技术短期培训班", start=D(2023, 5, 16), end=D(2023, 5, 18),
          hours=20, days=3, trainees=30, staff=3, fee=1.5, place="大气所香河观测站", station="支撑类",
          aud="观测站技术人员", goal="提升观测站常规气象仪器的维护与标定能力。",
          content="常规气象要素观测；仪器日常维护；观测数据质量控制。", kw="气象观测", host="中国科学院大气物理研究所"),
    ]))

# 8 心理所 (no 二十大 anywhere) --------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院心理研究所", written="中国科学院心理研究所",
    sub=T(2022, 11, 11, 14, 30, 0), contact=("何静", "010-62600008", "peixun@psych.ac.cn"),
    rows=[
        R(app="A09", pid=2301101, name="科研人员心理健康与压力管理培训班", cat="管理类培训",
          start=D(2023, 6, 19), end=D(2023, 6, 20), hours=12, days=2, trainees=60, staff=5, fee=3,
          place="心理所报告厅", station="管理类", aud="院属单位人事、研究生和工会工作人员",
          goal="提升院属单位管理人员开展心理健康服务和压力疏导的能力。",
          content="科研人员常见心理问题识别；压力管理与情绪调节；心理危机干预流程；团体辅导实操。",
          kw="心理健康；压力管理", host="中国科学院心理研究所", scope="面向全院", fund="是", rank=1),
        R(pid=None, name="心理咨询与治疗技术研修班", cat="专业技术研修班", start=D(2023, 4, 10), end=D(2023, 4, 14),
          hours=36, days=5, trainees=60, staff=5, fee=5, place="心理所报告厅", station="科研类",
          aud="所内从事临床与咨询心理学研究的科研人员", goal="提升科研人员心理咨询与治疗的专业技能。",
          content="认知行为疗法；团体心理辅导；个案督导。", kw="心理咨询", host="中国科学院心理研究所"),
        R(pid=None, name="心理学研究伦理审查培训", cat="其他", start=D(2023, 3, 7), end=D(2023, 3, 7),
          hours=3, days=1, trainees=80, staff=2, fee=0.1, place="心理所报告厅", station="科研类",
          aud="课题组长和研究生", goal="规范心理学研究中的伦理审查和知情同意程序。",
          content="研究伦理原则；伦理审查流程；数据与隐私保护。", kw="伦理审查", host="中国科学院心理研究所"),
    ]))

BLOCKS.append("BLANK")

# 9 东北地理所 -----------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院东北地理与农业生态研究所", written="中国科学院东北地理与农业生态研究所",
    sub=T(2022, 11, 4, 10, 15, 0), contact=("刘畅", "0431-80000009", "peixun@iga.ac.cn"),
    rows=[
        R(app="A10", pid=2301203, name="第四届黑土地保护与利用高级研修班", cat="专业技术研修班",
          start=D(2023, 7, 17), end=D(2023, 7, 21), hours=36, days=5, trainees=100, staff=10, fee=15,
          ptype="外埠", place="黑龙江海伦 中国科学院海伦农业生态实验站", station="科研类;支撑类",
          aud="全院及东北四省区从事黑土地保护利用研究与技术推广的科技人员",
          goal="围绕“黑土粮仓”科技会战，培养黑土地保护利用关键技术人才，服务国家粮食安全和乡村振兴。",
          content="黑土退化机理与肥沃耕层构建；保护性耕作“梨树模式”与“龙江模式”；黑土地质量监测评价；海伦站现场教学。",
          kw="黑土地；黑土粮仓；保护性耕作", host="中国科学院东北地理与农业生态研究所", scope="面向全院",
          fund="是", jp="是", mohrss="是", attach="培训方案.docx；教学计划.xlsx", rank=1),
        R(app="A11", pid=2301207, name="第五届湿地生态保护与修复高级研修班", cat="专业技术研修班",
          start=D(2023, 9, 4), end=D(2023, 9, 11), hours=56, days=8, trainees=100, staff=10, fee=15,
          place="东北地理所长春净月园区", station="科研类",
          aud="全院及相关单位从事湿地生态研究与保护管理的科技人员",
          goal="提升湿地生态保护修复与湿地碳汇研究能力，服务“双碳”目标和生态文明建设。",
          content="湿地生态过程与碳汇；退化湿地修复技术；湿地遥感监测；向海、莫莫格湿地现场教学。",
          kw="湿地；生态修复；碳汇", host="中国科学院东北地理与农业生态研究所", scope="院内公开",
          fund="是", jp="是", mohrss="是", attach=SIX, rank=2),
        R(pid=None, name="党的二十大精神学习培训班", cat="其他", start=D(2023, 1, 16), end=D(2023, 1, 17),
          hours=12, days=2, trainees=150, staff=5, fee=1, place="东北地理所长春净月园区",
          aud="全所党员和中层以上干部", goal="深入学习贯彻党的二十大精神，提升干部政治素养。",
          content="二十大精神专题辅导；东北全面振兴专题研讨。", kw="二十大", host="中国科学院东北地理与农业生态研究所"),
        R(setaside="I-DATE-ORDER", pid=2301211, name="遥感与地理信息系统应用培训", cat="专项技术短期培训班",
          start=D(2023, 11, 20), end=D(2023, 11, 17), hours=20, days=3, trainees=40, staff=4, fee=2,
          place="东北地理所长春净月园区", station="支撑类", aud="所内科研和技术支撑人员",
          goal="提升科技人员遥感数据处理与地理信息系统应用技能。", content="遥感影像处理；GIS空间分析；案例实操。",
          kw="遥感；GIS", host="中国科学院东北地理与农业生态研究所"),
        R(pid=None, name="财务报销与政府采购业务培训", cat="其他", start=D(2023, 3, 9), end=D(2023, 3, 9),
          hours=4, days=1, trainees=100, staff=3, fee=0.2, place="东北地理所长春净月园区", station="管理类;科研类",
          aud="课题组科研助理", goal="规范财务报销和政府采购流程，提高科研助理业务水平。",
          content="财务报销制度；政府采购流程；常见问题解答。", kw="财务；采购", host="中国科学院东北地理与农业生态研究所"),
    ]))

# 10 武汉病毒所 ----------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院武汉病毒研究所", written="中国科学院武汉病毒研究所",
    sub=T(2022, 11, 9, 11, 30, 0), contact=("黄蓉", "027-80000010", "peixun@wh.iov.cn"),
    rows=[
        R(app="A12", pid=2301308, name="生物安全实验室管理与实验技术精品培训班", cat="专项技术短期培训班",
          start=D(2023, 10, 9), end=D(2023, 10, 13), hours=36, days=5, trainees=80, staff=8, fee=12,
          place="武汉病毒所郑店园区", station="支撑类;科研类",
          aud="全院及相关单位高等级生物安全实验室管理、科研和技术支撑人员",
          goal="提升高等级生物安全实验室管理与实验技术水平，培养生物安全领域骨干技术人才。",
          content="生物风险评估与管理体系；高等级生物安全实验室设施运行维护；烈性病原操作规范；个人防护与应急处置实训。",
          kw="生物安全；高等级实验室", host="中国科学院武汉病毒研究所", scope="面向全院",
          fund="是", jp="是",
          attach="师资名单.pdf；课程设置清单.docx；培训教材清单.pptx；需求调研分析报告.pdf；效果评估总结.pdf；宣传报道.pdf",
          rank=1),
        R(pid=2301310, name="学习贯彻党的二十大精神专题辅导", cat="其他", start=D(2023, 2, 21), end=D(2023, 2, 21),
          hours=3, days=1, trainees=200, staff=3, fee=0.2, place="武汉病毒所郑店园区报告厅",
          aud="全所职工", goal="学习贯彻党的二十大精神，落实必修课要求。", content="二十大报告专题辅导；学习交流。",
          kw="二十大", host="中国科学院武汉病毒研究所"),
        R(pid=2301312, name="病毒学前沿学术讲座", cat="学术讲坛", start=D(2023, 4, 1), end=D(2023, 12, 1),
          hours=8, days=4, trainees=200, staff=2, fee=0, mode="线上培训", place="线上", station="科研类",
          aud="所内科研人员和研究生", goal="跟踪病毒学研究前沿，促进学术交流。",
          content="邀请国内专家作病毒学前沿系列报告，全年4场。", kw="病毒学", host="中国科学院武汉病毒研究所",
          lect=4, lech=2, foreign="否"),
    ]))

# 11 华南植物园 ----------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院华南植物园", written="中国科学院华南植物园",
    sub=T(2022, 11, 8, 15, 45, 0), contact=("林芳", "020-80000011", "peixun@scbg.ac.cn"),
    rows=[
        R(app="A13", pid=2301410, name="2023年植物标本采集与鉴定精品培训班", cat="专项技术短期培训班",
          start=D(2023, 4, 20), end=D(2023, 4, 24), hours=32, days="５", trainees=70, staff=7, fee=12,
          ptype="外埠", place="广东韶关 南岭国家级自然保护区", station="支撑类;科研类",
          aud="全院及自然保护地、林业系统从事植物调查与标本工作的青年科技人员",
          goal="培养一批具备植物分类学知识、掌握标本采集与鉴定技能的青年人才，服务自然保护地建设和种质资源保护。",
          content="分类学基本原理；种子植物分子分类系统；植物标本的采集与压制；南岭常见科属识别野外实习；结业考评。",
          kw="标本采集；植物鉴定；分类学", host="中国科学院华南植物园", scope="面向全院",
          fund="是", jp="是", attach=SIX, rank=1),
        R(app="A14", pid=2301412, name="植物科学前沿系列学术报告", cat="学术讲坛", start=D(2023, 3, 1),
          end=D(2023, 12, 15), hours=12, days=6, trainees=200, staff=3, fee=5, mode="线上培训",
          place="线上直播", station="科研类", aud="全院从事植物科学研究的科研人员和研究生",
          goal="邀请国外一流大学和科研机构的植物学家作系列报告，开展国际学术交流。",
          content="植物进化与适应；植物—微生物互作；全球变化生态学；全年6场，每场2学时。",
          kw="植物科学；学术报告", host="中国科学院华南植物园", scope="面向全院",
          fund="是", support="否", rank=2, lect=6, lech=2, foreign="是"),
        R(pid=None, name="华南植物园学习党的二十大精神专题培训", cat="其他", start=D(2023, 1, 31), end=D(2023, 1, 31),
          hours=4, days=1, trainees=180, staff=3, fee=0.3, place="华南植物园学术报告厅",
          aud="全园职工", goal="学习宣传贯彻党的二十大精神，推进华南国家植物园建设。",
          content="二十大精神专题辅导；国家植物园建设专题交流。", kw="二十大", host="中国科学院华南植物园"),
        R(pid=None, name="第十三期封怀园艺培训", cat="其他", start=D(2023, 6, 28), end=D(2023, 6, 28),
          hours=3, days=1, trainees=80, staff=2, fee=0.1, place="华南植物园园艺中心", station="支撑类",
          aud="园艺中心全体员工", goal="提升园艺人员迁地保护与科普解说水平。",
          content="迁地栽培植物志编研；科普解说系统构建学习分享。", kw="园艺；迁地保护", host="中国科学院华南植物园"),
        R(setaside="I-DATE", pid=2301416, name="植物迁地保护技术交流培训", cat="专项技术短期培训班",
          start="2024年4月", end=None, hours=24, days=4, trainees=40, staff=4, fee=3,
          place="华南植物园", station="支撑类", aud="植物园引种保育人员",
          goal="交流植物迁地保护与引种保育技术经验。", content="迁地保护理论；引种驯化；活植物信息管理。",
          kw="迁地保护", host="中国科学院华南植物园"),
    ]))

# 12 成都生物所 ----------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院成都生物研究所", written="中国科学院成都生物研究所",
    sub=T(2022, 11, 10, 17, 5, 0), contact=("杨帆", "028-80000012", "peixun@cib.ac.cn"),
    rows=[
        R(app="A15", pid=2301502, name="横断山区生物多样性前沿学术讲坛", cat="学术讲坛", start=D(2023, 3, 10),
          end=D(2023, 11, 24), hours=16, days=8, trainees=300, staff=3, fee=0, mode="线上培训",
          place="线上直播", station="科研类", aud="全院从事生物多样性与生态学研究的科研人员和研究生",
          goal="围绕横断山区生物多样性形成与维持机制等基础前沿科学问题，举办系列学术报告，提升青年科研人员原始创新能力。",
          content="生物多样性格局与形成机制；两栖爬行动物系统发育；山地生态系统对全球变化的响应；全年8场，每场2学时。",
          kw="生物多样性；横断山；学术讲坛", host="中国科学院成都生物研究所", scope="面向全院",
          support="是", rank=1, lect=8, lech=2, foreign="否"),
        R(app="A16", pid=None, name="山区自然-社会生态系统综合管理技术培训班", cat="专项技术短期培训班",
          start=D(2023, 11, 6), end=D(2023, 11, 10), hours=34, days=5, trainees=60, staff=6, fee=10,
          ptype="外埠", place=None, station="成果转移转化类",
          aud="山区县科技管理人员和所内成果转化人员",
          goal="服务乡村振兴和山区可持续发展，培训山区自然-社会生态系统综合管理技术。",
          content="山地生态系统综合管理；温室气体通量监测技术；农村环境与能源技术；主要农作物育种与生产技术现场观摩。",
          kw="山区；生态系统管理；乡村振兴", host="中国科学院成都生物研究所", scope="院内公开",
          fund="是", rank=2),
        R(pid=2301506, name="成都生物所学习贯彻党的二十大精神专题培训", cat="其他", start=D(2023, 2, 14),
          end=D(2023, 2, 14), hours=4, days=1, trainees=150, staff=3, fee=0.2, place="成都生物所报告厅",
          aud="全所职工", goal="深入学习贯彻党的二十大精神，落实必修课要求。",
          content="二十大报告专题辅导；支部学习交流。", kw="二十大", host="中国科学院成都生物研究所"),
        R(pid=None, name="2023年度安全生产与消防培训", cat="其他", start=D(2023, 6, 13), end=D(2023, 6, 13),
          hours=3, days=1, trainees=120, staff=2, fee=0.1, place="成都生物所报告厅",
          aud="全所职工和研究生", goal="增强安全生产和消防意识，掌握基本消防技能。",
          content="安全生产法规；消防器材使用；疏散演练。", kw="安全生产；消防", host="中国科学院成都生物研究所"),
    ]))

# 13 版纳植物园 (late) ---------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院西双版纳热带植物园", written="中国科学院西双版纳热带植物园 ",
    sub=T(2022, 11, 16, 10, 21, 37), contact=("岩温", "0691-80000013", "peixun@xtbg.ac.cn"),
    rows=[
        R(app="A17", pid=2301607, name="第八届生态旅游环境解说培训班", cat="专项技术短期培训班",
          start=D(2023, 5, 8), end=D(2023, 5, 13), hours=40, days=6, trainees=80, staff=6, fee=12,
          place="版纳植物园勐仑园区", station="支撑类;科研类",
          aud="全院植物园、自然保护区、科普场馆的科研人员、解说员和自然教育导师",
          goal="提升科普和环境解说人员的专业能力，推动植物园环境教育与科学传播。",
          content="环境解说基础理论；植物观察与识别；昆虫观察与识别；解说系统构建；3次实践考核。",
          kw="环境解说；自然教育；科普", host="中国科学院西双版纳热带植物园", scope="社会公开",
          fund="是", jp="是", attach="师资名单；课程设置清单；培训教材清单；效果评估总结", rank=1),
        R(pid=2301609, name="热带植物园学习贯彻党的二十大精神读书班", cat="其他", start=D(2023, 2, 6),
          end=D(2023, 2, 8), hours=20, days=3, trainees=60, staff=3, fee=0.8, place="版纳植物园勐仑园区",
          aud="园领导班子和中层干部", goal="深入学习贯彻党的二十大精神，提升干部履职能力。",
          content="二十大报告原文研读；专题辅导；交流研讨。", kw="二十大；读书班", host="中国科学院西双版纳热带植物园"),
        R(pid=None, name="热带植物鉴定和森林管理培训班", cat="专项技术短期培训班", start=D(2023, 10, 16),
          end=D(2023, 10, 25), hours=64, days=10, trainees=36, staff=3, fee=6, ptype="外埠",
          place="缅甸 内比都", station="科研类;支撑类", aud="合作国家林业部门和大学的学员",
          goal="普及植物学和森林管理基础及前沿知识，提高学员野外植物及森林调查能力。",
          content="植物分类鉴定；森林样地调查；森林监测和制图；野外实践。", kw="植物鉴定；森林管理",
          host="中国科学院东南亚生物多样性研究中心", channel="国际合作经费"),
    ]))

# 14 新疆生地所 (no 二十大 anywhere) --------------------------------------
BLOCKS.append(dict(
    unit="中国科学院新疆生态与地理研究所", written="中国科学院新疆生态与地理研究所",
    sub=T(2022, 11, 12, 12, 0, 0), contact=("马骏", "0991-80000014", "peixun@ms.xjb.ac.cn"),
    rows=[
        R(app="A18", pid=2301702, name="盐碱地综合改良利用高级研修班", cat="专业技术研修班",
          start=D(2023, 8, 14), end=D(2023, 8, 17), hours=28, days=4, trainees=80, staff=8, fee=12,
          place="新疆生地所乌鲁木齐园区", station="科研类;支撑类",
          aud="全国从事盐碱地改良领域的科研人员、新疆地州县市农技骨干",
          goal="推广盐碱地综合改良利用关键技术，服务国家粮食安全、乡村振兴和干旱区农业可持续发展。",
          content="农田土壤健康评价与培育；盐碱地水盐调控与改良技术；耐盐作物栽培；阜康站、策勒站现场考察。",
          kw="盐碱地；土壤改良；干旱区农业", host="中国科学院新疆生态与地理研究所", scope="面向全院",
          fund="是", jp="是", mohrss="是", attach=SIX, rank=1),
        R(pid=2301704, name="荒漠生态系统野外观测技术培训", cat="专项技术短期培训班", start=D(2023, 6, 5),
          end=D(2023, 6, 7), hours=20, days=3, trainees=40, staff=4, fee=2, ptype="外埠",
          place="新疆阜康 荒漠生态系统国家野外科学观测研究站", station="支撑类",
          aud="野外台站技术人员", goal="提升荒漠生态系统长期观测技术规范化水平。",
          content="荒漠植被调查；土壤水分观测；观测数据上报规范。", kw="荒漠；野外观测",
          host="中国科学院新疆生态与地理研究所"),
        R(pid=None, name="科研诚信与学风建设教育", cat="其他", start=D(2023, 9, 20), end=D(2023, 9, 20),
          hours=3, days=1, trainees=150, staff=2, fee=0.1, place="新疆生地所报告厅",
          aud="全所科研人员和研究生", goal="弘扬科学家精神，加强科研诚信和学风建设。",
          content="科研诚信规范；典型案例警示；学术不端行为的认定与处理。", kw="科研诚信；学风",
          host="中国科学院新疆生态与地理研究所"),
    ]))

# 15 武汉分院 ------------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院武汉分院", written="中国科学院武汉分院",
    sub=T(2022, 11, 11, 16, 0, 0), contact=("陈曦", "027-80000015", "rsc@whb.cas.cn"),
    rows=[
        R(app="A19", pid=2301801, name="武汉分院所级领导干部履职能力提升培训班", cat="管理类培训",
          start=D(2023, 6, 12), end=D(2023, 6, 16), hours=34, days=5, trainees=50, staff=5, fee=8,
          place="武汉分院小洪山园区", station="领导类;管理类",
          aud="武汉分院系统各研究所所级领导干部",
          goal="提升分院系统所级领导干部的政治素养和履职能力，推动区域创新发展。",
          content="党的创新理论专题；现代院所治理与科研组织模式；依法治所与风险防控；案例研讨。",
          kw="领导干部；履职能力", host="中国科学院武汉分院", scope="面向分院系统", fund="是", rank=1),
        R(app="A20", pid=2301803, name="分院系统人事干部业务培训班", cat="管理类培训",
          start=D(2023, 9, 21), end=D(2023, 9, 22), hours=12, days=2, trainees=40, staff=4, fee="1.2万元",
          place="武汉分院小洪山园区", station="管理类", aud="武汉分院系统各单位人事干部",
          goal="提升能力",
          content="人才项目管理；岗位聘用与薪酬政策；人事档案管理；继续教育与培训计划编报实务。",
          kw="人事管理", host="中国科学院武汉分院", scope="面向分院系统", fund="是", rank=2),
        R(pid=None, name="武汉分院系统学习宣传贯彻党的二十大精神培训班", cat="其他", start=D(2023, 1, 9),
          end=D(2023, 1, 11), hours=20, days=3, trainees=90, staff=5, fee=2, place="武汉分院小洪山园区",
          station="领导类;管理类;科研类", aud="分院系统各单位党委委员和党务干部",
          goal="深入学习贯彻党的二十大精神，把二十大精神学习作为分院系统培训必修课。",
          content="二十大精神专题辅导；党建工作交流；现场教学。", kw="二十大；党务", host="中国科学院武汉分院"),
    ]))

# 16 兰州分院 (not in roster) --------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院兰州分院", written="中国科学院兰州分院",
    sub=T(2022, 11, 13, 10, 0, 0), contact=("李娟", "0931-80000016", "rsc@lzb.cas.cn"),
    rows=[
        R(app="A21", pid=None, name="兰州分院系统科研管理骨干能力提升培训班", cat="管理类培训",
          start=D(2023, 8, 8), end=D(2023, 8, 11), hours=26, days=4, trainees=60, staff=6, fee=6,
          place="兰州分院天水路园区", station="管理类", aud="兰州分院系统各研究所科研管理骨干",
          goal="提升分院系统科研管理骨干的政策水平和业务能力，服务西部地区科技创新。",
          content="国家科技计划管理政策；科研项目全过程管理；成果转化与知识产权管理；兄弟单位经验交流。",
          kw="科研管理；能力提升", host="中国科学院兰州分院", scope="面向分院系统", fund="是", rank=1),
        R(pid=None, name="兰州分院学习党的二十大精神专题培训", cat="其他", year="2023年", start=D(2023, 2, 15), end=D(2023, 2, 16),
          hours=12, days=2, trainees=80, staff=4, fee=1, place="兰州分院天水路园区",
          aud="分院系统党务干部", goal="学习贯彻党的二十大精神，提升党务干部业务能力。",
          content="二十大精神专题辅导；交流研讨。", kw="二十大", host="中国科学院兰州分院"),
    ]))

# 17 科技促进发展局 ------------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院科技促进发展局", written="中国科学院科技促进发展局",
    sub=T(2022, 11, 14, 9, 30, 0), contact=("王宁", "010-68500017", "kfj@cashq.ac.cn"),
    rows=[
        R(app="A22", pid=2301901, name="全院知识产权与科技成果转化管理培训班", cat="管理类培训",
          start=D(2023, 4, 10), end=D(2023, 4, 12), hours=20, days=3, trainees=120, staff=8, fee=0,
          channel="部门预算", place="北京 中国科学院学术会堂", station="管理类;成果转移转化类",
          aud="院属单位分管所领导、成果转化和知识产权管理部门负责人",
          goal="面向全院提升成果转化和知识产权管理人员的政策水平和业务能力。",
          content="科技成果转化政策解读；知识产权全流程管理；作价投资与风险防控；院属单位典型经验交流。",
          kw="成果转化；知识产权", host="中国科学院科技促进发展局", scope="面向全院", fund="是", rank=1,
          remark="经费由承办单位承担"),
        R(pid=2301903, name="院机关学习贯彻党的二十大精神专题培训", cat="其他", start=D(2023, 1, 18),
          end=D(2023, 1, 18), hours=4, days=1, trainees=40, staff=2, fee=0, channel="部门预算",
          place="院机关", station="管理类", aud="局全体干部", goal="学习贯彻党的二十大精神，提升机关干部政治素养。",
          content="二十大报告专题学习；交流研讨。", kw="二十大", host="中国科学院科技促进发展局"),
    ]))

# 18 条件保障与财务局 ----------------------------------------------------
BLOCKS.append(dict(
    unit="中国科学院条件保障与财务局", written="中国科学院条件保障与财务局",
    sub=T(2022, 11, 13, 15, 0, 0), contact=("郭宇", "010-68500018", "ctj@cashq.ac.cn"),
    rows=[
        R(app="A23", pid=2302003, name="全院财务负责人科研经费管理政策培训班", cat="管理类培训",
          start=D(2023, 5, 22), end=D(2023, 5, 24), hours=20, days=3, trainees=40, staff=4, fee=9,
          level="司局级", channel="部门预算", place="北京 中国科学院学术会堂", station="管理类;领导类",
          aud="院属单位分管财务的所领导和财务处负责人",
          goal="面向全院解读中央科研经费管理改革政策，提升财务负责人依法理财能力。",
          content="中央财政科研经费管理新政；预算绩效管理；内部控制与审计整改；国有资产管理。",
          kw="科研经费；财务管理", host="中国科学院条件保障与财务局", scope="面向全院", fund="是", rank=1),
        R(pid=2302005, name="学习贯彻党的二十大精神与财经纪律教育", cat="其他", start=D(2023, 2, 2),
          end=D(2023, 2, 2), hours=4, days=1, trainees=40, staff=2, fee=0, channel="部门预算",
          place="院机关", station="管理类", aud="局全体干部",
          goal="学习贯彻党的二十大精神，严肃财经纪律。", content="二十大精神专题学习；财经纪律警示教育。",
          kw="二十大；财经纪律", host="中国科学院条件保障与财务局"),
    ]))

# late addition at the bottom of the sheet (abbreviated unit name) --------
TAIL = [
    dict(unit="中国科学院声学研究所", written="中科院声学所", sub=T(2022, 11, 13, 11, 8, 0),
         contact=("孙丽", "010-62600002", "peixun@mail.ioa.ac.cn"),
         row=R(app="A24", pid=2300515, name="2023年声学前沿系列学术讲座", cat="学术讲坛",
               start=D(2023, 4, 20), end=D(2023, 11, 30), hours=7.5, days=5, trainees=300, staff=3, fee=0,
               mode="线上培训", place="线上直播", station="科研类",
               aud="全院从事声学及相关交叉学科研究的科研人员和研究生",
               goal="邀请国外知名声学专家在线讲授声学基础前沿问题，开展国际学术交流。",
               content="声学超材料；生物医学超声；空间声场调控；全年5场，每场1.5学时。",
               kw="声学；学术讲坛", host="中国科学院声学研究所", scope="面向全院",
               fund="×", support="√", rank=2, lect=5, lech=1.5, foreign="是",
               remark="补报")),
]
NOTE = "注：本表由中国科学院继续教育网导出后经单位汇总，经费单位为万元；各单位已履行审批程序。"

# the unit delivered separately as a GBK CSV ------------------------------
CSV_UNIT = dict(
    unit="中国科学院昆明植物研究所", written="中国科学院昆明植物研究所",
    sub=T(2022, 11, 9, 14, 0, 0), contact=("段玲", "0871-80000019", "peixun@mail.kib.ac.cn"),
    rows=[
        R(app="A25", pid=2302101, name="第十一届园林园艺与景观建设培训班", cat="专项技术短期培训班",
          start=D(2023, 10, 23), end=D(2023, 10, 31), hours=56, days=9, trainees=72, staff=7, fee=18,
          place="昆明植物园", station="支撑类;科研类",
          aud="全国植物园、科研院所从事园林园艺与景观建设的技术人员",
          goal="借鉴国内外先进园艺理念，提升植物园园林园艺与景观建设专业管理水平。",
          content="植物园景观规划设计；园艺植物繁育与养护；专类园建设；国外植物园园艺管理经验；现场实操。",
          kw="园林园艺；景观建设；植物园", host="中国科学院昆明植物研究所", scope="本单位（不对外公开）",
          fund="是", jp="是", attach=SIX, rank=1),
        R(pid=2302103, name="昆明植物所学习贯彻党的二十大精神专题培训班", cat="其他", start=D(2023, 2, 13),
          end=D(2023, 2, 14), hours=12, days=2, trainees=120, staff=4, fee=1, place="昆明植物所学术报告厅",
          aud="全所党员和中层干部", goal="深入学习贯彻党的二十大精神，落实必修课要求。",
          content="二十大精神专题辅导；生物多样性保护专题研讨。", kw="二十大", host="中国科学院昆明植物研究所"),
        R(pid=None, name="一带一路植物多样性与保护国际培训班", cat="专项技术短期培训班", start=D(2023, 9, 11),
          end=D(2023, 9, 22), hours=80, days=12, trainees=20, staff=2, fee=8, channel="国际合作经费",
          place="昆明植物所", station="科研类", aud="“一带一路”沿线国家植物多样性领域的青年学者",
          goal="推动“一带一路”沿线国家植物多样性研究与保护的交流合作。",
          content="植物多样性研究方法；保护策略与现状；丽江、香格里拉科研平台考察。", kw="一带一路；植物多样性",
          host="中国科学院昆明植物研究所"),
        R(pid=2302107, name="野外科考安全培训", cat="其他", start=D(2023, 4, 7), end=D(2023, 4, 7),
          hours=4, days=1, trainees=90, staff=2, fee=0.2, place="昆明植物所学术报告厅",
          aud="野外科考人员和研究生", goal="提高野外科考安全意识和应急处置能力。",
          content="野外安全规范；高原反应与急救；应急通信。", kw="野外安全", host="中国科学院昆明植物研究所"),
    ])


# ------------------------------------------------------------- writing
def cell_value(key, row, block_sub, contact):
    if key == "sub":
        return block_sub
    if key == "contact":
        return contact[0]
    if key == "phone":
        return contact[1]
    if key == "email":
        return contact[2]
    v = row.get(key)
    return v


def data_rows():
    """Yield ("row", unit_block, written_unit, row) / ("blank",) / ("note",) in sheet order."""
    for b in BLOCKS:
        if b == "BLANK":
            yield ("blank",)
            continue
        for r in b["rows"]:
            yield ("row", b, b["written"], r)
    for t in TAIL:
        yield ("row", t, t["written"], t["row"])
    yield ("blank",)
    yield ("note",)


def fmt(v):
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    return v


def write_export(path, merged):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "培训计划列表"
    ncol = len(COLS)
    if merged:
        titles = ["中国科学院2023年度继续教育与培训计划汇总表", "导出时间：2022-11-20 09:12:33",
                  "计划年度：2023    经费单位：万元    数据来源：中国科学院继续教育网（www.casmooc.cn）"]
    else:
        titles = ["中国科学院2023年度继续教育与培训计划汇总表（导出时间：2022-11-20）"]
    for i, t in enumerate(titles, start=1):
        ws.cell(row=i, column=1, value=t)
        if merged:
            ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=12)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    hdr = len(titles) + 1
    for j, (key, label, _) in enumerate(COLS, start=1):
        ws.cell(row=hdr, column=j, value=label).font = Font(bold=True)
    r = hdr + 1
    seq = 0
    positions = {}
    unit_col = [k for k, *_ in COLS].index("unit") + 1
    runs = []  # (first,last,written)
    cur = None
    for item in data_rows():
        if item[0] == "blank":
            cur = None
            r += 1
            continue
        if item[0] == "note":
            ws.cell(row=r, column=1, value=NOTE)
            positions["NOTE"] = r
            r += 1
            continue
        _, b, written, row = item
        seq += 1
        for j, (key, label, _) in enumerate(COLS, start=1):
            if key == "seq":
                v = seq
            elif key == "unit":
                v = written
            else:
                v = cell_value(key, row, b["sub"], b["contact"])
            if isinstance(v, dt.datetime):
                c = ws.cell(row=r, column=j, value=v)
                c.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(v, dt.date):
                c = ws.cell(row=r, column=j, value=v)
                c.number_format = "yyyy-mm-dd"
            elif v is not None:
                ws.cell(row=r, column=j, value=v)
        if row.get("app"):
            positions[row["app"]] = r
        elif row.get("setaside"):
            positions["SA:" + row["name"]] = r
        positions.setdefault("ROW:" + row["name"].strip(), []).append(r)
        if cur is not None and cur[2] == written and cur[3] is b:
            cur[1] = r
        else:
            cur = [r, r, written, b]
            runs.append(cur)
        r += 1
    if merged:
        for first, last, written, _ in runs:
            if last > first:
                ws.merge_cells(start_row=first, start_column=unit_col, end_row=last, end_column=unit_col)
                ws.cell(row=first, column=unit_col).alignment = Alignment(vertical="center", wrap_text=True)
    else:
        pass
    ws.freeze_panes = ws.cell(row=hdr + 1, column=4)
    for j in range(1, ncol + 1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = 14
    ws.column_dimensions[openpyxl.utils.get_column_letter(unit_col)].width = 26
    ws.column_dimensions["D"].width = 36
    wb.save(path)
    return hdr, positions, runs


def write_csv_unit(path):
    keys = [(k, lab) for k, _, lab in COLS if lab is not None]
    with open(path, "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow([lab for _, lab in keys])
        pos = {}
        for i, row in enumerate(CSV_UNIT["rows"], start=2):
            out = []
            for k, _ in keys:
                if k == "unit":
                    v = CSV_UNIT["written"]
                else:
                    v = cell_value(k, row, CSV_UNIT["sub"], CSV_UNIT["contact"])
                v = fmt(v)
                out.append("" if v is None else v)
            w.writerow(out)
            if row.get("app"):
                pos[row["app"]] = i
    return pos


HISTORY = [
    # unit, year, name, category, held, funded, implemented, completed, grant, spent, as_of, rate_text
    ("中国科学院计算技术研究所", 2022, "2022年开源芯片与处理器敏捷设计研修班", "专业技术研修班", "是", "是", "是", "是", 8, 7.2, D(2022, 11, 30), "90%"),
    ("中国科学院地理科学与资源研究所", 2021, "中国通量观测研究联盟第十六次通量观测理论与技术培训", "专项技术短期培训班", "是", "是", "是", "是", 10, 9.8, D(2021, 12, 31), None),
    ("中国科学院地理科学与资源研究所", 2022, "中国通量观测研究联盟第十七次通量观测理论与技术培训", "专项技术短期培训班", "是", "是", "是", "是", 10, 8.6, D(2022, 11, 30), 0.86),
    ("中国科学院植物研究所", 2021, "2021年植物分类与鉴定精品培训班", "精品培训项目", "是", "是", "是", "是", 10, 9.6, D(2021, 12, 31), None),
    ("中国科学院大气物理研究所", 2020, "资料同化技术研修班", "专业技术研修班", "是", "是", "是", "是", 8, 8, D(2020, 12, 31), None),
    ("中国科学院大气物理研究所", 2022, "2022年资料同化技术研修班", "专业技术研修班", "是", "是", "是", "是", 10, 5.0, D(2022, 11, 30), "50%"),
    ("中国科学院东北地理与农业生态研究所", 2019, "第三届湿地保护与修复研修班", "精品培训项目", "是", "是", "是", "是", 10, 9.5, D(2019, 12, 31), None),
    ("中国科学院东北地理与农业生态研究所", 2021, "第四届湿地保护与修复高级研修班", "人力资源社会保障部高级研修项目", "是", "是", "是", "是", 10, 10, D(2021, 12, 31), None),
    ("中国科学院东北地理与农业生态研究所", 2021, "第二届黑土地保护与利用研修班", "精品培训项目", "是", "是", "是", "是", 12, 11.5, D(2021, 12, 31), None),
    ("中国科学院东北地理与农业生态研究所", 2022, "第三届黑土地保护与利用高级研修班", "精品培训项目", "是", "是", "是", "是", 15, 13.8, D(2022, 11, 30), 0.92),
    ("中国科学院武汉病毒研究所", 2020, "生物安全实验室管理与实验技术培训班", "专项技术短期培训班", "是", "是", "是", "是", 6, 6, D(2020, 12, 31), None),
    ("中国科学院武汉病毒研究所", 2022, "2022年生物安全实验室管理与实验技术精品培训班", "精品培训项目", "是", "是", "是", "否", 10, 4.5, D(2022, 11, 30), "45"),
    ("中国科学院华南植物园", 2021, "2021年植物标本采集与鉴定精品培训班", "精品培训项目", "是", "是", "是", "是", 12, 11.6, D(2021, 12, 31), None),
    ("中国科学院成都生物研究所", 2022, "2022年山地生态系统综合管理技术培训班", "专项技术短期培训班", "否", "是", "否", "否", 8, 0, D(2022, 11, 30), "0%"),
    ("中国科学院昆明植物研究所", 2019, "2019年中国植物园联盟园林园艺与景观建设培训班", "专项技术短期培训班", "是", "否", "是", "是", None, None, D(2019, 12, 31), None),
    ("中国科学院西双版纳热带植物园", 2021, "第六届生态旅游环境解说培训班", "专项技术短期培训班", "是", "是", "是", "是", 6, 5.8, D(2021, 12, 31), None),
    ("中国科学院新疆生态与地理研究所", 2021, "2021年盐碱地综合改良利用研修班", "精品培训项目", "是", "是", "是", "是", 12, 12, D(2021, 12, 31), None),
    ("中国科学院武汉分院", 2022, "2022年武汉分院所级领导干部履职能力提升培训班", "管理类培训", "是", "是", "是", "是", 8, 7, D(2022, 11, 30), "87.5%"),
    ("中国科学院自动化研究所", 2021, "人工智能前沿国际学术讲坛", "学术讲坛", "是", "否", "是", "是", None, None, D(2021, 12, 31), None),
]


def write_history(path, rate_only):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "往年项目"
    if rate_only:
        hdr = ["单位名称", "年度", "培训名称", "项目类别", "是否举办", "是否院级资助", "是否实施", "是否完成",
               "执行率", "统计截止日期"]
    else:
        hdr = ["单位名称", "年度", "培训名称", "项目类别", "是否举办", "是否院级资助", "是否实施", "是否完成",
               "资助金额(万元)", "已支出(万元)", "统计截止日期"]
    ws.append(hdr)
    for (u, y, n, c, held, fund, impl, done, g, s, asof, rate) in HISTORY:
        if rate_only:
            ws.append([u, y, n, c, held, fund, impl, done, rate if y == 2022 else None, asof])
        else:
            ws.append([u, y, n, c, held, fund, impl, done, g, s, asof])
        ws.cell(row=ws.max_row, column=len(hdr)).number_format = "yyyy-mm-dd"
    for j, w in enumerate([30, 8, 44, 30, 9, 12, 9, 9, 14, 12, 14], start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = w
    wb.save(path)


ROSTER = [
    ("中国科学院计算技术研究所", "研究所", "北京分院", "计算所；中科院计算所"),
    ("中国科学院声学研究所", "研究所", "北京分院", "声学所"),
    ("中国科学院自动化研究所", "研究所", "北京分院", "自动化所"),
    ("中国科学院植物研究所", "研究所", "北京分院", "植物所"),
    ("中国科学院地理科学与资源研究所", "研究所", "北京分院", "地理资源所；地理所"),
    ("中国科学院微生物研究所", "研究所", "北京分院", "微生物所"),
    ("中国科学院大气物理研究所", "研究所", "北京分院", "大气所"),
    ("中国科学院心理研究所", "研究所", "北京分院", "心理所"),
    ("中国科学院东北地理与农业生态研究所", "研究所", "长春分院", "东北地理所"),
    ("中国科学院武汉病毒研究所", "研究所", "武汉分院", "武汉病毒所"),
    ("中国科学院华南植物园", "研究所", "广州分院", "华南植物园；华南国家植物园"),
    ("中国科学院成都生物研究所", "研究所", "成都分院", "成都生物所"),
    ("中国科学院昆明植物研究所", "研究所", "昆明分院", "昆明植物所"),
    ("中国科学院西双版纳热带植物园", "研究所", "昆明分院", "版纳植物园；西双版纳热带植物园"),
    ("中国科学院昆明动物研究所", "研究所", "昆明分院", "昆明动物所"),
    ("中国科学院新疆生态与地理研究所", "研究所", "新疆分院", "新疆生地所"),
    ("中国科学院武汉分院", "分院", "武汉分院", "武汉分院"),
    ("中国科学院科技促进发展局", "院机关部门", None, "科发局；科技促进发展局"),
    ("中国科学院条件保障与财务局", "院机关部门", None, "条财局；条件保障与财务局"),
]


def write_roster(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位名册"
    ws.append(["单位名称", "单位类型", "所属分院", "别名"])
    for row in ROSTER:
        ws.append(list(row))
    for j, w in enumerate([34, 12, 12, 36], start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = w
    wb.save(path)


# -------------------------------------------------- arithmetic cross-check
CAPS = {"处级及以下": 550, "司局级": 650, "其他": 760, "省部级": 760}


def num(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip().translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    if s.endswith("分钟"):
        return float(s[:-2]) / 60
    if s.endswith("万元"):
        return float(s[:-2])
    if s.endswith("元"):
        return float(s[:-1]) / 10000
    for suf in ("学时", "天"):
        if s.endswith(suf):
            s = s[: -len(suf)]
    return float(s)


def pf_check(row):
    out = []
    days, hours = num(row["days"]), num(row["hours"])
    n, staff, fee = num(row["trainees"]), num(row["staff"]), num(row["fee"])
    if row["mode"] != "线上培训":
        if days <= 1:
            ok = 0 <= hours <= 8 * days
        elif days < 3:
            ok = (days - 1) * 8 <= hours <= 8 * days
        else:
            ok = (days - 2) * 8 <= hours <= 8 * days
        if not ok:
            out.append("PF-HOURS")
    cap = CAPS[row["level"]]
    if n * (cap + 0.0001) * days < fee * 10000:
        out.append("PF-FEE")
    if staff > 10 or staff > n / 10:
        out.append("PF-STAFF")
    for k in ("goal", "content"):
        if not (10 <= len(row[k]) <= 300):
            out.append("PF-TEXT")
    if len(row["aud"]) > 300:
        out.append("PF-TEXT")
    if row["ptype"] == "外埠" and not row.get("place"):
        out.append("PF-PLACE")
    return out


def main():
    os.makedirs(os.path.join(HERE, "units"), exist_ok=True)
    hdr_m, pos_m, runs = write_export(os.path.join(HERE, "export_merged.xlsx"), merged=True)
    hdr_p, pos_p, _ = write_export(os.path.join(HERE, "export_plain.xlsx"), merged=False)
    pos_c = write_csv_unit(os.path.join(HERE, "units", "中国科学院昆明植物研究所.csv"))
    write_history(os.path.join(HERE, "history.xlsx"), rate_only=False)
    write_history(os.path.join(HERE, "history_rate_only.xlsx"), rate_only=True)
    write_roster(os.path.join(HERE, "roster.xlsx"))
    print("header row merged", hdr_m, "plain", hdr_p)
    allrows = [r for b in BLOCKS if b != "BLANK" for r in b["rows"]] + [t["row"] for t in TAIL] + CSV_UNIT["rows"]
    for r in allrows:
        tag = r.get("app") or (r.get("setaside") and "SA:" + r["name"])
        if not tag:
            continue
        where = pos_m.get(tag), pos_p.get(tag), pos_c.get(tag)
        pf = pf_check(r) if not r.get("setaside") else "-"
        print(tag, where, r.get("pid"), r["name"], "PF:", pf)
    print("NOTE row", pos_m.get("NOTE"), pos_p.get("NOTE"))
    for k, v in pos_m.items():
        if k.startswith("ROW:") and len(v) > 1:
            print("dup", k, v)
    print("merged runs:", [(a, b_, w) for a, b_, w, _ in runs if b_ > a])
    n_rows = sum(1 for _ in allrows)
    n_pid = sum(1 for r in allrows if r.get("pid"))
    print("rows", n_rows, "with pid", n_pid)


if __name__ == "__main__":
    main()
