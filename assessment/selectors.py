"""Reads for the star rating and the periodic assessment (scoped through the policies).

The rating ledger (评星台账) and the assessment results (考核结果) are filtered by request
parameters; statistics link to them with the same parameters, so the list's "共 N 条" equals
the figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet

from assessment.models import (
    PUBLISHED_STATUSES,
    AssessmentRecord,
    AssessmentRound,
    BranchRating,
    Grade,
    RecordStatus,
    StandardizationCheck,
    StarRatingRound,
)
from core.periods import Period, PeriodError
from core.scope import policy_for
from core.viewutils import FilterParams
from orgs.models import Department, Organization

CHANGES = {"up": "晋位升级", "down": "降级", "same": "持平", "new": "首次评定"}


def _int(value, low: int, high: int) -> int | None:
    text = str(value or "").strip()
    if text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


# ---------------------------------------------------------------------- ratings


def rounds_visible(user) -> QuerySet[StarRatingRound]:
    return policy_for(StarRatingRound).visible(user)


def ratings_visible(user, action: str = "view") -> QuerySet[BranchRating]:
    return policy_for(BranchRating).visible(user, action)


@dataclass
class RatingFilters(FilterParams):
    org: Organization | None = None
    year: int | None = None
    stars: int | None = None
    change: str = ""
    published: bool = False
    round_id: int | None = None
    errors: list[str] = field(default_factory=list)

    def params(self) -> dict[str, str]:
        return {
            "org": str(self.org.pk) if self.org else "",
            "year": str(self.year or ""),
            "stars": str(self.stars or ""),
            "change": self.change,
            "published": "1" if self.published else "",
            "round": str(self.round_id or ""),
        }


def ratings_list(
    user,
    *,
    org: Organization | None = None,
    year: int | None = None,
    stars: int | None = None,
    change: str = "",
    published: bool = False,
    round_id: int | None = None,
) -> QuerySet[BranchRating]:
    qs = ratings_visible(user).select_related("organization", "round")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if year:
        qs = qs.filter(year=year)
    if stars:
        qs = qs.filter(final_stars=stars)
    if published:
        qs = qs.filter(round__status__in=PUBLISHED_STATUSES)
    if round_id:
        qs = qs.filter(round_id=round_id)
    if change == "up":
        qs = qs.filter(previous_stars__isnull=False, final_stars__gt=F("previous_stars"))
    elif change == "down":
        qs = qs.filter(previous_stars__isnull=False, final_stars__lt=F("previous_stars"))
    elif change == "same":
        qs = qs.filter(previous_stars__isnull=False, final_stars=F("previous_stars"))
    elif change == "new":
        qs = qs.filter(previous_stars__isnull=True, final_stars__isnull=False)
    return qs.order_by("-year", "org_path", "pk")


def ratings_from_params(user, params) -> tuple[QuerySet[BranchRating], RatingFilters]:
    f = RatingFilters()
    if params.get("org"):
        f.org = policy_for(Organization).get_or_404(user, pk=params.get("org"))
    if params.get("year"):
        f.year = _int(params.get("year"), 2000, 2100)
        if f.year is None:
            f.errors.append(f"年度“{params.get('year')}”无效，已忽略")
    if params.get("stars"):
        f.stars = _int(params.get("stars"), 1, 5)
        if f.stars is None:
            f.errors.append(f"星级“{params.get('stars')}”无效，已忽略")
    change = params.get("change") or ""
    if change:
        if change in CHANGES:
            f.change = change
        else:
            f.errors.append(f"变化“{change}”无效，已忽略")
    f.published = params.get("published") == "1"
    if params.get("round"):
        f.round_id = _int(params.get("round"), 1, 2**62)
    qs = ratings_list(
        user,
        org=f.org,
        year=f.year,
        stars=f.stars,
        change=f.change,
        published=f.published,
        round_id=f.round_id,
    )
    return qs, f


def branch_history(org: Organization) -> list[BranchRating]:
    return list(BranchRating.objects.filter(organization=org).select_related("round").order_by("-year", "-pk"))


def rating_years(user) -> list[int]:
    return sorted(set(rounds_visible(user).values_list("year", flat=True)), reverse=True)


# ---------------------------------------------------------------------- standardization


def standardization_status(
    orgs: list[Organization], year: int, items: list[str]
) -> dict[int, dict[str, StandardizationCheck]]:
    """{organization id: {item: check}} for `orgs` (one query)."""
    result: dict[int, dict[str, StandardizationCheck]] = {o.pk: {} for o in orgs}
    for c in StandardizationCheck.objects.filter(organization__in=orgs, year=year, item__in=items):
        result[c.organization_id][c.item] = c
    return result


# ---------------------------------------------------------------------- periodic assessment


def assessment_rounds_visible(user) -> QuerySet[AssessmentRound]:
    return policy_for(AssessmentRound).visible(user)


def records_visible(user, action: str = "view") -> QuerySet[AssessmentRecord]:
    return policy_for(AssessmentRecord).visible(user, action)


@dataclass
class RecordFilters(FilterParams):
    org: Organization | None = None
    period: Period | None = None
    department: Department | None = None
    grade: str = ""
    leader: bool = False
    status: str = ""
    round_id: int | None = None
    q: str = ""
    errors: list[str] = field(default_factory=list)

    def params(self) -> dict[str, str]:
        return {
            "org": str(self.org.pk) if self.org else "",
            "period": self.period.code if self.period else "",
            "department": str(self.department.pk) if self.department else "",
            "grade": self.grade,
            "leader": "1" if self.leader else "",
            "status": self.status,
            "round": str(self.round_id or ""),
            "q": self.q,
        }


def within_period(period: Period) -> Q:
    """Records of the quarters lying wholly inside `period`."""
    quarters = [q for q in period.quarters() if q.start >= period.start and q.end <= period.end]
    if not quarters:
        return Q(pk__in=[])
    by_year: dict[int, list[int]] = {}
    for p in quarters:
        by_year.setdefault(p.start.year, []).append((p.start.month - 1) // 3 + 1)
    q = Q()
    for year, numbers in by_year.items():
        q |= Q(year=year) if len(numbers) == 4 else Q(year=year, quarter__in=numbers)
    return q


def records_list(
    user,
    *,
    org: Organization | None = None,
    period: Period | None = None,
    department: Department | None = None,
    grade: str = "",
    leader: bool = False,
    status: str = "",
    round_id: int | None = None,
    q: str = "",
) -> QuerySet[AssessmentRecord]:
    qs = records_visible(user).select_related("person", "department", "round", "round_department__head")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if period is not None:
        qs = qs.filter(within_period(period))
    if department is not None:
        qs = qs.filter(department=department)
    if grade:
        qs = qs.filter(final_grade=grade)
    if leader:
        qs = qs.filter(is_leader=True)
    if status:
        qs = qs.filter(status=status)
    if round_id:
        qs = qs.filter(round_id=round_id)
    if q:
        from orgs.selectors import text_query

        qs = qs.filter(
            text_query(q, name="person__name", initials="person__name_initials", pinyin="person__name_pinyin")
        )
    return qs.order_by("-year", "-quarter", "department__sort_order", "-is_leader", "person__name", "pk")


def records_from_params(user, params) -> tuple[QuerySet[AssessmentRecord], RecordFilters]:
    f = RecordFilters(q=(params.get("q") or "").strip()[:50])
    if params.get("org"):
        f.org = policy_for(Organization).get_or_404(user, pk=params.get("org"))
    period = (params.get("period") or "").strip()
    if period:
        try:
            f.period = Period.parse(period)
        except PeriodError as exc:
            f.errors.append(f"{exc}，已忽略")
    if params.get("department"):
        pk = _int(params.get("department"), 1, 2**62)
        f.department = Department.objects.filter(pk=pk).first() if pk else None
        if f.department is None:
            f.errors.append("科室参数无效，已忽略")
    grade = params.get("grade") or ""
    if grade:
        if grade in Grade.values:
            f.grade = grade
        else:
            f.errors.append(f"等次“{grade}”无效，已忽略")
    f.leader = params.get("leader") == "1"
    status = params.get("status") or ""
    if status:
        if status in RecordStatus.values:
            f.status = status
        else:
            f.errors.append(f"状态“{status}”无效，已忽略")
    if params.get("round"):
        f.round_id = _int(params.get("round"), 1, 2**62)
    qs = records_list(
        user,
        org=f.org,
        period=f.period,
        department=f.department,
        grade=f.grade,
        leader=f.leader,
        status=f.status,
        round_id=f.round_id,
        q=f.q,
    )
    return qs, f


def my_scoring_queue(user) -> QuerySet[AssessmentRecord]:
    """Records the user scores as a department head, in open rounds."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return AssessmentRecord.objects.none()
    return (
        AssessmentRecord.objects.filter(round_department__head_id=person_id, round__status="open")
        .exclude(person_id=person_id)
        .select_related("person", "department", "round")
        .order_by("round__year", "round__quarter", "person__name")
    )
