"""`export_report` (the report from the command line, for scheduling) and `bench_reports`."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from reports.models import ReportDraft

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_export_report_writes_the_same_document(est, hold, tmp_path):
    hold(est.root, "topic_meeting", datetime.date(2022, 2, 10), code="party_building")
    out = tmp_path / "report.docx"
    xlsx = tmp_path / "stats.xlsx"
    text = run(
        "export_report",
        "--org",
        "T00",
        "--period",
        "2022H1",
        "--out",
        str(out),
        "--xlsx",
        str(xlsx),
        "--base-url",
        "https://dj.example.cn",
    )
    # Progress, step by step, then the result.
    for step in ("主要工作", "存在的问题", "下一步打算", "附表", "写入 Word 文件", "写入统计指标 Excel 文件", "完成："):
        assert step in text, step
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "测试局机关党委2022年上半年党建工作情况报告"
    assert any("党建工作专题会1次" in p.text for p in doc.paragraphs)
    ws = load_workbook(xlsx).active
    assert ws["G2"].hyperlink.target.startswith("https://dj.example.cn/")
    assert not ReportDraft.objects.exists()  # nothing saved without --save

    run("export_report", "--org", "T00", "--period", "2022H1", "--out", str(out), "--save")
    draft = ReportDraft.objects.get()
    assert draft.created_by is None and draft.editor_name == "系统"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "NOPE", "--period", "2022H1"], "未找到编码"),
        (["--org", "T00", "--period", "2022H9"], "无法识别的期间"),
    ],
)
def test_export_report_refuses_bad_input(bureau, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run("export_report", *args, "--out", str(tmp_path / "r.docx"))
    with pytest.raises(CommandError, match=".docx"):
        run("export_report", "--org", "T00", "--period", "2022", "--out", str(tmp_path / "r.pdf"))


def test_bench_reports_measures_without_changing_the_database(est, hold):
    hold(est.root, "topic_meeting", datetime.date(2022, 2, 10), code="party_building")
    text = run(
        "bench_reports",
        "--org",
        "T00",
        "--period",
        "2022H1",
        "--repeat",
        "1",
        "--report-repeat",
        "1",
        "--user",
        "committee",
    )
    assert "报告 测试局机关党委（T00）：起草" in text
    assert "驾驶舱 页面框架" in text and "驾驶舱 组织生活" in text and "失败" not in text
    assert "分项用时" in text and "统计指标" in text
    assert not ReportDraft.objects.exists()
