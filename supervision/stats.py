"""The supervision area in the statistics registry, the work report, the alerts and the dashboard.

Every count links to the list of exactly the records it counts, filtered by the same parameters:
problems → the rectification ledger (问题整改台账), inspections → the inspection list, field
visits → the visit list, secretaries' reports → the report list, escalation notices → the 督办单
list. Definitions for a period P and an organization O (its whole subtree):

- found (发现问题): problems discovered in P;
- in progress (未销号): of those, not yet closed;
- overdue (逾期): of those, open and past the deadline today;
- closed (销号): problems closed in P (whenever found); closed on time: closed on or before the
  deadline; on-time rate = closed on time / closed (links to the closed ones).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core.periods import Period
from core.stats import (
    Alert,
    Chart,
    ChartPoint,
    ChartSeries,
    ReportParagraph,
    StatValue,
    register_alert,
    register_chart,
    register_report_section,
    register_statistic,
)
from orgs.models import Organization
from supervision import selectors, summary
from supervision.models import (
    OPEN_STATUSES,
    InspectionMethod,
    ProblemSource,
    ProblemStatus,
)

AREA = "监督检查与问题整改"
SEGMENT = 7  # one level of an organization path: "000123."


def _problems(organization: Organization, user=None):
    return selectors.problems_visible(user).filter(org_path__startswith=organization.path)


def ledger(organization: Organization, **params) -> str:
    return selectors.ledger_url(org=organization.pk, **params)


def _list_url(name: str, organization: Organization, **params) -> str:
    query = {"org": organization.pk, **{k: v for k, v in params.items() if v}}
    return reverse(f"supervision:{name}") + "?" + urlencode(query)


def _found_q(period: Period) -> Q:
    return Q(found_on__gte=period.start, found_on__lte=period.end)


def _closed_q(period: Period) -> Q:
    return Q(closed_on__gte=period.start, closed_on__lte=period.end)


# Counted on columns of the figures indexes (due_on is never null), not on id, so that PostgreSQL
# answers from those indexes alone.
def found_counts(today: datetime.date) -> dict:
    open_ = Q(status__in=OPEN_STATUSES)
    return {
        "found": Count("due_on"),
        "in_progress": Count("due_on", filter=open_),
        "overdue": Count("due_on", filter=open_ & Q(due_on__lt=today)),
    }


def closed_counts() -> dict:
    return {"closed": Count("due_on"), "on_time": Count("due_on", filter=Q(closed_on__lte=F("due_on")))}


FIGURES = ("found", "in_progress", "overdue", "closed", "on_time")


def _from_summary(values: dict[str, int]) -> dict[str, int]:
    """The figures (but overdue) of summary columns."""
    return {
        "found": values["found"],
        "in_progress": sum(values[k] for k in summary.OPEN),
        "closed": values["closed"],
        "on_time": values["on_time"],
    }


def _not_due(period: Period, organization: Organization, user, today) -> QuerySet:
    """Problems discovered in the period, open and not yet past the deadline today: with the open
    ones from the summary, overdue = open − not yet due. Read from the open problems' index by
    deadline (from today on), a set bounded by the deadlines ahead however long the history."""
    return _problems(organization, user).filter(_found_q(period), status__in=OPEN_STATUSES, due_on__gte=today)


def figures(period: Period, organization: Organization, user=None, overdue: bool = True, **filters) -> dict:
    """The five figures: from the monthly summary and the open problems when the period is whole
    months (see supervision.summary), else with two queries on the problems (discovered in the
    period, closed in it). `filters` may only be `source` for the summary."""
    today = timezone.localdate()
    if set(filters) <= {"source"} and summary.usable(period, organization, user):
        result = dict.fromkeys(FIGURES, 0)
        for source, values in summary.totals(period, organization).items():
            if filters.get("source", source) == source:
                for k, v in _from_summary(values).items():
                    result[k] += v
        if overdue:
            not_due = _not_due(period, organization, user, today).filter(**filters).count()
            result["overdue"] = result["in_progress"] - not_due
        return result
    qs = _problems(organization, user).filter(**filters)
    result = qs.filter(_found_q(period)).aggregate(**found_counts(today))
    result.update(qs.filter(_closed_q(period)).aggregate(**closed_counts()))
    return result


def breakdown(period: Period, organization: Organization, user=None) -> dict[tuple[str, str], dict]:
    """{(path prefix of the direct child or the organization itself, source): figures} — two
    grouped queries for both tables of the statistics page (the summary's rows of the organization
    and its children and the overdue open problems, or the problems themselves)."""
    today = timezone.localdate()
    width = len(organization.path) + SEGMENT
    qs = _problems(organization, user).annotate(prefix=Substr("org_path", 1, width))
    result: dict[tuple[str, str], dict] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    if summary.usable(period, organization, user):
        for key, values in summary.subtree_rows(period, organization).items():
            result[key].update(_from_summary(values))
        not_due = (
            _not_due(period, organization, user, today)
            .annotate(prefix=Substr("org_path", 1, width))
            .values("prefix", "source")
            .annotate(n=Count("due_on"))
            .order_by()
        )
        not_due_by_key = {(row["prefix"], row["source"]): row["n"] for row in not_due}
        for key, values in result.items():
            values["overdue"] = values["in_progress"] - not_due_by_key.get(key, 0)
        return result
    for query, counts in (
        (qs.filter(_found_q(period)), found_counts(today)),
        (qs.filter(_closed_q(period)), closed_counts()),
    ):
        for row in query.values("prefix", "source").annotate(**counts).order_by():
            result[(row["prefix"], row["source"])].update({k: row[k] for k in counts})
    return result


def rate(on_time: int, closed: int) -> float:
    return round(100.0 * on_time / closed, 1) if closed else 0.0


def figure_links(period: Period, organization: Organization, **extra) -> dict[str, str]:
    p = period.code
    return {
        "found": ledger(organization, period=p, **extra),
        "in_progress": ledger(organization, period=p, status="open", **extra),
        "overdue": ledger(organization, period=p, urgency="overdue", **extra),
        "closed": ledger(organization, closed=p, **extra),
        "on_time": ledger(organization, closed=p, ontime="1", **extra),
    }


# ---------------------------------------------------------------------- problems


def _problem_stat(key: str, unit: str = "项"):
    def compute(period, organization, user=None):
        value = figures(period, organization, user, overdue=key == "overdue")[key]
        return StatValue(value, figure_links(period, organization)[key], unit)

    return compute


for _order, (_key, _label) in enumerate(
    (
        ("found", "发现问题数"),
        ("in_progress", "未销号问题数"),
        ("closed", "销号问题数"),
        ("overdue", "逾期未整改问题数"),
    )
):
    register_statistic(f"supervision.problems.{_key}", _label, AREA, order=30 + _order, unit="项")(_problem_stat(_key))
register_statistic("supervision.problems.closed_on_time", "按期销号问题数", AREA, order=34, unit="项")(
    _problem_stat("on_time")
)


@register_statistic("supervision.problems.on_time_rate", "问题按期销号率", AREA, order=35, unit="%")
def on_time_rate(period, organization, user=None):
    """Closed on time / closed in the period; links to the closed problems (the denominator)."""
    f = figures(period, organization, user, overdue=False)
    return StatValue(rate(f["on_time"], f["closed"]), ledger(organization, closed=period.code), "%")


@register_statistic("supervision.problems.closed_star_rating", "评星定级问题整改销号数", AREA, order=36, unit="项")
def closed_star_rating(period, organization, user=None):
    if summary.usable(period, organization, user):
        n = figures(period, organization, user, overdue=False, source=ProblemSource.STAR_RATING)["closed"]
        return StatValue(n, ledger(organization, source=ProblemSource.STAR_RATING, closed=period.code), "项")
    n = (
        _problems(organization, user)
        .filter(source=ProblemSource.STAR_RATING, closed_on__gte=period.start, closed_on__lte=period.end)
        .count()
    )
    return StatValue(n, ledger(organization, source=ProblemSource.STAR_RATING, closed=period.code), "项")


# ---------------------------------------------------------------------- inspections and reports


@register_statistic("supervision.inspections.count", "督导检查次数", AREA, order=10, unit="次")
def inspections_count(period, organization, user=None):
    qs, _ = selectors.inspections_from_params(user, {"org": organization.pk, "period": period.code})
    return StatValue(qs.count(), _list_url("inspection_list", organization, period=period.code), "次")


def field_visits_qs(period, organization, user=None):
    return selectors.visits_visible(user).filter(
        org_path__startswith=organization.path,
        method=InspectionMethod.FIELD,
        visited_on__gte=period.start,
        visited_on__lte=period.end,
    )


@register_statistic("supervision.inspections.field_visits", "实地督导检查次数", AREA, order=11, unit="次")
def field_visits(period, organization, user=None):
    n = field_visits_qs(period, organization, user).count()
    return StatValue(n, _list_url("visit_list", organization, period=period.code, method=InspectionMethod.FIELD), "次")


@register_statistic("supervision.secretary_reports.secretaries", "述职评议党支部书记人数", AREA, order=20, unit="人")
def secretaries(period, organization, user=None):
    """Reports at the 述职大会 held in the period (one per secretary and year)."""
    qs, _ = selectors.reports_from_params(user, {"org": organization.pk, "period": period.code})
    return StatValue(qs.count(), _list_url("report_list", organization, period=period.code), "人")


@register_statistic("supervision.secretary_reports.problems", "述职评议查摆问题数", AREA, order=21, unit="项")
def report_problems(period, organization, user=None):
    if summary.usable(period, organization, user):
        n = figures(period, organization, user, overdue=False, source=ProblemSource.SECRETARY_REPORT)["found"]
        return StatValue(n, ledger(organization, source=ProblemSource.SECRETARY_REPORT, period=period.code), "项")
    n = (
        _problems(organization, user)
        .filter(source=ProblemSource.SECRETARY_REPORT, found_on__gte=period.start, found_on__lte=period.end)
        .count()
    )
    return StatValue(n, ledger(organization, source=ProblemSource.SECRETARY_REPORT, period=period.code), "项")


@register_statistic("supervision.escalations.count", "发出督办单数", AREA, order=40, unit="份")
def escalations_count(period, organization, user=None):
    qs, _ = selectors.escalations_from_params(user, {"org": organization.pk, "period": period.code})
    return StatValue(qs.count(), _list_url("escalation_list", organization, period=period.code), "份")


# ---------------------------------------------------------------------- breakdowns (statistics page)


def by_source(period: Period, organization: Organization, user=None, data=None) -> list[dict]:
    """One row per source (and a total): the five figures, the on-time rate, each with its link."""
    data = breakdown(period, organization, user) if data is None else data
    sums: dict[str, dict] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for (_prefix, source), values in data.items():
        for k in FIGURES:
            sums[source][k] += values[k]
    result = [
        _row(label, sums.get(value, {}), figure_links(period, organization, source=value))
        for value, label in ProblemSource.choices
    ]
    total = {k: sum(v[k] for v in sums.values()) for k in FIGURES}
    result.append(_row("合计", total, figure_links(period, organization), total=True))
    return result


def by_organization(period: Period, organization: Organization, user=None, data=None) -> list[dict]:
    """One row per direct child organization (its whole subtree) and one for the organization's
    own problems (when it has any)."""
    data = breakdown(period, organization, user) if data is None else data
    sums: dict[str, dict] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for (prefix, _source), values in data.items():
        for k in FIGURES:
            sums[prefix][k] += values[k]
    result = []
    own = sums.get(organization.path)
    if own and any(own.values()):
        result.append(_row(f"{organization.name}（本级）", own, _own_links(period, organization)))
    children = Organization.objects.filter(parent=organization).order_by("sort_order", "path")
    for child in children:
        result.append(_row(child.name, sums.get(child.path, {}), figure_links(period, child), organization=child))
    return result


def _own_links(period: Period, organization: Organization) -> dict[str, str]:
    """Links for the organization's own problems (own=1: the organization, not its subtree)."""
    return figure_links(period, organization, own="1")


def _row(label: str, data: dict, links: dict[str, str], total: bool = False, organization=None) -> dict:
    values = {k: data.get(k, 0) or 0 for k in FIGURES}
    return {
        "label": label,
        "organization": organization,
        "total": total,
        **values,
        "rate": rate(values["on_time"], values["closed"]) if values["closed"] else None,
        "links": links,
    }


# ---------------------------------------------------------------------- the work report


def inspection_paragraphs(period: Period, organization: Organization, user=None) -> list[ReportParagraph]:
    """For each inspection whose feedback came in the period: its problems and how far they are."""
    paragraphs = []
    qs, _ = selectors.inspections_from_params(user, {"org": organization.pk})
    fed_back = qs.filter(feedback_on__gte=period.start, feedback_on__lte=period.end).order_by("feedback_on", "pk")
    for inspection in fed_back[:3]:
        counts = (
            selectors.problems_visible(user)
            .filter(inspection=inspection)
            .aggregate(total=Count("id"), closed=Count("id", filter=Q(status=ProblemStatus.CLOSED)))
        )
        figs = {
            "feedback_problems": StatValue(counts["total"], selectors.ledger_url(inspection=inspection.pk), "项"),
            "feedback_closed": StatValue(
                counts["closed"], selectors.ledger_url(inspection=inspection.pk, status=ProblemStatus.CLOSED), "项"
            ),
        }
        by = f"{inspection.inspector_body}" if inspection.inspector_body else ""
        text = f"针对{by}{inspection.name}反馈情况，逐条梳理反馈问题{{feedback_problems}}项，明确整改措施、责任人和整改时限，"
        meetings = selectors.meetings_responding(user, inspection) if user is not None else None
        if meetings is None:
            from django.contrib.contenttypes.models import ContentType

            from meetings.models import Meeting
            from supervision.models import Inspection

            meetings = Meeting.objects.filter(
                responds_to_type=ContentType.objects.get_for_model(Inspection), responds_to_id=str(inspection.pk)
            )
        scopes = [s for s in meetings.order_by("held_on", "id").values_list("participant_scope", flat=True) if s]
        if len(scopes) > 1:
            text += f"分别召开{'和'.join(f'{s}参加' for s in scopes)}的整改专题会议，"
        elif scopes:
            text += f"召开{scopes[0]}参加的整改专题会议，"
        text += "目前已整改销号{feedback_closed}项。"
        paragraphs.append(ReportParagraph(text=text, figures=figs))
    return paragraphs


def secretary_paragraph(period: Period, organization: Organization, user=None) -> ReportParagraph | None:
    n = secretaries(period, organization, user)
    if not n.value:
        return None
    reports, _ = selectors.reports_from_params(user, {"org": organization.pk, "period": period.code})
    title = reports.exclude(title="").values_list("title", flat=True).first() or "书记抓基层党建述职大会"
    text = (
        f"召开{title}，{{secretaries}}个党支部书记围绕自身基层党建工作和全面从严治党工作共排查问题{{problems}}项，"
        "明确具体整改方向，建立问题整改台账，推动基层党组织标准化建设。"
    )
    return ReportParagraph(
        text=text, figures={"secretaries": n, "problems": report_problems(period, organization, user)}
    )


def rectification_paragraph(period: Period, organization: Organization, user=None) -> ReportParagraph:
    f = figures(period, organization, user)
    links = figure_links(period, organization)
    star = closed_star_rating(period, organization, user)
    visits = field_visits(period, organization, user)
    figs = {
        "found": StatValue(f["found"], links["found"], "项"),
        "closed": StatValue(f["closed"], links["closed"], "项"),
        "on_time_rate": StatValue(rate(f["on_time"], f["closed"]), links["closed"], "%"),
        "overdue": StatValue(f["overdue"], links["overdue"], "项"),
        "closed_star_rating": star,
        "field_visits": visits,
    }
    parts = []
    if star.value:
        parts.append("持续开展基层党支部评星定级管理，完成问题整改{closed_star_rating}项")
    if visits.value:
        parts.append("开展实地督导检查{field_visits}次，推动支部晋位升级，建设过硬支部")
    text = "；".join(parts) + ("。" if parts else "")
    text += "问题整改台账新登记问题{found}项，销号{closed}项，按期销号率{on_time_rate}%"
    # Of the problems found in the period; older overdue problems are named by the alert
    # ("存在的问题"), so this sentence must not claim there are none.
    text += "，其中{overdue}项逾期未整改，已逐项督办。" if f["overdue"] else "。"
    return ReportParagraph(text=text, figures={k: v for k, v in figs.items() if f"{{{k}}}" in text})


@register_report_section("supervision.rectification", "督导检查与问题整改", order=30, area=AREA, chapter="organization")
def rectification_section(period, organization, user=None) -> list[ReportParagraph]:
    paragraphs = inspection_paragraphs(period, organization, user)
    report = secretary_paragraph(period, organization, user)
    if report is not None:
        paragraphs.append(report)
    paragraphs.append(rectification_paragraph(period, organization, user))
    return paragraphs


# ---------------------------------------------------------------------- alerts


@register_alert("supervision.overdue")
def overdue_alerts(period, organization, user=None) -> list[Alert]:
    """Problems open past their deadline today (whatever the period), worst organizations named."""
    today = timezone.localdate()
    overdue = _problems(organization, user).filter(status__in=OPEN_STATUSES, due_on__lt=today)
    n = overdue.count()
    if not n:
        return []
    width = len(organization.path) + SEGMENT
    worst = list(
        overdue.annotate(prefix=Substr("org_path", 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by("-n")[:3]
    )
    names = dict(Organization.objects.filter(path__in=[w["prefix"] for w in worst]).values_list("path", "name"))
    detail = "、".join(f"{names[w['prefix']]}{w['n']}项" for w in worst if w["prefix"] in names)
    text = f"{n}项整改问题逾期未销号" + (f"（{detail}）" if detail else "")
    return [Alert(text=text, url=ledger(organization, urgency="overdue"), level="danger", count=n, topic="supervision")]


@register_alert("supervision.escalations")
def escalation_alerts(period, organization, user=None) -> list[Alert]:
    qs, _ = selectors.escalations_from_params(user, {"org": organization.pk, "period": period.code, "open": "1"})
    n = qs.count()
    if not n:
        return []
    return [
        Alert(
            text=f"{period.label}已发出督办单、问题仍未销号的{n}项",
            url=_list_url("escalation_list", organization, period=period.code, open="1"),
            level="warning",
            count=n,
            topic="supervision",
        )
    ]


# ---------------------------------------------------------------------- charts


def _by_source_status(period, organization, user) -> dict[tuple[str, str], int]:
    """{(source, status): problems discovered in the period}."""
    if summary.usable(period, organization, user):
        counts = {}
        for source, values in summary.totals(period, organization).items():
            for status in summary.OPEN:
                counts[(source, status)] = values[status]
            counts[(source, ProblemStatus.CLOSED)] = values["found"] - sum(values[k] for k in summary.OPEN)
        return counts
    rows = (
        _problems(organization, user)
        .filter(found_on__gte=period.start, found_on__lte=period.end)
        .values("source", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["source"], r["status"]): r["n"] for r in rows}


@register_chart("supervision.problems_by_source", "问题整改：按来源和状态", AREA, order=10)
def chart_by_source(period, organization, user=None) -> Chart:
    counts = _by_source_status(period, organization, user)
    series = []
    for status, status_label in ProblemStatus.choices:
        points = [
            ChartPoint(
                label=source_label,
                value=counts.get((source, status), 0),
                url=ledger(organization, period=period.code, source=source, status=status),
            )
            for source, source_label in ProblemSource.choices
        ]
        series.append(ChartSeries(name=status_label, points=points))
    return Chart(title="问题整改：按来源和状态", kind="stacked_bar", series=series, unit="项")


@register_chart("supervision.problems_by_status", "问题整改：状态分布", AREA, order=11)
def chart_by_status(period, organization, user=None) -> Chart:
    rows: dict[str, int] = defaultdict(int)
    for (_source, status), n in _by_source_status(period, organization, user).items():
        rows[status] += n
    points = [
        ChartPoint(label=label, value=rows.get(value, 0), url=ledger(organization, period=period.code, status=value))
        for value, label in ProblemStatus.choices
    ]
    return Chart(title="问题整改：状态分布", kind="pie", series=[ChartSeries(name="问题", points=points)], unit="项")
