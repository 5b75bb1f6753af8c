"""Excel: templates, exports laid out like the templates, imports all-or-nothing with row errors."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.models import AuditEntry
from supervision.importers import (
    CHILD_PROBLEM_FIELDS,
    INSPECTION_FIELDS,
    PROBLEM_FIELDS,
    REPORT_FIELDS,
    InspectionImporter,
    ProblemImporter,
    ReportImporter,
)
from supervision.models import Inspection, Problem, SecretaryReport

pytestmark = pytest.mark.django_db
D = datetime.date


def workbook(sheets: dict[str, tuple[list[str], list[list]]]) -> io.BytesIO:
    wb = Workbook()
    wb.remove(wb.active)
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def problem_row(**values) -> list:
    base = {
        "source": "自查自纠",
        "organization": "机关第一党支部",
        "description": "三会一课记录不规范",
        "found_on": "2024-03-01",
        "due_on": "2024-04-30",
        "responsible_person": "孙书记",
    }
    base.update(values)
    return [base.get(f.key) for f in PROBLEM_FIELDS]


PROBLEM_HEADER = [f.header for f in PROBLEM_FIELDS]


def test_problem_import_all_or_nothing_with_row_errors(bureau):
    rows = [
        problem_row(),
        problem_row(description="党费台账不规范", organization="不存在的支部"),
        problem_row(description="x", found_on="2024-13-01"),
        problem_row(description="y", due_on="2024-01-01"),
        problem_row(description="z", source="督导检查", inspection="没有这次检查"),
        problem_row(description="w", responsible_person="查无此人"),
        problem_row(),  # the same as row 2
    ]
    result = ProblemImporter(bureau.users.committee).run(workbook({"问题整改台账": (PROBLEM_HEADER, rows)}))
    assert not result.ok and not result.committed
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("第 3 行【责任党组织】") and "不存在" in m for m in messages)
    assert any(m.startswith("第 4 行【发现日期】") for m in messages)
    assert any(m.startswith("第 5 行【整改时限】") and "不能早于发现日期" in m for m in messages)
    assert any(m.startswith("第 6 行【督导检查名称】") for m in messages)
    assert any(m.startswith("第 7 行【责任人】") for m in messages)
    assert any(m.startswith("第 8 行") and "与第 2 行是同一问题" in m for m in messages)
    assert Problem.objects.count() == 0  # nothing written


def test_problem_import_writes_and_reimport_is_unchanged(bureau, inspection):
    rows = [
        problem_row(),
        problem_row(
            source="督导检查",
            inspection=inspection.name,
            organization="",
            organization_code="T02",
            description="督导反馈",
            due_on=None,
        ),
    ]
    importer = ProblemImporter(bureau.users.committee, filename="台账.xlsx")
    preview = importer.preview(workbook({"问题整改台账": (PROBLEM_HEADER, rows)}))
    assert preview.ok and preview.created == 2 and Problem.objects.count() == 0
    result = ProblemImporter(bureau.users.committee, filename="台账.xlsx").run(
        workbook({"问题整改台账": (PROBLEM_HEADER, rows)})
    )
    assert result.committed and result.created == 2
    second = Problem.objects.get(description="督导反馈")
    assert second.inspection == inspection and second.organization == bureau.b2 and second.due_on == D(2024, 3, 31)
    assert second.status == "pending" and second.tracked_item is not None
    assert AuditEntry.objects.filter(action="supervision.problem.imported").count() == 1
    assert AuditEntry.objects.filter(action="supervision.problem.created").count() == 2
    again = ProblemImporter(bureau.users.committee).run(workbook({"问题整改台账": (PROBLEM_HEADER, rows)}))
    assert again.ok and again.unchanged == 2 and again.created == 0 and Problem.objects.count() == 2


def test_a_branch_imports_only_into_its_own_organization(bureau):
    result = ProblemImporter(bureau.users.sec2).run(workbook({"问题整改台账": (PROBLEM_HEADER, [problem_row()])}))
    assert not result.ok and "无权" in str(result.errors[0])


def test_export_round_trip(bureau, client_for, make_problem):
    make_problem(bureau.b1, found_on=D(2024, 3, 1), deadline=D(2024, 4, 30), description="导出的问题")
    response = client_for(bureau.users.committee).get(reverse("supervision:problem_export"))
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in ws[1]]
    assert header[: len(PROBLEM_HEADER)] == PROBLEM_HEADER and "状态" in header and "督办单" in header
    assert ws.cell(row=2, column=PROBLEM_HEADER.index("问题描述") + 1).value == "导出的问题"
    again = ProblemImporter(bureau.users.committee).run(io.BytesIO(content))
    assert again.ok and again.unchanged == 1 and again.created == 0
    assert AuditEntry.objects.filter(action="supervision.problem.exported").exists()


def test_templates_download(bureau, client_for):
    c = client_for(bureau.users.committee)
    for name, sheets in (
        ("supervision:problem_import_template", ["问题整改台账", "填写说明"]),
        ("supervision:inspection_import_template", ["督导检查", "发现问题", "填写说明"]),
        ("supervision:report_import_template", ["述职评议", "查摆问题", "填写说明"]),
    ):
        response = c.get(reverse(name))
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert all(s in wb.sheetnames for s in sheets), (name, wb.sheetnames)


INSPECTION_HEADER = [f.header for f in INSPECTION_FIELDS]
FINDING_HEADER = ["检查编号", *[f.header for f in CHILD_PROBLEM_FIELDS]]


def inspection_row(**values) -> list:
    base = {
        "number": "1",
        "name": "2024年第一轮党建督导检查",
        "organization_code": "T00",
        "targets": "机关第一党支部、机关第二党支部",
        "inspectors": "李四",
        "methods": "实地、查阅资料",
        "start_on": "2024-04-01",
        "feedback_on": "2024-04-20",
    }
    base.update(values)
    return [base.get(f.key) for f in INSPECTION_FIELDS]


def finding(number="1", org="机关第一党支部", text="三会一课不规范", due="2024-06-30") -> list:
    return [number, org, None, text, "整改", None, None, due]


def test_inspection_import_with_findings(bureau):
    file = workbook(
        {
            "督导检查": (INSPECTION_HEADER, [inspection_row()]),
            "发现问题": (FINDING_HEADER, [finding(), finding(org="机关第二党支部", text="发展党员档案不齐全")]),
        }
    )
    result = InspectionImporter(bureau.users.committee).run(file)
    assert result.committed, [str(e) for e in result.errors]
    inspection = Inspection.objects.get()
    assert inspection.methods == "field,documents" and set(inspection.targets.values_list("code", flat=True)) == {
        "T01",
        "T02",
    }
    assert list(inspection.inspectors.values_list("name", flat=True)) == ["李四"]
    problems = Problem.objects.filter(inspection=inspection)
    assert problems.count() == 2 and set(problems.values_list("found_on", flat=True)) == {D(2024, 4, 20)}


def test_inspection_import_bad_rows_in_both_sheets(bureau):
    file = workbook(
        {
            "督导检查": (
                INSPECTION_HEADER,
                [inspection_row(), inspection_row(number="2", name="第二次", methods="飞行检查", targets="不存在支部")],
            ),
            "发现问题": (
                FINDING_HEADER,
                [
                    finding(),
                    finding(org="测试局机关党委", text="不是被检查组织"),
                    finding(number="9", text="编号不存在"),
                ],
            ),
        }
    )
    result = InspectionImporter(bureau.users.committee).run(file)
    assert not result.committed
    messages = [str(e) for e in result.errors]
    assert any("“督导检查”工作表第 3 行【被检查党组织】" in m for m in messages)
    assert any("“督导检查”工作表第 3 行【检查方式】" in m and "飞行检查" in m for m in messages)
    assert any("“发现问题”工作表第 3 行【责任党组织】" in m and "不在本条记录的范围内" in m for m in messages)
    assert any("“发现问题”工作表第 4 行【检查编号】" in m and "不存在" in m for m in messages)
    assert Inspection.objects.count() == 0 and Problem.objects.count() == 0


REPORT_HEADER = [f.header for f in REPORT_FIELDS]
REPORT_PROBLEM_HEADER = FINDING_HEADER[:1] + FINDING_HEADER[1:]


def report_row(**values) -> list:
    base = {
        "number": "1",
        "organization": "机关第一党支部",
        "secretary": "孙书记",
        "year": 2021,
        "held_on": "2022-01-25",
        "rating_excellent": 20,
        "rating_good": 6,
    }
    base.update(values)
    return [base.get(f.key) for f in REPORT_FIELDS]


def test_report_import_with_problems_and_errors(bureau, client_for):
    header = ["述职编号", *[f.header for f in CHILD_PROBLEM_FIELDS]]
    good = workbook(
        {
            "述职评议": (
                REPORT_HEADER,
                [report_row(), report_row(number="2", organization="机关第二党支部", secretary="周书记")],
            ),
            "查摆问题": (
                header,
                [
                    ["1", None, None, "理论学习不深入", None, None, None, None],
                    ["2", None, None, "发展党员计划性不强", None, None, None, "2022-06-30"],
                ],
            ),
        }
    )
    result = ReportImporter(bureau.users.committee).run(good)
    assert result.committed and result.created == 2, [str(e) for e in result.errors]
    assert SecretaryReport.objects.count() == 2
    p = Problem.objects.get(description="发展党员计划性不强")
    assert p.organization == bureau.b2 and p.found_on == D(2022, 1, 25) and p.due_on == D(2022, 6, 30)
    bad = workbook(
        {
            "述职评议": (
                REPORT_HEADER,
                [report_row(number="3", year="二〇二二", secretary="查无此人", rating_good=-1)],
            ),
            "查摆问题": (header, [["3", None, None, "", None, None, None, None]]),
        }
    )
    result = ReportImporter(bureau.users.committee).run(bad)
    messages = [str(e) for e in result.errors]
    assert not result.committed and SecretaryReport.objects.count() == 2
    assert any("【述职年度】" in m for m in messages) and any(
        "“查摆问题”工作表第 2 行【问题描述】" in m for m in messages
    )
    # The page shows the errors with sheet and row.
    page = client_for(bureau.users.committee).post(reverse("supervision:report_import"), {"file": _upload(bad)})
    body = page.content.decode()
    assert page.status_code == 200 and "没有导入任何数据" in body and "查摆问题" in body


def _upload(data: io.BytesIO):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("述职.xlsx", data.getvalue())
