"""Supervision in the demo bureau (called by `orgs.demo.build_demo` after the meetings).

It reproduces the seed's first half of 2022:
- the second-round party-building inspection by the city's 督导组 (第二轮党建督导检查, April 2022)
  with its feedback (May 2022) and 6 feedback problems; the two June 2022 整改 专题会议 that
  meetings.demo recorded are linked to it (Meeting.responds_to);
- the committee's own field inspection of its branches: 3 field visits (实地督导检查3次) in the
  first half of 2022, and its findings;
- the 述职大会 of January 2022: the secretaries of the four 机关/馆 branches report on 2021, are
  evaluated (好/较好/一般/差) and find 8 problems (4个党支部书记共排查问题8项) — all into the ledger;
- 12 problems from the 2021 star rating (评星定级), all closed in the first half of 2022
  (完成问题整改10余项);
and continues with the 2023 and 2026 述职大会 and a few recent problems relative to today: some in
progress with progress reports, one awaiting verification (申请销号), one with a pending extension
request, a few overdue — one of them long enough for a 督办单 (issued by the reminder code).

Everything goes through supervision.services (actor 系统), so each record has its audit entries
and tracked item; the dates are fixed (2022) or relative to `today`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from meetings.models import Meeting, MeetingKind
from orgs.models import Organization, Person
from supervision import services
from supervision.models import InspectionMethod, Problem, ProblemSource, ProblemStatus
from supervision.reminders import ESCALATION, send_problem_reminders

D = datetime.date
ROUND_TWO = "2022年第二轮党建督导检查"
FIELD_INSPECTION = "2022年上半年基层党支部实地督导检查"
ASSEMBLY = "辖属党组织书记抓基层党建和全面从严治党主体责任述职大会"
STAR_NOTE = "2021年度基层党支部评星定级"

# (org key, description, measures, due date, closed on)
ROUND_TWO_PROBLEMS = [
    (
        "root",
        "党建工作与业务工作融合不够，存在“两张皮”现象",
        "以“‘红色引擎’驱动文旅高质量发展”为突破项目，党建工作与业务工作同部署、同研究、同考核",
        D(2022, 8, 31),
        D(2022, 8, 26),
    ),
    (
        "root",
        "班子成员“一岗双责”落实不到位，抓分管领域党建工作不够有力",
        "制定全面从严治党主体责任清单，班子成员每季度到分管领域督导党建工作",
        D(2022, 8, 31),
        D(2022, 8, 15),
    ),
    (
        "root",
        "党务干部调动频繁，业务能力参差不齐，培训不够系统",
        "组织党务干部专项培训，建立党务工作交接制度",
        D(2022, 8, 31),
        D(2022, 7, 29),
    ),
    (
        "b2",
        "党员发展档案材料不齐全，部分材料缺少签字",
        "逐份核查发展党员档案，补齐材料",
        D(2022, 7, 31),
        D(2022, 7, 20),
    ),
    (
        "b3",
        "“三会一课”会议记录不规范，部分会议记录过于简单",
        "统一会议记录本，组织委员每月审核",
        D(2022, 7, 31),
        D(2022, 7, 25),
    ),
    (
        "b4",
        "主题党日活动形式单一，党员参与积极性不高",
        "结合业务开展“流动图书下乡”等主题党日",
        D(2022, 7, 31),
        D(2022, 8, 12),
    ),
]
ROUND_TWO_FEEDBACK = (
    "一、党建工作与业务工作融合不够，存在“两张皮”现象；\n"
    "二、班子成员“一岗双责”落实不到位；\n"
    "三、党务干部业务能力参差不齐，培训不够系统；\n"
    "四、基层党支部“三会一课”、党员发展等基础工作不够规范。"
)

# The committee's field inspection: (org key, date, method, note)
VISITS_2022 = [
    ("b3", D(2022, 3, 15), InspectionMethod.FIELD, "实地查看支部活动阵地和“三会一课”记录"),
    ("b1", D(2022, 4, 12), InspectionMethod.DOCUMENTS, "查阅支部党员发展档案和党费收缴台账"),
    ("b4", D(2022, 4, 26), InspectionMethod.FIELD, "实地检查支部标准化规范化建设"),
    ("b2", D(2022, 6, 16), InspectionMethod.FIELD, "实地督导党员量化积分和主题党日开展情况"),
]
FIELD_PROBLEMS = [
    ("b4", "支部委员会会议记录有缺页，个别会议未记录出席情况", D(2022, 8, 31), D(2022, 8, 20)),
    ("b3", "党费收缴台账登记不及时", D(2022, 8, 31), D(2022, 7, 28)),
    ("b2", "党员量化积分台账更新不及时", D(2022, 8, 31), D(2022, 8, 30)),
]

# The 述职大会 of January 2022 (2021 work): (branch, ratings 好/较好/一般/差, problems).
REPORTS_2022 = [
    (
        "b1",
        (22, 9, 2, 0),
        ["理论学习与业务工作结合不紧密，学习形式较单一", "对党小组工作指导不够，党小组会质量不高"],
    ),
    (
        "b2",
        (18, 12, 3, 0),
        ["发展党员工作计划性不强，入党积极分子培养不够", "支部委员分工履职不够到位"],
    ),
    (
        "b3",
        (20, 10, 3, 0),
        ["党建工作与文化惠民业务融合不够", "党员先锋模范作用发挥不够明显"],
    ),
    (
        "b4",
        (12, 15, 5, 1),
        ["支部组织生活落实不够经常，支委会存在漏开现象", "支部书记抓党建精力投入不足"],
    ),
]
REPORTS_2023 = [
    ("b1", (24, 8, 1, 0), ["“三会一课”质量有待提升"]),
    ("b2", (21, 10, 2, 0), ["党员教育管理方式方法创新不够"]),
    ("b3", (22, 9, 2, 0), ["青年党员培养使用不够"]),
    ("b4", (15, 14, 4, 0), ["支部标准化规范化建设推进较慢", "党建阵地建设有待加强"]),
]
REPORTS_2026 = [
    ("b1", (25, 7, 1, 0), ["党员积分管理与日常考核衔接不够"]),
    ("b2", (20, 11, 2, 0), ["党建品牌特色不够鲜明"]),
    ("b3", (23, 9, 1, 0), ["非遗保护业务骨干党员比例偏低"]),
    ("b4", (14, 14, 4, 1), ["支委会漏开问题仍有反复", "党课质量不高，联系实际不够"]),
]

# The 2021 star rating's rectification items, all closed in the first half of 2022.
STAR_PROBLEMS = [
    ("b1", "党员活动室制度上墙内容未及时更新", D(2022, 3, 31), D(2022, 3, 10)),
    ("b1", "党小组会记录缺少学习内容", D(2022, 3, 31), D(2022, 3, 25)),
    ("b2", "支部年度工作计划未报上级党组织备案", D(2022, 3, 31), D(2022, 2, 28)),
    ("b2", "党员信息库个别信息未更新", D(2022, 4, 30), D(2022, 4, 18)),
    ("b3", "主题党日固定日执行不严格", D(2022, 4, 30), D(2022, 4, 20)),
    ("b3", "党员志愿服务记录不完整", D(2022, 4, 30), D(2022, 4, 28)),
    ("b4", "支部委员会议事规则不健全", D(2022, 4, 30), D(2022, 5, 12)),
    ("b4", "党费收缴公示不及时", D(2022, 5, 31), D(2022, 5, 20)),
    ("b4", "党员先锋岗设置未公示", D(2022, 5, 31), D(2022, 5, 30)),
    ("g1", "庄户剧团党员流动频繁，组织关系转接不及时", D(2022, 5, 31), D(2022, 5, 26)),
    ("g1", "行业党建活动记录不完整", D(2022, 6, 30), D(2022, 6, 15)),
    ("g2", "旅游企业党员亮身份活动开展不够", D(2022, 6, 30), D(2022, 6, 24)),
]


class DemoSupervision:
    def __init__(self, orgs: dict[str, Organization], people: dict[str, Person], today: datetime.date, log):
        self.orgs = orgs
        self.people = people
        self.today = today
        self.log = log
        self.created = 0

    # ------------------------------------------------------------------ helpers

    def sec(self, key: str) -> Person | None:
        return self.people.get(f"{key}_sec") or self.people.get("party_sec")

    def leader(self, key: str) -> Person:
        return self.people["director"] if key == "root" else self.people["party_sec"]

    def problem(self, *, org_key: str, description: str, found_on, due_on, source, measures="", **links) -> Problem:
        self.created += 1
        return services.problem_create(
            actor=None,
            data={
                "source": source,
                "organization": self.orgs[org_key],
                "description": description,
                "measures": measures or "制定整改方案，明确责任人和完成时限，逐项整改销号",
                "responsible_person": self.sec(org_key) if org_key != "root" else self.people["root_org"],
                "responsible_leader": self.leader(org_key),
                "found_on": found_on,
                **links,
            },
            deadline=due_on,
        )

    def work(self, problem: Problem, on: datetime.date, text: str) -> Problem:
        services.problem_report_progress(actor=None, problem=problem, content=text, reported_on=on)
        return Problem.objects.get(pk=problem.pk)

    def settle(self, problem: Problem, closed_on: datetime.date, *, note="已按整改措施完成整改") -> Problem:
        """Progress, application and closure, dated around `closed_on`."""
        start = max(problem.found_on, closed_on - datetime.timedelta(days=20))
        problem = self.work(problem, start, "已制定整改方案，正在逐项落实")
        problem = services.problem_apply_closure(actor=None, problem=problem, note=note)
        return services.problem_close(
            actor=None, problem=problem, verification="经核实，整改到位，同意销号", closed_on=closed_on
        )

    # ------------------------------------------------------------------ 2022

    def round_two(self) -> None:
        root = self.orgs["root"]
        inspection = services.inspection_create(
            actor=None,
            data={
                "name": ROUND_TWO,
                "organization": root,
                "inspector_body": "市直机关工委第二督导组",
                "methods": [InspectionMethod.DOCUMENTS, InspectionMethod.FORUM, InspectionMethod.SURVEY],
                "start_on": D(2022, 4, 18),
                "end_on": D(2022, 4, 29),
                "summary": "督导组通过查阅资料、个别谈话、座谈和问卷调查，对局机关党委及所属党支部落实全面从严治党主体责任和基层党建工作情况进行了督导检查。",
                "feedback": ROUND_TWO_FEEDBACK,
                "feedback_on": D(2022, 5, 27),
            },
            targets=[self.orgs[k] for k in ("root", "b1", "b2", "b3", "b4")],
            inspectors=[],
        )
        services.visit_add(
            actor=None,
            inspection=inspection,
            organization=root,
            visited_on=D(2022, 4, 19),
            method=InspectionMethod.DOCUMENTS,
            note="查阅机关党委2021年以来党建工作资料",
        )
        services.visit_add(
            actor=None,
            inspection=inspection,
            organization=root,
            visited_on=D(2022, 4, 21),
            method=InspectionMethod.FORUM,
            note="召开党员干部座谈会，开展问卷调查",
        )
        for org_key, text, measures, due, closed in ROUND_TWO_PROBLEMS:
            p = self.problem(
                org_key=org_key,
                description=text,
                measures=measures,
                found_on=D(2022, 5, 27),
                due_on=due,
                source=ProblemSource.INSPECTION,
                inspection=inspection,
            )
            self.settle(p, closed)
        # The two 整改专题会议 of June 2022 (recorded by meetings.demo) answer this feedback.
        meetings = Meeting.objects.filter(
            organization=root,
            kind=MeetingKind.TOPIC,
            subtype__code="rectification",
            held_on__year=2022,
            held_on__month=6,
        ).order_by("held_on")
        for meeting in meetings:
            services.meeting_set_responds_to(actor=None, meeting=meeting, inspection=inspection)

    def field_inspection(self) -> None:
        p = self.people
        inspection = services.inspection_create(
            actor=None,
            data={
                "name": FIELD_INSPECTION,
                "organization": self.orgs["root"],
                "inspector_body": "",
                "methods": [InspectionMethod.FIELD, InspectionMethod.DOCUMENTS],
                "start_on": D(2022, 3, 15),
                "end_on": D(2022, 6, 16),
                "summary": "机关党委对所属党支部开展实地督导检查，推动支部晋位升级、建设过硬支部。",
                "feedback": "各支部基础工作总体规范；个别支部会议记录、台账登记不够及时。",
                "feedback_on": D(2022, 6, 28),
            },
            targets=[self.orgs[k] for k in ("b1", "b2", "b3", "b4")],
            inspectors=[p["party_sec"], p["root_deputy"], p["root_org"]],
        )
        for org_key, day, method, note in VISITS_2022:
            services.visit_add(
                actor=None,
                inspection=inspection,
                organization=self.orgs[org_key],
                visited_on=day,
                method=method,
                note=note,
            )
        for org_key, text, due, closed in FIELD_PROBLEMS:
            problem = self.problem(
                org_key=org_key,
                description=text,
                found_on=D(2022, 6, 28),
                due_on=due,
                source=ProblemSource.INSPECTION,
                inspection=inspection,
            )
            self.settle(problem, closed)

    def reports(self, held_on: datetime.date, rows, due_on: datetime.date, closed_on) -> list[Problem]:
        """A 述职大会: one report per secretary, the problems into the ledger; closed_on(i) or None."""
        created = []
        for org_key, (ex, good, fair, poor), problems in rows:
            report = services.report_create(
                actor=None,
                data={
                    "organization": self.orgs[org_key],
                    "secretary": self.people[f"{org_key}_sec"],
                    "year": held_on.year - 1,
                    "held_on": held_on,
                    "title": ASSEMBLY,
                    "report": (
                        f"{held_on.year - 1}年，支部围绕基层党建和全面从严治党主体责任，落实“三会一课”等组织生活制度，"
                        "推进支部标准化规范化建设。对照检查，查找出以下问题，并明确了整改方向。"
                    ),
                    "rating_excellent": ex,
                    "rating_good": good,
                    "rating_fair": fair,
                    "rating_poor": poor,
                    "comments": "述职报告客观全面，问题查找较准，整改措施具体",
                },
            )
            for text in problems:
                problem = self.problem(
                    org_key=org_key,
                    description=text,
                    found_on=held_on,
                    due_on=due_on,
                    source=ProblemSource.SECRETARY_REPORT,
                    secretary_report=report,
                )
                created.append(problem)
        for i, problem in enumerate(created):
            when = closed_on(i)
            if when is not None:
                self.settle(problem, when)
        return created

    def star_rating(self) -> None:
        for org_key, text, due, closed in STAR_PROBLEMS:
            problem = self.problem(
                org_key=org_key,
                description=text,
                found_on=D(2022, 1, 10),
                due_on=due,
                source=ProblemSource.STAR_RATING,
                source_note=STAR_NOTE,
            )
            self.settle(problem, closed)

    # ------------------------------------------------------------------ recent, relative to today

    def recent(self) -> None:
        today = self.today
        ago = lambda days: today - datetime.timedelta(days=days)  # noqa: E731
        if ago(0) < D(2026, 2, 1):
            return  # the 2026 述职大会 is in January 2026; an older clock has no "recent" year
        self.reports(
            D(2026, 1, 20),
            REPORTS_2026,
            D(2026, 6, 30),
            lambda i: [D(2026, 5, 20), D(2026, 6, 10), D(2026, 6, 26), None, None][i] if i < 5 else None,
        )
        # 图书馆党支部's two 2026 problems are still open: one overdue since June (督办), one extended.
        late, extended = Problem.objects.filter(
            source=ProblemSource.SECRETARY_REPORT, found_on=D(2026, 1, 20), status=ProblemStatus.PENDING
        ).order_by("pk")[:2]
        self.work(late, D(2026, 5, 8), "已召开支委会研究整改，正在完善支委会议事规则")
        extended = self.work(extended, D(2026, 6, 5), "已制定党课质量提升方案")
        request = services.problem_request_extension(
            actor=None,
            problem=extended,
            new_due_on=max(ago(-40), D(2026, 7, 1)),
            reason="结合下半年党课计划一并整改，需延长时限",
        )
        services.problem_decide_extension(actor=None, request=request, approve=True, note="同意延期")

        life = (
            Meeting.objects.filter(kind=MeetingKind.DEMOCRATIC_LIFE, organization=self.orgs["root"])
            .filter(held_on__gte=ago(400))
            .order_by("-held_on")
            .first()
        )
        open_items = [
            # (org, source, description, found days ago, due in days (negative: overdue), stage, extra)
            ("b2", ProblemSource.SELF_INSPECTION, "支部党员大会会议记录未及时归档", 60, -2, "progress", {}),
            ("b1", ProblemSource.SELF_INSPECTION, "党小组长调整后未及时报备", 45, -1, None, {}),
            (
                "b3",
                ProblemSource.HIGHER_FEEDBACK,
                "意识形态阵地管理台账不健全",
                40,
                20,
                "applied",
                {"source_note": "市委宣传部意识形态工作检查反馈"},
            ),
            (
                "root",
                ProblemSource.DEMOCRATIC_LIFE,
                "班子成员深入基层调研不够，解决实际问题不多",
                120,
                30,
                "progress",
                {"meeting": life} if life else {},
            ),
            ("b4", ProblemSource.SELF_INSPECTION, "支部微信群管理不规范", 20, 2, None, {}),
            ("g1", ProblemSource.SELF_INSPECTION, "庄户剧团党员学习教育覆盖不全", 15, 45, "pending_extension", {}),
        ]
        for org_key, source, text, found_ago, due_in, stage, extra in open_items:
            problem = self.problem(
                org_key=org_key,
                description=text,
                found_on=ago(found_ago),
                due_on=today + datetime.timedelta(days=due_in),
                source=source,
                **extra,
            )
            if stage in ("progress", "applied", "pending_extension"):
                problem = self.work(problem, ago(max(found_ago - 7, 1)), "已制定整改方案，正在落实整改措施")
            if stage == "applied":
                services.problem_apply_closure(
                    actor=None, problem=problem, note="已建立阵地管理台账，佐证材料见整改进展"
                )
            if stage == "pending_extension":
                services.problem_request_extension(
                    actor=None,
                    problem=problem,
                    new_due_on=today + datetime.timedelta(days=75),
                    reason="演出季党员外出较多，需延期至演出季结束后集中学习",
                )
        # 督办: the problem overdue since June gets its 督办单 today (the daily command would do it).
        send_problem_reminders(today, stages=(ESCALATION,))


def build(
    *,
    orgs: dict[str, Organization],
    people: dict[str, Person],
    today: datetime.date,
    log: Callable[[str], None] = lambda _m: None,
    **_context,
) -> int:
    """Create the demo's inspections, reports and ledger; returns the number of problems."""
    builder = DemoSupervision(orgs, people, today, log)
    log("督导检查、书记述职评议与问题整改台账")
    builder.reports(
        D(2022, 1, 25), REPORTS_2022, D(2022, 6, 30), lambda i: D(2022, 6, 10) + datetime.timedelta(days=2 * i)
    )
    builder.star_rating()
    builder.field_inspection()
    builder.round_two()
    builder.reports(
        D(2023, 1, 17), REPORTS_2023, D(2023, 6, 30), lambda i: D(2023, 5, 15) + datetime.timedelta(days=5 * i)
    )
    builder.recent()
    log(f"问题整改台账：已登记 {builder.created} 个问题")
    return builder.created
