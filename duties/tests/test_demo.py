"""The demo reproduces the seed: 19 responsibility items, 5 risk points in 2 areas, and a duty
catalogue of exactly 189 / 45 / 27 / 227 / 23 / 23 over the 6 administrative departments.

Counts are read from the tables directly, then compared with the statistics and the report."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from core.models import AuditEntry
from core.periods import Period
from core.stats import build_report, get_statistic
from duties import demo as duties_demo
from duties import services
from duties.fulfilment import MISSING, statuses
from duties.models import (
    BoundaryDivision,
    ControlMeasure,
    DualResponsibility,
    IntegrityRisk,
    LeaderLiaison,
    LiaisonActivity,
    PostDuty,
    PostRiskPoint,
    ResponsibilityEvidence,
    ResponsibilityItem,
    WorkflowChart,
    WorkTask,
)
from orgs import demo
from orgs.models import Department, Organization

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")


def test_phrase_tables_give_the_seed_counts():
    assert sum(len(duties_demo.tasks_for(k)) for k in duties_demo.CATALOGUE_DEPARTMENTS) == 189
    assert sum(len(duties_demo.post_duties_for(k)) for k in duties_demo.CATALOGUE_DEPARTMENTS) == 227
    assert sum(len(v) for v in duties_demo.DIVISIONS.values()) == 45
    assert sum(len(v) for v in duties_demo.CHARTS.values()) == 27
    assert sum(len(v) for v in duties_demo.POST_RISKS.values()) == 23
    for key in duties_demo.CATALOGUE_DEPARTMENTS:
        tasks = [t for t, _ in duties_demo.tasks_for(key)]
        assert len(set(tasks)) == len(tasks)
        duties = duties_demo.post_duties_for(key)
        assert len(set(duties)) == len(duties)
        assert len({post for post, _ in duties}) == 8  # every post has duties
        for _name, pattern, first, post in duties_demo.CHARTS[key]:
            assert services.validate_steps(duties_demo.chart_steps(pattern, first, post)) == []


@pytest.fixture
def loaded(monkeypatch):
    # Only the areas this one builds on: the other areas' demos are tested in their own apps.
    monkeypatch.setattr(demo, "DEMO_AREAS", ("meetings", "duties"))
    call_command("load_demo", stdout=StringIO())
    return Organization.objects.get(code=demo.ROOT_CODE)


def test_demo_reproduces_the_seed(loaded):
    root = loaded
    today = timezone.localdate()

    # 主体责任清单: 19 items for 党组 / 党组书记 / 党组成员; three lack evidence in 2022H1.
    items = list(ResponsibilityItem.objects.select_related("organization").order_by("order"))
    assert len(items) == 19
    assert Counter(i.subject for i in items) == {"leading_group": 7, "group_secretary": 6, "group_member": 6}
    assert sum(bool(i.derived_from) for i in items) == 8
    result = statuses(items, H1)
    missing = [s.item.content for s in result if s.state == MISSING]
    assert missing == [
        "每季度批阅各支部党建工作情况报告，提出指导意见",
        "每季度至少到联系支部调研指导1次，参加联系支部组织生活",
        "每月对挂包企业走访情况进行汇总分析，更新重点工作台账",
    ]
    party_building = next(s for s in result if s.item.derived_from == "meetings.topic.party_building")
    assert [s.derived.value for s in party_building.slots] == [1, 1]
    h1_evidence = ResponsibilityEvidence.objects.filter(period_start__gte=H1.start, period_end__lte=H1.end)
    assert h1_evidence.count() == 4 + 1 + 1 + 1 + 1  # 4 months of summaries, three halves, Q1 reports
    assert ResponsibilityEvidence.objects.filter(period_code="2022").count() == 6  # 5 yearly + the one-off list
    assert ResponsibilityEvidence.objects.filter(period_start__gt=H1.end).exists()
    lecture = ResponsibilityEvidence.objects.get(period_code="2022", note__contains="清正廉洁七笔帐")
    assert lecture.done_on.month == 5

    # 一岗双责 for each leadership member.
    duals = DualResponsibility.objects.select_related("person")
    assert duals.count() == 5 and all(d.person.is_leadership_member for d in duals)
    assert {d.name for d in Department.objects.filter(dual_responsibilities__isnull=False)} == {
        "办公室",
        "组织人事科",
        "财务审计科",
        "公共服务科",
        "产业发展科",
        "市场管理科",
    }

    # 领导干部联系支部: b1–b4 from July 2022; 图书馆党支部 idle in the last two quarters.
    liaisons = LeaderLiaison.objects.select_related("branch", "leader")
    assert {li.branch.code for li in liaisons} == {"DEMO-B01", "DEMO-B02", "DEMO-B03", "DEMO-B04"}
    assert all(li.start_on == datetime.date(2022, 7, 1) and li.leader.is_leadership_member for li in liaisons)
    current = Period.containing("quarter", today)
    previous = Period.containing("quarter", current.start - datetime.timedelta(days=1))
    recent = LiaisonActivity.objects.filter(held_on__gte=previous.start)
    assert set(recent.values_list("liaison__branch__code", flat=True)) == {"DEMO-B01", "DEMO-B02", "DEMO-B03"}
    assert not LiaisonActivity.objects.filter(held_on__lt=datetime.date(2022, 7, 1)).exists()
    assert not LiaisonActivity.objects.filter(held_on__gt=today).exists()

    # 廉政风险点防控清单: 5 points in 2 areas.
    risks = IntegrityRisk.objects.all()
    assert risks.count() == 5
    assert Counter(risks.values_list("area", flat=True)) == {"政治安全领域": 2, "文化旅游领域": 3}

    # 履职清单 over the 6 administrative departments.
    admin = Department.objects.filter(is_administrative=True)
    assert admin.count() == 6
    totals = {
        "tasks": WorkTask.objects.filter(department__in=admin).count(),
        "divisions": BoundaryDivision.objects.filter(lead_department__in=admin).count(),
        "flowcharts": WorkflowChart.objects.filter(department__in=admin).count(),
        "post_duties": PostDuty.objects.filter(department__in=admin).count(),
        "post_risks": PostRiskPoint.objects.filter(department__in=admin).count(),
        "measures": ControlMeasure.objects.filter(risk_point__department__in=admin).count(),
    }
    assert totals == {
        "tasks": 189,
        "divisions": 45,
        "flowcharts": 27,
        "post_duties": 227,
        "post_risks": 23,
        "measures": 23,
    }
    per_dept = dict(WorkTask.objects.values_list("department__name").annotate(n=Count("id")))
    assert len(per_dept) == 6 and min(per_dept.values()) >= 28
    for chart in WorkflowChart.objects.prefetch_related("steps"):
        steps = list(chart.steps.all())
        assert len(steps) >= 9 and steps[0].kind == "start" and steps[-1].kind == "end"
        assert services.validate_steps(steps) == []
    assert all(d.assisting_departments.exists() for d in BoundaryDivision.objects.all())

    # Statistics and the report say the same, every record entered by 系统.
    for code, value in {
        "duties.responsibility.items": 19,
        "duties.responsibility.without_evidence": 3,
        "duties.risks.points": 5,
        "duties.risks.areas": 2,
        "duties.catalogue.departments": 6,
        **{f"duties.catalogue.{k}": v for k, v in totals.items()},
    }.items():
        assert get_statistic(code).compute(H1, root, None).value == value, code
    report = {s.code: [p.plain() for p in paras] for s, paras in build_report(H1, root)}
    assert "针对局党组、党组书记、党组成员共制定责任项目19项" in report["duties.responsibility"][0]
    assert report["duties.responsibility"][1] == (
        "认真梳理政治安全领域和文化旅游领域廉政风险点，制定《海滨市文化和旅游局廉政风险点防控清单》，"
        "共报送2大领域、5条廉政风险点。"
    )
    assert (
        "先后树立工作任务189项、划分内部边界分工45项，绘制工作流程图27张，明确岗位职责227项，找出岗位风险点23项，制定防控措施23条。"
        in report["duties.catalogue"][0]
    )
    duties_entries = AuditEntry.objects.filter(action__startswith="duties.")
    assert duties_entries.exists() and set(duties_entries.values_list("actor_name", flat=True)) == {"系统"}
    assert duties_entries.filter(action="duties.task.created").count() == 189
