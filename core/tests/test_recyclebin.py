import pytest
from django.urls import reverse

from core.audit import entries_for
from core.models import AuditEntry
from core.recyclebin import deleted_in_scope, recyclable, registered_recyclables
from orgs.models import Organization, Person
from orgs.services import organization_create, person_create, person_delete

pytestmark = pytest.mark.django_db


def test_person_and_organization_are_registered():
    keys = [e.key for e in registered_recyclables()]
    assert "orgs.person" in keys and "orgs.organization" in keys
    assert recyclable("orgs.person").model is Person


def test_delete_then_restore_a_person(bureau, client_for):
    c = client_for(bureau.users.committee)
    people = reverse("orgs:person_list")
    assert "李四" in c.get(people).content.decode()

    r = c.post(reverse("orgs:person_delete", args=[bureau.li.pk]), follow=True)
    assert "可在回收站中恢复" in r.content.decode()
    assert "李四" not in c.get(people).content.decode()
    assert c.get(reverse("orgs:person_detail", args=[bureau.li.pk])).status_code == 404

    bin_url = reverse("core:recycle_bin") + "?type=orgs.person"
    html = c.get(bin_url).content.decode()
    assert "李四" in html and "机关第一党支部" in html
    assert "<td>committee</td>" in html  # who deleted
    assert '共 <strong id="list-total">1</strong> 条' in html
    assert 'data-confirm="确定恢复人员“李四”？"' in html

    restore = reverse("core:recycle_restore", args=["orgs.person", bureau.li.pk])
    assert c.get(restore).status_code == 405  # POST only
    r = c.post(restore, follow=True)
    assert "已恢复人员“李四”" in r.content.decode()
    assert "李四" in c.get(people).content.decode()
    assert "李四" not in c.get(bin_url).content.decode()
    actions = list(entries_for(bureau.li).values_list("action", flat=True))
    assert actions[:2] == ["core.object.restored", "orgs.person.deleted"]
    assert c.post(restore).status_code == 404  # no longer in the bin


def test_audit_entries_survive_deletion(bureau):
    person_delete(actor=bureau.users.committee, person=bureau.wang)
    before = AuditEntry.objects.filter(object_id=str(bureau.wang.pk), content_type__model="person").count()
    assert before >= 2  # created + deleted
    Person.all_objects.filter(pk=bureau.wang.pk).delete()  # even a hard delete keeps the trail
    entries = AuditEntry.objects.filter(object_id=str(bureau.wang.pk), content_type__model="person")
    assert entries.count() == before
    assert set(entries.values_list("object_repr", flat=True)) == {"王五"}


@pytest.mark.parametrize("who", ["sec1", "sec2", "leader", "discipline", "member", "nobody"])
def test_only_admins_open_the_bin(bureau, client_for, who):
    person_delete(actor=bureau.users.committee, person=bureau.li)
    c = client_for(getattr(bureau.users, who))
    assert c.get(reverse("core:recycle_bin")).status_code == 403
    assert c.post(reverse("core:recycle_restore", args=["orgs.person", bureau.li.pk])).status_code == 403
    assert Person.all_objects.get(pk=bureau.li.pk).deleted_at is not None


def test_committee_admin_sees_only_own_subtree(bureau):
    other_root = organization_create(actor=None, data={"name": "另一机关党委", "code": "X00", "org_type": "committee"})
    outsider = person_create(
        actor=None, data={"name": "外人", "organization": other_root, "party_status": "non_member"}
    )
    person_delete(actor=None, person=outsider)
    person_delete(actor=None, person=bureau.li)
    entry = recyclable("orgs.person")
    assert [p.name for p in deleted_in_scope(bureau.users.committee, entry)] == ["李四"]
    assert {p.name for p in deleted_in_scope(bureau.users.admin, entry)} == {"李四", "外人"}
    assert list(deleted_in_scope(bureau.users.sec1, entry)) == []


def test_restore_refused_with_a_reason(bureau, client_for):
    person_delete(actor=None, person=bureau.zhang)
    person_create(
        actor=None,
        data={
            "name": "张三（新）",
            "organization": bureau.b1,
            "party_status": "full",
            "id_number": bureau.zhang.id_number,
        },
    )
    c = client_for(bureau.users.committee)
    r = c.post(reverse("core:recycle_restore", args=["orgs.person", bureau.zhang.pk]), follow=True)
    assert "无法恢复“张三”：已有在册人员使用相同身份证号，无法恢复" in r.content.decode()
    assert Person.all_objects.get(pk=bureau.zhang.pk).deleted_at is not None


def test_organization_in_the_bin(bureau, client_for):
    from orgs.services import organization_delete

    org = organization_create(
        actor=None, data={"name": "临时党支部", "code": "T09", "org_type": "branch", "parent": bureau.root}
    )
    organization_delete(actor=bureau.users.committee, org=org)
    c = client_for(bureau.users.committee)
    html = c.get(reverse("core:recycle_bin") + "?type=orgs.organization").content.decode()
    assert "临时党支部" in html and "测试局机关党委" in html
    c.post(reverse("core:recycle_restore", args=["orgs.organization", org.pk]))
    assert Organization.objects.filter(pk=org.pk).exists()
    assert c.get(reverse("core:recycle_bin") + "?type=nope").status_code == 404


def test_bin_query_count_is_constant(bureau, client_for):
    c = client_for(bureau.users.committee)
    url = reverse("core:recycle_bin") + "?type=orgs.person"
    person_delete(actor=None, person=bureau.li)
    c.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        c.get(url)
    for name in ["甲", "乙", "丙", "丁", "戊", "己"]:
        p = person_create(actor=None, data={"name": name, "organization": bureau.b2, "party_status": "full"})
        person_delete(actor=bureau.users.sec2, person=p)
    with CaptureQueriesContext(connection) as large:
        c.get(url)
    assert len(large) == len(small)
