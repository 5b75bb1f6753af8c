"""Which periods of which responsibility items are covered, kept as rows (FulfilmentHit), so that
the 缺少佐证 count of a scope is one aggregate query and the status filter is a SQL filter.

Sources and how they stay current (core.events listeners, in the writer's transaction):
- 落实佐证 (entered evidence): the duties services announce every create, edit, delete and restore;
  a one-off item's evidence is stored as "once" with its period start (it covers any period that
  ends on or after that);
- meetings (`meetings.kind.<kind>`, `meetings.topic.<subtype>`): the meetings services announce
  every change; a meeting covers, for the items of its organization and of every ancestor that
  derive from its kind or 专题 subtype, the period of the item's frequency containing its date;
- liaison activities (`duties.liaison.activities`): the same, from the duties services; a
  liaison's change (its activities go to the recycle bin with it) refreshes its activities;
- an item's change (frequency, organization, derived_from, delete/restore) derives its rows again.
Each listener deletes the record's rows and derives them again from its current state
(idempotent; old values are never needed). Bulk writers (generate_duties_data, scale generators)
end with `rebuild()` (`rebuild_fulfilment` command); a database without a build is built on first
read. Items derived from any other statistic (rare: not a count of stored records) are not
stored: duties.fulfilment.states computes them when read.

Derived figures are counted for every record, not only those the viewer may open: a user who sees
an item holds a read role over its organization's subtree, which is where the counted meetings
and activities are (see docs/DECISIONS.md, Duties).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.events import listen, listen_bulk, listen_subtree_moved
from core.periods import Period, PeriodError
from duties.models import (
    Frequency,
    FulfilmentBuild,
    FulfilmentHit,
    LeaderLiaison,
    LiaisonActivity,
    ResponsibilityEvidence,
    ResponsibilityItem,
)
from duties.paths import ancestor_paths

ONCE_CODE = "once"
KIND_PREFIX, TOPIC_PREFIX = "meetings.kind.", "meetings.topic."
ACTIVITY_CODE = "duties.liaison.activities"
EVIDENCE, MEETING, ACTIVITY = "evidence", "meeting", "activity"
BATCH = 5000


def stored_q() -> Q:
    """Items whose coverage is kept in FulfilmentHit (entered evidence, meeting and activity counts)."""
    return (
        Q(derived_from="")
        | Q(derived_from__startswith=KIND_PREFIX)
        | Q(derived_from__startswith=TOPIC_PREFIX)
        | Q(derived_from=ACTIVITY_CODE)
    )


def meeting_codes(kind: str, subtype_code: str | None) -> list[str]:
    from meetings.models import MeetingKind

    codes = [KIND_PREFIX + kind]
    if kind == MeetingKind.TOPIC and subtype_code:
        codes.append(TOPIC_PREFIX + subtype_code)
    return codes


def _code_kind(code: str) -> str:
    try:
        return Period.parse(code).kind
    except PeriodError:
        return ""


def _evidence_hit(ev_id: int, item_id: int, frequency: str, code: str, start) -> FulfilmentHit | None:
    if frequency == Frequency.ONCE:
        return FulfilmentHit(
            item_id=item_id, period_code=ONCE_CODE, period_start=start, source=EVIDENCE, object_id=ev_id
        )
    if _code_kind(code) != frequency:  # evidence left from an earlier frequency matches no slot
        return None
    return FulfilmentHit(item_id=item_id, period_code=code, period_start=start, source=EVIDENCE, object_id=ev_id)


class _Periods:
    """Period.containing(frequency, day), cached (the rebuild asks for the same few hundred)."""

    def __init__(self):
        self.cache: dict[tuple[str, datetime.date], Period] = {}

    def __call__(self, frequency: str, day: datetime.date) -> Period:
        key = (frequency, day)
        if key not in self.cache:
            self.cache[key] = Period.containing(frequency, day)
        return self.cache[key]


def _dated_hits(source, object_id, day, targets, periods: _Periods) -> list[FulfilmentHit]:
    hits = []
    for item_id, frequency in targets:
        p = periods(frequency, day)
        hits.append(
            FulfilmentHit(item_id=item_id, period_code=p.code, period_start=p.start, source=source, object_id=object_id)
        )
    return hits


def _derived_targets(codes: list[str], org_path: str) -> list[tuple[int, str]]:
    """(item, frequency) of the live items of the organization and its ancestors deriving from `codes`."""
    return list(
        ResponsibilityItem.objects.filter(derived_from__in=codes, org_path__in=ancestor_paths(org_path))
        .exclude(frequency=Frequency.ONCE)
        .values_list("pk", "frequency")
    )


# ---------------------------------------------------------------------- listeners


@listen("duties.responsibilityevidence")
def refresh_evidence(ev: ResponsibilityEvidence) -> None:
    FulfilmentHit.objects.filter(source=EVIDENCE, object_id=ev.pk).delete()
    if ev.deleted_at is not None:
        return
    frequency = ResponsibilityItem.all_objects.filter(pk=ev.item_id).values_list("frequency", flat=True).first()
    hit = _evidence_hit(ev.pk, ev.item_id, frequency or "", ev.period_code, ev.period_start)
    if hit is not None:
        hit.save()


@listen("meetings.meeting")
def refresh_meeting(meeting) -> None:
    FulfilmentHit.objects.filter(source=MEETING, object_id=meeting.pk).delete()
    if meeting.deleted_at is not None:
        return
    subtype = meeting.subtype.code if meeting.subtype_id else None
    targets = _derived_targets(meeting_codes(meeting.kind, subtype), meeting.org_path)
    FulfilmentHit.objects.bulk_create(_dated_hits(MEETING, meeting.pk, meeting.held_on, targets, _Periods()))


@listen("duties.liaisonactivity")
def refresh_activity(activity: LiaisonActivity) -> None:
    FulfilmentHit.objects.filter(source=ACTIVITY, object_id=activity.pk).delete()
    if activity.deleted_at is not None:
        return
    targets = _derived_targets([ACTIVITY_CODE], activity.org_path)
    FulfilmentHit.objects.bulk_create(_dated_hits(ACTIVITY, activity.pk, activity.held_on, targets, _Periods()))


@listen("duties.leaderliaison")
def refresh_liaison(liaison: LeaderLiaison) -> None:
    """Deleting or restoring a liaison moves its activities with it (without their own events)."""
    for activity in LiaisonActivity.all_objects.filter(liaison_id=liaison.pk):
        refresh_activity(activity)


@listen("duties.responsibilityitem")
def refresh_item(item: ResponsibilityItem) -> None:
    FulfilmentHit.objects.filter(item_id=item.pk).delete()
    if item.deleted_at is not None:
        return
    hits = []
    for ev_id, code, start in ResponsibilityEvidence.objects.filter(item_id=item.pk).values_list(
        "pk", "period_code", "period_start"
    ):
        hit = _evidence_hit(ev_id, item.pk, item.frequency, code, start)
        if hit is not None:
            hits.append(hit)
    if item.frequency != Frequency.ONCE and item.derived_from:
        periods = _Periods()
        for source, rows in _derived_rows(item.derived_from, item.org_path):
            for pk, day in rows:
                hits += _dated_hits(source, pk, day, [(item.pk, item.frequency)], periods)
    FulfilmentHit.objects.bulk_create(hits, batch_size=BATCH)


@listen_subtree_moved
def subtree_moved(old_prefix: str, new_prefix: str) -> None:
    """An organization moved under another parent (its records' paths already rewritten): the
    derived items of its former and new ancestors count other records now. Items inside the
    subtree moved with their records and count the same."""
    ancestors = (set(ancestor_paths(old_prefix)) | set(ancestor_paths(new_prefix))) - {old_prefix, new_prefix}
    for item in ResponsibilityItem.objects.filter(org_path__in=ancestors).exclude(derived_from=""):
        refresh_item(item)


def _derived_rows(code: str, org_path: str):
    """(source, [(record id, date)]) of the records under `org_path` counted by the statistic `code`."""
    from meetings.models import Meeting, MeetingKind

    if code.startswith(KIND_PREFIX):
        rows = Meeting.objects.filter(kind=code.removeprefix(KIND_PREFIX), org_path__startswith=org_path)
        yield MEETING, rows.values_list("pk", "held_on")
    elif code.startswith(TOPIC_PREFIX):
        rows = Meeting.objects.filter(
            kind=MeetingKind.TOPIC, subtype__code=code.removeprefix(TOPIC_PREFIX), org_path__startswith=org_path
        )
        yield MEETING, rows.values_list("pk", "held_on")
    elif code == ACTIVITY_CODE:
        yield ACTIVITY, LiaisonActivity.objects.filter(org_path__startswith=org_path).values_list("pk", "held_on")


# ---------------------------------------------------------------------- building


REBUILD_LOCK = 64_000_401  # PostgreSQL advisory lock: one rebuild at a time


def rebuild(*, if_missing: bool = False) -> int:
    """Derive every row again from the records (the `rebuild_fulfilment` command). Returns the rows.
    `if_missing`: only if no build is recorded once the lock is held (a first read racing another)."""
    from meetings.models import Meeting

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])
        if if_missing and FulfilmentBuild.objects.filter(pk=1).exists():
            return 0
        FulfilmentHit.objects.all().delete()
        written = 0
        pending: list[FulfilmentHit] = []

        def add(hits):
            nonlocal written
            pending.extend(hits)
            if len(pending) >= BATCH:
                FulfilmentHit.objects.bulk_create(pending, batch_size=BATCH)
                written += len(pending)
                pending.clear()

        evidence = ResponsibilityEvidence.objects.filter(item__deleted_at__isnull=True).values_list(
            "pk", "item_id", "item__frequency", "period_code", "period_start"
        )
        for ev_id, item_id, frequency, code, start in evidence.iterator(chunk_size=BATCH):
            hit = _evidence_hit(ev_id, item_id, frequency, code, start)
            if hit is not None:
                add([hit])

        targets: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        derived = (
            ResponsibilityItem.objects.filter(stored_q()).exclude(derived_from="").exclude(frequency=Frequency.ONCE)
        )
        for pk, path, code, frequency in derived.values_list("pk", "org_path", "derived_from", "frequency"):
            targets[(path, code)].append((pk, frequency))
        periods = _Periods()
        codes = {code for _, code in targets}

        def derive(source, pk, path, day, record_codes):
            for anc in ancestor_paths(path):
                for code in record_codes:
                    found = targets.get((anc, code))
                    if found:
                        add(_dated_hits(source, pk, day, found, periods))

        kinds = {c.removeprefix(KIND_PREFIX) for c in codes if c.startswith(KIND_PREFIX)}
        if any(c.startswith(TOPIC_PREFIX) for c in codes):
            from meetings.models import MeetingKind

            kinds.add(MeetingKind.TOPIC)
        if kinds:
            meetings = Meeting.objects.filter(kind__in=kinds).values_list(
                "pk", "org_path", "held_on", "kind", "subtype__code"
            )
            for pk, path, day, kind, subtype in meetings.iterator(chunk_size=BATCH):
                derive(MEETING, pk, path, day, meeting_codes(kind, subtype))
        if ACTIVITY_CODE in codes:
            for pk, path, day in LiaisonActivity.objects.values_list("pk", "org_path", "held_on").iterator(
                chunk_size=BATCH
            ):
                derive(ACTIVITY, pk, path, day, [ACTIVITY_CODE])
        FulfilmentHit.objects.bulk_create(pending, batch_size=BATCH)
        written += len(pending)
        FulfilmentBuild.objects.update_or_create(pk=1, defaults={})
    return written


@listen_bulk("meetings.meeting")
def meetings_written_in_bulk(pks) -> None:
    """Meetings written without the services (the scale generator): derive everything again if
    any item derives from meetings; otherwise nothing here depends on them."""
    if ResponsibilityItem.objects.exclude(derived_from="").exists():
        rebuild()


def ensure_built() -> None:
    if not FulfilmentBuild.objects.filter(pk=1).exists():
        rebuild(if_missing=True)


# ---------------------------------------------------------------------- reading


def counted_here(code: str) -> bool:
    """Whether the statistic `code` counts records this table derives rows from (one row per
    record and item: the number of rows is the statistic's value)."""
    from meetings.models import MeetingKind

    if code.startswith(KIND_PREFIX):
        return code.removeprefix(KIND_PREFIX) in MeetingKind.values
    return code.startswith(TOPIC_PREFIX) or code == ACTIVITY_CODE


def derived_counts(item_ids: list[int], codes: set[str]) -> dict[tuple[int, str], int]:
    """{(item, period code): records counted} for derived items (those `counted_here`): one query."""
    if not item_ids or not codes:
        return {}
    ensure_built()
    rows = (
        FulfilmentHit.objects.filter(item_id__in=item_ids, period_code__in=codes, source__in=(MEETING, ACTIVITY))
        .order_by()
        .values_list("item_id", "period_code")
        .annotate(n=Count("id"))
    )
    return {(item_id, code): n for item_id, code, n in rows}


def _covering(code: str, once_end: datetime.date | None = None) -> QuerySet:
    """The items with a row for the period `code` (with `once_end`: the one-off items with
    evidence starting by then). PostgreSQL runs each such subquery once and hashes it (an
    index-only scan of one period's rows)."""
    if once_end is not None:
        rows = FulfilmentHit.objects.filter(period_code=ONCE_CODE, period_start__lte=once_end)
    else:
        rows = FulfilmentHit.objects.filter(period_code=code)
    return rows.order_by().values("item_id")


def status_q(period: Period, status: str, today: datetime.date | None = None) -> Q:
    """A filter on ResponsibilityItem: the items (of the stored kinds) in `status` for `period`,
    by the rules of duties.fulfilment (slots of the item's frequency; 缺少佐证 = an ended slot
    without a row; 已落实 = a row for every slot; else 未到期)."""
    from duties.fulfilment import DONE, MISSING, OPEN, _slot_template

    today = today or timezone.localdate()
    missing, done = Q(pk__in=[]), Q(pk__in=[])
    for frequency in Frequency.values:
        once_end = period.end if frequency == Frequency.ONCE else None
        slots = _slot_template(frequency, period, today)
        uncovered = Q(pk__in=[])
        for s in slots:
            if s.due:
                uncovered |= ~Q(pk__in=_covering(s.code, once_end))
        missing |= Q(frequency=frequency) & uncovered
        every = Q(frequency=frequency)
        for s in slots:
            every &= Q(pk__in=_covering(s.code, once_end))
        done |= every
    if status == MISSING:
        return missing
    if status == DONE:
        return done
    if status == OPEN:
        return ~missing & ~done
    raise ValueError(status)


def with_state(qs: QuerySet, period: Period, status: str, *, user=None, today=None) -> QuerySet:
    """The items of `qs` in `status` for `period`, as a queryset in `qs`'s order. Items derived
    from statistics that are not stored (rare) are computed as the list always did
    (duties.fulfilment.states) and added by key."""
    from duties.fulfilment import states

    ensure_built()
    others = states(qs.exclude(stored_q()), period, user=user, today=today)
    if not others:
        return qs.filter(status_q(period, status, today))
    extra = [pk for pk, st in others.items() if st == status]
    return qs.filter((stored_q() & status_q(period, status, today)) | Q(pk__in=extra))


def count_state(qs: QuerySet, period: Period, status: str, *, user=None, today=None) -> int:
    return with_state(qs.order_by(), period, status, user=user, today=today).count()
