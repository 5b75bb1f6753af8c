"""Every read that a view, export or report needs from the organizations app (scoped)."""

from __future__ import annotations

import datetime
import os
from collections import Counter

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.rules import RuleSet, rule
from core.scope import policy_for
from orgs.models import Organization, PartyPost, PartyStatus, Person, PostType


def text_query(q: str, *, name="name", initials="name_initials", pinyin: str | None = "name_pinyin") -> Q:
    """Match a name by characters, by full pinyin or by pinyin initials ("zs" finds 张三)."""
    q = q.strip()
    cond = Q(**{f"{name}__icontains": q})
    if q.isascii() and q.isalpha():
        cond |= Q(**{f"{initials}__startswith": q.lower()})
        if pinyin:
            cond |= Q(**{f"{pinyin}__startswith": q.lower()})
    return cond


def on_roll_q(day: datetime.date) -> Q:
    """People counted for a period ending on `day`: party members who had joined by then, and
    everyone without a join date (activists, non-members). Statuses are the current ones."""
    return Q(joined_party_on__isnull=True) | Q(joined_party_on__lte=day)


def people_visible(user, action: str = "view") -> QuerySet[Person]:
    return policy_for(Person).visible(user, action)


def people_list(
    user,
    *,
    q: str = "",
    organization: Organization | None = None,
    party_status: str = "",
    department_id: int | None = None,
    unit_id: int | None = None,
    is_leader: bool | None = None,
) -> QuerySet[Person]:
    qs = people_visible(user).select_related("organization", "department", "unit")
    if q:
        qs = qs.filter(text_query(q))
    if organization is not None:
        qs = qs.filter(org_path__startswith=organization.path)
    if party_status:
        if party_status == "member":
            qs = qs.filter(party_status__in=[PartyStatus.FULL, PartyStatus.PROBATIONARY])
        else:
            qs = qs.filter(party_status=party_status)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if is_leader is not None:
        qs = qs.filter(is_leader=is_leader)
    return qs


def organizations_visible(user, action: str = "view") -> QuerySet[Organization]:
    return policy_for(Organization).visible(user, action)


def organizations_list(user, *, q: str = "", org_type: str = "") -> QuerySet[Organization]:
    qs = organizations_visible(user).select_related("parent")
    if q:
        qs = qs.filter(text_query(q, pinyin=None) | Q(code__icontains=q))
    if org_type:
        qs = qs.filter(org_type=org_type)
    return qs


def full_member_counts(orgs: list[Organization]) -> dict[int, int]:
    """正式党员 in each organization's own subtree, with one grouped query."""
    if not orgs:
        return {}
    wanted = {o.path: 0 for o in orgs}
    for path, n in _count_by_path(_common_prefix([o.path for o in orgs])).items():
        # Add each organization's count to every shown ancestor (paths are "000001.000007.").
        end = path.find(".")
        while end != -1:
            prefix = path[: end + 1]
            if prefix in wanted:
                wanted[prefix] += n
            end = path.find(".", end + 1)
    return {o.pk: wanted[o.path] for o in orgs}


def _common_prefix(paths: list[str]) -> str:
    """The deepest path that every path starts with ("" when they share no root)."""
    prefix = os.path.commonprefix(paths)
    return prefix[: prefix.rfind(".") + 1]


def _count_by_path(prefix: str = "") -> Counter:
    from django.db.models import Count

    rows = (
        Person.objects.filter(party_status=PartyStatus.FULL, org_path__startswith=prefix)
        .values("org_path")
        .annotate(n=Count("id"))
    )
    return Counter({r["org_path"]: r["n"] for r in rows})


def committee_check(org: Organization, full_members: int, rules: RuleSet | None = None) -> dict:
    """Whether the branch should have a committee (≥ 7 正式党员), and whether the record agrees."""
    if org.org_type not in ("branch", "joint_branch", "general_branch"):
        return {"applies": False}
    lookup = rules.get if rules is not None else rule
    threshold = int(lookup("org.committee_min_full_members", default=7))
    should = full_members >= threshold
    return {
        "applies": True,
        "threshold": threshold,
        "full_members": full_members,
        "should_have": should,
        "recorded": org.has_committee,
        "mismatch": should != org.has_committee,
    }


def term_status(org: Organization, today: datetime.date | None = None, rules: RuleSet | None = None) -> dict:
    from orgs.services import term_end_of

    today = today or timezone.localdate()
    end = term_end_of(org, rules)
    if end is None:
        return {"end": None, "state": "unknown", "days": None}
    days = (end - today).days
    lookup = rules.get if rules is not None else rule
    warn = int(lookup("org.term_warning_days", today.year, default=90))
    if days < 0:
        state = "expired"
    elif days <= warn:
        state = "due"
    else:
        state = "ok"
    return {"end": end, "state": state, "days": days}


def terms_expiring(user, today: datetime.date | None = None) -> list[tuple[Organization, dict]]:
    """Organizations in scope whose term has expired or ends within the warning window."""
    result = []
    rules = RuleSet("org.")
    for org in organizations_visible(user).exclude(term_start__isnull=True, term_end__isnull=True):
        status = term_status(org, today, rules)
        if status["state"] in ("due", "expired"):
            result.append((org, status))
    result.sort(key=lambda pair: pair[1]["days"])
    return result


def current_posts(org: Organization) -> QuerySet[PartyPost]:
    today = timezone.localdate()
    return (
        PartyPost.objects.filter(organization=org)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
        .select_related("person")
    )


def _parse_int(value):
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _parse_date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def people_from_params(user, params) -> tuple[QuerySet[Person], Organization | None]:
    """The person ledger filtered by request parameters (list page and Excel export alike):
    q, org, party_status, department, unit, until (on the roll at that date)."""
    org = None
    if params.get("org"):
        org = policy_for(Organization).get_or_404(user, pk=params.get("org"))
    qs = people_list(
        user,
        q=params.get("q", ""),
        organization=org,
        party_status=params.get("party_status", ""),
        department_id=_parse_int(params.get("department")),
        unit_id=_parse_int(params.get("unit")),
    )
    until = _parse_date(params.get("until"))
    if until:
        qs = qs.filter(on_roll_q(until))
    return qs, org


def organization_options(qs, selected: Organization | None = None, limit: int = 200) -> list[Organization]:
    """Organizations of `qs` offered in a drop-down: as many top levels as fit in `limit` options
    (a city-wide tree has thousands), plus the selected one, sorted by tree path, each with an
    `option_label` indented by depth."""
    per_depth = dict(qs.order_by().values_list("depth").annotate(n=Count("id")).values_list("depth", "n"))
    max_depth, total = None, 0
    for depth in sorted(per_depth):
        if total + per_depth[depth] > limit and max_depth is not None:
            break
        total += per_depth[depth]
        max_depth = depth
    options = list(qs.filter(depth__lte=max_depth).only("id", "name", "depth", "path")) if max_depth is not None else []
    if selected is not None and all(o.pk != selected.pk for o in options):
        options.append(selected)
    options.sort(key=lambda o: o.path)
    top = min((o.depth for o in options), default=0)
    for o in options:
        o.option_label = "\u3000" * (o.depth - top) + o.name
    return options


def filter_organizations(user, selected: Organization | None = None, limit: int = 200) -> list[Organization]:
    """Organizations offered in a filter drop-down: the top levels of the user's scope."""
    return organization_options(organizations_visible(user), selected, limit)


def organizations_from_params(user, params) -> QuerySet[Organization]:
    """The organization list filtered by request parameters: q, org_type, under."""
    qs = organizations_list(user, q=params.get("q", "").strip(), org_type=params.get("org_type", ""))
    if params.get("under"):
        parent = policy_for(Organization).get_or_404(user, pk=params.get("under"))
        qs = qs.filter(path__startswith=parent.path)
    return qs


def posts_of(org: Organization) -> list[PartyPost]:
    """An organization's posts: sitting ones first in the order of PostType (书记 first), then
    the history, most recent first."""
    order = {value: i for i, value in enumerate(PostType.values)}
    posts = list(PartyPost.objects.filter(organization=org).select_related("person"))
    sitting = sorted((p for p in posts if p.end_on is None), key=lambda p: (order.get(p.post, 99), p.start_on))
    past = sorted((p for p in posts if p.end_on is not None), key=lambda p: p.end_on, reverse=True)
    return sitting + past
