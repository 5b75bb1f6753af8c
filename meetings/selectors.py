"""Reads for organizational life (scoped through the policies)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.scope import policy_for
from meetings.models import LEADERSHIP_KINDS, Meeting, MeetingKind
from orgs.models import Organization, PartyPost, PartyStatus, Person, PostType

COMMITTEE_POSTS = (
    PostType.SECRETARY,
    PostType.DEPUTY_SECRETARY,
    PostType.ORGANIZATION_MEMBER,
    PostType.PUBLICITY_MEMBER,
    PostType.DISCIPLINE_MEMBER,
)
MEMBER_STATUSES = (PartyStatus.FULL, PartyStatus.PROBATIONARY)


def meetings_visible(user, action: str = "view") -> QuerySet[Meeting]:
    return policy_for(Meeting).visible(user, action)


def committee_members(org: Organization, on=None) -> QuerySet[Person]:
    """Sitting members of the organization's committee (书记、副书记、委员) on a date."""
    on = on or timezone.localdate()
    posts = PartyPost.objects.filter(organization=org, post__in=COMMITTEE_POSTS, start_on__lte=on).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on)
    )
    return Person.objects.filter(pk__in=posts.values("person_id"))


def expected_attendees(org: Organization, kind: str, on=None) -> QuerySet[Person]:
    """Who is expected at a meeting of this kind (pre-fills the attendance list)."""
    if kind == MeetingKind.BRANCH_COMMITTEE:
        return committee_members(org, on).order_by("name")
    if kind == MeetingKind.HEART_TALK:
        return Person.objects.none()
    if kind in LEADERSHIP_KINDS and kind != MeetingKind.ORGAN_ASSEMBLY:
        return Person.objects.filter(org_path__startswith=org.path, is_leadership_member=True).order_by("name")
    return Person.objects.filter(org_path__startswith=org.path, party_status__in=MEMBER_STATUSES).order_by(
        "org_path", "name"
    )


def voting_members(org: Organization) -> QuerySet[Person]:
    """正式党员 of the organization's subtree: they vote at the 支部党员大会 (预备党员 do not)."""
    return Person.objects.filter(org_path__startswith=org.path, party_status=PartyStatus.FULL)
