"""`python manage.py generate_meeting_data [--years 3] [--per-branch-month 2.3] [--seed N]`

Organizational life for the synthetic city-wide tree of `generate_scale_data` (root SCALE-ROOT):
over the last `--years` years up to today, each 党支部/党总支 holds its 主题党日 (on its fixed day),
支委会 (where it has a committee), 党小组会 (on its cells), quarterly 支部党员大会 and 党课, and the
yearly 谈心谈话, 组织生活会 and 民主评议党员; each 机关党委 holds leadership meetings (中心组学习,
党组会议, 专题会议 with their subtypes, 月例会) and a yearly 机关党员干部大会. From that full schedule
meetings are kept at random — most organizations keep nearly all, some lag — so that on average
each owing organization holds `--per-branch-month` meetings a month (the default gives about
200,000 meetings on the 5,000-organization tree).

Attendance is everyone a meeting expects (members of the subtree who had joined the party by the
date; for a 支委会 five full members of the branch standing for its committee, which the scale
tree does not record; the leaders of a 机关党委's subtree for its leadership meetings): most
present, some on leave with a reason, a few absent. Meetings are written with bulk_create and the
attendance with COPY on PostgreSQL (executemany on SQLite), in one transaction: no audit entries,
no row history (synthetic data). The services' derived values are computed directly: org_path =
the organization's path; expected/present/leave/absent counts from the rows; quorum_met for
支部党员大会 (more than half of the subtree's 正式党员 present) and 支委会 (more than half of the
committee present), None for other kinds.
"""

from __future__ import annotations

import calendar
import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core.dbstats import analyze
from core.events import records_changed
from core.rules import rule
from meetings.demo import CELL_TOPICS, COMMITTEE_ITEMS, GENERAL_TOPICS, LECTURE_TOPICS, THEME_DAY_TOPICS
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind, TopicSubtype
from orgs.management.commands.generate_scale_data import ROOT_CODE
from orgs.models import Organization, PartyStatus, Person

K = MeetingKind
BRANCH_TYPES = ("branch", "joint_branch", "general_branch")
LEAVE_REASONS = ("公出", "病假", "事假", "外出学习培训", "年休假")
MEMBER_STATUSES = (PartyStatus.FULL, PartyStatus.PROBATIONARY)
LEADERSHIP_ROTATION = (K.CENTRAL_STUDY, K.LEADING_GROUP, K.TOPIC, K.MONTHLY)
SUBTYPE_ROTATION = ("party_building", "integrity", "ideology", "online_ideology", "rectification")
# Share of organizations by diligence: they keep their meetings at this relative rate.
DILIGENCE = ((1.0, 0.7), (0.75, 0.25), (0.4, 0.05))


@dataclass(slots=True)
class Member:
    pk: int
    full: bool
    joined: datetime.date | None
    leader: bool


@dataclass(slots=True)
class Planned:
    org: Organization
    kind: str
    day: datetime.date
    topic: str
    attendees: list[Member]
    subtype_id: int | None = None
    lecturer_id: int | None = None
    quorum_of: list[Member] | None = None  # whose majority decides quorum_met (None: no quorum)


@dataclass
class MeetingScaleBuilder:
    years: int = 3
    per_branch_month: float = 2.3
    seed: int = 1
    batch_size: int = 10_000
    log: object = print
    today: datetime.date = field(default_factory=timezone.localdate)
    rng: random.Random = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.meetings = 0
        self.written: list[int] = []  # ids of the meetings created, announced once at the end
        self.attendance = 0

    # ------------------------------------------------------------------ loading the tree

    def load(self) -> None:
        root = Organization.objects.filter(code=ROOT_CODE).first()
        if root is None:
            raise CommandError(f"没有规模测试党组织树（根组织编码 {ROOT_CODE}），请先运行 generate_scale_data")
        if Meeting.all_objects.filter(org_path__startswith=root.path).exists():
            raise CommandError("规模测试党组织树下已有会议数据，请在新的数据库上重新生成")
        self.root = root
        self.orgs = list(Organization.objects.filter(path__startswith=root.path).order_by("path"))
        self.children: dict[int, list[Organization]] = defaultdict(list)
        for org in self.orgs:
            if org.parent_id:
                self.children[org.parent_id].append(org)
        own: dict[int, list[Member]] = defaultdict(list)
        people = Person.objects.filter(org_path__startswith=root.path, party_status__in=MEMBER_STATUSES)
        for pk, org_id, status, joined, leader in people.order_by("pk").values_list(
            "pk", "organization_id", "party_status", "joined_party_on", "is_leader"
        ):
            own[org_id].append(Member(pk, status == PartyStatus.FULL, joined, leader))
        self.own = own
        self.subtree: dict[int, list[Member]] = {}
        for org in reversed(self.orgs):  # children (longer paths) before parents
            members = list(own.get(org.pk, []))
            for child in self.children.get(org.pk, []):
                members += self.subtree[child.pk]
            self.subtree[org.pk] = members
        self.subtypes = {s.code: s.pk for s in TopicSubtype.objects.all()}
        self.quorum_share = {}

    def committee_of(self, org: Organization) -> list[Member]:
        """Five full members standing for the branch committee (the scale tree records no posts)."""
        full = [m for m in self.own.get(org.pk, []) if m.full] or [m for m in self.subtree[org.pk] if m.full]
        return full[:5]

    def leaders_of(self, org: Organization) -> list[Member]:
        leaders = [m for m in self.subtree[org.pk] if m.leader]
        return (leaders or [m for m in self.subtree[org.pk] if m.full])[:7]

    # ------------------------------------------------------------------ the schedule

    def months(self) -> list[tuple[int, int]]:
        first = self.today.year * 12 + self.today.month - 1 - (self.years * 12 - 1)
        return [(i // 12, i % 12 + 1) for i in range(first, self.today.year * 12 + self.today.month)]

    def _day(self, year: int, month: int, day: int) -> datetime.date:
        return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))

    def candidates(self, org: Organization, year: int, month: int) -> list[Planned]:
        rng, members = self.rng, self.subtree[org.pk]
        day = self._day

        def joined(d: datetime.date) -> list[Member]:
            return [m for m in members if m.joined is None or m.joined <= d]

        plans: list[Planned] = []
        if org.org_type == "committee":
            if org.pk == self.root.pk:
                return plans
            leaders = self.leaders_of(org)
            for i in range(2):
                kind = LEADERSHIP_ROTATION[(month * 2 + i) % len(LEADERSHIP_ROTATION)]
                d = day(year, month, 8 + 10 * i + rng.randint(0, 5))
                subtype = (
                    self.subtypes.get(SUBTYPE_ROTATION[month % len(SUBTYPE_ROTATION)]) if kind == K.TOPIC else None
                )
                topic = f"{year}年{month}月{dict(K.choices)[kind]}"
                plans.append(Planned(org, kind, d, topic, leaders, subtype_id=subtype))
            if month == 2:
                d = day(year, 2, 20)
                plans.append(Planned(org, K.ORGAN_ASSEMBLY, d, f"{year}年全面从严治党暨机关党建工作会议", joined(d)))
            return plans
        if org.org_type == "cell":
            return plans
        quarter = (month - 1) // 3 + 1
        d = day(year, month, org.fixed_theme_day or 15)
        plans.append(Planned(org, K.THEME_DAY, d, f"{month}月主题党日：{THEME_DAY_TOPICS[month]}", joined(d)))
        if org.has_committee:
            committee = self.committee_of(org)
            d = day(year, month, rng.randint(3, 9))
            topic = f"支委会：{COMMITTEE_ITEMS[month % len(COMMITTEE_ITEMS)]}"
            plans.append(Planned(org, K.BRANCH_COMMITTEE, d, topic, committee, quorum_of=committee))
        cells = [c for c in self.children.get(org.pk, []) if c.org_type == "cell"]
        if cells:
            cell = cells[month % len(cells)]
            d = day(year, month, rng.randint(18, 24))
            cell_members = [m for m in self.subtree[cell.pk] if m.joined is None or m.joined <= d]
            plans.append(Planned(cell, K.CELL, d, f"党小组会：{CELL_TOPICS[month % len(CELL_TOPICS)]}", cell_members))
        if month % 3 == 2:
            d = day(year, month, rng.randint(12, 17))
            voters = [m for m in members if m.full]
            topic = f"支部党员大会：{GENERAL_TOPICS[quarter]}"
            plans.append(Planned(org, K.BRANCH_GENERAL, d, topic, joined(d), quorum_of=voters))
        if month % 3 == 0 and members:
            d = day(year, month, rng.randint(20, 26))
            lecturer = rng.choice(members)
            topic = LECTURE_TOPICS[(year + quarter) % len(LECTURE_TOPICS)]
            plans.append(Planned(org, K.LECTURE, d, topic, joined(d), lecturer_id=lecturer.pk))
        if month == 11 and len(members) >= 2:
            pair = [members[0], members[1 + rng.randrange(len(members) - 1)]]
            plans.append(Planned(org, K.HEART_TALK, day(year, 11, 12), f"{year}年度谈心谈话", pair))
        if month == 12:
            d = day(year, 12, 18)
            plans.append(Planned(org, K.ORG_LIFE, d, f"{year}年度组织生活会", joined(d)))
            d = day(year, 12, 22)
            plans.append(Planned(org, K.APPRAISAL, d, f"{year}年度民主评议党员", joined(d)))
        return plans

    # ------------------------------------------------------------------ writing

    def _meeting(self, p: Planned) -> tuple[Meeting, list[tuple[int, str, str]]]:
        rng = self.rng
        rows, present, leave, absent = [], set(), 0, 0
        for m in p.attendees:
            draw = rng.random()
            if draw < 0.06:
                rows.append((m.pk, AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)))
                leave += 1
            elif draw < 0.075:
                rows.append((m.pk, AttendanceStatus.ABSENT, ""))
                absent += 1
            else:
                rows.append((m.pk, AttendanceStatus.PRESENT, ""))
                present.add(m.pk)
        quorum = None
        if p.quorum_of is not None:
            share = self.quorum_share.get((p.kind, p.day.year))
            if share is None:
                share = float(rule(f"meeting.quorum.{p.kind}", p.day.year, default=0.5))
                self.quorum_share[(p.kind, p.day.year)] = share
            voters = {m.pk for m in p.quorum_of}
            quorum = bool(voters) and len(present & voters) > share * len(voters)
        meeting = Meeting(
            organization_id=p.org.pk,
            org_path=p.org.path,
            kind=p.kind,
            subtype_id=p.subtype_id,
            held_on=p.day,
            start_time=datetime.time(9 if p.kind != K.THEME_DAY else 14, 30),
            lecturer_id=p.lecturer_id,
            topic=p.topic,
            expected_count=len(rows),
            present_count=len(present),
            leave_count=leave,
            absent_count=absent,
            quorum_met=quorum,
        )
        return meeting, rows

    def _insert_attendance(self, rows: list[tuple[int, int, str, str]]) -> None:
        table = connection.ops.quote_name(Attendance._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor: COPY is several times faster than INSERT
                with raw.copy(f"COPY {table} (meeting_id, person_id, status, reason) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} (meeting_id, person_id, status, reason) VALUES (%s, %s, %s, %s)",  # noqa: S608
                    rows,
                )

    def _flush(self, planned: list[Planned]) -> None:
        built = [self._meeting(p) for p in planned]
        meetings = Meeting.objects.bulk_create([m for m, _ in built], batch_size=2000)
        self.written.extend(m.pk for m in meetings)
        rows = [
            (m.pk, person, status, reason)
            for m, (_, att) in zip(meetings, built, strict=True)
            for person, status, reason in att
        ]
        self._insert_attendance(rows)
        self.meetings += len(meetings)
        self.attendance += len(rows)

    def run(self) -> dict:
        t0 = time.monotonic()
        self.load()
        months = self.months()
        owing = [o for o in self.orgs if o.org_type in BRANCH_TYPES]
        self.log(
            f"  党组织 {len(self.orgs)} 个（其中应召开组织生活的党支部/党总支 {len(owing)} 个），"
            f"期间 {months[0][0]}年{months[0][1]}月至{months[-1][0]}年{months[-1][1]}月"
        )
        # First pass: how many meetings the full schedule holds, to keep `per_branch_month` on average.
        state = self.rng.getstate()
        full = sum(len(self.candidates(o, y, m)) for o in self.orgs for y, m in months)
        self.rng.setstate(state)
        target = self.per_branch_month * len(owing) * len(months)
        keep = min(1.0, target / full) if full else 0.0
        mean = sum(d * share for d, share in DILIGENCE)
        self.log(f"  完整日程 {full} 次会议，按平均每个党支部每月 {self.per_branch_month} 次保留约 {keep:.0%}")
        with transaction.atomic():
            batch: list[Planned] = []
            for org in self.orgs:
                draw = self.rng.random()
                diligence = next(d for d, share in _cumulative(DILIGENCE) if draw < share)
                rate = min(1.0, keep * diligence / mean)
                for year, month in months:
                    for p in self.candidates(org, year, month):
                        if p.day > self.today or self.rng.random() >= rate:
                            continue
                        batch.append(p)
                if len(batch) >= self.batch_size:
                    self._flush(batch)
                    batch = []
                    self.log(f"  会议 {self.meetings}，出勤 {self.attendance}（{time.monotonic() - t0:.1f} 秒）")
            if batch:
                self._flush(batch)
            # Written without the services: derived data (stored obligations, duties coverage)
            # follows through the bulk event.
            records_changed(Meeting, self.written)
        analyze(Meeting, Attendance)
        seconds = time.monotonic() - t0
        self.log(f"  会议 {self.meetings}，出勤 {self.attendance}（{seconds:.1f} 秒）")
        return {"meetings": self.meetings, "attendance": self.attendance, "seconds": seconds}


def _cumulative(pairs):
    total = 0.0
    for value, share in pairs:
        total += share
        yield value, total
    yield pairs[-1][0], 2.0  # rounding guard


class Command(BaseCommand):
    help = "为规模测试党组织树生成组织生活数据（会议与出勤），用于性能测试"

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=3, help="生成最近几年的会议（默认 3，截至今天）")
        parser.add_argument(
            "--per-branch-month",
            type=float,
            default=2.3,
            help="平均每个党支部（党总支）每月的会议次数（默认 2.3，5000 个党组织约 20 万次会议）",
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1，相同种子生成相同数据）")
        parser.add_argument("--batch-size", type=int, default=10_000, help="每批写入的会议数")

    def handle(self, *args, years: int, per_branch_month: float, seed: int, batch_size: int, **options):
        if not getattr(settings, "DEMO_ALLOWED", False):
            raise CommandError(
                "当前环境不允许生成规模测试数据（DEMO_ALLOWED 为假，生产环境默认关闭）。"
                "如确需生成，请设置环境变量 DJANGO_DEMO_ALLOWED=1 后重试。"
            )
        if years < 1 or per_branch_month <= 0:
            raise CommandError("--years 至少为 1，--per-branch-month 须大于 0")
        self.stdout.write(
            f"生成组织生活规模测试数据：最近 {years} 年，平均每个党支部每月 {per_branch_month} 次会议，随机种子 {seed}"
        )
        builder = MeetingScaleBuilder(
            years=years,
            per_branch_month=per_branch_month,
            seed=seed,
            batch_size=batch_size,
            log=lambda m: self.stdout.write(m),
        )
        result = builder.run()
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：会议 {result['meetings']} 次，出勤 {result['attendance']} 人次，用时 {result['seconds']:.1f} 秒。"
            )
        )
