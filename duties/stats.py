"""The responsibility area in the statistics registry, the work report and the alerts.

Each figure links to a list whose "共 N 条" equals it:
- items → the 主体责任清单 page (?org&period), without_evidence → the same with status=missing;
- risk points → the 廉政风险点 list, risk areas → the areas page;
- the duty catalogue's counts → the list of each kind (?org) and the departments → the catalogue;
- liaison activities → the activity list (?org&period), liaisons → the liaison list.
The responsibility list and the risk list are current lists: their counts do not depend on the
period (the report says how many items the list holds); only evidence and activities do.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from core.periods import Period
from core.scope import policy_for
from core.stats import (
    Alert,
    ReportParagraph,
    StatValue,
    register_alert,
    register_report_section,
    register_statistic,
)
from duties import selectors
from duties.entities import ENTITIES
from duties.fulfilment import MISSING
from duties.models import SUBJECT_REPORT_NAMES, IntegrityRisk, Subject
from orgs.models import Organization

AREA = "主体责任与履职清单"


def _url(name: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _visible(model, user):
    return model.objects.all() if user is None else policy_for(model).visible(user)


# ---------------------------------------------------------------- 主体责任清单


@register_statistic("duties.responsibility.items", "主体责任清单责任项目", AREA, order=10, unit="项")
def responsibility_items(period: Period, organization, user=None) -> StatValue:
    n = selectors.items_in(organization, user).count()
    return StatValue(n, _url("duties:responsibility", org=organization.pk, period=period.code), "项")


@register_statistic("duties.responsibility.without_evidence", "缺少落实佐证的责任项目", AREA, order=11, unit="项")
def responsibility_without_evidence(period: Period, organization, user=None) -> StatValue:
    n = selectors.missing_count(organization, period, user)
    return StatValue(n, _url("duties:responsibility", org=organization.pk, period=period.code, status=MISSING), "项")


# ---------------------------------------------------------------- 廉政风险点


def _risks(organization, user):
    return _visible(IntegrityRisk, user).filter(org_path__startswith=organization.path)


@register_statistic("duties.risks.points", "廉政风险点", AREA, order=20, unit="条")
def risk_points(period: Period, organization, user=None) -> StatValue:
    return StatValue(_risks(organization, user).count(), ENTITIES["risks"].list_url(org=organization.pk), "条")


@register_statistic("duties.risks.areas", "廉政风险点涉及领域", AREA, order=21, unit="个")
def risk_areas(period: Period, organization, user=None) -> StatValue:
    n = _risks(organization, user).order_by().values("area").distinct().count()
    return StatValue(n, _url("duties:risk_areas", org=organization.pk), "个")


# ---------------------------------------------------------------- 履职清单


@register_statistic("duties.catalogue.departments", "建立履职清单的科室", AREA, order=30, unit="个")
def catalogue_departments(period: Period, organization, user=None) -> StatValue:
    n = len(selectors.catalogue_counts(user, organization))
    return StatValue(n, _url("duties:catalogue", org=organization.pk), "个")


def _catalogue_stat(key: str, unit: str):
    def compute(period: Period, organization, user=None) -> StatValue:
        entity = ENTITIES[key]
        qs = _visible(entity.model, user).filter(**{f"{entity.org_lookup}__startswith": organization.path})
        return StatValue(qs.count(), entity.list_url(org=organization.pk), unit)

    return compute


for _order, (_key, _label, _unit) in enumerate(
    (
        ("tasks", "履职清单工作任务", "项"),
        ("divisions", "内部边界分工", "项"),
        ("flowcharts", "工作流程图", "张"),
        ("post_duties", "岗位职责", "项"),
        ("post_risks", "岗位风险点", "项"),
        ("measures", "岗位风险防控措施", "条"),
    )
):
    register_statistic(f"duties.catalogue.{_key}", _label, AREA, order=31 + _order, unit=_unit)(
        _catalogue_stat(_key, _unit)
    )


# ---------------------------------------------------------------- 领导干部联系支部


@register_statistic("duties.liaison.liaisons", "领导干部联系支部（期间内在联）", AREA, order=40, unit="对")
def liaisons(period: Period, organization, user=None) -> StatValue:
    n = selectors.liaisons_overlapping(period, user).filter(org_path__startswith=organization.path).count()
    return StatValue(n, ENTITIES["liaisons"].list_url(org=organization.pk, period=period.code), "对")


@register_statistic("duties.liaison.activities", "领导干部联系支部活动", AREA, order=41, unit="次")
def liaison_activities(period: Period, organization, user=None) -> StatValue:
    n = selectors.activities_in(organization, period, user).count()
    return StatValue(n, ENTITIES["activities"].list_url(org=organization.pk, period=period.code), "次")


# ---------------------------------------------------------------- the work report


def bureau_name(organization) -> str:
    """海滨市文化和旅游局机关党委 → 海滨市文化和旅游局 (the list titles name the bureau)."""
    name = organization.name
    for suffix in ("机关党委", "机关委员会", "党委"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _period_words(period: Period) -> str:
    from meetings.stats import period_words

    return period_words(period)


@register_report_section(
    "duties.responsibility", "主体责任清单与廉政风险防控", order=50, area=AREA, chapter="political"
)
def responsibility_section(period: Period, organization, user=None) -> list[ReportParagraph]:
    paragraphs = []
    items = responsibility_items(period, organization, user)
    if items.value:
        found = set(selectors.items_in(organization, user).order_by().values_list("subject", flat=True).distinct())
        present = [s for s in Subject.values if s in found]
        subjects = "、".join(SUBJECT_REPORT_NAMES[s] for s in present)
        missing = responsibility_without_evidence(period, organization, user)
        text = (
            f"结合工作实际和职责分工，制定《{bureau_name(organization)}全面从严治党主体责任清单》，"
            f"针对{subjects}共制定责任项目{{items}}项"
        )
        if missing.value:
            text += f"，{_period_words(period)}尚有{{missing}}项未留存落实佐证"
        text += "。"
        paragraphs.append(ReportParagraph(text=text, figures={"items": items, "missing": missing}))
    points = risk_points(period, organization, user)
    if points.value:
        areas = risk_areas(period, organization, user)
        names = list(_risks(organization, user).order_by("area").values_list("area", flat=True).distinct())
        listed = "和".join(names) if len(names) <= 3 else "、".join(names)
        text = (
            f"认真梳理{listed}廉政风险点，制定《{bureau_name(organization)}廉政风险点防控清单》，"
            "共报送{areas}大领域、{points}条廉政风险点。"
        )
        paragraphs.append(ReportParagraph(text=text, figures={"areas": areas, "points": points}))
    for p in paragraphs:
        p.figures = {k: v for k, v in p.figures.items() if f"{{{k}}}" in p.text}
    return paragraphs


@register_report_section("duties.catalogue", "履职清单", order=10, area=AREA, chapter="team")
def catalogue_section(period: Period, organization, user=None) -> list[ReportParagraph]:
    figures = {
        "departments": catalogue_departments(period, organization, user),
        **{
            key: get(period, organization, user)
            for key, get in (
                ("tasks", _catalogue_stat("tasks", "项")),
                ("divisions", _catalogue_stat("divisions", "项")),
                ("flowcharts", _catalogue_stat("flowcharts", "张")),
                ("post_duties", _catalogue_stat("post_duties", "项")),
                ("post_risks", _catalogue_stat("post_risks", "项")),
                ("measures", _catalogue_stat("measures", "条")),
            )
        },
    }
    if not figures["departments"].value:
        return []
    text = (
        f"制定了《{bureau_name(organization)}履职清单》，覆盖{{departments}}个科室，全面细化内设科室和岗位工作职责，"
        "科学设定工作流程。先后树立工作任务{tasks}项、划分内部边界分工{divisions}项，绘制工作流程图{flowcharts}张，"
        "明确岗位职责{post_duties}项，找出岗位风险点{post_risks}项，制定防控措施{measures}条。"
    )
    return [ReportParagraph(text=text, figures=figures)]


@register_report_section("duties.liaison", "领导干部联系支部", order=90, area=AREA, chapter="organization")
def liaison_section(period: Period, organization, user=None) -> list[ReportParagraph]:
    pairs = liaisons(period, organization, user)
    if not pairs.value:
        return []
    activities = liaison_activities(period, organization, user)
    text = "落实领导干部联系支部工作机制，{liaisons}对领导干部与党支部建立联系"
    if activities.value:
        text += f"，{_period_words(period)}到联系支部调研指导、参加组织生活、讲党课等{{activities}}次"
    text += "。"
    figures = {"liaisons": pairs, "activities": activities}
    return [ReportParagraph(text=text, figures={k: v for k, v in figures.items() if f"{{{k}}}" in text})]


# ---------------------------------------------------------------- alerts (存在的问题)


@register_alert("duties.responsibility_missing")
def responsibility_alert(period: Period, organization, user=None) -> list[Alert]:
    missing = responsibility_without_evidence(period, organization, user)
    if not missing.value:
        return []
    return [
        Alert(
            text=f"主体责任清单中有{missing.value}项责任项目{period.label}未留存落实佐证",
            url=missing.url,
            level="warning",
            count=missing.value,
            topic="responsibility",
        )
    ]


@register_alert("duties.liaison_idle")
def liaison_alert(period: Period, organization, user=None) -> list[Alert]:
    idle = selectors.idle_branch_ids(organization, period, user)
    if not idle:
        return []
    first = Organization.objects.in_bulk(idle[:3])
    names = "、".join(first[pk].name for pk in idle[:3] if pk in first) + (
        f"等{len(idle)}个党支部" if len(idle) > 3 else ""
    )
    return [
        Alert(
            text=f"{names}{period.label}没有领导干部联系支部活动",
            url=_url("duties:liaison_overview", org=organization.pk, period=period.code, idle="1"),
            level="warning",
            count=len(idle),
            topic="responsibility",
        )
    ]
