"""Two people edit the same record: the second save is refused, never a silent overwrite."""

import datetime
import threading
import time

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from core.concurrency import ConcurrentEditError
from core.models import AuditEntry
from orgs.models import Person
from orgs.services import person_update


def form_data(response, **changes) -> dict:
    """What the browser would post back: the form as loaded, plus the user's changes."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_second_save_is_refused_with_what_changed(bureau):
    url = reverse("orgs:person_edit", args=[bureau.li.pk])
    first, second = login(bureau.users.sec1), login(bureau.users.committee)
    page1, page2 = first.get(url), second.get(url)
    version = bureau.li.version
    assert page1.context["form"]["version"].value() == page2.context["form"]["version"].value() == version

    r = first.post(url, form_data(page1, phone="13911112222"))
    assert r.status_code == 302

    r = second.post(url, form_data(page2, job_title="科员", phone="13700000000"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="edit-conflict"' in html  # includes/conflict.html
    assert "该记录已被孙书记修改" in html and "您的修改尚未保存" in html
    assert "13911112222" in html  # what changed meanwhile, with the new value
    conflict = r.context["conflict"]
    assert isinstance(conflict, ConcurrentEditError)
    assert conflict.changed_fields == {"联系电话": ["", "13911112222"]}
    # The second user's input is kept in the form, not lost.
    assert 'value="科员"' in html

    li = Person.objects.get(pk=bureau.li.pk)
    assert li.phone == "13911112222" and li.job_title == "" and li.version == version + 1
    updates = AuditEntry.objects.filter(action="orgs.person.updated", object_id=str(li.pk))
    assert updates.count() == 1 and updates.get().actor == bureau.users.sec1

    # Reloading the form picks up the new version; the retried save then succeeds.
    page2 = second.get(url)
    r = second.post(url, form_data(page2, job_title="科员"))
    assert r.status_code == 302
    li.refresh_from_db()
    assert (li.phone, li.job_title, li.version) == ("13911112222", "科员", version + 2)


@pytest.mark.django_db
def test_service_refuses_stale_version(bureau):
    li = bureau.li
    person_update(actor=bureau.users.sec1, person=li, data={"phone": "1"}, expected_version=li.version)
    with pytest.raises(ConcurrentEditError) as exc:
        person_update(actor=bureau.users.committee, person=li, data={"phone": "2"}, expected_version=li.version)
    assert exc.value.changed_fields == {"联系电话": ["", "1"]}
    assert Person.objects.get(pk=li.pk).phone == "1"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_second_writer_waits_for_the_lock_then_is_refused(bureau):
    """Thread B saves while A holds the row lock: B blocks, then sees A's commit and is refused.

    PostgreSQL: B waits on SELECT ... FOR UPDATE. SQLite: B's BEGIN IMMEDIATE waits for A's write
    lock (the test database is a file, so B's connection is a real second connection)."""
    li = Person.objects.get(pk=bureau.li.pk)
    opened_at = li.version  # both opened the form at this version
    result: dict = {}
    started = threading.Event()

    def second_writer():
        try:
            started.set()
            t0 = time.monotonic()
            try:
                person_update(
                    actor=bureau.users.committee,
                    person=Person.objects.get(pk=li.pk),
                    data={"phone": "13700000000", "job_title": "科员"},
                    expected_version=opened_at,
                )
                result["outcome"] = "saved"
            except ConcurrentEditError as exc:
                result["outcome"] = exc
            result["waited"] = time.monotonic() - t0
        finally:
            connections.close_all()  # this thread's own connection

    with transaction.atomic():
        person_update(
            actor=bureau.users.sec1,
            person=Person.objects.get(pk=li.pk),
            data={"phone": "13911112222"},
            expected_version=opened_at,
        )
        # A still holds the row lock (its transaction is open): B must wait.
        thread = threading.Thread(target=second_writer)
        thread.start()
        started.wait(5)
        time.sleep(0.8)
        assert thread.is_alive(), "the second writer did not wait for the row lock"
    thread.join(20)
    assert not thread.is_alive()
    assert isinstance(result.get("outcome"), ConcurrentEditError), result
    assert result["waited"] >= 0.5
    assert result["outcome"].changed_fields == {"联系电话": ["", "13911112222"]}
    li.refresh_from_db()
    assert (li.phone, li.job_title, li.version) == ("13911112222", "", opened_at + 1)
    assert AuditEntry.objects.filter(action="orgs.person.updated", object_id=str(li.pk)).count() == 1
