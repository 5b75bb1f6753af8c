"""The area's own pages: the 主体责任清单 per period, an item with its evidence, the liaison overview,
the risk areas, the duty catalogue (bureau-wide and per department) and the flowchart pages.
Thin views: parse input, call a selector or service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from core.audit import entries_for
from core.concurrency import ConcurrentEditError
from core.scope import READ_ROLES, Scope, policy_for
from core.viewutils import paginate, require_roles
from duties import selectors, services
from duties.entities import ENTITIES, statistic_label
from duties.flowchart import render_svg
from duties.fulfilment import STATE_LABELS, statuses
from duties.models import (
    BoundaryDivision,
    ControlMeasure,
    PostDuty,
    PostRiskPoint,
    ResponsibilityEvidence,
    ResponsibilityItem,
    StepKind,
    Subject,
    WorkflowChart,
    WorkTask,
)
from orgs import selectors as org_selectors
from orgs.models import Department, Organization

GROUP = ("监督与责任", None)
PAGE_SIZE = 50


# ---------------------------------------------------------------------- 主体责任清单


@login_required
def responsibility(request):
    """Every item of the list with its fulfilment in the period; items without evidence stand out."""
    require_roles(request.user, *READ_ROLES)
    qs, filters = selectors.responsibility_filters(request.user, request.GET)
    today = timezone.localdate()
    if filters.status:
        # The filter runs once: the keys in the list's order, then the page's items by key.
        ids = list(
            selectors.with_status(qs, filters.period, filters.status, request.user, today=today).values_list(
                "pk", flat=True
            )
        )
        page = paginate(request, ids, PAGE_SIZE)
        found = qs.model.objects.select_related("organization").in_bulk(list(page.object_list))
        page_items = [found[pk] for pk in page.object_list if pk in found]
    else:
        page = paginate(request, qs, PAGE_SIZE)
        page_items = list(page.object_list)
    page_rows = statuses(page_items, filters.period, user=request.user, today=today)
    evidence_policy = policy_for(ResponsibilityEvidence)
    can_evidence = Scope.of(request.user).has_role(*evidence_policy.change_roles)
    writable = Scope.of(request.user).paths(evidence_policy.change_roles) if can_evidence else []
    for row in page_rows:
        row.can_add = can_evidence and (writable is None or any(row.item.org_path.startswith(p) for p in writable))
    can_add = policy_for(ResponsibilityItem).can_add(request.user, Scope.of(request.user).home_organization)
    return render(
        request,
        "duties/responsibility.html",
        {
            "page_title": "主体责任清单",
            "breadcrumbs": [GROUP, ("主体责任清单", None)],
            "page_obj": page,
            "rows": page_rows,
            "filters": filters,
            "period": filters.period,
            "orgs": org_selectors.filter_organizations(request.user, filters.org),
            "subjects": Subject.choices,
            "states": STATE_LABELS,
            "can_add": can_add,
            "entity": ENTITIES["items"],
            "today": today,
            "prev_period": _shift(filters.period, -1),
            "next_period": _shift(filters.period, 1),
        },
    )


def _shift(period, step: int):
    """The period before/after a half-year, quarter, month or year (custom ranges: none)."""
    import datetime

    from core.periods import Period

    if period.kind == "custom":
        return None
    day = period.start - datetime.timedelta(days=1) if step < 0 else period.end + datetime.timedelta(days=1)
    return Period.containing(period.kind, day)


@login_required
def item_detail(request, pk):
    require_roles(request.user, *READ_ROLES)
    policy = policy_for(ResponsibilityItem)
    item = policy.get_or_404(request.user, queryset=ResponsibilityItem.objects.select_related("organization"), pk=pk)
    errors: list[str] = []
    period = selectors.parse_period(request.GET.get("period", ""), errors)
    (status,) = statuses([item], period, user=request.user)
    evidence_qs = (
        policy_for(ResponsibilityEvidence)
        .visible(request.user)
        .filter(item=item)
        .select_related("recorded_by")
        .order_by("-period_start", "-id")
    )
    page = paginate(request, evidence_qs, 20)
    _count_attachments(list(page.object_list))
    evidence_policy = policy_for(ResponsibilityEvidence)
    can_evidence = Scope.of(request.user).covers(item.organization, evidence_policy.change_roles)
    return render(
        request,
        "duties/item_detail.html",
        {
            "page_title": f"{item.get_subject_display()}：{item.content}",
            "breadcrumbs": [GROUP, ("主体责任清单", reverse("duties:responsibility")), (item.content[:30], None)],
            "item": item,
            "status": status,
            "period": period,
            "period_errors": errors,
            "derived_label": statistic_label(item.derived_from),
            "page_obj": page,
            "evidence": page.object_list,
            "can_change": policy.can(request.user, "change", item),
            "can_delete": policy.can(request.user, "delete", item),
            "can_evidence": can_evidence,
            "audit_entries": entries_for(item)[:30],
            "prev_period": _shift(period, -1),
            "next_period": _shift(period, 1),
        },
    )


def _count_attachments(evidence: list[ResponsibilityEvidence]) -> None:
    """Set `attachment_count` on each evidence row: one query for the page."""
    from collections import Counter

    from django.contrib.contenttypes.models import ContentType

    from core.models import Attachment

    ct = ContentType.objects.get_for_model(ResponsibilityEvidence)
    ids = [str(e.pk) for e in evidence]
    counts = Counter(
        Attachment.objects.filter(content_type=ct, object_id__in=ids, deleted_at__isnull=True).values_list(
            "object_id", flat=True
        )
    )
    for e in evidence:
        e.attachment_count = counts.get(str(e.pk), 0)


# ---------------------------------------------------------------------- 领导干部联系支部


@login_required
def liaison_overview(request):
    """Per branch: its liaison leaders and their activities in the period; per leader the same."""
    scope = require_roles(request.user, *READ_ROLES)
    errors: list[str] = []
    period = selectors.parse_period(request.GET.get("period", ""), errors)
    org = None
    if request.GET.get("org"):
        org = policy_for(Organization).get_or_404(request.user, pk=request.GET["org"])
    idle = request.GET.get("idle") == "1"
    if idle:  # keys first, then only the page's branches are read
        ids = selectors.idle_branch_ids(org, period, request.user)
        page = paginate(request, ids, PAGE_SIZE)
        found = Organization.objects.in_bulk(list(page.object_list))
        shown = [found[pk] for pk in page.object_list if pk in found]
    else:
        page = paginate(request, selectors.liaison_branches(request.user, org), PAGE_SIZE)
        shown = list(page.object_list)
    counts = selectors.activity_counts([b.path for b in shown], period, request.user)
    liaisons = (
        selectors.liaisons_overlapping(period, request.user)
        .filter(branch__in=[b.pk for b in shown])
        .select_related("leader")
        .order_by("start_on")
    )
    by_branch: dict[int, list] = {}
    for li in liaisons:
        by_branch.setdefault(li.branch_id, []).append(li)
    rows = [{"branch": b, "liaisons": by_branch.get(b.pk, []), "activities": counts.get(b.path, 0)} for b in shown]
    root = org or scope.home_organization
    leader_rows, leader_total = selectors.leader_rows(root, period, request.user) if root is not None else ([], 0)
    activities = ENTITIES["activities"]
    return render(
        request,
        "duties/liaison_overview.html",
        {
            "page_title": f"领导干部联系支部（{period.label}）",
            "breadcrumbs": [GROUP, ("领导干部联系支部", None)],
            "period": period,
            "errors": errors,
            "org": org,
            "idle": idle,
            "page_obj": page,
            "rows": rows,
            "leader_rows": leader_rows,
            "leader_total": leader_total,
            "orgs": org_selectors.filter_organizations(request.user, org),
            "activity_url": activities.list_url(period=period.code),
            "can_add_liaison": ENTITIES["liaisons"].can_create(request.user),
            "can_add_activity": activities.can_create(request.user),
            "prev_period": _shift(period, -1),
            "next_period": _shift(period, 1),
        },
    )


# ---------------------------------------------------------------------- 廉政风险点 areas


@login_required
def risk_areas(request):
    require_roles(request.user, *READ_ROLES)
    org = None
    if request.GET.get("org"):
        org = policy_for(Organization).get_or_404(request.user, pk=request.GET["org"])
    areas = selectors.risk_areas(request.user, org)
    entity = ENTITIES["risks"]
    top = services.risk_levels()[0]
    for a in areas:
        a["url"] = entity.list_url(org=org.pk if org else "", area=a["area"])
        a["top_url"] = entity.list_url(org=org.pk if org else "", area=a["area"], level=top)
    page = paginate(request, areas, PAGE_SIZE)
    return render(
        request,
        "duties/risk_areas.html",
        {
            "page_title": "廉政风险点防控清单 · 领域",
            "breadcrumbs": [GROUP, ("廉政风险点防控清单", entity.list_url()), ("领域", None)],
            "page_obj": page,
            "areas": page.object_list,
            "org": org,
            "top_level": top,
            "list_url": entity.list_url(org=org.pk if org else ""),
        },
    )


# ---------------------------------------------------------------------- 履职清单


def _require_catalogue(user) -> Scope:
    scope = Scope.of(user)
    if not (scope.has_role(*READ_ROLES) or scope.person_id):
        raise PermissionDenied("您没有访问此页面的权限")
    return scope


@login_required
def catalogue(request):
    """The bureau-wide summary: one row per department with its counts, each a link to the list."""
    _require_catalogue(request.user)
    org = None
    if request.GET.get("org"):
        org = policy_for(Organization).get_or_404(request.user, pk=request.GET["org"])
    counts = selectors.catalogue_counts(request.user, org)
    if not _reads_all(request.user):  # a member: their own department only
        own = _own_department_id(request.user)
        counts = {pk: c for pk, c in counts.items() if pk == own}
    keys = [k for k, _, _ in selectors.CATALOGUE_COUNTS]
    totals = {k: sum(c[k] for c in counts.values()) for k in keys}
    org_pk = org.pk if org else ""
    without = []
    if Scope.of(request.user).has_role(*READ_ROLES):
        without = list(
            Department.objects.filter(is_administrative=True).exclude(pk__in=list(counts)).order_by("sort_order")
        )
    # Only the page's departments are read (800 at city scale).
    page = paginate(request, selectors.catalogue_page_departments(counts), PAGE_SIZE)
    bases = {k: ENTITIES[k].list_url() for k in keys}
    for d in page.object_list:
        d.counts = counts[d.pk]
        d.links = {
            k: bases[k] + "?" + urlencode({"department": d.pk, **({"led": "1"} if k == "divisions" else {})})
            for k in keys
        }
    return render(
        request,
        "duties/catalogue.html",
        {
            "page_title": "履职清单",
            "breadcrumbs": [GROUP, ("履职清单", None)],
            "page_obj": page,
            "departments": page.object_list,
            "totals": totals,
            "total_links": {k: ENTITIES[k].list_url(org=org_pk) for k in keys},
            "without": without,
            "org": org,
            "orgs": org_selectors.filter_organizations(request.user, org)
            if Scope.of(request.user).has_role(*READ_ROLES)
            else [],
            "entities": ENTITIES,
            "can_add": ENTITIES["tasks"].can_create(request.user),
        },
    )


@login_required
def catalogue_department(request, pk):
    """One department's catalogue: tasks, boundary divisions, flowcharts, post duties, risks."""
    _require_catalogue(request.user)
    dept = policy_for(Department).get_or_404(request.user, queryset=Department.objects.select_related("unit"), pk=pk)
    user = request.user
    if not _reads_all(user) and not _is_own_department(user, dept):
        from django.http import Http404

        raise Http404("记录不存在或您无权访问")  # a member reads their own department's catalogue only
    tasks = list(policy_for(WorkTask).visible(user).filter(department=dept).order_by("order", "id"))
    divisions = list(
        policy_for(BoundaryDivision)
        .visible(user)
        .filter(Q(lead_department=dept) | Q(assisting_departments=dept))
        .distinct()
        .select_related("lead_department")
        .prefetch_related("assisting_departments")
        .order_by("order", "id")
    )
    charts = list(
        policy_for(WorkflowChart)
        .visible(user)
        .filter(department=dept)
        .annotate(step_count=Count("steps"))
        .order_by("order", "id")
    )
    duties_ = list(policy_for(PostDuty).visible(user).filter(department=dept).order_by("post", "order", "id"))
    posts: dict[str, list] = {}
    for duty in sorted(duties_, key=lambda x: (x.order, x.id)):
        posts.setdefault(duty.post, []).append(duty)
    risks = list(
        policy_for(PostRiskPoint)
        .visible(user)
        .filter(department=dept)
        .prefetch_related(Prefetch("measures", queryset=ControlMeasure.objects.order_by("order", "id")))
        .order_by("order", "id")
    )
    divisions.sort(key=lambda x: (x.lead_department_id != dept.pk, x.order, x.pk))  # led matters first
    led = [x for x in divisions if x.lead_department_id == dept.pk]
    counts = {
        "tasks": len(tasks),
        "divisions": len(led),
        "flowcharts": len(charts),
        "post_duties": len(duties_),
        "post_risks": len(risks),
        "measures": sum(len(r.measures.all()) for r in risks),
    }
    can_change = (
        ENTITIES["tasks"].policy.can_add(user, dept.organization)
        if dept.organization
        else Scope.of(user).has_role(*ENTITIES["tasks"].write_roles)
    )
    return render(
        request,
        "duties/catalogue_department.html",
        {
            "page_title": f"{dept.name} · 履职清单",
            "breadcrumbs": [GROUP, ("履职清单", reverse("duties:catalogue")), (dept.name, None)],
            "dept": dept,
            "tasks": tasks,
            "divisions": divisions,
            "led_count": len(led),
            "assist_count": len(divisions) - len(led),
            "charts": charts,
            "posts": posts,
            "risks": risks,
            "counts": counts,
            "entities": ENTITIES,
            "can_change": can_change,
        },
    )


def _reads_all(user) -> bool:
    return Scope.of(user).has_role(*READ_ROLES)


def _own_department_id(user) -> int | None:
    from orgs.models import Person

    person_id = Scope.of(user).person_id
    if not person_id:
        return None
    return Person.all_objects.filter(pk=person_id).values_list("department_id", flat=True).first()


def _is_own_department(user, dept) -> bool:
    own = _own_department_id(user)
    return own is not None and own == dept.pk


# ---------------------------------------------------------------------- flowcharts


@login_required
def flowchart_detail(request, pk):
    _require_catalogue(request.user)
    policy = policy_for(WorkflowChart)
    chart = policy.get_or_404(request.user, queryset=WorkflowChart.objects.select_related("department"), pk=pk)
    steps = list(chart.steps.all())
    return render(
        request,
        "duties/flowchart_detail.html",
        {
            "page_title": chart.name,
            "breadcrumbs": [
                GROUP,
                ("履职清单", reverse("duties:catalogue")),
                (chart.department.name, reverse("duties:catalogue_department", args=[chart.department_id])),
                (chart.name, None),
            ],
            "chart": chart,
            "steps": steps,
            "svg": render_svg(steps, title=chart.name),
            "can_change": policy.can(request.user, "change", chart),
            "can_delete": policy.can(request.user, "delete", chart),
            "audit_entries": entries_for(chart)[:30],
            "entity": ENTITIES["flowcharts"],
        },
    )


class StepForm(forms.Form):
    number = forms.IntegerField(label="步骤号", min_value=1, required=False)
    kind = forms.ChoiceField(label="类型", choices=StepKind.choices, initial=StepKind.PROCESS)
    text = forms.CharField(label="步骤内容", max_length=100, required=False)
    actor = forms.CharField(label="办理岗位", max_length=50, required=False)
    yes_to = forms.IntegerField(label="“是”转到", min_value=1, required=False)
    no_to = forms.IntegerField(label="“否”转到", min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if name == "kind" else "form-control form-control-sm"
            field.widget.attrs["class"] = css


StepFormSet = forms.formset_factory(StepForm, extra=0)


@login_required
def flowchart_steps(request, pk):
    """Edit the steps of a chart as a table; extra empty rows with 添加行; blank rows are dropped."""
    chart = policy_for(WorkflowChart).get_for(
        request.user, "change", queryset=WorkflowChart.objects.select_related("department"), pk=pk
    )
    errors: list[str] = []
    if request.method == "POST":
        formset = StepFormSet(request.POST, prefix="steps")
        version = request.POST.get("version")
        if formset.is_valid():
            rows = [
                services.StepRow(
                    number=f["number"] or 0,
                    text=f.get("text", ""),
                    kind=f["kind"],
                    actor=f.get("actor", ""),
                    yes_to=f.get("yes_to"),
                    no_to=f.get("no_to"),
                )
                for f in formset.cleaned_data
                if f and (f.get("text") or "").strip()
            ]
            if "_more" in request.POST:
                formset = _steps_formset([*(_as_initial(r) for r in rows), *[{}] * 3])
            else:
                try:
                    services.flowchart_set_steps(
                        actor=request.user,
                        chart=chart,
                        rows=rows,
                        expected_version=int(version) if version and version.isdigit() else None,
                    )
                except ConcurrentEditError as exc:
                    errors.append(str(exc))
                except services.ValidationError as exc:
                    errors.extend(exc.messages)
                else:
                    messages.success(request, f"已保存“{chart.name}”的{len(rows)}个步骤。")
                    return redirect("duties:flowchart_detail", pk=chart.pk)
        else:
            errors.append("请检查标红的单元格：步骤号和转到的步骤应为正整数")
    else:
        initial = [_as_initial(s) for s in chart.steps.all()]
        formset = _steps_formset(initial + [{}] * (3 if initial else 6))
    preview_rows = [
        services.StepRow(number=s.number, text=s.text, kind=s.kind, actor=s.actor, yes_to=s.yes_to, no_to=s.no_to)
        for s in chart.steps.all()
    ]
    return render(
        request,
        "duties/flowchart_steps.html",
        {
            "page_title": f"编辑流程步骤：{chart.name}",
            "breadcrumbs": [
                GROUP,
                ("履职清单", reverse("duties:catalogue")),
                (chart.department.name, reverse("duties:catalogue_department", args=[chart.department_id])),
                (chart.name, reverse("duties:flowchart_detail", args=[chart.pk])),
                ("编辑步骤", None),
            ],
            "chart": chart,
            "formset": formset,
            "errors": errors,
            "svg": render_svg(preview_rows, title=chart.name),
            "kinds": StepKind.choices,
        },
    )


def _as_initial(step) -> dict:
    return {
        "number": step.number,
        "kind": step.kind,
        "text": step.text,
        "actor": step.actor,
        "yes_to": step.yes_to,
        "no_to": step.no_to,
    }


def _steps_formset(initial: list[dict]):
    numbered = []
    top = max((row.get("number") or 0 for row in initial), default=0)
    for row in initial:
        if not row:
            top += 1
            row = {"number": top, "kind": StepKind.PROCESS}
        numbered.append(row)
    return StepFormSet(initial=numbered, prefix="steps")
