"""驾驶舱 (dashboard) and the lists behind this app's own figures. Thin views.

The dashboard page is a frame (period and scope pickers, one panel per area, the alerts panel);
each panel loads its figures and charts in a request of its own (htmx, `hx-trigger="load"`), so a
slow area does not hold the others back and each shows a working indicator until it is ready.
"""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from core.exporters import _TOKEN_RE, XLSX_CONTENT_TYPE
from core.scope import READ_ROLES, WRITE_ROLES, Scope, policy_for
from core.stats import memo_scope
from core.viewutils import paginate, require_roles
from meetings import obligation_store
from meetings.obligations import DUE, OVERDUE, STATE_LABELS
from reports import builtin, selectors, services
from reports.content import date_cn, statistics_rows
from reports.exporters import StatisticsExporter
from reports.models import ReportDraft

GROUP = ("驾驶舱与报告", None)


def _dashboard_crumb():
    return ("驾驶舱", reverse("reports:dashboard"))


def _pick(request):
    require_roles(request.user, *READ_ROLES)
    picked = selectors.pick(request.user, request.GET)
    if picked is None:
        raise Http404("您的账号没有可查看的党组织")
    return picked


def can_draft(user, organization) -> bool:
    return Scope.of(user).has_role(*WRITE_ROLES) and policy_for(ReportDraft).can_add(user, organization)


@login_required
def index(request):
    require_roles(request.user, *READ_ROLES)
    return redirect("reports:dashboard")


@login_required
def dashboard(request):
    picked = _pick(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or picked.period.start.year)
    except ValueError:
        year = picked.period.start.year
    year = min(max(year, selectors.MIN_YEAR), today.year)
    return render(
        request,
        "reports/dashboard.html",
        {
            "page_title": f"驾驶舱 · {picked.organization.name}",
            "breadcrumbs": [GROUP, ("驾驶舱", None)],
            "picked": picked,
            "areas": selectors.dashboard_areas(request.user),
            "presets": selectors.period_presets(today, year),
            "year": year,
            "years": list(range(today.year, selectors.MIN_YEAR - 1, -1)),
            "scope_orgs": selectors.scope_options(request.user, picked.organization),
            "can_draft": can_draft(request.user, picked.organization),
        },
    )


@login_required
def dashboard_area(request):
    picked = _pick(request)
    area = request.GET.get("area", "")
    if area not in selectors.dashboard_areas(request.user):
        raise Http404("未知的统计领域")
    data = selectors.area_figures(area, picked.period, picked.organization, request.user)
    return render(request, "reports/includes/area.html", {"picked": picked, **data})


@login_required
def dashboard_alerts(request):
    picked = _pick(request)
    found = selectors.alerts(picked.period, picked.organization, request.user)
    return render(request, "reports/includes/alerts.html", {"picked": picked, "alerts": found})


def xlsx_response(request, rows, *, title: str, organization, draft=None) -> FileResponse:
    exporter = StatisticsExporter(request.user, base_url=request.build_absolute_uri("/"), title=title)
    fp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    count = exporter.write(rows, fp)
    fp.seek(0)
    services.record_export(
        actor=request.user,
        draft=draft,
        organization=organization,
        what=f"{title}.xlsx（{count}项）",
        action=services.STATS_EXPORTED,
    )
    response = FileResponse(fp, as_attachment=True, filename=exporter.filename(), content_type=XLSX_CONTENT_TYPE)
    _download_cookie(request, response, count)
    return response


def _download_cookie(request, response, count: int) -> None:
    """The page's download indicator (reports.js / app.js) waits for this cookie."""
    token = request.GET.get("dl", "")
    if _TOKEN_RE.fullmatch(token or ""):
        response.set_cookie("pb_download", f"{token}-{count}", max_age=120, samesite="Lax")


@login_required
def statistics_export(request):
    picked = _pick(request)
    with memo_scope():
        rows = statistics_rows(picked.period, picked.organization, request.user)
    title = f"{picked.organization.name}{picked.period.label}统计指标"
    return xlsx_response(request, rows, title=title, organization=picked.organization)


# ---------------------------------------------------------------- lists behind the figures


def _paged(request, rows, template: str, context: dict):
    page = paginate(request, rows, 50)
    return render(request, template, {"page_obj": page, "rows": page.object_list, **context})


@login_required
def overdue_obligations(request):
    """The organizational-life obligations not met (state overdue) or due soon, of a subtree."""
    picked = _pick(request)
    state = request.GET.get("state", OVERDUE)
    if state not in (OVERDUE, DUE):
        state = OVERDUE
    month = request.GET.get("month", "")
    records = builtin.scope_obligations(picked.period, picked.organization, request.user)
    rows = obligation_store.ledger_order(builtin.filter_obligations(records, state=state, month=month))
    title = "未按期落实的组织生活" if state == OVERDUE else "临近截止尚未召开的组织生活"
    page = paginate(request, rows, 50)
    today = timezone.localdate()
    return render(
        request,
        "reports/overdue_list.html",
        {
            "page_obj": page,
            "rows": obligation_store.to_obligations(page.object_list, today),
            "page_title": title,
            "breadcrumbs": [GROUP, _dashboard_crumb(), (title, None)],
            "picked": picked,
            "state": state,
            "state_label": STATE_LABELS[state],
            "month": month,
        },
    )


@login_required
def terms(request):
    """Organizations whose term has expired or is about to, as of a day (换届提醒)."""
    import datetime

    picked = _pick(request)
    try:
        as_of = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        as_of = builtin.term_reference_day(picked.period)
    state = request.GET.get("state", "")
    rows = builtin.expiring_terms(picked.organization, request.user, as_of)
    if state in ("due", "expired"):
        rows = [r for r in rows if r[1]["state"] == state]
    title = {"expired": "任期已届满的党组织", "due": "任期即将届满的党组织"}.get(state, "换届提醒")
    return _paged(
        request,
        rows,
        "reports/terms_list.html",
        {
            "page_title": title,
            "breadcrumbs": [GROUP, _dashboard_crumb(), (title, None)],
            "picked": picked,
            "as_of": as_of,
            "as_of_cn": date_cn(as_of),
            "state": state,
        },
    )


@login_required
def tracked_items(request):
    """Tracked items (问题整改等) of a subtree: open, or open and past their deadline."""
    from core.tracking import registered_workflows, subject_url, urgency, yellow_days

    picked = _pick(request)
    state = request.GET.get("state", "open")
    kind = request.GET.get("kind", "")
    workflows = registered_workflows()
    if kind and kind not in workflows:
        kind = ""
    qs = selectors.tracked_items_list(request.user, picked.organization, state=state, kind=kind)
    page = paginate(request, qs, 50)
    today = timezone.localdate()
    yellow = yellow_days(today.year)
    items = [
        {
            "item": item,
            "workflow": workflows.get(item.kind),
            "url": subject_url(item),
            "owner": (item.owner.get_full_name() or item.owner.username) if item.owner else "—",
            "status_label": workflows[item.kind].label_of(item.status) if item.kind in workflows else item.status,
            "urgency": urgency(item, today, yellow=yellow) if item.kind in workflows else "",
        }
        for item in page.object_list
    ]
    title = "已逾期未办结的跟踪事项" if state == "overdue" else "未办结的跟踪事项"
    return render(
        request,
        "reports/tracked_list.html",
        {
            "page_title": title,
            "breadcrumbs": [GROUP, _dashboard_crumb(), (title, None)],
            "picked": picked,
            "page_obj": page,
            "items": items,
            "state": state,
            "kind": kind,
            "workflows": sorted(workflows.values(), key=lambda w: w.label),
        },
    )
