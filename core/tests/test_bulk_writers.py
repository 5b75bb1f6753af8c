"""Bulk writers for set-based jobs keep the checks of their one-at-a-time counterparts."""

import pytest
from django.db import transaction

from core import audit, notifications
from core.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db


def test_record_many_checks_actions_and_writes_as_record_does(bureau):
    with pytest.raises(ValueError, match="未注册的审计操作代码"):
        audit.build_entry(actor=None, action="no.such.action", object_repr="x")
    entries = [
        audit.build_entry(
            actor=None, action="core.tracked_item.created", organization=bureau.b1, object_repr=f"事项{i}"
        )
        for i in range(3)
    ]
    with transaction.atomic():
        audit.record_many(entries)
    rows = AuditEntry.objects.filter(action="core.tracked_item.created", organization=bureau.b1)
    assert sorted(rows.values_list("object_repr", flat=True)) == ["事项0", "事项1", "事项2"]
    assert set(rows.values_list("actor_name", flat=True)) == {"系统"}


def test_notify_bulk_cleans_urls_and_skips_repeated_keys(bureau):
    user = bureau.users.sec1
    note = notifications.build_notification(
        recipient_id=user.pk, title="督办", url="https://evil.example/x", dedupe_key="k1"
    )
    notifications.notify_bulk([note])
    notifications.notify_bulk(
        [notifications.build_notification(recipient_id=user.pk, title="督办", url="/a/", dedupe_key="k1")]
    )
    assert list(Notification.objects.filter(recipient=user, dedupe_key="k1").values_list("url", flat=True)) == [
        notifications.safe_relative_url("https://evil.example/x")
    ]
    with pytest.raises(ValueError):
        notifications.build_notification(recipient_id=user.pk, title="x", level="nope")
