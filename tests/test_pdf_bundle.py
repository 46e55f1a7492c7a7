"""Many documents printed as one bundle and cut into one PDF each (casplan.report.pdf, issue 19).

A bundle must give every part exactly what printing it alone gives: its own pages and nothing of
its neighbours, its own 「第 k 页 / 共 n 页」 and running header, and the same pixels. Parts of one,
two and several pages are mixed on purpose, and a bundle whose outline does not match its parts is
refused rather than cut on a guess.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from casplan.errors import ReportError
from casplan.report.documents import render_html
from casplan.report.pdf import PrintJob, print_pdfs

pytestmark = [pytest.mark.slow, pytest.mark.browser]

_HEAD = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>告知</title><style>'
         "body{font-family:'Noto Serif CJK SC',serif;font-size:10.5pt;margin:0}"
         "section.unit{break-before:page}section.unit:first-child{break-before:auto}"
         "td{border:0.6pt solid #555;padding:1.2mm}table{border-collapse:collapse;width:100%}</style></head><body>")


def _letter(k: int, rows: int) -> str:
    body = "".join(f"<tr><td>第{k}号单位 第{r}行</td><td>研修班项目名称{r}</td></tr>" for r in range(rows))
    return (f'<section class="unit"><h1>遴选结果告知</h1><p><b>测试单位{k}：</b></p>'
            f"<table>{body}</table><p>第{k}号单位完</p></section>")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    pages = text.split("\f")
    return ["".join(p.split()) for p in (pages[:-1] if pages and not pages[-1].strip() else pages)]


def _pixels(pdf: Path, out: Path) -> list[Image.Image]:
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(out)], check=True)
    return [Image.open(p).convert("L") for p in sorted(out.parent.glob(out.name + "*.png"))]


ROWS = [3, 70, 3, 40, 140]  # one page, two or three pages, one page, two pages, four or five pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, list[Path], list[Path]]:
    """The bundle cut into parts, and each part printed alone by the same code, same header."""
    root = tmp_path_factory.mktemp("bundle")
    parts = [root / "cut" / f"单位{k}.pdf" for k in range(len(ROWS))]
    alone = [root / "alone" / f"单位{k}.pdf" for k in range(len(ROWS))]
    bundle = _HEAD + "".join(_letter(k, n) for k, n in enumerate(ROWS)) + "</body></html>"
    jobs = [PrintJob(target=root / "bundle.pdf", html=bundle, header="2023年度遴选结果", parts=tuple(parts))]
    jobs += [PrintJob(target=path, html=_HEAD + _letter(k, n) + "</body></html>", header="2023年度遴选结果")
             for k, (path, n) in enumerate(zip(alone, ROWS))]
    print_pdfs(jobs)
    return root, parts, alone


def test_each_part_has_its_own_pages_and_page_numbers(printed):
    _, parts, alone = printed
    lengths = []
    for k, (part, single) in enumerate(zip(parts, alone)):
        pages, own = _pages(part), _pages(single)
        assert len(pages) == len(own) >= 1
        lengths.append(len(pages))
        for i, text in enumerate(pages, start=1):
            assert f"第{i}页/共{len(pages)}页" in text, (k, i, text[-80:])
            assert "2023年度遴选结果" in text
            others = {int(m) for m in re.findall(r"第(\d+)号单位", text)}
            assert others == {k}, (k, i, others)  # nothing of a neighbour
        assert "第1页/共" in pages[0] and f"测试单位{k}" in pages[0] and f"第{k}号单位完" in pages[-1]
    assert lengths[0] == 1 and max(lengths) >= 4 and len(set(lengths)) >= 3  # the cases the bundle must cut


def test_a_part_looks_as_if_printed_alone(printed):
    root, parts, alone = printed
    for k, (part, single) in enumerate(zip(parts, alone)):
        cut = _pixels(part, root / "png" / f"cut{k}-")
        own = _pixels(single, root / "png" / f"alone{k}-")
        assert len(cut) == len(own)
        for a, b in zip(cut, own):
            assert a.size == b.size
            changed = ImageChops.difference(a, b).point(lambda v: 1 if v > 64 else 0).histogram()[1]
            assert changed <= a.size[0] * a.size[1] // 2000, (k, changed)  # anti-aliasing at most


def test_a_bundle_whose_outline_does_not_match_its_parts_is_refused(tmp_path):
    # a part that holds two <h1>: the outline has one entry too many, so where to cut is not known
    bundle = _HEAD + _letter(0, 3) + _letter(1, 3).replace("<p>第1号", "<h1>多出的标题</h1><p>第1号") + "</body></html>"
    parts = (tmp_path / "a.pdf", tmp_path / "b.pdf")
    with pytest.raises(ReportError, match=r"目录有 3 个条目（应为 2 个"):
        print_pdfs([PrintJob(target=tmp_path / "bundle.pdf", html=bundle, parts=parts)])
    assert not any(p.exists() for p in parts)


def test_the_background_printer_reports_a_missing_chromium_in_chinese(tmp_path, monkeypatch):
    """Chromium not installed: the printer's thread ends at once, the calls made meanwhile do nothing, and
    finish() raises the one Chinese message (not a CancelledError, not 「无法启动 Chromium：'…'」 twice)."""
    import casplan.report.pdf as pdf
    from casplan.errors import ReportError

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    printer = pdf.BackgroundPrinter()
    printer.watch(tmp_path / "jobs.json", lambda: [])
    printer.notebook_done(tmp_path / "jobs.json", lambda: [])
    printer.submit([PrintJob(target=tmp_path / "a.pdf", html="<h1>a</h1>")])
    with pytest.raises(ReportError) as err:
        printer.finish()
    assert str(err.value).startswith("生成 PDF 需要 Chromium"), str(err.value)
    assert not (tmp_path / "a.pdf").exists()


def test_the_background_printer_prints_what_is_queued_before_and_after_the_notebook(tmp_path):
    """Pages the notebook queues (a file that appears while it runs) and a page handed in afterwards: all
    printed by one browser; abort() after finish() is harmless."""
    import json
    import time

    from casplan.report.pdf import BackgroundPrinter

    listing = tmp_path / "jobs.json"

    def queued():
        return [PrintJob(target=tmp_path / name, html=f"<h1>{name}</h1>") for name in json.loads(listing.read_text())]

    printer = BackgroundPrinter()
    printer.watch(listing, queued)
    time.sleep(0.3)  # the notebook is still running
    listing.write_text(json.dumps(["一.pdf", "二.pdf"]))
    time.sleep(0.5)
    printer.notebook_done(listing, queued)  # already taken by the watch: not handed in twice
    printer.submit([PrintJob(target=tmp_path / "报告.pdf", html="<h1>报告</h1>")])
    printer.finish()
    printer.abort()
    for name in ("一.pdf", "二.pdf", "报告.pdf"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == sorted(["一.pdf", "二.pdf", "报告.pdf"])
