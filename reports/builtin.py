"""The dashboard's and the report's entries for the areas built before this app (orgs, meetings)
and for core.tracking, registered from here so that those apps stay untouched:

- alerts: organizations behind on their organizational life (meetings.obligations), terms that
  have expired or are about to (orgs' 换届提醒);
- charts: overdue obligations by organization and month (heatmap), meetings by type and by month,
  party members by status;
- a report section: leading cadres' party lectures (the seed's "5月，主要负责人……讲授党课");
- next steps: obligations to make up and plans for the next period, open tracked items.

Every figure links to the records behind it; where no list existed (overdue obligations, expiring
terms, open tracked items of all kinds) this app provides one (reports.views) whose total equals
the figure.
"""

from __future__ import annotations

import datetime
from collections import Counter
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from core.periods import Period
from core.rules import RuleSet
from core.scope import READ_ROLES, Scope, policy_for
from core.stats import (
    Alert,
    Chart,
    ChartPoint,
    ChartSeries,
    ReportParagraph,
    StatValue,
    memoized,
    register_alert,
    register_chart,
    register_next_steps,
    register_report_section,
)
from meetings import obligation_store
from meetings.models import LifePlanItem, Meeting, MeetingKind
from meetings.obligations import DUE, OVERDUE
from meetings.stats import kind_counts, ledger_url, monthly_counts
from orgs.models import Organization, PartyStatus, Person

MEETINGS_AREA = "组织生活"
ORGS_AREA = "组织与人员"
KIND_LABELS = dict(MeetingKind.choices)
HEATMAP_MAX_ROWS = 40


def _user_key(user) -> int | None:
    return getattr(user, "pk", None)


def _today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------- obligations of a subtree


def scope_obligations(period: Period, organization: Organization, user=None):
    """The stored obligations (meetings.obligation_store) of the rule periods inside `period`, of
    the owing organizations of the subtree in the user's scope — a queryset, counted in SQL."""
    return obligation_store.records(period, organization, user)


def overdue_url(organization: Organization, period: Period, *, state: str = OVERDUE, month: str = "") -> str:
    query = {"org": organization.pk, "period": period.code, "state": state}
    if month:
        query["month"] = month
    return reverse("reports:overdue_obligations") + "?" + urlencode(query)


def filter_obligations(records, *, state: str = OVERDUE, month: str = "", today: datetime.date | None = None):
    """The rows the overdue list shows for these parameters (the same filter as the counts);
    `month` ("2022-06") keeps the rule periods ending in that month."""
    result = records.filter(obligation_store.state_q(state, today or _today()))
    if month:
        try:
            year, mon = (int(x) for x in month.split("-", 1))
        except ValueError:
            return result.none()
        result = result.filter(period_end__year=year, period_end__month=mon)
    return result


def _name(org: Organization) -> str:
    return org.short_name or org.name


def _lagging_text(records, verb: str) -> tuple[str, int]:
    """The alert's sentence and the number of obligations, from grouped counts (two queries at most)."""
    by_org = obligation_store.count_by_organization(records)
    total = sum(row[4] for row in by_org)
    if len(by_org) == 1:
        _pk, _path, name, short, n = by_org[0]
        kinds = "、".join(f"{KIND_LABELS.get(k, k)}{m}项" for k, m in obligation_store.count_by_kind(records)[:3])
        return f"{short or name}有{n}项组织生活{verb}（{kinds}）", total
    named = "、".join(f"{short or name}（{n}项）" for _pk, _path, name, short, n in by_org[:3])
    more = "等" if len(by_org) > 3 else ""
    return f"{named}{more}{len(by_org)}个党组织共有{total}项组织生活{verb}", total


@register_alert("reports.meetings.lagging")
def lagging_organizations(period, organization, user=None) -> list[Alert]:
    """推进不平衡: organizations that did not hold the meetings the rules require."""
    records = scope_obligations(period, organization, user)
    alerts = []
    for state, verb, level in ((OVERDUE, "未按期落实", "danger"), (DUE, "临近截止尚未召开", "warning")):
        text, total = _lagging_text(filter_obligations(records, state=state), verb)
        if total:
            alerts.append(
                Alert(
                    text=text,
                    url=overdue_url(organization, period, state=state),
                    level=level,
                    count=total,
                    topic="imbalance",
                )
            )
    return alerts


# ---------------------------------------------------------------- terms (换届提醒)


def term_reference_day(period: Period, today: datetime.date | None = None) -> datetime.date:
    """Terms are judged at the end of the period, or today while the period is still running."""
    today = today or _today()
    return min(today, period.end)


def expiring_terms(organization: Organization, user, as_of: datetime.date) -> list[tuple[Organization, dict]]:
    """Organizations of the subtree (in scope) whose term has expired or ends within the warning
    window on `as_of`, soonest first (orgs.selectors.term_status, one query for the organizations)."""
    from orgs.selectors import term_status

    def compute_():
        rules = RuleSet("org.")
        # Narrowed in SQL to the organizations whose term can have ended by the end of the warning
        # window (recorded end, or start + the shortest term length in the rules); term_status()
        # then decides each of those exactly.
        horizon = as_of + datetime.timedelta(days=int(rules.get("org.term_warning_days", as_of.year, default=90)))
        shortest = min((int(v) for v in rules.all_values("org.term_years.")), default=0)
        try:
            latest_start = horizon.replace(year=horizon.year - shortest)
        except ValueError:  # 29 February
            latest_start = horizon.replace(year=horizon.year - shortest, day=28)
        qs = Organization.objects.filter(path__startswith=organization.path).filter(
            Q(term_end__lte=horizon) | Q(term_end__isnull=True, term_start__lte=latest_start)
        )
        if user is not None:
            qs = qs & policy_for(Organization).visible(user)
        rows = []
        for org in qs.order_by("path"):
            status = term_status(org, as_of, rules)
            if status["state"] in ("due", "expired"):
                rows.append((org, status))
        rows.sort(key=lambda pair: (pair[1]["days"], pair[0].path))
        return rows

    return memoized(("terms", organization.pk, as_of, _user_key(user)), compute_)


def terms_url(organization: Organization, as_of: datetime.date, state: str) -> str:
    return (
        reverse("reports:terms") + "?" + urlencode({"org": organization.pk, "date": as_of.isoformat(), "state": state})
    )


@register_alert("reports.orgs.terms")
def terms_alerts(period, organization, user=None) -> list[Alert]:
    """换届提醒: terms that have expired (red) or end soon (yellow)."""
    as_of = term_reference_day(period)
    rows = expiring_terms(organization, user, as_of)
    alerts = []
    for state, level, verb in (
        ("expired", "danger", "任期已届满，未按期换届"),
        ("due", "warning", "任期即将届满，应做好换届准备"),
    ):
        orgs = [org for org, status in rows if status["state"] == state]
        if not orgs:
            continue
        names = "、".join(_name(o) for o in orgs[:3]) + (f"等{len(orgs)}个党组织" if len(orgs) > 3 else "")
        alerts.append(
            Alert(
                text=f"{names}{verb}",
                url=terms_url(organization, as_of, state),
                level=level,
                count=len(orgs),
                topic="supervision",
            )
        )
    return alerts


# ---------------------------------------------------------------- charts


def _row_of(path: str, base: str) -> str:
    """The direct child of `base` (a path) that contains `path`, or `base` itself."""
    if len(path) <= len(base):
        return base
    end = path.find(".", len(base))
    return path[: end + 1]


@register_chart("reports.meetings.overdue_heatmap", "组织生活逾期情况（党组织 × 月份）", MEETINGS_AREA, order=10)
def overdue_heatmap(period, organization, user=None) -> Chart:
    """Overdue obligations per organization (each direct sub-organization with its subtree) and
    month; each cell links to the list of exactly those obligations. Two grouped queries."""
    records = scope_obligations(period, organization, user)
    children = {c.path: c for c in Organization.objects.filter(parent=organization).order_by("sort_order", "path")}
    base = organization.path
    widths = {len(path) - len(base) for path in children}
    # One grouped query: rows by the direct child containing them (a fixed-width path segment cut
    # in SQL) and by the month their period ends; overdue counted alongside.
    # (Uneven segments, which orgs.services does not produce: group by organization.)
    row_key = Substr("org_path", 1, len(base) + widths.pop()) if len(widths) == 1 else F("org_path")
    grouped = (
        records.annotate(row=row_key)
        .values("row", "period_end")
        .annotate(n=Count("id", filter=obligation_store.state_q(OVERDUE, _today())))
        .order_by()
    )
    keys_seen: set[str] = set()
    counts: Counter = Counter()
    for r in grouped:
        key = _row_of(r["row"], base)
        keys_seen.add(key)
        if r["n"]:
            end = r["period_end"]
            counts[(key, f"{end.year}-{end.month:02d}")] += r["n"]
    totals = Counter()
    for (key, _month), n in counts.items():
        totals[key] += n
    keys = sorted(keys_seen, key=lambda k: (-totals[k], k))[:HEATMAP_MAX_ROWS]
    keys.sort()
    rows: dict[str, Organization] = {base: organization}
    rows.update(children)
    missing = [k for k in keys if k not in rows]
    if missing:
        rows.update({o.path: o for o in Organization.objects.filter(path__in=missing)})
    months = period.months()[-24:]
    names = Counter(_name(rows[key]) for key in keys)
    points = []
    for key in keys:
        org = rows[key]
        label = _name(org) if names[_name(org)] == 1 else f"{_name(org)}（{org.code}）"  # rows stay apart
        for m in months:
            points.append(
                ChartPoint(
                    label=f"{m.start.month}月" if len({x.start.year for x in months}) == 1 else m.code,
                    value=counts.get((key, m.code), 0),
                    url=overdue_url(org, period, month=m.code),
                    y=label,
                )
            )
    return Chart(title="组织生活逾期情况", kind="heatmap", series=[ChartSeries("逾期项数", points)], unit="项")


def _meetings(period, organization, user=None):
    qs = Meeting.objects.all() if user is None else policy_for(Meeting).visible(user)
    return qs.filter(org_path__startswith=organization.path, held_on__gte=period.start, held_on__lte=period.end)


@register_chart("reports.meetings.by_kind", "各类会议召开次数", MEETINGS_AREA, order=20)
def meetings_by_kind(period, organization, user=None) -> Chart:
    rows: Counter = Counter()
    for (kind, _subtype), n in kind_counts(period, organization, user).items():
        rows[kind] += n
    points = [
        ChartPoint(label=label, value=rows[kind], url=ledger_url(organization, period, kind=kind))
        for kind, label in MeetingKind.choices
        if rows.get(kind)
    ]
    return Chart(title="各类会议召开次数", kind="bar", series=[ChartSeries("次数", points)], unit="次")


@register_chart("reports.meetings.by_month", "各月召开会议次数", MEETINGS_AREA, order=30)
def meetings_by_month(period, organization, user=None) -> Chart:
    months = period.months()[-36:]
    counts: Counter = Counter()
    for r in monthly_counts(period, organization, user):
        counts[(r["y"], r["m"])] += r["n"]
    one_year = len({m.start.year for m in months}) == 1
    points = [
        ChartPoint(
            label=f"{m.start.month}月" if one_year else m.code,
            value=counts.get((m.start.year, m.start.month), 0),
            url=ledger_url(organization, m),
        )
        for m in months
    ]
    return Chart(title="各月召开会议次数", kind="line", series=[ChartSeries("会议次数", points)], unit="次")


@register_chart("reports.orgs.members_by_status", "人员政治面貌构成", ORGS_AREA, order=10)
def members_by_status(period, organization, user=None) -> Chart:
    from orgs.registry import status_counts

    counts = status_counts(period, organization, user)
    base = reverse("orgs:person_list") + "?"
    points = [
        ChartPoint(
            label=label,
            value=counts[status],
            url=base + urlencode({"org": organization.pk, "party_status": status, "until": period.end.isoformat()}),
        )
        for status, label in PartyStatus.choices
        if counts.get(status)
    ]
    return Chart(title="人员政治面貌构成", kind="pie", series=[ChartSeries("人数", points)], unit="人")


# ---------------------------------------------------------------- report: leading cadres' lectures


def _who(person: Person) -> str:
    role = (person.leadership_role or "").strip()
    if "第一责任人" in role:
        return "主要负责人"
    if role:
        return role.split("（")[0] + person.name
    return f"党组成员{person.name}"


@register_report_section(
    "reports.meetings.leader_lectures", "领导干部讲党课", order=60, area=MEETINGS_AREA, chapter="political"
)
def leader_lectures(period, organization, user=None) -> list[ReportParagraph]:
    """E.g. 5月，主要负责人以《党员干部要算好清正廉洁七笔帐》为题为党员干部讲授党课。"""
    lectures = list(
        _meetings(period, organization, user)
        .filter(kind=MeetingKind.LECTURE, lecturer__is_leadership_member=True)
        .select_related("lecturer")
        .order_by("held_on", "id")
    )
    if not lectures:
        return []
    groups: dict[tuple[int, int, int], list[Meeting]] = {}
    for m in lectures:
        groups.setdefault((m.held_on.year, m.held_on.month, m.lecturer_id), []).append(m)
    parts = []
    figures: dict[str, StatValue] = {}
    one_year = period.start.year == period.end.year
    for i, ((year, month, _lecturer), meetings) in enumerate(groups.items(), start=1):
        lecturer = meetings[0].lecturer
        topics = "".join(f"《{t}》" for t in dict.fromkeys(m.topic for m in meetings))
        times = f"{len(meetings)}次" if len(meetings) > 1 else ""
        phrase = f"{_who(lecturer)}以{topics}为题为党员干部讲授党课{times}"
        url = ledger_url(organization, Period.month(year, month), kind=MeetingKind.LECTURE) + f"&lecturer={lecturer.pk}"
        key = f"lecture_{i}"
        figures[key] = StatValue(len(meetings), url, "次", text=phrase)
        when = f"{month}月" if one_year else f"{year}年{month}月"
        parts.append(f"{when}，{{{key}}}")
    text = "；".join(parts) + "，进一步筑牢党员干部拒腐防变的思想防线。"
    return [ReportParagraph(text=text, figures=figures)]


# ---------------------------------------------------------------- next steps (三、下一步打算)


def next_period(period: Period) -> Period:
    """The period a report's plans are for: the next half year, year, quarter or month."""
    after = period.end + datetime.timedelta(days=1)
    if period.kind in ("year", "half", "quarter", "month"):
        return Period.containing(period.kind, after)
    return Period.containing("month", after)


def next_words(period: Period) -> str:
    nxt = next_period(period)
    same_year = nxt.start.year == period.start.year
    if nxt.kind == "half":
        return "下半年" if same_year and nxt.start.month == 7 else f"{nxt.start.year}年上半年"
    if nxt.kind == "year":
        return f"{nxt.start.year}年"
    return nxt.label if not same_year else nxt.label.split("年", 1)[1]


@register_next_steps("reports.meetings.obligations", "严格落实组织生活制度", order=10)
def meetings_next_steps(period, organization, user=None) -> list[ReportParagraph]:
    overdue = filter_obligations(scope_obligations(period, organization, user), state=OVERDUE).aggregate(
        n=Count("id"), orgs=Count("organization", distinct=True)
    )
    nxt = next_period(period)
    plans = LifePlanItem.objects.filter(
        plan__organization__path__startswith=organization.path, planned_on__gte=nxt.start, planned_on__lte=nxt.end
    )
    if user is not None:
        q = Scope.of(user).org_q("plan__organization__path", READ_ROLES)
        if q is not None:
            plans = plans.filter(q)
    planned = plans.count()
    sentences = []
    figures: dict[str, StatValue] = {}
    if overdue["n"]:
        orgs = overdue["orgs"]
        figures["overdue"] = StatValue(overdue["n"], overdue_url(organization, period), "项")
        sentences.append(f"督促{orgs}个党组织对未按期落实的{{overdue}}项组织生活逐项补课、限期整改")
    if planned:
        url = reverse("meetings:plan_list") + "?" + urlencode({"year": nxt.start.year})
        figures["planned"] = StatValue(planned, url, "次", exact=False)
        sentences.append(
            f"按照年度组织生活计划，{next_words(period)}计划召开组织生活{{planned}}次，按时足额开展“三会一课”"
        )
    if not sentences:
        return []
    return [ReportParagraph(text="；".join(sentences) + "，推动支部标准化规范化建设。", figures=figures)]


def tracked_url(organization: Organization, state: str, kind: str = "") -> str:
    query = {"org": organization.pk, "state": state}
    if kind:
        query["kind"] = kind
    return reverse("reports:tracked_items") + "?" + urlencode(query)


def tracked_items(organization: Organization, user=None):
    """Tracked items (core.tracking) of the subtree in the user's scope."""
    from core.models import TrackedItem

    qs = TrackedItem.objects.filter(organization__path__startswith=organization.path)
    if user is not None:
        q = Scope.of(user).org_q("organization__path", READ_ROLES)
        if q is not None:
            qs = qs.filter(q)
    return qs


def open_q() -> Q:
    from core.tracking import registered_workflows

    q = Q(pk__in=[])
    for kind, wf in registered_workflows().items():
        q |= Q(kind=kind) & ~Q(status__in=wf.closed)
    return q


@register_next_steps("reports.core.tracking", "抓好问题整改销号", order=20)
def tracking_next_steps(period, organization, user=None) -> list[ReportParagraph]:
    from core.tracking import registered_workflows

    today = _today()
    rows = list(
        tracked_items(organization, user)
        .filter(open_q())
        .values("kind")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_on__lt=today)))
        .order_by("kind")
    )
    total = sum(r["n"] for r in rows)
    if not total:
        return []
    workflows = registered_workflows()
    figures = {"open": StatValue(total, tracked_url(organization, "open"), "项")}
    kinds = []
    for i, r in enumerate(sorted(rows, key=lambda r: -r["n"])[:4], start=1):
        key = f"kind_{i}"
        figures[key] = StatValue(r["n"], tracked_url(organization, "open", r["kind"]), "项")
        kinds.append(f"{workflows[r['kind']].label}{{{key}}}项")
    late = sum(r["late"] for r in rows)
    text = "对尚未办结的{open}项事项（" + "、".join(kinds) + "）逐项明确责任人和完成时限"
    if late:
        figures["late"] = StatValue(late, tracked_url(organization, "overdue"), "项")
        text += "，对已超过期限的{late}项实行督办"
    text += "，确保按期销号、真改实改。"
    return [ReportParagraph(text=text, figures=figures)]
