"""Reads for organizational life (scoped through the policies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.periods import Period
from core.scope import policy_for
from meetings.models import LEADERSHIP_KINDS, Meeting, MeetingKind, TopicSubtype
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


# ---------------------------------------------------------------------- the meeting ledger's filters


@dataclass
class MeetingFilters:
    """The ledger's filters as parsed from request parameters (list page and Excel exports alike).

    `errors` holds a Chinese message for each parameter that could not be understood (that filter
    is then not applied)."""

    org: Organization | None = None
    kind: str = ""
    subtype: TopicSubtype | None = None
    period: Period | None = None
    lecturer: Person | None = None
    lecturer_id: int | None = None
    q: str = ""
    errors: list[str] = field(default_factory=list)

    def as_params(self) -> dict[str, str]:
        """The active filters as request parameters (for links, pagination and the export button)."""
        params = {
            "org": str(self.org.pk) if self.org else "",
            "kind": self.kind,
            "subtype": str(self.subtype.pk) if self.subtype else "",
            "period": self.period.code if self.period else "",
            "lecturer": str(self.lecturer_id) if self.lecturer_id else "",
            "q": self.q,
        }
        return {k: v for k, v in params.items() if v}

    @property
    def query_string(self) -> str:
        return urlencode(self.as_params())


def meetings_list(
    user,
    *,
    org: Organization | None = None,
    kind: str = "",
    subtype: TopicSubtype | None = None,
    period: Period | None = None,
    lecturer_id: int | None = None,
    q: str = "",
) -> QuerySet[Meeting]:
    """The meeting ledger (会议台账) in the user's scope: an organization's whole subtree, a type,
    a 专题 subtype, a period, a lecturer, and text in the topic or the lecturer's name."""
    qs = meetings_visible(user).select_related("organization", "subtype", "host", "lecturer")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if kind:
        qs = qs.filter(kind=kind)
    if subtype is not None:
        qs = qs.filter(subtype=subtype)
    if period is not None:
        qs = qs.filter(held_on__gte=period.start, held_on__lte=period.end)
    if lecturer_id:
        qs = qs.filter(lecturer_id=lecturer_id)
    q = q.strip()
    if q:
        from orgs.selectors import text_query

        qs = qs.filter(
            Q(topic__icontains=q)
            | text_query(q, name="lecturer__name", initials="lecturer__name_initials", pinyin="lecturer__name_pinyin")
        )
    return qs


def meetings_from_params(user, params) -> tuple[QuerySet[Meeting], MeetingFilters]:
    """The ledger filtered by request parameters — org (pk, its subtree), kind (a MeetingKind
    value), subtype (pk or code), period (2022, 2022H1, 2022Q3, 2022-05, a..b), lecturer (person
    pk), q (topic or lecturer name). An organization outside the user's scope is a 404; any other
    parameter that cannot be understood is reported in `filters.errors` and ignored."""
    from core.periods import PeriodError

    f = MeetingFilters(q=(params.get("q") or "").strip()[:100])
    if params.get("org"):
        f.org = policy_for(Organization).get_or_404(user, pk=params.get("org"))
    kind = params.get("kind") or ""
    if kind:
        if kind in MeetingKind.values:
            f.kind = kind
        else:
            f.errors.append(f"未知的会议类型“{kind}”，已忽略")
    subtype = (params.get("subtype") or "").strip()
    if subtype:
        lookup = Q(pk=int(subtype)) if subtype.isdigit() else Q(code=subtype)
        f.subtype = TopicSubtype.objects.filter(lookup).first()
        if f.subtype is None:
            f.errors.append(f"未知的专题类别“{subtype}”，已忽略")
        elif not f.kind:
            f.kind = MeetingKind.TOPIC
    period = (params.get("period") or "").strip()
    if period:
        try:
            f.period = Period.parse(period)
        except PeriodError as exc:
            f.errors.append(f"{exc}，已忽略")
    lecturer = (params.get("lecturer") or "").strip()
    if lecturer:
        if lecturer.isdigit():
            f.lecturer_id = int(lecturer)
            # The name is shown only for a person the user may see; the filter applies either way.
            f.lecturer = policy_for(Person).visible(user).filter(pk=f.lecturer_id).only("id", "name").first()
        else:
            f.errors.append(f"授课人参数“{lecturer}”无效，已忽略")
    qs = meetings_list(
        user,
        org=f.org,
        kind=f.kind,
        subtype=f.subtype,
        period=f.period,
        lecturer_id=f.lecturer_id,
        q=f.q,
    )
    return qs, f
