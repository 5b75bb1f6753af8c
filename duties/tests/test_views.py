"""Pages: the responsibility list per period, forms through the services, the catalogue, scope,
and query counts that do not grow with the data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEntry
from duties import services
from duties.models import Frequency, ResponsibilityEvidence, Subject, WorkflowStep, WorkTask

pytestmark = pytest.mark.django_db
D = datetime.date


def total(html: str) -> int:
    return int(re.search(r'id="list-total">([\d,]+)<', html).group(1).replace(",", ""))


def item(bureau, content, frequency=Frequency.QUARTER, org=None, **kw):
    return services.item_create(
        actor=None,
        data={
            "organization": org or bureau.root,
            "subject": Subject.LEADING_GROUP,
            "content": content,
            "frequency": frequency,
            **kw,
        },
    )


def test_responsibility_page_marks_items_without_evidence(bureau, client_for):
    done = item(bureau, "每半年研究1次党建工作", Frequency.HALF)
    missing = item(bureau, "每季度批阅支部报告")
    services.evidence_add(actor=None, data={"item": done, "period_code": "2022H1", "note": "研究了"})
    services.evidence_add(actor=None, data={"item": missing, "period_code": "2022Q1", "note": "批阅了"})
    client = client_for(bureau.users.leader)
    html = client.get(reverse("duties:responsibility"), {"period": "2022H1"}).content.decode()
    assert total(html) == 2
    row = re.search(rf'data-item="{missing.pk}" data-state="(\w+)"', html)
    assert row.group(1) == "missing"
    assert re.search(rf'data-item="{done.pk}" data-state="done"', html)
    assert "缺少佐证" in html and "2022年上半年落实情况" in html
    assert "登记佐证" not in html  # a leader reads only
    html = client.get(reverse("duties:responsibility"), {"period": "2022H1", "status": "missing"}).content.decode()
    assert total(html) == 1 and f'data-item="{missing.pk}"' in html and f'data-item="{done.pk}"' not in html
    html = client.get(reverse("duties:responsibility"), {"period": "2022H1", "status": "nonsense"}).content.decode()
    assert "未知的落实状态" in html and total(html) == 2


def test_secretary_sees_and_documents_only_their_branch(bureau, client_for):
    root_item = item(bureau, "党组事项")
    b1_item = item(bureau, "支部书记每季度讲党课", org=bureau.b1, subject=Subject.BRANCH_SECRETARY)
    client = client_for(bureau.users.sec1)
    html = client.get(reverse("duties:responsibility"), {"period": "2022H1"}).content.decode()
    assert total(html) == 1 and f'data-item="{b1_item.pk}"' in html and f'data-item="{root_item.pk}"' not in html
    assert "登记佐证" in html
    url = reverse("duties:record_create", args=["evidence"])
    response = client.post(url, {"item": b1_item.pk, "period_code": "2022Q1", "note": "3月讲党课"})
    ev = ResponsibilityEvidence.objects.get()
    assert response.status_code == 302 and response.url == reverse("duties:record_detail", args=["evidence", ev.pk])
    assert ev.recorded_by == bureau.users.sec1
    # The root's item is not among the choices: the form refuses it, nothing is written.
    response = client.post(url, {"item": root_item.pk, "period_code": "2022Q1", "note": "越权"})
    assert response.status_code == 200 and "您无权为该责任项目登记佐证" in response.content.decode()
    assert ResponsibilityEvidence.objects.count() == 1


def test_evidence_form_shows_service_errors_and_keeps_the_input(bureau, client_for):
    it = item(bureau, "每季度召开党建工作专题会")
    client = client_for(bureau.users.committee)
    url = reverse("duties:record_create", args=["evidence"])
    page = client.get(url, {"item": it.pk, "period_code": "2022Q2"}).content.decode()
    assert 'value="2022Q2"' in page and "该项目每季度落实" in page
    response = client.post(url, {"item": it.pk, "period_code": "2022H1", "note": "召开专题会"})
    html = response.content.decode()
    assert response.status_code == 200 and "期间应填写为如 2022Q2 的格式" in html and "召开专题会" in html
    assert not ResponsibilityEvidence.objects.exists()
    response = client.post(
        url,
        {"item": it.pk, "period_code": "2022Q2", "note": "召开专题会", "next": "/duties/responsibility/?period=2022H1"},
    )
    assert response.url == "/duties/responsibility/?period=2022H1"
    response = client.post(url, {"item": it.pk, "period_code": "2022Q1", "note": "x", "next": "https://evil.example/"})
    assert response.url.startswith("/duties/evidence/")


def test_generic_form_create_edit_delete(bureau, client_for):
    client = client_for(bureau.users.committee)
    response = client.post(
        reverse("duties:record_create", args=["tasks"]),
        {"department": bureau.office.pk, "content": "负责公文处理", "_addanother": "1"},
    )
    assert (
        response.status_code == 302
        and response.url == reverse("duties:record_create", args=["tasks"]) + f"?department={bureau.office.pk}"
    )
    task = WorkTask.objects.get()
    assert task.order == 1
    edit = reverse("duties:record_edit", args=["tasks", task.pk])
    assert 'name="version" value="1"' in client.get(edit).content.decode()
    response = client.post(
        edit, {"department": bureau.office.pk, "content": "负责公文处理和督办", "order": "3", "version": "1"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.content, task.order, task.version) == ("负责公文处理和督办", 3, 2)
    # A stale form is refused with the other edit shown.
    response = client.post(edit, {"department": bureau.office.pk, "content": "旧版本", "order": "3", "version": "1"})
    assert response.status_code == 200 and 'id="edit-conflict"' in response.content.decode()
    client.post(reverse("duties:record_delete", args=["tasks", task.pk]))
    assert not WorkTask.objects.exists() and WorkTask.all_objects.get().deleted_at is not None
    actions = list(
        AuditEntry.objects.filter(object_id=str(task.pk), action__startswith="duties.task").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["duties.task.created", "duties.task.deleted", "duties.task.updated"]


def test_catalogue_member_sees_only_their_department(bureau, dw, client_for):
    client = client_for(bureau.users.member)  # 张三, 办公室
    html = client.get(reverse("duties:catalogue")).content.decode()
    assert f'data-department="{bureau.office.pk}"' in html and f'data-department="{bureau.finance.pk}"' not in html
    assert total(html) == 1
    html = client.get(reverse("duties:record_list", args=["tasks"])).content.decode()
    assert total(html) == 1 and "负责公文处理" in html and "负责预算编制" not in html
    assert client.get(reverse("duties:catalogue_department", args=[bureau.finance.pk])).status_code == 404
    page = client.get(reverse("duties:catalogue_department", args=[bureau.office.pk])).content.decode()
    assert "用印审批流程" in page and "失泄密" in page
    # A reader sees the whole bureau.
    html = client_for(bureau.users.discipline).get(reverse("duties:catalogue")).content.decode()
    assert total(html) == 2


def test_department_page_counts(bureau, dw, client_for):
    page = client_for(bureau.users.committee).get(reverse("duties:catalogue_department", args=[bureau.office.pk]))
    html = page.content.decode()
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', html))
    assert counts == {
        "tasks": "1",
        "divisions": "1",
        "flowcharts": "1",
        "post_duties": "1",
        "post_risks": "1",
        "measures": "1",
    }
    finance = (
        client_for(bureau.users.committee)
        .get(reverse("duties:catalogue_department", args=[bureau.finance.pk]))
        .content.decode()
    )
    assert "会议筹备" in finance and "配合1项" in finance  # 财务科 assists the office's division


def test_flowchart_page_and_step_editor(bureau, dw, client_for):
    client = client_for(bureau.users.committee)
    html = client.get(reverse("duties:flowchart_detail", args=[dw.chart.pk])).content.decode()
    assert "<svg" in html and html.count("data-step=") == 5 and 'id="print-chart"' in html
    url = reverse("duties:flowchart_steps", args=[dw.chart.pk])
    form = client.get(url).content.decode()
    assert 'name="steps-TOTAL_FORMS" value="8"' in form  # 5 steps and 3 blank rows

    def post(rows, **extra):
        data = {
            "steps-TOTAL_FORMS": str(len(rows)),
            "steps-INITIAL_FORMS": "0",
            "version": str(dw.chart.version + 1),
            **extra,
        }
        for i, (number, kind, text, yes, no) in enumerate(rows):
            data.update(
                {
                    f"steps-{i}-number": number,
                    f"steps-{i}-kind": kind,
                    f"steps-{i}-text": text,
                    f"steps-{i}-yes_to": yes,
                    f"steps-{i}-no_to": no,
                }
            )
        return client.post(url, data)

    response = post([("1", "start", "开始", "", ""), ("2", "decision", "是否同意", "", "")])
    assert response.status_code == 200 and "须填写“否”转到的步骤" in response.content.decode()
    assert WorkflowStep.objects.filter(chart=dw.chart).count() == 5
    response = post(
        [
            ("1", "start", "开始", "", ""),
            ("2", "decision", "是否同意", "", "1"),
            ("3", "end", "归档", "", ""),
            ("9", "process", "", "", ""),
        ]
    )
    assert response.status_code == 302
    assert list(WorkflowStep.objects.filter(chart=dw.chart).values_list("number", "text")) == [
        (1, "开始"),
        (2, "是否同意"),
        (3, "归档"),
    ]
    response = post([("1", "start", "开始", "", "")], _more="1")
    assert 'name="steps-TOTAL_FORMS" value="4"' in response.content.decode()


def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_data(bureau, dw, client_for):
    from meetings import services as meeting_services
    from meetings.models import TopicSubtype

    client = client_for(bureau.users.committee)
    # One item per derivation source beforehand: each source costs one query, however many items use it.
    item(bureau, "派生事项", derived_from="meetings.topic.online_ideology")
    urls = [
        (reverse("duties:responsibility"), {"period": "2022H1"}),
        (reverse("duties:responsibility"), {"period": "2022H1", "status": "missing"}),
        (reverse("duties:item_detail", args=[dw.root_item.pk]), {}),
        (reverse("duties:catalogue"), {}),
        (reverse("duties:catalogue_department", args=[bureau.office.pk]), {}),
        (reverse("duties:liaison_overview"), {"period": "2022H2"}),
        (reverse("duties:risk_areas"), {}),
        (reverse("duties:flowchart_detail", args=[dw.chart.pk]), {}),
        *[
            (reverse("duties:record_list", args=[k]), {})
            for k in (
                "evidence",
                "dual",
                "liaisons",
                "activities",
                "risks",
                "tasks",
                "divisions",
                "flowcharts",
                "post_duties",
                "post_risks",
                "measures",
            )
        ],
    ]
    before = [_count_queries(client, url, p) for url, p in urls]

    subtype = TopicSubtype.objects.get(code="party_building")
    for n in range(12):
        it = item(
            bureau,
            f"第{n}项",
            Frequency.MONTH if n % 2 else Frequency.QUARTER,
            derived_from="" if n % 3 else "meetings.topic.online_ideology",
        )
        if n % 2:
            services.evidence_add(actor=None, data={"item": it, "period_code": "2022-03", "note": "有"})
        else:
            services.evidence_add(
                actor=None, data={"item": dw.root_item, "period_code": f"2022Q{n % 4 + 1}", "note": f"佐证{n}"}
            )
        meeting_services.meeting_create(
            actor=None,
            data={
                "organization": bureau.root,
                "kind": "topic_meeting",
                "subtype": subtype,
                "held_on": D(2022, 1 + n % 6, 3),
                "topic": f"专题{n}",
            },
        )
        services.task_create(actor=None, data={"department": bureau.office, "content": f"任务{n}"})
        services.division_create(
            actor=None,
            data={"lead_department": bureau.office, "matter": f"事项{n}", "assisting_departments": [bureau.finance]},
        )
        chart = services.flowchart_create(actor=None, data={"department": bureau.office, "name": f"流程{n}"})
        services.flowchart_set_steps(
            actor=None, chart=chart, rows=[services.StepRow(1, "开始", "start"), services.StepRow(2, "结束", "end")]
        )
        services.post_duty_create(
            actor=None, data={"department": bureau.office, "post": f"岗位{n % 3}", "duty": f"职责{n}"}
        )
        point = services.post_risk_create(
            actor=None, data={"department": bureau.finance, "post": "会计岗", "risk": f"风险{n}", "level": "中"}
        )
        services.measure_create(actor=None, data={"risk_point": point, "measure": f"措施{n}"})
        services.activity_create(
            actor=None,
            data={"liaison": dw.liaison, "held_on": D(2022, 7 + n % 6, 1), "kind": "talk", "content": f"谈话{n}"},
        )
        services.dual_create(
            actor=None,
            data={
                "person": bureau.sec1_person,
                "organization": bureau.root,
                "areas": f"领域{n}",
                "departments": [bureau.office],
                "duties": "x",
                "valid_from": D(2020, 1, 1 + n),
            },
        )
        services.risk_create(
            actor=None,
            data={
                "organization": bureau.root,
                "area": f"领域{n % 3}",
                "post": "岗",
                "category": "post",
                "risk_point": f"风险点{n}",
                "manifestation": "m",
                "level": "低",
                "measures": "m",
                "responsible_person": "p",
                "responsible_leader": "l",
            },
        )
    after = [_count_queries(client, url, p) for url, p in urls]
    assert after == before, list(zip([u for u, _ in urls], before, after, strict=True))


def test_unknown_list_and_filters(bureau, dw, client_for):
    client = client_for(bureau.users.committee)
    assert client.get("/duties/nothing/").status_code == 404
    html = client.get(
        reverse("duties:record_list", args=["risks"]), {"level": "极高", "area": "文化旅游领域"}
    ).content.decode()
    assert "未知的风险等级" in html and total(html) == 1
    html = client.get(reverse("duties:record_list", args=["activities"]), {"period": "2022Q1"}).content.decode()
    assert total(html) == 0
    html = client.get(reverse("duties:record_list", args=["activities"]), {"period": "2022Q3"}).content.decode()
    assert total(html) == 1
    html = client.get(
        reverse("duties:record_list", args=["divisions"]), {"department": bureau.finance.pk}
    ).content.decode()
    assert total(html) == 1  # assisting counts for the department filter
