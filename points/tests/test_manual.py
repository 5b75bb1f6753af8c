"""Manual additions and deductions: entered by the branch, effective once the committee approves;
the floor at zero; the yearly reset; one audit entry per write."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from points import services
from points.models import EntryStatus, PointEntry, PointScore
from points.selectors import Window, person_score

pytestmark = pytest.mark.django_db
D = datetime.date


def score(person, year=2022):
    return person_score(person, Window.year_of(year))["score"]


def actions(entry):
    return list(
        AuditEntry.objects.filter(object_id=str(entry.pk), action__startswith="points.entry.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_pending_until_approved_then_counted(bureau):
    b = bureau
    entry = services.manual_entry_create(
        actor=b.users.sec1,
        person=b.zhang,
        date=D(2022, 4, 2),
        reason="在《海滨日报》发表理论文章",
        rule_code="points.article",
    )
    assert entry.status == EntryStatus.PENDING and entry.points == 3  # the rule's value, not typed
    assert entry.org_path == b.zhang.org_path and entry.created_by == b.users.sec1
    assert score(b.zhang) == 60 and person_score(b.zhang, Window.year_of(2022))["pending"] == 1
    services.manual_entry_approve(actor=b.users.committee, entry=entry)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.EFFECTIVE and entry.reviewed_by == b.users.committee
    assert score(b.zhang) == 63
    assert PointScore.objects.get(person=b.zhang, year=2022).q2 == 3
    assert actions(entry) == ["points.entry.created", "points.entry.approved"]
    # Approved once: it cannot be reviewed again.
    with pytest.raises(ValidationError, match="已生效"):
        services.manual_entry_reject(actor=b.users.committee, entry=entry, reason="重复")


def test_rejected_with_a_reason_does_not_count(bureau):
    b = bureau
    entry = services.manual_entry_create(
        actor=b.users.sec2, person=b.wang, date=D(2022, 5, 1), reason="志愿服务", points=2
    )
    with pytest.raises(ValidationError) as exc:
        services.manual_entry_reject(actor=b.users.committee, entry=entry, reason="  ")
    assert "理由" in str(exc.value)
    services.manual_entry_reject(actor=b.users.committee, entry=entry, reason="未附证明材料")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED and entry.review_note == "未附证明材料"
    assert score(b.wang) == 60
    assert actions(entry) == ["points.entry.created", "points.entry.rejected"]


def test_withdraw_a_pending_entry(bureau):
    b = bureau
    entry = services.manual_entry_create(
        actor=b.users.sec1, person=b.li, date=D(2022, 5, 1), reason="讲微党课", points=3
    )
    services.manual_entry_withdraw(actor=b.users.sec1, entry=entry)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.manual_entry_approve(actor=b.users.committee, entry=entry)
    assert actions(entry) == ["points.entry.created", "points.entry.withdrawn"]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"points": 0}, "points", "不能为0"),
        ({"points": 11}, "points", "不超过10分"),
        ({"points": -11}, "points", "不超过10分"),
        ({"points": 2, "reason": ""}, "reason", "理由"),
        ({"points": 1, "reason": "每天登录平台学习"}, "reason", "不得因使用本平台"),
        ({"points": 1, "reason": "在线时长满100小时"}, "reason", "不得因使用本平台"),
        ({"rule_code": "points.attend_meeting"}, "rule_code", "自动计分"),
        ({"points": 2, "date": "future"}, "date", "不能晚于今天"),
    ],
)
def test_refused_input_changes_nothing(bureau, kwargs, field, message):
    b = bureau
    data = {"reason": "表现突出", "date": D(2022, 5, 1), **kwargs}
    if data["date"] == "future":
        data["date"] = datetime.date.today() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        services.manual_entry_create(actor=b.users.sec1, person=b.zhang, **data)
    assert message in " ".join(exc.value.message_dict[field])
    assert PointEntry.objects.count() == 0 and AuditEntry.objects.filter(action__startswith="points.").count() == 0


def test_non_members_take_no_part(bureau):
    with pytest.raises(ValidationError, match="不参加党员量化积分"):
        services.manual_entry_create(
            actor=bureau.users.sec2, person=bureau.zhao, date=D(2022, 5, 1), reason="表现突出", points=2
        )


def test_four_eyes_and_not_ones_own_points(bureau):
    b = bureau
    own = services.manual_entry_create(
        actor=b.users.committee, person=b.zhang, date=D(2022, 5, 1), reason="表现突出", points=2
    )
    with pytest.raises(ValidationError, match="录入人不能审核"):
        services.manual_entry_approve(actor=b.users.committee, entry=own)
    services.manual_entry_approve(actor=b.users.admin, entry=own)
    mine = services.manual_entry_create(
        actor=b.users.sec1, person=b.sec1_person, date=D(2022, 5, 1), reason="表现突出", points=2
    )
    b.users.committee.person = b.sec1_person  # a committee administrator reviewing their own points
    with pytest.raises(ValidationError, match="本人的积分"):
        services.manual_entry_approve(actor=b.users.committee, entry=mine)


def test_floor_at_zero(bureau, manual):
    b = bureau
    for month in range(1, 8):
        manual(b.li, -10, D(2022, month, 3), reason="无故不参加组织生活，经批评教育仍不改正")
    card = person_score(b.li, Window.year_of(2022))
    assert card["total"] == -70 and card["score"] == 0 and card["floored"]
    # The floor is a rule: an administrator may set another.
    from core.rules import rule_set_value

    rule_set_value(actor=b.users.admin, code="points.floor", year=2022, value="20")
    assert score(b.li) == 20


def test_yearly_reset(bureau, manual):
    b = bureau
    manual(b.zhang, 5, D(2022, 12, 30), reason="外出授课")
    manual(b.zhang, -2, D(2023, 1, 2), reason="未按时交纳党费")
    assert score(b.zhang, 2022) == 65
    assert score(b.zhang, 2023) == 58  # starts again from the base
    assert score(b.zhang, 2024) == 60
    assert sorted(PointScore.objects.filter(person=b.zhang).values_list("year", "total")) == [(2022, 5), (2023, -2)]
