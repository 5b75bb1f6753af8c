"""Member points and the 2022 half-year 党员先锋 / 党员先锋科室 of the demo bureau (called by
`orgs.demo.build_demo` after the meetings).

- Derived points: the meetings demo records its meetings through the meetings services, whose
  change events already derive the entries; every year from 2022 to today is then recomputed in
  bulk (the same entries, idempotent) so that the demo exercises both paths.
- Manual entries (actor 系统): approved additions (a published article, an outside lecture, a
  微党课 in a contest) and one deduction; one entry pending in the current year; one rejected
  with the committee's reason.
- The seed's "根据半年来党员量化积分情况，评选出“党员先锋”和“党员先锋科室”": the 2022 上半年
  rounds of the 机关党委 run to the end — nominated from the half-year's points (members: twice
  the quota; 民主评议 grades recorded for the nominees, since the meeting records hold no
  per-person grades), decided on 2022-07-05, 公示 from 2022-07-06 for the rule's five working
  days, results announced on 2022-07-15.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from orgs.models import Department, Organization, Person
from points import services
from points.models import VanguardKind
from points.sources import recompute_year

D = datetime.date
START_YEAR = 2022
DECIDED_ON = D(2022, 7, 5)
NOTICE_START = D(2022, 7, 6)
COMPLETED_ON = D(2022, 7, 15)
DECISION = "机关党委会议研究决定"
MEMBER_DEEDS = [
    "带头参加“三会一课”，全勤；主讲支部党课，在疫情防控和“流动图书下乡”活动中表现突出。",
    "承担“百花原创”精品创作组织工作，积极参加主题党日和志愿服务。",
    "在文旅康养产业链项目服务中主动担当，联系挂包企业解决实际困难。",
    "认真完成“荣归故里”计划和企业家日活动保障任务，按时参加组织生活。",
    "在“中国梦·新时代·新征程”主题宣讲比赛中获奖，积极参加理论学习。",
    "坚守民生诉求办理岗位，做到即收即转即办理，群众满意度高。",
]


def _manual(person: Person, day: datetime.date, reason: str, *, points=None, rule_code="", outcome="approve", note=""):
    entry = services.manual_entry_create(
        actor=None, person=person, date=day, reason=reason, points=points, rule_code=rule_code
    )
    if outcome == "approve":
        services.manual_entry_approve(actor=None, entry=entry, note=note)
    elif outcome == "reject":
        services.manual_entry_reject(actor=None, entry=entry, reason=note)
    return entry


def manual_entries(people: dict[str, Person], today: datetime.date) -> int:
    p = people
    _manual(
        p["b1_pub"],
        D(2022, 3, 18),
        "在《海滨日报》理论版发表文章《以“红色引擎”驱动文旅高质量发展》",
        rule_code="points.article",
    )
    _manual(
        p["b3_sec"],
        D(2022, 4, 26),
        "应邀为市委党校文旅系统专题班授课《赓续红色文化精神》",
        rule_code="points.outside_lecture",
    )
    _manual(
        p["b1_member"],
        D(2022, 5, 20),
        "在局“中国梦·新时代·新征程”主题宣讲比赛中讲微党课并获一等奖",
        rule_code="points.micro_lecture",
    )
    _manual(p["b2_org"], D(2022, 6, 8), "无正当理由未按时交纳党费（5月）", points=-2, note="经核实属实")
    _manual(
        p["b4_pub"],
        D(2023, 9, 15),
        "参加“喜迎二十大”读书朗诵大赛志愿服务",
        points=2,
        outcome="reject",
        note="志愿服务时长未附证明材料，请补充后重新录入",
    )
    _manual(p["b2_pub"], D(2023, 11, 3), "在《中国文化报》发表文章介绍庄户剧团党建经验", rule_code="points.article")
    pending_day = max(D(today.year, 1, 2), today - datetime.timedelta(days=6))
    _manual(
        p["b1_org"], pending_day, "参加市直机关工委党务干部培训班并结业", rule_code="points.training", outcome="pending"
    )
    return 7


def _member_round(root: Organization, today: datetime.date, log) -> None:
    rnd = services.round_create(
        actor=None,
        organization=root,
        year=2022,
        half=1,
        kind=VanguardKind.MEMBER,
        criteria="上半年党员量化积分排名靠前；民主评议党员等次为优秀；模范遵守党纪国法，无违纪违规",
    )
    services.round_nominate_from_points(actor=None, round=rnd)
    nominations = list(rnd.nominations.select_related("person").order_by("rank", "id"))
    # The nominees' 民主评议 grades (the best scores were rated 优秀, except one 合格): the
    # committee selects within the quota those rated 优秀.
    chosen = []
    for i, n in enumerate(nominations):
        grade = "合格" if i == 1 else "优秀"
        data = {"appraisal_grade": grade, "deeds": MEMBER_DEEDS[i % len(MEMBER_DEEDS)]}
        services.nomination_update(actor=None, nomination=n, data=data)
        if grade == "优秀" and len(chosen) < rnd.quota:
            chosen.append(n.pk)
    services.round_decide(actor=None, round=rnd, selected=chosen, decided_on=DECIDED_ON, decision_note=DECISION)
    services.round_publish(actor=None, round=rnd, notice_start=NOTICE_START)
    services.round_complete(actor=None, round=rnd, completed_on=COMPLETED_ON, result_note="公示期内无异议")
    log(f"党员先锋：提名 {len(nominations)} 人，当选 {len(chosen)} 人（名额 {rnd.quota}）")


def _department_round(root: Organization, log) -> None:
    rnd = services.round_create(actor=None, organization=root, year=2022, half=1, kind=VanguardKind.DEPARTMENT)
    services.round_nominate_from_points(actor=None, round=rnd)
    nominations = list(rnd.nominations.select_related("department").order_by("rank", "id"))
    chosen = []
    for n in nominations:
        if n.criteria_met and n.department.is_administrative and len(chosen) < rnd.quota:
            services.nomination_update(
                actor=None,
                nomination=n,
                data={"deeds": f"{n.department.name}党员全员参加组织生活，科室工作实绩突出，无违纪违规情况。"},
            )
            chosen.append(n.pk)
    services.round_decide(actor=None, round=rnd, selected=chosen, decided_on=DECIDED_ON, decision_note=DECISION)
    services.round_publish(actor=None, round=rnd, notice_start=NOTICE_START)
    services.round_complete(actor=None, round=rnd, completed_on=COMPLETED_ON, result_note="公示期内无异议")
    log(f"党员先锋科室：提名 {len(nominations)} 个，当选 {len(chosen)} 个")


def build(
    *,
    orgs: dict[str, Organization],
    people: dict[str, Person],
    today: datetime.date,
    log: Callable[[str], None] = lambda _m: None,
    departments: dict[str, Department] | None = None,
    **_context,
) -> None:
    log("党员量化积分：按会议记录计算积分，录入支部加减分，评选2022年上半年党员先锋和党员先锋科室")
    for year in range(START_YEAR, today.year + 1):
        result = recompute_year(year)
        log(f"  {year}年：系统计分 {result.created} 条")
    manual_entries(people, today)
    _member_round(orgs["root"], today, log)
    _department_round(orgs["root"], log)
