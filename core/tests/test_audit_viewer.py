import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.models import AuditEntry, ImmutableError
from orgs.models import Organization, Person
from orgs.services import organization_create, person_update

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted(bureau):
    entry = AuditEntry.objects.filter(action="orgs.person.created").first()
    entry.action = "orgs.person.deleted"
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    with pytest.raises(ImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(ImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ImmutableError):
        AuditEntry.objects.all().delete()
    with pytest.raises(ImmutableError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "orgs.person.created"


def test_every_service_write_is_one_entry(bureau):
    before = AuditEntry.objects.count()
    person_update(actor=bureau.users.sec1, person=bureau.li, data={"phone": "13800000000"})
    assert AuditEntry.objects.count() == before + 1
    with pytest.raises(ValueError, match="未注册的审计操作代码"), transaction.atomic():
        audit.record(actor=None, action="no.such.action")


def _entry(action, *, at, actor=None, org=None, obj=None):
    ct = ContentType.objects.get_for_model(obj) if obj is not None else None
    return AuditEntry.objects.create(
        action=action,
        at=at,
        actor=actor,
        actor_name=(actor.get_full_name() or actor.username) if actor else "系统",
        organization=org,
        content_type=ct,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj) if obj is not None else "",
    )


def _aware(y, m, d):
    return timezone.make_aware(datetime.datetime(y, m, d, 10, 0))


@pytest.fixture
def history(bureau):
    u = bureau.users
    return [
        _entry("orgs.person.updated", at=_aware(2022, 3, 1), actor=u.sec1, org=bureau.b1, obj=bureau.li),
        _entry("orgs.person.updated", at=_aware(2022, 3, 15), actor=u.sec2, org=bureau.b2, obj=bureau.wang),
        _entry("orgs.organization.updated", at=_aware(2022, 4, 1), actor=u.committee, org=bureau.b1, obj=bureau.b1),
        _entry("orgs.person.deleted", at=_aware(2022, 5, 1), actor=u.sec1, org=bureau.b1, obj=bureau.zhang),
    ]


def _total(html: str) -> int:
    marker = '<strong id="list-total">'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index("<", start)].replace(",", ""))


def test_filters(bureau, client_for, history):
    c = client_for(bureau.users.admin)
    url = reverse("core:audit_list")
    all_total = AuditEntry.objects.count()
    assert _total(c.get(url).content.decode()) == all_total
    person_ct = ContentType.objects.get_for_model(Person).pk
    org_ct = ContentType.objects.get_for_model(Organization).pk
    window = {"date_from": "2022-01-01", "date_to": "2022-12-31"}
    cases = [
        ({"actor": "sec1", **window}, 2),  # by username
        ({"actor": "孙书记", **window}, 2),  # by name
        ({"actor": "周", **window}, 1),
        ({"content_type": org_ct, **window}, 1),
        ({"content_type": person_ct, **window}, 3),
        ({"action": "orgs.person.updated"}, 2),
        ({"action": "orgs.person.deleted", "actor": "sec1"}, 1),
        ({"date_from": "2022-03-15", "date_to": "2022-04-01"}, 2),  # both ends inclusive
        ({"date_from": "2022-03-02", "date_to": "2022-03-14"}, 0),
        ({"date_to": "2022-03-01"}, 1),
    ]
    for params, expected in cases:
        html = c.get(url, params).content.decode()
        assert _total(html) == expected, params
    html = c.get(url, {"date_from": "2022-05-01", "date_to": "2022-04-01"}).content.decode()
    assert "截止日期不能早于起始日期" in html and _total(html) == 0
    html = c.get(url, {"action": "orgs.person.deleted"}).content.decode()
    assert "删除人员（移入回收站）" in html  # the Chinese label of the action
    assert "张三" in html


def test_committee_admin_sees_own_subtree_only(bureau, client_for, history):
    outside = organization_create(actor=None, data={"name": "外单位党委", "code": "Z00", "org_type": "committee"})
    _entry("orgs.organization.updated", at=_aware(2022, 6, 1), actor=bureau.users.admin, org=outside, obj=outside)
    _entry("core.rule.updated", at=_aware(2022, 6, 2), actor=bureau.users.admin)  # no organization
    url = reverse("core:audit_list")
    params = {"date_from": "2022-01-01", "date_to": "2022-12-31"}
    assert _total(client_for(bureau.users.admin).get(url, params).content.decode()) == 6
    html = client_for(bureau.users.committee).get(url, params).content.decode()
    assert _total(html) == 4 and "外单位党委" not in html


@pytest.mark.parametrize("who", ["sec1", "leader", "discipline", "member", "nobody"])
def test_others_are_refused(bureau, client_for, who):
    assert client_for(getattr(bureau.users, who)).get(reverse("core:audit_list")).status_code == 403


def test_constant_number_of_queries(bureau, client_for):
    c = client_for(bureau.users.committee)
    url = reverse("core:audit_list")
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        c.get(url)
    for i in range(30):
        person_update(actor=bureau.users.sec1, person=bureau.li, data={"phone": f"1380000{i:04d}"})
    with CaptureQueriesContext(connection) as large:
        r = c.get(url)
    assert r.status_code == 200
    assert len(large) == len(small)
