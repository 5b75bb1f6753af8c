"""Excel export and import of every list: round trips, all-or-nothing with row errors, grouped
rows (flowchart steps, control measures), scope, audit entries."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.models import AuditEntry
from duties.entities import ENTITIES
from duties.exporters import EXPORTERS, prepare_queryset
from duties.importers import IMPORTERS
from duties.models import (
    ControlMeasure,
    Frequency,
    PostRiskPoint,
    ResponsibilityEvidence,
    ResponsibilityItem,
    WorkflowChart,
    WorkflowStep,
    WorkTask,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def export_bytes(key: str, user) -> bytes:
    entity = ENTITIES[key]
    qs = prepare_queryset(entity, entity.filtered(user, {})[0]) if key != "items" else entity.queryset(user)
    buffer = io.BytesIO()
    EXPORTERS[key](user).write(qs, buffer)
    return buffer.getvalue()


def workbook(key: str, rows: list[list]) -> io.BytesIO:
    """A file laid out like the import template of `key`."""
    importer = IMPORTERS[key](None)
    wb = Workbook()
    ws = wb.active
    ws.title = importer.sheet_title
    ws.append([f.header for f in importer.fields])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "test.xlsx"
    return buffer


@pytest.mark.parametrize("key", sorted(IMPORTERS))
def test_every_export_imports_again_unchanged(bureau, dw, key):
    user = bureau.users.committee
    data = export_bytes(key, user)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0] == tuple(f.header for f in IMPORTERS[key](user).fields)
    assert len(rows) > 1
    result = IMPORTERS[key](user, filename="x.xlsx").preview(io.BytesIO(data))
    assert result.ok, result.messages()
    assert result.total == len(rows) - 1
    assert result.created == 0 and result.updated == 0 and result.unchanged > 0, [
        (p.row, p.action, p.changes) for p in result.plans
    ]


def test_import_tasks_all_or_nothing_with_row_errors(bureau, dw):
    user = bureau.users.committee
    before_audit = AuditEntry.objects.count()
    file = workbook(
        "tasks",
        [
            ["办公室", 5, "负责会务组织", "三定方案"],
            ["宣传科", None, "不存在的科室", None],
            ["办公室", None, "负责会务组织", None],
            ["财务科", "第一", "负责决算", None],
            ["财务科", None, None, None],
        ],
    )
    result = IMPORTERS["tasks"](user, filename="tasks.xlsx").run(file)
    assert not result.ok and not result.committed
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert errors[(3, "科室")] == "科室“宣传科”不存在"
    assert errors[(4, "")] == "与第 2 行重复"
    assert "整数" in errors[(5, "序号")]
    assert errors[(6, "工作任务")] == "必填项，不能为空"
    assert WorkTask.objects.count() == 2 and AuditEntry.objects.count() == before_audit

    file = workbook(
        "tasks",
        [
            ["办公室", 5, "负责会务组织", "三定方案"],
            ["财务科", None, "负责决算", None],
            ["办公室", None, "负责公文处理", "局三定方案"],
        ],
    )
    result = IMPORTERS["tasks"](user, filename="tasks.xlsx").run(file)
    assert result.committed and (result.created, result.updated) == (2, 1)
    assert WorkTask.objects.get(content="负责会务组织").order == 5
    assert WorkTask.objects.get(content="负责公文处理").basis == "局三定方案"
    assert AuditEntry.objects.filter(action="duties.task.created").count() == 4  # 2 from the world, 2 here
    entry = AuditEntry.objects.get(action="duties.task.imported")
    assert entry.changes["created"] == [None, 2] and entry.changes["updated"] == [None, 1]


def test_import_items_and_evidence(bureau, dw):
    user = bureau.users.committee
    items = workbook(
        "items",
        [
            ["T00", "党组", 1, "每季度召开党风廉政专题会", "每季度", "党风廉政专题会议"],
            ["测试局机关党委", "党组书记（第一责任人）", None, "每年讲党课", "每年", None],
            ["测试局机关党委", "党组成员", None, "x", "每周", None],
        ],
    )
    result = IMPORTERS["items"](user, filename="items.xlsx").run(items)
    assert not result.ok and result.errors[0].row == 4 and result.errors[0].column == "落实频次"
    items = workbook(
        "items",
        [
            ["T00", "党组", 1, "每季度召开党风廉政专题会", "每季度", "党风廉政专题会议"],
            ["测试局机关党委", "党组书记（第一责任人）", None, "每年讲党课", "每年", None],
        ],
    )
    result = IMPORTERS["items"](user, filename="items.xlsx").run(items)
    assert result.committed and result.created == 2
    assert ResponsibilityItem.objects.get(content="每季度召开党风廉政专题会").derived_from == "meetings.topic.integrity"

    evidence = workbook(
        "evidence",
        [
            ["测试局机关党委", "党组书记（第一责任人）", "每年讲党课", 2022, D(2022, 5, 20), "5月讲党课"],
            ["测试局机关党委", "党组", "每季度召开党风廉政专题会", "2022H1", None, "期间不对"],
            ["测试局机关党委", "党组", "没有这一项", "2022Q1", None, "x"],
        ],
    )
    result = IMPORTERS["evidence"](user, filename="ev.xlsx").run(evidence)
    assert not result.ok
    messages = {e.row: e.message for e in result.errors}
    assert "2022Q2" in messages[3] and "没有该党组责任项目" in messages[4]
    assert not ResponsibilityEvidence.objects.filter(item__content="每年讲党课").exists()

    # A monthly item: Excel turns "2022-05" into a date; the import reads the month back.
    monthly = ResponsibilityItem.objects.create(
        organization=bureau.root,
        org_path=bureau.root.path,
        subject="group_member",
        content="每月汇总",
        frequency=Frequency.MONTH,
    )
    evidence = workbook(
        "evidence",
        [
            ["测试局机关党委", "党组书记（第一责任人）", "每年讲党课", 2022, D(2022, 5, 20), "5月讲党课"],
            ["测试局机关党委", "党组成员（一岗双责）", "每月汇总", D(2022, 5, 1), None, "5月汇总"],
        ],
    )
    result = IMPORTERS["evidence"](user, filename="ev.xlsx").run(evidence)
    assert result.committed, result.messages()
    assert ResponsibilityEvidence.objects.get(item=monthly).period_code == "2022-05"


def test_secretary_imports_evidence_only_for_their_branch(bureau, dw):
    file = workbook(
        "evidence",
        [
            ["机关第一党支部", "支部书记", "每季度讲1次党课", "2022Q2", None, "讲党课"],
            ["测试局机关党委", "党组", "每季度召开党建工作专题会", "2022Q2", None, "越权"],
        ],
    )
    result = IMPORTERS["evidence"](bureau.users.sec1, filename="ev.xlsx").run(file)
    assert [(e.row, e.message) for e in result.errors] == [(3, "您无权为“测试局机关党委”导入")]
    assert ResponsibilityEvidence.objects.count() == 2


def test_flowchart_import_one_row_per_step(bureau, dw):
    user = bureau.users.committee
    bad = workbook(
        "flowcharts",
        [
            ["财务科", "预算调整流程", "", 1, "开始", "提出申请", "经办人", None, None],
            ["财务科", "预算调整流程", "", 2, "判断", "是否超限额", "科长", None, None],
            ["财务科", "预算调整流程", "", 3, "结束", "归档", None, 9, None],
            ["财务科", "会签流程", "", 1, "开始", "发起", None, None, None],
        ],
    )
    result = IMPORTERS["flowcharts"](user, filename="f.xlsx").run(bad)
    assert not result.ok
    assert {(e.row, e.column) for e in result.errors} == {(3, "步骤号"), (4, "步骤号")}
    assert not WorkflowChart.objects.filter(name__in=["预算调整流程", "会签流程"]).exists()
    good = workbook(
        "flowcharts",
        [
            ["财务科", "预算调整流程", "按预算法执行", 1, "开始", "提出申请", "经办人", None, None],
            ["财务科", "预算调整流程", "", 2, "判断", "是否超限额", "科长", None, 1],
            ["财务科", "预算调整流程", "", 3, "结束", "归档", None, None, None],
            ["办公室", "用印审批流程", "", 1, "开始", "提出申请", "经办人", None, None],
            ["办公室", "用印审批流程", "", 2, "结束", "归档", None, None, None],
        ],
    )
    result = IMPORTERS["flowcharts"](user, filename="f.xlsx").run(good)
    assert result.committed and (result.created, result.updated) == (1, 1)
    chart = WorkflowChart.objects.get(name="预算调整流程")
    assert chart.description == "按预算法执行"
    assert list(chart.steps.values_list("number", "kind", "no_to")) == [
        (1, "start", None),
        (2, "decision", 1),
        (3, "end", None),
    ]
    assert WorkflowStep.objects.filter(chart=dw.chart).count() == 2  # the office's chart was replaced
    assert AuditEntry.objects.filter(action="duties.flowchart.steps_set", object_id=str(dw.chart.pk)).count() == 2


def test_post_risk_import_groups_measures(bureau, dw):
    user = bureau.users.committee
    file = workbook(
        "post_risks",
        [
            ["办公室", "机要岗", "失泄密", "中", "保密检查"],
            ["办公室", "机要岗", "失泄密", "中", "专人保管"],
            ["财务科", "出纳岗", "挪用公款", "高", "钱账分管"],
            ["财务科", "出纳岗", "挪用公款", "中", "每月盘点"],
        ],
    )
    result = IMPORTERS["post_risks"](user, filename="r.xlsx").run(file)
    assert [(e.row, e.column) for e in result.errors] == [(4, "风险等级")]
    assert PostRiskPoint.objects.count() == 1
    file = workbook(
        "post_risks",
        [
            ["办公室", "机要岗", "失泄密", "高", "专人保管"],
            ["财务科", "出纳岗", "挪用公款", "高", "钱账分管"],
            ["财务科", "出纳岗", "挪用公款", "高", "每月盘点"],
        ],
    )
    result = IMPORTERS["post_risks"](user, filename="r.xlsx").run(file)
    assert result.committed and (result.created, result.updated) == (1, 1)
    office = PostRiskPoint.objects.get(risk="失泄密")
    assert office.level == "高" and [m.measure for m in office.measures.all()] == ["专人保管"]
    assert ControlMeasure.objects.filter(risk_point__risk="挪用公款").count() == 2


def test_import_pages_preview_then_confirm(bureau, dw, client_for, settings, tmp_path):
    settings.IMPORT_STASH_DIR = tmp_path
    client = client_for(bureau.users.committee)
    url = reverse("duties:record_import", args=["post_duties"])
    file = workbook("post_duties", [["办公室", "文秘岗", None, "会议记录整理"], ["办公室", "文秘岗", None, "公文登记"]])
    upload = SimpleUploadedFile("duties.xlsx", file.getvalue())
    html = client.post(url, {"file": upload}).content.decode()
    assert "将新增 1 项" in html and "1 项无变化" in html and 'id="confirm-import"' in html
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(reverse("duties:record_import_confirm", args=["post_duties"]), {"token": token})
    assert response.status_code == 302 and response.url == reverse("duties:record_list", args=["post_duties"])
    assert dw.post_duty.department.post_duties.count() == 2
    template = client.get(reverse("duties:record_import_template", args=["post_duties"]))
    sheets = load_workbook(io.BytesIO(b"".join(template.streaming_content))).sheetnames
    assert sheets[0] == "岗位职责" and "填写说明" in sheets and "科室" in sheets
