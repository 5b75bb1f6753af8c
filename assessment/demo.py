"""The demo bureau's star ratings, standardization checklist and periodic assessments (called by
orgs.demo.build_demo after meetings, supervision, duties and points).

Star rating of 机关第一/第二党支部, 文化馆、图书馆党支部, 庄户剧团、旅游行业党总支:
- 2021: results from before the platform (历史补录): 4★ 3★ 3★ 3★ 2★ 2★.
- 2022: the full flow (自评 with the pre-filled inputs → 党委评星 → 公示 → 定星, January 2023):
  机关第一党支部 5★ (the one five-star the 30 % quota allows), 机关第二党支部 4★ and 庄户剧团党总支
  3★ — 3 晋位升级 — while 图书馆党支部 falls to 2★ (the decline), 文化馆 and 旅游行业 stay.
- 2023–last year: finalized each January; 图书馆党支部 is flagged 软弱涣散 for 2023 (its 3★ score
  capped at 2★), 旅游行业党总支 hits the veto "未按期换届" in 2024 (capped at 2★).
- This year: a round in 自评 — 机关第二党支部 and 文化馆党支部 have submitted, 机关第一党支部
  (account branch1) has not, so its home page shows the self-assessment as due.
Standardization checklist for 2022 and this year, 图书馆党支部 lagging with the most gaps.

Periodic assessment of the 机关's staff (leaders included, 38 people) for the four quarters of
2022 and 2023, confirmed within the 40 % quota (the committee lowers the weakest 好 to 较好 where
the scores alone would break it); and this quarter's round under way: some summaries written, the
demo member's (account member) still due, some records waiting for the 办公室 head (branch1).

Deterministic (fixed seed); every write goes through the services (actor 系统 or the head's
account for department scores).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from decimal import Decimal

from assessment import periodic_services as ps
from assessment import services
from assessment.models import AssessmentRecord, BranchRating, Grade, RecordStatus
from assessment.scheme import allowed_count
from core.periods import Period
from orgs.models import Organization, Person, Unit, UnitType

SEED = 20230118
BRANCHES = ("b1", "b2", "b3", "b4", "g1", "g2")
DIMENSIONS = ("班子队伍", "组织生活", "制度机制", "基础保障", "作用发挥")
# Committee totals per year and branch (the stars follow from the cut-offs 90/80/70/60).
TOTALS = {
    2021: {"b1": 86, "b2": 77, "b3": 74, "b4": 71, "g1": 66, "g2": 63},
    2022: {"b1": 92.4, "b2": 84.6, "b3": 76.2, "b4": 65.8, "g1": 72.4, "g2": 64.2},
    2023: {"b1": 91.2, "b2": 86.0, "b3": 81.4, "b4": 72.6, "g1": 74.0, "g2": 68.8},
    2024: {"b1": 88.6, "b2": 90.4, "b3": 82.2, "b4": 74.8, "g1": 78.6, "g2": 73.0},
    2025: {"b1": 91.0, "b2": 87.4, "b3": 84.6, "b4": 76.4, "g1": 80.2, "g2": 74.6},
}
WEAK_LAX = {2023: {"b4"}}
VETOES = {2024: {"g2": ["未按期换届且无正当理由"]}}
SELF_SUMMARY = {
    "b1": "严格落实“三会一课”，支委会、主题党日按月召开；围绕机关中心工作开展党员先锋岗创建；党建台账规范齐全。不足：党员教育形式还不够丰富。",
    "b2": "组织生活按计划落实，党小组活动有序开展；结合文旅市场监管开展“党建+业务”活动；制度机制较健全。不足：党务干部调整后台账衔接有待加强。",
    "b3": "依托文化馆阵地开展文化惠民和红色教育活动，党员作用发挥明显；“三会一课”基本落实。不足：部分党员参加集中学习不够经常。",
    "b4": "开展“流动图书下乡”等主题党日活动；支委会、主题党日有遗漏，党员活动阵地建设滞后，换届工作推进较慢，正在整改。",
    "g1": "按照“一月一主题、一月一活动”开展行业党建，下乡演出中发挥党员带头作用；党员分散、集中学习难度较大。",
    "g2": "组织旅游企业党员开展主题活动；党员流动性大，组织生活落实不够经常，基础保障较弱。",
}
COMMENTS = {
    "b1": "班子坚强有力，组织生活规范，示范作用突出。",
    "b2": "组织生活规范，党建与业务融合较好。",
    "b3": "阵地作用发挥较好，组织生活需更加经常。",
    "b4": "组织生活落实不到位，阵地建设滞后，列为重点帮扶对象。",
    "g1": "行业党建有特色，基础工作有待加强。",
    "g2": "组织覆盖有待巩固，组织生活需加强。",
}
# Standardization gaps: {year: {branch: {item index: note}}} (indexes into star.standardization_items).
GAPS = {
    2022: {
        "b2": {6: "部分发展党员档案材料不齐，正在补充"},
        "b3": {9: "党员活动室与业务用房共用"},
        "b4": {
            0: "正式党员不足7人却设立了支委会，需调整",
            1: "支部委员会任期已满，尚未换届",
            3: "主题党日有3个月未开展",
            9: "无独立党员活动室",
        },
        "g1": {5: "党员分散在各村剧团，集中学习计划未落实", 10: "会议记录本不规范"},
        "g2": {2: "支委会、党课落实不到位", 7: "部分企业党员党费收缴不及时", 9: "无固定活动场所"},
    },
    "current": {
        "b4": {
            1: "支部委员会任期已满，换届工作尚未完成",
            3: "近几个月主题党日有遗漏",
            9: "党员活动室建设方案已报批，尚未建成",
        },
        "g2": {7: "新转入党员党费收缴未按月", 9: "与景区协调共建活动场所中"},
    },
}

SUMMARY_WORK = {
    "": "统筹推进分管领域工作，落实“一岗双责”，带头讲党课、联系支部和挂包企业",
    "办公室": "承办文稿起草、会务保障和督查督办，完成机关日常运转",
    "组织人事科": "推进干部教育培训和机关党建日常工作，落实“三会一课”台账管理",
    "财务审计科": "完成预算执行、资金审核和内部审计，规范财务报销流程",
    "公共服务科": "推进公共文化服务体系建设，组织文化惠民活动和流动图书下乡",
    "产业发展科": "推进文旅康养产业链和重点项目建设，开展“双招双引”",
    "市场管理科": "开展文旅市场检查和执法，受理处置民生诉求，推进信用文旅建设",
}


def _day(year: int, month: int, day: int, today: datetime.date) -> datetime.date:
    return min(datetime.date(year, month, day), today)


def _scores(rng: random.Random, total: float) -> dict[str, str]:
    """Five dimension scores (two decimals) whose mean is exactly `total` (weights are equal)."""
    t = round(total * 100)
    amp = int(min(300, 10000 - t, t))
    a, b = rng.randint(-amp, amp), rng.randint(-amp, amp)
    values = [t + a, t - a, t + b, t - b, t]
    return {name: str(Decimal(v) / 100) for name, v in zip(DIMENSIONS, values, strict=True)}


class DemoRatings:
    def __init__(self, orgs, users, today, log):
        self.orgs = orgs
        self.users = users
        self.today = today
        self.log = log
        self.rng = random.Random(SEED)  # noqa: S311 - demo data

    def rating(self, rnd, key) -> BranchRating:
        return BranchRating.objects.get(round=rnd, organization=self.orgs[key])

    def finalized_year(self, year: int, *, historical: bool = False) -> None:
        root = self.orgs["root"]
        opened = _day(year + 1, 1, 5, self.today)
        rnd = services.star_round_open(
            actor=None,
            organization=root,
            year=year,
            historical=historical,
            on=opened,
            notes="" if not historical else "平台启用前的评定结果（依据纸质台账补录），用于对比晋位升级",
        )
        if not historical:
            for key in BRANCHES:
                own = TOTALS[year][key] + self.rng.choice((-2.4, -1.2, 1.2, 2.6, 3.4))
                services.star_self_assess(
                    actor=None,
                    rating=self.rating(rnd, key),
                    scores=_scores(self.rng, min(own, 98)),
                    summary=f"{year}年度：{SELF_SUMMARY[key]}",
                    submit=True,
                )
            rnd = services.star_round_start_scoring(actor=None, round=rnd, on=_day(year + 1, 1, 12, self.today))
        for key in BRANCHES:
            services.star_rating_score(
                actor=None,
                rating=self.rating(rnd, key),
                scores=_scores(self.rng, TOTALS[year][key]),
                weak_lax=key in WEAK_LAX.get(year, ()),
                vetoes=VETOES.get(year, {}).get(key, []),
                comment=COMMENTS[key],
            )
        published = _day(year + 1, 1, 16, self.today)
        rnd = services.star_round_publish(actor=None, round=rnd, on=published)
        if rnd.notice_ends_on < self.today:
            services.star_round_finalize(actor=None, round=rnd, on=rnd.notice_ends_on + datetime.timedelta(days=1))

    def current_year(self) -> None:
        year = self.today.year
        if year <= max(TOTALS):
            return
        rnd = services.star_round_open(actor=None, organization=self.orgs["root"], year=year, on=self.today)
        for key in ("b2", "b3"):
            services.star_self_assess(
                actor=None,
                rating=self.rating(rnd, key),
                scores=_scores(self.rng, 86 if key == "b2" else 82),
                summary=f"{year}年度：{SELF_SUMMARY[key]}",
                submit=True,
            )
        services.star_self_assess(
            actor=None,
            rating=self.rating(rnd, "g1"),
            scores={"班子队伍": "80", "组织生活": "78"},
            summary="（草稿）",
        )

    def standardization(self) -> None:
        for label, year in ((2022, 2022), ("current", self.today.year)):
            items = services.standardization_items(year)
            for key in BRANCHES:
                gaps = GAPS[label].get(key, {})
                rows = [(item, i not in gaps, gaps.get(i, "")) for i, item in enumerate(items)]
                services.standardization_update(actor=None, organization=self.orgs[key], year=year, rows=rows)

    def build(self) -> None:
        self.log("评星定级：2021年度（历史补录）至上年度定星，本年度自评进行中")
        self.finalized_year(2021, historical=True)
        for year in sorted(TOTALS):
            if year == 2021 or year >= self.today.year:
                continue
            self.finalized_year(year)
        self.current_year()
        self.log("支部标准化规范化建设检查")
        self.standardization()


class DemoAssessments:
    def __init__(self, orgs, users, departments, today, log):
        self.root = orgs["root"]
        self.users = users
        self.today = today
        self.log = log
        self.rng = random.Random(SEED + 1)  # noqa: S311 - demo data
        self.unit = (
            departments["office"].unit
            if "office" in departments
            else Unit.objects.filter(unit_type=UnitType.ORGAN).order_by("sort_order", "pk").first()
        )
        staff = list(Person.objects.filter(unit=self.unit).order_by("pk"))
        # Each person's usual level; leaders and heads a little higher, a few weaker performers.
        self.level = {p.pk: self.rng.uniform(83, 95) + (1.5 if p.is_leader else 0) for p in staff}
        for p in self.rng.sample(staff, 4):
            self.level[p.pk] = self.rng.uniform(72, 79)
        self.users_by_person = {u.person_id: u for u in users.values() if u.person_id}

    def summary(self, record: AssessmentRecord) -> str:
        name = record.department.name if record.department_id else ""
        work = SUMMARY_WORK.get(name, SUMMARY_WORK["办公室"])
        return (
            f"{record.year}年第{record.quarter}季度：{work}；按时完成交办任务，遵守工作纪律和廉洁自律各项规定。"
            "不足：理论学习的系统性还需加强。"
        )

    def scores(self, record: AssessmentRecord) -> dict[str, Decimal]:
        level = self.level.get(record.person_id, 85)
        return {
            name: Decimal(str(round(min(99.0, max(55.0, level + self.rng.uniform(-4.5, 4.5))), 1)))
            for name in ("de", "neng", "qin", "ji", "lian")
        }

    def score(self, record: AssessmentRecord) -> None:
        record = AssessmentRecord.objects.select_related("round_department", "department").get(pk=record.pk)
        head_id = record.round_department.head_id if record.round_department_id else None
        scorer = self.users_by_person.get(head_id) if ps.scorer_kind(record) == "head" else None
        ps.assessment_record_score(
            actor=scorer,
            record=record,
            scores=self.scores(record),
            comment="工作积极主动，完成情况良好。",
            as_committee=scorer is None,
        )

    def quarter(self, year: int, quarter: int, *, complete: bool = True) -> None:
        period = Period.quarter(year, quarter)
        opened = min(period.end + datetime.timedelta(days=5), self.today) if complete else self.today
        rnd = ps.assessment_round_open(
            actor=None, organization=self.root, unit=self.unit, year=year, quarter=quarter, on=opened
        )
        records = list(rnd.records.select_related("person", "department").order_by("pk"))
        member = self.users.get("member")
        for i, record in enumerate(records):
            if not complete and (record.person_id == getattr(member, "person_id", None) or i % 3 == 0):
                continue  # this quarter: the demo member and a third of the staff have not written yet
            owner = self.users_by_person.get(record.person_id)
            ps.assessment_summary_submit(
                actor=owner, record=record, summary=self.summary(record), on_behalf=owner is None
            )
        if not complete:
            # A few records scored by the committee (leaders); the 办公室 head's queue stays open.
            for record in rnd.records.filter(status=RecordStatus.PENDING_SCORE, department__isnull=True)[:3]:
                self.score(record)
            return
        for record in records:
            self.score(record)
        review_on = min(opened + datetime.timedelta(days=10), self.today)
        ps.assessment_round_review(actor=None, round=rnd, on=review_on)
        scored = list(rnd.records.order_by("-total", "pk"))
        excellent = [r for r in scored if r.proposed_grade == Grade.EXCELLENT]
        limit = allowed_count(len(scored), rnd.scheme["quota_excellent"])
        for r in excellent[limit:]:
            ps.assessment_grade_set(
                actor=None, record=r, grade=Grade.GOOD, reason="“好”等次超过40%，按总分排序后调整为“较好”"
            )
        ps.assessment_round_confirm(actor=None, round=rnd, on=min(review_on + datetime.timedelta(days=3), self.today))

    def build(self) -> None:
        self.log("平时考核：2022、2023年各季度（领导干部与机关干部一同考核）")
        for year in (2022, 2023):
            for quarter in (1, 2, 3, 4):
                if Period.quarter(year, quarter).end < self.today:
                    self.quarter(year, quarter)
        current = Period.containing("quarter", self.today)
        if current.start.year > 2023:
            self.quarter(current.start.year, (current.start.month - 1) // 3 + 1, complete=False)


def build(
    *,
    orgs: dict[str, Organization],
    users: dict,
    departments: dict,
    today: datetime.date,
    log: Callable[[str], None] = lambda _m: None,
    **_context,
) -> None:
    DemoRatings(orgs, users, today, log).build()
    DemoAssessments(orgs, users, departments, today, log).build()
