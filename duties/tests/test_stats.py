"""Statistics, report paragraphs and alerts: each figure equals a count made here independently,
and its link lists exactly that many records."""

from __future__ import annotations

import datetime
import re

import pytest

from core.periods import Period
from core.stats import build_report, collect_alerts, get_statistic, registered_sections
from duties import services
from duties.models import (
    BoundaryDivision,
    ControlMeasure,
    Frequency,
    IntegrityRisk,
    LiaisonActivity,
    PostDuty,
    PostRiskPoint,
    ResponsibilityItem,
    Subject,
    WorkflowChart,
    WorkTask,
)

pytestmark = pytest.mark.django_db
D = datetime.date
H1 = Period.parse("2022H1")
H2 = Period.parse("2022H2")


def total_of(client, url) -> int:
    html = client.get(url).content.decode()
    return int(re.search(r'id="list-total">([\d,]+)<', html).group(1).replace(",", ""))


@pytest.fixture
def world(bureau, dw):
    """dw plus: a 党组书记 item without evidence, a second risk in another area, a branch-2 department task."""
    services.item_create(
        actor=None,
        data={
            "organization": bureau.root,
            "subject": Subject.GROUP_SECRETARY,
            "content": "每年讲党课",
            "frequency": Frequency.YEAR,
        },
    )
    services.risk_create(
        actor=None,
        data={
            "organization": bureau.root,
            "area": "政治安全领域",
            "post": "信息宣传岗",
            "category": "process",
            "risk_point": "信息发布审核不严",
            "manifestation": "未经审核发布",
            "level": "中",
            "measures": "三审三校",
            "responsible_person": "办公室主任",
            "responsible_leader": "分管副局长",
        },
    )
    return dw


def test_every_statistic_equals_an_independent_count_and_its_list(bureau, world, client_for):
    root, b1 = bureau.root, bureau.b1
    expected = {
        ("duties.responsibility.items", root, H1): ResponsibilityItem.objects.count(),  # 3
        ("duties.responsibility.items", b1, H1): ResponsibilityItem.objects.filter(organization=b1).count(),  # 1
        # 2022H1: the root's quarterly item lacks Q2, branch 1's quarterly item lacks Q2; the yearly one is not due.
        ("duties.responsibility.without_evidence", root, H1): 2,
        ("duties.responsibility.without_evidence", b1, H1): 1,
        ("duties.risks.points", root, H1): IntegrityRisk.objects.count(),
        ("duties.risks.areas", root, H1): 2,
        ("duties.catalogue.departments", root, H1): 2,  # 办公室 and 财务科 (a task, a chart)
        ("duties.catalogue.departments", b1, H1): 1,
        ("duties.catalogue.tasks", root, H1): WorkTask.objects.count(),
        ("duties.catalogue.tasks", b1, H1): WorkTask.objects.filter(department=bureau.office).count(),
        ("duties.catalogue.divisions", root, H1): BoundaryDivision.objects.count(),
        ("duties.catalogue.flowcharts", root, H1): WorkflowChart.objects.count(),
        ("duties.catalogue.post_duties", root, H1): PostDuty.objects.count(),
        ("duties.catalogue.post_risks", root, H1): PostRiskPoint.objects.count(),
        ("duties.catalogue.measures", root, H1): ControlMeasure.objects.count(),
        ("duties.liaison.activities", root, H1): 0,
        ("duties.liaison.activities", root, H2): LiaisonActivity.objects.count(),
        ("duties.liaison.liaisons", root, H1): 0,  # the liaison starts in July
        ("duties.liaison.liaisons", root, H2): 1,
    }
    assert expected[("duties.responsibility.items", root, H1)] == 3
    client = client_for(bureau.users.committee)
    for (code, org, period), value in expected.items():
        stat = get_statistic(code).compute(period, org, bureau.users.committee)
        assert stat.value == value, (code, org.name, period.code)
        assert total_of(client, stat.url) == value, (code, stat.url)
    # Scoped: a branch-1 secretary counts only what they may see.
    sec1 = bureau.users.sec1
    assert get_statistic("duties.responsibility.items").compute(H1, root, sec1).value == 1


def test_report_paragraphs(bureau, world, client_for):
    report = {
        s.code: paras
        for s, paras in build_report(H1, bureau.root, bureau.users.committee)
        if s.code.startswith("duties")
    }
    sections = {s.code: s for s in registered_sections()}
    assert sections["duties.responsibility"].chapter == "political" and sections["duties.catalogue"].chapter == "team"
    items, risks = report["duties.responsibility"]
    assert items.plain() == (
        "结合工作实际和职责分工，制定《测试局全面从严治党主体责任清单》，针对局党组、党组书记、支部书记共制定责任项目3项，"
        "上半年尚有2项未留存落实佐证。"
    )
    assert (
        risks.plain()
        == "认真梳理政治安全领域和文化旅游领域廉政风险点，制定《测试局廉政风险点防控清单》，共报送2大领域、2条廉政风险点。"
    )
    (catalogue,) = report["duties.catalogue"]
    assert catalogue.plain() == (
        "制定了《测试局履职清单》，覆盖2个科室，全面细化内设科室和岗位工作职责，科学设定工作流程。先后树立工作任务2项、"
        "划分内部边界分工1项，绘制工作流程图2张，明确岗位职责1项，找出岗位风险点1项，制定防控措施1条。"
    )
    assert report["duties.liaison"] == []  # no liaison yet in the first half
    client = client_for(bureau.users.committee)
    for para in (items, risks, catalogue):
        for key, figure in para.figures.items():
            assert total_of(client, figure.url) == figure.value, key
    (liaison,) = dict((s.code, p) for s, p in build_report(H2, bureau.root))["duties.liaison"]
    assert (
        liaison.plain()
        == "落实领导干部联系支部工作机制，1对领导干部与党支部建立联系，下半年到联系支部调研指导、参加组织生活、讲党课等1次。"
    )


def test_alerts(bureau, world, client_for):
    alerts = [a for a in collect_alerts(H1, bureau.root, bureau.users.committee) if a.topic == "responsibility"]
    texts = {a.text: a for a in alerts}
    missing = texts["主体责任清单中有2项责任项目2022年上半年未留存落实佐证"]
    assert missing.count == 2 and missing.level == "warning"
    idle = texts["机关第一党支部、机关第二党支部2022年上半年没有领导干部联系支部活动"]
    assert idle.count == 2
    client = client_for(bureau.users.committee)
    for alert in alerts:
        assert total_of(client, alert.url) == alert.count, alert.text
    # In the second half branch 1 had its activity; branch 2 had none.
    (idle,) = [a for a in collect_alerts(H2, bureau.root) if "联系支部活动" in a.text]
    assert idle.text.startswith("机关第二党支部") and idle.count == 1
