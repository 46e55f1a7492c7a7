"""The documents the bureau sends besides the committee report: the annex, the 公示 list, a letter per unit.

Each is an HTML page made from a Jinja2 template of the package (``report/templates``, every value
escaped) and printed to PDF with the committee report in one Chromium (:mod:`casplan.report.pdf`);
the 公示 list and the letters also go out as xlsx (numbers as numbers, A4 print set-up). The content
comes from :mod:`casplan.report.content`; nothing here decides anything.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from casplan.report import content

__all__ = ["ANNEX", "PUBLICITY", "LETTERS_DIR", "LETTERS_BOOK", "Document", "render_html", "annex_document", "frame_html", "cover_html", "signature_html", "section_html", "publicity_workbook",
           "publicity_document", "letter_documents", "write_documents"]

ANNEX = "附件"
PUBLICITY = "公示名单"
LETTERS_DIR = "单位反馈"
LETTERS_BOOK = "单位反馈.xlsx"
SENDER = "中国科学院人事局继续教育与干部监督处"


@dataclass(frozen=True)
class Document:
    """One HTML page to print: where it goes (without suffix), its HTML, its orientation, a running header.

    A bundle (``parts`` set) holds one document per part, each opening with an ``<h1>`` on a new sheet;
    it is printed once and cut into ``parts`` (the stems of the files), each with its own page numbers."""

    stem: str
    html: str
    landscape: bool = False
    header: str = ""
    parts: tuple[str, ...] = ()


def _cell(value: object):
    from markupsafe import Markup, escape

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Markup("<td></td>")
    if isinstance(value, bool):
        return Markup("<td>{}</td>").format("是" if value else "否")
    if isinstance(value, int):
        return Markup('<td class="num">{}</td>').format(value)
    if isinstance(value, float):
        return Markup('<td class="num">{}</td>').format(f"{value:,.2f}".rstrip("0").rstrip("."))
    if isinstance(value, (list, tuple)):
        value = "、".join(str(v) for v in value)
    return Markup("<td>{}</td>").format(escape(str(value)))


def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("casplan.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals["cell"] = _cell
    return env


def render_html(template: str, **values) -> str:
    """A page of the package's templates filled with ``values`` (every value HTML-escaped)."""
    values.setdefault("orientation", "portrait")
    return _environment().get_template(template).render(**values)


def _date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _table(frame: pl.DataFrame, caption: str) -> dict:
    return {"frame": frame, "caption": caption}


def annex_document(data, *, day: dt.date, mark: str = "") -> Document:
    """The annex: waiting lists, the ineligible and why (code beside text), set-aside rows, every unit, and more."""
    from casplan.eligibility import reason_texts
    from casplan.views import tables

    year = data.year
    policy = year.loaded.policy
    reasons = reason_texts(policy)
    sections = []
    waiting = []
    for t in policy.tracks:
        lst = tables.track_list(data, t.id).filter(pl.col("状态") == "候补").drop("状态", "入选线", "命中词（字段）")
        waiting.append(_table(lst, f"{t.name}：候补（{lst.height} 项，按得分排列）"))
    sections.append({"heading": "一、各类别候补名单", "text": "具备资格而未入选的项目，按得分排列；“说明”写明未入选的原因。",
                     "tables": waiting})
    fails = year.eligibility.verdicts.filter(pl.col("status") == "fail")
    counts = (fails.group_by("code").agg(pl.col("app_id").n_unique().alias("申报项数"))
              .with_columns(pl.col("code").replace_strict(reasons, default="（无说明）").alias("说明"))
              .sort(["申报项数", "code"], descending=[True, False]).select(pl.col("code").alias("原因代码"), "说明", "申报项数"))
    ineligible = tables.ineligible_table(year.eligibility.summary, policy.track_names)
    sections.append({"heading": "二、不具备资格的申报及原因", "text": "硬性规则不符合即不参加该类别遴选；原因代码后附中文说明。",
                     "tables": [_table(counts, "不具备资格的原因统计"),
                                _table(ineligible, f"不具备资格的（申报, 类别）（{ineligible.height} 项）")]})
    aside = tables.set_aside_table(year.loaded.plans.set_aside)
    sections.append({"heading": "三、接收时搁置的行",
                     "text": "平台导出中无法使用的行，不计入审查；读取行数 = 接收 + 搁置。",
                     "tables": [_table(tables.files_table(year.loaded.plans.files), "逐文件读取情况"),
                                _table(aside, f"搁置的行（{aside.height} 条）")]})
    units = tables.units_table(year.eligibility.units, policy)
    sections.append({"heading": "四、各单位报送情况", "text": "名册中的全部单位：报送、逾期、学习内容与上年度执行情况。",
                     "tables": [_table(units, f"各单位情况（{units.height} 个单位）")]})
    history = content.history_comparison(data)
    if history is not None:
        directions = content.direction_comparison(data)
        sections.append({"heading": "五、与上年度相比", "text": "上年度获资助项目的方向按其名称与本年度的方向词表匹配（取最匹配的一个）。",
                         "tables": [_table(history, "本年度拟入选单位与上年度获资助单位"),
                                    _table(directions, "各重点支持方向的项目数")]})
    if data.robustness is not None:
        prob = tables.probability_for(data, limit=200).select(
            pl.col("app_id").alias("申报编号"), pl.col("train_name").alias("项目名称"), pl.col("track_name").alias("类别"),
            (pl.col("p_selected") * 100).round(0).alias("入选概率（%）"),
            pl.when(pl.col("base_chosen")).then(pl.lit("入选")).otherwise(pl.lit("未入选")).alias("本方案"))
        sections.append({"heading": "六、稳健性", "text": "评分权重随机扰动后，入选与否会变化的项目（在任一类别入选即计为入选）。",
                         "tables": [_table(prob, "入选结果对权重敏感的项目")]})
    from casplan import counterfactuals, overrides_frame

    decisions = overrides_frame(year.loaded.overrides)
    margin = tables.counterfactual_table(counterfactuals(data.candidates, options=data.options, budget_delta=50))
    sections.append({"heading": "七、人工决定与边际变化", "text": "",
                     "tables": [_table(decisions, "人工决定"), _table(margin, "名额 ±1、经费总额 ±50 万元时的变化")]})
    if year.loaded.reviews is not None:
        k = policy.review_round.per_application
        coverage = content.review_coverage_table(data)
        split = content.disagreement_table(data)
        sections.append({"heading": "八、专家评审", "text": (
            f"宽严：每份评审与同一项目其他专家的评审之差，按专家平均（百分制，正为偏宽）；校准后即按计分所用的"
            f"校准方法换算后的差。评审少于 {k} 份的项目，评审部分只按已有评审计算，没有评审的按评分准则计分。"),
            "tables": [_table(content.leniency_table(data), "各位专家的宽严（校准前后）"),
                       _table(coverage, f"有效评审少于 {k} 份的具备资格申报（{coverage.height} 项）"),
                       _table(split, f"评审意见分歧较大的申报（最高分与最低分相差超过 {content.DISAGREEMENT_POINTS:g} 分，"
                                     f"{split.height} 项）")]})
    title = f"中国科学院{policy.year}年度继续教育与培训院级资助项目遴选报告 附件"
    subtitle = "　".join(x for x in (mark, _date_text(day)) if x)
    return Document(stem=ANNEX, html=render_html("annex.html.j2", title=title, subtitle=subtitle, sections=sections,
                                                 orientation="landscape"),
                    landscape=True, header=f"{policy.year}年度遴选报告附件" + (f"（{mark}）" if mark else ""))


def _publicity_title(policy) -> str:
    return f"中国科学院{policy.year}年度继续教育与培训院级资助项目拟资助名单"


def publicity_document(data, *, day: dt.date) -> Document:
    """The 公示 list as a printable page: only the selected, by track."""
    policy = data.year.loaded.policy
    frame = content.publicity_list(data)
    tables = []
    for name in data.options.track_names.values():
        part = frame.filter(pl.col("类别") == name).drop("类别")
        if part.height:
            part = part.with_columns(pl.int_range(1, pl.len() + 1).alias("序号"))
            if part["拟资助金额（万元）"].null_count() == part.height:
                part = part.drop("拟资助金额（万元）")
            else:
                part = part.drop("支持方式")
            tables.append(_table(part, f"{name}（{part.height} 项）"))
    money = content.money_by_track(data)
    total = money.filter(pl.col("类别") == "合计").row(0, named=True)
    footnote = (f"共 {total['入选项数']} 项，拟资助经费合计 {total['拟资助经费（万元）']:g} 万元；"
                "学术讲坛项目由院提供专项技术支持（课程拍摄制作、直播等），不安排经费。")
    html = render_html("publicity.html.j2", title=_publicity_title(policy), subtitle=_date_text(day), tables=tables,
                       footnote=footnote)
    return Document(stem=PUBLICITY, html=html, header="")


def publicity_workbook(data, *, day: dt.date) -> bytes:
    """公示名单.xlsx: a title row and the date above the list, numbers as numbers, A4 with repeated header rows."""
    from casplan.io import SheetTitle, excel_bytes

    policy = data.year.loaded.policy
    frame = content.publicity_list(data)
    return excel_bytes({"公示名单": frame}, number_formats={"拟资助金额（万元）": "0.0"},
                       titles={"公示名单": SheetTitle(_publicity_title(policy), (_date_text(day),))})


LETTERS_PER_BUNDLE = 60  # the fonts a part carries are its bundle's: a bounded bundle keeps each letter small


def letter_documents(data, *, day: dt.date, per_bundle: int = LETTERS_PER_BUNDLE,
                     letters: list | None = None) -> list[Document]:
    """The letters, one per submitting unit (``单位反馈/<单位>``), as bundles of at most ``per_bundle`` to
    print (none when no unit submitted); ``letters``: :func:`content.unit_letters` when already made."""
    policy = data.year.loaded.policy
    title = f"{policy.year}年度继续教育与培训院级资助项目遴选结果告知"
    letters = content.unit_letters(data) if letters is None else letters
    stems, seen = [], {}
    for letter in letters:
        stem = letter.file_stem
        seen[stem] = seen.get(stem, 0) + 1
        stems.append(f"{LETTERS_DIR}/{stem}" + (f"-{seen[stem]}" if seen[stem] > 1 else ""))
    docs = []
    for k in range(0, len(letters), per_bundle):
        html = render_html("letters.html.j2", title=title, letters=letters[k:k + per_bundle], year=policy.year,
                           sender=SENDER, date=_date_text(day))
        docs.append(Document(stem=f"{LETTERS_DIR}-{k // per_bundle + 1}", html=html,
                             parts=tuple(stems[k:k + per_bundle])))
    return docs


def write_documents(data, out_dir: str | os.PathLike, *, day: dt.date | None = None, mark: str = "") -> list[Document]:
    """Write the xlsx of the 公示 list and the letters into ``out_dir``; return the HTML pages still to print.

    The pages are printed by :func:`casplan.report.pdf.print_documents` (one browser for all)."""
    from casplan.io import SheetTitle, excel_bytes, write_atomic, write_text_atomic

    day = day or dt.date.today()
    out = Path(out_dir)
    write_atomic(out / f"{PUBLICITY}.xlsx", publicity_workbook(data, day=day))
    unit_letters = content.unit_letters(data)  # once: the workbook and the printed letters say the same
    policy = data.year.loaded.policy
    write_atomic(out / LETTERS_BOOK, excel_bytes(
        {"单位反馈": content.letters_table(unit_letters)}, number_formats={"拟资助经费（万元）": "0.0"},
        titles={"单位反馈": SheetTitle(f"{policy.year}年度遴选结果（按单位）", (_date_text(day),), landscape=True)}))
    docs = [annex_document(data, day=day, mark=mark), publicity_document(data, day=day),
            *letter_documents(data, day=day, letters=unit_letters)]
    write_text_atomic(out / f"{ANNEX}.html", docs[0].html)  # the annex is also read on screen
    return docs


# --- pieces of the committee report (the notebook shows them as HTML) ---------------------------------

def frame_html(frame: pl.DataFrame, *, caption: str | None = None) -> str:
    """A frame as a print-ready HTML table (every value escaped; numbers right-aligned)."""
    return render_html("fragment_table.html.j2", frame=frame, caption=caption)


def cover_html(data, *, mark: str, day: dt.date, run_id: str = "") -> str:
    """The committee report's title block: title, year, mark (征求意见稿 / 送审稿), date and run id, basis."""
    policy = data.year.loaded.policy
    return render_html("fragment_cover.html.j2", year=policy.year, mark=mark, date=_date_text(day), run_id=run_id,
                       notice=policy.notice)


def signature_html() -> str:
    """The approval block at the end of the committee report."""
    return render_html("fragment_signature.html.j2")


def section_html(heading: str, text: str = "", tables: list[tuple[pl.DataFrame, str]] = (), *,
                 keep_together: bool = True) -> str:
    """A section of the committee report in one piece: its heading, a paragraph and tables, kept on one page
    when it fits (a heading never stands alone at a page's foot)."""
    return render_html("fragment_section.html.j2", heading=heading, text=text,
                       tables=[{"frame": f, "caption": c} for f, c in tables], keep_together=keep_together)
