"""The person columns copied onto PointScore follow the people (core.events listeners).

Rankings read PointScore alone (points.selectors), so each row carries the person's
organization path, organization, department, party status, deletion and name with its pinyin.
They change through the person services (orgs.services.person_create/update/delete/restore, all
announcing the change through core.events) and through an organization moving to another
parent (organization_update; its services move the people's paths without an event per
person). Both are followed here inside the same transaction. The Excel people import writes in
bulk and announces the rows once (core.events.records_changed): `sync_people` repairs just those.
Other writers that bypass the services leave the copies stale until `recompute_points --people`.
"""

from __future__ import annotations

from django.db.models import CharField, Value
from django.db.models.functions import Concat, Substr

from core.events import listen, listen_bulk
from points.models import PointScore
from points.sources import PERSON_COPY, scored_years, scores_refresh


@listen("orgs.person")
def person_changed(person) -> None:
    """Copy the person's columns onto their rows; rows for scored years they have none in (a new
    person) are built with their sums. One query when nothing the rankings read changed."""
    wanted = {a: getattr(person, a) for a in PERSON_COPY}
    rows = list(PointScore.objects.filter(person_id=person.pk).values("year", *PERSON_COPY))
    stale = {r["year"] for r in rows if any(r[a] != wanted[a] for a in PERSON_COPY)}
    have = {r["year"] for r in rows}
    if stale:
        PointScore.objects.filter(person_id=person.pk).update(**wanted)
    missing = scored_years() - have
    if missing:
        scores_refresh((person.pk, year) for year in missing)


@listen_bulk("orgs.person")
def people_imported(pks) -> None:
    """The people import wrote these people in bulk: their copies and missing rows, set-based."""
    from points.sources import sync_people

    sync_people(person_ids=pks)


def _expected_path(org) -> str:
    from orgs.services import path_for

    return path_for(org.parent, org.pk)[0]


@listen("orgs.organization")
def organization_changed(org) -> None:
    """An organization moved under another parent: the rows filed under its old path move to the
    new one (the organization services announce the change before they rewrite the paths of the
    subtree and of its people, so the instance still carries the old path)."""
    old = org.path
    new = _expected_path(org)
    if not old or old == new:
        return
    PointScore.objects.filter(org_path__startswith=old).update(
        org_path=Concat(Value(new), Substr("org_path", len(old) + 1), output_field=CharField())
    )
