import datetime

import pytest
from django.core.exceptions import ValidationError

from core.audit import entries_for
from core.models import TrackedItem
from core.rules import rule_set_value
from core.tests.conftest import TEST_KIND
from core.tracking import open_items, tracked_item_extend, tracked_item_transition, urgency
from core.workdays import (
    add_working_days,
    calendar_known,
    compute_due,
    is_working_day,
    working_days_between,
)

D = datetime.date


# ---------------------------------------------------------------- working days


def test_national_day_2022_with_tiaoxiu():
    # 2022-10-01..07 are holidays; Saturday 10-08 and Sunday 10-09 are 调休 working days.
    for day in range(1, 8):
        assert not is_working_day(D(2022, 10, day))
    assert D(2022, 10, 8).weekday() == 5 and is_working_day(D(2022, 10, 8))
    assert is_working_day(D(2022, 10, 9))
    assert add_working_days(D(2022, 9, 30), 1) == D(2022, 10, 8)
    assert add_working_days(D(2022, 9, 30), 3) == D(2022, 10, 10)
    assert add_working_days(D(2022, 9, 29), 1) == D(2022, 9, 30)
    assert working_days_between(D(2022, 9, 30), D(2022, 10, 8)) == 1
    assert working_days_between(D(2022, 10, 8), D(2022, 9, 30)) == -1


def test_spring_festival_2023():
    # 2023-01-21..27 holidays; 01-28 (Sat) and 01-29 (Sun) are 调休 working days.
    assert add_working_days(D(2023, 1, 20), 1) == D(2023, 1, 28)
    assert add_working_days(D(2023, 1, 20), 5) == D(2023, 2, 1)
    assert not is_working_day(D(2023, 1, 23))  # a Monday inside the holiday


def test_fallback_for_unknown_years_is_monday_to_friday():
    day = D(2027, 10, 1)  # a Friday; chinese-calendar has no schedule for 2027
    assert not calendar_known(day)
    assert calendar_known(D(2022, 10, 1))
    assert is_working_day(day)  # no holiday known: weekdays count
    assert not is_working_day(D(2027, 10, 2))
    assert add_working_days(day, 1) == D(2027, 10, 4)
    assert add_working_days(D(2027, 1, 1), 5) == D(2027, 1, 8)


def test_compute_due_modes_and_negative_days():
    assert compute_due(D(2022, 9, 30), 5, "calendar") == D(2022, 10, 5)
    assert compute_due(D(2022, 9, 30), 5, "working") == D(2022, 10, 12)
    assert add_working_days(D(2022, 9, 30), 0) == D(2022, 9, 30)
    with pytest.raises(ValueError):
        add_working_days(D(2022, 9, 30), -1)


# ---------------------------------------------------------------- tracked items


@pytest.mark.django_db
def test_create_working_day_deadline_and_audit(bureau, make_item):
    item = make_item(start_on=D(2022, 9, 30), duration=5, mode="working")
    assert item.due_on == D(2022, 10, 12)
    assert item.status == "open"
    assert [t.to_status for t in item.transitions.all()] == ["open"]
    assert entries_for(item).get().action == "core.tracked_item.created"


@pytest.mark.django_db
def test_transition_table_enforced(bureau, make_item):
    item = make_item()
    sec = bureau.users.sec1
    with pytest.raises(ValidationError) as exc:
        tracked_item_transition(actor=sec, item=item, to_status="reopened", reason="x")
    assert "当前状态“待整改”不能变更为“重新整改”" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="须填写理由"):
        tracked_item_transition(actor=sec, item=item, to_status="closed", reason="   ")
    item.refresh_from_db()
    assert item.status == "open" and item.transitions.count() == 1
    assert entries_for(item).count() == 1  # refusals write nothing

    tracked_item_transition(actor=sec, item=item, to_status="doing")
    item = tracked_item_transition(actor=sec, item=item, to_status="closed", reason="已整改到位")
    assert item.status == "closed" and item.closed_at is not None
    log = list(item.transitions.values_list("from_status", "to_status", "actor__username", "reason"))
    assert log == [
        ("", "open", "committee", "创建"),
        ("open", "doing", "sec1", ""),
        ("doing", "closed", "sec1", "已整改到位"),
    ]
    last = entries_for(item).first()
    assert last.action == "core.tracked_item.transitioned"
    assert last.actor == sec
    assert last.changes["status"] == ["整改中", "已销号"]
    assert last.changes["理由"] == [None, "已整改到位"]
    assert entries_for(item).count() == 3
    assert item.pk not in set(open_items().values_list("pk", flat=True))
    tracked_item_transition(actor=sec, item=item, to_status="reopened", reason="复查发现反弹")
    item.refresh_from_db()
    assert item.closed_at is None and item.pk in set(open_items().values_list("pk", flat=True))


@pytest.mark.django_db
def test_extension_moves_the_deadline_later_and_is_audited(bureau, make_item):
    item = make_item(start_on=D(2022, 9, 30), duration=5, mode="working")
    with pytest.raises(ValidationError, match="应晚于原截止日期"):
        tracked_item_extend(actor=bureau.users.committee, item=item, new_due_on=D(2022, 10, 12))
    item = tracked_item_extend(actor=bureau.users.committee, item=item, new_due_on=D(2022, 10, 31), reason="批准延期")
    assert (item.due_on, item.deadline_mode, item.duration, item.version) == (D(2022, 10, 31), "calendar", 31, 2)
    entry = entries_for(item).first()
    assert entry.action == "core.tracked_item.extended"
    assert entry.changes["due_on"] == ["2022-10-12", "2022-10-31"] and entry.changes["理由"] == [None, "批准延期"]
    tracked_item_transition(actor=bureau.users.committee, item=item, to_status="closed", reason="已整改")
    with pytest.raises(ValidationError, match="已办结"):
        tracked_item_extend(actor=bureau.users.committee, item=item, new_due_on=D(2022, 12, 31))


@pytest.mark.django_db
def test_urgency_ok_due_overdue(bureau, make_item):
    item = make_item(start_on=D(2024, 3, 1), duration=10)  # due 2024-03-11, yellow window 3 days
    assert item.due_on == D(2024, 3, 11)
    assert urgency(item, D(2024, 3, 7)) == "ok"
    assert urgency(item, D(2024, 3, 8)) == "due"
    assert urgency(item, D(2024, 3, 11)) == "due"  # the due date itself is still yellow
    assert urgency(item, D(2024, 3, 12)) == "overdue"
    rule_set_value(actor=bureau.users.admin, code="tracking.yellow_days_before", year=2024, value=5)
    assert urgency(item, D(2024, 3, 6)) == "due"
    assert urgency(item, D(2024, 3, 6), yellow=3) == "ok"
    item.status = "closed"
    assert urgency(item, D(2024, 4, 1)) == "closed"


@pytest.mark.django_db
def test_home_page_shows_tracked_items_with_urgency(bureau, client_for, make_item):
    make_item(title="逾期的整改事项", start_on=D(2020, 1, 1), duration=1)
    html = client_for(bureau.users.sec1).get("/").content.decode()
    assert "逾期的整改事项" in html and "已逾期" in html
    html = client_for(bureau.users.sec2).get("/").content.decode()
    assert "逾期的整改事项" not in html  # another branch's item
    assert TrackedItem.objects.filter(kind=TEST_KIND).count() == 1
