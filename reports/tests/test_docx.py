"""The Word document in the GB/T 9704 format (RULES.md §8), checked with python-docx; the statistics
workbook; the template the bureau edits in Word (upload, check, reset)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from openpyxl import load_workbook

from core.models import AuditEntry
from core.periods import Period
from reports import docx as report_docx
from reports import services
from reports.templates_docx import build_template

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")
MM = 36000  # EMU per millimetre


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft(est, hold, media):
    import datetime

    b = est
    hold(b.root, "topic_meeting", datetime.date(2022, 2, 10), code="party_building")
    hold(b.b1, "theme_party_day", datetime.date(2022, 3, 10))
    d = services.draft_generate(actor=b.users.committee, organization=b.root, period=H1)
    return services.block_update(
        actor=b.users.committee, draft=d, block_id="opening", text="开头段：A&B <测试> “引号”。\n第二行另起一段。"
    )


def document_of(draft) -> Document:
    buffer = io.BytesIO()
    report_docx.render_docx(draft.content, buffer)
    buffer.seek(0)
    return Document(buffer)


def east_asia(style) -> str:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def indent_chars(style) -> str | None:
    ind = style.element.pPr.find(qn("w:ind"))
    return None if ind is None else ind.get(qn("w:firstLineChars"))


def test_page_layout_is_gb_t_9704(draft):
    doc = document_of(draft)
    section = doc.sections[0]
    assert round(section.page_width / MM) == 210 and round(section.page_height / MM) == 297  # A4
    assert round(section.top_margin / MM) == 37 and round(section.bottom_margin / MM) == 35
    assert round(section.left_margin / MM) == 28 and round(section.right_margin / MM) == 26
    width = section.page_width - section.left_margin - section.right_margin
    height = section.page_height - section.top_margin - section.bottom_margin
    assert abs(width / MM - 156) < 0.5 and abs(height / MM - 225) < 0.5  # text block 156 × 225 mm
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = int(grid.get(qn("w:linePitch")))
    assert pitch == 579 and int(height / 635) // pitch == 22  # 22 lines of 28.95 pt
    char = 16 + int(grid.get(qn("w:charSpace"))) / 4096  # points per character of 3号 text
    assert int(width / 12700 / char) == 28  # 28 characters per line


def test_fonts_sizes_and_paragraph_styles(draft):
    doc = document_of(draft)
    styles = doc.styles
    title, body = styles["公文标题"], styles["公文正文"]
    assert east_asia(title) == "方正小标宋简体" and title.font.size.pt == 22  # 2号小标宋
    assert title.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert east_asia(body) == "仿宋_GB2312" and body.font.size.pt == 16  # 3号仿宋
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.paragraph_format.line_spacing.pt == 28.95
    assert indent_chars(body) == "200"  # first line indented 2 characters
    assert east_asia(styles["Normal"]) == "仿宋_GB2312"
    for name, font, bold in (
        ("一级标题", "黑体", False),
        ("二级标题", "楷体_GB2312", False),
        ("三级标题", "仿宋_GB2312", True),
    ):
        assert east_asia(styles[name]) == font and styles[name].font.size.pt == 16, name
        assert bool(styles[name].font.bold) is bold, name

    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs if p.text.strip()]
    assert paragraphs[0] == ("公文标题", "测试局机关党委2022年上半年党建工作情况报告")
    assert ("公文正文", "开头段：A&B <测试> “引号”。") in paragraphs  # escaped, not broken XML
    assert ("公文正文", "第二行另起一段。") in paragraphs
    assert ("一级标题", "一、主要工作") in paragraphs and ("一级标题", "二、存在的问题") in paragraphs
    assert ("二级标题", "（一）筑牢党建责任，夯实组织建设") in paragraphs
    assert any(style == "公文正文" and "党建工作专题会1次" in text for style, text in paragraphs)
    assert ("落款", "测试局机关党委") in paragraphs
    assert not any(tag in text for _s, text in paragraphs for tag in ("{{", "{%", "%}", "}}"))  # all rendered
    # Runs carry no direct formatting: the styles (editable in Word) decide.
    for p in doc.paragraphs:
        for run in p.runs:
            rpr = run._element.rPr
            assert run.font.size is None and (rpr is None or rpr.find(qn("w:rFonts")) is None), p.text


def test_page_numbers_in_the_footer(draft):
    doc = document_of(draft)
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        (p,) = footer.paragraphs
        assert p.text == "— 1 —" and p.alignment == align
        assert 'w:instrText xml:space="preserve"> PAGE </w:instrText>' in p._p.xml
        for run in p.runs:
            assert run.font.size.pt == 14  # 4号
            assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
            assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:ascii")) == "宋体"


def test_appendix_tables_of_the_statistics(draft):
    doc = document_of(draft)
    texts = [p.text for p in doc.paragraphs]
    assert "附件" in texts and "统计指标一览表" in texts
    captions = [p.text for p in doc.paragraphs if p.style.name == "表题"]
    assert captions[:2] == ["表1  组织与人员", "表2  组织生活"]
    assert len(doc.tables) == len(captions)
    rows = {tuple(c.text for c in r.cells) for t in doc.tables for r in t.rows}
    assert ("序号", "指标", "数值", "单位") in rows
    assert any(r[1] == "党建工作专题会" and r[2] == "1" and r[3] == "次" for r in rows)
    stats = draft.content["statistics"]
    assert sum(len(t.rows) - 1 for t in doc.tables) == len(stats)


def test_statistics_workbook_has_value_and_link_columns(draft, client_for):
    client = client_for(draft.created_by)
    response = client.get(reverse("reports:draft_xlsx", args=[draft.pk]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == ["序号", "领域", "指标", "数值", "单位", "明细条数", "明细链接"]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(draft.content["statistics"])
    row = next(r for r in rows if r[2].value == "党建工作专题会")
    assert row[3].value == 1 and row[5].value == 1
    assert row[6].hyperlink.target.startswith("http://testserver/meetings/ledger/?")
    entry = AuditEntry.objects.get(action="reports.statistics.exported")
    assert entry.organization == draft.organization
    dashboard = client.get(reverse("reports:statistics_export"), {"period": "2022H1"})
    assert dashboard.status_code == 200 and dashboard["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(b"".join(dashboard.streaming_content))).active.max_row == len(rows) + 1


def test_committed_template_is_what_the_build_script_makes(tmp_path):
    built = build_template.build(tmp_path / "built.docx")
    committed = report_docx.SHIPPED_TEMPLATE
    with zipfile.ZipFile(built) as a, zipfile.ZipFile(committed) as b:
        for name in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/settings.xml"):
            if name in a.namelist():
                assert a.read(name) == b.read(name), f"{name}: run reports/templates_docx/build_template.py"


def test_bureau_uploads_an_edited_template(draft, client_for, media):
    b_admin = draft.created_by
    client = client_for(b_admin)
    page = client.get(reverse("reports:template_page")).content.decode()
    assert "系统自带模板" in page and "公文正文" in page
    original = b"".join(client.get(reverse("reports:template_download")).streaming_content)

    # Edited "in Word": the body is now 3号 仿宋 with 1.5 lines, and a fixed line under the title.
    doc = Document(io.BytesIO(original))
    doc.styles["公文标题"].font.size = build_template.Pt(20)
    first = next(p for p in doc.paragraphs if p.text == "{{ title }}")
    first.insert_paragraph_before("（内部资料）")
    edited = io.BytesIO()
    doc.save(edited)
    response = client.post(
        reverse("reports:template_page"), {"file": SimpleUploadedFile("模板.docx", edited.getvalue())}
    )
    assert response.status_code == 302
    assert report_docx.template_path() == report_docx.uploaded_template_path()
    result = document_of(draft)
    assert result.paragraphs[0].text == "（内部资料）" and result.styles["公文标题"].font.size.pt == 20
    assert AuditEntry.objects.filter(action="reports.template.uploaded").count() == 1

    broken = Document(io.BytesIO(original))
    broken.add_paragraph("{{ broken ")
    data = io.BytesIO()
    broken.save(data)
    page = client.post(reverse("reports:template_page"), {"file": SimpleUploadedFile("坏.docx", data.getvalue())})
    assert "该文件不能用作报告模板" in page.content.decode()
    page = client.post(reverse("reports:template_page"), {"file": SimpleUploadedFile("a.doc", b"x")})
    assert "请上传 .docx 格式" in page.content.decode()
    assert document_of(draft).paragraphs[0].text == "（内部资料）"  # the good one stays

    client.post(reverse("reports:template_page"), {"reset": "1"})
    assert report_docx.template_path() == report_docx.SHIPPED_TEMPLATE
    assert AuditEntry.objects.filter(action="reports.template.reset").count() == 1


def test_libreoffice_opens_the_document(draft, tmp_path):
    # scripts/system_deps.sh installs libreoffice-writer-nogui (make test runs it first).
    assert shutil.which("soffice"), "LibreOffice (soffice) is missing: run scripts/system_deps.sh"
    path = tmp_path / "report.docx"
    report_docx.render_docx(draft.content, str(path))
    subprocess.run(  # noqa: S603
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],  # noqa: S607
        check=True,
        timeout=180,
        capture_output=True,
    )
    assert (tmp_path / "report.pdf").stat().st_size > 1000
    assert Path(tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
