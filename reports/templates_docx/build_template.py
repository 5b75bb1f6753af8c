"""Builds work_report.docx, the Word template of the work report (docxtpl), in the GB/T 9704-2012
format of RULES.md §8. Run it to regenerate the committed template after changing this script:

    .venv/bin/python reports/templates_docx/build_template.py [output.docx]

The bureau may instead edit work_report.docx in Word (styles, footer, the fixed texts) and upload
it on the 模板 page; see reports/README.md. The layout it sets:

- A4, margins top 37 mm, bottom 35 mm, left (binding) 28 mm, right 26 mm: text block 156 × 225 mm;
- document grid 22 lines × 28 characters: line pitch and exact line spacing 28.95 pt, character
  pitch 156 mm / 28;
- styles (each East Asian font set through w:rFonts w:eastAsia): 公文标题 2号 (22 pt) 方正小标宋简体
  centred; 公文正文 3号 (16 pt) 仿宋_GB2312, first line indented 2 characters, justified; 一级标题
  ("一、") 黑体; 二级标题 ("（一）") 楷体_GB2312; 三级标题 ("1.") 仿宋_GB2312 bold; 落款; 附件标记;
  表题; 表格文字 (4号 仿宋);
- page numbers 4号 (14 pt) 宋体 "— 1 —" in the footer: odd pages right, even pages left, one
  character in from the edge of the text block.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "work_report.docx"

PAGE_W, PAGE_H = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINES, CHARS = 22, 28
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 14

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def twips(length) -> int:
    return round(length / 635)  # EMU → twentieths of a point


def text_width_twips() -> int:
    return twips(PAGE_W) - twips(LEFT) - twips(RIGHT)


def text_height_twips() -> int:
    return twips(PAGE_H) - twips(TOP) - twips(BOTTOM)


LINE_PITCH = text_height_twips() // LINES  # 579 twips = 28.95 pt
# Extra space per character in 1/4096 pt so that exactly 28 characters of 16 pt fill the line.
CHAR_SPACE = int((text_width_twips() / 20 / CHARS - BODY_PT) * 4096) - 1


def set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """w:rFonts with the East Asian font (Word uses it for Chinese) and a Latin font."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def set_indent_chars(style_or_par, *, first_line: int = 0, left: int = 0, right: int = 0, size_pt: int = BODY_PT):
    """Indents in characters (w:firstLineChars etc., hundredths of a character) plus the same in
    twips for programs that ignore the character units."""
    ppr = style_or_par._element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), str(first_line * 100))
    ind.set(qn("w:firstLine"), str(first_line * size_pt * 20))
    ind.set(qn("w:leftChars"), str(left * 100))
    ind.set(qn("w:left"), str(left * size_pt * 20))
    ind.set(qn("w:rightChars"), str(right * 100))
    ind.set(qn("w:right"), str(right * size_pt * 20))


def paragraph_style(
    doc,
    name: str,
    *,
    font: str,
    size: int,
    base: str = "Normal",
    bold: bool = False,
    align=None,
    first_line: int = 2,
    exact: bool = True,
    right: int = 0,
    page_break_before: bool = False,
):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles[base]
        style.quick_style = True
    style.font.size = Pt(size)
    style.font.bold = bold
    set_fonts(style.element, font)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PITCH / 20)
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = True
    fmt.page_break_before = page_break_before
    set_indent_chars(style, first_line=first_line, right=right, size_pt=size)
    return style


def add_page_number(doc, footer, *, odd: bool) -> None:
    """ "— 1 —" in 4号宋体: a PAGE field between two em dashes."""
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.style = doc.styles["页码"]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    set_indent_chars(p, right=1 if odd else 0, left=0 if odd else 1, size_pt=PAGE_NUMBER_PT)

    def run(text: str = ""):
        r = p.add_run(text)
        r.font.size = Pt(PAGE_NUMBER_PT)
        set_fonts(r._element, PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
        return r

    run("— ")
    begin = run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "begin")
    begin._element.append(fld)
    instr_run = run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_run._element.append(instr)
    sep = run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "separate")
    sep._element.append(fld)
    run("1")
    end = run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    end._element.append(fld)
    run(" —")


def set_doc_grid(section) -> None:
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def set_cell_widths(table, widths_mm) -> None:
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def mark_header_row(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)


def build(path: Path = OUTPUT) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance = Mm(15)
    section.footer_distance = Mm(25)  # the page number sits about 7 mm below the text block
    set_doc_grid(section)

    paragraph_style(doc, "Normal", font=BODY_FONT, size=BODY_PT)
    body = paragraph_style(doc, "公文正文", font=BODY_FONT, size=BODY_PT)
    paragraph_style(doc, "公文标题", font=TITLE_FONT, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=0)
    paragraph_style(doc, "一级标题", font=H1_FONT, size=BODY_PT, base="公文正文")
    paragraph_style(doc, "二级标题", font=H2_FONT, size=BODY_PT, base="公文正文")
    paragraph_style(doc, "三级标题", font=BODY_FONT, size=BODY_PT, base="公文正文", bold=True)
    paragraph_style(
        doc,
        "落款",
        font=BODY_FONT,
        size=BODY_PT,
        base="公文正文",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        first_line=0,
        right=4,
    )
    paragraph_style(
        doc,
        "附件标记",
        font=H1_FONT,
        size=BODY_PT,
        base="公文正文",
        align=WD_ALIGN_PARAGRAPH.LEFT,
        first_line=0,
        page_break_before=True,
    )
    paragraph_style(
        doc, "表题", font=H1_FONT, size=BODY_PT, base="公文正文", align=WD_ALIGN_PARAGRAPH.CENTER, first_line=0
    )
    paragraph_style(
        doc,
        "表格文字",
        font=BODY_FONT,
        size=TABLE_PT,
        base="公文正文",
        align=WD_ALIGN_PARAGRAPH.LEFT,
        first_line=0,
        exact=False,
    )
    paragraph_style(
        doc,
        "页码",
        font=PAGE_NUMBER_FONT,
        size=PAGE_NUMBER_PT,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        first_line=0,
        exact=False,
    )
    set_fonts(doc.styles["页码"].element, PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)

    doc.settings.odd_and_even_pages_header_footer = True
    add_page_number(doc, section.footer, odd=True)
    add_page_number(doc, section.even_page_footer, odd=False)

    def par(text: str, style: str = "公文正文"):
        return doc.add_paragraph(text, style=style)

    par("{{ title }}", "公文标题")
    par("")  # one blank line between the title and the text (GB/T 9704 7.3.3)
    par("{%p for p in body %}")
    par('{%p if p.style == "h1" %}')
    par("{{ p.text }}", "一级标题")
    par('{%p elif p.style == "h2" %}')
    par("{{ p.text }}", "二级标题")
    par('{%p elif p.style == "h3" %}')
    par("{{ p.text }}", "三级标题")
    par('{%p elif p.style == "sign" %}')
    par("{{ p.text }}", "落款")
    par("{%p else %}")
    par("{{ p.text }}", "公文正文")
    par("{%p endif %}")
    par("{%p endfor %}")

    par("{%p if appendix %}")
    par("附件", "附件标记")
    par("{{ appendix_title }}", "公文标题")
    par("{%p for t in appendix %}")
    par("{{ t.title }}", "表题")
    table = doc.add_table(rows=4, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = [
        ["序号", "指标", "数值", "单位"],
        ["{%tr for r in t.rows %}", "", "", ""],
        ["{{ r.no }}", "{{ r.label }}", "{{ r.value }}", "{{ r.unit }}"],
        ["{%tr endfor %}", "", "", ""],
    ]
    for row, texts in zip(table.rows, cells, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            p = cell.paragraphs[0]
            p.text = text
            p.style = doc.styles["表格文字"]
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    table.rows[2].cells[2].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    mark_header_row(table.rows[0])
    set_cell_widths(table, (16, 90, 30, 20))
    par("{%p endfor %}")
    par("{%p endif %}")

    del body
    doc.core_properties.title = "党建工作情况报告（模板）"
    doc.core_properties.author = "机关党建工作平台"
    doc.core_properties.comments = "docxtpl 模板：双花括号处填入数据，带 %p、%tr 的行是循环与条件，请勿删除。"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
    print(f"已生成模板：{out}（行距 {LINE_PITCH / 20} 磅，字符间距调整 {CHAR_SPACE}/4096 磅）")
