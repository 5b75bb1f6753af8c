"""Pages of inspections (督导检查, with their visits and findings) and secretaries' reports
(书记述职评议, with their problems). Thin views: parse input, call a selector or a service, render.
Problems, the ledger, escalation notices and statistics are in views_problems."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.audit import entries_for
from core.scope import READ_ROLES, policy_for
from core.viewutils import ServiceCall, apply_validation_error, paginate, require_roles
from orgs import selectors as org_selectors
from orgs.models import Organization, Person, PostType
from supervision import selectors, services
from supervision.forms import FindingsForm, InspectionForm, SecretaryReportForm, VisitForm
from supervision.models import Inspection, InspectionMethod, InspectionVisit, Problem, ProblemSource, SecretaryReport

GROUP = ("监督与责任", None)


def _crumb(name: str) -> tuple[str, str]:
    labels = {"inspection_list": "督导检查", "report_list": "书记述职评议", "visit_list": "检查记录"}
    return (labels[name], reverse(f"supervision:{name}"))


def list_page(request, template: str, qs, filters: dict, *, title: str, items: str, breadcrumbs=None, **extra):
    """A filtered, paginated list page: the page under `items`, the filters and the filter bar's
    organizations, plus `extra` context."""
    page = paginate(request, qs)
    return render(
        request,
        template,
        {
            "page_title": title,
            "breadcrumbs": breadcrumbs or [GROUP, (title, None)],
            "page_obj": page,
            items: page.object_list,
            "filters": filters,
            "params": request.GET,
            "orgs": org_selectors.filter_organizations(request.user, filters["org"]),
            **extra,
        },
    )


def writable_orgs(user):
    return org_selectors.organizations_visible(user, "change")


def visible_people(user):
    return policy_for(Person).visible(user)


def _problems_of(user, **lookup):
    return (
        selectors.problems_visible(user)
        .filter(**lookup)
        .select_related("organization", "responsible_person", "escalation")
        .order_by("found_on", "id")
    )


def findings_form(user, *, data=None, organizations, initial=None, org=None) -> FindingsForm:
    people = visible_people(user)
    if org is not None:
        people = people.filter(org_path__startswith=org.path)
    return FindingsForm(data, organizations=organizations, people=people, leaders=visible_people(user), initial=initial)


def create_findings(request, form: FindingsForm, data: dict) -> list[Problem] | None:
    """Run the findings form through the service; the created problems, or None (errors on the form)."""
    if not form.is_valid():
        return None
    d = form.cleaned_data
    try:
        return services.problems_create_from_findings(
            actor=request.user,
            lines=d["findings"].splitlines(),
            data={
                **data,
                "organization": d["organization"],
                "measures": d["measures"],
                "responsible_person": d["responsible_person"],
                "responsible_leader": d["responsible_leader"],
                "found_on": d["found_on"],
            },
            deadline=d["deadline"],
            duration=d["duration"],
            deadline_mode=d["deadline_mode"],
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None


# ====================================================================== inspections


@login_required
def inspection_list(request):
    require_roles(request.user, *READ_ROLES)
    qs, filters = selectors.inspections_from_params(request.user, request.GET)
    return list_page(
        request,
        "supervision/inspection_list.html",
        selectors.with_problem_counts(qs).prefetch_related("targets"),
        filters,
        title="督导检查",
        items="inspections",
        methods=InspectionMethod.choices,
        can_add=writable_orgs(request.user).exists(),
    )


def _inspection_form(request, *, data=None, instance=None, initial=None):
    writable = writable_orgs(request.user)
    org = instance.organization if instance is not None else None
    if data is not None and str(data.get("organization", "")).isdigit():
        org = writable.filter(pk=data["organization"]).first() or org
    if org is None and initial:
        org = initial.get("organization")
    people = visible_people(request.user)
    if org is not None:
        people = people.filter(Q(org_path__startswith=org.path) | Q(is_leadership_member=True))
    return InspectionForm(
        data,
        instance=instance,
        initial=initial,
        organizations=writable,
        organization_options=org_selectors.organization_options(writable, org, limit=300),
        people=people,
    )


def _save_inspection(request, form, inspection=None):
    if not form.is_valid():
        return None
    d = form.cleaned_data
    data = {k: d[k] for k in services.INSPECTION_FIELDS}
    if inspection is None:
        call = ServiceCall(
            form,
            services.inspection_create,
            actor=request.user,
            data=data,
            targets=list(d["targets"]),
            inspectors=list(d["inspectors"]),
        )
    else:
        call = ServiceCall(
            form,
            services.inspection_update,
            actor=request.user,
            inspection=inspection,
            data=data,
            targets=list(d["targets"]),
            inspectors=list(d["inspectors"]),
            expected_version=d.get("version"),
        )
    form.conflict = call.conflict
    return call.result if call.ok else None


@login_required
def inspection_create(request):
    writable = writable_orgs(request.user)
    if not writable.exists():
        raise PermissionDenied("您无权登记督导检查")
    if request.method == "POST":
        form = _inspection_form(request, data=request.POST)
        saved = _save_inspection(request, form)
        if saved is not None:
            messages.success(request, f"已登记督导检查“{saved.name}”。可在下方登记检查记录和反馈问题。")
            return redirect("supervision:inspection_detail", pk=saved.pk)
    else:
        from core.scope import Scope

        home = Scope.of(request.user).home_organization
        org = home if home is not None and writable.filter(pk=home.pk).exists() else None
        form = _inspection_form(
            request, initial={"organization": org, "start_on": timezone.localdate(), "methods": ["field"]}
        )
    return _form_page(request, "inspection", form, title="登记督导检查")


@login_required
def inspection_edit(request, pk):
    return _edit(
        request,
        policy_for(Inspection).get_for(request.user, "change", pk=pk),
        "inspection",
        _inspection_form,
        _save_inspection,
        label=lambda i: i.name,
        saved_message=lambda i: f"已保存督导检查“{i.name}”。",
    )


def _form_page(request, name: str, form, *, title: str, crumb: str = "", obj=None, label: str = ""):
    """The create (obj None) or edit page of an inspection or a secretary's report."""
    if obj is None:
        breadcrumbs = [GROUP, _crumb(f"{name}_list"), (crumb or title, None)]
    else:
        breadcrumbs = [GROUP, _crumb(f"{name}_list"), (label, obj.get_absolute_url()), ("编辑", None)]
    context = {"page_title": title, "breadcrumbs": breadcrumbs, "form": form}
    if obj is not None:
        context["object"] = obj
    context["conflict"] = getattr(form, "conflict", None)
    return render(request, f"supervision/{name}_form.html", context)


def _edit(request, obj, name: str, make_form, save, *, label, saved_message):
    """Edit `obj` (already checked for "change") with its form; optimistic locking by version."""
    if request.method == "POST":
        form = make_form(request, data=request.POST, instance=obj)
        saved = save(request, form, obj)
        if saved is not None:
            messages.success(request, saved_message(saved))
            return redirect(f"supervision:{name}_detail", pk=saved.pk)
    else:
        form = make_form(request, instance=obj)
        form.initial["version"] = obj.version
    return _form_page(request, name, form, title=f"编辑：{label(obj)}", obj=obj, label=label(obj))


def _delete(request, delete, what: str, name: str, pk):
    """Soft-delete through `delete()`; back to the detail page with the reason when refused."""
    try:
        delete()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(f"supervision:{name}_detail", pk=pk)
    messages.success(request, f"已删除{what}，可在回收站中恢复。")
    return redirect(f"supervision:{name}_list")


@login_required
@require_POST
def inspection_delete(request, pk):
    inspection = policy_for(Inspection).get_for(request.user, "delete", pk=pk)
    return _delete(
        request,
        lambda: services.inspection_delete(actor=request.user, inspection=inspection),
        f"督导检查“{inspection.name}”",
        "inspection",
        pk,
    )


def _inspection_context(request, inspection, *, findings=None, visit_form=None):
    policy = policy_for(Inspection)
    can_change = policy.can(request.user, "change", inspection)
    targets = inspection.targets.order_by("path")
    if findings is None and can_change:
        findings = findings_form(
            request.user,
            organizations=targets,
            initial={"found_on": inspection.feedback_on or timezone.localdate()},
        )
    if visit_form is None and can_change:
        visit_form = VisitForm(targets=targets, initial={"visited_on": timezone.localdate(), "method": "field"})
    problems = list(_problems_of(request.user, inspection=inspection))
    return {
        "page_title": inspection.name,
        "breadcrumbs": [GROUP, _crumb("inspection_list"), (inspection.name, None)],
        "inspection": inspection,
        "targets": list(targets),
        "inspectors": list(inspection.inspectors.order_by("name")),
        "visits": list(
            selectors.visits_visible(request.user)
            .filter(inspection=inspection)
            .select_related("organization")
            .order_by("visited_on", "id")
        ),
        "problems": problems,
        "open_count": sum(p.is_open for p in problems),
        "meetings": list(selectors.meetings_responding(request.user, inspection)),
        "can_change": can_change,
        "can_delete": policy.can(request.user, "delete", inspection),
        "findings_form": findings,
        "visit_form": visit_form,
        "ledger_url": selectors.ledger_url(inspection=inspection.pk),
        "audit_entries": entries_for(inspection).select_related("content_type")[:30],
        "today": timezone.localdate(),
    }


@login_required
def inspection_detail(request, pk):
    inspection = policy_for(Inspection).get_or_404(
        request.user, queryset=Inspection.objects.select_related("organization", "created_by"), pk=pk
    )
    return render(request, "supervision/inspection_detail.html", _inspection_context(request, inspection))


@login_required
@require_POST
def inspection_findings(request, pk):
    """The inspection's findings become problems of the ledger in one step."""
    inspection = policy_for(Inspection).get_for(request.user, "change", pk=pk)
    targets = inspection.targets.order_by("path")
    org = targets.filter(pk=request.POST.get("organization") or 0).first()
    form = findings_form(request.user, data=request.POST, organizations=targets, org=org)
    created = create_findings(request, form, {"source": ProblemSource.INSPECTION, "inspection": inspection})
    if created is not None:
        messages.success(
            request, f"已将 {len(created)} 条反馈问题登记到问题整改台账（{created[0].organization.name}）。"
        )
        return redirect(reverse("supervision:inspection_detail", args=[pk]) + "#problems")
    context = _inspection_context(request, inspection, findings=form)
    return render(request, "supervision/inspection_detail.html", context)


@login_required
@require_POST
def visit_add(request, pk):
    inspection = policy_for(Inspection).get_for(request.user, "change", pk=pk)
    targets = inspection.targets.order_by("path")
    form = VisitForm(request.POST, targets=targets)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.visit_add(
                actor=request.user,
                inspection=inspection,
                organization=d["organization"],
                visited_on=d["visited_on"],
                method=d["method"],
                note=d["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "已登记检查记录。")
            return redirect(reverse("supervision:inspection_detail", args=[pk]) + "#visits")
    context = _inspection_context(request, inspection, visit_form=form)
    return render(request, "supervision/inspection_detail.html", context)


@login_required
@require_POST
def visit_delete(request, pk):
    visits = InspectionVisit.objects.filter(inspection__in=selectors.inspections_visible(request.user).values("pk"))
    try:
        visit = visits.select_related("inspection").get(pk=pk)
    except InspectionVisit.DoesNotExist:
        from django.http import Http404

        raise Http404("记录不存在或您无权访问") from None
    if not policy_for(Inspection).can(request.user, "change", visit.inspection):
        raise PermissionDenied("您无权删除该检查记录")
    services.visit_delete(actor=request.user, visit=visit)
    messages.success(request, "已删除检查记录。")
    return redirect(reverse("supervision:inspection_detail", args=[visit.inspection_id]) + "#visits")


@login_required
def visit_list(request):
    require_roles(request.user, *READ_ROLES)
    qs, filters = selectors.visits_from_params(request.user, request.GET)
    return list_page(
        request,
        "supervision/visit_list.html",
        qs,
        filters,
        title="检查记录",
        items="visits",
        breadcrumbs=[GROUP, _crumb("inspection_list"), ("检查记录", None)],
        methods=InspectionMethod.choices,
    )


# ====================================================================== secretaries' reports


@login_required
def report_list(request):
    require_roles(request.user, *READ_ROLES)
    qs, filters = selectors.reports_from_params(request.user, request.GET)
    return list_page(
        request,
        "supervision/report_list.html",
        selectors.with_problem_counts(qs),
        filters,
        title="书记述职评议",
        items="reports",
        can_add=writable_orgs(request.user).exists(),
    )


def _secretaries_for(user, org: Organization | None, instance: SecretaryReport | None = None):
    """People who may be the reporting secretary: the organization's subtree; sitting 书记 first."""
    people = visible_people(user)
    if org is not None:
        return people.filter(org_path__startswith=org.path)
    sitting = Q(posts__post=PostType.SECRETARY, posts__end_on__isnull=True)
    return people.filter(sitting).distinct() if instance is None else people


def _report_form(request, *, data=None, instance=None, initial=None):
    writable = writable_orgs(request.user)
    org = instance.organization if instance is not None else (initial or {}).get("organization")
    if data is not None and str(data.get("organization", "")).isdigit():
        org = writable.filter(pk=data["organization"]).first() or org
    return SecretaryReportForm(
        data,
        instance=instance,
        initial=initial,
        organizations=writable,
        organization_options=org_selectors.organization_options(writable, org, limit=300),
        secretaries=_secretaries_for(request.user, org, instance),
    )


def _save_report(request, form, report=None):
    if not form.is_valid():
        return None
    d = form.cleaned_data
    data = {k: d[k] for k in services.REPORT_FIELDS}
    if report is None:
        call = ServiceCall(form, services.report_create, actor=request.user, data=data)
    else:
        call = ServiceCall(
            form,
            services.report_update,
            actor=request.user,
            report=report,
            data=data,
            expected_version=d.get("version"),
        )
    form.conflict = call.conflict
    return call.result if call.ok else None


@login_required
def report_create(request):
    writable = writable_orgs(request.user)
    if not writable.exists():
        raise PermissionDenied("您无权登记述职评议")
    if request.method == "POST":
        form = _report_form(request, data=request.POST)
        saved = _save_report(request, form)
        if saved is not None:
            messages.success(request, f"已登记{saved}。可上传述职报告文件，并把查摆的问题登记到整改台账。")
            return redirect("supervision:report_detail", pk=saved.pk)
    else:
        org = None
        if request.GET.get("org"):
            org = policy_for(Organization).get_for(request.user, "change", pk=request.GET["org"])
        today = timezone.localdate()
        form = _report_form(
            request,
            initial={"organization": org, "held_on": today, "year": today.year - 1 if today.month <= 3 else today.year},
        )
    return _form_page(request, "report", form, title="登记书记述职评议", crumb="登记述职评议")


@login_required
def report_edit(request, pk):
    return _edit(
        request,
        policy_for(SecretaryReport).get_for(request.user, "change", pk=pk),
        "report",
        _report_form,
        _save_report,
        label=str,
        saved_message=lambda r: f"已保存{r}。",
    )


@login_required
@require_POST
def report_delete(request, pk):
    report = policy_for(SecretaryReport).get_for(request.user, "delete", pk=pk)
    return _delete(
        request, lambda: services.report_delete(actor=request.user, report=report), str(report), "report", pk
    )


def _report_context(request, report, *, findings=None):
    policy = policy_for(SecretaryReport)
    can_change = policy.can(request.user, "change", report)
    orgs = Organization.objects.filter(pk=report.organization_id)
    if findings is None and can_change:
        findings = findings_form(
            request.user,
            organizations=orgs,
            org=report.organization,
            initial={
                "organization": report.organization,
                "found_on": report.held_on,
                "responsible_person": report.secretary,
            },
        )
    return {
        "page_title": str(report),
        "breadcrumbs": [GROUP, _crumb("report_list"), (str(report), None)],
        "report": report,
        "problems": list(_problems_of(request.user, secretary_report=report)),
        "can_change": can_change,
        "can_delete": policy.can(request.user, "delete", report),
        "findings_form": findings,
        "ledger_url": selectors.ledger_url(report=report.pk),
        "audit_entries": entries_for(report).select_related("content_type")[:30],
        "today": timezone.localdate(),
    }


@login_required
def report_detail(request, pk):
    report = policy_for(SecretaryReport).get_or_404(
        request.user, queryset=SecretaryReport.objects.select_related("organization", "secretary"), pk=pk
    )
    return render(request, "supervision/report_detail.html", _report_context(request, report))


@login_required
@require_POST
def report_problems(request, pk):
    """The problems found in a secretary's report go straight into the ledger."""
    report = policy_for(SecretaryReport).get_for(request.user, "change", pk=pk)
    orgs = Organization.objects.filter(pk=report.organization_id)
    form = findings_form(request.user, data=request.POST, organizations=orgs, org=report.organization)
    created = create_findings(request, form, {"source": ProblemSource.SECRETARY_REPORT, "secretary_report": report})
    if created is not None:
        messages.success(request, f"已将 {len(created)} 条问题登记到问题整改台账。")
        return redirect(reverse("supervision:report_detail", args=[pk]) + "#problems")
    return render(request, "supervision/report_detail.html", _report_context(request, report, findings=form))
