"""rebuild_derived: every derived table rebuilt from the records gives what the services kept."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from duties.models import FulfilmentHit
from meetings import obligation_store
from meetings.models import ObligationRecord
from points.models import PointEntry, PointScore
from supervision.models import ProblemMonthSummary

TABLES = {
    ObligationRecord: ("organization_id", "kind", "year", "period_code", "required", "held", "due_on", "form_org_id"),
    ProblemMonthSummary: ("path", "level", "source", "span", "month", "found", "pending", "closed", "on_time"),
    FulfilmentHit: ("item_id", "period_code", "period_start", "source", "object_id"),
    PointEntry: ("person_id", "year", "date", "points", "kind", "source", "object_id", "rule_code", "status"),
    PointScore: ("person_id", "year", "q1", "q2", "q3", "q4", "total", "entries", "org_path", "name"),
}


def snapshot():
    return {m: sorted(m.objects.values_list(*cols)) for m, cols in TABLES.items()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the rules seeded by the migrations
def test_rebuild_derived_restores_every_derived_table():
    call_command("load_demo", stdout=StringIO())
    call_command("rebuild_fulfilment", stdout=StringIO())  # built on first read otherwise
    obligation_store.ensure_years(range(2021, 2027))
    kept = snapshot()
    assert all(kept[m] for m in TABLES), {m.__name__: len(v) for m, v in kept.items()}

    # Lose or damage each table as a partial restore or a write outside the services would.
    ObligationRecord.objects.filter(year=2022).delete()
    ProblemMonthSummary.objects.all().delete()
    FulfilmentHit.objects.all().delete()
    PointEntry.objects.filter(kind="derived", year=2022).delete()
    PointScore.objects.filter(year=2022).update(total=999, q1=999)
    assert snapshot() != kept

    out = StringIO()
    call_command("rebuild_derived", stdout=out)
    assert snapshot() == kept
    text = out.getvalue()
    assert "[1/4] 组织生活落实情况" in text and "[4/4] 党员积分与排名汇总" in text
    assert "2022年：" in text and "派生数据已全部重建" in text


@pytest.mark.django_db
def test_rebuild_derived_only_and_unknown_parts(bureau):
    out = StringIO()
    call_command("rebuild_derived", "--only", "problems", stdout=out)
    assert "[1/1] 问题整改月度汇总" in out.getvalue()
    with pytest.raises(CommandError, match="未知的部分：meetings"):
        call_command("rebuild_derived", "--only", "problems,meetings")


@pytest.mark.django_db
def test_check_names_the_tables_that_differed_from_the_rebuild(bureau):
    import datetime

    from meetings import services as meeting_services

    b = bureau
    meeting_services.meeting_create(
        actor=b.users.sec1,
        data={
            "organization": b.b1,
            "kind": "branch_general_meeting",
            "held_on": datetime.date(2022, 3, 8),
            "topic": "学习",
        },
        attendance=[meeting_services.AttendanceRow(b.zhang, "present")],
    )
    out = StringIO()
    call_command("rebuild_derived", "--check", "--only", "problems,points", stdout=out)
    assert "核对 points.PointEntry：" in out.getvalue() and "与重建结果一致" in out.getvalue()

    PointScore.objects.filter(person=b.zhang, year=2022).update(total=999)  # as a write outside the services
    with pytest.raises(CommandError, match=r"不一致：points\.PointScore（重建前 \d+ 行，重建后 \d+ 行）"):
        call_command("rebuild_derived", "--check", "--only", "problems,points", stdout=StringIO())
    # The rebuild repaired it: checked again, everything agrees.
    call_command("rebuild_derived", "--check", "--only", "points", stdout=StringIO())
    assert PointScore.objects.get(person=b.zhang, year=2022).total != 999
