"""The analysts' catalogue: every reason code the workbook can show, what it means and what to do.

The meanings come from the modules' own catalogues (:data:`casplan.intake.INTAKE_REASONS`,
:func:`casplan.eligibility.rule_texts` and :func:`~casplan.eligibility.reason_texts` of the
packaged policy,
:data:`casplan.scoring.SCORING_REASONS`, :data:`casplan.selection.REASONS` and
:data:`~casplan.selection.STATUS_TEXT`); this module adds only what an analyst should
do about each code (:data:`ADVICE`), what each error kind means (:data:`ERROR_ADVICE`)
and what each column of the export is used for (:data:`FIELD_USES`). The guide's
pages ``docs/消息目录.md`` and ``docs/字段表.md`` are generated from here, so they
cannot drift from the code::

    python -m casplan.catalogue > docs/消息目录.md
    python -m casplan.catalogue fields > docs/字段表.md

>>> table = messages()
>>> table.columns
['code', '阶段', '含义', '处理建议']
>>> table.filter(pl.col("code") == "I-DATE")["阶段"].item()
'接收与校验'
>>> "| `S-CUTOFF` |" in render_markdown()
True
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

import polars as pl

from casplan import errors
from casplan.eligibility import reason_texts, rule_texts
from casplan.intake.fields import EXPERT_FIELDS, FIELDS, HISTORY_FIELDS, REVIEW_FIELDS, ROSTER_FIELDS, Field
from casplan.intake import INTAKE_REASONS
from casplan.scoring import SCORING_REASONS
from casplan.selection import REASONS as SELECTION_REASONS
from casplan.selection import STATUS_TEXT
from casplan.policy import load_policy

_POLICY = load_policy()
RULES = rule_texts(_POLICY)
ELIGIBILITY_REASONS = reason_texts(_POLICY)

__all__ = ["STAGES", "EXTRA_INTAKE_REASONS", "ADVICE", "PREFIX_ADVICE", "ERROR_ADVICE", "FIELD_USES",
           "STATUS_ADVICE", "messages", "advice_for", "render_markdown", "render_fields_markdown", "main"]

# Codes the intake can emit that INTAKE_REASONS does not list (yet): the schema's type check and the
# parsers' default code. Kept here so that the guide names every code the workbook can show.
EXTRA_INTAKE_REASONS: dict[str, str] = {
    "I-TYPE": "值的类型与该列不符（表结构检查发现的其他问题）",
    "I-FORMAT": "值的格式无法识别（未归入以上各类的格式问题）",
}

STAGES: tuple[tuple[str, Mapping[str, str]], ...] = (
    ("接收与校验", {**INTAKE_REASONS, **{k: v for k, v in EXTRA_INTAKE_REASONS.items() if k not in INTAKE_REASONS}}),
    ("资格审查", ELIGIBILITY_REASONS),
    ("评分", SCORING_REASONS),
    ("遴选", SELECTION_REASONS),
)
"""(stage, the module's catalogue: code → meaning) in the order of the year's work."""

PREFIX_ADVICE: dict[str, str] = {
    "I": "按消息中的文件、工作表、行号找到原值，改正后重新导出；无法判断时退回报送单位。",
    "T": "核对“培训类别”和申报栏目（是否申请资助、专项技术支持、精品项目、人社部高研）。",
    "P1": "提示：在报告“单位报送情况”中列出，由处里决定是否催报或说明。",
    "P2": "提示：请单位在年度计划中补列二十大精神学习必修课。",
    "Y1": "不符合即不参加专业技术研修班遴选；请单位核实后修改计划，或在人工决定文件中写明理由豁免。",
    "Y2": "不符合即不参加专项技术短期培训班遴选；请单位核实后修改计划，或在人工决定文件中写明理由豁免。",
    "Y3": "不符合即不参加学术讲坛遴选；请单位核实后修改计划，或在人工决定文件中写明理由豁免。",
    "J1": "不符合即不参加精品培训项目遴选；请单位核实，或在人工决定文件中写明理由豁免。",
    "J2": "请单位补齐附件后重新报送，或退回单位。",
    "G1": "不符合即不参加人社部高级研修项目遴选（可按精品培训项目参加）；请单位核实。",
    "M1": "不符合即不参加管理类培训遴选。",
    "U1": "“原则上”的规则：遴选默认每所至多 1 项；如需例外，在情景推演中关闭 U1 或经处里研究后人工决定。",
    "U2": "“原则上”的规则：默认不予资助；确有理由时在人工决定文件中写明理由豁免（按单位或按申报）。",
    "PF": "平台表单规则：请单位在平台上改正后重新导出。",
    "B1": "请单位补填经费预算后重新导出。",
    "U0": "在人工决定中确认单位（unit_alias / unit_distinct）。",
    "R": "见各代码的说明。",
    "S": "见各代码的说明；想看改变名额、权重或经费的效果，用情景推演。",
}
"""What to do, per code prefix (the fallback when a code has no advice of its own)."""

ADVICE: dict[str, str] = {
    # 接收与校验
    "I-REQUIRED": "请单位补填单位名称（或主办单位）、培训名称、培训类别后重新导出；若该行是说明或合计行，可不予理会。",
    "I-BOOL": "改为 是/否（也认 1/0、√/×）；拿不准单位的意思时退回单位确认。",
    "I-NUMBER": "改为一个数字（如 3.5），去掉“待定”“约”等文字；尚未确定的，退回单位补填。",
    "I-NUMBER-RANGE": "与单位确认后填一个数字；工作簿不会替单位取平均值。",
    "I-INT": "改为整数（人数、场次、排序不能有小数）。",
    "I-DATE": "改为实际存在的日期（如 2023-03-01）；常见原因是笔误（2月30日）或写成了“三月上旬”。",
    "I-RANGE": "核对是否多写或少写了零、误填负号；改正后重新导出。",
    "I-DATE-ORDER": "核对开始与结束时间是否填反或年份写错。",
    "I-CODE": "按平台下拉选项填写：培训地点 本地/外埠，培训方式 线下/线上/混合，培训对象级别 处级及以下/司局级/其他。",
    "I-HEADER-REPEAT": "多为几个导出文件拼接时带进来的表头行，已搁置，无需处理；若确是数据，请检查该行。",
    "I-DUPLICATE": "同一项目只按一项申报计：消息指出保留的那一行；请单位在平台上删去重复的一条。若确是两个不同的项目，请单位改用不同的名称后重新导出。",
    "I-DUPLICATE-UNIT": "提示：删去名册中多余的一行，或把不同写法并入“别名”一列。",
    "I-UNIT-UNKNOWN": "提示（报告首页也会列出）：多为简称或旧称。在名册“别名”一列补上这种写法，或在人工决定中写 unit_alias；按名称推断的单位类型有误时写 unit_type。",
    "I-UNIT-SIMILAR": "提示：核对是否确为同一单位；不是的，在人工决定中写 unit_distinct（该写法即按独立单位处理）。",
    "I-UNIT-TYPE": "提示：最好提供单位名册；推断有误的单位，在人工决定中写 unit_type。",
    "I-UNIT-AMBIGUOUS": "核对后在人工决定中写 unit_alias（原单位名称 → 名册中的单位）或 unit_distinct（确为另一个单位）；否则其申报不参加遴选。",
    "I-HIDDEN": "提示：请单位删去名称中的特殊字符；工作簿已按去除后（读者看到的）名称处理。",
    "I-UNIT": "改为一个数并写对单位（经费按万元，或写明“元”；学时写数字或“120分钟”）。",
    "I-UNIT-CONVERTED": "说明，无需处理：核对换算后的数是否与单位的本意一致。",
    "I-MONEY-UNIT": "提示：多为把“元”当成“万元”填写；请单位核实后在平台上改正（按万元填写）。",
    "I-YEAR": "不是本年度的计划（或培训年度填错）：核对导出范围，或请单位改正培训年度。",
    "I-DATE-YEAR": "核对年份是否填错（如 2099、1900，或跨了两年）；请单位改正后重新导出。",
    "I-DATE-SPAN": "天数与起止日期对不上：请单位核对天数或起止日期。",
    "I-ENCODING": "请单位把整个文件另存为同一种编码（UTF-8 或 GBK）后重新导出；不要把网页上的文字直接粘进 GBK 文件。",
    "I-ID-CONFLICT": "同一个计划ID对应不同的项目：请单位（或平台技术支持）核对后重新导出；核清之前这几行都不参加审查。",
    "I-STATUS": "暂存、已撤销或未通过审核的计划不是正式报送：请单位在平台上提交（或重新报送）后再导出。",
    "I-NOTE": "说明，无需处理；若“未读取的工作表”里确有计划，请检查该表的表头。",
    "I-TYPE": "少见。请把消息和原文件交给维护人员查看。",
    "I-FORMAT": "按消息中“应为”的写法改正后重新导出。",
    # 资格审查
    "T-CATEGORY": "培训类别写成了不可资助的类别（如“其他”），或精品/人社部申报不是研修班、短期班；请单位改正类别或撤回申报。",
    "T-NONE": "没有勾选任何申报栏目，不参加遴选；若单位本意是申报，请其在平台勾选后重新导出。",
    "P1-LATE": "提示，不影响资格：报告中列为逾期报送，由处里决定是否接受。",
    "P1-MISSING": "名册中的单位未报送：核对名册与导出范围，必要时催报。",
    "P2-MISSING": "提示：请单位在年度计划中补列党的二十大精神学习必修课。",
    "Y1-DAYS": "不足 3 天不参加研修班遴选；核实天数是否填错（与开始、结束时间对照）。",
    "Y1-FLAG": "研修班须在“是否申请资助”选“是”；单位未选即视为不申报。",
    "Y1-AUDIENCE": "提示：研修班参加人员应为科研人员，请单位核对“适用岗位”。",
    "Y2-DAYS": "不足 3 天不参加短期班遴选；核实天数是否填错。",
    "Y2-FLAG": "短期班须在“是否申请资助”选“是”。",
    "Y2-JOINT": "说明，不是问题：联合施训在评分中加分。",
    "Y2-AUDIENCE": "提示：短期班应以科技人员为主，请单位核对“适用岗位”。",
    "Y3-LECTURES": "每年不少于 6 场；核实“讲座场次”。",
    "Y3-HOURS": "单场不少于 2 学时；核实“单场学时”。",
    "Y3-FLAG": "学术讲坛须在“是否申请专项技术支持”选“是”。",
    "Y3-MONEY": "学术讲坛获得的是拍摄、直播等专项技术支持而非经费：请单位改为申请专项技术支持。",
    "Y3-FOREIGN": "提示：通知鼓励邀请国外一流科研机构或大学的专家，不影响资格。",
    "J1-HISTORY": "在往年项目中没找到此前的举办记录：若名称变了，用人工决定 confirm_history 确认往年项目；确未举办过的不具备资格。",
    "J1-DAYS": "精品项目不少于 4 天；核实天数。",
    "J1-TRAINEES": "精品项目学员不少于 70 人；核实人数。",
    "J1-OPEN": "精品项目须面向院内单位开放；请单位核对“培训公开范围”。",
    "J1-FLAG": "精品项目须在“是否申请资助”选“是”。",
    "J1-JINGPIN": "申报精品须在“精品项目”一栏选“是”。",
    "J2-ATTACH": "消息列出缺少的附件；请单位补齐后重新报送，或退回。",
    "J2-PPT": "培训教材清单不能只交 PPT；请单位提交教材清单。",
    "J2-RENEWAL": "说明：2022 年已获资助并完成的精品项目，只需培训方案和教学计划。",
    "G1-HISTORY": "没找到此前举办的精品或人社部高研项目：名称变了的用 confirm_history 确认；否则不具备资格（仍可按精品参加）。",
    "G1-DAYS": "“5天左右”按政策文件 days_band 的范围判断；超出范围的请单位核实。",
    "G1-TRAINEES": "“100人左右”按政策文件 trainees_band 的范围判断；超出范围的请单位核实。",
    "G1-PER-UNIT": "每单位最多 1 项：按单位的资助推荐排序保留第 1 项，其余不参加人社部高研遴选；请单位确认排序。",
    "G1-FLAG": "人社部高研项目须在“是否申请资助”选“是”。",
    "M1-UNIT": "管理类培训只能由院机关各部门或分院申报；研究所的管理类培训不参加遴选。",
    "M1-FLAG": "管理类培训须在“是否申请资助”选“是”。",
    "U1-EXTRA": "提示：遴选时每所至多入选 1 项（按得分取舍）；单位的资助推荐排序用于评分和提示。",
    "U2-NOT-IMPLEMENTED": "默认不予资助；有正当理由（如疫情延期已获批准）的，在人工决定文件中按单位写明理由豁免。",
    "U2-LOW-RATE": "默认不予资助；执行率恰在门槛附近或已补报支出的，核实后可在人工决定文件中写明理由豁免。",
    "PF-HOURS": "学时应与天数相符；请单位在平台上改正学时或天数。",
    "PF-FEE": "人均每日经费超过标准：请单位压减经费预算或核对人数、天数、培训对象级别。",
    "PF-STAFF": "工作人员不超过 10 人且不超过学员的 10%：请单位核减。",
    "PF-TEXT": "培训目的、培训内容应为 10–300 字：请单位补写或精简。",
    "PF-PLACE": "选择外埠须填写具体地点：请单位补填。",
    "PF-SCOPE": "提示：确认单位的本意；常见写法请补进政策文件的 open_scope 表（并注明是否面向院内开放）。",
    "U0-UNIT": "须人工确认：在人工决定中写 unit_alias 或 unit_distinct 后重新运行（见第 3 章）。",
    "B1-AMOUNT": "申请经费资助须填写经费预算（万元，大于 0）：请单位补填；否则该项不参加经费资助类别的遴选。",
    "U2-UNCHECKED": "待核：提供往年项目文件（含 2022 年度院级资助项目的实施情况和执行率）后重新运行。",
    "U2-RATE-CONFLICT": "提示：核对往年项目文件中的执行率与金额，改正其中错的一个。",
    # 评分
    "R-TIE": "按全部排序规则仍并列：在报告中说明，必要时请专家评审或经处里研究后人工决定。",
    "R-REVIEW-UNKNOWN": "评审文件中的申报编号写错了，或该申报已被搁置：按报告中的“申报编号”核对评审文件。",
    "R-REVIEWER-ONE": "该专家只评了 1 项，无法按本人的评分尺度校准：请其多评几项，或接受按中位处理。",
    # 遴选
    "S-CHOSEN": "无需处理；说明中的“高出未入选最高分”越小，结果越容易随权重改变（见稳健性图）。",
    "S-FORCED-IN": "确认人工决定文件中已写明理由和经办人；报告会列出。",
    "S-FORCED-OUT": "确认人工决定文件中已写明理由和经办人；报告会列出。",
    "S-CUTOFF": "本类别名额已满且得分低于入选线：想看增加名额或调整权重后能否入选，用情景推演。",
    "S-TIE": "与入选线同分，按排序链排在后面：确需调整的，经处里研究后用人工决定强制入选或不入选。",
    "S-UNIT": "同单位已有得分更高或更优先的项目入选（每所原则上 1 项、人社部高研每单位 1 项）：例外须关闭 U1 或人工决定。",
    "S-BUDGET": "剩余经费不够：在情景推演中提高经费总额，或请单位压减预算。",
    "S-TRADEOFF": "单看名额、单位、经费都不受阻，但计入它会使总分下降：见报告“最优方案与简单排序方案的比较”。",
    "S-INFEASIBLE": "约束相互冲突（如强制入选超过名额或经费）：按冲突说明调整名额、经费或人工决定。",
}
"""What to do, per code (in Chinese, for the analysts)."""

STATUS_ADVICE: dict[str, str] = {
    "optimal": "正常结果。",
    "time_limit": "少见；结果可用但未证明最优。请报告维护人员，并在报告中注明。",
    "infeasible": "按冲突说明调整名额、经费或人工决定后重新运行（命令退出码 3）。",
    "error": "请把命令和输出交给维护人员（命令退出码 1）。",
}
"""What to do about each solver status (:data:`casplan.selection.STATUS_TEXT`)."""

ERROR_ADVICE: dict[str, tuple[str, str]] = {
    "CasplanError": ("其他可预见的错误", "按消息说明处理；看不懂的交给维护人员。"),
    "InputError": ("输入文件（计划、往年项目、名册、评审、人工决定、情景）无法使用",
                   "消息写明文件和位置；改正该文件后重新运行。"),
    "UnreadableFileError": ("文件根本读不了：不存在、为空、损坏、加密，或找不到表头",
                            "检查路径是否写对；用 Excel 打开另存为 xlsx；确认表头行含“培训名称”等列名。"),
    "PolicyError": ("政策文件缺少键、有未知的键（多为拼写错误）或值不对",
                    "按消息中的位置（如 tracks[0].quota）改正政策文件，再用 casplan policy check 校验。"),
    "OverrideError": ("人工决定或评审文件写了不存在的申报编号、单位、类别、规则，或缺少理由、经办人",
                      "按消息改正人工决定文件；申报编号以报告和审查结果中显示的为准。"),
    "SelectionError": ("遴选的约束无法同时满足（如强制入选超过名额或经费）", "按冲突说明调整名额、经费或强制入选。"),
    "ReportError": ("报告未能生成（笔记本某个单元出错、Chromium 缺失或超时）",
                    "上一次的成功报告保持不变；按消息处理后重新运行，仍失败的把消息交给维护人员。"),
}
"""Each error kind of :mod:`casplan.errors`: (when it happens, what to do); the exit code comes from the class."""

FIELD_USES: dict[str, str] = {
    # 培训计划
    "plan_id": "平台的计划编号；有它时申报编号为 “P”+计划ID，重新导出后不变",
    "unit": "必填（可由“主办单位”代替）；与名册对照，得到单位类型和所属分院",
    "organizer": "“单位名称”为空时用作单位名称",
    "train_name": "必填；方向匹配（权重最高）、往年项目匹配、二十大必修课（P2）；无计划ID时参与生成申报编号",
    "year": "无计划ID时参与生成申报编号",
    "category": "必填；按政策文件 categories 决定可参加哪些类别的遴选",
    "start_date": "与结束时间核对先后",
    "end_date": "与开始时间核对先后",
    "class_hours": "平台规则：学时与天数相符（PF-HOURS）",
    "days": "最低天数（Y1、Y2、J1）、人社部“5天左右”（G1）、评分“时长”、人均每日经费",
    "trainees": "精品最低人数（J1）、人社部“100人左右”（G1）、评分“规模”、人均经费、工作人员比例",
    "staff": "平台规则：工作人员人数（PF-STAFF）",
    "fee_level": "人均每日经费标准（PF-FEE）和评分“经费节约”",
    "fee_channel": "读取并保留在清洗后的表中，不参与审查和评分",
    "budget": "遴选安排的经费（万元，人社部高研最多按 15 万计）、PF-FEE、评分“经费节约”",
    "is_noted": "读取并保留，不参与审查（精品申报看“精品项目”一列）",
    "local": "选“外埠”时须有具体地点（PF-PLACE）",
    "location": "外埠培训的具体地点（PF-PLACE）",
    "station": "研修班、短期班的参加人员提示（Y1-AUDIENCE、Y2-AUDIENCE）",
    "item_type": "读取并保留，不参与审查",
    "train_way": "线上培训不检查学时与天数",
    "attendants": "平台规则：不超过 300 字（PF-TEXT）",
    "goal": "平台规则：10–300 字（PF-TEXT）；方向匹配（较弱）；二十大必修课（P2）",
    "content": "平台规则：10–300 字（PF-TEXT）；方向匹配（较弱）；二十大必修课（P2）",
    "keywords": "方向匹配（仅次于培训名称）；二十大必修课（P2）",
    "contact": "只在加 --include-contacts 时写入 xlsx，不出现在 HTML 和 PDF 中",
    "contact_phone": "同“联系人”",
    "contact_email": "同“联系人”",
    "open_scope": "精品须面向院内开放（J1-OPEN）；评分“开放程度”",
    "comment": "读取并保留，不参与审查",
    "submitted_at": "晚于截止日期的记为逾期报送（P1-LATE）",
    "apply_funding": "申报研修班、短期班、精品、人社部高研、管理类须为“是”（各 *-FLAG）",
    "apply_support": "申报学术讲坛须为“是”（Y3-FLAG）",
    "jingpin": "申报精品须为“是”（J1-JINGPIN）",
    "mohrss": "同时申报人社部高研项目（G1）",
    "lectures": "学术讲坛场次（Y3-LECTURES）、评分“规模”",
    "lecture_hours": "学术讲坛单场学时（Y3-HOURS）、评分“时长”",
    "foreign_experts": "学术讲坛邀请国外专家（Y3-FOREIGN 提示）",
    "joint_units": "联合施训：短期班加分（Y2-JOINT）、评分“联合施训”",
    "attachments": "精品附件是否齐全（J2-ATTACH、J2-PPT）、评分“附件完整”",
    "support_rank": "单位的资助推荐排序：每单位限报时保留哪一项（G1-PER-UNIT、U1-EXTRA）、评分“单位推荐排序”",
    "draft": "平台的暂存标记（temp）：暂存的计划不是正式报送，搁置（I-STATUS）",
    "withdrawn": "平台的撤销标记（reported）：已撤销的计划搁置（I-STATUS）",
    "approve_status": "平台的审核状态：未通过上级部门审核（1043）、驳回修改（1048）的计划搁置（I-STATUS）",
}
"""What the workbook does with each column of the plan export (:data:`casplan.intake.fields.FIELDS`)."""

_OTHER_USES: dict[str, dict[str, str]] = {
    "往年项目（history.xlsx）": {
        "unit": "按单位匹配往年项目", "year": "2022 年度的项目用于执行率（U2）",
        "train_name": "与今年的培训名称做相似度匹配（J1、G1 的举办记录）",
        "track": "精品、人社部高研、院级资助研修班/短期班（写法见政策文件 history_categories，如“人力资源社会保障部高级研修项目”）",
        "held": "是否举办过", "funded": "是否获院级资助",
        "implemented": "2022 年项目未实施 → U2-NOT-IMPLEMENTED", "completed": "2022 年已完成的精品只需两项附件（J2）",
        "granted": "执行率的分母", "spent": "执行率的分子", "as_of": "统计截止日期（核对用）",
        "rate": "没有资助金额、已支出时按它计算执行率（U2）；与金额算出的不一致时提示（U2-RATE-CONFLICT）",
    },
    "单位名册（roster.xlsx）": {
        "unit": "应报送的单位；未出现在导出中的记为未报送（P1-MISSING）",
        "unit_type": "研究所/分院/院机关部门/其他：U1 只管研究所，管理类只许院机关部门和分院（M1）",
        "branch": "报告按分院汇总", "aliases": "单位的简称、曾用名（“；”分隔），导出中这样写也能认出",
    },
    "专家评审（reviews.csv）": {
        "app_id": "申报编号（与审查结果中显示的一致）", "reviewer": "评审专家：按每位专家的全部评分校准",
        "score": "评分（任意分制，校准为百分位）", "confidence": "把握程度（可不填）",
    },
    "评审专家（专家表）": {
        "expert_id": "专家编号（不填按行序编号；不能重复）", "name": "专家姓名", "unit": "不评审本单位的申报",
        "branch": "政策开关打开时不评审本分院的申报", "topics": "与申报匹配的重点支持方向比较，越契合越优先分配",
        "max_load": "最多评审几项（不填用政策的 review_round.max_load）", "conflicts": "声明回避的单位（“、”或“；”分隔）",
    },
}

_KIND = {"text": "文字", "bool": "是/否", "number": "数字", "date": "日期", "int": "整数",
         "money": "金额（万元；写明“元”的自动换算）", "hours": "学时（写成分钟的按政策换算）", "rate": "比例（50%、0.5 或 50）"}


def advice_for(code: str) -> str:
    """What to do about a code: its own advice, else its prefix's (``J1`` for ``J1-DAYS``, ``I`` for ``I-…``).

    >>> advice_for("U2-LOW-RATE").startswith("默认不予资助")
    True
    >>> advice_for("Y1-NEW-CODE") == PREFIX_ADVICE["Y1"]
    True
    """
    if code in ADVICE:
        return ADVICE[code]
    prefix = code.split("-", 1)[0]
    return PREFIX_ADVICE.get(prefix, PREFIX_ADVICE.get(prefix[:1], ""))


def messages() -> pl.DataFrame:
    """Every reason code of every stage: code, 阶段, 含义 (the module's own text), 处理建议.

    >>> m = messages()
    >>> m.filter(pl.col("code") == "U2-LOW-RATE").row(0)[:2]
    ('U2-LOW-RATE', '资格审查')
    >>> m["code"].is_duplicated().any()
    False
    """
    rows = [(code, stage, meaning, advice_for(code))
            for stage, catalogue in STAGES for code, meaning in catalogue.items()]
    return pl.DataFrame(rows, schema={"code": pl.Utf8, "阶段": pl.Utf8, "含义": pl.Utf8, "处理建议": pl.Utf8},
                        orient="row")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return out


def _rule_mode() -> dict[str, str]:
    """The mode of each rule in the packaged policy (hard / soft), for the headings."""
    from casplan.policy import load_policy

    return {rid: r.mode for rid, r in load_policy().rules.items()}


def render_markdown() -> str:
    """The guide's message catalogue (``docs/消息目录.md``), generated from the code.

    >>> text = render_markdown()
    >>> text.startswith("# 消息目录")
    True
    """
    table = messages()
    modes = _rule_mode()
    lines = [
        "# 消息目录",
        "",
        "<!-- 本页由 `python -m casplan.catalogue > docs/消息目录.md` 生成，请勿手改；"
        "tests/test_docs.py 检查它与代码一致。 -->",
        "",
        "工作簿给出的每一条消息都以一个**代码**开头或附带一个代码（如 `I-DATE`、`U2-LOW-RATE`、`S-CUTOFF`），"
        "后面是具体说明：哪个文件、哪个工作表、Excel 中的第几行、哪一列、原来填的是什么、应该填什么。"
        "本页按工作的先后列出全部代码：它的含义（取自程序本身的代码表），以及分析人员该怎么做。",
        "",
        "- 代码的第一段是规则编号：`I` 接收与校验，`T`、`P1`…`PF` 资格审查（与通知条款对应），`R` 评分，`S` 遴选。",
        "- 同一个代码在不同申报上的具体说明不同，例如 `Y1-DAYS` 会写出该项目的天数和最低天数。",
        "",
    ]
    counts = table.group_by("阶段", maintain_order=True).len()
    lines += _table(["阶段", "代码数"], counts.rows()) + [""]
    number = "一二三四五六七八九十"
    for i, (stage, _) in enumerate(STAGES):
        part = table.filter(pl.col("阶段") == stage)
        lines += [f"## {number[i]}、{stage}", ""]
        if stage == "资格审查":
            lines += ["资格审查的代码按通知的规则分组。**不符合**（排除）的项目不参加该类别遴选；**提示**不影响资格，"
                      "只在结果中列出；“原则上”的规则（政策文件中 `mode: soft`）默认执行，可在政策文件中关闭，"
                      "或在人工决定文件中逐项、逐单位豁免（见《资格审查》一章）。", ""]
            for rule, text in RULES.items():
                codes = part.filter(pl.col("code").str.split("-").list.first() == rule)
                if codes.height == 0:
                    continue
                mode = modes.get(rule)
                tag = {"soft": "（原则上：`soft`）", "hard": "（硬性：`hard`）"}.get(mode or "", "")
                lines += [f"### {rule} {text}{tag}", ""]
                lines += _table(["代码", "含义", "处理建议"],
                                [(f"`{c}`", m, a) for c, _, m, a in codes.iter_rows()]) + [""]
            orphans = part.filter(~pl.col("code").str.split("-").list.first().is_in(list(RULES)))
            if orphans.height:
                lines += ["### 其他", ""]
                lines += _table(["代码", "含义", "处理建议"], [(f"`{c}`", m, a) for c, _, m, a in orphans.iter_rows()])
                lines += [""]
        else:
            lines += _table(["代码", "含义", "处理建议"], [(f"`{c}`", m, a) for c, _, m, a in part.iter_rows()])
            lines += [""]
    lines += [f"## {number[len(STAGES)]}、求解状态", "",
              "`casplan select`、情景推演和报告开头都会写出遴选的求解状态：", ""]
    lines += _table(["状态", "显示的文字", "处理建议"],
                    [(f"`{k}`", v, STATUS_ADVICE.get(k, "")) for k, v in STATUS_TEXT.items()]) + [""]
    lines += [f"## {number[len(STAGES) + 1]}、错误与命令的退出码", "",
              "命令出错时只打印一行中文说明（不打印程序内部的调用栈），并以非零的退出码结束；"
              "定时任务据此判断是否成功。每个命令的退出码都是这一张表：", ""]
    lines += _table(["退出码", "含义"], sorted(errors.EXIT_CODES.items())) + ["", "各类错误的退出码：", ""]
    rows = []
    for name in errors.__all__:
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, errors.CasplanError):
            when, what = ERROR_ADVICE[name]
            rows.append((f"`{name}`", cls.exit_code, when, what))
    lines += _table(["错误类别", "退出码", "什么时候出现", "怎么办"], rows) + [""]
    return "\n".join(lines)


def _field_rows(fields: Sequence[Field], uses: Mapping[str, str]) -> list[tuple]:
    return [(f"**{f.label}**", "、".join(f"`{a}`" for a in f.aliases) or "—", _KIND[f.kind], uses[f.name])
            for f in fields]


def render_fields_markdown() -> str:
    """The guide's column list (``docs/字段表.md``): every column read, the headers accepted, its use.

    >>> "| **天数** |" in render_fields_markdown()
    True
    """
    lines = [
        "# 字段表：工作簿读取哪些列",
        "",
        "<!-- 本页由 `python -m casplan.catalogue fields > docs/字段表.md` 生成，请勿手改；"
        "tests/test_docs.py 检查它与代码一致。 -->",
        "",
        "表头按下表识别：标准列名，或“也认得的表头”中的任何一个（不分全角半角、大小写，忽略空格和末尾的冒号）。"
        "表头可以在前 30 行的任何一行，上面的标题行、导出时间会被跳过。"
        "**不在表中的列**照原样保留在 `--out` 写出的清洗后文件中（排在标准列之后），"
        "并在 `casplan validate` 的逐文件统计里列为“未识别的列”，但不参与审查、评分和遴选。",
        "",
        "## 培训计划（平台导出）",
        "",
    ]
    lines += _table(["列名", "也认得的表头", "值", "用途"], _field_rows(FIELDS, FIELD_USES)) + [""]
    for (title, uses), fields in zip(_OTHER_USES.items(), (HISTORY_FIELDS, ROSTER_FIELDS, REVIEW_FIELDS, EXPERT_FIELDS)):
        lines += [f"## {title}", ""]
        lines += _table(["列名", "也认得的表头", "值", "用途"], _field_rows(fields, uses)) + [""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m casplan.catalogue [messages|fields]``: print the page on stdout (UTF-8)."""
    args = list(sys.argv[1:] if argv is None else argv)
    what = args[0] if args else "messages"
    if what not in ("messages", "fields"):
        print("用法：python -m casplan.catalogue [messages|fields]", file=sys.stderr)
        return 2
    text = render_markdown() if what == "messages" else render_fields_markdown()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
