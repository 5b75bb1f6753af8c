"""Organizational life in the statistics registry and the work report.

Every count links to the meeting ledger (会议台账) filtered with the same parameters, so the
ledger's "共 N 条" equals the figure: ?org=<pk>&kind=<kind>&subtype=<code>&period=<code>.
Two figures have no list of their own and link to the closest one: the number of distinct
lecturers (→ the 党课 ledger) and the attendance rate (→ the ledger of the period). Obligation
figures link to the compliance heatmap (落实情况).
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.urls import reverse
from django.utils import timezone

from core.periods import Period
from core.scope import policy_for
from core.stats import ReportParagraph, StatValue, memoized, register_report_section, register_statistic
from meetings import obligation_store
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind, TopicSubtype
from meetings.obligations import OVERDUE, Compliance
from orgs.models import Organization

AREA = "组织生活"
# The built-in 专题 subtypes (code, name, report name), from the migration that seeds them.
BUILTIN_SUBTYPES = importlib.import_module("meetings.migrations.0002_seed_subtypes").BUILTIN


def _meetings(period: Period, organization: Organization, user=None):
    qs = Meeting.objects.all() if user is None else policy_for(Meeting).visible(user)
    return qs.filter(org_path__startswith=organization.path, held_on__gte=period.start, held_on__lte=period.end)


def ledger_url(organization: Organization, period: Period, **params) -> str:
    query = {"org": organization.pk, **{k: v for k, v in params.items() if v}, "period": period.code}
    return reverse("meetings:meeting_list") + "?" + urlencode(query)


def compliance_url(organization: Organization, period: Period) -> str:
    return reverse("meetings:compliance") + "?" + urlencode({"org": organization.pk, "period": period.code})


# ---------------------------------------------------------------- counts by kind and subtype


def monthly_counts(period: Period, organization: Organization, user=None) -> list[dict]:
    """[{kind, subtype (专题 code or None), y, m, n, expected, present}] of the subtree and period:
    one grouped scan of the meetings, shared (core.stats memo_scope) by the per-kind and
    per-subtype figures, the attendance rate and the dashboard's by-kind and by-month charts."""

    def compute_():
        rows = (
            _meetings(period, organization, user)
            .annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"))
            .values("kind", "subtype__code", "y", "m")
            .annotate(n=Count("id"), expected=Sum("expected_count"), present=Sum("present_count"))
            .order_by()
        )
        return [
            {
                "kind": r["kind"],
                "subtype": r["subtype__code"],
                "y": r["y"],
                "m": r["m"],
                "n": r["n"],
                "expected": r["expected"] or 0,
                "present": r["present"] or 0,
            }
            for r in rows
        ]

    return memoized(("meetings.monthly_counts", organization.pk, period.code, getattr(user, "pk", None)), compute_)


def kind_counts(period: Period, organization: Organization, user=None) -> dict[tuple[str, str | None], int]:
    """{(kind, 专题 subtype code or None): meetings} of the subtree and period."""
    result: dict[tuple[str, str | None], int] = defaultdict(int)
    for r in monthly_counts(period, organization, user):
        result[(r["kind"], r["subtype"])] += r["n"]
    return dict(result)


def _kind_stat(kind: str):
    def compute_(period, organization, user=None):
        n = sum(v for (k, _sub), v in kind_counts(period, organization, user).items() if k == kind)
        return StatValue(n, ledger_url(organization, period, kind=kind), "次")

    return compute_


for _order, (_kind, _label) in enumerate(MeetingKind.choices):
    register_statistic(f"meetings.kind.{_kind}", f"{_label}次数", AREA, order=10 + _order, unit="次")(_kind_stat(_kind))


def topic_count(period, organization, user, code: str) -> StatValue:
    n = kind_counts(period, organization, user).get((MeetingKind.TOPIC, code), 0)
    return StatValue(n, ledger_url(organization, period, kind=MeetingKind.TOPIC, subtype=code), "次")


def _topic_stat(code: str):
    def compute_(period, organization, user=None):
        return topic_count(period, organization, user, code)

    return compute_


for _order, (_code, _name, _report_name) in enumerate(BUILTIN_SUBTYPES):
    register_statistic(f"meetings.topic.{_code}", _report_name, AREA, order=40 + _order, unit="次")(_topic_stat(_code))


# ---------------------------------------------------------------- attendance and lectures


@register_statistic("meetings.attendance_rate", "组织生活出勤率", AREA, order=60, unit="%")
def attendance_rate(period, organization, user=None):
    rows = monthly_counts(period, organization, user)
    expected, present = sum(r["expected"] for r in rows), sum(r["present"] for r in rows)
    rate = round(100.0 * present / expected, 1) if expected else 0.0
    return StatValue(rate, ledger_url(organization, period), "%")


def attendance_by_organization(period, organization, user=None) -> list[dict]:
    """Attendance per direct child organization (its subtree), for tables: one query."""
    children = list(Organization.objects.filter(parent=organization).order_by("sort_order", "path"))
    rows = (
        _meetings(period, organization, user)
        .values("org_path")
        .annotate(expected=Sum("expected_count"), present=Sum("present_count"), n=Count("id"))
        .order_by()
    )
    result = []
    for child in children:
        mine = [r for r in rows if r["org_path"].startswith(child.path)]
        expected = sum(r["expected"] or 0 for r in mine)
        present = sum(r["present"] or 0 for r in mine)
        result.append(
            {
                "organization": child,
                "meetings": sum(r["n"] for r in mine),
                "expected": expected,
                "present": present,
                "rate": round(100.0 * present / expected, 1) if expected else None,
                "url": ledger_url(child, period),
            }
        )
    return result


def attendance_by_member(period, organization, user=None) -> list[dict]:
    """Per person of the subtree: meetings expected at, present, leave, absent, rate. One query."""
    meetings = _meetings(period, organization, user)
    rows = (
        Attendance.objects.filter(meeting__in=meetings.values("pk"))
        .values("person_id", "person__name", "person__org_path")
        .annotate(
            expected=Count("id"),
            present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
            leave=Count("id", filter=Q(status=AttendanceStatus.LEAVE)),
            absent=Count("id", filter=Q(status=AttendanceStatus.ABSENT)),
        )
        .order_by("person__org_path", "person__name")
    )
    return [{**r, "rate": round(100.0 * r["present"] / r["expected"], 1) if r["expected"] else None} for r in rows]


@register_statistic("meetings.lectures.lecturers", "党课授课人数", AREA, order=70, unit="人")
def lecturers_count(period, organization, user=None):
    n = (
        _meetings(period, organization, user)
        .filter(kind=MeetingKind.LECTURE, lecturer__isnull=False)
        .values("lecturer_id")
        .distinct()
        .count()
    )
    # The lectures' ledger: its total counts lectures, not lecturers.
    return StatValue(n, ledger_url(organization, period, kind=MeetingKind.LECTURE), "人", exact=False)


# ---------------------------------------------------------------- obligations met vs owed


def _obligation_summary(period, organization, user=None) -> dict[str, int]:
    """Owed, met, overdue… of the subtree's stored obligations (meetings.obligation_store): one
    query, shared by the figures and the report paragraph of one page or report."""

    def compute_():
        return obligation_store.summary(obligation_store.records(period, organization, user), timezone.localdate())

    key = ("meetings.obligations.summary", organization.pk, period.code, getattr(user, "pk", None))
    return memoized(key, compute_)


@register_statistic("meetings.obligations.owed", "应落实组织生活（已到期）", AREA, order=80, unit="项")
def obligations_owed(period, organization, user=None):
    c = _obligation_summary(period, organization, user)
    return StatValue(c["owed"], compliance_url(organization, period), "项", exact=False)


@register_statistic("meetings.obligations.met", "已落实组织生活", AREA, order=81, unit="项")
def obligations_met(period, organization, user=None):
    c = _obligation_summary(period, organization, user)
    return StatValue(c["met"], compliance_url(organization, period), "项", exact=False)


# ---------------------------------------------------------------- the work report


def period_words(period: Period) -> str:
    """How the report names the period: 上半年 / 下半年 / 全年 / 本季度 / 5月 / 3月1日至5月20日."""
    s, e = period.start, period.end
    if period.kind == "half":
        return "上半年" if s.month == 1 else "下半年"
    if period.kind == "year":
        return "全年"
    if period.kind == "quarter":
        return "本季度"
    if period.kind == "month":
        return f"{s.month}月"
    return f"{s.month}月{s.day}日至{e.month}月{e.day}日"


def topic_paragraph(period, organization, user=None) -> ReportParagraph:
    """E.g. 上半年共召开党建工作专题会2次、党风廉政专题会议3次，意识形态、网络意识形态专题会议各1次。"""
    words = period_words(period)
    subtypes = list(TopicSubtype.objects.all())
    by_code = {s.code: s for s in subtypes}
    held = kind_counts(period, organization, user)
    counts = {sub.pk: held.get((MeetingKind.TOPIC, sub.code), 0) for sub in subtypes}
    figures: dict[str, StatValue] = {}

    def key(sub: TopicSubtype) -> str:
        return sub.code if sub.code.isidentifier() else f"topic_{sub.pk}"

    def figure(sub: TopicSubtype) -> int:
        n = counts.get(sub.pk, 0)
        figures[key(sub)] = StatValue(
            n, ledger_url(organization, period, kind=MeetingKind.TOPIC, subtype=sub.code), "次"
        )
        return n

    def report_name(sub: TopicSubtype) -> str:
        return sub.report_name or f"{sub.name}专题会议"

    head: list[str] = []
    for code in ("party_building", "integrity"):
        sub = by_code.get(code)
        if sub is not None and figure(sub):
            head.append(f"{report_name(sub)}{{{code}}}次")
    for sub in subtypes:  # custom subtypes, after the built-in ones
        if not sub.is_builtin and figure(sub):
            head.append(f"{report_name(sub)}{{{key(sub)}}}次")
    ideology, online = by_code.get("ideology"), by_code.get("online_ideology")
    n_ide = figure(ideology) if ideology else 0
    n_onl = figure(online) if online else 0
    tail: list[str] = []
    if n_ide and n_ide == n_onl:
        tail.append(f"{ideology.name}、{online.name}专题会议各{{ideology}}次")
    else:
        if n_ide:
            tail.append(f"{report_name(ideology)}{{ideology}}次")
        if n_onl:
            tail.append(f"{report_name(online)}{{online_ideology}}次")
    if head or tail:
        text = f"{words}共召开" + "、".join(head) + ("，" if head and tail else "") + "、".join(tail) + "。"
    else:
        text = f"{words}未召开党建工作、党风廉政建设、意识形态等专题会议。"
    rect = by_code.get("rectification")
    if rect is not None and figure(rect):
        scopes = list(
            dict.fromkeys(
                _meetings(period, organization, user)
                .filter(kind=MeetingKind.TOPIC, subtype=rect)
                .exclude(participant_scope="")
                .order_by("held_on", "id")
                .values_list("participant_scope", flat=True)
            )
        )
        text += "针对督导检查反馈问题召开整改专题会议{rectification}次"
        text += f"，参会范围分别为{'；'.join(scopes)}。" if scopes else "。"
    figures = {k: v for k, v in figures.items() if f"{{{k}}}" in text}
    return ReportParagraph(text=text, figures=figures)


def compliance_paragraph(period, organization, user=None) -> ReportParagraph:
    """三会一课 compliance (obligations met vs owed by organization) and lectures."""
    words = period_words(period)
    today = timezone.localdate()
    counted = _obligation_summary(period, organization, user)
    c = Compliance(owed=counted["owed"], met=counted["met"])
    figures = {
        "owed": StatValue(c.owed, compliance_url(organization, period), "项", exact=False),
        "met": StatValue(c.met, compliance_url(organization, period), "项", exact=False),
        "lectures": _kind_stat(MeetingKind.LECTURE)(period, organization, user),
        "lecturers": lecturers_count(period, organization, user),
    }
    if c.owed:
        orgs = counted["organizations"]
        figures["rate"] = StatValue(c.rate, compliance_url(organization, period), "%")
        text = (
            f"{words}，{orgs}个党组织按规定应落实支部党员大会、支委会、党小组会、党课、主题党日等组织生活"
            "{owed}项，已落实{met}项，落实率{rate}%"
        )
        records = obligation_store.records(period, organization, user)
        missing = obligation_store.count_by_organization(records.filter(obligation_store.state_q(OVERDUE, today)))
        if missing:
            worst = missing[:3]  # most overdue first, then tree order
            listed = "、".join(f"{name}（{n}项）" for _pk, _path, name, _short, n in worst)
            more = f"等{len(missing)}个党组织" if len(missing) > len(worst) else ""
            text += f"；{listed}{more}未按期落实"
        text += "。"
    else:
        text = f"{words}暂无到期的组织生活要求。"
    text += "共讲授党课{lectures}次，授课人{lecturers}人。"
    return ReportParagraph(text=text, figures=figures)


@register_report_section("meetings.topic_meetings", "专题会议与组织生活", order=20, area=AREA, chapter="organization")
def topic_meetings_section(period, organization, user=None) -> list[ReportParagraph]:
    return [topic_paragraph(period, organization, user), compliance_paragraph(period, organization, user)]
