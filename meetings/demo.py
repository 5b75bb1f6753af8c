"""Organizational life of the demo bureau (called at the end of `orgs.demo.build_demo`).

The first half of 2022 reproduces the seed report on the 机关党委 (the 党组's meetings are
recorded there): 党建工作专题会 2, 党风廉政专题会议 3, 意识形态 1 and 网络意识形态 1 专题会议,
two 问题整改 专题会议 in June 2022 answering the second-round inspection's feedback (scopes
"班子成员、馆团负责人" and "全体机关干部"), the 党组书记's 党课 《党员干部要算好清正廉洁七笔帐》
in May 2022, the 2021年度民主生活会 (January 2022), 中心组学习, 党组会议, 周例会/月例会, and the
February 2022 主题党日 "流动图书下乡".

From 2022 to today every branch holds its 三会一课: 主题党日 monthly on its fixed day, 支委会
monthly where it has a committee, 党小组会 by its cells, 支部党员大会 and 党课 quarterly,
谈心谈话, 组织生活会 and 民主评议党员 yearly in the fourth quarter (2024–2025 a little lighter:
one 党小组 per month, one 谈心谈话). 图书馆党支部 falls behind: it misses several 支委会 and 主题党日
in 2023 and in the recent months, and last quarter's 党课 — so the heatmap and the home page show
a lagging branch next to the others. 机关第一党支部 (the account branch1) has not yet held this
month's 支委会, so its home page shows what is still due this month.

Everything goes through `meetings.services.meeting_create` (one audit entry per meeting, actor
系统). Attendance comes from `meetings.selectors.expected_attendees` (limited to people who had
joined the party by the meeting date for member meetings), drawn from a random generator with a
fixed seed: most attend, some are on leave with a reason, very few are absent.

Known limitation: the demo records only the current term's committee posts (orgs.demo), so a
支委会 held before a branch's current term began finds no sitting committee on that date and is
stored with quorum_met = False although the (re-elected) current members attended.
"""

from __future__ import annotations

import datetime
import importlib
import random
from collections.abc import Callable, Sequence

from core.periods import Period
from core.workdays import is_working_day
from meetings import services
from meetings.models import AttendanceStatus, Meeting, MeetingKind, TopicSubtype
from meetings.selectors import expected_attendees
from orgs.models import Organization, Person

K = MeetingKind
SEED = 20220701
START = datetime.date(2022, 1, 1)
LAGGING = "b4"  # 图书馆党支部
PENDING_BRANCH = "b1"  # 机关第一党支部 (account branch1): this month's 支委会 still to be held
BRANCHES = ("b1", "b2", "b3", "b4", "g1", "g2")
CELLS = {"b1": ("b1c1", "b1c2"), "b2": ("b2c1", "b2c2")}
LIGHT_YEARS = (2024, 2025)

LECTURE_2022_TITLE = "党员干部要算好清正廉洁七笔帐"
DEMOCRATIC_LIFE_2021 = "2021年度民主生活会"
RECTIFICATION_SCOPES = ("班子成员、馆团负责人", "全体机关干部")
FLOATING_LIBRARY = "二月份主题党日暨“流动图书下乡”活动"

# The seed's first half of 2022 on the 机关党委: (date, subtype code, topic, participant scope).
TOPIC_MEETINGS_2022H1 = [
    (datetime.date(2022, 1, 26), "integrity", "2022年党风廉政建设工作专题会议：部署全年党风廉政建设任务", ""),
    (datetime.date(2022, 2, 18), "party_building", "党建工作专题会：研究部署2022年机关党建工作要点", ""),
    (datetime.date(2022, 3, 16), "ideology", "意识形态工作专题会议：分析研判意识形态领域形势", ""),
    (
        datetime.date(2022, 3, 30),
        "integrity",
        "党风廉政专题会议：研究制定《文化和旅游局全面从严治党主体责任清单》",
        "",
    ),
    (datetime.date(2022, 4, 13), "online_ideology", "网络意识形态工作专题会议：落实网络意识形态工作责任制", ""),
    (datetime.date(2022, 4, 22), "party_building", "党建工作专题会：推进“先进模范机关”创建活动", ""),
    (datetime.date(2022, 5, 27), "integrity", "党风廉政专题会议：梳理《廉政风险点防控清单》", ""),
    (
        datetime.date(2022, 6, 15),
        "rectification",
        "第二轮党建督导检查反馈问题整改工作专题会议（班子成员、馆团负责人）",
        RECTIFICATION_SCOPES[0],
    ),
    (
        datetime.date(2022, 6, 24),
        "rectification",
        "第二轮党建督导检查反馈问题整改工作专题会议（全体机关干部）",
        RECTIFICATION_SCOPES[1],
    ),
]

CENTRAL_STUDY_TOPICS = {
    2022: [
        "学习习近平新时代中国特色社会主义思想和党的十九届六中全会精神",
        "学习《关于推动党史学习教育常态化长效化的实施方案》",
        "学习全国两会精神",
        "学习省委“六个一”发展思路和“十二个着力”重点任务",
        "学习市委“十个争先”和“1123”工作体系部署",
        "学习《中国共产党纪律处分条例》",
        "学习习近平总书记关于文化和旅游工作的重要论述",
        "学习习近平总书记“七一”重要讲话精神",
        "学习习近平总书记关于意识形态工作的重要论述",
        "学习《习近平谈治国理政》第四卷",
        "学习贯彻党的二十大精神",
        "深入学习党的二十大报告",
    ],
    2023: [
        "学习贯彻党的二十大精神",
        "学习全国两会精神",
        "学习习近平新时代中国特色社会主义思想主题教育读书班",
        "学习《习近平著作选读》",
        "学习习近平总书记关于调查研究的重要论述",
        "学习习近平文化思想",
    ],
    2024: ["学习《中国共产党纪律处分条例》（党纪学习教育）", "学习党的二十届三中全会精神"],
    2025: ["深入贯彻中央八项规定精神学习教育", "学习习近平总书记关于文化和旅游工作的重要论述"],
    2026: ["学习全国两会精神", "学习习近平文化思想", "学习习近平总书记关于党的建设的重要思想"],
}

THEME_DAY_TOPICS = {
    1: "重温入党誓词，开启新年新征程",
    2: "新春走访慰问困难党员和老党员",
    3: "“学雷锋”志愿服务进社区",
    4: "清明祭英烈，传承红色基因",
    5: "“五四”青年党员座谈交流",
    6: "党风廉政警示教育",
    7: "庆“七一”重温入党誓词",
    8: "“八一”走访慰问退役军人",
    9: "文化惠民进乡村志愿服务",
    10: "“我和我的祖国”主题学习",
    11: "法治宣传进社区",
    12: "“12·4”国家宪法日学习",
}
RED_EDUCATION_2022 = "参观院夼拥军船旧居、谷牧旧居、龙山革命纪念馆红色教育基地"

COMMITTEE_ITEMS = [
    "研究本月支部工作安排",
    "研究发展党员工作",
    "研究党费收缴情况",
    "研究主题党日活动方案",
    "研究党员教育培训安排",
    "研究支部标准化规范化建设",
]
GENERAL_TOPICS = {
    1: "传达学习上级会议精神，部署支部年度工作",
    2: "学习贯彻上级党建工作部署，通报上半年支部工作",
    3: "党员教育管理专题学习，讨论接收预备党员",
    4: "总结全年支部工作，研究下年度工作计划",
}
LECTURE_TOPICS = [
    "坚定理想信念，筑牢信仰之基",
    "弘扬伟大建党精神",
    "做新时代合格共产党员",
    "以党建引领文旅高质量发展",
    "严守政治纪律和政治规矩",
    "传承红色基因，讲好文旅故事",
    "牢记初心使命，践行全心全意为人民服务的宗旨",
    "学习党章，遵守党章",
]
CELL_TOPICS = [
    "学习《中国共产党章程》",
    "交流学习体会",
    "学习《中国共产党廉洁自律准则》",
    "学习上级文件精神",
    "开展批评与自我批评",
    "讨论本小组党员积分情况",
]
LEAVE_REASONS = {
    "default": ["公出", "病假", "外出学习培训", "事假", "年休假"],
    "g1": ["下乡演出", "病假", "外出演出", "事假"],
    "g2": ["带团外出", "企业值班", "病假", "事假"],
    "b3": ["下乡辅导", "公出", "病假", "事假"],
    "b4": ["流动图书下乡", "公出", "病假", "事假"],
}
MEMBER_KINDS = {
    K.BRANCH_GENERAL,
    K.CELL,
    K.LECTURE,
    K.THEME_DAY,
    K.ORG_LIFE,
    K.APPRAISAL,
    K.ORGAN_ASSEMBLY,
}


def builtin_subtypes() -> list[TopicSubtype]:
    """The built-in 专题 subtypes, re-created from the migration's list if the table was emptied
    (e.g. `flush` before loading the demo again)."""
    from django.apps import apps

    seed = importlib.import_module("meetings.migrations.0002_seed_subtypes")
    if TopicSubtype.objects.filter(is_builtin=True).count() < len(seed.BUILTIN):
        seed.seed(apps, None)
    return list(TopicSubtype.objects.all())


def _working_day(day: datetime.date, *, backward: bool = False) -> datetime.date:
    """The nearest working day in the same month (forward unless `backward`, then the other way)."""
    step = datetime.timedelta(days=-1 if backward else 1)
    current = day
    while not is_working_day(current):
        current += step
        if current.month != day.month:
            current, step = day, -step
    return current


def _months(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    return [(p.start.year, p.start.month) for p in Period("custom", start, end, "").months()]


def _month_offset(year: int, month: int, today: datetime.date) -> int:
    """0 for today's month, 1 for the month before, ..."""
    return (today.year - year) * 12 + today.month - month


class DemoMeetings:
    def __init__(self, orgs: dict[str, Organization], people: dict[str, Person], today: datetime.date, log):
        self.orgs = orgs
        self.people = people
        self.today = today
        self.log = log
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not security
        self.subtypes = {s.code: s for s in builtin_subtypes()}
        self._expected: dict[tuple[int, str], list[Person]] = {}
        self.created = 0
        self.skipped = self._lagging_misses()

    # ------------------------------------------------------------------ helpers

    def expected(self, org: Organization, kind: str, day: datetime.date) -> list[Person]:
        """expected_attendees (read once per organization and kind), without people who joined
        the party after `day` for member meetings. A 支委会 expects the current committee (the
        demo records no earlier terms)."""
        key = (org.pk, kind)
        people = self._expected.get(key)
        if people is None:
            people = self._expected[key] = list(expected_attendees(org, kind, self.today))
        return self.joined_by(people, day) if kind in MEMBER_KINDS else people

    @staticmethod
    def joined_by(people: Sequence[Person], day: datetime.date) -> list[Person]:
        return [p for p in people if p.joined_party_on is None or p.joined_party_on <= day]

    def attendance(self, people: Sequence[Person], reasons_key: str) -> list[services.AttendanceRow]:
        reasons = LEAVE_REASONS.get(reasons_key, LEAVE_REASONS["default"])
        rows = []
        for person in people:
            draw = self.rng.random()
            if draw < 0.07:
                rows.append(services.AttendanceRow(person, AttendanceStatus.LEAVE, self.rng.choice(reasons)))
            elif draw < 0.085:
                rows.append(services.AttendanceRow(person, AttendanceStatus.ABSENT))
            else:
                rows.append(services.AttendanceRow(person, AttendanceStatus.PRESENT))
        return rows

    def hold(
        self,
        org_key: str,
        kind: str,
        day: datetime.date,
        topic: str,
        *,
        attendees: Sequence[Person] | None = None,
        everyone_present: bool = False,
        reasons_key: str | None = None,
        **fields,
    ) -> Meeting | None:
        if day > self.today or day < START:
            return None
        org = self.orgs[org_key]
        people = list(attendees) if attendees is not None else self.expected(org, kind, day)
        if everyone_present:
            rows = [services.AttendanceRow(p, AttendanceStatus.PRESENT) for p in people]
        else:
            rows = self.attendance(people, reasons_key or org_key)
        data = {"organization": org, "kind": kind, "held_on": day, "topic": topic, **fields}
        meeting = services.meeting_create(actor=None, data=data, attendance=rows)
        self.created += 1
        return meeting

    def _lagging_misses(self) -> set[tuple[int, int, str]]:
        """(year, month, what) the lagging branch leaves out: several in 2023, some in 2024–2025,
        and the recent months (relative to today)."""
        misses = {
            (2023, 3, "committee"),
            (2023, 5, "committee"),
            (2023, 6, "theme"),
            (2023, 8, "committee"),
            (2023, 9, "theme"),
            (2023, 11, "committee"),
            (2023, 11, "theme"),
            (2024, 7, "committee"),
            (2025, 2, "committee"),
            (2025, 8, "theme"),
        }
        for offset, whats in (
            (0, ("theme",)),
            (1, ("committee", "theme")),
            (2, ("theme",)),
            (3, ("committee", "theme")),
        ):
            index = self.today.year * 12 + self.today.month - 1 - offset
            for what in whats:
                misses.add((index // 12, index % 12 + 1, what))
        # Last quarter's 党课 was never given.
        last_quarter = Period.containing(
            "quarter", Period.containing("quarter", self.today).start - datetime.timedelta(days=1)
        )
        misses.add((last_quarter.start.year, last_quarter.start.month, "lecture"))
        return misses

    def _missed(self, org_key: str, year: int, month: int, what: str) -> bool:
        if org_key != LAGGING:
            return False
        if what == "lecture":
            quarter_start = Period.containing("quarter", datetime.date(year, month, 1)).start
            return (quarter_start.year, quarter_start.month, what) in self.skipped
        return (year, month, what) in self.skipped

    # ------------------------------------------------------------------ the 党组 / 机关党委

    def leadership(self) -> None:
        p = self.people
        director, party_sec = p["director"], p["party_sec"]
        team = [p[k] for k in ("director", "deputy1", "party_sec", "deputy2", "deputy3")]
        venue_heads = [p[k] for k in ("b3_sec", "b4_sec", "g1_sec", "b2_pub")]
        organ = list(
            Person.objects.filter(org_path__startswith=self.orgs["root"].path, unit__name__endswith="局机关").order_by(
                "org_path", "name"
            )
        )
        # 全体党员干部 of the bureau and its venues (the industry 党总支 are not part of the 机关).
        organ_paths = tuple(self.orgs[b].path for b in ("b1", "b2", "b3", "b4"))
        members = [
            x for x in self.expected(self.orgs["root"], K.LECTURE, self.today) if x.org_path.startswith(organ_paths)
        ]

        # 2021年度民主生活会, prepared by talks between the 党组书记 and each member of the team.
        for i, other in enumerate(team[1:]):
            self.hold(
                "root",
                K.HEART_TALK,
                _working_day(datetime.date(2022, 1, 10 + i)),
                "2021年度民主生活会会前谈心谈话",
                attendees=[director, other],
                everyone_present=True,
                host=director,
            )
        self.hold(
            "root",
            K.DEMOCRATIC_LIFE,
            datetime.date(2022, 1, 20),
            DEMOCRATIC_LIFE_2021,
            attendees=team,
            everyone_present=True,
            host=director,
            place="局机关第一会议室",
            participant_scope="党组班子成员",
            content="围绕学习贯彻习近平新时代中国特色社会主义思想和党的十九届六中全会精神，开展学习研讨、谈心谈话，"
            "深入查摆剖析、相互批评，做到见人见事见思想",
        )
        for day, code, topic, scope in TOPIC_MEETINGS_2022H1:
            attendees = team
            if scope == RECTIFICATION_SCOPES[0]:
                attendees = team + venue_heads
            elif scope == RECTIFICATION_SCOPES[1]:
                attendees = organ
            self.hold(
                "root",
                K.TOPIC,
                _working_day(day),
                topic,
                attendees=attendees,
                reasons_key="default",
                subtype=self.subtypes[code],
                host=director,
                place="局机关第一会议室",
                participant_scope=scope or "党组班子成员",
            )
        self.hold(
            "root",
            K.LECTURE,
            datetime.date(2022, 5, 20),
            LECTURE_2022_TITLE,
            attendees=self.joined_by(members, datetime.date(2022, 5, 20)),
            reasons_key="default",
            lecturer=director,
            host=party_sec,
            place="局机关报告厅",
            participant_scope="全体党员干部",
            content="在机关党员大会上，党组书记以《党员干部要算好清正廉洁七笔帐》为题为全体党员干部讲授党课，"
            "筑牢拒腐防变的思想防线",
        )
        # 周例会 every other Monday of the first half of 2022 (the seed's 党组周例会制度).
        day = datetime.date(2022, 1, 3)
        while day <= datetime.date(2022, 6, 30):
            self.hold(
                "root",
                K.WEEKLY,
                _working_day(day),
                "党组周例会：通报上周工作，安排本周重点工作",
                attendees=team,
                host=director,
            )
            day += datetime.timedelta(days=14)

        for year, month in _months(START, self.today):
            light = year >= 2024
            study_topics = CENTRAL_STUDY_TOPICS[year]
            if not light or month % 2 == 0:
                index = (month - 1) if not light else (month // 2 - 1)
                self.hold(
                    "root",
                    K.CENTRAL_STUDY,
                    _working_day(datetime.date(year, month, 8)),
                    f"党组理论学习中心组学习：{study_topics[index % len(study_topics)]}",
                    attendees=team,
                    host=director,
                    place="局机关第一会议室",
                    participant_scope="党组理论学习中心组成员",
                )
            if not light or month % 3 == 0:
                self.hold(
                    "root",
                    K.LEADING_GROUP,
                    _working_day(datetime.date(year, month, 14)),
                    f"{year}年第{month if not light else month // 3}次党组会议：传达学习上级会议精神，研究“三重一大”事项",
                    attendees=team,
                    host=director,
                )
            if not light:
                self.hold(
                    "root",
                    K.MONTHLY,
                    _working_day(datetime.date(year, month, 28), backward=True),
                    f"党组月例会：总结{month}月份工作，部署下月重点任务",
                    attendees=team,
                    host=director,
                )
            if month == 1 and year > 2022:
                self.hold(
                    "root",
                    K.DEMOCRATIC_LIFE,
                    _working_day(datetime.date(year, 1, 18)),
                    f"{year - 1}年度民主生活会",
                    attendees=team,
                    everyone_present=True,
                    host=director,
                    participant_scope="党组班子成员",
                )
            if month == 2:
                self.hold(
                    "root",
                    K.ORGAN_ASSEMBLY,
                    _working_day(datetime.date(year, 2, 22)),
                    f"{year}年全面从严治党暨机关党建工作会议",
                    attendees=self.joined_by(members, datetime.date(year, 2, 22)),
                    reasons_key="default",
                    host=party_sec,
                    place="局机关报告厅",
                    participant_scope="全体机关党员干部",
                )
            # Topic meetings after the seed's half-year: a few a year.
            later = {(2022, 9): "ideology", (2022, 11): "party_building", (2022, 12): "integrity"}
            if year >= 2023:
                later = {(year, 3): "party_building", (year, 7): "integrity"}
                if not light:
                    later.update({(year, 5): "ideology", (year, 9): "online_ideology", (year, 12): "integrity"})
            code = later.get((year, month))
            if code:
                subtype = self.subtypes[code]
                self.hold(
                    "root",
                    K.TOPIC,
                    _working_day(datetime.date(year, month, 20)),
                    f"{subtype.report_name}：研究{year}年{month}月相关工作",
                    attendees=team,
                    subtype=subtype,
                    host=director,
                    participant_scope="党组班子成员",
                )

    # ------------------------------------------------------------------ branches

    def branches(self) -> None:
        for index, key in enumerate(BRANCHES):
            org = self.orgs[key]
            sec = self.people[f"{key}_sec"]
            for year, month in _months(START, self.today):
                self._branch_month(index, key, org, sec, year, month)

    def _branch_month(self, index: int, key: str, org: Organization, sec: Person, year: int, month: int) -> None:
        rng = self.rng
        light = year in LIGHT_YEARS
        quarter = (month - 1) // 3 + 1
        # 主题党日 on the branch's fixed day (the working day before it when that is a holiday).
        if not self._missed(key, year, month, "theme"):
            topic = THEME_DAY_TOPICS[month]
            place = ""
            if (year, month) == (2022, 2) and key in ("b1", "b2", "b3", "b4"):
                topic, place = FLOATING_LIBRARY, "郭永怀故居、市第三十二中学"
            elif (year, month) == (2022, 6) and key in ("b1", "b2"):
                topic, place = RED_EDUCATION_2022, "人和镇院夼村、龙山革命纪念馆"
            self.hold(
                key,
                K.THEME_DAY,
                _working_day(datetime.date(year, month, org.fixed_theme_day), backward=True),
                f"{month}月主题党日：{topic}",
                host=sec,
                place=place,
            )
        # The first branch has not yet held this month's 支委会: the home page shows it as due.
        pending = key == PENDING_BRANCH and (year, month) == (self.today.year, self.today.month)
        if org.has_committee and not pending and not self._missed(key, year, month, "committee"):
            self.hold(
                key,
                K.BRANCH_COMMITTEE,
                _working_day(datetime.date(year, month, rng.randint(3, 9))),
                f"支委会：{COMMITTEE_ITEMS[(month + index) % len(COMMITTEE_ITEMS)]}",
                host=sec,
            )
        cells = CELLS.get(key, ())
        if light and cells:
            cells = (cells[month % len(cells)],)
        for cell_key in cells:
            leader = self.people.get(f"{cell_key}_leader")
            self.hold(
                cell_key,
                K.CELL,
                _working_day(datetime.date(year, month, rng.randint(18, 24))),
                f"党小组会：{CELL_TOPICS[(month + len(cell_key)) % len(CELL_TOPICS)]}",
                host=leader,
                reasons_key=key,
            )
        # Quarterly: 支部党员大会 in the second or third month of the quarter, 党课 in the third.
        if month % 3 == (2 if index % 2 == 0 else 0):
            self.hold(
                key,
                K.BRANCH_GENERAL,
                _working_day(datetime.date(year, month, rng.randint(12, 17))),
                f"支部党员大会：{GENERAL_TOPICS[quarter]}",
                host=sec,
            )
        if month % 3 == 0 and not self._missed(key, year, month, "lecture"):
            lecturer = sec
            if quarter == 2:
                # 普通党员讲党课: an ordinary member of the branch.
                ordinary = [p for p in self.expected(org, K.LECTURE, datetime.date(year, month, 1)) if p != sec]
                if ordinary:
                    lecturer = ordinary[(year + index) % len(ordinary)]
            topic = LECTURE_TOPICS[(year * 4 + quarter + index) % len(LECTURE_TOPICS)]
            self.hold(
                key,
                K.LECTURE,
                _working_day(datetime.date(year, month, rng.randint(24, 27)), backward=True),
                topic,
                lecturer=lecturer,
                host=sec,
            )
        if month == 11:
            members = [p for p in self.expected(org, K.ORG_LIFE, datetime.date(year, 11, 1)) if p != sec]
            talks = 1 if light else 2
            for i in range(min(talks, len(members))):
                other = members[(year + i * 3) % len(members)]
                first = sec if i == 0 else self.people.get(f"{key}_org", sec)
                if first == other:
                    continue
                self.hold(
                    key,
                    K.HEART_TALK,
                    _working_day(datetime.date(year, 11, 10 + 5 * i)),
                    f"{year}年度组织生活会会前谈心谈话",
                    attendees=[first, other],
                    everyone_present=True,
                    host=first,
                )
        if month == 12:
            self.hold(
                key,
                K.ORG_LIFE,
                _working_day(datetime.date(year, 12, 18)),
                f"{year}年度组织生活会",
                host=sec,
                content="对照检查、开展批评和自我批评",
            )
            self.hold(
                key,
                K.APPRAISAL,
                _working_day(datetime.date(year, 12, 22)),
                f"{year}年度民主评议党员",
                host=sec,
            )


def build(
    *,
    orgs: dict[str, Organization],
    people: dict[str, Person],
    today: datetime.date,
    log: Callable[[str], None] = lambda _m: None,
    **_context,
) -> int:
    """Create the demo's meetings; returns how many. Runs inside build_demo's transaction."""
    builder = DemoMeetings(orgs, people, today, log)
    log("登记组织生活：党组会议、专题会议、民主生活会与各支部“三会一课”")
    builder.leadership()
    builder.branches()
    log(f"组织生活：已登记 {builder.created} 次会议")
    return builder.created
