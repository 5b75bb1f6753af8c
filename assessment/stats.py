"""The star rating and the periodic assessment in the statistics registry, the work report,
the dashboard charts and the alerts.

Star figures count the published ratings (公示 or 已定星) of the rating year `period.end.year`
under the organization and link to the rating ledger filtered the same way
(?org=&year=&stars=&change=&published=1). Assessment figures count the confirmed records of the
quarters lying wholly inside the period and link to the results list (?org=&period=&grade=…).
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.db.models import Count, F
from django.urls import reverse

from assessment.models import (
    PUBLISHED_STATUSES,
    AssessmentRecord,
    BranchRating,
    Grade,
    RecordStatus,
    StandardizationCheck,
    stars_label,
)
from assessment.policies import ASSESSMENT_READ_ROLES
from assessment.selectors import within_period
from core.periods import Period
from core.scope import policy_for
from core.stats import (
    Alert,
    Chart,
    ChartPoint,
    ChartSeries,
    ReportParagraph,
    StatValue,
    register_alert,
    register_chart,
    register_next_steps,
    register_report_section,
    register_statistic,
)

AREA = "考核评价"
STAR_KEYS = {5: "five", 4: "four", 3: "three", 2: "two", 1: "one"}
GRADE_KEYS = {Grade.EXCELLENT: "excellent", Grade.GOOD: "good", Grade.FAIR: "fair", Grade.POOR: "poor"}
QUARTER_WORDS = "一二三四"


def rating_year(period: Period) -> int:
    return period.end.year


def _ratings(period: Period, organization, user=None, year: int | None = None):
    qs = BranchRating.objects.all() if user is None else policy_for(BranchRating).visible(user)
    return qs.filter(
        org_path__startswith=organization.path,
        year=year or rating_year(period),
        round__status__in=PUBLISHED_STATUSES,
        final_stars__isnull=False,
    )


def ratings_url(organization, year: int, **params) -> str:
    query = {"org": organization.pk, "year": year, **{k: v for k, v in params.items() if v}, "published": 1}
    return reverse("assessment:rating_list") + "?" + urlencode(query)


def _records(period: Period, organization, user=None):
    qs = AssessmentRecord.objects.all() if user is None else policy_for(AssessmentRecord).visible(user)
    return qs.filter(org_path__startswith=organization.path, status=RecordStatus.CONFIRMED).filter(
        within_period(period)
    )


def records_url(organization, period: Period, **params) -> str:
    query = {"org": organization.pk, "period": period.code, **{k: v for k, v in params.items() if v}}
    return reverse("assessment:record_list") + "?" + urlencode(query)


# ---------------------------------------------------------------------- statistics: stars


def _stars_stat(stars: int):
    def compute_(period, organization, user=None):
        year = rating_year(period)
        n = _ratings(period, organization, user).filter(final_stars=stars).count()
        return StatValue(n, ratings_url(organization, year, stars=stars), "个")

    return compute_


for _stars, _key in STAR_KEYS.items():
    register_statistic(
        f"assessment.stars.{_key}", f"{stars_label(_stars)}级党支部", AREA, order=10 + 5 - _stars, unit="个"
    )(_stars_stat(_stars))


@register_statistic("assessment.stars.rated", "参加评星定级的党支部", AREA, order=10, unit="个")
def rated_count(period, organization, user=None):
    year = rating_year(period)
    return StatValue(_ratings(period, organization, user).count(), ratings_url(organization, year), "个")


@register_statistic("assessment.stars.upgraded", "晋位升级党支部", AREA, order=20, unit="个")
def upgraded_count(period, organization, user=None):
    year = rating_year(period)
    n = (
        _ratings(period, organization, user)
        .filter(previous_stars__isnull=False, final_stars__gt=F("previous_stars"))
        .count()
    )
    return StatValue(n, ratings_url(organization, year, change="up"), "个")


@register_statistic("assessment.stars.declined", "星级下降党支部", AREA, order=21, unit="个")
def declined_count(period, organization, user=None):
    year = rating_year(period)
    n = (
        _ratings(period, organization, user)
        .filter(previous_stars__isnull=False, final_stars__lt=F("previous_stars"))
        .count()
    )
    return StatValue(n, ratings_url(organization, year, change="down"), "个")


def standardization_url(organization_pk: int, year: int) -> str:
    return (
        reverse("assessment:standardization") + "?" + urlencode({"org": organization_pk, "year": year, "view": "gaps"})
    )


@register_statistic("assessment.standardization.missing", "支部标准化规范化建设未达标项", AREA, order=30, unit="项")
def standardization_missing(period, organization, user=None):
    year = rating_year(period)
    qs = StandardizationCheck.objects.all() if user is None else policy_for(StandardizationCheck).visible(user)
    n = qs.filter(org_path__startswith=organization.path, year=year, met=False).count()
    return StatValue(n, standardization_url(organization.pk, year), "项")


# ---------------------------------------------------------------------- statistics: periodic assessment


@register_statistic(
    "assessment.people", "参加平时考核（人次）", AREA, order=40, unit="人次", roles=ASSESSMENT_READ_ROLES
)
def assessed_count(period, organization, user=None):
    n = _records(period, organization, user).count()
    return StatValue(n, records_url(organization, period, status=RecordStatus.CONFIRMED), "人次")


@register_statistic(
    "assessment.leaders", "参加平时考核的领导干部（人次）", AREA, order=41, unit="人次", roles=ASSESSMENT_READ_ROLES
)
def leaders_count(period, organization, user=None):
    n = _records(period, organization, user).filter(is_leader=True).count()
    return StatValue(n, records_url(organization, period, status=RecordStatus.CONFIRMED, leader=1), "人次")


def _grade_stat(grade: str):
    def compute_(period, organization, user=None):
        n = _records(period, organization, user).filter(final_grade=grade).count()
        return StatValue(n, records_url(organization, period, grade=grade), "人次")

    return compute_


for _order, (_grade, _key) in enumerate(GRADE_KEYS.items()):
    register_statistic(
        f"assessment.grades.{_key}",
        f"平时考核“{Grade(_grade).label}”等次（人次）",
        AREA,
        order=42 + _order,
        unit="人次",
        roles=ASSESSMENT_READ_ROLES,
    )(_grade_stat(_grade))


# ---------------------------------------------------------------------- the work report


@register_report_section("assessment.star_rating", "评星定级", order=60, area=AREA, chapter="organization")
def star_rating_section(period, organization, user=None) -> list[ReportParagraph]:
    """E.g. 2022年度6个党支部参加评星定级，评定五星级党支部1个、
    四星级2个……，3个党支部晋位升级，1个党支部星级下降。"""
    year = rating_year(period)
    ratings = _ratings(period, organization, user)
    counts = dict(ratings.values("final_stars").annotate(n=Count("id")).order_by().values_list("final_stars", "n"))
    rated = sum(counts.values())
    paragraphs = []
    if rated:
        figures = {"rated": StatValue(rated, ratings_url(organization, year), "个")}
        parts = []
        for stars in (5, 4, 3, 2, 1):
            if counts.get(stars):
                key = STAR_KEYS[stars]
                figures[key] = StatValue(counts[stars], ratings_url(organization, year, stars=stars), "个")
                parts.append(f"{stars_label(stars)}级{{{key}}}个")
        figures["upgraded"] = upgraded_count(period, organization, user)
        declined = declined_count(period, organization, user)
        text = f"{year}年度{{rated}}个党支部参加评星定级，评定" + "、".join(parts) + "，{upgraded}个党支部晋位升级"
        if declined.value:
            figures["declined"] = declined
            text += "，{declined}个党支部星级下降"
        paragraphs.append(ReportParagraph(text=text + "。", figures=figures))
    missing = standardization_missing(period, organization, user)
    checked = StandardizationCheck.objects.filter(org_path__startswith=organization.path, year=year)
    if user is not None:
        checked = checked.filter(pk__in=policy_for(StandardizationCheck).visible(user).values("pk"))
    gaps = checked.filter(met=False).values("organization").distinct().count()
    if checked.exists():
        text = "对照党支部标准化规范化建设标准逐项核对，"
        if missing.value:
            text += f"{gaps}个党支部尚有{{missing}}项未达标，已逐项明确整改方向。"
        else:
            text += "各党支部均已达标。"
        paragraphs.append(ReportParagraph(text=text, figures={"missing": missing} if missing.value else {}))
    return paragraphs


def quarter_words(period: Period, quarters: list[tuple[int, int]]) -> str:
    """第一季度 / 第一、二季度 / 2022年第四季度、2023年第一季度."""
    years = sorted({y for y, _ in quarters})
    if len(years) == 1:
        return "第" + "、".join(QUARTER_WORDS[q - 1] for _, q in sorted(quarters)) + "季度"
    return "、".join(f"{y}年第{QUARTER_WORDS[q - 1]}季度" for y, q in sorted(quarters))


@register_report_section("assessment.periodic", "平时考核", order=20, area=AREA, chapter="team")
def periodic_section(period, organization, user=None) -> list[ReportParagraph]:
    """E.g. 全面考核干部德、能、勤、绩、廉各方面日常表现，将领导干部与机关干部一同纳入考核，
    第一、二季度共考核84人次（其中领导干部10人次），其中“好”等次30人次。"""
    records = _records(period, organization, user)
    quarters = sorted(set(records.values_list("year", "quarter").distinct().order_by()))
    if not quarters:
        return []
    people = assessed_count(period, organization, user)
    leaders = leaders_count(period, organization, user)
    excellent = _grade_stat(Grade.EXCELLENT)(period, organization, user)
    unit = "人" if len(quarters) == 1 else "人次"
    text = (
        "坚持公开透明、客观公正、注重实效的原则，按平时考核办法全面考核干部德、能、勤、绩、廉各方面日常表现，"
        f"将领导干部与机关干部一同纳入考核，{quarter_words(period, quarters)}共考核{{people}}{unit}"
        f"（其中领导干部{{leaders}}{unit}），其中“好”等次{{excellent}}{unit}。"
    )
    return [ReportParagraph(text=text, figures={"people": people, "leaders": leaders, "excellent": excellent})]


# ---------------------------------------------------------------------- dashboard charts


@register_chart("assessment.stars.distribution", "党支部星级分布（与上年对比）", AREA, order=10)
def star_chart(period, organization, user=None) -> Chart:
    year = rating_year(period)
    series = []
    for y in (year - 1, year):
        rows = dict(
            _ratings(period, organization, user, year=y)
            .values("final_stars")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("final_stars", "n")
        )
        points = [
            ChartPoint(label=f"{stars_label(s)}级", value=rows.get(s, 0), url=ratings_url(organization, y, stars=s))
            for s in (5, 4, 3, 2, 1)
        ]
        series.append(ChartSeries(name=f"{y}年度", points=points))
    return Chart(title=f"党支部星级分布（{year}年度与{year - 1}年度）", kind="bar", series=series, unit="个")


@register_chart("assessment.grades.distribution", "平时考核等次分布", AREA, order=20)
def grade_chart(period, organization, user=None) -> Chart:
    records = _records(period, organization, user)
    counts = Counter(
        {
            (y, q, g): n
            for y, q, g, n in records.values("year", "quarter", "final_grade")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("year", "quarter", "final_grade", "n")
        }
    )
    quarters = [p for p in period.quarters() if p.start >= period.start and p.end <= period.end]
    one_year = len({p.start.year for p in quarters}) == 1
    series = []
    for grade in GRADE_KEYS:
        points = []
        for p in quarters:
            q = (p.start.month - 1) // 3 + 1
            points.append(
                ChartPoint(
                    label=p.label.removeprefix(f"{p.start.year}年") if one_year else p.label,
                    value=counts.get((p.start.year, q, grade), 0),
                    url=records_url(organization, p, grade=grade),
                )
            )
        series.append(ChartSeries(name=f"“{Grade(grade).label}”", points=points))
    return Chart(title="平时考核等次分布", kind="stacked_bar", series=series, unit="人")


# ---------------------------------------------------------------------- alerts (存在的问题)


@register_alert("assessment.lagging_branches")
def lagging_branches(period, organization, user=None) -> list[Alert]:
    """Branches whose stars went down this year, and branches still short of the standard."""
    year = rating_year(period)
    alerts = []
    down = (
        _ratings(period, organization, user)
        .filter(previous_stars__isnull=False, final_stars__lt=F("previous_stars"))
        .select_related("organization")
        .order_by("org_path")
    )
    for r in down:
        alerts.append(
            Alert(
                text=f"{r.organization.name}{year}年度评定为{r.final_label}，较上年（{r.previous_label}）下降",
                url=ratings_url(r.organization, year, change="down"),
                level="warning",
                count=1,
                topic="imbalance",
            )
        )
    checks = StandardizationCheck.objects.all() if user is None else policy_for(StandardizationCheck).visible(user)
    gaps = (
        checks.filter(org_path__startswith=organization.path, year=year, met=False)
        .values("organization_id", "organization__name")
        .annotate(n=Count("id"))
        .order_by("-n", "organization__name")
    )
    for row in gaps:
        if row["n"] < 2:
            continue
        alerts.append(
            Alert(
                text=f"{row['organization__name']}支部标准化规范化建设尚有{row['n']}项未达标",
                url=standardization_url(row["organization_id"], year),
                level="warning",
                count=row["n"],
                topic="imbalance",
            )
        )
    return alerts


# ---------------------------------------------------------------------- next steps (三、下一步打算)


@register_next_steps("assessment.standardization", "狠抓支部标准化规范化建设", order=40)
def standardization_next_steps(period, organization, user=None) -> list[ReportParagraph]:
    """E.g. 按照党支部标准化规范化建设标准，对尚未达标的7项逐项整改、限期销号；扎实推进党支部评星定级，
    推动2个二星级及以下党支部晋位升级，培树过硬党支部。 ([] when nothing is open.)"""
    year = rating_year(period)
    missing = standardization_missing(period, organization, user)
    low = _ratings(period, organization, user).filter(final_stars__lte=2).count()
    parts, figures = [], {}
    if missing.value:
        parts.append("按照党支部标准化规范化建设标准，对尚未达标的{missing}项逐项整改、限期销号")
        figures["missing"] = missing
    if low:
        # The list shows the 2★ branches; 1★ ones, if any, are counted too (not an exact link).
        figures["weak"] = StatValue(low, ratings_url(organization, year, stars=2), "个", exact=False)
        parts.append("扎实推进党支部评星定级，推动{weak}个二星级及以下党支部晋位升级，培树过硬党支部")
    if not parts:
        return []
    return [ReportParagraph(text="；".join(parts) + "。", figures=figures)]
