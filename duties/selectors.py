"""Reads for the responsibility list, the liaison overview and the duty catalogue (scoped)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from core.periods import Period, PeriodError
from core.scope import policy_for
from duties import coverage
from duties.fulfilment import MISSING, STATE_LABELS
from duties.models import (
    BoundaryDivision,
    ControlMeasure,
    IntegrityRisk,
    LeaderLiaison,
    LiaisonActivity,
    PostDuty,
    PostRiskPoint,
    ResponsibilityItem,
    Subject,
    WorkflowChart,
    WorkTask,
)
from duties.paths import ancestor_paths, under_q
from orgs.models import Department, Organization, OrgType, Person

LIAISON_ORG_TYPES = (OrgType.BRANCH, OrgType.GENERAL_BRANCH, OrgType.JOINT_BRANCH)


def default_period(today: datetime.date | None = None) -> Period:
    """The half-year the work report covers: the current one."""
    return Period.containing("half", today or timezone.localdate())


def parse_period(text: str, errors: list[str], today: datetime.date | None = None) -> Period:
    text = (text or "").strip()
    if text:
        try:
            return Period.parse(text)
        except PeriodError as exc:
            errors.append(f"{exc}，已显示本半年")
    return default_period(today)


# ---------------------------------------------------------------------- 主体责任清单


def items_visible(user, action: str = "view") -> QuerySet[ResponsibilityItem]:
    return policy_for(ResponsibilityItem).visible(user, action)


def items_in(organization: Organization, user=None) -> QuerySet[ResponsibilityItem]:
    qs = ResponsibilityItem.objects.all() if user is None else items_visible(user)
    return qs.filter(org_path__startswith=organization.path)


def ordered(qs: QuerySet[ResponsibilityItem]) -> QuerySet[ResponsibilityItem]:
    return qs.order_by("org_path", "subject_rank", "order", "id")


@dataclass
class ResponsibilityFilters:
    org: Organization | None = None
    subject: str = ""
    status: str = ""
    q: str = ""
    period: Period | None = None
    errors: list[str] = field(default_factory=list)

    def as_params(self, **override) -> dict[str, str]:
        params = {
            "org": str(self.org.pk) if self.org else "",
            "subject": self.subject,
            "status": self.status,
            "q": self.q,
            "period": self.period.code if self.period else "",
        }
        params.update(override)
        return {k: v for k, v in params.items() if v}

    @property
    def query_string(self) -> str:
        return urlencode(self.as_params())


def responsibility_filters(user, params) -> tuple[QuerySet[ResponsibilityItem], ResponsibilityFilters]:
    f = ResponsibilityFilters(q=(params.get("q") or "").strip()[:100])
    f.period = parse_period(params.get("period", ""), f.errors)
    qs = items_visible(user).select_related("organization")
    if params.get("org"):
        f.org = policy_for(Organization).get_or_404(user, pk=params.get("org"))
        qs = qs.filter(org_path__startswith=f.org.path)
    subject = (params.get("subject") or "").strip()
    if subject:
        if subject in Subject.values:
            f.subject = subject
            qs = qs.filter(subject=subject)
        else:
            f.errors.append(f"未知的责任主体“{subject}”，已忽略")
    status = (params.get("status") or "").strip()
    if status:
        if status in STATE_LABELS:
            f.status = status
        else:
            f.errors.append(f"未知的落实状态“{status}”，已忽略")
    if f.q:
        qs = qs.filter(content__icontains=f.q)
    return ordered(qs), f


def with_status(
    qs: QuerySet[ResponsibilityItem], period: Period, status: str, user=None, today: datetime.date | None = None
) -> QuerySet[ResponsibilityItem]:
    """The items of `qs` in one state, in the list's order: a SQL filter on the stored coverage
    (duties.coverage), whatever the number of items."""
    return coverage.with_state(qs, period, status, user=user, today=today)


def missing_count(organization: Organization, period: Period, user=None, today: datetime.date | None = None) -> int:
    """Items without evidence for an ended period: one aggregate query (duties.coverage)."""
    return coverage.count_state(items_in(organization, user), period, MISSING, user=user, today=today)


# ---------------------------------------------------------------------- 领导干部联系支部


def liaison_branches(user, organization: Organization | None = None) -> QuerySet[Organization]:
    """The branches a leader may liaise with (industry organizations are guided by instructors)."""
    qs = policy_for(Organization).visible(user) if user is not None else Organization.objects.all()
    qs = qs.filter(org_type__in=LIAISON_ORG_TYPES, is_industry=False)
    if organization is not None:
        qs = qs.filter(path__startswith=organization.path)
    return qs.order_by("path")


def activities_in(organization: Organization, period: Period, user=None) -> QuerySet[LiaisonActivity]:
    qs = LiaisonActivity.objects.all() if user is None else policy_for(LiaisonActivity).visible(user)
    return qs.filter(org_path__startswith=organization.path, held_on__gte=period.start, held_on__lte=period.end)


def activity_counts(branch_paths: list[str], period: Period, user=None) -> dict[str, int]:
    """Activities in the period per branch path (a branch's subtree counts for it): one query."""
    if not branch_paths:
        return {}
    qs = LiaisonActivity.objects.all() if user is None else policy_for(LiaisonActivity).visible(user)
    rows = (
        qs.filter(under_q("org_path", branch_paths), held_on__gte=period.start, held_on__lte=period.end)
        .values("org_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(branch_paths, 0)
    for row in rows:
        for path in ancestor_paths(row["org_path"]):
            if path in counts:
                counts[path] += row["n"]
    return counts


def idle_branch_ids(organization: Organization | None, period: Period, user=None) -> list[int]:
    """The branches (keys, in path order) with no liaison activity in the period, a branch's
    subtree counting for it: two narrow queries (keys and paths; the distinct paths with an
    activity), no model instances."""
    rows = list(liaison_branches(user, organization).values_list("pk", "path"))
    if not rows:
        return []
    qs = LiaisonActivity.objects.all() if user is None else policy_for(LiaisonActivity).visible(user)
    active_paths = (
        qs.filter(under_q("org_path", [path for _, path in rows]), held_on__gte=period.start, held_on__lte=period.end)
        .order_by()
        .values_list("org_path", flat=True)
        .distinct()
    )
    active = {anc for path in active_paths for anc in ancestor_paths(path)}
    return [pk for pk, path in rows if path not in active]


def idle_branches(organization: Organization, period: Period, user=None) -> list[Organization]:
    """Branches with no liaison activity in the period."""
    ids = idle_branch_ids(organization, period, user)
    found = Organization.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def liaisons_overlapping(period: Period, user=None) -> QuerySet[LeaderLiaison]:
    qs = LeaderLiaison.objects.all() if user is None else policy_for(LeaderLiaison).visible(user)
    return qs.filter(start_on__lte=period.end).filter(Q(end_on__isnull=True) | Q(end_on__gte=period.start))


LEADER_ROWS = 30


def leader_rows(
    organization: Organization, period: Period, user=None, limit: int = LEADER_ROWS
) -> tuple[list[dict], int]:
    """Per leader liaising in the period: their branches, activities and the last one — the `limit`
    most active (then by name); and how many leaders there are in all. Four queries."""
    pairs = list(
        liaisons_overlapping(period, user)
        .filter(org_path__startswith=organization.path)
        .values_list("leader_id", "branch__name")
        .order_by("org_path")
    )
    branches: dict[int, list[str]] = {}
    for leader_id, name in pairs:
        branches.setdefault(leader_id, []).append(name)
    stats = {
        row["liaison__leader_id"]: row
        for row in activities_in(organization, period, user)
        .values("liaison__leader_id")
        .annotate(n=Count("id"), last=Max("held_on"))
        .order_by()
    }
    ranked = sorted(branches, key=lambda pk: (-(stats.get(pk) or {}).get("n", 0), pk))[:limit]
    people = Person.objects.in_bulk(ranked)
    rows = [
        {
            "leader": people[pk],
            "branches": branches[pk],
            "activities": (stats.get(pk) or {}).get("n", 0),
            "last": (stats.get(pk) or {}).get("last"),
        }
        for pk in ranked
        if pk in people
    ]
    return rows, len(branches)


# ---------------------------------------------------------------------- 履职清单


CATALOGUE_COUNTS = (
    ("tasks", WorkTask, "department_id"),
    ("divisions", BoundaryDivision, "lead_department_id"),
    ("flowcharts", WorkflowChart, "department_id"),
    ("post_duties", PostDuty, "department_id"),
    ("post_risks", PostRiskPoint, "department_id"),
    ("measures", ControlMeasure, "risk_point__department_id"),
)


def catalogue_counts(user=None, organization: Organization | None = None) -> dict[int, dict[str, int]]:
    """{department id: {"tasks": n, ...}} for the departments with any catalogue entry: 6 queries."""
    from duties.entities import ENTITIES

    result: dict[int, dict[str, int]] = {}
    for key, model, dept_field in CATALOGUE_COUNTS:
        entity = ENTITIES[key]
        qs = model.objects.all() if user is None else policy_for(model).visible(user)
        if key == "measures":
            qs = qs.filter(risk_point__deleted_at__isnull=True)
        if organization is not None:
            qs = qs.filter(**{f"{entity.org_lookup}__startswith": organization.path})
        for dept_id, n in qs.order_by().values_list(dept_field).annotate(n=Count("id")).values_list(dept_field, "n"):
            result.setdefault(dept_id, {k: 0 for k, _, _ in CATALOGUE_COUNTS})[key] = n
    return result


def catalogue_departments(user, organization: Organization | None = None) -> list[Department]:
    counts = catalogue_counts(user, organization)
    depts = list(Department.objects.filter(pk__in=counts).select_related("unit", "organization"))
    for dept in depts:
        dept.counts = counts[dept.pk]
    return sorted(depts, key=lambda x: (x.unit.sort_order, x.sort_order, x.pk))


def catalogue_page_departments(ids) -> QuerySet[Department]:
    """Departments by key in the catalogue's order (unit, then department), for paginating in SQL."""
    return (
        Department.objects.filter(pk__in=list(ids))
        .select_related("unit", "organization")
        .order_by("unit__sort_order", "sort_order", "pk")
    )


def risk_areas(user=None, organization: Organization | None = None) -> list[dict]:
    """Per area (领域): its risk points and how many carry the highest level in force."""
    from duties.services import risk_levels

    top = risk_levels()[0]
    qs = IntegrityRisk.objects.all() if user is None else policy_for(IntegrityRisk).visible(user)
    if organization is not None:
        qs = qs.filter(org_path__startswith=organization.path)
    rows = qs.values("area").annotate(n=Count("id"), high=Count("id", filter=Q(level=top))).order_by("area")
    return list(rows)
