"""The rectification ledger (问题整改台账), a problem's page with its workflow, escalation notices
(督办单, printable) and the statistics page (per source and organization, each number a link)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core import attachments as attachment_services
from core.models import Attachment, AuditEntry, TrackedTransition
from core.periods import Period, PeriodError
from core.scope import READ_ROLES, Scope, policy_for
from core.tracking import escalate_days, yellow_days
from core.viewutils import ServiceCall, apply_validation_error, cap_count, require_roles
from meetings.models import Meeting, MeetingKind
from orgs import selectors as org_selectors
from orgs.models import Organization
from supervision import selectors, services, stats
from supervision.forms import (
    ExtensionDecisionForm,
    ExtensionRequestForm,
    NoteForm,
    ProblemEditForm,
    ProblemForm,
    ProgressForm,
)
from supervision.models import (
    EscalationNotice,
    ExtensionRequest,
    ExtensionStatus,
    Problem,
    ProblemSource,
    ProblemStatus,
    ProgressReport,
)
from supervision.views import GROUP, list_page, visible_people, writable_orgs

LEDGER = "问题整改台账"


def _ledger_crumb():
    return (LEDGER, reverse("supervision:problem_list"))


# ---------------------------------------------------------------------- the ledger


SEARCH_COUNT_CAP = 1000


class LedgerPaginator(Paginator):
    """Reads a page's rows by their ids (selectors.page_of), so that a far page costs little more
    than the first."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(selectors.page_of(self.object_list, bottom, top), number, self)


@login_required
def problem_list(request):
    require_roles(request.user, *READ_ROLES)
    today = timezone.localdate()
    qs, filters = selectors.problems_from_params(request.user, request.GET, today)
    paginator = LedgerPaginator(qs, 20)
    total = selectors.summary_count(request.user, filters)
    if total is not None:
        paginator.count = total  # from the monthly summary instead of counting the problems
    elif filters.q:
        # A common word (e.g. "台账") matches a quarter of a city's problems: counted up to a cap.
        cap_count(paginator, SEARCH_COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
    yellow = yellow_days(today.year)
    rows = []
    for p in page.object_list:
        urgency = selectors.urgency_of(p, today, yellow)
        rows.append((p, urgency, (today - p.due_on).days if urgency == "overdue" else 0))
    return render(
        request,
        "supervision/problem_list.html",
        {
            "page_title": LEDGER,
            "breadcrumbs": [GROUP, (LEDGER, None)],
            "page_obj": page,
            "rows": rows,
            "filters": filters,
            "params": request.GET,
            "orgs": org_selectors.filter_organizations(request.user, filters.org),
            "sources": ProblemSource.choices,
            "statuses": ProblemStatus.choices,
            "urgencies": selectors.URGENCY_LABELS.items(),
            "today": today,
            "can_add": writable_orgs(request.user).exists(),
        },
    )


# ---------------------------------------------------------------------- registering a problem


def _problem_form(request, *, data=None, initial=None):
    user = request.user
    writable = writable_orgs(user)
    org = (initial or {}).get("organization")
    if data is not None and str(data.get("organization", "")).isdigit():
        org = writable.filter(pk=data["organization"]).first() or org
    people = visible_people(user)
    if org is not None:
        people = people.filter(org_path__startswith=org.path)
    life_kinds = [MeetingKind.DEMOCRATIC_LIFE, MeetingKind.ORG_LIFE]
    meetings = policy_for(Meeting).visible(user).filter(kind__in=life_kinds).order_by("-held_on", "-id")
    meeting_ids = list(meetings.values_list("pk", flat=True)[:200])
    return ProblemForm(
        data,
        initial=initial,
        organizations=writable,
        organization_options=org_selectors.organization_options(writable, org, limit=300),
        inspections=selectors.inspections_visible(user, "change").order_by("-start_on"),
        reports=selectors.reports_visible(user, "change")
        .select_related("organization", "secretary")
        .order_by("-held_on"),
        meetings=Meeting.objects.filter(pk__in=meeting_ids).order_by("-held_on", "-id"),
        people=people,
        leaders=visible_people(user),
    )


@login_required
def problem_create(request):
    writable = writable_orgs(request.user)
    if not writable.exists():
        raise PermissionDenied("您无权登记问题")
    if request.method == "POST":
        form = _problem_form(request, data=request.POST)
        if form.is_valid():
            d = form.cleaned_data
            data = {k: v for k, v in d.items() if k not in ("deadline", "duration", "deadline_mode")}
            call = ServiceCall(
                form,
                services.problem_create,
                actor=request.user,
                data=data,
                deadline=d["deadline"],
                duration=d["duration"],
                deadline_mode=d["deadline_mode"],
            )
            if call.ok:
                messages.success(request, f"已登记问题，整改时限{call.result.due_on:%Y-%m-%d}。")
                return redirect("supervision:problem_detail", pk=call.result.pk)
    else:
        initial = {"found_on": timezone.localdate()}
        source = request.GET.get("source", "")
        if source in ProblemSource.values:
            initial["source"] = source
        if request.GET.get("org"):
            initial["organization"] = policy_for(Organization).get_for(request.user, "change", pk=request.GET["org"])
        form = _problem_form(request, initial=initial)
    return render(
        request,
        "supervision/problem_form.html",
        {
            "page_title": "登记整改问题",
            "breadcrumbs": [GROUP, _ledger_crumb(), ("登记问题", None)],
            "form": form,
            "default_days": services.default_deadline_days(timezone.localdate().year),
        },
    )


@login_required
def problem_edit(request, pk):
    problem = policy_for(Problem).get_for(request.user, "change", pk=pk)
    people = visible_people(request.user)
    kwargs = {"people": people.filter(org_path__startswith=problem.org_path), "leaders": people}
    if request.method == "POST":
        form = ProblemEditForm(request.POST, instance=problem, **kwargs)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in services.EDITABLE_FIELDS}
            call = ServiceCall(
                form,
                services.problem_update,
                actor=request.user,
                problem=problem,
                data=data,
                expected_version=form.cleaned_data.get("version"),
            )
            if call.ok:
                messages.success(request, "已保存。")
                return redirect("supervision:problem_detail", pk=pk)
            form.conflict = call.conflict
    else:
        form = ProblemEditForm(instance=problem, **kwargs)
        form.initial["version"] = problem.version
    return render(
        request,
        "supervision/problem_edit.html",
        {
            "page_title": f"编辑问题：{problem.title}",
            "breadcrumbs": [GROUP, _ledger_crumb(), (problem.title, problem.get_absolute_url()), ("编辑", None)],
            "form": form,
            "problem": problem,
            "conflict": getattr(form, "conflict", None),
        },
    )


# ---------------------------------------------------------------------- a problem's page


def _history(problem: Problem, progress: list[ProgressReport]):
    """Audit entries of the problem and of its progress reports (their evidence files)."""
    cts = ContentType.objects.get_for_models(Problem, ProgressReport)
    q = Q(content_type=cts[Problem], object_id=str(problem.pk))
    if progress:
        q |= Q(content_type=cts[ProgressReport], object_id__in=[str(p.pk) for p in progress])
    return AuditEntry.objects.filter(q).select_related("actor", "content_type").order_by("-at", "-id")[:50]


def _evidence(progress: list[ProgressReport]) -> dict[int, list[Attachment]]:
    if not progress:
        return {}
    ct = ContentType.objects.get_for_model(ProgressReport)
    files: dict[int, list[Attachment]] = defaultdict(list)
    rows = Attachment.objects.filter(
        content_type=ct, object_id__in=[str(p.pk) for p in progress], deleted_at__isnull=True
    ).order_by("uploaded_at", "id")
    for a in rows:
        a.size_label = attachment_services.human_size(a.size)
        files[int(a.object_id)].append(a)
    return files


def _detail_context(request, problem: Problem, **forms) -> dict:
    user = request.user
    policy = policy_for(Problem)
    today = timezone.localdate()
    can_change = policy.can(user, "change", problem)
    can_close = policy.can_close(user, problem)
    progress = list(problem.progress.select_related("reported_by__person").order_by("reported_on", "id"))
    evidence = _evidence(progress)
    for p in progress:
        p.files = evidence.get(p.pk, [])
    extensions = list(problem.extension_requests.select_related("requested_by__person", "decided_by__person"))
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    transitions = list(
        TrackedTransition.objects.filter(item_id=problem.tracked_item_id)
        .select_related("actor__person")
        .order_by("at", "id")
    )
    labels = dict(ProblemStatus.choices)
    for t in transitions:
        t.from_label = labels.get(t.from_status, t.from_status)
        t.to_label = labels.get(t.to_status, t.to_status)
    yellow = yellow_days(today.year)
    urgency = selectors.urgency_of(problem, today, yellow)
    status = problem.status
    actions = {
        "start": can_change and status == ProblemStatus.PENDING,
        "progress": can_change and status in (ProblemStatus.PENDING, ProblemStatus.IN_PROGRESS),
        "apply": can_change and status == ProblemStatus.IN_PROGRESS and bool(progress),
        "close": can_close and status == ProblemStatus.APPLIED,
        "return": can_close and status == ProblemStatus.APPLIED,
        "extension": can_change and problem.is_open and pending is None,
        "decide": can_close and pending is not None,
        "edit": can_change and problem.is_open,
    }
    next_step = {
        ProblemStatus.PENDING: "责任党组织开始整改，报告整改进展并上传佐证材料。",
        ProblemStatus.IN_PROGRESS: "整改完成后，由责任党组织申请销号。"
        if progress
        else "请报告整改进展并上传佐证材料，完成后申请销号。",
        ProblemStatus.APPLIED: "等待机关党委核实：验收合格的销号，不合格的退回继续整改。",
        ProblemStatus.CLOSED: "已销号，整改完成。",
    }[status]
    escalation = EscalationNotice.objects.filter(problem=problem).first()
    return {
        "page_title": f"整改问题 #{problem.pk}",
        "breadcrumbs": [GROUP, _ledger_crumb(), (problem.title, None)],
        "problem": problem,
        "urgency": urgency,
        "urgency_label": selectors.URGENCY_LABELS[urgency],
        "days_overdue": (today - problem.due_on).days if urgency == "overdue" else 0,
        "days_left": (problem.due_on - today).days,
        "progress": progress,
        "extensions": extensions,
        "pending_extension": pending,
        "transitions": transitions,
        "escalation": escalation,
        "escalate_after": escalate_days(today.year),
        "actions": actions,
        "next_step": next_step,
        "progress_form": forms.get("progress_form") or ProgressForm(initial={"reported_on": today}),
        "note_form": forms.get("note_form") or NoteForm(),
        "note_error_action": forms.get("note_action", ""),
        "extension_form": forms.get("extension_form") or ExtensionRequestForm(),
        "decision_form": forms.get("decision_form") or ExtensionDecisionForm(),
        "audit_entries": _history(problem, progress),
        "today": today,
    }


def _get_problem(request, pk, action: str = "view") -> Problem:
    qs = Problem.objects.select_related(
        "organization",
        "responsible_person",
        "responsible_leader",
        "inspection",
        "secretary_report",
        "secretary_report__secretary",
        "meeting",
        "created_by__person",
    )
    return policy_for(Problem).get_for(request.user, action, queryset=qs, pk=pk)


@login_required
def problem_detail(request, pk):
    problem = _get_problem(request, pk)
    return render(request, "supervision/problem_detail.html", _detail_context(request, problem))


ACTIONS = {
    # action: (service, note keyword, label, who)
    "start": (services.problem_start, "note", "开始整改", "change"),
    "apply": (services.problem_apply_closure, "note", "申请销号", "change"),
    "close": (services.problem_close, "verification", "销号", "close"),
    "return": (services.problem_return, "reason", "退回", "close"),
}


@login_required
@require_POST
def problem_action(request, pk, action):
    """A status change: 开始整改, 申请销号 (responsible organization), 销号, 退回 (committee)."""
    if action not in ACTIONS:
        raise Http404("未知的操作")
    service, keyword, label, who = ACTIONS[action]
    problem = _get_problem(request, pk)
    policy = policy_for(Problem)
    allowed = policy.can_close(request.user, problem) if who == "close" else policy.can(request.user, "change", problem)
    if not allowed:
        raise PermissionDenied("只有机关党委可以销号或退回" if who == "close" else "您无权办理该问题")
    form = NoteForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        service(actor=request.user, problem=problem, **{keyword: note})
    except ValidationError as exc:
        apply_validation_error(form, exc)
        if not form.errors:
            form.add_error(None, "；".join(exc.messages))
        context = _detail_context(request, problem, note_form=form, note_action=action)
        return render(request, "supervision/problem_detail.html", context)
    messages.success(request, f"已{label}。")
    return redirect("supervision:problem_detail", pk=pk)


@login_required
@require_POST
def problem_progress(request, pk):
    problem = _get_problem(request, pk, "change")
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            report = services.problem_report_progress(
                actor=request.user,
                problem=problem,
                content=d["content"],
                reported_on=d["reported_on"],
                files=d["files"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            n = report.problem.progress.count()
            messages.success(request, f"已报告整改进展（第 {n} 次）。整改完成后请申请销号。")
            return redirect("supervision:problem_detail", pk=pk)
    problem.refresh_from_db()
    return render(request, "supervision/problem_detail.html", _detail_context(request, problem, progress_form=form))


@login_required
@require_POST
def problem_extension(request, pk):
    problem = _get_problem(request, pk, "change")
    form = ExtensionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.problem_request_extension(
                actor=request.user,
                problem=problem,
                new_due_on=form.cleaned_data["new_due_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "已提交延期申请，等待机关党委审批。")
            return redirect("supervision:problem_detail", pk=pk)
    return render(request, "supervision/problem_detail.html", _detail_context(request, problem, extension_form=form))


@login_required
@require_POST
def extension_decide(request, pk):
    visible = selectors.problems_visible(request.user)
    try:
        ext = ExtensionRequest.objects.select_related("problem", "problem__organization").get(
            pk=pk, problem__in=visible.values("pk")
        )
    except ExtensionRequest.DoesNotExist:
        raise Http404("记录不存在或您无权访问") from None
    problem = ext.problem
    if not policy_for(Problem).can_close(request.user, problem):
        raise PermissionDenied("只有机关党委可以审批延期申请")
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.problem_decide_extension(
                actor=request.user, request=ext, approve=approve, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"已批准延期，整改时限改为{ext.requested_due_on:%Y-%m-%d}。" if approve else "已不批准延期申请。",
            )
            return redirect("supervision:problem_detail", pk=problem.pk)
    problem = _get_problem(request, problem.pk)
    return render(request, "supervision/problem_detail.html", _detail_context(request, problem, decision_form=form))


# ---------------------------------------------------------------------- 督办单


@login_required
def escalation_list(request):
    require_roles(request.user, *READ_ROLES)
    qs, filters = selectors.escalations_from_params(request.user, request.GET)
    return list_page(request, "supervision/escalation_list.html", qs, filters, title="督办单", items="notices")


@login_required
def escalation_detail(request, pk):
    notice = policy_for(EscalationNotice).get_or_404(
        request.user,
        queryset=EscalationNotice.objects.select_related(
            "problem", "problem__responsible_person", "problem__responsible_leader", "organization"
        ),
        pk=pk,
    )
    issuer = notice.organization.path[:7]
    issuer_name = Organization.objects.filter(path=issuer).values_list("name", flat=True).first() or "机关党委"
    return render(
        request,
        "supervision/escalation_detail.html",
        {
            "page_title": f"督办单 {notice.number}",
            "breadcrumbs": [GROUP, ("督办单", reverse("supervision:escalation_list")), (notice.number, None)],
            "notice": notice,
            "problem": notice.problem,
            "issuer": issuer_name,
        },
    )


# ---------------------------------------------------------------------- statistics


def _stats_period(request, today) -> tuple[Period, str]:
    text = (request.GET.get("period") or "").strip()
    # The work report is half-yearly (上半年/下半年): the page opens on the current half-year.
    default = Period.containing("half", today)
    if not text:
        return default, ""
    try:
        return Period.parse(text), ""
    except PeriodError as exc:
        return default, f"{exc}；已显示{default.label}。"


RED = ' class="text-danger fw-semibold"'


def stats_rows_html(rows: list[dict], period: Period) -> str:
    """The rows of a statistics table (by source, by organization), each figure a link to its
    ledger: written in Python, as a hundred organizations' rows through template tags (or
    format_html for every cell) cost more than the figures themselves. Every text and link is
    escaped; the figures are integers."""
    out = []
    for r in rows:
        label = escape(r["label"])
        if r["organization"] is not None:
            label = (
                f'<a class="text-reset" href="?org={r["organization"].pk}&amp;period={escape(period.code)}"'
                f' title="查看{label}下级的统计">{label}</a>'
            )
        links = r["links"]
        cells = "".join(
            f'<td class="text-end"><a href="{escape(links[key])}" data-stat="{key}"'
            f"{RED if key == 'overdue' and r[key] else ''}>{int(r[key]):,}</a></td>"
            for key in ("found", "in_progress", "overdue", "closed", "on_time")
        )
        if r["rate"] is not None:
            rate = f'<a href="{escape(links["closed"])}" title="按期销号 ÷ 销号">{float(r["rate"])}%</a>'
        else:
            rate = '<span class="text-muted">—</span>'
        bold = ' class="fw-semibold"' if r["total"] else ""
        out.append(f'<tr{bold}><td>{label}</td>{cells}<td class="text-end">{rate}</td></tr>')
    return mark_safe("\n".join(out))  # noqa: S308 - every text and link above is escaped


@login_required
def problem_stats(request):
    scope = require_roles(request.user, *READ_ROLES)
    today = timezone.localdate()
    period, period_error = _stats_period(request, today)
    org = None
    if request.GET.get("org"):
        org = policy_for(Organization).get_or_404(request.user, pk=request.GET["org"])
    else:
        home = scope.home_organization
        visible = org_selectors.organizations_visible(request.user)
        if home is not None and visible.filter(pk=home.pk).exists():
            org = home
        else:
            org = visible.order_by("depth", "path").first()
    if org is None:
        raise Http404("没有可统计的党组织")
    user = request.user
    data = stats.breakdown(period, org, user)
    sources = stats.by_source(period, org, user, data)
    organizations = stats.by_organization(period, org, user, data)
    total = sources[-1]
    chart = {
        "labels": [r["label"] for r in sources[:-1]],
        "series": [
            {
                "name": "已销号",
                "key": "closed",
                "data": [r["closed"] for r in sources[:-1]],
                "urls": [r["links"]["closed"] for r in sources[:-1]],
            },
            {
                "name": "未销号",
                "key": "in_progress",
                "data": [r["in_progress"] for r in sources[:-1]],
                "urls": [r["links"]["in_progress"] for r in sources[:-1]],
            },
        ],
    }
    return render(
        request,
        "supervision/problem_stats.html",
        {
            "page_title": f"问题整改统计（{period.label}）",
            "breadcrumbs": [GROUP, ("整改统计", None)],
            "period": period,
            "period_text": request.GET.get("period", ""),
            "period_error": period_error,
            "org": org,
            "orgs": org_selectors.filter_organizations(user, org),
            "sources": sources,
            "organizations": organizations,
            "sources_html": stats_rows_html(sources, period),
            "organizations_html": stats_rows_html(organizations, period),
            "total": total,
            "chart": chart,
            "today": today,
            "can_see_all": Scope.of(user).has_role(*READ_ROLES),
        },
    )
