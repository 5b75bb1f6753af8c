"""The Word document (GB/T 9704 layout) of a report's content, through the docxtpl template.

The template is, in this order: the file named by settings.REPORTS_DOCX_TEMPLATE, the template the
bureau uploaded on the 模板 page (MEDIA_ROOT/reports/work_report.docx), the one shipped in
reports/templates_docx/ (built by build_template.py). It receives:

    title              the report's title
    body               [{"style": "h1" | "h2" | "h3" | "body" | "sign", "text": "…"}] in order
    appendix_title     "统计指标一览表"
    appendix           [{"title": "表1  组织生活", "rows": [{"no", "label", "value", "unit"}]}]
    organization, period_label, generated_at
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from docxtpl import DocxTemplate

from reports.areas import ordered_areas
from reports.render import plain

SHIPPED_TEMPLATE = Path(__file__).resolve().parent / "templates_docx" / "work_report.docx"
STYLE_OF_KIND = {"heading1": "h1", "heading2": "h2", "signature": "sign"}


def uploaded_template_path() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports" / "work_report.docx"


def template_path() -> Path:
    configured = getattr(settings, "REPORTS_DOCX_TEMPLATE", "")
    if configured:
        return Path(configured)
    uploaded = uploaded_template_path()
    if uploaded.exists():
        return uploaded
    return SHIPPED_TEMPLATE


def _value(row: dict) -> str:
    value = row.get("display")
    if value in (None, ""):
        return "—"
    return str(value)


def appendix_tables(statistics: list[dict]) -> list[dict]:
    tables = []
    for n, area in enumerate(ordered_areas(r["area"] for r in statistics), start=1):
        rows = [r for r in statistics if r["area"] == area]
        tables.append(
            {
                "title": f"表{n}  {area}",
                "rows": [
                    {"no": i, "label": r["label"], "value": _value(r), "unit": r.get("unit") or ""}
                    for i, r in enumerate(rows, start=1)
                ],
            }
        )
    return tables


def docx_context(content: dict) -> dict:
    blocks = content.get("blocks", [])
    title = next((plain(b) for b in blocks if b["kind"] == "title"), "工作报告")
    body = []
    for b in blocks:
        if b["kind"] == "title":
            continue
        text = plain(b).strip()
        if not text:
            continue
        style = STYLE_OF_KIND.get(b["kind"], "body")
        if style == "sign":
            body.append({"style": "body", "text": ""})  # a blank line before the signature
        for line in text.split("\n"):
            line = line.strip()
            if line:
                body.append({"style": style, "text": line})
    return {
        "title": title,
        "body": body,
        "appendix_title": "统计指标一览表",
        "appendix": appendix_tables(content.get("statistics", [])),
        "organization": content.get("organization", {}).get("name", ""),
        "period_label": content.get("period", {}).get("label", ""),
        "generated_at": content.get("generated_at", ""),
    }


def render_docx(content: dict, target, template: Path | None = None) -> int:
    """Write the document to `target` (a path or a binary file); returns the number of paragraphs."""
    context = docx_context(content)
    doc = DocxTemplate(str(template or template_path()))
    doc.render(context, autoescape=True)
    doc.save(target)
    return len(context["body"])
