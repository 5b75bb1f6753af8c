"""The organizational-life obligations of whole subtrees, counted in the database.

meetings.obligations.compute() is the definition of what each organization owes and held; it
builds one Python object per obligation, which is fine for a page of organizations but takes
seconds for a city's 50,000 obligations a half year. This module keeps its result in
ObligationRecord rows, one per (organization, kind, rule period), so that the dashboard, the alerts
and the report count, group and page them in SQL.

- Built per year, lazily: the first reader of a year builds it for every owing organization
  (ObligationYear marks it; a city year takes a few seconds once). `send_reminders` builds the
  current year every day, so users rarely wait for it.
- Kept current inside the writing transactions:
  meetings (create, update, delete, restore → the owning organization's year, and the year and
  organization a changed meeting came from), organizations (the organization, its parent and a
  moved 党小组's former parent), party posts (支委会 are owed from the first 委员 post), and rules
  (a changed meeting.freq.* or the rules table → the years from that year on are dropped and
  rebuilt on next use). Bulk writers (generate_meeting_data) call invalidate().
- What the rows hold does not depend on today; the state (done / overdue / due / upcoming) is
  computed in SQL for the day asked, with the same rule as obligations.state_of().
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from core.dbstats import analyze
from core.periods import Period
from core.rules import RuleSet
from meetings.models import ObligationRecord, ObligationYear
from meetings.obligations import (
    DONE,
    DUE,
    KIND_ORDER,
    OVERDUE,
    OWING_TYPES,
    UPCOMING,
    Compliance,
    Obligation,
    compute,
    owing_organizations,
    targets_within,
    yellow_days,
)
from orgs.models import Organization, OrgType

BATCH = 2000
NAMED = 3  # count_by_organization names the first three


# ---------------------------------------------------------------- building and keeping current


def _year_span(year: int) -> Period:
    return Period.parse(str(year))


def _rows(orgs: Iterable[Organization], year: int, rules: RuleSet) -> list[ObligationRecord]:
    today = timezone.localdate()  # only the state depends on it, and the rows do not keep the state
    return [
        ObligationRecord(
            organization_id=o.organization.pk,
            org_path=o.organization.path,
            kind=o.kind,
            year=year,
            period_code=o.period.code,
            period_start=o.period.start,
            period_end=o.period.end,
            required=o.required,
            held=o.held,
            due_on=o.due_on,
            form_org_id=o.form_org_id,
        )
        for o in compute(orgs, targets_within(_year_span(year), rules), today, rules)
    ]


def built_years() -> set[int]:
    return set(ObligationYear.objects.values_list("year", flat=True))


def build_year(year: int, *, log=lambda _m: None) -> int:
    """Build `year` for every owing organization; returns the number of rows (0 if already built)."""
    try:
        with transaction.atomic():
            ObligationYear.objects.create(year=year)
            rows = _rows(owing_organizations(), year, RuleSet())
            ObligationRecord.objects.bulk_create(rows, batch_size=BATCH)
            analyze(ObligationRecord)  # the period filter is misjudged on stale statistics
    except IntegrityError:  # built meanwhile by another request
        return 0
    log(f"组织生活落实情况：{year}年 {len(rows)} 项")
    return len(rows)


def rebuild(years: Iterable[int], *, log=lambda _m: None) -> dict[int, int]:
    """Build these years again (rebuild_derived), in one transaction: a reader sees the old rows
    or the new, never a year missing. Returns the rows of each year."""
    years = sorted(set(years))
    with transaction.atomic():
        invalidate(years)
        return {year: build_year(year, log=log) for year in years}


def ensure_years(years: Iterable[int]) -> None:
    missing = set(years) - built_years()
    for year in sorted(missing):
        build_year(year)


def ensure_period(period: Period) -> None:
    ensure_years(range(period.start.year, period.end.year + 1))


def refresh(org_ids: Iterable[int], years: Iterable[int] | None = None) -> None:
    """Rebuild the rows of these organizations for these years (default: every built year), as
    far as those years are built. Called inside the writing transaction."""
    ids = {pk for pk in org_ids if pk}
    if not ids:
        return
    built = built_years()
    wanted = built if years is None else built & set(years)
    if not wanted:
        return
    ObligationRecord.objects.filter(organization_id__in=ids, year__in=wanted).delete()
    orgs = list(Organization.objects.filter(pk__in=ids, org_type__in=OWING_TYPES))
    if not orgs:
        return
    rules = RuleSet()
    rows = [row for year in sorted(wanted) for row in _rows(orgs, year, rules)]
    ObligationRecord.objects.bulk_create(rows, batch_size=BATCH)


def invalidate(years: Iterable[int] | None = None) -> None:
    """Drop the built years (all, or these and later ones are up to the caller); rebuilt on next use."""
    marks = ObligationYear.objects.all()
    records = ObligationRecord.objects.all()
    if years is not None:
        years = list(years)
        marks = marks.filter(year__in=years)
        records = records.filter(year__in=years)
    records.delete()
    marks.delete()


def owner_id(org: Organization | None) -> int | None:
    """The organization a meeting recorded on `org` counts for (a 党小组's meetings → its branch)."""
    if org is None:
        return None
    return org.parent_id if org.org_type == OrgType.CELL else org.pk


def meeting_changed(meeting, *, previous: tuple[Organization, datetime.date] | None = None) -> None:
    """A meeting was written: refresh its owner's year, and the owner and year it came from."""
    keys = {(owner_id(meeting.organization), meeting.held_on.year)}
    if previous is not None and previous[0] is not None and previous[1] is not None:
        keys.add((owner_id(previous[0]), previous[1].year))
    by_year: dict[int, set[int]] = {}
    for org_id, year in keys:
        by_year.setdefault(year, set()).add(org_id)
    for year, ids in by_year.items():
        refresh(ids, [year])


def organization_changed(org: Organization) -> None:
    """An organization was created, changed, moved, deleted or restored."""
    # (The rows' copy of the path moves with a moved subtree in orgs.services, like every org_path.)
    ids = {org.pk, org.parent_id}
    if org.org_type == OrgType.CELL:
        # A 党小组's meetings count for its parent: one moved to another branch changes the former
        # parent's counts too (its previous version, from the organization's history).
        previous = org.history.order_by("-history_date", "-history_id").values_list("parent_id", flat=True)[1:2]
        ids.update(previous)
    refresh(ids)


def post_changed(post) -> None:
    refresh({post.organization_id})


def rules_changed(code: str, year_from: int) -> None:
    if code.startswith("meeting.freq."):
        invalidate(y for y in built_years() if y >= year_from)


# ---------------------------------------------------------------- reading


def records(period: Period, organization: Organization, user=None) -> QuerySet[ObligationRecord]:
    """The rows of the rule periods inside `period`, of the owing organizations of the subtree
    that the user may see (None: no scope filter, for commands and tests). One table, no join."""
    from core.scope import Scope, policy_for
    from core.stats import memoized

    # Once per page or report (core.stats memo_scope), not once for each figure that reads them.
    memoized(("meetings.obligation_years", period.start.year, period.end.year), lambda: ensure_period(period))
    qs = ObligationRecord.objects.filter(
        org_path__startswith=organization.path, period_start__gte=period.start, period_end__lte=period.end
    )
    if user is not None:
        if not user.is_authenticated:
            return qs.none()
        # The organizations' own visibility rule (policy_for(Organization).visible), on the copied path.
        scope = Scope.of(user)
        policy = policy_for(Organization)
        q = scope.org_q("org_path", policy.roles_for("view"))
        if q is not None:
            own = policy.own_q(scope, "view")
            if own is not None:
                q |= Q(organization_id__in=Organization.all_objects.filter(own).values("pk"))
            qs = qs.filter(q)
    return qs


def state_q(state: str, today: datetime.date, yellow: int | None = None) -> Q:
    """The rows in `state` on `today` (obligations.state_of in SQL)."""
    if yellow is None:
        yellow = yellow_days(RuleSet("tracking."), today.year)
    done = Q(held__gte=F("required"))
    overdue = Q(held__lt=F("required"), period_end__lt=today)
    due = Q(
        held__lt=F("required"),
        period_end__gte=today,
        period_start__lte=today,
        due_on__lte=today + datetime.timedelta(days=yellow),
    )
    if state == DONE:
        return done
    if state == OVERDUE:
        return overdue
    if state == DUE:
        return due
    if state == UPCOMING:
        return ~done & ~overdue & ~due
    raise ValueError(state)


def summary(qs: QuerySet[ObligationRecord], today: datetime.date | None = None) -> dict[str, int]:
    """One query: total, organizations, owed and met (obligations.compliance), overdue and due."""
    today = today or timezone.localdate()
    yellow = yellow_days(RuleSet("tracking."), today.year)
    return qs.aggregate(
        total=Count("id"),
        organizations=Count("organization", distinct=True),
        owed=Count("id", filter=state_q(DONE, today, yellow) | Q(period_end__lt=today)),
        met=Count("id", filter=state_q(DONE, today, yellow)),
        overdue=Count("id", filter=state_q(OVERDUE, today, yellow)),
        due=Count("id", filter=state_q(DUE, today, yellow)),
    )


def compliance_of(qs: QuerySet[ObligationRecord], today: datetime.date | None = None) -> Compliance:
    s = summary(qs, today)
    return Compliance(owed=s["owed"], met=s["met"])


def count_by_organization(qs: QuerySet[ObligationRecord]) -> list[tuple[int, str, str, str, int]]:
    """[(organization id, path, name, short name, rows)], most rows first, then tree order: grouped
    on the one table, names fetched for the first three only (what the sentences name)."""
    grouped = list(qs.values("organization_id", "org_path").annotate(n=Count("id")).order_by("-n", "org_path"))
    named = {
        pk: (name, short)
        for pk, name, short in Organization.all_objects.filter(
            pk__in=[r["organization_id"] for r in grouped[:NAMED]]
        ).values_list("pk", "name", "short_name")
    }
    return [(r["organization_id"], r["org_path"], *named.get(r["organization_id"], ("", "")), r["n"]) for r in grouped]


def count_by_kind(qs: QuerySet[ObligationRecord]) -> list[tuple[str, int]]:
    rows = qs.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    return [(r["kind"], r["n"]) for r in rows]


def kind_order() -> Case:
    return Case(
        *(When(kind=k, then=Value(i)) for k, i in KIND_ORDER.items()), default=Value(99), output_field=IntegerField()
    )


def ledger_order(qs: QuerySet[ObligationRecord]) -> QuerySet[ObligationRecord]:
    """Tree order, then period, then the kinds' order (the overdue list)."""
    return qs.select_related("organization").order_by("org_path", "period_start", kind_order(), "id")


def to_obligations(rows: Iterable[ObligationRecord], today: datetime.date | None = None) -> list[Obligation]:
    """The obligations.Obligation each row stands for (a page of rows; the rule read once)."""
    from meetings.obligations import state_of

    today = today or timezone.localdate()
    yellow = yellow_days(RuleSet("tracking."), today.year)
    result = []
    for row in rows:
        period = Period.parse(row.period_code)
        result.append(
            Obligation(
                organization=row.organization,
                kind=row.kind,
                period=period,
                required=row.required,
                held=row.held,
                due_on=row.due_on,
                state=state_of(row.required, row.held, period, row.due_on, today, yellow),
                form_org_id=row.form_org_id,
            )
        )
    return result
