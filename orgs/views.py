"""Thin views: parse input, call a selector or service, render. Scope through the policies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.audit import entries_for, mask_id_number
from core.rules import RuleSet
from core.scope import READ_ROLES, Scope, policy_for
from core.viewutils import ServiceCall, apply_validation_error, paginate, require_roles
from orgs import selectors, services
from orgs.forms import (
    DepartmentForm,
    HandoverCompleteForm,
    OrganizationForm,
    PersonForm,
    PostAssignForm,
    PostEndForm,
    UnitForm,
)
from orgs.models import Department, Handover, Organization, OrgType, PartyPost, PartyStatus, Person, Unit

ORG_CRUMB = ("党组织", "/orgs/organizations/")
PEOPLE_CRUMB = ("人员台账", "/orgs/people/")


def _form_fields(form):
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


# ------------------------------------------------------------------ organizations


@login_required
def organization_list(request):
    require_roles(request.user, *READ_ROLES)
    q = request.GET.get("q", "").strip()
    org_type = request.GET.get("org_type", "")
    qs = selectors.organizations_from_params(request.user, request.GET)
    page = paginate(request, qs, 50)
    orgs = list(page.object_list)
    counts = selectors.full_member_counts(orgs)
    rules = RuleSet("org.")
    rows = [
        {
            "org": org,
            "full_members": counts.get(org.pk, 0),
            "committee": selectors.committee_check(org, counts.get(org.pk, 0), rules),
            "term": selectors.term_status(org, rules=rules),
        }
        for org in orgs
    ]
    can_add = policy_for(Organization).can_add(request.user, Scope.of(request.user).home_organization)
    return render(
        request,
        "orgs/organization_list.html",
        {
            "page_title": "党组织",
            "breadcrumbs": [("组织与人员", None), ("党组织", None)],
            "page_obj": page,
            "rows": rows,
            "q": q,
            "org_type": org_type,
            "org_types": OrgType.choices,
            "can_add": can_add,
        },
    )


@login_required
def organization_detail(request, pk):
    policy = policy_for(Organization)
    org = policy.get_or_404(request.user, pk=pk)
    full = selectors.full_member_counts([org]).get(org.pk, 0)
    children = selectors.organizations_visible(request.user).filter(parent=org)
    people_count = selectors.people_visible(request.user).filter(org_path__startswith=org.path).count()
    can_change = policy.can(request.user, "change", org)
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "page_title": org.name,
            "breadcrumbs": [ORG_CRUMB, (org.name, None)],
            "org": org,
            "committee": selectors.committee_check(org, full),
            "term": selectors.term_status(org),
            "children": children,
            "people_count": people_count,
            "posts": selectors.posts_of(org),
            "can_change": can_change,
            "can_delete": policy.can(request.user, "delete", org),
            "can_add_child": policy.can_add(request.user, org),
            "audit_entries": entries_for(org)[:20],
            "today": timezone.localdate(),
        },
    )


def _org_form(request, instance=None, initial=None):
    parents = selectors.organizations_visible(request.user, "change")
    if instance is not None:
        parents = parents.exclude(path__startswith=instance.path)
    return OrganizationForm(request.POST or None, instance=instance, initial=initial, parent_queryset=parents)


@login_required
def organization_create(request):
    policy = policy_for(Organization)
    parent = None
    if request.GET.get("parent") or request.POST.get("parent"):
        parent = policy.get_for(request.user, "change", pk=request.GET.get("parent") or request.POST.get("parent"))
    if not policy.can_add(request.user, parent):
        raise PermissionDenied("您无权在此新建党组织")
    form = _org_form(request, initial={"parent": parent})
    if request.method == "POST" and form.is_valid():
        data = _form_fields(form)
        if not policy.can_add(request.user, data.get("parent")):
            form.add_error("parent", "您无权在该组织下新建党组织")
        else:
            try:
                org = services.organization_create(actor=request.user, data=data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"已新建党组织“{org.name}”。")
                return redirect("orgs:organization_detail", pk=org.pk)
    return render(
        request,
        "orgs/organization_form.html",
        {"page_title": "新建党组织", "breadcrumbs": [ORG_CRUMB, ("新建", None)], "form": form},
    )


@login_required
def organization_edit(request, pk):
    policy = policy_for(Organization)
    org = policy.get_for(request.user, "change", pk=pk)
    form = _org_form(request, instance=org)
    if request.method == "GET":
        form.initial["version"] = org.version
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = _form_fields(form)
        if data.get("parent") != org.parent and not policy.can_add(request.user, data.get("parent")):
            form.add_error("parent", "您无权将组织调整到该上级组织下")
        else:
            call = ServiceCall(
                form,
                services.organization_update,
                actor=request.user,
                org=Organization.objects.get(pk=pk),
                data=data,
                expected_version=form.cleaned_data.get("version"),
            )
            conflict = call.conflict
            if call.ok:
                org = call.result
                messages.success(request, "已保存。")
                return redirect("orgs:organization_detail", pk=org.pk)
    return render(
        request,
        "orgs/organization_form.html",
        {
            "page_title": f"编辑：{org.name}",
            "breadcrumbs": [ORG_CRUMB, (org.name, reverse("orgs:organization_detail", args=[org.pk])), ("编辑", None)],
            "form": form,
            "conflict": conflict,
            "object": org,
        },
    )


@login_required
@require_POST
def organization_delete(request, pk):
    org = policy_for(Organization).get_for(request.user, "delete", pk=pk)
    try:
        services.organization_delete(actor=request.user, org=org)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("orgs:organization_detail", pk=pk)
    messages.success(request, f"已删除“{org.name}”，可在回收站中恢复。")
    return redirect("orgs:organization_list")


# ------------------------------------------------------------------ people


@login_required
def person_list(request):
    require_roles(request.user, *READ_ROLES)
    params = request.GET
    qs, org = selectors.people_from_params(request.user, params)
    page = paginate(request, qs)
    return render(
        request,
        "orgs/person_list.html",
        {
            "page_title": "人员台账",
            "breadcrumbs": [("组织与人员", None), ("人员台账", None)],
            "page_obj": page,
            "people": page.object_list,
            "filter_org": org,
            "orgs": selectors.filter_organizations(request.user, org),
            "departments": _filter_departments(params),
            "units": Unit.objects.all(),
            "statuses": PartyStatus.choices,
            "params": params,
            "can_add": policy_for(Person).can_add(request.user, Scope.of(request.user).home_organization)
            or bool(selectors.organizations_visible(request.user, "change").exists()),
            "mask": mask_id_number,
        },
    )


def _filter_departments(params):
    """Departments for the filter: those of the chosen unit, or all when there are few."""
    unit_id = params.get("unit")
    qs = Department.objects.select_related("unit")
    if unit_id and unit_id.isdigit():
        return qs.filter(unit_id=unit_id)
    return qs if qs.count() <= 100 else qs.none()


@login_required
def person_detail(request, pk):
    policy = policy_for(Person)
    person = policy.get_or_404(
        request.user, queryset=Person.objects.select_related("organization", "department", "unit"), pk=pk
    )
    return render(
        request,
        "orgs/person_detail.html",
        {
            "page_title": person.name,
            "breadcrumbs": [PEOPLE_CRUMB, (person.name, None)],
            "person": person,
            "masked_id": mask_id_number(person.id_number),
            "can_view_id": policy.can_view_id_number(request.user, person),
            "can_change": policy.can(request.user, "change", person),
            "can_delete": policy.can(request.user, "delete", person),
            "posts": person.posts.select_related("organization").order_by("-start_on"),
            "handovers": Handover.objects.filter(from_person=person).select_related("post", "to_person"),
            "audit_entries": entries_for(person)[:30],
            "user_account": getattr(person, "user", None) if hasattr(person, "user") else None,
        },
    )


@login_required
@require_POST
def person_reveal_id(request, pk):
    policy = policy_for(Person)
    person = policy.get_or_404(request.user, pk=pk)
    if not policy.can_view_id_number(request.user, person):
        raise Http404
    number = services.person_read_id_number(actor=request.user, person=person)
    return HttpResponse(f'<span id="id-number" class="font-monospace">{number}</span>')


def _person_form(request, instance=None, initial=None):
    show_id = True
    if instance is not None:
        show_id = policy_for(Person).can_view_id_number(request.user, instance)
    return PersonForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        organization_queryset=selectors.organizations_visible(request.user, "change"),
        show_id_number=show_id,
    )


@login_required
def person_create(request):
    policy = policy_for(Person)
    if not selectors.organizations_visible(request.user, "change").exists():
        raise PermissionDenied("您无权新建人员")
    initial = {}
    if request.GET.get("org"):
        initial["organization"] = policy_for(Organization).get_for(request.user, "change", pk=request.GET["org"])
    form = _person_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _form_fields(form)
        if not policy.can_add(request.user, data["organization"]):
            form.add_error("organization", "您无权在该党组织下新建人员")
        else:
            try:
                person = services.person_create(actor=request.user, data=data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"已新建人员“{person.name}”。")
                return redirect("orgs:person_detail", pk=person.pk)
    return render(
        request,
        "orgs/person_form.html",
        {"page_title": "新建人员", "breadcrumbs": [PEOPLE_CRUMB, ("新建", None)], "form": form},
    )


@login_required
def person_edit(request, pk):
    policy = policy_for(Person)
    person = policy.get_for(request.user, "change", pk=pk)
    form = _person_form(request, instance=person)
    if request.method == "GET":
        form.initial["version"] = person.version
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = _form_fields(form)
        if data["organization"] != person.organization and not policy.can_add(request.user, data["organization"]):
            form.add_error("organization", "您无权将人员转入该党组织")
        else:
            call = ServiceCall(
                form,
                services.person_update,
                actor=request.user,
                person=Person.objects.get(pk=pk),
                data=data,
                expected_version=form.cleaned_data.get("version"),
            )
            conflict = call.conflict
            if call.ok:
                person = call.result
                messages.success(request, "已保存。")
                return redirect("orgs:person_detail", pk=person.pk)
    return render(
        request,
        "orgs/person_form.html",
        {
            "page_title": f"编辑：{person.name}",
            "breadcrumbs": [
                PEOPLE_CRUMB,
                (person.name, reverse("orgs:person_detail", args=[person.pk])),
                ("编辑", None),
            ],
            "form": form,
            "conflict": conflict,
            "object": person,
        },
    )


@login_required
@require_POST
def person_delete(request, pk):
    person = policy_for(Person).get_for(request.user, "delete", pk=pk)
    services.person_delete(actor=request.user, person=person)
    messages.success(request, f"已删除“{person.name}”，可在回收站中恢复。")
    return redirect("orgs:person_list")


@login_required
def my_record(request):
    if not request.user.person_id:
        raise Http404("您的账号未关联人员档案")
    return redirect("orgs:person_detail", pk=request.user.person_id)


# ------------------------------------------------------------------ posts and handovers


@login_required
def post_assign(request, org_pk):
    org = policy_for(Organization).get_for(request.user, "change", pk=org_pk)
    people = selectors.people_visible(request.user).filter(org_path__startswith=org.path)
    form = PostAssignForm(request.POST or None, person_queryset=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_assign(actor=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "已登记任职。")
            return redirect("orgs:organization_detail", pk=org.pk)
    return render(
        request,
        "orgs/simple_form.html",
        {
            "page_title": f"{org.name} · 登记任职",
            "breadcrumbs": [
                ORG_CRUMB,
                (org.name, reverse("orgs:organization_detail", args=[org.pk])),
                ("登记任职", None),
            ],
            "form": form,
            "submit_label": "保存",
        },
    )


@login_required
def post_end(request, pk):
    post = policy_for(PartyPost).get_for(
        request.user, "change", queryset=PartyPost.objects.select_related("organization", "person"), pk=pk
    )
    people = (
        selectors.people_visible(request.user)
        .filter(org_path__startswith=post.organization.path)
        .exclude(pk=post.person_id)
    )
    form = PostEndForm(
        request.POST or None, person_queryset=people, initial={"version": post.version, "end_on": timezone.localdate()}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        call = ServiceCall(
            form,
            services.post_end,
            actor=request.user,
            post=post,
            end_on=form.cleaned_data["end_on"],
            successor=form.cleaned_data["successor"],
            handover_items=form.cleaned_data["handover_items"],
            expected_version=form.cleaned_data.get("version"),
        )
        conflict = call.conflict
        if call.ok:
            messages.success(
                request, "已办理离任。" + ("已生成工作交接事项。" if post.post in services.HANDOVER_POSTS else "")
            )
            return redirect("orgs:organization_detail", pk=post.organization_id)
    return render(
        request,
        "orgs/simple_form.html",
        {
            "page_title": f"离任：{post}",
            "breadcrumbs": [
                ORG_CRUMB,
                (post.organization.name, reverse("orgs:organization_detail", args=[post.organization_id])),
                ("离任", None),
            ],
            "form": form,
            "conflict": conflict,
            "submit_label": "确认离任",
        },
    )


@login_required
def handover_list(request):
    require_roles(request.user, *READ_ROLES)
    qs = (
        policy_for(Handover)
        .visible(request.user)
        .select_related("organization", "from_person", "to_person", "post", "tracked_item")
    )
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.filter(completed_on__isnull=True)
    elif state == "done":
        qs = qs.filter(completed_on__isnull=False)
    page = paginate(request, qs)
    return render(
        request,
        "orgs/handover_list.html",
        {
            "page_title": "工作交接",
            "breadcrumbs": [("组织与人员", None), ("工作交接", None)],
            "page_obj": page,
            "state": state,
        },
    )


@login_required
def handover_detail(request, pk):
    policy = policy_for(Handover)
    handover = policy.get_or_404(
        request.user,
        queryset=Handover.objects.select_related("post", "organization", "from_person", "to_person", "tracked_item"),
        pk=pk,
    )
    can_change = policy.can(request.user, "change", handover)
    form = HandoverCompleteForm(request.POST or None, initial={"completed_on": timezone.localdate()})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.handover_complete(actor=request.user, handover=handover, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, "交接已完成。")
                return redirect("orgs:handover_detail", pk=pk)
    from core.tracking import urgency

    item = handover.tracked_item
    return render(
        request,
        "orgs/handover_detail.html",
        {
            "page_title": str(handover),
            "breadcrumbs": [("工作交接", reverse("orgs:handover_list")), (str(handover), None)],
            "handover": handover,
            "item": item,
            "urgency": urgency(item) if item else None,
            "transitions": item.transitions.select_related("actor") if item else [],
            "form": form,
            "can_change": can_change,
            "audit_entries": entries_for(handover),
        },
    )


@login_required
def department_list(request):
    require_roles(request.user, *READ_ROLES)
    from django.db.models import Count, Q

    units = Unit.objects.annotate(n=Count("people", filter=Q(people__deleted_at__isnull=True)))
    departments = Department.objects.select_related("unit", "organization").annotate(
        n=Count("people", filter=Q(people__deleted_at__isnull=True))
    )
    return render(
        request,
        "orgs/department_list.html",
        {
            "page_title": "科室与单位",
            "breadcrumbs": [("组织与人员", None), ("科室与单位", None)],
            "units": units,
            "departments": departments,
        },
    )


DEPT_CRUMB = ("科室与单位", "/orgs/departments/")


def _reference_form(request, *, model, form_class, pk, create, update, label, **form_kwargs):
    """Create or edit a unit or department (administrators only)."""
    policy = policy_for(model)
    instance = policy.get_for(request.user, "change", pk=pk) if pk else None
    if instance is None and not policy.can_add(request.user):
        raise PermissionDenied("只有管理员可以维护科室与单位")
    form = form_class(request.POST or None, instance=instance, **form_kwargs)
    if request.method == "GET" and instance is not None:
        form.initial["version"] = instance.version
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = _form_fields(form)
        if instance is None:
            call = ServiceCall(form, create, actor=request.user, data=data)
        else:
            call = ServiceCall(
                form,
                update,
                actor=request.user,
                obj=model.objects.get(pk=pk),
                data=data,
                version=form.cleaned_data.get("version"),
            )
        conflict = call.conflict
        if call.ok:
            messages.success(request, f"已保存{label}“{data['name']}”。")
            return redirect("orgs:department_list")
    title = f"编辑{label}：{instance}" if instance else f"新建{label}"
    return render(
        request,
        "orgs/simple_form.html",
        {"page_title": title, "breadcrumbs": [DEPT_CRUMB, (title, None)], "form": form, "conflict": conflict},
    )


@login_required
def unit_form(request, pk=None):
    return _reference_form(
        request,
        model=Unit,
        form_class=UnitForm,
        pk=pk,
        create=services.unit_create,
        update=lambda actor, obj, data, version: services.unit_update(
            actor=actor, unit=obj, data=data, expected_version=version
        ),
        label="单位",
    )


@login_required
def department_form(request, pk=None):
    return _reference_form(
        request,
        model=Department,
        form_class=DepartmentForm,
        pk=pk,
        create=services.department_create,
        update=lambda actor, obj, data, version: services.department_update(
            actor=actor, department=obj, data=data, expected_version=version
        ),
        label="科室",
        organization_queryset=selectors.organizations_visible(request.user, "change"),
    )
