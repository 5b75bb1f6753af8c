"""What the organizations app contributes to shared registries: navigation, statistics,
home-page due items. Imported once at start-up by core.registry.autodiscover()."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from accounts.models import Role
from core.home import DueItem, register_due_provider
from core.navigation import register_nav
from core.pickers import register_person_source
from core.scope import READ_ROLES, WRITE_ROLES, Scope
from core.stats import ReportParagraph, StatValue, register_report_section, register_statistic
from orgs import (
    exporters,  # noqa: F401  (registers the list exporters)
    policies,  # noqa: F401  (registers the scope policies)
)
from orgs.models import Organization, PartyStatus, Person

register_nav("home", "工作台", "core:home", icon="house", order=1)
register_nav(
    "orgs",
    "党组织",
    "orgs:organization_list",
    icon="diagram-3",
    roles=READ_ROLES,
    order=10,
    url_prefix="/orgs/organizations/",
)
register_nav(
    "orgs", "人员台账", "orgs:person_list", icon="people", roles=READ_ROLES, order=20, url_prefix="/orgs/people/"
)
register_nav(
    "orgs",
    "工作交接",
    "orgs:handover_list",
    icon="arrow-left-right",
    roles=READ_ROLES,
    order=30,
    url_prefix="/orgs/handovers/",
)
register_nav(
    "orgs",
    "科室与单位",
    "orgs:department_list",
    icon="building",
    roles=READ_ROLES,
    order=40,
    url_prefix="/orgs/departments/",
)
register_nav(
    "orgs", "我的档案", "orgs:my_record", icon="person-badge", roles=(Role.MEMBER,), order=50, url_prefix="/orgs/me/"
)


def _people_in(period, organization, user):
    qs = Person.objects.filter(org_path__startswith=organization.path)
    if user is not None:
        from core.scope import policy_for

        qs = policy_for(Person).visible(user).filter(org_path__startswith=organization.path)
    # People on the roll at the end of the period (the same filter as the list's `until`).
    from orgs.selectors import on_roll_q

    return qs.filter(on_roll_q(period.end))


def _people_url(organization, **params) -> str:
    query = {"org": organization.pk, **params}
    return reverse("orgs:person_list") + "?" + urlencode(query)


def status_counts(period, organization, user=None) -> dict[str, int]:
    """People on the roll at the period's end by 政治面貌: one grouped query, shared (core.stats
    memo_scope) by every people figure of a page or report and by the dashboard's chart."""
    from django.db.models import Count

    from core.stats import memoized

    def compute_():
        rows = _people_in(period, organization, user).values("party_status").annotate(n=Count("id")).order_by()
        return {r["party_status"]: r["n"] for r in rows}

    return memoized(("orgs.people.by_status", organization.pk, period.end, getattr(user, "pk", None)), compute_)


def _status_stat(status: str):
    def compute(period, organization, user=None):
        n = status_counts(period, organization, user).get(status, 0)
        return StatValue(n, _people_url(organization, party_status=status, until=period.end.isoformat()), "人")

    return compute


for _order, (_code, _label) in enumerate(PartyStatus.choices):
    register_statistic(
        f"orgs.people.{_code}", f"{_label}人数", "组织与人员", order=10 + _order, home=_code == "full", unit="人"
    )(_status_stat(_code))


@register_statistic("orgs.people.members", "党员总数（含预备党员）", "组织与人员", order=5, home=True, unit="人")
def members_total(period, organization, user=None):
    counts = status_counts(period, organization, user)
    n = counts.get(PartyStatus.FULL, 0) + counts.get(PartyStatus.PROBATIONARY, 0)
    return StatValue(n, _people_url(organization, party_status="member", until=period.end.isoformat()), "人")


@register_statistic("orgs.people.total", "人员总数", "组织与人员", order=1, unit="人")
def people_total(period, organization, user=None):
    n = sum(status_counts(period, organization, user).values())
    return StatValue(n, _people_url(organization, until=period.end.isoformat()), "人")


@register_statistic("orgs.branches.count", "党支部数", "组织与人员", order=30, home=True, unit="个")
def branches_count(period, organization, user=None):
    qs = Organization.objects.filter(path__startswith=organization.path, org_type__in=["branch", "joint_branch"])
    if user is not None:
        from core.scope import policy_for

        qs = qs & policy_for(Organization).visible(user)
    n = qs.count()
    url = reverse("orgs:organization_list") + "?" + urlencode({"under": organization.pk, "org_type": "branch"})
    return StatValue(n, url, "个")


@register_due_provider
def org_due_items(user, today=None):
    from orgs.selectors import terms_expiring

    scope = Scope.of(user)
    items: list[DueItem] = []
    if not scope.has_role(*WRITE_ROLES, Role.LEADER):
        return items
    for org, status in terms_expiring(user, today):
        overdue = status["state"] == "expired"
        items.append(
            DueItem(
                title=f"{org.name}{'任期已届满，应及时换届' if overdue else '任期即将届满，请准备换届'}",
                due_on=status["end"],
                urgency="overdue" if overdue else "due",
                url=reverse("orgs:organization_detail", args=[org.pk]),
                action_label="查看",
                category="换届提醒",
            )
        )
    return items


@register_report_section("orgs.overview", "组织建设基本情况", order=10, area="组织与人员")
def overview_section(period, organization, user=None) -> list[ReportParagraph]:
    """E.g. 截至2022年6月30日，机关党委下设党支部4个，共有党员68名，其中正式党员61名、预备党员7名。"""
    figures = {
        "branches": branches_count(period, organization, user),
        "members": members_total(period, organization, user),
        "full": _status_stat("full")(period, organization, user),
        "probationary": _status_stat("probationary")(period, organization, user),
    }
    end = period.end
    text = (
        f"截至{end.year}年{end.month}月{end.day}日，{organization.name}下设党支部{{branches}}个，"
        "共有党员{members}名，其中正式党员{full}名、预备党员{probationary}名。"
    )
    return [ReportParagraph(text=text, figures=figures)]


@register_person_source("orgs.people")
def _visible_people(user):
    from orgs.selectors import people_visible

    return people_visible(user)
