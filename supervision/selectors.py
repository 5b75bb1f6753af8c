"""Reads of the supervision area (scoped through the policies).

The ledger's filters are request parameters, shared by the list page, its Excel export and every
statistic's link, so that "共 N 条" on the page equals the figure that linked to it:

    org       an organization's pk: its whole subtree (responsible organization)
    own       1: only that organization's own problems, not its subtree's
    source    a ProblemSource value
    status    a ProblemStatus value, or "open" (not yet 销号)
    urgency   overdue (red: open, past the deadline) | due (yellow: open, within
              tracking.yellow_days_before days) | ok (open, not yet due) | closed
    period    discovered (found_on) within 2022, 2022H1, 2022Q3, 2022-05 or a..b
    closed    closed (销号) within such a period
    ontime    1: closed on or before the deadline; 0: closed after it
    escalated 1: a 督办单 was issued
    inspection / report   the inspection or secretary's report the problems came from
    q         text in the description, measures or source note, or the responsible person's name
    sort      -found_on (default), found_on, due_on, -due_on, -closed_on
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.lookups import IContains
from django.urls import reverse
from django.utils import timezone

from core.periods import Period, PeriodError
from core.scope import policy_for
from core.tracking import yellow_days
from orgs.models import Organization
from supervision.models import (
    OPEN_STATUSES,
    EscalationNotice,
    Inspection,
    InspectionMethod,
    InspectionVisit,
    Problem,
    ProblemSource,
    ProblemStatus,
    SecretaryReport,
)

URGENCY_LABELS = {"overdue": "已逾期", "due": "临期", "ok": "未到期", "closed": "已销号"}
SORTS = {
    "-found_on": ("-found_on", "-id"),
    "found_on": ("found_on", "id"),
    "due_on": ("due_on", "id"),
    "-due_on": ("-due_on", "-id"),
    "-closed_on": ("-closed_on", "-id"),
}


def _visible(model, user, action: str = "view") -> QuerySet:
    """The policy's queryset; everything for user None (statistics computed for the report)."""
    if user is None:
        return model._default_manager.all()
    return policy_for(model).visible(user, action)


def problems_visible(user, action: str = "view") -> QuerySet[Problem]:
    return _visible(Problem, user, action)


def urgency_q(urgency: str, today: datetime.date, yellow: int) -> Q:
    open_q = Q(status__in=OPEN_STATUSES)
    if urgency == "overdue":
        return open_q & Q(due_on__lt=today)
    if urgency == "due":
        return open_q & Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=yellow))
    if urgency == "ok":
        return open_q & Q(due_on__gt=today + datetime.timedelta(days=yellow))
    if urgency == "closed":
        return Q(status=ProblemStatus.CLOSED)
    raise ValueError(urgency)


def urgency_of(problem: Problem, today: datetime.date, yellow: int) -> str:
    if problem.status == ProblemStatus.CLOSED:
        return "closed"
    if problem.due_on < today:
        return "overdue"
    if (problem.due_on - today).days <= yellow:
        return "due"
    return "ok"


@dataclass
class ProblemFilters:
    org: Organization | None = None
    own: bool = False  # only the organization itself, not its subtree
    source: str = ""
    status: str = ""
    urgency: str = ""
    period: Period | None = None
    closed: Period | None = None
    ontime: str = ""
    escalated: str = ""
    inspection: Inspection | None = None
    report: SecretaryReport | None = None
    q: str = ""
    sort: str = "-found_on"
    errors: list[str] = field(default_factory=list)

    def as_params(self) -> dict[str, str]:
        params = {
            "org": str(self.org.pk) if self.org else "",
            "own": "1" if self.own and self.org else "",
            "source": self.source,
            "status": self.status,
            "urgency": self.urgency,
            "period": self.period.code if self.period else "",
            "closed": self.closed.code if self.closed else "",
            "ontime": self.ontime,
            "escalated": self.escalated,
            "inspection": str(self.inspection.pk) if self.inspection else "",
            "report": str(self.report.pk) if self.report else "",
            "q": self.q,
            "sort": self.sort if self.sort != "-found_on" else "",
        }
        return {k: v for k, v in params.items() if v}

    @property
    def query_string(self) -> str:
        return urlencode(self.as_params())

    @property
    def any(self) -> bool:
        return bool({k for k in self.as_params() if k != "sort"})


class _ContainsAnyCase(IContains):
    """icontains, written `col ILIKE '%q%'` on PostgreSQL — which the column's trigram index
    (pg_trgm, migration 0006) serves — rather than UPPER(col) LIKE UPPER('%q%')."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


SEARCH_PEOPLE_LIMIT = 500


def text_q(q: str) -> Q:
    """`q` in the description, measures or source note, or the responsible person's name (or
    pinyin). Chinese has no letter case: without Latin letters a plain LIKE (contains) spares the
    case folding; with them, case-insensitive. On PostgreSQL both use the columns' trigram indexes
    for three characters or more."""
    from orgs.models import Person
    from orgs.selectors import text_query

    if any(c.isascii() and c.isalpha() for c in q):
        conds = [_ContainsAnyCase(F(name), q) for name in ("description", "measures", "source_note")]
    else:
        conds = [Q(**{f"{name}__contains": q}) for name in ("description", "measures", "source_note")]
    # The people found by name once (one query), so that the ledger's count and page do not scan
    # the people again each, and the condition stays one the indexes can serve (a list of ids);
    # a subquery when many people match.
    people = Person.all_objects.filter(text_query(q)).order_by().values_list("pk", flat=True)
    ids = list(people[: SEARCH_PEOPLE_LIMIT + 1])
    person = Q(responsible_person_id__in=ids if len(ids) <= SEARCH_PEOPLE_LIMIT else people)
    result = person
    for cond in conds:
        result |= Q(cond)
    return result


def problems_list(user, f: ProblemFilters, today: datetime.date | None = None) -> QuerySet[Problem]:
    today = today or timezone.localdate()
    qs = problems_visible(user).select_related("organization", "responsible_person", "escalation")
    if f.org is not None:
        qs = qs.filter(org_path=f.org.path) if f.own else qs.filter(org_path__startswith=f.org.path)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.urgency:
        qs = qs.filter(urgency_q(f.urgency, today, yellow_days(today.year)))
    if f.period is not None:
        qs = qs.filter(found_on__gte=f.period.start, found_on__lte=f.period.end)
    if f.closed is not None:
        qs = qs.filter(closed_on__gte=f.closed.start, closed_on__lte=f.closed.end)
    if f.ontime == "1":
        qs = qs.filter(closed_on__isnull=False, closed_on__lte=F("due_on"))
    elif f.ontime == "0":
        qs = qs.filter(closed_on__isnull=False, closed_on__gt=F("due_on"))
    if f.escalated == "1":
        qs = qs.filter(escalation__isnull=False)
    if f.inspection is not None:
        qs = qs.filter(inspection=f.inspection)
    if f.report is not None:
        qs = qs.filter(secretary_report=f.report)
    if f.q:
        qs = qs.filter(text_q(f.q))
    return qs.order_by(*SORTS.get(f.sort, SORTS["-found_on"]))


def summary_count(user, f: ProblemFilters) -> int | None:
    """The ledger's total from the monthly summary (supervision.summary) when the filters are
    among those it keeps — organization subtree, source, status, discovery or closing period in
    whole months — and the user sees every problem of the organization (or no organization is
    chosen); None otherwise (then the problems are counted)."""
    from core.scope import Scope
    from supervision import summary
    from supervision.models import ProblemMonthSummary

    if f.own or f.urgency or f.ontime or f.escalated or f.inspection or f.report or f.q:
        return None
    if f.period is not None and f.closed is not None:
        return None
    if f.closed is not None and f.status not in ("", ProblemStatus.CLOSED):
        return None
    months = None
    for period in (f.period, f.closed):
        if period is not None:
            months = summary.months(period)
            if months is None:
                return None
    rows = ProblemMonthSummary.objects.all()
    if f.org is not None:
        if not summary.covers(f.org, user):
            return None
        paths = [f.org.path]
    elif user is None:
        paths = None
    else:
        paths = Scope.of(user).paths(policy_for(Problem).roles_for("view"))
        if paths is not None and not paths:
            return 0
    if paths is None:
        rows = rows.filter(level=1)  # every problem is under one organization of level 1
    else:
        rows = rows.filter(level__in={summary.level_of(p) for p in paths}, path__in=paths)
    if f.source:
        rows = rows.filter(source=f.source)
    rows = rows.filter(summary.months_q(*(months or (None, None))))
    sums = rows.aggregate(**{k: Sum(k) for k in summary.COLUMNS})
    sums = {k: v or 0 for k, v in sums.items()}
    opened = sum(sums[k] for k in summary.OPEN)
    if f.closed is not None:
        return sums["closed"]
    if f.status == "open":
        return opened
    if f.status == ProblemStatus.CLOSED:
        return sums["found"] - opened
    if f.status:
        return sums[f.status]
    return sums["found"]


def page_of(qs: QuerySet[Problem], bottom: int, top: int) -> QuerySet[Problem]:
    """Rows bottom..top of the ledger: the page's ids are found first (from the order's index),
    then only those rows are read with their organization, person and 督办单 — not the joins of
    every row skipped before a far page."""
    order = qs.query.order_by
    ids = qs.values("pk")[bottom:top]
    return (
        Problem.objects.filter(pk__in=ids)
        .select_related("organization", "responsible_person", "escalation")
        .order_by(*order)
    )


def _org(user, pk) -> Organization:
    if user is None:
        from django.shortcuts import get_object_or_404

        return get_object_or_404(Organization, pk=pk)
    return policy_for(Organization).get_or_404(user, pk=pk)


def _period(params, key: str, label: str, errors: list[str]) -> Period | None:
    text = (params.get(key) or "").strip()
    if not text:
        return None
    try:
        return Period.parse(text)
    except PeriodError as exc:
        errors.append(f"{label}：{exc}，已忽略")
        return None


def problems_from_params(user, params, today: datetime.date | None = None) -> tuple[QuerySet[Problem], ProblemFilters]:
    """The ledger filtered by request parameters (see the module docstring). An organization,
    inspection or report outside the user's scope is a 404; other unreadable parameters are
    reported in `filters.errors` and ignored."""
    f = ProblemFilters(q=(params.get("q") or "").strip()[:100])
    if params.get("org"):
        f.org = _org(user, params.get("org"))
        f.own = params.get("own") == "1"
    source = params.get("source") or ""
    if source:
        if source in ProblemSource.values:
            f.source = source
        else:
            f.errors.append(f"未知的问题来源“{source}”，已忽略")
    status = params.get("status") or ""
    if status:
        if status == "open" or status in ProblemStatus.values:
            f.status = status
        else:
            f.errors.append(f"未知的状态“{status}”，已忽略")
    urgency = params.get("urgency") or ""
    if urgency:
        if urgency in URGENCY_LABELS:
            f.urgency = urgency
        else:
            f.errors.append(f"未知的紧急程度“{urgency}”，已忽略")
    f.period = _period(params, "period", "发现期间", f.errors)
    f.closed = _period(params, "closed", "销号期间", f.errors)
    if params.get("ontime") in ("0", "1"):
        f.ontime = params["ontime"]
    if params.get("escalated") == "1":
        f.escalated = "1"
    if params.get("inspection"):
        f.inspection = policy_for(Inspection).get_or_404(user, pk=params.get("inspection"))
    if params.get("report"):
        f.report = policy_for(SecretaryReport).get_or_404(user, pk=params.get("report"))
    sort = params.get("sort") or "-found_on"
    f.sort = sort if sort in SORTS else "-found_on"
    return problems_list(user, f, today), f


_SAFE = re.compile(r"^[\w.\-]*$", re.ASCII)


@functools.cache
def _ledger_path() -> str:
    return reverse("supervision:problem_list")


def ledger_url(**params) -> str:
    """The ledger filtered by `params` (the statistics page builds hundreds of these: plain
    values — ids, period codes, statuses — are joined without percent-encoding them)."""
    clean = {k: str(v) for k, v in params.items() if v not in (None, "")}
    if not clean:
        return _ledger_path()
    if all(_SAFE.match(v) for v in clean.values()):
        return _ledger_path() + "?" + "&".join(f"{k}={v}" for k, v in clean.items())
    return _ledger_path() + "?" + urlencode(clean)


# ---------------------------------------------------------------------- inspections and visits


def inspections_visible(user, action: str = "view") -> QuerySet[Inspection]:
    return _visible(Inspection, user, action)


def inspections_from_params(user, params) -> tuple[QuerySet[Inspection], dict]:
    """org (the inspecting organization's subtree or an inspected organization), period (start
    date), method, q (name)."""
    errors: list[str] = []
    qs = inspections_visible(user).select_related("organization")
    org = None
    if params.get("org"):
        org = _org(user, params.get("org"))
        targeted = Inspection.targets.through.objects.filter(organization__path__startswith=org.path).values(
            "inspection_id"
        )
        qs = qs.filter(Q(org_path__startswith=org.path) | Q(pk__in=targeted))
    period = _period(params, "period", "期间", errors)
    if period is not None:
        qs = qs.filter(start_on__gte=period.start, start_on__lte=period.end)
    method = params.get("method") or ""
    if method and method not in InspectionMethod.values:
        errors.append(f"未知的检查方式“{method}”，已忽略")
        method = ""
    if method:
        qs = qs.filter(methods__contains=method)
    q = (params.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(feedback__icontains=q))
    qs = qs.order_by("-start_on", "-id")
    filters = {"org": org, "period": period, "method": method, "q": q, "errors": errors}
    filters["query_string"] = urlencode(
        {
            k: v
            for k, v in {
                "org": org.pk if org else "",
                "period": period.code if period else "",
                "method": method,
                "q": q,
            }.items()
            if v
        }
    )
    return qs, filters


def visits_visible(user) -> QuerySet[InspectionVisit]:
    """Visits the user may see: to an organization of their scope, or of an inspection their
    scope holds (a branch sees the visits to itself, not to the other branches inspected)."""
    qs = InspectionVisit.objects.all()
    if user is None:
        return qs
    if not user.is_authenticated:
        return qs.none()
    from core.scope import READ_ROLES, Scope

    scope = Scope.of(user)
    visited = scope.org_q("org_path", READ_ROLES)
    if visited is None:
        return qs
    held = scope.org_q("inspection__org_path", READ_ROLES)
    return qs.filter(visited | held)


def _org_and_period(user, params, qs: QuerySet, date_field: str, errors: list[str]):
    """Filter by `org` (the record's organization subtree) and `period` (on `date_field`);
    returns (queryset, organization or None, period or None)."""
    org = None
    if params.get("org"):
        org = _org(user, params.get("org"))
        qs = qs.filter(org_path__startswith=org.path)
    period = _period(params, "period", "期间", errors)
    if period is not None:
        qs = qs.filter(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})
    return qs, org, period


def with_problem_counts(qs: QuerySet) -> QuerySet:
    """Inspections or reports annotated with their problems (n_problems) and open ones (n_open)."""
    return qs.annotate(
        n_problems=Count("problems", distinct=True),
        n_open=Count("problems", filter=~Q(problems__status="closed"), distinct=True),
    )


def visits_from_params(user, params) -> tuple[QuerySet[InspectionVisit], dict]:
    """org (visited organization's subtree), period (visit date), method."""
    errors: list[str] = []
    qs = visits_visible(user).select_related("inspection", "organization")
    qs, org, period = _org_and_period(user, params, qs, "visited_on", errors)
    method = params.get("method") or ""
    if method and method not in InspectionMethod.values:
        errors.append(f"未知的检查方式“{method}”，已忽略")
        method = ""
    if method:
        qs = qs.filter(method=method)
    return qs.order_by("-visited_on", "-id"), {"org": org, "period": period, "method": method, "errors": errors}


# ---------------------------------------------------------------------- secretaries' reports


def reports_visible(user, action: str = "view") -> QuerySet[SecretaryReport]:
    return _visible(SecretaryReport, user, action)


def reports_from_params(user, params) -> tuple[QuerySet[SecretaryReport], dict]:
    """org (subtree), period (述职大会 date), year (述职年度), q (secretary's name)."""
    errors: list[str] = []
    qs = reports_visible(user).select_related("organization", "secretary")
    qs, org, period = _org_and_period(user, params, qs, "held_on", errors)
    year = (params.get("year") or "").strip()
    if year:
        if year.isdigit():
            qs = qs.filter(year=int(year))
        else:
            errors.append(f"述职年度“{year}”无效，已忽略")
            year = ""
    q = (params.get("q") or "").strip()[:100]
    if q:
        from orgs.selectors import text_query

        qs = qs.filter(
            text_query(q, name="secretary__name", initials="secretary__name_initials", pinyin="secretary__name_pinyin")
            | Q(organization__name__icontains=q)
        )
    qs = qs.order_by("-held_on", "org_path", "-id")
    query = {"org": org.pk if org else "", "period": period.code if period else "", "year": year, "q": q}
    return qs, {
        "org": org,
        "period": period,
        "year": year,
        "q": q,
        "errors": errors,
        "query_string": urlencode({k: v for k, v in query.items() if v}),
    }


# ---------------------------------------------------------------------- escalation notices


def escalations_visible(user) -> QuerySet[EscalationNotice]:
    return _visible(EscalationNotice, user)


def escalations_from_params(user, params) -> tuple[QuerySet[EscalationNotice], dict]:
    errors: list[str] = []
    qs = escalations_visible(user).select_related("organization", "problem")
    qs, org, period = _org_and_period(user, params, qs, "issued_on", errors)
    if params.get("open") == "1":
        qs = qs.filter(problem__status__in=OPEN_STATUSES)
    return qs.order_by("-issued_on", "-seq"), {
        "org": org,
        "period": period,
        "open": params.get("open") == "1",
        "errors": errors,
    }


def meetings_responding(user, inspection: Inspection):
    """Meetings (visible to the user) recorded as answering the inspection's feedback."""
    from django.contrib.contenttypes.models import ContentType

    from meetings.models import Meeting

    ct = ContentType.objects.get_for_model(Inspection)
    return (
        policy_for(Meeting)
        .visible(user)
        .filter(responds_to_type=ct, responds_to_id=str(inspection.pk))
        .select_related("subtype")
        .order_by("held_on", "id")
    )


def inspections_for_meetings(user, meeting=None) -> QuerySet[Inspection]:
    """Inspections a meeting may answer (the meeting form's choices): those the user sees, plus
    the one the meeting already answers."""
    qs = inspections_visible(user)
    linked = inspection_for_meeting(meeting) if meeting is not None else None
    if linked is not None:
        qs = Inspection.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk=linked.pk))
    return qs.order_by("-start_on", "-id")


def inspection_for_meeting(meeting) -> Inspection | None:
    """The inspection a meeting answers (Meeting.responds_to), if it is one."""
    from django.contrib.contenttypes.models import ContentType

    if meeting is None or not meeting.responds_to_type_id:
        return None
    if meeting.responds_to_type_id != ContentType.objects.get_for_model(Inspection).pk:
        return None
    return Inspection.all_objects.filter(pk=meeting.responds_to_id).first()
