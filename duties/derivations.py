"""Values of the registered statistics that responsibility items derive their evidence from.

`derived_values({(code, organization, period), ...})` returns {(code, org id, period code):
StatValue}. Any registered statistic works (core.stats), computed once per distinct request.
Meeting counts by type or 专题 subtype (`meetings.kind.<kind>`, `meetings.topic.<code>`) and
liaison activities (`duties.liaison.activities`) — what most items derive from — are computed for
all organizations and periods with one grouped query per code, so a page of items costs the same
number of queries whatever it holds; their values and links are exactly those of the registered
statistics (the test suite compares them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from core.periods import Period
from core.stats import StatValue, get_statistic
from duties.paths import ancestor_paths, under_q

Wanted = tuple[str, object, Period]  # (statistic code, Organization or OrgRef, Period)


@dataclass(frozen=True)
class OrgRef:
    """An organization known by its key and path only (no model instance for thousands of rows)."""

    pk: int
    path: str


def _batched(code: str, user):
    """(queryset with a held_on date and an org_path, link builder) for the statistics that can be
    computed for many organizations and periods at once; None for any other statistic."""
    from core.scope import policy_for

    if code.startswith(("meetings.kind.", "meetings.topic.")):
        from meetings.models import Meeting, MeetingKind
        from meetings.stats import ledger_url

        if code.startswith("meetings.kind."):
            params = {"kind": code.removeprefix("meetings.kind.")}
            if params["kind"] not in MeetingKind.values:
                return None
            lookup = {"kind": params["kind"]}
        else:
            params = {"kind": MeetingKind.TOPIC, "subtype": code.removeprefix("meetings.topic.")}
            lookup = {"kind": MeetingKind.TOPIC, "subtype__code": params["subtype"]}
        qs = Meeting.objects.all() if user is None else policy_for(Meeting).visible(user)
        return qs.filter(**lookup), lambda org, p: ledger_url(org, p, **params)
    if code == "duties.liaison.activities":
        from duties.entities import ENTITIES
        from duties.models import LiaisonActivity

        qs = LiaisonActivity.objects.all() if user is None else policy_for(LiaisonActivity).visible(user)
        return qs, lambda org, p: ENTITIES["activities"].list_url(org=org.pk, period=p.code)
    return None


def derived_link(code: str, user=None):
    """The link builder (organization, period) -> URL of the records a batched statistic counts."""
    return _batched(code, user)[1]


def _grouped_counts(code: str, qs, url, wanted: list[Wanted], links: bool = True) -> dict:
    """Count rows per (organization subtree, period) with one grouped query."""
    orgs = {org.pk: org for _, org, _ in wanted}
    by_path = {org.path: org.pk for org in orgs.values()}
    periods: dict[int, list[Period]] = defaultdict(list)
    for _, org, p in wanted:
        if p not in periods[org.pk]:
            periods[org.pk].append(p)
    start = min(p.start for _, _, p in wanted)
    end = max(p.end for _, _, p in wanted)
    rows = (
        qs.filter(under_q("org_path", by_path), held_on__gte=start, held_on__lte=end)
        .values("org_path", "held_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        for path in ancestor_paths(row["org_path"]):
            org_id = by_path.get(path)
            if org_id is None:
                continue
            for p in periods[org_id]:
                if row["held_on"] in p:
                    counts[(org_id, p.code)] += row["n"]
    return {
        (code, org.pk, p.code): StatValue(counts[(org.pk, p.code)], url(org, p) if links else "", "次")
        for _, org, p in wanted
    }


def derived_values(wanted: Iterable[Wanted], *, user=None, links: bool = True) -> dict[tuple[str, int, str], StatValue]:
    """`links=False` (for counting): values only, no link to the records."""
    by_code: dict[str, list[Wanted]] = defaultdict(list)
    for w in wanted:
        by_code[w[0]].append(w)
    result: dict[tuple[str, int, str], StatValue] = {}
    for code, group in by_code.items():
        batched = _batched(code, user)
        if batched is not None:
            result.update(_grouped_counts(code, *batched, group, links=links))
            continue
        try:
            stat = get_statistic(code)
        except KeyError:
            continue  # a statistic that is no longer registered derives nothing
        real = {}
        refs = [org.pk for _, org, _ in group if isinstance(org, OrgRef)]
        if refs:
            from orgs.models import Organization

            real = Organization.objects.in_bulk(refs)
        for _, org, period in group:
            target = real.get(org.pk, org) if isinstance(org, OrgRef) else org
            result[(code, org.pk, period.code)] = stat.compute(period, target, user)
    return result
