"""党员先锋 / 党员先锋科室: rounds, nominations, the committee's decision, the 公示 and the result;
the public-notice pages for everyone, and the list of those selected (先锋名单)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.audit import entries_for
from core.periods import Period, PeriodError
from core.scope import ADMIN_ROLES, READ_ROLES, Scope, policy_for
from core.viewutils import ServiceCall, paginate, require_roles
from meetings.models import Meeting, MeetingKind
from orgs import selectors as org_selectors
from orgs.models import Department, Organization
from points import services
from points.forms import (
    OPTION_LIMIT,
    CompleteForm,
    DecideForm,
    NominationAddForm,
    NominationForm,
    PublishForm,
    RevokeForm,
    RoundForm,
)
from points.models import RoundStatus, VanguardKind, VanguardNomination, VanguardRound
from points.policies import notice_visible
from points.selectors import ScoreRules, people_in_scope

GROUP = ("考核评价", None)


def _rounds_crumb():
    return ("先锋评选", reverse("points:round_list"))


def notice_state(rnd: VanguardRound, today=None) -> str:
    """公示 wording for a round: 待公示 / 公示中 / 公示期满 / 已公布结果."""
    today = today or timezone.localdate()
    if rnd.status == RoundStatus.COMPLETED:
        return "已公布结果"
    if rnd.status != RoundStatus.PUBLICIZED:
        return rnd.get_status_display()
    if today < rnd.notice_start:
        return "待公示"
    if today <= rnd.notice_end:
        return "公示中"
    return "公示期满，待公布结果"


# ------------------------------------------------------------------ rounds


@login_required
def round_list(request):
    scope = require_roles(request.user, *READ_ROLES)
    qs = policy_for(VanguardRound).visible(request.user).select_related("organization")
    page = paginate(request, qs)
    for r in page.object_list:
        r.state = notice_state(r)
    return render(
        request,
        "points/round_list.html",
        {
            "page_title": "党员先锋评选",
            "breadcrumbs": [GROUP, ("先锋评选", None)],
            "page_obj": page,
            "rounds": page.object_list,
            "can_add": scope.has_role(*ADMIN_ROLES),
        },
    )


def _admin_orgs(user):
    q = Scope.of(user).org_q("path", ADMIN_ROLES)
    qs = Organization.objects.filter(org_type__in=["committee", "general_branch"]).order_by("path")
    return qs if q is None else qs.filter(q)


@login_required
def round_create(request):
    require_roles(request.user, *ADMIN_ROLES)
    orgs = _admin_orgs(request.user)
    today = timezone.localdate()
    if request.method == "POST":
        form = RoundForm(request.POST, organizations=orgs)
        if form.is_valid():
            call = ServiceCall(form, services.round_create, actor=request.user, **form.cleaned_data)
            if call.ok:
                messages.success(request, f"已创建“{call.result.title}”，下一步：按积分提名。")
                return redirect("points:round_detail", pk=call.result.pk)
    else:
        half = 1 if today.month <= 6 else 2
        form = RoundForm(
            organizations=orgs,
            initial={"organization": orgs.first(), "year": today.year, "half": half, "kind": VanguardKind.MEMBER},
        )
    return render(
        request,
        "points/round_form.html",
        {"page_title": "新建先锋评选", "breadcrumbs": [GROUP, _rounds_crumb(), ("新建", None)], "form": form},
    )


def _nomination_rows(rnd: VanguardRound) -> list[VanguardNomination]:
    return list(
        rnd.nominations.select_related("person", "person__organization", "department", "appraisal_meeting").order_by(
            "-selected", "rank", "id"
        )
    )


def _detail(request, rnd: VanguardRound, *, decide_form=None, publish_form=None, complete_form=None, status=200):
    policy = policy_for(VanguardRound)
    nominations = _nomination_rows(rnd)
    can_change = policy.can(request.user, "change", rnd)
    today = timezone.localdate()
    if decide_form is None:
        decide_form = DecideForm(
            nominations=nominations,
            initial={"selected": [n.pk for n in nominations if n.selected], "version": rnd.version},
        )
    if publish_form is None:
        start = max(today, rnd.decided_on or today)
        publish_form = PublishForm(
            initial={"notice_start": start, "notice_end": services.notice_end_default(rnd, start)}
        )
    if complete_form is None:
        complete_form = CompleteForm()
    rules = ScoreRules.for_year(rnd.year)
    return render(
        request,
        "points/round_detail.html",
        {
            "page_title": rnd.title,
            "breadcrumbs": [GROUP, _rounds_crumb(), (rnd.title, None)],
            "round": rnd,
            "state": notice_state(rnd),
            "nominations": nominations,
            "selected_count": sum(n.selected for n in nominations),
            "can_change": can_change,
            "decide_form": decide_form,
            "publish_form": publish_form,
            "complete_form": complete_form,
            "revoke_form": RevokeForm(),
            "today": today,
            "rules": rules,
            "eligible_grades": "或".join(
                services.RuleSet("points.").get("points.vanguard.eligible_grades", rnd.year, default=["优秀"])
            ),
            "audit_entries": entries_for(rnd)[:30],
            "ranking_url": reverse("points:ranking") + f"?org={rnd.organization_id}&period={rnd.period_code}",
        },
        status=status,
    )


def _round(request, pk, action="view") -> VanguardRound:
    return policy_for(VanguardRound).get_for(
        request.user, action, queryset=VanguardRound.objects.select_related("organization"), pk=pk
    )


@login_required
def round_detail(request, pk):
    return _detail(request, _round(request, pk))


def _run(request, rnd, func, success: str, **kwargs):
    try:
        result = func(actor=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return None
    messages.success(request, success.format(result=result))
    return result


@login_required
@require_POST
def round_nominate(request, pk):
    rnd = _round(request, pk, "change")
    count = request.POST.get("count", "")
    _run(
        request,
        rnd,
        services.round_nominate_from_points,
        "已按积分提名 {result} 个。请登记民主评议等次（科室核实条件）后研究决定。",
        round=rnd,
        count=int(count) if count.isdigit() and int(count) > 0 else None,
    )
    return redirect("points:round_detail", pk=rnd.pk)


@login_required
def nomination_add(request, pk):
    rnd = _round(request, pk, "change")
    people = people_in_scope(None).filter(
        org_path__startswith=rnd.org_path, party_status__in=ScoreRules.for_year(rnd.year).statuses
    )
    people = people.select_related("organization")
    departments = Department.objects.filter(people__org_path__startswith=rnd.org_path).distinct()
    chosen = None
    if request.GET.get("person", "").isdigit():
        chosen = people.filter(pk=request.GET["person"]).first()
    options = list(people.order_by("org_path", "name")[:OPTION_LIMIT])
    if chosen is not None and chosen not in options:
        options.insert(0, chosen)
    kwargs = {"round": rnd, "people": people, "options": options, "departments": departments}
    form = NominationAddForm(request.POST or None, initial={"person": chosen}, **kwargs)
    if request.method == "POST" and form.is_valid():
        call = ServiceCall(
            form,
            services.nomination_add,
            actor=request.user,
            round=rnd,
            person=form.cleaned_data.get("person"),
            department=form.cleaned_data.get("department"),
            deeds=form.cleaned_data["deeds"],
        )
        if call.ok:
            messages.success(request, f"已提名“{call.result.name}”。")
            return redirect("points:round_detail", pk=rnd.pk)
    return render(
        request,
        "points/nomination_form.html",
        {
            "page_title": f"推荐提名：{rnd.title}",
            "breadcrumbs": [
                GROUP,
                _rounds_crumb(),
                (rnd.title, reverse("points:round_detail", args=[rnd.pk])),
                ("推荐提名", None),
            ],
            "form": form,
            "round": rnd,
        },
    )


def _nomination(request, pk, action="change") -> VanguardNomination:
    nomination = (
        VanguardNomination.objects.select_related("round", "round__organization", "person", "department")
        .filter(pk=pk)
        .first()
    )
    if nomination is None:
        from django.http import Http404

        raise Http404("记录不存在或您无权访问")
    policy_for(VanguardRound).get_for(request.user, action, pk=nomination.round_id)
    return nomination


def _appraisal_meetings(nomination: VanguardNomination):
    if not nomination.person_id:
        return Meeting.objects.none()
    path = nomination.person.org_path
    ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "."]
    return Meeting.objects.filter(kind=MeetingKind.APPRAISAL, org_path__in=ancestors).order_by("-held_on")[:20]


@login_required
def nomination_edit(request, pk):
    nomination = _nomination(request, pk)
    rnd = nomination.round
    meetings = Meeting.objects.filter(pk__in=[m.pk for m in _appraisal_meetings(nomination)]).order_by("-held_on")
    initial = {
        "appraisal_grade": nomination.appraisal_grade,
        "appraisal_meeting": nomination.appraisal_meeting_id,
        "criteria_met": nomination.criteria_met,
        "criteria_note": nomination.criteria_note,
        "deeds": nomination.deeds,
    }
    form = NominationForm(request.POST or None, initial=initial, nomination=nomination, meetings=meetings)
    if request.method == "POST" and form.is_valid():
        call = ServiceCall(
            form, services.nomination_update, actor=request.user, nomination=nomination, data=form.cleaned_data
        )
        if call.ok:
            messages.success(request, f"已保存“{nomination.name}”的提名信息。")
            return redirect("points:round_detail", pk=rnd.pk)
    return render(
        request,
        "points/nomination_form.html",
        {
            "page_title": f"提名信息：{nomination.name}",
            "breadcrumbs": [
                GROUP,
                _rounds_crumb(),
                (rnd.title, reverse("points:round_detail", args=[rnd.pk])),
                (nomination.name, None),
            ],
            "form": form,
            "round": rnd,
            "nomination": nomination,
        },
    )


@login_required
@require_POST
def nomination_remove(request, pk):
    nomination = _nomination(request, pk)
    _run(
        request, nomination.round, services.nomination_remove, f"已移除提名“{nomination.name}”。", nomination=nomination
    )
    return redirect("points:round_detail", pk=nomination.round_id)


@login_required
@require_POST
def nomination_revoke(request, pk):
    nomination = _nomination(request, pk)
    _run(
        request,
        nomination.round,
        services.nomination_revoke,
        f"已取消“{nomination.name}”的当选。",
        nomination=nomination,
        reason=request.POST.get("reason", ""),
    )
    return redirect("points:round_detail", pk=nomination.round_id)


@login_required
@require_POST
def round_decide(request, pk):
    rnd = _round(request, pk, "change")
    form = DecideForm(request.POST, nominations=list(rnd.nominations.select_related("person", "department")))
    if form.is_valid():
        call = ServiceCall(
            form,
            services.round_decide,
            actor=request.user,
            round=rnd,
            selected=form.cleaned_data["selected"],
            decided_on=form.cleaned_data["decided_on"],
            decision_note=form.cleaned_data["decision_note"],
            expected_version=form.cleaned_data.get("version"),
        )
        if call.ok:
            messages.success(request, "已记录研究决定。下一步：发布公示。")
            return redirect("points:round_detail", pk=rnd.pk)
        if call.conflict is not None:
            messages.error(request, str(call.conflict))
            return redirect("points:round_detail", pk=rnd.pk)
    return _detail(request, rnd, decide_form=form, status=400)


@login_required
@require_POST
def round_publish(request, pk):
    return _round_form_post(
        request,
        pk,
        PublishForm,
        services.round_publish,
        "publish_form",
        lambda done: (
            f"已发布公示：{done.notice_start:%Y-%m-%d} 至 {done.notice_end:%Y-%m-%d}，全体人员可在“公示公告”查看。"
        ),
    )


@login_required
@require_POST
def round_complete(request, pk):
    return _round_form_post(
        request, pk, CompleteForm, services.round_complete, "complete_form", lambda done: "已公布评选结果。"
    )


def _round_form_post(request, pk, form_class, func, form_key: str, success):
    """A round's step posted with a form: `func(actor, round, **cleaned_data)`; errors go back on the
    form in the detail page (400), success (`success(result)` as the message) back to the detail."""
    rnd = _round(request, pk, "change")
    form = form_class(request.POST)
    if form.is_valid():
        call = ServiceCall(form, func, actor=request.user, round=rnd, **form.cleaned_data)
        if call.ok:
            messages.success(request, success(call.result))
            return redirect("points:round_detail", pk=rnd.pk)
        if call.conflict is not None:
            messages.error(request, str(call.conflict))
            return redirect("points:round_detail", pk=rnd.pk)
    return _detail(request, rnd, **{form_key: form}, status=400)


# ------------------------------------------------------------------ 公示 (everyone)


@login_required
def notice_list(request):
    qs = notice_visible(request.user).select_related("organization").order_by("-notice_start", "-id")
    page = paginate(request, qs)
    for r in page.object_list:
        r.state = notice_state(r)
    return render(
        request,
        "points/notice_list.html",
        {
            "page_title": "先锋评选公示",
            "breadcrumbs": [GROUP, ("评选公示", None)],
            "page_obj": page,
            "rounds": page.object_list,
        },
    )


@login_required
def notice_detail(request, pk):
    from django.http import Http404

    rnd = notice_visible(request.user).select_related("organization").filter(pk=pk).first()
    if rnd is None:
        raise Http404("公示不存在或您无权查看")
    selected = list(
        rnd.nominations.filter(selected=True).select_related(
            "person", "person__organization", "person__department", "department"
        )
    )
    revoked = list(rnd.nominations.exclude(revoked_reason="").select_related("person", "department"))
    return render(
        request,
        "points/notice_detail.html",
        {
            "page_title": rnd.title + ("结果公布" if rnd.status == RoundStatus.COMPLETED else "公示"),
            "breadcrumbs": [GROUP, ("评选公示", reverse("points:notice_list")), (rnd.title, None)],
            "round": rnd,
            "state": notice_state(rnd),
            "selected": selected,
            "revoked": revoked,
        },
    )


# ------------------------------------------------------------------ 先锋名单 (the statistics' list)


@login_required
def vanguard_list(request):
    """Those selected (公示 published or result announced), filtered like the statistics:
    org (nominee filed under its subtree), period (rounds whose period ends in it), kind."""
    from points.stats import selected_nominations

    require_roles(request.user, *READ_ROLES)
    errors = []
    org = None
    if request.GET.get("org"):
        org = policy_for(Organization).get_or_404(request.user, pk=request.GET["org"])
    period = None
    if request.GET.get("period"):
        try:
            period = Period.parse(request.GET["period"])
        except PeriodError as exc:
            errors.append(f"{exc}，已忽略")
    kind = request.GET.get("kind", "")
    if kind and kind not in VanguardKind.values:
        errors.append(f"未知的类别“{kind}”，已忽略")
        kind = ""
    qs = selected_nominations(request.user, period=period, organization=org, kind=kind).select_related(
        "round", "person", "person__organization", "department"
    )
    page = paginate(request, qs.order_by("-round__year", "-round__half", "round__kind", "rank", "id"))
    return render(
        request,
        "points/vanguard_list.html",
        {
            "page_title": "党员先锋名单",
            "breadcrumbs": [GROUP, _rounds_crumb(), ("先锋名单", None)],
            "page_obj": page,
            "rows": page.object_list,
            "org": org,
            "period": period,
            "kind": kind,
            "errors": errors,
            "params": request.GET,
            "orgs": org_selectors.filter_organizations(request.user, org),
            "kinds": VanguardKind.choices,
        },
    )
