"""Star rating pages (评星定级): rounds, a round's overview, a branch's rating (self-assessment with
the pre-filled inputs, committee scoring), the rating ledger, a branch's history, the
standardization checklist and the schemes in force. Thin views: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessment import selectors, services
from assessment.forms import ReasonForm, ScoringForm, SelfAssessmentForm, StandardizationForm, StarRoundOpenForm
from assessment.inputs import display_value
from assessment.models import (
    BranchRating,
    RatingStatus,
    RoundStatus,
    StarRatingRound,
    stars_label,
)
from assessment.scheme import SchemeError, allowed_count, percent, star_scheme
from assessment.services import RATED_TYPES, ROUND_ORG_TYPES, star_outcome
from core.audit import entries_for
from core.concurrency import ConcurrentEditError
from core.rules import RuleSet
from core.scope import ADMIN_ROLES, READ_ROLES, Scope, policy_for
from core.viewutils import paginate, require_roles
from orgs import selectors as org_selectors
from orgs.models import Organization

GROUP = ("考核评价", None)
STATUS_BADGES = {
    RoundStatus.SELF: "text-bg-info",
    RoundStatus.SCORING: "text-bg-warning",
    RoundStatus.NOTICE: "text-bg-primary",
    RoundStatus.FINAL: "text-bg-success",
}


def _rounds_crumb():
    return ("评星定级", reverse("assessment:round_list"))


def _error(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _is_admin_of(user, org) -> bool:
    return Scope.of(user).covers(org, ADMIN_ROLES)


# ---------------------------------------------------------------------- rounds


@login_required
def round_list(request):
    scope = require_roles(request.user, *READ_ROLES)
    rounds = (
        selectors.rounds_visible(request.user)
        .select_related("organization")
        .annotate(
            n=Count("ratings", distinct=True),
            submitted=Count("ratings", filter=Q(ratings__submitted_at__isnull=False), distinct=True),
            scored=Count("ratings", filter=Q(ratings__final_stars__isnull=False), distinct=True),
        )
        .order_by("-year", "org_path")
    )
    page = paginate(request, rounds)
    return render(
        request,
        "assessment/round_list.html",
        {
            "page_title": "党支部评星定级",
            "breadcrumbs": [GROUP, ("评星定级", None)],
            "page_obj": page,
            "rounds": page.object_list,
            "can_open": scope.has_role(*ADMIN_ROLES),
            "badges": STATUS_BADGES,
        },
    )


def _round_organizations(user):
    qs = Organization.objects.filter(org_type__in=ROUND_ORG_TYPES).order_by("path")
    q = Scope.of(user).org_q("path", ADMIN_ROLES)
    return qs if q is None else qs.filter(q)


@login_required
def round_create(request):
    require_roles(request.user, *ADMIN_ROLES)
    organizations = _round_organizations(request.user)
    form = StarRoundOpenForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.star_round_open(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                year=form.cleaned_data["year"],
                historical=form.cleaned_data["historical"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            from core.viewutils import apply_validation_error

            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"已开启{rnd.year}年度评星定级，{rnd.ratings.count()}个党支部参评。"
                + ("请各党支部对照评星方案开展自评。" if not rnd.historical else "请逐个录入评定结果。"),
            )
            return redirect("assessment:round_detail", pk=rnd.pk)
    year = timezone.localdate().year
    try:
        scheme, scheme_error = star_scheme(year, RuleSet()), ""
    except SchemeError as exc:
        scheme, scheme_error = None, str(exc)
    return render(
        request,
        "assessment/round_form.html",
        {
            "page_title": "开启评星定级",
            "breadcrumbs": [GROUP, _rounds_crumb(), ("开启评星定级", None)],
            "form": form,
            "scheme": scheme,
            "scheme_error": scheme_error,
            "scheme_year": year,
        },
    )


def _round_summary(rnd: StarRatingRound, ratings) -> dict:
    """Distribution, quota and progress of the ratings the user may see, aggregated in the database."""
    counts = ratings.aggregate(
        n=Count("id"),
        submitted=Count("id", filter=Q(submitted_at__isnull=False)),
        scored=Count("id", filter=Q(final_stars__isnull=False)),
        up=Count("id", filter=Q(previous_stars__isnull=False, final_stars__gt=F("previous_stars"))),
        down=Count("id", filter=Q(previous_stars__isnull=False, final_stars__lt=F("previous_stars"))),
        **{f"s{s}": Count("id", filter=Q(final_stars=s)) for s in (5, 4, 3, 2, 1)},
    )
    limit = allowed_count(counts["n"], rnd.scheme["quota_five"])
    return {
        **counts,
        "distribution": [(s, stars_label(s), counts[f"s{s}"]) for s in (5, 4, 3, 2, 1)],
        "five": counts["s5"],
        "five_limit": limit,
        "quota_text": percent(rnd.scheme["quota_five"]),
        "over_quota": counts["s5"] > limit,
    }


@login_required
def round_detail(request, pk):
    policy = policy_for(StarRatingRound)
    rnd = policy.get_or_404(request.user, queryset=StarRatingRound.objects.select_related("organization"), pk=pk)
    is_admin = _is_admin_of(request.user, rnd.organization)
    ratings = selectors.ratings_visible(request.user).filter(round=rnd)
    page = paginate(request, ratings.select_related("organization").order_by("org_path", "pk"), 50)
    # Before 公示 a branch sees its own row only; the distribution is public once published.
    summary = _round_summary(rnd, ratings) if (is_admin or rnd.is_published or page.paginator.count > 1) else None
    problems = services.publish_problems(rnd) if is_admin and rnd.status == RoundStatus.SCORING else []
    return render(
        request,
        "assessment/round_detail.html",
        {
            "page_title": f"{rnd.year}年度党支部评星定级",
            "breadcrumbs": [GROUP, _rounds_crumb(), (f"{rnd.year}年度", None)],
            "round": rnd,
            "page_obj": page,
            "ratings": page.object_list,
            "summary": summary,
            "problems": problems,
            "is_admin": is_admin,
            "scheme": rnd.scheme,
            "badges": STATUS_BADGES,
            "steps": RoundStatus.choices,
            "return_form": ReasonForm(),
            "today": timezone.localdate(),
            "audit_entries": entries_for(rnd)[:30] if is_admin else [],
        },
    )


def round_action(request, model, pk, func, success: str, detail: str, **kwargs):
    """POST button on a round (star rating or periodic assessment): call the service `func`,
    show its ValidationError or `success`, back to the round's `detail` page."""
    rnd = policy_for(model).get_for(request.user, "change", pk=pk)
    try:
        func(actor=request.user, round=rnd, **kwargs)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, success)
    return redirect(detail, pk=pk)


def _round_action(request, pk, func, success: str, **kwargs):
    return round_action(request, StarRatingRound, pk, func, success, "assessment:round_detail", **kwargs)


@login_required
@require_POST
def round_refresh_inputs(request, pk):
    return _round_action(request, pk, services.star_round_refresh_inputs, "已按最新登记的数据更新各党支部的预填数据。")


@login_required
@require_POST
def round_start_scoring(request, pk):
    return _round_action(request, pk, services.star_round_start_scoring, "已进入党委评星阶段，党支部自评已锁定。")


@login_required
@require_POST
def round_publish(request, pk):
    return _round_action(request, pk, services.star_round_publish, "星级评定结果已公示，公示期满后可定星。")


@login_required
@require_POST
def round_finalize(request, pk):
    return _round_action(request, pk, services.star_round_finalize, "已定星，评定结果记入各党支部的星级档案。")


@login_required
@require_POST
def round_return(request, pk):
    form = ReasonForm(request.POST)
    reason = request.POST.get("reason", "") if form.is_valid() else ""
    return _round_action(request, pk, services.star_round_return, "已撤回公示，可修改评分后重新公示。", reason=reason)


# ---------------------------------------------------------------------- a branch's rating


def _rating(request, pk, action: str = "view") -> BranchRating:
    rating = policy_for(BranchRating).get_for(
        request.user,
        action,
        queryset=BranchRating.objects.select_related("round", "round__organization", "organization"),
        pk=pk,
    )
    if services.needs_inputs(rating):
        # A large round computes each branch's inputs when its rating is first opened.
        filled = services.star_rating_fill_inputs(actor=request.user, rating=rating)
        rating.inputs, rating.inputs_at = filled.inputs, filled.inputs_at
    return rating


def _inputs_by_dimension(rating: BranchRating) -> dict[str, str]:
    hints: dict[str, list[str]] = {}
    for row in rating.inputs:
        if row.get("dimension"):
            hints.setdefault(row["dimension"], []).append(f"{row['label']} {display_value(row)}")
    return {k: "；".join(v) for k, v in hints.items()}


def _inputs(rating: BranchRating) -> list[dict]:
    return [{**row, "display": display_value(row)} for row in rating.inputs]


def _dimension_rows(rating: BranchRating) -> list[dict]:
    return [
        {
            "name": name,
            "weight": weight,
            "self": rating.self_scores.get(name),
            "committee": rating.committee_scores.get(name),
        }
        for name, weight in rating.round.scheme["dimensions"]
    ]


@login_required
def rating_detail(request, pk):
    rating = _rating(request, pk)
    policy = policy_for(BranchRating)
    rnd = rating.round
    can_change = policy.can(request.user, "change", rating)
    items = services.standardization_items(rating.year)
    checks = selectors.standardization_status([rating.organization], rating.year, items)[rating.organization.pk]
    return render(
        request,
        "assessment/rating_detail.html",
        {
            "page_title": f"{rating.organization.name} · {rating.year}年度星级评定",
            "breadcrumbs": [
                GROUP,
                _rounds_crumb(),
                (f"{rnd.year}年度", reverse("assessment:round_detail", args=[rnd.pk])),
                (rating.organization.name, None),
            ],
            "rating": rating,
            "round": rnd,
            "inputs": _inputs(rating),
            "dimensions": _dimension_rows(rating),
            "can_self": can_change and rnd.status == RoundStatus.SELF and rating.status == RatingStatus.PENDING,
            "can_score": policy.can_score(request.user, rating) and rnd.status == RoundStatus.SCORING,
            "show_committee": rnd.is_published or _is_admin_of(request.user, rnd.organization),
            "stars_range": range(1, 6),
            "checks": [(item, checks.get(item)) for item in items],
            "audit_entries": entries_for(rating)[:30],
        },
    )


@login_required
def rating_self_assess(request, pk):
    rating = _rating(request, pk, "change")
    rnd = rating.round
    if rnd.status != RoundStatus.SELF or rating.status != RatingStatus.PENDING:
        messages.warning(request, "自评已提交或本轮评星定级已进入下一阶段，不能再修改自评。")
        return redirect("assessment:rating_detail", pk=rating.pk)
    dims = rnd.scheme["dimensions"]
    hints = _inputs_by_dimension(rating)
    conflict = None
    if request.method == "POST":
        form = SelfAssessmentForm(request.POST, dimensions=dims, hints=hints)
        if form.is_valid():
            submit = "_submit" in request.POST
            try:
                services.star_self_assess(
                    actor=request.user,
                    rating=rating,
                    scores=form.scores(),
                    summary=form.cleaned_data["self_summary"],
                    submit=submit,
                    expected_version=form.cleaned_data.get("version"),
                )
            except ConcurrentEditError as exc:
                conflict = exc
            except ValidationError as exc:
                form.map_errors(exc)
            else:
                messages.success(
                    request, "自评已提交，等待机关党委评星。" if submit else "自评已暂存，可继续修改后提交。"
                )
                return redirect("assessment:rating_detail", pk=rating.pk)
    else:
        initial = {f"dim_{i}": rating.self_scores.get(name) for i, (name, _) in enumerate(dims)}
        initial.update({"self_summary": rating.self_summary, "version": rating.version})
        form = SelfAssessmentForm(initial=initial, dimensions=dims, hints=hints)
    return render(
        request,
        "assessment/rating_self_form.html",
        {
            "page_title": f"{rating.organization.name} · {rating.year}年度评星自评",
            "breadcrumbs": [
                GROUP,
                _rounds_crumb(),
                (f"{rnd.year}年度", reverse("assessment:round_detail", args=[rnd.pk])),
                (rating.organization.name, reverse("assessment:rating_detail", args=[rating.pk])),
                ("自评", None),
            ],
            "form": form,
            "rating": rating,
            "inputs": _inputs(rating),
            "scheme": rnd.scheme,
            "conflict": conflict,
        },
    )


@login_required
def rating_score(request, pk):
    rating = _rating(request, pk)
    if not policy_for(BranchRating).can_score(request.user, rating):
        raise PermissionDenied("评星评分由机关党委进行")
    rnd = rating.round
    if rnd.status != RoundStatus.SCORING:
        messages.warning(request, f"本轮评星定级处于“{rnd.get_status_display()}”阶段，不能评分。")
        return redirect("assessment:rating_detail", pk=rating.pk)
    conflict = None
    preview = None
    if request.method == "POST":
        form = ScoringForm(request.POST, scheme=rnd.scheme)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.star_rating_score(
                    actor=request.user,
                    rating=rating,
                    scores=form.scores(),
                    weak_lax=data["weak_lax"],
                    vetoes=data["vetoes"],
                    satisfaction=data["satisfaction"],
                    adjusted_stars=data["adjusted_stars"],
                    adjust_reason=data["adjust_reason"],
                    comment=data["committee_comment"],
                    expected_version=data.get("version"),
                )
            except ConcurrentEditError as exc:
                conflict = exc
            except ValidationError as exc:
                form.map_errors(exc)
            else:
                text = f"已评定{saved.organization.name}：{saved.final_label}（总分{saved.committee_total}）"
                if saved.cap_reasons:
                    text += f"；{saved.cap_reasons}"
                messages.success(request, text + "。")
                following = (
                    BranchRating.objects.filter(round=rnd, final_stars__isnull=True, org_path__gt=saved.org_path)
                    .order_by("org_path")
                    .first()
                )
                if following is not None and "_next" in request.POST:
                    return redirect("assessment:rating_score", pk=following.pk)
                return redirect("assessment:round_detail", pk=rnd.pk)
    else:
        initial = {
            f"dim_{i}": rating.committee_scores.get(name) for i, (name, _) in enumerate(rnd.scheme["dimensions"])
        }
        initial.update(
            {
                "weak_lax": rating.weak_lax,
                "vetoes": rating.vetoes,
                "satisfaction": rating.satisfaction,
                "adjusted_stars": rating.adjusted_stars,
                "adjust_reason": rating.adjust_reason,
                "committee_comment": rating.committee_comment,
                "version": rating.version,
            }
        )
        form = ScoringForm(initial=initial, scheme=rnd.scheme)
        if rating.committee_scores:
            try:
                preview = star_outcome(
                    rnd.scheme,
                    scores=rating.committee_scores,
                    weak_lax=rating.weak_lax,
                    vetoes=rating.vetoes,
                    satisfaction=rating.satisfaction,
                )
            except SchemeError:
                preview = None
    return render(
        request,
        "assessment/rating_score_form.html",
        {
            "page_title": f"{rating.organization.name} · {rating.year}年度党委评星",
            "breadcrumbs": [
                GROUP,
                _rounds_crumb(),
                (f"{rnd.year}年度", reverse("assessment:round_detail", args=[rnd.pk])),
                (rating.organization.name, reverse("assessment:rating_detail", args=[rating.pk])),
                ("评星", None),
            ],
            "form": form,
            "rating": rating,
            "round": rnd,
            "inputs": _inputs(rating),
            "dimensions": _dimension_rows(rating),
            "scheme": rnd.scheme,
            "preview": preview,
            "conflict": conflict,
            "cutoffs": [(stars_label(int(k)), v) for k, v in rnd.scheme["cutoffs"].items()],
        },
    )


# ---------------------------------------------------------------------- ledger and history


@login_required
def rating_list(request):
    require_roles(request.user, *READ_ROLES)
    qs, filters = selectors.ratings_from_params(request.user, request.GET)
    page = paginate(request, qs)
    return render(
        request,
        "assessment/rating_list.html",
        {
            "page_title": "星级评定台账",
            "breadcrumbs": [GROUP, _rounds_crumb(), ("星级评定台账", None)],
            "page_obj": page,
            "ratings": page.object_list,
            "filters": filters,
            "orgs": org_selectors.filter_organizations(request.user, filters.org),
            "years": selectors.rating_years(request.user),
            "changes": selectors.CHANGES.items(),
            "stars_choices": [(s, stars_label(s)) for s in (5, 4, 3, 2, 1)],
        },
    )


@login_required
def branch_history(request, org_pk):
    require_roles(request.user, *READ_ROLES)
    org = policy_for(Organization).get_or_404(request.user, pk=org_pk)
    if org.org_type not in RATED_TYPES:
        raise Http404("只有党支部（党总支）参加评星定级")
    ratings = list(
        selectors.ratings_visible(request.user).filter(organization=org).select_related("round").order_by("-year")
    )
    for r in ratings:
        r.shown = r.round.is_published or _is_admin_of(request.user, r.round.organization)
    chart = [
        {"year": r.year, "stars": r.final_stars}
        for r in sorted(ratings, key=lambda r: r.year)
        if r.shown and r.final_stars
    ]
    return render(
        request,
        "assessment/branch_history.html",
        {
            "page_title": f"{org.name} · 星级档案",
            "breadcrumbs": [GROUP, _rounds_crumb(), (org.name, None)],
            "org": org,
            "ratings": ratings,
            "chart": chart,
            "stars_range": range(1, 6),
        },
    )


# ---------------------------------------------------------------------- standardization checklist


def _year_param(request, default: int) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return default


@login_required
def standardization(request):
    """What each branch still lacks (支部标准化规范化建设): a matrix of branches × checklist items,
    or (view=gaps) the list of items not met."""
    scope = require_roles(request.user, *READ_ROLES)
    year = _year_param(request, timezone.localdate().year)
    under = None
    if request.GET.get("org"):
        under = policy_for(Organization).get_or_404(request.user, pk=request.GET["org"])
    items = services.standardization_items(year)
    orgs_qs = org_selectors.organizations_visible(request.user).filter(org_type__in=RATED_TYPES).order_by("path")
    if under is not None:
        orgs_qs = orgs_qs.filter(path__startswith=under.path)
    gaps_view = request.GET.get("view") == "gaps"
    context = {
        "page_title": f"支部标准化规范化建设（{year}年度）",
        "breadcrumbs": [GROUP, ("支部标准化规范化建设", None)],
        "year": year,
        "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
        "under": under,
        "filter_orgs": org_selectors.filter_organizations(request.user, under),
        "items": list(enumerate(items, start=1)),
        "gaps_view": gaps_view,
    }
    if gaps_view:
        from assessment.models import StandardizationCheck

        checks = (
            policy_for(StandardizationCheck)
            .visible(request.user)
            .filter(year=year, met=False)
            .select_related("organization")
            .order_by("org_path", "id")
        )
        if under is not None:
            checks = checks.filter(org_path__startswith=under.path)
        page = paginate(request, checks, 50)
        context.update({"page_obj": page, "gaps": page.object_list})
        return render(request, "assessment/standardization.html", context)
    page = paginate(request, orgs_qs, 40)
    orgs = list(page.object_list)
    status = selectors.standardization_status(orgs, year, items)
    rows = []
    for org in orgs:
        found = status[org.pk]
        cells = [found.get(item) for item in items]
        lacking = [
            (i, item)
            for i, (item, c) in enumerate(zip(items, cells, strict=True), start=1)
            if c is not None and not c.met
        ]
        unchecked = sum(1 for c in cells if c is None)
        rows.append(
            {
                "org": org,
                "cells": cells,
                "lacking": lacking,
                "met": sum(1 for c in cells if c is not None and c.met),
                "unchecked": unchecked,
                "can_edit": scope.covers(org, policy_for(Organization).change_roles),
            }
        )
    context.update({"page_obj": page, "rows": rows})
    return render(request, "assessment/standardization.html", context)


@login_required
def standardization_edit(request, org_pk):
    org = policy_for(Organization).get_for(request.user, "change", pk=org_pk)
    if org.org_type not in RATED_TYPES:
        raise Http404("支部标准化规范化建设按党支部（党总支）核对")
    year = _year_param(request, timezone.localdate().year)
    items = services.standardization_items(year)
    checks = selectors.standardization_status([org], year, items)[org.pk]
    form = StandardizationForm(request.POST or None, items=items, checks=checks)
    if request.method == "POST" and form.is_valid():
        try:
            services.standardization_update(actor=request.user, organization=org, year=year, rows=form.cleaned_rows())
        except ValidationError as exc:
            _error(request, exc)
        else:
            lacking = sum(1 for _, met, _ in form.cleaned_rows() if not met)
            messages.success(request, f"已保存{org.name}{year}年度标准化规范化建设核对情况：{lacking}项未达标。")
            return redirect(reverse("assessment:standardization") + f"?year={year}")
    return render(
        request,
        "assessment/standardization_form.html",
        {
            "page_title": f"{org.name} · {year}年度支部标准化规范化建设",
            "breadcrumbs": [
                GROUP,
                ("支部标准化规范化建设", reverse("assessment:standardization") + f"?year={year}"),
                (org.name, None),
            ],
            "form": form,
            "org": org,
            "year": year,
            "audit_entries": entries_for(org).filter(action=services.STANDARDIZATION_UPDATED)[:20],
        },
    )


# ---------------------------------------------------------------------- schemes


@login_required
def scheme(request):
    """The schemes in force for a year (评星方案、平时考核方案), with links to edit the rules."""
    from assessment.scheme import assessment_scheme

    scope = require_roles(request.user, *READ_ROLES)
    year = _year_param(request, timezone.localdate().year)
    rules = RuleSet()
    result = {}
    for key, func in (("star", star_scheme), ("assessment", assessment_scheme)):
        try:
            result[key], result[f"{key}_error"] = func(year, rules), ""
        except SchemeError as exc:
            result[key], result[f"{key}_error"] = None, str(exc)
    return render(
        request,
        "assessment/scheme.html",
        {
            "page_title": f"考核评价方案（{year}年度）",
            "breadcrumbs": [GROUP, ("考核评价方案", None)],
            "year": year,
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1),
            "is_admin": scope.has_role(*ADMIN_ROLES),
            "items": services.standardization_items(year, rules),
            **result,
        },
    )
