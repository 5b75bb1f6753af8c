"""Periodic assessment pages (平时考核): rounds, a round's overview with the grade distribution and
its quota, department heads, a record (self-summary, 德能勤绩廉 scoring, the committee's grade),
the results list, a person's own assessments with their scoring queue, and the year view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessment import periodic_services as services
from assessment import selectors
from assessment.forms import AssessmentRoundOpenForm, GradeForm, HeadsForm, ReasonForm, RecordScoreForm, SummaryForm
from assessment.models import (
    DIMENSION_FIELDS,
    AssessmentRecord,
    AssessmentRound,
    AssessmentStatus,
    Grade,
    RecordStatus,
)
from assessment.policies import ASSESSMENT_READ_ROLES
from assessment.scheme import allowed_count, annual_outcome, percent
from assessment.views import round_action
from core.audit import entries_for
from core.rules import RuleSet
from core.scope import ADMIN_ROLES, Scope, policy_for
from core.viewutils import ServiceCall, apply_validation_error, paginate, require_roles
from orgs import selectors as org_selectors
from orgs.models import Department, Organization, OrgType, Person, Unit

GROUP = ("考核评价", None)
STATUS_BADGES = {
    AssessmentStatus.OPEN: "text-bg-info",
    AssessmentStatus.REVIEW: "text-bg-warning",
    AssessmentStatus.CONFIRMED: "text-bg-success",
}
GRADE_BADGES = {
    Grade.EXCELLENT: "text-bg-success",
    Grade.GOOD: "text-bg-info",
    Grade.FAIR: "text-bg-secondary",
    Grade.POOR: "text-bg-danger",
}


def _crumb():
    return ("平时考核", reverse("assessment:assessment_round_list"))


def _admin(user, rnd: AssessmentRound) -> bool:
    return Scope.of(user).covers(rnd.organization, ADMIN_ROLES)


# ---------------------------------------------------------------------- rounds


@login_required
def assessment_round_list(request):
    scope = require_roles(request.user, *ASSESSMENT_READ_ROLES)
    rounds = (
        selectors.assessment_rounds_visible(request.user)
        .select_related("unit", "organization")
        .annotate(
            n=Count("records", distinct=True),
            summaries=Count("records", filter=~Q(records__status=RecordStatus.PENDING_SUMMARY), distinct=True),
            scored=Count("records", filter=Q(records__total__isnull=False), distinct=True),
            excellent=Count("records", filter=Q(records__final_grade=Grade.EXCELLENT), distinct=True),
        )
        .order_by("-year", "-quarter", "unit__sort_order")
    )
    page = paginate(request, rounds)
    return render(
        request,
        "assessment/assessment_round_list.html",
        {
            "page_title": "平时考核",
            "breadcrumbs": [GROUP, ("平时考核", None)],
            "page_obj": page,
            "rounds": page.object_list,
            "can_open": scope.has_role(*ADMIN_ROLES),
            "badges": STATUS_BADGES,
        },
    )


def _committee_for(user) -> Organization | None:
    qs = Organization.objects.filter(org_type=OrgType.COMMITTEE).order_by("path")
    q = Scope.of(user).org_q("path", ADMIN_ROLES)
    return (qs if q is None else qs.filter(q)).first()


@login_required
def assessment_round_create(request):
    require_roles(request.user, *ADMIN_ROLES)
    committee = _committee_for(request.user)
    if committee is None:
        raise PermissionDenied("平时考核由机关党委管理员组织开展")
    units = Unit.objects.order_by("sort_order", "pk")
    form = AssessmentRoundOpenForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.assessment_round_open(
                actor=request.user,
                organization=committee,
                unit=form.cleaned_data["unit"],
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"已开启{rnd}，共{rnd.records.count()}人参加考核。请核对各科室负责人（评分人），并通知全体人员填写个人小结。",
            )
            return redirect("assessment:assessment_round_detail", pk=rnd.pk)
    return render(
        request,
        "assessment/assessment_round_form.html",
        {
            "page_title": "开启平时考核",
            "breadcrumbs": [GROUP, _crumb(), ("开启平时考核", None)],
            "form": form,
            "committee": committee,
        },
    )


def _effective(grade: str) -> Q:
    """Records whose effective grade (confirmed, else the committee's, else the proposed) is `grade`."""
    return Q(final_grade=grade) | Q(final_grade="", grade=grade) | Q(final_grade="", grade="", proposed_grade=grade)


def _quota(rnd: AssessmentRound, records) -> dict:
    """Grade distribution against the 好 quota and progress, aggregated in the database."""
    counts = records.aggregate(
        n=Count("id"),
        **{g: Count("id", filter=_effective(g)) for g in Grade.values},
        **{s: Count("id", filter=Q(status=s)) for s in RecordStatus.values},
    )
    limit = allowed_count(counts["n"], rnd.scheme["quota_excellent"])
    return {
        "n": counts["n"],
        "counts": [(Grade(g).label, counts[g], g) for g in Grade.values],
        "status": {s: counts[s] for s in RecordStatus.values},
        "excellent": counts[Grade.EXCELLENT],
        "limit": limit,
        "share": percent(rnd.scheme["quota_excellent"]),
        "over": counts[Grade.EXCELLENT] > limit,
    }


@login_required
def assessment_round_detail(request, pk):
    rnd = policy_for(AssessmentRound).get_or_404(
        request.user, queryset=AssessmentRound.objects.select_related("unit", "organization"), pk=pk
    )
    is_admin = _admin(request.user, rnd)
    records = selectors.records_visible(request.user).filter(round=rnd)
    page = paginate(
        request,
        records.select_related("person", "department", "round_department__head").order_by(
            "department__sort_order", "department_id", "-is_leader", "person__name", "pk"
        ),
        100,
    )
    see_all = is_admin or Scope.of(request.user).covers(rnd.organization, ASSESSMENT_READ_ROLES)
    groups: list[dict] = []
    for r in page.object_list:
        r.by_committee = services.scorer_kind(r) == "committee"
        name = r.department.name if r.department_id else "局领导班子及其他"
        if not groups or groups[-1]["name"] != name:
            head = r.round_department.head if r.round_department_id else None
            groups.append({"name": name, "head": head, "records": []})
        groups[-1]["records"].append(r)
    return render(
        request,
        "assessment/assessment_round_detail.html",
        {
            "page_title": str(rnd),
            "breadcrumbs": [GROUP, _crumb(), (rnd.label, None)],
            "round": rnd,
            "groups": groups,
            "page_obj": page,
            "quota": _quota(rnd, records) if see_all else None,
            "is_admin": is_admin,
            "badges": STATUS_BADGES,
            "grade_badges": GRADE_BADGES,
            "reopen_form": ReasonForm(),
            "dimensions": rnd.scheme["dimensions"],
            "audit_entries": entries_for(rnd)[:30] if see_all else [],
        },
    )


@login_required
def assessment_round_heads(request, pk):
    rnd = policy_for(AssessmentRound).get_for(
        request.user, "change", queryset=AssessmentRound.objects.select_related("unit", "organization"), pk=pk
    )
    rds = list(rnd.departments.select_related("department", "head"))
    people: dict[int, list[Person]] = {}
    for p in Person.objects.filter(department__in=[rd.department_id for rd in rds]).order_by("-is_leader", "name"):
        people.setdefault(p.department_id, []).append(p)
    form = HeadsForm(request.POST or None, round_departments=rds, people_by_department=people)
    if request.method == "POST" and form.is_valid():
        chosen = {}
        by_pk = {p.pk: p for ps in people.values() for p in ps}
        for rd_pk, person_pk in form.heads().items():
            chosen[rd_pk] = by_pk.get(person_pk) if person_pk else None
        try:
            services.assessment_heads_set(actor=request.user, round=rnd, heads=chosen)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "已保存各科室负责人（评分人）。")
            return redirect("assessment:assessment_round_detail", pk=rnd.pk)
    return render(
        request,
        "assessment/assessment_heads_form.html",
        {
            "page_title": f"{rnd.label}平时考核 · 科室负责人（评分人）",
            "breadcrumbs": [
                GROUP,
                _crumb(),
                (rnd.label, reverse("assessment:assessment_round_detail", args=[rnd.pk])),
                ("科室负责人", None),
            ],
            "form": form,
            "round": rnd,
        },
    )


def _round_action(request, pk, func, success: str, **kwargs):
    return round_action(request, AssessmentRound, pk, func, success, "assessment:assessment_round_detail", **kwargs)


@login_required
@require_POST
def assessment_round_review(request, pk):
    return _round_action(request, pk, services.assessment_round_review, "已提交党委审核，可调整等次后确认。")


@login_required
@require_POST
def assessment_round_reopen(request, pk):
    return _round_action(
        request,
        pk,
        services.assessment_round_reopen,
        "已退回评分，科室负责人可修改评分。",
        reason=request.POST.get("reason", ""),
    )


@login_required
@require_POST
def assessment_round_confirm(request, pk):
    return _round_action(request, pk, services.assessment_round_confirm, "考核等次已确认。")


# ---------------------------------------------------------------------- a record


def _record(request, pk, action: str = "view") -> AssessmentRecord:
    return policy_for(AssessmentRecord).get_for(
        request.user,
        action,
        queryset=AssessmentRecord.objects.select_related(
            "round", "round__organization", "round__unit", "person", "department", "round_department__head", "scored_by"
        ),
        pk=pk,
    )


def _record_crumbs(record: AssessmentRecord, last: str | None = None):
    crumbs = [
        GROUP,
        _crumb(),
        (record.round.label, reverse("assessment:assessment_round_detail", args=[record.round_id])),
    ]
    if last:
        crumbs += [(record.person.name, reverse("assessment:record_detail", args=[record.pk])), (last, None)]
    else:
        crumbs.append((record.person.name, None))
    return crumbs


def _can_score(user, record: AssessmentRecord) -> tuple[bool, bool]:
    """(may score, as the committee)."""
    policy = policy_for(AssessmentRecord)
    if record.round.status != AssessmentStatus.OPEN or record.status == RecordStatus.PENDING_SUMMARY:
        return False, False
    if services.scorer_kind(record) == "head":
        if policy.is_head(user, record):
            return True, False
        return (policy.is_admin(user, record) and not policy.is_own(user, record)), True
    return (policy.is_admin(user, record) and not policy.is_own(user, record)), True


@login_required
def record_detail(request, pk):
    record = _record(request, pk)
    policy = policy_for(AssessmentRecord)
    rnd = record.round
    can_score, _ = _can_score(request.user, record)
    is_own = policy.is_own(request.user, record)
    return render(
        request,
        "assessment/record_detail.html",
        {
            "page_title": f"{record.person.name} · {rnd.label}平时考核",
            "breadcrumbs": _record_crumbs(record),
            "record": record,
            "round": rnd,
            "weights": dict(rnd.scheme["dimensions"]),
            "scores": [
                (label, getattr(record, name), dict(rnd.scheme["dimensions"]).get(label))
                for label, name in DIMENSION_FIELDS
            ],
            "can_summary": (is_own or policy.is_admin(request.user, record))
            and rnd.status == AssessmentStatus.OPEN
            and record.status in (RecordStatus.PENDING_SUMMARY, RecordStatus.PENDING_SCORE),
            "can_score": can_score,
            "is_own": is_own,
            "can_grade": policy.is_admin(request.user, record) and rnd.status == AssessmentStatus.REVIEW,
            "scorer": "机关党委"
            if services.scorer_kind(record) == "committee"
            else (record.round_department.head.name),
            "grade_badges": GRADE_BADGES,
            "audit_entries": entries_for(record)[:30],
        },
    )


@login_required
def record_summary(request, pk):
    record = _record(request, pk)
    policy = policy_for(AssessmentRecord)
    own = policy.is_own(request.user, record)
    # The committee may record a summary handed in on paper (someone without an account).
    if not own and not policy.is_admin(request.user, record):
        raise PermissionDenied("个人小结须由本人填写")
    conflict = None
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if form.is_valid():
            call = ServiceCall(
                form,
                services.assessment_summary_submit,
                actor=request.user,
                record=record,
                summary=form.cleaned_data["summary"],
                on_behalf=not own,
                expected_version=form.cleaned_data.get("version"),
            )
            conflict = call.conflict
            if call.ok and not own:
                messages.success(request, f"已代{record.person.name}录入个人小结。")
                return redirect("assessment:record_detail", pk=record.pk)
            if call.ok:
                messages.success(request, "个人小结已提交，等待科室负责人评分。")
                return redirect("assessment:my_assessment")
    else:
        form = SummaryForm(initial={"summary": record.summary, "version": record.version})
    return render(
        request,
        "assessment/record_summary_form.html",
        {
            "page_title": f"{record.round.label}平时考核 · 个人小结",
            "breadcrumbs": _record_crumbs(record, "个人小结"),
            "form": form,
            "record": record,
            "on_behalf": not own,
            "conflict": conflict,
        },
    )


@login_required
def record_score(request, pk):
    record = _record(request, pk)
    policy = policy_for(AssessmentRecord)
    if not (
        policy.is_head(request.user, record)
        or (policy.is_admin(request.user, record) and not policy.is_own(request.user, record))
    ):
        raise PermissionDenied("由科室负责人为本科室人员评分；领导干部和科室负责人本人由机关党委录入评分")
    allowed, as_committee = _can_score(request.user, record)
    if not allowed:
        messages.warning(request, "该记录当前不能评分（尚未提交个人小结，或考核已进入审核阶段）。")
        return redirect("assessment:record_detail", pk=record.pk)
    dims = record.round.scheme["dimensions"]
    conflict = None
    if request.method == "POST":
        form = RecordScoreForm(request.POST, dimensions=dims)
        if form.is_valid():
            call = ServiceCall(
                form,
                services.assessment_record_score,
                actor=request.user,
                record=record,
                scores={name: form.cleaned_data[name] for _, name in DIMENSION_FIELDS},
                comment=form.cleaned_data["comment"],
                as_committee=as_committee,
                expected_version=form.cleaned_data.get("version"),
            )
            conflict = call.conflict
            if call.ok:
                saved = call.result
                messages.success(
                    request,
                    f"已为{saved.person.name}评分：总分{saved.total}，建议等次“{saved.get_proposed_grade_display()}”。",
                )
                if as_committee:
                    return redirect("assessment:assessment_round_detail", pk=record.round_id)
                return redirect("assessment:my_assessment")
    else:
        initial = {name: getattr(record, name) for _, name in DIMENSION_FIELDS}
        initial.update({"comment": record.comment, "version": record.version})
        form = RecordScoreForm(initial=initial, dimensions=dims)
    return render(
        request,
        "assessment/record_score_form.html",
        {
            "page_title": f"{record.person.name} · {record.round.label}平时考核评分",
            "breadcrumbs": _record_crumbs(record, "评分"),
            "form": form,
            "record": record,
            "cutoffs": record.round.scheme["cutoffs"],
            "conflict": conflict,
        },
    )


@login_required
def record_grade(request, pk):
    record = _record(request, pk)
    if not policy_for(AssessmentRecord).is_admin(request.user, record):
        raise PermissionDenied("等次由机关党委审定")
    if record.round.status != AssessmentStatus.REVIEW:
        messages.warning(request, "只有在党委审核阶段可以调整等次。")
        return redirect("assessment:record_detail", pk=record.pk)
    conflict = None
    if request.method == "POST":
        form = GradeForm(request.POST)
        if form.is_valid():
            call = ServiceCall(
                form,
                services.assessment_grade_set,
                actor=request.user,
                record=record,
                grade=form.cleaned_data["grade"],
                reason=form.cleaned_data["grade_reason"],
                expected_version=form.cleaned_data.get("version"),
            )
            conflict = call.conflict
            if call.ok:
                messages.success(request, f"已审定{record.person.name}的等次。")
                return redirect("assessment:assessment_round_detail", pk=record.round_id)
    else:
        form = GradeForm(
            initial={"grade": record.grade, "grade_reason": record.grade_reason, "version": record.version}
        )
    return render(
        request,
        "assessment/record_grade_form.html",
        {
            "page_title": f"{record.person.name} · 审定等次",
            "breadcrumbs": _record_crumbs(record, "审定等次"),
            "form": form,
            "record": record,
            "conflict": conflict,
        },
    )


# ---------------------------------------------------------------------- lists


@login_required
def record_list(request):
    require_roles(request.user, *ASSESSMENT_READ_ROLES)
    qs, filters = selectors.records_from_params(request.user, request.GET)
    page = paginate(request, qs)
    return render(
        request,
        "assessment/record_list.html",
        {
            "page_title": "平时考核结果",
            "breadcrumbs": [GROUP, _crumb(), ("考核结果", None)],
            "page_obj": page,
            "records": page.object_list,
            "filters": filters,
            "orgs": org_selectors.filter_organizations(request.user, filters.org),
            "departments": Department.objects.order_by("unit__sort_order", "sort_order"),
            "grades": Grade.choices,
            "statuses": RecordStatus.choices,
            "grade_badges": GRADE_BADGES,
        },
    )


@login_required
def my_assessment(request):
    person_id = request.user.person_id
    if not person_id:
        raise Http404("您的账号未关联人员档案")
    mine = list(
        AssessmentRecord.objects.filter(person_id=person_id)
        .select_related("round", "department")
        .order_by("-year", "-quarter")[:40]
    )
    queue = list(selectors.my_scoring_queue(request.user))
    rule = RuleSet().get("assessment.annual_rule", timezone.localdate().year, default={})
    years: dict[int, list[str]] = {}
    for r in mine:
        if r.final_grade:
            years.setdefault(r.year, []).append(r.final_grade)
    outcomes = [(y, annual_outcome(g, rule)) for y, g in sorted(years.items(), reverse=True)]
    return render(
        request,
        "assessment/my_assessment.html",
        {
            "page_title": "我的平时考核",
            "breadcrumbs": [GROUP, ("我的平时考核", None)],
            "mine": mine,
            "queue": queue,
            "outcomes": outcomes,
            "grade_badges": GRADE_BADGES,
            "open_status": AssessmentStatus.OPEN,
        },
    )


@login_required
def year_view(request):
    """Each person's four quarters of a year and what they imply for the annual grade (RULES §5)."""
    from assessment.year import year_rows

    require_roles(request.user, *ASSESSMENT_READ_ROLES)
    today = timezone.localdate()
    value = request.GET.get("year", "")
    year = int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else today.year
    department = None
    if (request.GET.get("department") or "").isdigit():
        department = Department.objects.filter(pk=request.GET["department"]).first()
    data = year_rows(request.user, year, department=department, page_number=request.GET.get("page"))
    return render(
        request,
        "assessment/year_view.html",
        {
            "page_title": f"{year}年度平时考核汇总",
            "breadcrumbs": [GROUP, _crumb(), ("年度汇总", None)],
            "year": year,
            "years": range(today.year, today.year - 6, -1),
            "department": department,
            "departments": Department.objects.order_by("unit__sort_order", "sort_order"),
            "grade_badges": GRADE_BADGES,
            **data,
        },
    )
