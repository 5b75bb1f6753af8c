"""The person columns copied onto PointScore follow the people (core.events listeners).

Rankings read PointScore alone (points.selectors), so each row carries the person's
organization path, organization, department, party status, deletion and name with its pinyin.
They change through the person services (orgs.services.person_create/update/delete/restore, all
announcing the change through core.events), followed here inside the same transaction. An
organization moving to another parent rewrites every `org_path` copy, these rows' too, in
orgs.services (no listener needed here). The Excel people import writes in
bulk and announces the rows once (core.events.records_changed): `sync_people` repairs just those.
Other writers that bypass the services leave the copies stale until `recompute_points --people`.
"""

from __future__ import annotations

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
