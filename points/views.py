"""Points pages: 我的积分, a member's points, rankings (members, branches, departments), the entry
list, manual entries with the committee's review, and the rules catalogue. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from core.audit import entries_for
from core.models import Rule
from core.rules import format_value
from core.scope import ADMIN_ROLES, READ_ROLES, WRITE_ROLES, Scope, policy_for
from core.viewutils import ServiceCall, paginate, require_roles
from orgs import selectors as org_selectors
from orgs.models import Department, Organization, Person
from points import selectors, services
from points.forms import OPTION_LIMIT, ManualEntryForm, RejectForm
from points.models import EntryKind, EntryStatus, PointEntry
from points.selectors import ScoreRules, Window
from points.sources import registered_sources

GROUP = ("考核评价", None)
ENTRY_PAGE = 50


def _crumb_ranking():
    return ("积分排名", reverse("points:ranking"))


def _year_param(request) -> int:
    text = (request.GET.get("year") or "").strip()
    today = timezone.localdate()
    if text.isdigit() and 2000 <= int(text) <= today.year + 1:
        return int(text)
    return today.year


# ------------------------------------------------------------------ a member's points


def _person_page(request, person: Person, *, is_self: bool):
    year = _year_param(request)
    window = Window.year_of(year)
    entries = selectors.person_entries(person, window)
    page = paginate(request, entries, ENTRY_PAGE)
    page.object_list = selectors.decorate_entries(page.object_list)
    title = f"我的积分（{year}年）" if is_self else f"{person.name}的积分（{year}年）"
    crumbs = [GROUP, ("我的积分", None)] if is_self else [GROUP, _crumb_ranking(), (person.name, None)]
    can_add = (not is_self or Scope.of(request.user).has_role(*WRITE_ROLES)) and policy_for(PointEntry).can_add(
        request.user, person.organization
    )
    return render(
        request,
        "points/person_points.html",
        {
            "page_title": title,
            "breadcrumbs": crumbs,
            "person": person,
            "is_self": is_self,
            "year": year,
            "years": selectors.person_years(person),
            "card": selectors.person_score(person, window),
            "entry_base": reverse("points:entry_list"),
            "rules_url": reverse("points:rules"),
            "page_obj": page,
            "entries": page.object_list,
            "can_add": can_add,
        },
    )


@login_required
def my_points(request):
    person_id = request.user.person_id
    if not person_id:
        raise Http404("您的账号未关联人员档案")
    # The account's own person (the page header reads it too: one query for both).
    return _person_page(request, request.user.person, is_self=True)


@login_required
def person_points(request, pk):
    person = policy_for(Person).get_or_404(request.user, queryset=Person.objects.select_related("organization"), pk=pk)
    if person.pk == request.user.person_id:
        return redirect(reverse("points:mine") + (f"?year={request.GET['year']}" if request.GET.get("year") else ""))
    return _person_page(request, person, is_self=False)


# ------------------------------------------------------------------ rankings


def _department_options(selected: Department | None):
    """The department filter's <option>s: departments that have people (a semi-join probing the
    people's department index), rendered here — 800 options through the template language cost
    more than the ranking's queries."""
    rows = (
        Department.objects.filter(Exists(Person.objects.filter(department=OuterRef("pk"))))
        .order_by("sort_order", "id")
        .values_list("pk", "name")
    )
    chosen = selected.pk if selected is not None else None
    return format_html_join(
        "", '<option value="{}"{}>{}</option>', ((pk, " selected" if pk == chosen else "", name) for pk, name in rows)
    )


@login_required
def ranking(request):
    require_roles(request.user, *READ_ROLES)
    f = selectors.ranking_filters(request.user, request.GET)
    page = selectors.ranking_page(request.user, f, request.GET.get("page"))
    rules = f.rules
    band_links = [(code, label, f.band_text == code) for code, _lo, _hi, label in rules.bands]
    return render(
        request,
        "points/ranking.html",
        {
            "page_title": f"党员积分排名（{f.window.label}）",
            "breadcrumbs": [GROUP, ("积分排名", None)],
            "page_obj": page,
            "people": page.object_list,
            "filters": f,
            "params": request.GET,
            "rules": rules,
            "orgs": org_selectors.filter_organizations(request.user, f.org),
            "department_options": _department_options(f.department),
            "band_links": band_links,
            "band_text": selectors.band_label(*f.band) if f.band else "",
            "periods": _period_choices(f.window.year),
        },
    )


def _period_choices(year: int) -> list[tuple[str, str]]:
    from core.periods import Period

    codes = [str(year), f"{year}H1", f"{year}H2", f"{year}Q1", f"{year}Q2", f"{year}Q3", f"{year}Q4"]
    return [(c, Period.parse(c).label) for c in codes]


def _group_under(request) -> Organization | None:
    if request.GET.get("org"):
        return policy_for(Organization).get_or_404(request.user, pk=request.GET["org"])
    scope = Scope.of(request.user)
    home = scope.home_organization
    visible = org_selectors.organizations_visible(request.user)
    if home is not None and visible.filter(pk=home.pk).exists():
        return home
    return visible.order_by("depth", "path").first()


@login_required
def group_ranking(request):
    """Average scores per branch (the direct children of an organization) or per department."""
    require_roles(request.user, *READ_ROLES)
    by = "department" if request.GET.get("by") == "department" else "branch"
    window, error = selectors.parse_window(request.GET.get("period", ""))
    under = _group_under(request)
    rows = selectors.group_averages(request.user, window, by=by, under=under)
    base = reverse("points:ranking") + "?" + urlencode({"period": window.requested.code})
    org_param = f"&org={under.pk}" if under is not None else ""
    for r in rows:
        r["url"] = f"{base}&department={r['key']}{org_param}" if by == "department" else f"{base}&org={r['key']}"
    # 800 departments through the template language (or localize) cost more than the query.
    rows_html = format_html_join(
        "\n",
        '<tr><td class="text-end">{}</td><td>{}</td><td class="text-end">{}</td>'
        '<td class="text-end fw-semibold">{}</td>'
        '<td class="text-end"><a href="{}" class="small">查看党员排名</a></td></tr>',
        (
            (
                r["rank"] or "—",  # plain numbers: no thousands separator is configured
                r["name"],
                r["members"],
                r["average"] if r["average"] is not None else "—",
                r["url"],
            )
            for r in rows
        ),
    )
    label = "科室" if by == "department" else "党组织"
    return render(
        request,
        "points/group_ranking.html",
        {
            "page_title": f"{label}积分排名（{window.label}）",
            "breadcrumbs": [GROUP, _crumb_ranking(), (f"{label}排名", None)],
            "rows": rows,
            "rows_html": rows_html,
            "by": by,
            "window": window,
            "error": error,
            "under": under,
            "orgs": org_selectors.filter_organizations(request.user, under),
            "periods": _period_choices(window.year),
            "rules": ScoreRules.for_year(window.year),
            "query": urlencode({"by": by, "period": window.requested.code, "org": under.pk if under else ""}),
        },
    )


# ------------------------------------------------------------------ entries


@login_required
def entry_list(request):
    require_roles(request.user, *READ_ROLES)
    qs, filters = selectors.entries_from_params(request.user, request.GET)
    page = paginate(request, qs.order_by("-date", "-id"))
    page.object_list = selectors.decorate_entries(page.object_list)
    return render(
        request,
        "points/entry_list.html",
        {
            "page_title": "积分明细",
            "breadcrumbs": [GROUP, _crumb_ranking(), ("积分明细", None)],
            "page_obj": page,
            "entries": page.object_list,
            "filters": filters,
            "params": request.GET,
            "orgs": org_selectors.filter_organizations(request.user, filters.org),
            "statuses": EntryStatus.choices,
            "kinds": EntryKind.choices,
            "sources": [(s.code, s.label) for s in registered_sources()],
            "review": False,
        },
    )


@login_required
def review_queue(request):
    """Manual entries: pending ones first (the committee approves or rejects; the branch follows
    what it entered)."""
    scope = require_roles(request.user, *WRITE_ROLES)
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = EntryStatus.PENDING
    base = selectors.entries_visible(request.user).filter(kind=EntryKind.MANUAL)
    qs, filters = selectors.entries_from_params(request.user, params, base=base, default_period=False)
    page = paginate(request, qs.select_related("created_by__person", "reviewed_by__person").order_by("-date", "-id"))
    page.object_list = selectors.decorate_entries(page.object_list)
    return render(
        request,
        "points/entry_list.html",
        {
            "page_title": "积分加减分审核",
            "breadcrumbs": [GROUP, ("加减分审核", None)],
            "page_obj": page,
            "entries": page.object_list,
            "filters": filters,
            "params": params,
            "orgs": org_selectors.filter_organizations(request.user, filters.org),
            "statuses": [(v, label) for v, label in EntryStatus.choices if v != EntryStatus.EFFECTIVE]
            + [(EntryStatus.EFFECTIVE, "已通过")],
            "kinds": [],
            "sources": [],
            "review": True,
            "can_approve": scope.has_role(*ADMIN_ROLES),
            "reject_form": RejectForm(),
        },
    )


def _writable_people(user, year: int):
    q = Scope.of(user).org_q("org_path", WRITE_ROLES)
    statuses = ScoreRules.for_year(year).statuses
    qs = Person.objects.filter(party_status__in=statuses).select_related("organization")
    return qs if q is None else qs.filter(q)


@login_required
def entry_create(request):
    require_roles(request.user, *WRITE_ROLES)
    year = timezone.localdate().year
    people = _writable_people(request.user, year)
    chosen = None
    if request.GET.get("person"):
        chosen = people.filter(pk=request.GET["person"]).first() if request.GET["person"].isdigit() else None
        if chosen is None:
            raise Http404("该人员不存在或不在您的范围内")
    options = list(people.order_by("org_path", "name")[:OPTION_LIMIT])
    if chosen is not None and chosen not in options:
        options.insert(0, chosen)
    kwargs = {
        "people": people,
        "options": options,
        "manual_rules": services.manual_rule_codes(year),
        "year": year,
    }
    if request.method == "POST":
        form = ManualEntryForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            call = ServiceCall(
                form,
                services.manual_entry_create,
                actor=request.user,
                person=data["person"],
                date=data["date"],
                reason=data["reason"],
                rule_code=data["rule_code"],
                points=data["points"],
            )
            if call.ok:
                entry = call.result
                messages.success(
                    request,
                    f"已录入“{entry.person.name}”{entry.points:+d}分（{entry.description}），待机关党委审核后生效。",
                )
                return redirect("points:entry_detail", pk=entry.pk)
    else:
        form = ManualEntryForm(
            initial={"person": chosen, "date": timezone.localdate()},
            **kwargs,
        )
    return render(
        request,
        "points/entry_form.html",
        {
            "page_title": "录入积分加减分",
            "breadcrumbs": [GROUP, ("加减分审核", reverse("points:review_queue")), ("录入加减分", None)],
            "form": form,
            "chosen": chosen,
        },
    )


@login_required
def entry_detail(request, pk):
    policy = policy_for(PointEntry)
    entry = policy.get_or_404(
        request.user,
        queryset=PointEntry.objects.select_related("person", "person__organization", "created_by", "reviewed_by"),
        pk=pk,
    )
    entry = selectors.decorate_entries([entry])[0]
    pending = entry.kind == EntryKind.MANUAL and entry.status == EntryStatus.PENDING
    return render(
        request,
        "points/entry_detail.html",
        {
            "page_title": f"积分记录：{entry.person.name} {entry.points:+d}分",
            "breadcrumbs": [GROUP, ("积分明细", reverse("points:entry_list")), (f"{entry.person.name}", None)],
            "entry": entry,
            "can_approve": pending and policy.can(request.user, "approve", entry),
            "can_withdraw": pending and policy.can(request.user, "change", entry),
            "reject_form": RejectForm(),
            "audit_entries": entries_for(entry)[:30],
            "person_url": reverse("points:person_points", args=[entry.person_id]),
        },
    )


def _back(request, entry) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("points:entry_detail", args=[entry.pk])


def _entry_action(request, pk, action: str, func, success: str, **kwargs):
    entry = policy_for(PointEntry).get_for(request.user, action, pk=pk)
    try:
        func(actor=request.user, entry=entry, **kwargs)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, success.format(name=entry.person.name, points=f"{entry.points:+d}"))
    return redirect(_back(request, entry))


@login_required
@require_POST
def entry_approve(request, pk):
    return _entry_action(
        request, pk, "approve", services.manual_entry_approve, "已审核通过：{name} {points}分，已计入积分。"
    )


@login_required
@require_POST
def entry_reject(request, pk):
    return _entry_action(
        request,
        pk,
        "approve",
        services.manual_entry_reject,
        "已退回：{name} {points}分，支部可查看退回理由。",
        reason=request.POST.get("reason", ""),
    )


@login_required
@require_POST
def entry_withdraw(request, pk):
    return _entry_action(request, pk, "change", services.manual_entry_withdraw, "已撤回：{name} {points}分。")


# ------------------------------------------------------------------ rules catalogue


def _readable(code: str, value) -> str:
    """Rule values as people read them: meeting kinds and party statuses by their names."""
    from meetings.models import MeetingKind
    from orgs.models import PartyStatus

    labels = {
        "points.attendance_kinds": dict(MeetingKind.choices),
        "points.participating_statuses": dict(PartyStatus.choices),
    }
    if code in labels and isinstance(value, list):
        return "、".join(labels[code].get(v, v) for v in value)
    return format_value(value, code)


@login_required
def rules_catalogue(request):
    """The year's points rules: what earns or costs points, how many, and who records it."""
    year = _year_param(request)
    sources_by_rule = {code: s for s in registered_sources() for code in s.rule_codes}
    manual = set(services.manual_rule_codes(year))
    rows = {}
    for r in Rule.objects.filter(code__startswith="points.", year_from__lte=year).order_by("code", "-year_from"):
        rows.setdefault(r.code, r)
    items = []
    for code, r in rows.items():
        source = sources_by_rule.get(code)
        if source is not None:
            how = f"系统根据{source.label}记录自动计分"
        elif code in manual:
            how = "支部录入，机关党委审核后生效"
        else:
            how = ""
        items.append(
            {
                "rule": r,
                "value": _readable(code, r.value),
                "how": how,
                "group": "先锋评选" if code.startswith("points.vanguard.") else ("计分项目" if how else "计分办法"),
            }
        )
    order = {"计分办法": 0, "计分项目": 1, "先锋评选": 2}
    items.sort(key=lambda i: (order[i["group"]], i["rule"].code))
    today = timezone.localdate()
    return render(
        request,
        "points/rules.html",
        {
            "page_title": f"积分规则（{year}年）",
            "breadcrumbs": [GROUP, ("积分规则", None)],
            "items": items,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "can_edit": Scope.of(request.user).has_role(*ADMIN_ROLES),
            "score_rules": ScoreRules.for_year(year),
        },
    )
