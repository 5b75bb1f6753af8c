"""Points in the statistics registry, the work report (chapter "team") and the dashboard.

- points.average: the average score of the participating members of an organization's subtree
  for the period (counted by whole quarters of one year, see points.selectors) → the ranking
  filtered the same way, whose page shows that average. The star-rating area reads it per branch.
- points.entries: effective entries (derived, or manual and approved) dated in the period and
  filed under the subtree → the entry list with the same filters (its total equals the value).
- points.vanguard.members / .departments: those selected in rounds whose period ends within the
  period, 公示 published or result announced, filed under the subtree → 先锋名单.
- chart points.distribution: members per score band → the ranking filtered to that band.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from core.periods import Period
from core.scope import policy_for
from core.stats import (
    Chart,
    ChartPoint,
    ChartSeries,
    ReportParagraph,
    StatValue,
    register_chart,
    register_report_section,
    register_statistic,
)
from points.models import EntryStatus, PointEntry, VanguardKind, VanguardNomination, VanguardRound
from points.policies import NOTICE_STATUSES
from points.selectors import ScoreRules, Window, average_score, scored_rows

AREA = "党员积分"


def _url(name: str, **params) -> str:
    return reverse(name) + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def ranking_url(organization, window: Window, **params) -> str:
    return _url("points:ranking", org=organization.pk, period=window.code, **params)


@register_statistic("points.average", "党员平均积分", AREA, order=10, unit="分")
def average(period: Period, organization, user=None) -> StatValue:
    window = Window.of(period)
    value = average_score(user, window, under=organization)
    # An average, not a count: the ranking it links to lists the members it averages.
    return StatValue(value if value is not None else 0, ranking_url(organization, window), "分", exact=False)


@register_statistic("points.entries", "积分记录（已生效）", AREA, order=20, unit="条")
def entries(period: Period, organization, user=None) -> StatValue:
    qs = PointEntry.objects.all() if user is None else policy_for(PointEntry).visible(user)
    n = qs.filter(
        org_path__startswith=organization.path,
        year__gte=period.start.year,  # the same rows (an entry's year is its date's): served by the
        year__lte=period.end.year,  # effective entries' scope index, counted from the index alone
        date__gte=period.start,
        date__lte=period.end,
        status=EntryStatus.EFFECTIVE,
    ).count()
    url = _url("points:entry_list", org=organization.pk, period=period.code, status=EntryStatus.EFFECTIVE)
    return StatValue(n, url, "条")


def _round_periods_q(period: Period | None) -> Q:
    """Rounds whose period (a year or a half-year) ends within `period`."""
    if period is None:
        return Q()
    q = Q(pk__in=[])
    for year in range(period.start.year, period.end.year + 1):
        for half, end in (
            (0, datetime.date(year, 12, 31)),
            (1, datetime.date(year, 6, 30)),
            (2, datetime.date(year, 12, 31)),
        ):
            if period.start <= end <= period.end:
                q |= Q(round__year=year, round__half=half)
    return q


def selected_nominations(user, *, period: Period | None = None, organization=None, kind: str = ""):
    """Nominees selected in rounds whose 公示 was published (or result announced)."""
    qs = VanguardNomination.objects.filter(selected=True, round__status__in=NOTICE_STATUSES)
    if user is not None:
        visible = policy_for(VanguardRound).visible(user)
        qs = qs.filter(round__in=visible.values("pk"))
    if organization is not None:
        qs = qs.filter(org_path__startswith=organization.path)
    if kind:
        qs = qs.filter(round__kind=kind)
    return qs.filter(_round_periods_q(period))


def _vanguard(kind: str, unit: str):
    def compute(period: Period, organization, user=None) -> StatValue:
        n = selected_nominations(user, period=period, organization=organization, kind=kind).count()
        return StatValue(n, _url("points:vanguard_list", org=organization.pk, period=period.code, kind=kind), unit)

    return compute


register_statistic("points.vanguard.members", "评选“党员先锋”", AREA, order=30, unit="名")(
    _vanguard(VanguardKind.MEMBER, "名")
)
register_statistic("points.vanguard.departments", "评选“党员先锋科室”", AREA, order=31, unit="个")(
    _vanguard(VanguardKind.DEPARTMENT, "个")
)


# ---------------------------------------------------------------- the report


def _period_words(period: Period) -> str:
    if period.kind == "half":
        return "半年来"
    if period.kind == "year":
        return "全年"
    if period.kind == "quarter":
        return "本季度"
    return f"{period.label}"


@register_report_section("points.vanguard", "党员量化积分与党员先锋", order=60, area=AREA, chapter="team")
def vanguard_section(period: Period, organization, user=None) -> list[ReportParagraph]:
    members = _vanguard(VanguardKind.MEMBER, "名")(period, organization, user)
    departments = _vanguard(VanguardKind.DEPARTMENT, "个")(period, organization, user)
    avg = average(period, organization, user)
    words = _period_words(period)
    figures = {"average": avg}
    if members.value or departments.value:
        text = f"强化党员管理，根据{words}党员量化积分情况（党员平均积分{{average}}分），评选出"
        parts = []
        if members.value:
            parts.append("“党员先锋”{members}名")
            figures["members"] = members
        if departments.value:
            parts.append("“党员先锋科室”{departments}个")
            figures["departments"] = departments
        text += "和".join(parts) + "，进一步引导党员发挥先锋模范作用。"
    else:
        text = f"{words}党员量化积分平均{{average}}分，“党员先锋”“党员先锋科室”尚未评选。"
    return [ReportParagraph(text=text, figures=figures)]


# ---------------------------------------------------------------- the dashboard


@register_chart("points.distribution", "党员积分分布", AREA, order=10)
def distribution(period: Period, organization, user=None) -> Chart:
    window = Window.of(period)
    rules = ScoreRules.for_year(window.year)
    cuts = rules.bands
    aggregates = {}
    for i, (_code, low, high, _label) in enumerate(cuts):
        cond = Q()
        if low is not None:
            cond &= Q(score__gte=low)
        if high is not None:
            cond &= Q(score__lte=high)
        aggregates[f"b{i}"] = Count("points_sum", filter=cond)
    counts = scored_rows(user, window, rules, under=organization).aggregate(**aggregates)
    points = [
        ChartPoint(label=label, value=counts[f"b{i}"], url=ranking_url(organization, window, band=code))
        for i, (code, _lo, _hi, label) in enumerate(cuts)
    ]
    return Chart(
        title=f"党员积分分布（{window.label}）", kind="bar", series=[ChartSeries("党员人数", points)], unit="人"
    )
