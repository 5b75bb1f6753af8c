"""年度组织生活计划 pages: list, detail (planned vs held), generate, edit items. Thin views."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.forms import BootstrapFormMixin
from core.models import AuditEntry
from core.scope import READ_ROLES, WRITE_ROLES, policy_for
from core.viewutils import ServiceCall, paginate, require_roles
from meetings import plans
from meetings.models import LifePlan, LifePlanItem, MeetingKind
from meetings.obligations import KIND_LABELS, owes_kind, writable_organizations
from orgs.models import Organization

PLANS_CRUMBS = [("组织生活", None), ("年度计划", None)]


def _plans_crumb():
    return ("年度计划", reverse("meetings:plan_list"))


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class PlanItemForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="会议类型")
    planned_on = forms.DateField(label="计划日期", widget=forms.DateInput())
    topic = forms.CharField(label="拟定主题", max_length=200, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, plan: LifePlan, **kwargs):
        super().__init__(*args, **kwargs)
        org = plan.organization
        choices = [
            (value, label)
            for value, label in MeetingKind.choices
            if owes_kind(org, value)
            and not (value == MeetingKind.BRANCH_COMMITTEE and not org.has_committee)
            and not (value == MeetingKind.CELL and not org.has_cells)
        ]
        self.fields["kind"].choices = [("", "请选择")] + choices
        rules = plans.kind_help(org, plan.year)
        if rules:
            self.fields["kind"].help_text = "规则要求：" + "；".join(rules)
        self.fields["planned_on"].help_text = f"{plan.year}年内的日期"


# ------------------------------------------------------------------ list


@login_required
def plan_list(request):
    require_roles(request.user, *READ_ROLES)
    qs = (
        policy_for(LifePlan)
        .visible(request.user)
        .select_related("organization")
        .annotate(item_count=Count("items"))
        .order_by("-year", "organization__path")
    )
    year = _int(request.GET.get("year"))
    if year:
        qs = qs.filter(year=year)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(organization__name__icontains=q) | Q(organization__name_initials__icontains=q.lower()))
    page = paginate(request, qs)
    writable = list(writable_organizations(request.user))
    this_year = timezone.localdate().year
    return render(
        request,
        "meetings/plan_list.html",
        {
            "page_title": "年度组织生活计划",
            "breadcrumbs": PLANS_CRUMBS,
            "page_obj": page,
            "year": year,
            "q": q,
            "writable": writable,
            "years": list(range(this_year + 1, plans.MIN_YEAR - 1, -1)),
            "default_year": this_year if timezone.localdate().month < 12 else this_year + 1,
        },
    )


# ------------------------------------------------------------------ generate


@login_required
@require_POST
def plan_generate(request):
    require_roles(request.user, *WRITE_ROLES)
    org = policy_for(Organization).get_or_404(request.user, "view", pk=_int(request.POST.get("organization")))
    if not policy_for(LifePlan).can_add(request.user, org):
        raise PermissionDenied("您无权为该党组织制定计划")
    year = _int(request.POST.get("year"))
    if year is None:
        messages.error(request, "请选择年度")
        return redirect("meetings:plan_list")
    existing = LifePlan.objects.filter(organization=org, year=year).first()
    try:
        plan = plans.life_plan_generate(actor=request.user, organization=org, year=year)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        if existing is not None:
            return redirect("meetings:plan_detail", pk=existing.pk)
        return redirect("meetings:plan_list")
    messages.success(request, f"已生成{org.name}{year}年度组织生活计划，共{plan.items.count()}项，可按实际调整。")
    return redirect("meetings:plan_detail", pk=plan.pk)


# ------------------------------------------------------------------ detail


def _history(plan: LifePlan, item_ids: list[int]):
    plan_ct = ContentType.objects.get_for_model(LifePlan)
    item_ct = ContentType.objects.get_for_model(LifePlanItem)
    return (
        AuditEntry.objects.filter(
            Q(content_type=plan_ct, object_id=str(plan.pk))
            | Q(content_type=item_ct, object_id__in=[str(i) for i in item_ids])
            | Q(action=plans.ITEM_DELETED, organization_id=plan.organization_id, object_repr__startswith=str(plan))
        )
        .select_related("actor")
        .order_by("-at", "-id")[:100]
    )


@login_required
def plan_detail(request, pk):
    policy = policy_for(LifePlan)
    plan = policy.get_or_404(request.user, queryset=LifePlan.objects.select_related("organization"), pk=pk)
    progress = plans.plan_progress(plan)
    return render(
        request,
        "meetings/plan_detail.html",
        {
            "page_title": str(plan),
            "breadcrumbs": [("组织生活", None), _plans_crumb(), (str(plan), None)],
            "plan": plan,
            "progress": progress,
            "summary": plans.plan_summary(progress),
            "can_change": policy.can(request.user, "change", plan),
            "audit_entries": _history(plan, [p.item.pk for p in progress]),
        },
    )


# ------------------------------------------------------------------ items


def _item_form_page(request, *, plan, form, title):
    return render(
        request,
        "meetings/plan_item_form.html",
        {
            "page_title": title,
            "breadcrumbs": [
                ("组织生活", None),
                _plans_crumb(),
                (str(plan), reverse("meetings:plan_detail", args=[plan.pk])),
                (title, None),
            ],
            "plan": plan,
            "form": form,
        },
    )


@login_required
def plan_item_add(request, pk):
    plan = policy_for(LifePlan).get_for(
        request.user, "change", queryset=LifePlan.objects.select_related("organization"), pk=pk
    )
    form = PlanItemForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        call = ServiceCall(form, plans.life_plan_item_add, actor=request.user, plan=plan, data=form.cleaned_data)
        if call.ok:
            messages.success(request, "已添加计划事项。")
            return redirect("meetings:plan_detail", pk=plan.pk)
    return _item_form_page(request, plan=plan, form=form, title="添加计划事项")


def _item_for(request, pk, action: str) -> LifePlanItem:
    item = get_object_or_404(LifePlanItem.objects.select_related("plan__organization"), pk=pk)
    item.plan = policy_for(LifePlan).get_for(
        request.user, action, queryset=LifePlan.objects.select_related("organization"), pk=item.plan_id
    )
    return item


@login_required
def plan_item_edit(request, pk):
    item = _item_for(request, pk, "change")
    plan = item.plan
    initial = {"kind": item.kind, "planned_on": item.planned_on, "topic": item.topic, "note": item.note}
    form = PlanItemForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        call = ServiceCall(form, plans.life_plan_item_update, actor=request.user, item=item, data=form.cleaned_data)
        if call.ok:
            messages.success(request, "已保存。")
            return redirect("meetings:plan_detail", pk=plan.pk)
    return _item_form_page(
        request, plan=plan, form=form, title=f"修改计划事项：{item.planned_on:%Y-%m-%d} {KIND_LABELS[item.kind]}"
    )


@login_required
@require_POST
def plan_item_delete(request, pk):
    item = _item_for(request, pk, "delete")
    plans.life_plan_item_delete(actor=request.user, item=item)
    messages.success(request, "已删除计划事项。")
    return redirect("meetings:plan_detail", pk=item.plan.pk)
