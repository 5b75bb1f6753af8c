"""Organizations, people, posts and handovers: the services and the rules they apply."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from conftest import valid_id
from core.audit import entries_for
from core.models import AuditEntry, TrackedItem
from core.scope import policy_for
from orgs import selectors, services
from orgs.models import Handover, Organization, PartyPost, Person
from orgs.validators import id_check_digit, validate_id_number

pytestmark = pytest.mark.django_db


def test_id_number_checksum():
    good = valid_id("11010519491231002")
    assert good == "11010519491231002X"
    assert validate_id_number(good.lower()) == good
    bad_check = good[:-1] + ("1" if good[-1] != "1" else "2")
    with pytest.raises(ValidationError, match="校验位"):
        validate_id_number(bad_check)
    with pytest.raises(ValidationError, match="18位"):
        validate_id_number("12345")
    with pytest.raises(ValidationError, match="出生日期"):
        prefix = "37060219900230123"  # 30 February
        validate_id_number(prefix + id_check_digit(prefix))


def test_person_create_derives_birth_gender_pinyin(bureau):
    p = bureau.zhang
    assert p.birth_date == datetime.date(1980, 1, 1)
    assert p.gender == "M"
    assert (p.name_pinyin, p.name_initials) == ("zhangsan", "zs")
    entry = entries_for(p).get(action="orgs.person.created")
    # The ID number is masked in the audit trail.
    assert p.id_number not in str(entry.changes)
    assert "********" in entry.changes["id_number"][1]


def test_duplicate_id_number_refused(bureau):
    with pytest.raises(ValidationError) as exc:
        services.person_create(
            actor=bureau.users.committee,
            data={
                "name": "重复",
                "organization": bureau.b2,
                "party_status": "non_member",
                "id_number": bureau.zhang.id_number,
            },
        )
    assert "已登记" in str(exc.value)
    assert not Person.objects.filter(name="重复").exists()


def test_impossible_join_date_refused(bureau):
    with pytest.raises(ValidationError, match="入党日期"):
        services.person_update(
            actor=bureau.users.committee, person=bureau.zhang, data={"joined_party_on": datetime.date(1970, 1, 1)}
        )
    bureau.zhang.refresh_from_db()
    assert bureau.zhang.joined_party_on == datetime.date(2010, 7, 1)


def test_update_writes_one_audit_entry_with_old_and_new(bureau):
    before = AuditEntry.objects.count()
    services.person_update(
        actor=bureau.users.sec1, person=bureau.li, data={"phone": "13900000000", "job_title": "科员"}
    )
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "orgs.person.updated"
    assert entry.actor == bureau.users.sec1
    assert entry.organization == bureau.b1
    assert entry.changes["phone"] == ["", "13900000000"]
    assert entry.changes["version"] == [1, 2]


def test_unchanged_update_writes_nothing(bureau):
    before = AuditEntry.objects.count()
    services.person_update(actor=bureau.users.sec1, person=bureau.li, data={"name": "李四"})
    assert AuditEntry.objects.count() == before


def test_reading_full_id_number_is_audited(bureau):
    number = services.person_read_id_number(actor=bureau.users.committee, person=bureau.zhang)
    assert number == bureau.zhang.id_number
    assert (
        entries_for(bureau.zhang).filter(action="orgs.person.id_number_viewed", actor=bureau.users.committee).exists()
    )


def test_organization_move_updates_subtree_paths(bureau):
    general = services.organization_create(
        actor=None, data={"name": "党总支", "code": "G1", "org_type": "general_branch", "parent": bureau.root}
    )
    services.organization_update(actor=bureau.users.admin, org=bureau.b1, data={"parent": general})
    b1 = Organization.objects.get(pk=bureau.b1.pk)
    cell = Organization.objects.get(pk=bureau.cell.pk)
    assert b1.path.startswith(general.path) and b1.depth == 2
    assert cell.path.startswith(b1.path) and cell.depth == 3
    # People follow their organization: the denormalized path used by scope filters moves too.
    assert Person.objects.get(pk=bureau.zhang.pk).org_path == b1.path
    assert Person.objects.get(pk=bureau.qian.pk).org_path == cell.path
    assert bureau.zhang in policy_for(Person).visible(bureau.users.sec1)
    with pytest.raises(ValidationError, match="下级"):
        services.organization_update(actor=bureau.users.admin, org=general, data={"parent": cell})


def test_delete_org_with_people_refused(bureau):
    with pytest.raises(ValidationError, match="人员"):
        services.organization_delete(actor=bureau.users.admin, org=bureau.b2)


def test_committee_check_flags_mismatch(bureau):
    counts = selectors.full_member_counts([bureau.b1, bureau.b2])
    # b1: 张三, 李四, 孙书记 are full members (钱七 in the cell is probationary) = 3 < 7, but recorded as having a committee.
    assert counts[bureau.b1.pk] == 3
    check = selectors.committee_check(bureau.b1, counts[bureau.b1.pk])
    assert check["should_have"] is False and check["recorded"] is True and check["mismatch"] is True
    check2 = selectors.committee_check(bureau.b2, counts[bureau.b2.pk])
    assert check2["mismatch"] is False


def test_term_status_warns_before_expiry(bureau):
    # b1: term started 2020-01-10, branch term 3 years -> ends 2023-01-10.
    assert services.term_end_of(bureau.b1) == datetime.date(2023, 1, 10)
    assert selectors.term_status(bureau.b1, datetime.date(2022, 6, 1))["state"] == "ok"
    assert selectors.term_status(bureau.b1, datetime.date(2022, 11, 1))["state"] == "due"
    assert selectors.term_status(bureau.b1, datetime.date(2023, 2, 1))["state"] == "expired"
    # The committee's term is 5 years.
    assert services.term_end_of(bureau.root) == datetime.date(2026, 3, 1)


def test_post_history_and_handover_with_working_day_deadline(bureau):
    post = services.post_assign(
        actor=bureau.users.sec1,
        person=bureau.li,
        organization=bureau.b1,
        post="affairs_officer",
        start_on=datetime.date(2021, 1, 4),
    )
    # Leaving on the last working day before the 2022 National Day holiday: 5 working days later,
    # counting the 调休 Saturday 2022-10-08 and Sunday 2022-10-09 as working days.
    services.post_end(
        actor=bureau.users.sec1,
        post=post,
        end_on=datetime.date(2022, 9, 30),
        successor=bureau.zhang,
        handover_items="台账\n档案",
    )
    post.refresh_from_db()
    assert post.end_on == datetime.date(2022, 9, 30)
    handover = Handover.objects.get(post=post)
    item = handover.tracked_item
    assert item.deadline_mode == TrackedItem.DEADLINE_WORKING
    assert item.due_on == datetime.date(2022, 10, 12)
    assert item.status == "open"
    # History survives: the ended post is still listed for the person.
    assert PartyPost.objects.filter(person=bureau.li).count() == 1
    services.handover_complete(actor=bureau.users.sec1, handover=handover, completed_on=datetime.date(2022, 10, 10))
    item.refresh_from_db()
    assert item.status == "done" and item.closed_at is not None
    assert list(item.transitions.values_list("to_status", flat=True)) == ["open", "done"]


def test_only_one_sitting_secretary(bureau):
    services.post_assign(
        actor=None, person=bureau.zhang, organization=bureau.b1, post="secretary", start_on=datetime.date(2021, 1, 1)
    )
    with pytest.raises(ValidationError, match="在任书记"):
        services.post_assign(
            actor=None, person=bureau.li, organization=bureau.b1, post="secretary", start_on=datetime.date(2022, 1, 1)
        )


def test_non_member_cannot_hold_party_post(bureau):
    with pytest.raises(ValidationError, match="非党员"):
        services.post_assign(
            actor=None, person=bureau.zhao, organization=bureau.b2, post="secretary", start_on=datetime.date(2022, 1, 1)
        )


def test_scope_policies(bureau):
    policy = policy_for(Person)
    u = bureau.users
    assert set(policy.visible(u.sec1)) == {bureau.zhang, bureau.li, bureau.qian, bureau.sec1_person}
    assert bureau.wang not in policy.visible(u.sec1)
    assert set(policy.visible(u.member)) == {bureau.zhang}
    assert policy.visible(u.nobody).count() == 0
    assert policy.visible(u.committee).count() == Person.objects.count()
    assert policy.can(u.leader, "view", bureau.wang) and not policy.can(u.leader, "change", bureau.wang)
    assert policy.can(u.sec2, "change", bureau.wang) and not policy.can(u.sec2, "change", bureau.zhang)
    assert policy.can_view_id_number(u.member, bureau.zhang)
    assert not policy.can_view_id_number(u.leader, bureau.zhang)
    assert not policy.can_view_id_number(u.sec2, bureau.zhang)


def _codes_written(func):
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    func()
    return sorted(AuditEntry.objects.filter(id__gt=before).values_list("action", flat=True))


def test_every_service_writes_its_audit_entry(bureau):
    actor = bureau.users.committee
    org = {}
    assert _codes_written(
        lambda: org.setdefault(
            "x",
            services.organization_create(
                actor=actor, data={"name": "新支部", "code": "N1", "org_type": "branch", "parent": bureau.root}
            ),
        )
    ) == ["orgs.organization.created"]
    assert _codes_written(
        lambda: services.organization_update(actor=actor, org=org["x"], data={"short_name": "新"})
    ) == ["orgs.organization.updated"]
    assert _codes_written(lambda: services.organization_delete(actor=actor, org=org["x"])) == [
        "orgs.organization.deleted"
    ]
    deleted = Organization.all_objects.get(pk=org["x"].pk)
    assert _codes_written(lambda: services.organization_restore(actor=actor, org=deleted)) == ["core.object.restored"]
    person = {}
    assert _codes_written(
        lambda: person.setdefault(
            "p",
            services.person_create(
                actor=actor, data={"name": "新人", "organization": bureau.b2, "party_status": "activist"}
            ),
        )
    ) == ["orgs.person.created"]
    assert _codes_written(lambda: services.person_update(actor=actor, person=person["p"], data={"phone": "1"})) == [
        "orgs.person.updated"
    ]
    assert _codes_written(lambda: services.person_delete(actor=actor, person=person["p"])) == ["orgs.person.deleted"]
    gone = Person.all_objects.get(pk=person["p"].pk)
    assert _codes_written(lambda: services.person_restore(actor=actor, person=gone)) == ["core.object.restored"]
    assert _codes_written(lambda: services.person_read_id_number(actor=actor, person=bureau.zhang)) == [
        "orgs.person.id_number_viewed"
    ]
    post = {}
    assert _codes_written(
        lambda: post.setdefault(
            "p",
            services.post_assign(
                actor=actor,
                person=bureau.li,
                organization=bureau.b1,
                post="affairs_officer",
                start_on=datetime.date(2021, 1, 4),
            ),
        )
    ) == ["orgs.post.assigned"]
    # Ending a 党务干部 post also opens a handover with a tracked deadline: each write is audited.
    assert _codes_written(lambda: services.post_end(actor=actor, post=post["p"], end_on=datetime.date(2022, 3, 1))) == [
        "core.tracked_item.created",
        "orgs.handover.created",
        "orgs.post.ended",
    ]
    handover = Handover.objects.get(post=post["p"])
    assert _codes_written(
        lambda: services.handover_complete(actor=actor, handover=handover, completed_on=datetime.date(2022, 3, 2))
    ) == ["core.tracked_item.transitioned", "orgs.handover.completed"]
