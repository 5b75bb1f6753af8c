"""党员先锋 / 党员先锋科室: nominated from points (and 民主评议), decided within the quota, 公示 for
the rule's working days, then the result; the notice is public to everyone under the committee."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEntry
from core.periods import Period
from core.stats import build_report, get_statistic
from core.workdays import is_working_day
from meetings import services as meeting_services
from points import services
from points.models import RoundStatus, VanguardNomination
from points.policies import notice_visible
from points.services import notice_working_days
from points.tests.conftest import ABSENT, PRESENT

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def h1(bureau, meeting, manual):
    """2022 上半年: 孙书记 65 (gave the 党课), 张三 63, 钱七 61, 王五 61, 周书记 60, 李四 58."""
    b = bureau
    meeting(
        b.b1,
        "party_lecture",
        D(2022, 3, 25),
        {b.zhang: PRESENT, b.sec1_person: PRESENT, b.qian: PRESENT, b.li: ABSENT},
        lecturer=b.sec1_person,
    )
    meeting(b.b2, "theme_party_day", D(2022, 4, 12), {b.wang: PRESENT})
    meeting(b.b1, "democratic_appraisal", D(2022, 1, 14), {b.zhang: PRESENT, b.sec1_person: PRESENT})
    manual(b.zhang, 1, D(2022, 5, 5), reason="主题宣讲比赛获奖")
    return b


def test_member_round_from_nomination_to_result(h1, client_for):
    b = h1
    rnd = services.round_create(actor=b.users.committee, organization=b.root, year=2022, half=1, kind="member")
    # Quota: 10% of the participating members (6) rounded down, at least 1.
    assert rnd.quota == 1 and rnd.title == "2022年上半年“党员先锋”评选" and rnd.status == RoundStatus.NOMINATING
    added = services.round_nominate_from_points(actor=b.users.committee, round=rnd, count=3)
    nominations = list(rnd.nominations.select_related("person").order_by("rank"))
    assert added == 3
    assert [(n.person.name, int(n.score), n.rank) for n in nominations] == [
        ("孙书记", 65, 1),
        ("张三", 63, 2),
        ("钱七", 61, 3),
    ]
    # The latest 民主评议 meeting of each nominee's organizations (their own or above) is linked.
    appraisal = b.b1.meetings.get(kind="democratic_appraisal")
    assert [n.appraisal_meeting for n in nominations] == [appraisal, appraisal, appraisal]
    wang = services.nomination_add(actor=None, round=rnd, person=b.wang)
    assert wang.appraisal_meeting is None and int(wang.score) == 61 and wang.source == "recommended"
    services.nomination_remove(actor=None, nomination=wang)
    top, second, third = nominations
    # Without a recorded 优秀 grade nobody can be selected; nor more than the quota.
    with pytest.raises(ValidationError, match="民主评议等次为未登记"):
        services.round_decide(actor=b.users.committee, round=rnd, selected=[top.pk], decided_on=D(2022, 7, 5))
    services.nomination_update(
        actor=b.users.committee, nomination=top, data={"appraisal_grade": "优秀", "deeds": "讲党课"}
    )
    services.nomination_update(actor=b.users.committee, nomination=second, data={"appraisal_grade": "优秀"})
    with pytest.raises(ValidationError, match="超过名额1个"):
        services.round_decide(
            actor=b.users.committee, round=rnd, selected=[top.pk, second.pk], decided_on=D(2022, 7, 5)
        )
    rnd = services.round_decide(
        actor=b.users.committee,
        round=rnd,
        selected=[top.pk],
        decided_on=D(2022, 7, 5),
        decision_note="机关党委会议研究决定",
    )
    assert rnd.status == RoundStatus.DECIDED
    assert list(rnd.nominations.filter(selected=True).values_list("person__name", flat=True)) == ["孙书记"]
    # 公示: at least five working days; by default exactly five, holidays skipped.
    with pytest.raises(ValidationError, match="不少于5个工作日"):
        services.round_publish(actor=b.users.committee, round=rnd, notice_start=D(2022, 7, 6), notice_end=D(2022, 7, 8))
    with pytest.raises(ValidationError, match="研究决定之后"):
        services.round_publish(actor=b.users.committee, round=rnd, notice_start=D(2022, 7, 1))
    rnd = services.round_publish(actor=b.users.committee, round=rnd, notice_start=D(2022, 7, 6))
    assert (rnd.notice_start, rnd.notice_end) == (D(2022, 7, 6), D(2022, 7, 12))  # Wed → next Tue
    assert notice_working_days(rnd.notice_start, rnd.notice_end) == 5 and is_working_day(rnd.notice_end)
    # Everyone under the committee reads the notice; someone outside does not.
    for user in (b.users.member, b.users.sec2, b.users.leader):
        assert client_for(user).get(reverse("points:notice_detail", args=[rnd.pk])).status_code == 200
    assert not notice_visible(b.users.nobody).exists()
    page = client_for(b.users.member).get(reverse("points:notice_detail", args=[rnd.pk])).content.decode()
    assert "孙书记" in page and "2022年7月6日至2022年7月12日" in page
    # The result only after the 公示 period.
    with pytest.raises(ValidationError, match="期满后方可公布结果"):
        services.round_complete(actor=b.users.committee, round=rnd, completed_on=D(2022, 7, 12))
    rnd = services.round_complete(actor=b.users.committee, round=rnd, completed_on=D(2022, 7, 13))
    assert rnd.status == RoundStatus.COMPLETED and rnd.result_note == "公示期内无异议"
    actions = list(
        AuditEntry.objects.filter(object_id=str(rnd.pk), action__startswith="points.round")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "points.round.created",
        "points.round.nominated",
        "points.round.decided",
        "points.round.publicized",
        "points.round.completed",
    ]
    # The statistics and the report count those selected.
    stat = get_statistic("points.vanguard.members").compute(Period.parse("2022H1"), b.root, b.users.committee)
    assert stat.value == 1
    html = client_for(b.users.committee).get(stat.url).content.decode()
    assert 'data-total="1"' in html and "孙书记" in html
    assert get_statistic("points.vanguard.members").compute(Period.parse("2022H2"), b.root, None).value == 0
    text = dict((s.code, p) for s, p in build_report(Period.parse("2022H1"), b.root))["points.vanguard"][0].plain()
    assert "评选出“党员先锋”1名" in text and "先锋科室" not in text


def test_objection_upheld_during_the_notice(h1):
    b = h1
    rnd = services.round_create(actor=None, organization=b.root, year=2022, half=1, kind="member", quota=2)
    a = services.nomination_add(actor=None, round=rnd, person=b.zhang, deeds="主题宣讲获奖")
    c = services.nomination_add(actor=None, round=rnd, person=b.wang)
    for n in (a, c):
        services.nomination_update(actor=None, nomination=n, data={"appraisal_grade": "优秀"})
    services.round_decide(actor=None, round=rnd, selected=[a.pk, c.pk], decided_on=D(2022, 7, 1))
    services.round_publish(actor=None, round=rnd, notice_start=D(2022, 7, 4))
    with pytest.raises(ValidationError, match="原因"):
        services.nomination_revoke(actor=None, nomination=c, reason="")
    services.nomination_revoke(actor=None, nomination=c, reason="群众反映情况经核实属实")
    assert list(VanguardNomination.objects.filter(round=rnd, selected=True).values_list("person__name", flat=True)) == [
        "张三"
    ]
    # Nominations are closed once decided.
    with pytest.raises(ValidationError, match="提名中"):
        services.nomination_add(actor=None, round=rnd, person=b.qian)


def test_department_round_uses_member_averages_and_criteria(h1):
    b = h1
    rnd = services.round_create(actor=None, organization=b.root, year=2022, half=1, kind="department")
    assert rnd.quota == 2 and "不少于3人" in rnd.criteria
    services.round_nominate_from_points(actor=None, round=rnd)
    rows = {n.department.name: n for n in rnd.nominations.select_related("department")}
    # 办公室: 张三 63, 李四 58, 钱七 61, 孙书记 65 → 61.75; 财务科: 王五 61, 周书记 60 → 60.5 (2 members < 3).
    assert (float(rows["办公室"].score), rows["办公室"].members_count, rows["办公室"].criteria_met) == (61.8, 4, False)
    assert (float(rows["财务科"].score), rows["财务科"].criteria_met) == (60.5, False)
    # min_average 65 is not met by anyone: the committee may not select an unmet department.
    with pytest.raises(ValidationError, match="未核实符合评选条件"):
        services.round_decide(actor=None, round=rnd, selected=[rows["办公室"].pk], decided_on=D(2022, 7, 1))
    services.nomination_update(
        actor=None, nomination=rows["办公室"], data={"criteria_met": True, "criteria_note": "经机关党委核实"}
    )
    rnd = services.round_decide(actor=None, round=rnd, selected=[rows["办公室"].pk], decided_on=D(2022, 7, 1))
    assert rnd.status == RoundStatus.DECIDED


def test_one_round_per_organization_period_and_kind(bureau):
    b = bureau
    services.round_create(actor=None, organization=b.root, year=2022, half=1, kind="member")
    with pytest.raises(ValidationError, match="已有同类评选"):
        services.round_create(actor=None, organization=b.root, year=2022, half=1, kind="member")


def test_round_pages_walk_the_workflow(h1, client_for):
    b = h1
    client = client_for(b.users.committee)
    response = client.post(
        reverse("points:round_create"),
        {"organization": b.root.pk, "year": 2022, "half": 1, "kind": "member", "quota": 2},
    )
    rnd = b.root.vanguard_rounds.get()
    assert response.status_code == 302 and response.url == reverse("points:round_detail", args=[rnd.pk])
    client.post(reverse("points:round_nominate", args=[rnd.pk]), {"count": "2"})
    top = rnd.nominations.order_by("rank").first()
    page = client.get(reverse("points:round_detail", args=[rnd.pk])).content.decode()
    assert "孙书记" in page and "登记评议" in page
    client.post(reverse("points:nomination_edit", args=[top.pk]), {"appraisal_grade": "优秀", "deeds": "讲党课"})
    response = client.post(
        reverse("points:round_decide", args=[rnd.pk]), {"selected": [top.pk], "decided_on": "2022-07-05"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("points:round_publish", args=[rnd.pk]), {"notice_start": "2022-07-06", "notice_end": "2022-07-07"}
    )
    assert response.status_code == 400 and "不少于5个工作日" in response.content.decode()
    response = client.post(reverse("points:round_publish", args=[rnd.pk]), {"notice_start": "2022-07-06"})
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLICIZED and rnd.notice_end == D(2022, 7, 12)
    notices = client_for(b.users.member).get(reverse("points:notice_list")).content.decode()
    assert rnd.title in notices
    client = client_for(b.users.committee)
    response = client.post(
        reverse("points:round_complete", args=[rnd.pk]), {"completed_on": "2022-07-13", "result_note": "公示期内无异议"}
    )
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.COMPLETED


def test_meeting_deleted_after_nomination_keeps_the_snapshot(h1):
    """The nomination stores the score at nomination time (what the committee decided on)."""
    b = h1
    rnd = services.round_create(actor=None, organization=b.root, year=2022, half=1, kind="member")
    services.round_nominate_from_points(actor=None, round=rnd, count=1)
    lecture = b.sec1_person.lectures.get()
    meeting_services.meeting_delete(actor=b.users.sec1, meeting=lecture)
    assert int(rnd.nominations.get().score) == 65
