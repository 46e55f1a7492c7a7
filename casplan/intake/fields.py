"""The canonical plan table: English identifiers, the analysts' Chinese labels.

Every column the workbook understands is declared once here, with the label the
analysts see, the kind of value it holds, and every header under which the
platform (中国科学院继续教育网) or a unit's own spreadsheet may carry it: the form's
labels with or without the trailing colon, the platform's English field names
(``trainName``, ``days`` …) and the 2023 notice's declaration columns.

>>> FIELDS_BY_NAME["days"].label
'天数'
>>> match_header("天数：")
'days'
>>> match_header("trainName")
'train_name'
>>> match_header("Unknown column") is None
True
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

import polars as pl

Kind = Literal["text", "bool", "number", "date", "int", "money", "hours", "rate"]

__all__ = [
    "Field",
    "FIELDS",
    "FIELDS_BY_NAME",
    "HISTORY_FIELDS",
    "ROSTER_FIELDS",
    "REVIEW_FIELDS",
    "EXPERT_FIELDS",
    "REQUIRED_PLAN_FIELDS",
    "IGNORED_PLAN_HEADERS",
    "PROVENANCE",
    "KIND_DTYPES",
    "header_key",
    "match_header",
]


@dataclass(frozen=True)
class Field:
    """One canonical column.

    Parameters
    ----------
    name : English identifier used in code and in frames.
    label : the Chinese label shown to analysts and written in cleaned outputs.
    kind : how raw cells are normalised (see :mod:`casplan.intake.normalize`).
    aliases : other headers accepted for this column (compared by :func:`header_key`).
    about : for numbers, whether a companion ``<name>_about`` flag keeps 约/左右.
    """

    name: str
    label: str
    kind: Kind = "text"
    aliases: tuple[str, ...] = ()
    about: bool = False


# Provenance columns every accepted and set-aside row carries.
PROVENANCE = ("source_file", "source_sheet", "source_row")

FIELDS: tuple[Field, ...] = (
    Field("plan_id", "计划ID", "text", ("ID", "id", "计划编号", "培训计划ID", "trainPlanID")),
    Field("unit", "单位名称", "text", ("单位", "申报单位", "填报单位", "所属单位")),
    Field("organizer", "主办单位", "text", ("orgName", "orgsname", "承办单位")),
    Field("train_name", "培训名称", "text", ("trainName", "项目名称", "培训项目名称", "培训班名称")),
    Field("year", "培训年度", "int", ("year", "年度", "计划年度")),
    Field("category", "培训类别", "text", ("trainTypeID", "trainTypeId", "培训类型", "项目类别")),
    Field("start_date", "培训开始时间", "date", ("startTime", "开始时间", "开始日期", "培训开始日期")),
    Field("end_date", "培训结束时间", "date", ("endTime", "结束时间", "结束日期", "培训结束日期")),
    Field("class_hours", "学时", "hours", ("classHour", "总学时", "培训学时"), about=True),
    Field("days", "天数", "number", ("培训天数", "培训时长"), about=True),
    Field("trainees", "学员计划参加人数", "number",
          ("attendantCount", "计划参加人数", "学员人数", "培训人数", "计划培训人数"), about=True),
    Field("staff", "工作人员计划人数", "number", ("工作人员人数", "工作人员数")),
    Field("fee_level", "培训对象级别", "text", ("feeLevel",)),
    Field("fee_channel", "列支渠道", "text", ("feeChannel",)),
    Field("budget", "经费预算(万元)", "money",
          ("fee", "经费预算", "所需经费(万元)", "所需经费", "经费(万元)", "预算(万元)")),
    Field("is_noted", "是否精品培训班", "bool", ("isNoted",)),
    Field("local", "培训地点", "text", ("ifBJ", "本地/外埠")),
    Field("location", "具体地点", "text", ("Location", "地点", "培训地点的具体地点")),
    Field("station", "适用岗位", "text", ("stationId",)),
    Field("item_type", "项目类型", "text", ("itemType", "item_type")),
    Field("train_way", "培训方式", "text", ("trainWay", "trainMode")),
    Field("attendants", "培训对象", "text", ("attendants",)),
    Field("goal", "培训目的", "text", ("trainGoal",)),
    Field("content", "培训内容", "text", ("trainContent", "trainingContent")),
    Field("keywords", "培训关键词", "text", ("关键词", "keywords")),
    Field("contact", "联系人", "text", ("organizerName",)),
    Field("contact_phone", "联系人电话", "text", ("telephone", "联系电话")),
    Field("contact_email", "联系人Email", "text", ("organizerEmail", "联系人邮箱", "Email", "邮箱")),
    Field("open_scope", "培训公开范围", "text", ("openScope", "公开范围")),
    Field("comment", "备注", "text", ("comment",)),
    Field("submitted_at", "上报时间", "date", ("casUpload", "提交时间", "申报时间", "报送时间")),
    # The 2023 notice's declaration columns.
    Field("apply_funding", "是否申请资助", "bool", ("casSupport", "申请资助", "是否申请院资助")),
    Field("apply_support", "是否申请专项技术支持", "bool", ("申请专项技术支持", "是否申请技术支持")),
    Field("jingpin", "精品项目", "text", ("creamProject", "是否精品项目", "精品项目类型")),
    Field("mohrss", "同时申报人社部高研项目", "bool",
          ("同时申报人力资源社会保障部高研项目", "同时申报人社部高级研修项目", "人社部高研", "是否申报人社部高研项目")),
    Field("lectures", "讲座场次", "number", ("讲座场数", "讲座次数", "报告场次")),
    Field("lecture_hours", "单场学时", "hours", ("单场讲座学时", "每场学时")),
    Field("foreign_experts", "邀请国外专家", "bool", ("是否邀请国外专家", "国外专家")),
    Field("joint_units", "联合举办单位", "text", ("联合施训单位", "合办单位", "联合单位")),
    Field("attachments", "附件", "text", ("附件材料", "上传附件", "附件清单")),
    Field("support_rank", "资助推荐排序", "int", ("casSupportRank", "推荐排序", "资助排序", "单位推荐排序")),
    # The platform's status of a plan (planList.js): a draft, a withdrawn or a rejected plan was not submitted.
    Field("draft", "暂存", "text", ("temp", "是否暂存")),
    Field("withdrawn", "已撤销", "text", ("reported", "是否撤销", "撤销状态")),
    Field("approve_status", "审核状态", "text", ("approveStatusID", "approveStatusName", "审批状态")),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}

# The polars dtype of each kind of column (one map for the schema, the normalisers and the intake).
KIND_DTYPES = {"text": pl.Utf8, "bool": pl.Boolean, "number": pl.Float64, "money": pl.Float64,
               "hours": pl.Float64, "rate": pl.Float64, "int": pl.Int64, "date": pl.Date}

# Headers of the platform's form and export that are known and deliberately not used: they say how a
# training was run or is administered, not what the bureau decides on. Recognised, so that they are
# not reported as unknown columns, and kept as read in the cleaned table.
IGNORED_PLAN_HEADERS: tuple[str, ...] = (
    "学员实际人数", "管理岗人数", "支撑岗人数", "科研岗人数", "工作人员实际人数", "报销费用(万元)", "辅助资料",
    "是否分院展示", "上报机构", "是否允许下级管理员报名", "是否允许报名", "报名是否需要审批", "报名开始时间",
    "报名结束时间", "level", "planTime", "orgID", "organizerID", "sponsorID", "sponsorName", "planType",
    "subTrainTypeID", "pubStatus", "implStatusID", "tenantId", "operatorId", "operatorName", "sponsorType",
    "fee1", "fee2", "fee3", "fee4", "isShared", "sharedCourseNum", "trainCode", "cad_report", "lastOperateTime",
    "lastOperateId", "arpUpload", "supportDelegate", "deletable", "approveContent", "notedMaterial", "序号",
)

# A row without these cannot be read at all (unit may come from 主办单位).
REQUIRED_PLAN_FIELDS = ("unit", "train_name", "category")

HISTORY_FIELDS: tuple[Field, ...] = (
    Field("unit", "单位名称", "text", ("单位", "主办单位")),
    Field("year", "年度", "int", ("培训年度", "举办年度")),
    Field("train_name", "培训名称", "text", ("项目名称",)),
    Field("track", "项目类别", "text", ("资助类别", "类别")),
    Field("held", "是否举办", "bool", ("已举办", "举办")),
    Field("funded", "是否院级资助", "bool", ("院级资助", "是否资助")),
    Field("implemented", "是否实施", "bool", ("已实施", "实施情况")),
    Field("completed", "是否完成", "bool", ("已完成", "组织实施完成")),
    Field("granted", "资助金额(万元)", "money", ("资助经费(万元)", "下达经费(万元)", "资助金额")),
    Field("spent", "已支出(万元)", "money", ("执行经费(万元)", "支出(万元)", "已支出")),
    Field("rate", "执行率", "rate", ("经费执行率", "执行率(%)", "预算执行率")),
    Field("as_of", "统计截止日期", "date", ("截至日期", "统计日期")),
)

ROSTER_FIELDS: tuple[Field, ...] = (
    Field("unit", "单位名称", "text", ("单位",)),
    Field("unit_type", "单位类型", "text", ("类型",)),
    Field("branch", "所属分院", "text", ("分院",)),
    Field("aliases", "别名", "text", ("简称", "曾用名")),
)

REVIEW_FIELDS: tuple[Field, ...] = (
    Field("app_id", "申报编号", "text", ("id", "application", "项目编号")),
    Field("reviewer", "评审专家", "text", ("reviewer", "专家")),
    Field("score", "评分", "number", ("score", "分数")),
    Field("confidence", "把握程度", "number", ("confidence", "置信度")),
)

EXPERT_FIELDS: tuple[Field, ...] = (
    Field("expert_id", "专家编号", "text", ("编号", "专家ID")),
    Field("name", "专家姓名", "text", ("姓名", "专家")),
    Field("unit", "单位", "text", ("所在单位", "工作单位", "单位名称")),
    Field("branch", "所属分院", "text", ("分院",)),
    Field("topics", "研究方向", "text", ("专业方向", "研究领域", "擅长方向")),
    Field("max_load", "最多评审数", "int", ("评审上限", "最多评审项数")),
    Field("conflicts", "回避单位", "text", ("需回避单位", "利益冲突单位")),
)


def header_key(text: str) -> str:
    """Fold a header for comparison: NFKC, no spaces, no trailing colon, lower case.

    >>> header_key(" 培训名称： ")
    '培训名称'
    >>> header_key("经费预算（万元）")
    '经费预算(万元)'
    >>> header_key("（培训地点的具体地点）")
    '培训地点的具体地点'
    """
    folded = unicodedata.normalize("NFKC", str(text))
    folded = "".join(folded.split())
    folded = folded.rstrip(":：*")
    folded = folded.lstrip("*")
    if folded.startswith("(") and folded.endswith(")") and "(" not in folded[1:-1]:
        folded = folded[1:-1]  # the platform's 「（培训地点的具体地点）」
    return folded.lower()


def _index(fields: tuple[Field, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in fields:
        for header in (f.label, f.name, *f.aliases):
            index.setdefault(header_key(header), f.name)
    return index


_INDEXES: dict[int, dict[str, str]] = {}


def match_header(text: str, fields: tuple[Field, ...] = FIELDS) -> str | None:
    """The canonical name a header stands for, or ``None`` when unknown."""
    index = _INDEXES.get(id(fields))
    if index is None:
        index = _INDEXES[id(fields)] = _index(fields)
    return index.get(header_key(text))
