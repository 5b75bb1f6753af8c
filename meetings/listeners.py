"""core.events listeners that keep the stored obligations (meetings.obligation_store) current."""

from __future__ import annotations

from core.events import listen, listen_bulk
from meetings import obligation_store


@listen("meetings.meeting")
def _meeting(instance) -> None:
    obligation_store.meeting_changed(instance)


@listen("orgs.organization")
def _organization(instance) -> None:
    obligation_store.organization_changed(instance)


@listen("orgs.partypost")
def _post(instance) -> None:
    obligation_store.post_changed(instance)


@listen("core.rule")
def _rule(instance) -> None:
    obligation_store.rules_changed(instance.code, instance.year_from)


@listen_bulk("meetings.meeting")
def _meetings_bulk(pks) -> None:
    """Meetings written in bulk (the scale generator): the built years are rebuilt on next use."""
    obligation_store.invalidate()
