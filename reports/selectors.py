"""Reads for the dashboard and the report pages: the period and scope picked, the figures and
charts of an area, the alerts, the saved reports, and the lists behind this app's own figures
(overdue obligations, expiring terms, open tracked items)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.periods import Period, PeriodError
from core.scope import READ_ROLES, Scope, policy_for
from core.stats import collect_alerts, registered_charts, registered_statistics
from orgs.models import Organization, OrgType
from reports.areas import ordered_areas
from reports.models import ReportDraft
from reports.safety import guarded, log_error

MIN_YEAR = 2018


# ---------------------------------------------------------------- period and scope from a request


@dataclass
class Picked:
    organization: Organization
    period: Period
    errors: list[str] = field(default_factory=list)
    period_text: str = ""

    @property
    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode({"org": self.organization.pk, "period": self.period.code})


def default_period(today: datetime.date) -> Period:
    return Period.containing("half", today)


def parse_period(params, today: datetime.date) -> tuple[Period, str, list[str]]:
    """`period` (2022, 2022H1, 2022Q3, 2022-05, a..b) or `start` + `end` (a custom range)."""
    text = (params.get("period") or "").strip()
    start, end = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    if start and end:
        text = f"{start}..{end}"
    if not text:
        return default_period(today), "", []
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        fallback = default_period(today)
        return fallback, text, [f"{exc}；已显示{fallback.label}"]
    if period.start.year < MIN_YEAR or period.end.year > today.year + 1:
        fallback = default_period(today)
        return fallback, text, [f"期间应在{MIN_YEAR}年至{today.year + 1}年之间；已显示{fallback.label}"]
    return period, text, []


def home_organization(user) -> Organization | None:
    """The organization a user's dashboard opens on: the top-bar scope if visible, else the first
    organization of their scope."""
    scope = Scope.of(user)
    visible = policy_for(Organization).visible(user)
    home = scope.home_organization
    if home is not None and visible.filter(pk=home.pk).exists():
        return home
    return visible.exclude(org_type=OrgType.CELL).order_by("depth", "path").first()


def pick(user, params, today: datetime.date | None = None) -> Picked | None:
    """Organization (`org`, in the user's scope, else 404) and period from request parameters."""
    today = today or timezone.localdate()
    period, text, errors = parse_period(params, today)
    if params.get("org"):
        org = policy_for(Organization).get_or_404(user, pk=params.get("org"))
    else:
        org = home_organization(user)
    if org is None:
        return None
    return Picked(organization=org, period=period, errors=errors, period_text=text)


def period_presets(today: datetime.date, year: int) -> list[tuple[str, Period]]:
    """The quick choices of the period picker."""
    presets = [
        ("本月", Period.containing("month", today)),
        ("本季度", Period.containing("quarter", today)),
        (f"{year}年上半年", Period.parse(f"{year}H1")),
        (f"{year}年下半年", Period.parse(f"{year}H2")),
        (f"{year}年全年", Period.parse(str(year))),
    ]
    return presets


def scope_options(user, selected: Organization | None) -> list[Organization]:
    from orgs.selectors import organization_options

    visible = policy_for(Organization).visible(user).exclude(org_type=OrgType.CELL)
    return organization_options(visible, selected, limit=200)


# ---------------------------------------------------------------- dashboard


def dashboard_areas(user=None) -> list[str]:
    return ordered_areas([s.area for s in registered_statistics(user)] + [c.area for c in registered_charts()])


def chart_json(spec, chart) -> dict:
    height = 300
    if chart.kind == "heatmap":
        rows = {p.y for s in chart.series for p in s.points}
        height = max(200, 26 * len(rows) + 110)
    return {
        "height": height,
        "code": spec.code,
        "title": spec.title,
        "kind": chart.kind,
        "unit": chart.unit,
        "series": [
            {
                "name": s.name,
                "points": [{"label": p.label, "value": p.value, "url": p.url, "y": p.y} for p in s.points],
            }
            for s in chart.series
        ],
    }


def area_figures(area: str, period: Period, organization: Organization, user) -> dict:
    """The cards and charts of one area: each statistic and chart computed for the scope."""
    from core.stats import memo_scope

    with memo_scope():
        figures = [
            (s, guarded(f"统计指标 {s.code}", lambda s=s: s.compute(period, organization, user), None))
            for s in registered_statistics(user)
            if s.area == area
        ]
        charts = []
        for spec in registered_charts():
            if spec.area != area:
                continue
            chart = guarded(f"图表 {spec.code}", lambda spec=spec: spec.build(period, organization, user), None)
            if chart is not None and any(s.points for s in chart.series):
                charts.append(chart_json(spec, chart))
    return {"area": area, "figures": figures, "charts": charts}


def alerts(period: Period, organization: Organization, user) -> list:
    from core.stats import memo_scope

    with memo_scope():
        found = collect_alerts(period, organization, user, on_error=log_error)
    rank = {"danger": 0, "warning": 1}
    return sorted(found, key=lambda a: rank.get(a.level, 2))


# ---------------------------------------------------------------- saved reports


def drafts_visible(user) -> QuerySet[ReportDraft]:
    return policy_for(ReportDraft).visible(user).select_related("organization", "created_by", "updated_by")


def drafts_list(user, *, organization: Organization | None = None, q: str = "") -> QuerySet[ReportDraft]:
    qs = drafts_visible(user)
    if organization is not None:
        qs = qs.filter(org_path__startswith=organization.path)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(period_label__icontains=q))
    return qs.order_by("-updated_at", "-id")


# ---------------------------------------------------------------- lists behind this app's figures


def tracked_items_list(user, organization: Organization, *, state: str = "open", kind: str = ""):
    from reports.builtin import open_q, tracked_items

    today = timezone.localdate()
    qs = tracked_items(organization, user).select_related("organization", "owner")
    if state in ("open", "overdue", "due"):
        qs = qs.filter(open_q())
    if state == "overdue":
        qs = qs.filter(due_on__lt=today)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("due_on", "id")


def has_read_role(user) -> bool:
    return Scope.of(user).has_role(*READ_ROLES)
