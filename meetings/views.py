"""Organizational life pages: the meeting form, record and ledger (会议台账), the committee heatmap
(落实情况), a branch's obligations and a member's own record (我的组织生活).

Thin views: parse input, call a selector, service or the obligations module, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from core.audit import entries_for
from core.models import Rule
from core.periods import Period, PeriodError
from core.rules import rule
from core.scope import READ_ROLES, Scope, policy_for
from core.viewutils import ServiceCall, paginate, require_roles
from meetings import selectors, services
from meetings.forms import AttendanceTable, MeetingForm, kind_choices
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind, TopicSubtype
from orgs import selectors as org_selectors
from orgs.models import Organization, OrgType, Person

MEETINGS_GROUP = ("组织生活", None)
QUORUM_KINDS = {
    MeetingKind.BRANCH_GENERAL: "有表决权的正式党员",
    MeetingKind.BRANCH_COMMITTEE: "支部委员",
}
# Short names for the heatmap's cells ("支委会 ✓"); the full name is in the cell's title.
SHORT_KIND = {
    MeetingKind.BRANCH_GENERAL: "党员大会",
    MeetingKind.BRANCH_COMMITTEE: "支委会",
    MeetingKind.CELL: "党小组会",
    MeetingKind.LECTURE: "党课",
    MeetingKind.THEME_DAY: "主题党日",
    MeetingKind.ORG_LIFE: "组织生活会",
    MeetingKind.APPRAISAL: "民主评议",
    MeetingKind.HEART_TALK: "谈心谈话",
    MeetingKind.ORGAN_ASSEMBLY: "党员干部大会",
}
STATE_LABELS = {
    "done": ("已完成", "✓"),
    "due": ("临期", "!"),
    "overdue": ("已逾期", "✗"),
    "upcoming": ("未到期", "○"),
}
KIND_ORDER = {value: i for i, value in enumerate(MeetingKind.values)}
HEATMAP_PAGE_SIZE = 40
HEATMAP_MAX_MONTHS = 24
OBLIGATION_ORG_TYPES = (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH, OrgType.JOINT_BRANCH)


def _ledger_crumb():
    return ("会议台账", reverse("meetings:meeting_list"))


def _ledger_url(**params) -> str:
    return reverse("meetings:meeting_list") + "?" + urlencode({k: v for k, v in params.items() if v})


# ------------------------------------------------------------------ ledger (会议台账)


@login_required
def meeting_list(request):
    require_roles(request.user, *READ_ROLES)
    qs, filters = selectors.meetings_from_params(request.user, request.GET)
    page = paginate(request, qs)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page_title": "会议台账",
            "breadcrumbs": [MEETINGS_GROUP, ("会议台账", None)],
            "page_obj": page,
            "meetings": page.object_list,
            "filters": filters,
            "params": request.GET,
            "orgs": org_selectors.filter_organizations(request.user, filters.org),
            "kind_choices": kind_choices()[1:],
            "subtypes": TopicSubtype.objects.all(),
            "can_add": org_selectors.organizations_visible(request.user, "change").exists(),
        },
    )


# ------------------------------------------------------------------ the form (登记/编辑)


def _kind_rules(year: int) -> dict[str, str]:
    """The rule text for each meeting type ("支部党员大会一般每季度召开1次…"), as in force in `year`."""
    result: dict[str, str] = {}
    rows = (
        Rule.objects.filter(code__startswith="meeting.freq.", year_from__lte=year)
        .order_by("code", "-year_from")
        .values_list("code", "description")
    )
    for code, description in rows:
        result.setdefault(code.removeprefix("meeting.freq."), description)
    result.setdefault(
        MeetingKind.TOPIC, "专题会议须选择专题类别（党建工作、党风廉政建设、意识形态、网络意识形态、问题整改等）"
    )
    result.setdefault(MeetingKind.HEART_TALK, "谈心谈话须登记谈话双方（至少2人），可在出勤名单中添加人员")
    return result


def _people_of(org: Organization | None, keep: tuple = ()):
    """People of the organization's subtree (host), plus any already on the record."""
    if org is None:
        return Person.objects.filter(pk__in=[pk for pk in keep if pk]).order_by("name")
    return Person.objects.filter(Q(org_path__startswith=org.path) | Q(pk__in=[pk for pk in keep if pk])).order_by(
        "name"
    )


def _members_of(org: Organization | None, keep: tuple = ()):
    """Party members of the organization's subtree (any of them may give a 党课)."""
    return _people_of(org, keep).filter(
        Q(party_status__in=selectors.MEMBER_STATUSES) | Q(pk__in=[k for k in keep if k])
    )


def _attendance_allowed(org: Organization | None, meeting: Meeting | None):
    """Who may be on the attendance list: the organization's subtree and those already recorded."""
    existing = list(meeting.attendance.values_list("person_id", flat=True)) if meeting is not None else []
    q = Q(pk__in=existing)
    if org is not None:
        q |= Q(org_path__startswith=org.path, deleted_at__isnull=True)
    return Person.all_objects.filter(q)


def _parse_date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _quorum_preview(org, kind, held_on, table: AttendanceTable) -> dict | None:
    """Where the rules require a quorum: who counts, the share, and the service's verdict so far."""
    if org is None or kind not in QUORUM_KINDS:
        return None
    held_on = held_on or timezone.localdate()
    if kind == MeetingKind.BRANCH_COMMITTEE:
        base = selectors.committee_members(org, held_on)
    else:
        base = selectors.voting_members(org)
    ids = set(base.values_list("pk", flat=True))
    table.mark_quorum(ids)
    met, text = services.quorum(Meeting(organization=org, kind=kind, held_on=held_on), table.rows())
    share = float(rule(f"meeting.quorum.{kind}", held_on.year, default=0.5))
    return {"base": len(ids), "share": share, "met": met, "text": text, "noun": QUORUM_KINDS[kind]}


def _form_context(request, *, form, table, org, kind, meeting=None, conflict=None, notice=""):
    held_on = _parse_date(form["held_on"].value()) or timezone.localdate()
    quorum = _quorum_preview(org, kind, held_on, table)
    rules = _kind_rules(held_on.year)
    on_list = table.person_ids()
    others = []
    if org is not None:
        others = list(
            Person.objects.filter(org_path__startswith=org.path)
            .exclude(pk__in=on_list)
            .order_by("org_path", "name")[:500]
        )
    if meeting is not None:
        title = f"编辑：{meeting.held_on:%Y-%m-%d} {meeting.kind_label}"
        crumbs = [
            MEETINGS_GROUP,
            _ledger_crumb(),
            (meeting.topic, reverse("meetings:meeting_detail", args=[meeting.pk])),
            ("编辑", None),
        ]
    else:
        title = "登记会议"
        crumbs = [MEETINGS_GROUP, _ledger_crumb(), ("登记会议", None)]
    return {
        "page_title": title,
        "breadcrumbs": crumbs,
        "form": form,
        "attendance": table,
        "attendance_counts": table.counts(),
        "status_choices": AttendanceStatus.choices,
        "others": others,
        "org": org,
        "kind": kind,
        "quorum": quorum,
        "kind_rules": rules,
        "rule_text": rules.get(kind, ""),
        "object": meeting,
        "conflict": conflict,
        "notice": notice,
        "topic_kind": MeetingKind.TOPIC,
    }


def _build_form(request, *, writable, org, data=None, initial=None, meeting=None):
    from supervision.selectors import inspection_for_meeting, inspections_for_meetings

    keep = (meeting.host_id, meeting.lecturer_id) if meeting is not None else ()
    form = MeetingForm(
        data,
        instance=meeting,
        initial=initial,
        organization_queryset=writable,
        organization_options=org_selectors.organization_options(writable, org, limit=300),
        people_queryset=_people_of(org, keep),
        lecturer_queryset=_members_of(org, keep),
        people_org=org,
        inspection_queryset=inspections_for_meetings(request.user, meeting),
    )
    if meeting is not None and data is None:
        form.initial.setdefault("responds_to_inspection", inspection_for_meeting(meeting))
    return form


def _link_inspection(request, form, meeting: Meeting) -> None:
    """The meeting answers an inspection's feedback (a 整改专题会议): supervision keeps the link."""
    from supervision.selectors import inspection_for_meeting
    from supervision.services import meeting_set_responds_to

    chosen = form.cleaned_data.get("responds_to_inspection")
    if chosen != inspection_for_meeting(meeting):
        meeting_set_responds_to(actor=request.user, meeting=meeting, inspection=chosen)


def _posted_org(request, writable) -> Organization | None:
    value = request.POST.get("organization", "")
    if not str(value).isdigit():
        return None
    return writable.filter(pk=value).first()


def _posted_kind(request) -> str:
    kind = request.POST.get("kind", "")
    return kind if kind in MeetingKind.values else ""


def _meeting_form_post(request, *, writable, meeting=None):
    """One POST of the form. Returns (response or None, context). The buttons other than 保存 —
    重新生成名单, 添加, 移除 — re-render the form with everything typed kept, without saving."""
    org = _posted_org(request, writable)
    kind = _posted_kind(request)
    table = AttendanceTable.from_post(request.POST, _attendance_allowed(org, meeting))
    refresh = "_refresh" in request.POST
    add = "_add" in request.POST
    remove = request.POST.get("_remove", "")
    if refresh or add or remove:
        initial = {name: request.POST.get(name, "") for name in MeetingForm.base_fields}
        form = _build_form(request, writable=writable, org=org, initial=initial, meeting=meeting)
        notice = ""
        if refresh:
            table.errors = []  # the list is rebuilt for the chosen organization and type
            if org is not None and kind:
                held_on = _parse_date(request.POST.get("held_on"))
                table = table.merged_with(
                    selectors.expected_attendees(org, kind, held_on).select_related("organization")
                )
                notice = f"已按“{org.name}”的{MeetingKind(kind).label}生成出勤名单（{len(table.lines)}人），已勾选的出勤情况保留。"
            else:
                notice = "请先选择党组织和会议类型，再生成出勤名单。"
        if add and org is not None:
            pk = request.POST.get("add_person", "")
            person = (
                Person.objects.filter(pk=pk, org_path__startswith=org.path).select_related("organization").first()
                if pk.isdigit()
                else None
            )
            if person is None:
                notice = "请先在下拉列表中选择要添加的人员。"
            else:
                table.add(person)
                notice = f"已添加“{person.name}”，请勾选出勤情况。"
        if remove.isdigit():
            table.remove(int(remove))
        return None, _form_context(request, form=form, table=table, org=org, kind=kind, meeting=meeting, notice=notice)

    form = _build_form(request, writable=writable, org=org, data=request.POST, meeting=meeting)
    conflict = None
    if form.is_valid() and table.is_valid:
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "responds_to_inspection")}
        if meeting is None:
            call = ServiceCall(form, services.meeting_create, actor=request.user, data=data, attendance=table.rows())
        else:
            call = ServiceCall(
                form,
                services.meeting_update,
                actor=request.user,
                meeting=Meeting.objects.get(pk=meeting.pk),
                data=data,
                attendance=table.rows(),
                expected_version=form.cleaned_data.get("version"),
            )
        conflict = call.conflict
        if call.ok:
            saved = call.result
            _link_inspection(request, form, saved)
            verb = "登记" if meeting is None else "保存"
            messages.success(
                request,
                f"已{verb}{saved.kind_label}“{saved.topic}”：应到{saved.expected_count}人，实到{saved.present_count}人，"
                f"请假{saved.leave_count}人，缺席{saved.absent_count}人。可在下方上传签到表和照片。",
            )
            if saved.quorum_met is False:
                messages.warning(request, "注意：本次会议未达到法定人数，请核对出勤情况。")
            return redirect("meetings:meeting_detail", pk=saved.pk), {}
        table.mark_errors(list(form.non_field_errors()))
    return None, _form_context(request, form=form, table=table, org=org, kind=kind, meeting=meeting, conflict=conflict)


@login_required
def meeting_create(request):
    writable = org_selectors.organizations_visible(request.user, "change")
    if not writable.exists():
        raise PermissionDenied("您无权登记会议")
    if request.method == "POST":
        response, context = _meeting_form_post(request, writable=writable)
        return response or render(request, "meetings/meeting_form.html", context)

    org = None
    notice = ""
    if request.GET.get("org"):
        org = policy_for(Organization).get_for(request.user, "change", pk=request.GET["org"])
    kind = request.GET.get("kind", "")
    kind = kind if kind in MeetingKind.values else ""
    if org is None:
        home = Scope.of(request.user).home_organization
        if home is not None and writable.filter(pk=home.pk).exists():
            org = home
    if org is not None and kind == MeetingKind.CELL and org.org_type != OrgType.CELL:
        # 党小组会 are recorded on a 党小组: offer the branch's first one.
        cell = writable.filter(parent=org, org_type=OrgType.CELL).order_by("path").first()
        if cell is not None:
            notice = f"党小组会登记在党小组下，已选择“{cell.name}”；如是其他党小组召开的，请修改党组织。"
            org = cell
    initial = {"organization": org, "kind": kind, "held_on": timezone.localdate()}
    subtype = request.GET.get("subtype", "")
    if kind == MeetingKind.TOPIC and subtype:
        initial["subtype"] = TopicSubtype.objects.filter(code=subtype).first()
    form = _build_form(request, writable=writable, org=org, initial=initial)
    if org is not None and kind:
        table = AttendanceTable.from_people(selectors.expected_attendees(org, kind).select_related("organization"))
    else:
        table = AttendanceTable([])
    context = _form_context(request, form=form, table=table, org=org, kind=kind, notice=notice)
    return render(request, "meetings/meeting_form.html", context)


@login_required
def meeting_edit(request, pk):
    meeting = policy_for(Meeting).get_for(
        request.user, "change", queryset=Meeting.objects.select_related("organization"), pk=pk
    )
    writable = org_selectors.organizations_visible(request.user, "change")
    if request.method == "POST":
        response, context = _meeting_form_post(request, writable=writable, meeting=meeting)
        return response or render(request, "meetings/meeting_form.html", context)
    form = _build_form(request, writable=writable, org=meeting.organization, meeting=meeting)
    form.initial["version"] = meeting.version
    table = AttendanceTable.from_meeting(meeting)
    context = _form_context(
        request, form=form, table=table, org=meeting.organization, kind=meeting.kind, meeting=meeting
    )
    return render(request, "meetings/meeting_form.html", context)


@login_required
@require_POST
def meeting_delete(request, pk):
    meeting = policy_for(Meeting).get_for(request.user, "delete", pk=pk)
    services.meeting_delete(actor=request.user, meeting=meeting)
    messages.success(request, f"已删除会议“{meeting.topic}”，可在回收站中恢复。")
    return redirect("meetings:meeting_list")


# ------------------------------------------------------------------ the record


@login_required
def meeting_detail(request, pk):
    policy = policy_for(Meeting)
    meeting = policy.get_or_404(
        request.user,
        queryset=Meeting.objects.select_related("organization", "subtype", "host", "lecturer", "created_by"),
        pk=pk,
    )
    attendance = list(meeting.attendance.select_related("person", "person__organization").order_by("id"))
    quorum_text = ""
    if meeting.kind in QUORUM_KINDS:
        rows = [services.AttendanceRow(a.person, a.status, a.reason) for a in attendance]
        quorum_text = services.quorum(meeting, rows)[1]
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "page_title": f"{meeting.kind_label}：{meeting.topic}",
            "breadcrumbs": [MEETINGS_GROUP, _ledger_crumb(), (meeting.topic, None)],
            "meeting": meeting,
            "attendance": attendance,
            "quorum_text": quorum_text,
            "can_change": policy.can(request.user, "change", meeting),
            "can_delete": policy.can(request.user, "delete", meeting),
            "audit_entries": entries_for(meeting)[:30],
        },
    )


# ------------------------------------------------------------------ 落实情况 (heatmap) and a branch's view


def _obligation_cell(ob) -> dict:
    label, symbol = STATE_LABELS.get(ob.state, (ob.state, ""))
    return {
        "ob": ob,
        "short": SHORT_KIND.get(ob.kind, MeetingKind(ob.kind).label),
        "symbol": symbol,
        "state_label": label,
    }


def _heatmap_period(request, today) -> tuple[Period, str]:
    text = (request.GET.get("period") or "").strip()
    default = Period.containing("year", today)
    if not text:
        return default, ""
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        return default, f"{exc}；已显示{default.label}。"
    if len(period.months()) > HEATMAP_MAX_MONTHS:
        return default, f"期间过长（最多{HEATMAP_MAX_MONTHS}个月）；已显示{default.label}。"
    return period, ""


@login_required
def compliance(request):
    """落实情况: rows = the organizations that owe meetings, columns = the months of the period,
    one mark per required type and month (done / due / overdue / upcoming)."""
    from meetings.obligations import obligations_grid

    scope = require_roles(request.user, *READ_ROLES)
    today = timezone.localdate()
    period, period_error = _heatmap_period(request, today)
    visible = org_selectors.organizations_visible(request.user)
    under = None
    if request.GET.get("org"):
        under = policy_for(Organization).get_or_404(request.user, pk=request.GET["org"])
    elif scope.home_organization is not None and visible.filter(pk=scope.home_organization.pk).exists():
        under = scope.home_organization
    orgs_qs = visible.filter(org_type__in=OBLIGATION_ORG_TYPES).order_by("path")
    if under is not None:
        orgs_qs = orgs_qs.filter(path__startswith=under.path)
    page = paginate(request, orgs_qs, HEATMAP_PAGE_SIZE)
    orgs = list(page.object_list)
    months = period.months()
    grid = obligations_grid(orgs, period, today) if orgs else {}

    by_org: dict[int, dict[str, list]] = {}
    for (org_id, _kind, month_code), ob in grid.items():
        by_org.setdefault(org_id, {}).setdefault(month_code, []).append(ob)
    rows = []
    behind = []
    chart_data = []
    for y, org in enumerate(orgs):
        cells = []
        overdue = []
        for x, month in enumerate(months):
            obs = sorted(by_org.get(org.pk, {}).get(month.code, []), key=lambda o: KIND_ORDER.get(o.kind, 99))
            marks = [_obligation_cell(ob) for ob in obs]
            late = [ob for ob in obs if ob.state == "overdue"]
            overdue.extend(late)
            cells.append({"month": month, "marks": marks})
            chart_data.append([x, y, len(late)])
        rows.append({"org": org, "cells": cells, "overdue": len(overdue)})
        if overdue:
            behind.append({"org": org, "overdue": _group_overdue(overdue)[:6], "count": len(overdue)})
    behind.sort(key=lambda b: (-b["count"], b["org"].path))
    multi_year = len({m.start.year for m in months}) > 1
    chart = {
        "months": [m.code if multi_year else f"{m.start.month}月" for m in months],
        "month_codes": [m.code for m in months],
        "orgs": [o.short_name or o.name for o in orgs],
        "org_ids": [o.pk for o in orgs],
        "data": chart_data,
        "ledger": reverse("meetings:meeting_list"),
        "max": max((d[2] for d in chart_data), default=0),
    }
    return render(
        request,
        "meetings/compliance.html",
        {
            "page_title": f"组织生活落实情况（{period.label}）",
            "breadcrumbs": [MEETINGS_GROUP, ("落实情况", None)],
            "period": period,
            "period_text": request.GET.get("period", ""),
            "period_error": period_error,
            "months": months,
            "rows": rows,
            "behind": behind[:20],
            "page_obj": page,
            "under": under,
            "filter_orgs": org_selectors.filter_organizations(request.user, under),
            "chart": chart,
            "chart_height": max(260, 28 * len(orgs) + 90),
            "multi_year": multi_year,
            "prev_year": period.start.year - 1,
            "next_year": period.start.year + 1,
            "state_labels": STATE_LABELS,
            "today": today,
        },
    )


def _group_overdue(obs) -> list[str]:
    """ "支委会（5月、6月）" per type, most months first."""
    months_by_kind: dict[str, list[str]] = {}
    for ob in sorted(obs, key=lambda o: (KIND_ORDER.get(o.kind, 99), o.period.start)):
        label = ob.period.label.split("年", 1)[-1] or ob.period.label
        months_by_kind.setdefault(ob.kind, [])
        if label not in months_by_kind[ob.kind]:
            months_by_kind[ob.kind].append(label)
    parts = sorted(months_by_kind.items(), key=lambda kv: (-len(kv[1]), KIND_ORDER.get(kv[0], 99)))
    return [f"{SHORT_KIND.get(kind, MeetingKind(kind).label)}（{'、'.join(labels)}）" for kind, labels in parts]


def _md(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日"


@login_required
def branch_view(request, org_pk):
    """One organization's obligations: what is still owed this month, quarter and year (with due
    dates and a 登记 button each), what is overdue, the year at a glance, and recent meetings."""
    from meetings.obligations import obligations_for, obligations_grid

    require_roles(request.user, *READ_ROLES)
    org = policy_for(Organization).get_or_404(request.user, pk=org_pk)
    today = timezone.localdate()
    year = Period.containing("year", today)
    current = {
        "month": Period.containing("month", today),
        "quarter": Period.containing("quarter", today),
        "year": year,
    }
    obligations = obligations_for(org, year, today)
    sections = []
    titles = {"month": "本月", "quarter": "本季度", "year": "本年度"}
    shown = set()
    for key in ("month", "quarter", "year"):
        obs = [ob for ob in obligations if ob.period == current[key]]
        shown.update(id(ob) for ob in obs)
        sections.append(
            {
                "key": key,
                "title": titles[key],
                "period": current[key],
                "open": sorted(
                    (ob for ob in obs if ob.state != "done"), key=lambda o: (o.due_on, KIND_ORDER.get(o.kind, 99))
                ),
                "done": [ob for ob in obs if ob.state == "done"],
            }
        )
    summary = "；".join(
        f"{s['title']}还需召开：" + "、".join(f"{MeetingKind(ob.kind).label}（{_md(ob.due_on)}前）" for ob in s["open"])
        for s in sections
        if s["open"]
    )
    overdue = sorted(
        (ob for ob in obligations if id(ob) not in shown and ob.state == "overdue"),
        key=lambda o: (o.due_on, KIND_ORDER.get(o.kind, 99)),
    )
    can_add = policy_for(Meeting).can_add(request.user, org)
    # The year at a glance: one row per required type, one cell per month.
    grid = obligations_grid([org], year, today)
    months = year.months()
    kinds = sorted({kind for (_org, kind, _m) in grid}, key=lambda k: KIND_ORDER.get(k, 99))
    year_rows = [
        {
            "kind": kind,
            "label": MeetingKind(kind).label,
            "cells": [
                _obligation_cell(grid[(org.pk, kind, m.code)]) if (org.pk, kind, m.code) in grid else None
                for m in months
            ],
        }
        for kind in kinds
    ]
    recent = list(
        selectors.meetings_visible(request.user)
        .filter(org_path__startswith=org.path)
        .select_related("organization", "subtype", "lecturer")
        .order_by("-held_on", "-id")[:10]
    )
    return render(
        request,
        "meetings/branch_view.html",
        {
            "page_title": f"{org.name} · 组织生活",
            "breadcrumbs": [MEETINGS_GROUP, ("落实情况", reverse("meetings:compliance")), (org.name, None)],
            "org": org,
            "today": today,
            "sections": sections,
            "summary": summary,
            "overdue": overdue,
            "can_add": can_add,
            "months": months,
            "year": year,
            "year_rows": year_rows,
            "recent": recent,
            "ledger_url": _ledger_url(org=org.pk),
            "state_labels": STATE_LABELS,
        },
    )


# ------------------------------------------------------------------ 我的组织生活


@login_required
def my_meetings(request):
    person_id = request.user.person_id
    if not person_id:
        raise Http404("您的账号未关联人员档案")
    today = timezone.localdate()
    year = today.year
    mine = Attendance.objects.filter(person_id=person_id, meeting__deleted_at__isnull=True)
    page = paginate(
        request,
        mine.select_related("meeting", "meeting__organization", "meeting__subtype").order_by(
            "-meeting__held_on", "-meeting_id"
        ),
    )
    totals = mine.filter(meeting__held_on__year=year).aggregate(
        total=Count("id"),
        present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
        leave=Count("id", filter=Q(status=AttendanceStatus.LEAVE)),
        absent=Count("id", filter=Q(status=AttendanceStatus.ABSENT)),
    )
    rate = round(100 * totals["present"] / totals["total"]) if totals["total"] else None
    lectures = list(
        Meeting.objects.filter(lecturer_id=person_id)
        .select_related("organization", "subtype")
        .order_by("-held_on")[:50]
    )
    return render(
        request,
        "meetings/my_meetings.html",
        {
            "page_title": "我的组织生活",
            "breadcrumbs": [MEETINGS_GROUP, ("我的组织生活", None)],
            "page_obj": page,
            "attendance": page.object_list,
            "totals": totals,
            "rate": rate,
            "year": year,
            "lectures": lectures,
        },
    )
