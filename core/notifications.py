"""In-app notifications (站内通知): the inbox behind the bell in the top bar.

`notify()` is the only writer of new notifications. It runs inside the caller's transaction, so a
notification exists exactly when the change that caused it was committed; a `dedupe_key` makes it
idempotent per recipient (the reminder command relies on this). Marking as read changes only the
recipient's own inbox state and is therefore not written to the audit trail.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from core.models import Notification

LEVELS = {"info", "warning", "danger"}


def safe_relative_url(url: str) -> str:
    """`url` if it is a path on this site ("/orgs/people/1/"), else "" (no open redirects)."""
    url = (url or "").strip()
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return ""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return ""
    return url


def notify(*, recipient, title: str, body: str = "", url: str = "", level: str = "info", dedupe_key: str = ""):
    """Create one notification for `recipient`. Returns None if `dedupe_key` was already used."""
    if recipient is None or not getattr(recipient, "is_active", True):
        return None
    if level not in LEVELS:
        raise ValueError(f"unknown notification level {level}")
    fields = {
        "title": title[:200],
        "body": body,
        "url": safe_relative_url(url)[:500],
        "level": level,
    }
    if dedupe_key:
        if Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
            return None
        try:
            # A savepoint: a concurrent run that inserted the same key first must not break
            # the caller's transaction.
            with transaction.atomic():
                return Notification.objects.create(recipient=recipient, dedupe_key=dedupe_key[:200], **fields)
        except IntegrityError:
            return None
    return Notification.objects.create(recipient=recipient, **fields)


def notify_many(*, recipients, **kwargs) -> int:
    """notify() each distinct recipient; returns how many notifications were created."""
    created = 0
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        if notify(recipient=user, **kwargs) is not None:
            created += 1
    return created


def build_notification(
    *, recipient_id: int, title: str, body: str = "", url: str = "", level: str = "info", dedupe_key: str = ""
) -> Notification:
    """An unsaved notification with notify()'s checks, for `notify_bulk`."""
    if level not in LEVELS:
        raise ValueError(f"unknown notification level {level}")
    return Notification(
        recipient_id=recipient_id,
        title=title[:200],
        body=body,
        url=safe_relative_url(url)[:500],
        level=level,
        dedupe_key=dedupe_key[:200],
    )


def notify_bulk(notifications: list[Notification], *, batch_size: int = 1000) -> None:
    """Insert many notifications at once (set-based jobs); a repeated dedupe key is skipped."""
    Notification.objects.bulk_create(notifications, ignore_conflicts=True, batch_size=batch_size)


# ---------------------------------------------------------------- reads


def inbox(user) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first."""
    return Notification.objects.filter(recipient=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# ---------------------------------------------------------------- inbox state


def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise PermissionError("只能处理自己的通知")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
