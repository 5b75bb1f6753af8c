"""`python manage.py generate_scale_data --orgs 5000 --people 100000 [--seed N]`

A synthetic city-wide party tree for load tests: a root 市直机关工委, about 100 机关党委 (one per
bureau), 党总支, 党支部 and 党小组, one unit with departments per bureau, and people with valid ID
numbers and filled pinyin fields. It writes with bulk_create (no audit entries, no row history:
synthetic data, not records anyone entered) inside one transaction, and puts everything under its
own root (code ``SCALE-ROOT``) so it can run on an empty database or next to the demo bureau. An
account ``scale_admin`` (no usable password; `bench` logs in with force_login) is the committee
administrator of that root.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from core.dbstats import analyze
from orgs import demo
from orgs.demo import AREA_CODES, GIVEN_FEMALE, GIVEN_MALE, PHONE_PREFIXES, SCALE_CODE_PREFIX, SCALE_USERNAME, SURNAMES
from orgs.models import Department, Organization, PartyStatus, Person, Unit, UnitType
from orgs.services import pinyin_of
from orgs.validators import id_check_digit

ROOT_CODE = f"{SCALE_CODE_PREFIX}ROOT"
ROOT_NAME = "市直机关工委"
BUREAUS = [
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "国有资产监督管理委员会",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "行政审批服务局",
    "大数据局",
    "海洋发展局",
    "信访局",
    "机关事务服务中心",
    "档案馆",
    "体育局",
    "外事办公室",
    "投资促进局",
    "粮食和物资储备局",
    "林业局",
    "地方金融监督管理局",
    "住房公积金管理中心",
    "政务服务中心",
]
DEPARTMENT_NAMES = ["办公室", "组织人事科", "财务科", "政策法规科", "业务一科", "业务二科", "综合执法科", "信息中心"]
JOB_TITLES = ["科员", "一级科员", "二级科员", "四级主任科员", "三级主任科员", "副科长", "科长", "办事员", "工作人员"]
STATUS_WEIGHTS = [
    (PartyStatus.FULL, 80),
    (PartyStatus.PROBATIONARY, 4),
    (PartyStatus.ACTIVIST, 6),
    (PartyStatus.NON_MEMBER, 10),
]
DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 305 → 三百零五 (up to 9999)."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    parts, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero:
                parts.append("零")
                zero = False
            parts.append(DIGITS[d] + unit)
        elif parts:
            zero = True
    return "".join(parts)


@dataclass
class OrgPlan:
    name: str
    org_type: str
    parent: int | None  # index into the plan
    committee: int  # index of the 机关党委 above (itself for committees)
    sort_order: int
    obj: Organization | None = None


@dataclass
class ScaleBuilder:
    orgs: int
    people: int
    seed: int = 1
    log: object = print
    batch_size: int = 5000
    rng: random.Random = field(init=False)
    plan: list[OrgPlan] = field(default_factory=list)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.today = timezone.localdate()
        self._pinyin: dict[str, tuple[str, str]] = {}
        self._ids: set[str] = set()
        self._names: dict[str, list[tuple[str, str, str]]] = {}
        self.targets: list[int] = []
        self.units: dict[int, Unit] = {}
        self.departments: dict[int, list[Department]] = {}

    # ------------------------------------------------------------ helpers

    def pinyin(self, text: str) -> tuple[str, str]:
        cached = self._pinyin.get(text)
        if cached is None:
            cached = self._pinyin[text] = pinyin_of(text)
        return cached

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    # ------------------------------------------------------------ tree

    def plan_tree(self) -> None:
        if self.orgs < 3:
            raise CommandError("--orgs 至少为 3（根组织、机关党委、党支部各一个）")
        n_comm = max(1, min(100, round(self.orgs / 50)))
        rest = self.orgs - 1 - n_comm
        n_gen = int(rest * 0.05)
        n_branch = max(1, int(rest * 0.45))
        n_cell = rest - n_gen - n_branch
        plan = [OrgPlan(ROOT_NAME, "committee", None, 0, 0)]
        committees, generals, branches = [], [], []
        counters: Counter = Counter()
        bureau_names = []
        for i in range(n_comm):
            base = BUREAUS[i % len(BUREAUS)]
            round_ = i // len(BUREAUS)
            bureau_names.append(f"市{base}" + (f"直属{chinese_number(round_)}处" if round_ else ""))
        for i in range(n_comm):
            committees.append(len(plan))
            plan.append(OrgPlan(f"{bureau_names[i]}机关党委", "committee", 0, len(plan), i))
        for i in range(n_gen):
            c = committees[i % n_comm]
            counters[(c, "g")] += 1
            generals.append(len(plan))
            name = f"{bureau_names[c - 1]}第{chinese_number(counters[(c, 'g')])}党总支"
            plan.append(OrgPlan(name, "general_branch", c, c, counters[(c, "g")]))
        for i in range(n_branch):
            # About 30 % of the branches sit under a 党总支, the rest directly under a 机关党委.
            under_general = generals and self.rng.random() < 0.3
            parent = self.rng.choice(generals) if under_general else committees[i % n_comm]
            c = plan[parent].committee
            counters[(c, "b")] += 1
            branches.append(len(plan))
            name = f"{bureau_names[c - 1]}第{chinese_number(counters[(c, 'b')])}党支部"
            plan.append(OrgPlan(name, "branch", parent, c, counters[(c, "b")]))
        cells = []
        for _ in range(n_cell):
            parent = self.rng.choice(branches)
            counters[(parent, "c")] += 1
            cells.append(len(plan))
            name = f"{plan[parent].name}第{chinese_number(counters[(parent, 'c')])}党小组"
            plan.append(OrgPlan(name, "cell", parent, plan[parent].committee, counters[(parent, "c")]))
        self.plan = plan
        # People belong to branches, cells and (a few) general branches.
        self.targets = branches + cells + generals

    def insert_tree(self) -> None:
        t0 = time.monotonic()
        by_depth: dict[int, list[int]] = {}
        depth = {}
        for i, p in enumerate(self.plan):
            depth[i] = 0 if p.parent is None else depth[p.parent] + 1
            by_depth.setdefault(depth[i], []).append(i)
        today = self.today
        three_years = datetime.timedelta(days=3 * 365 + 60)
        done = 0
        for d in sorted(by_depth):
            objs = []
            for i in by_depth[d]:
                p = self.plan[i]
                term_start = None
                established = None
                if p.org_type != "cell":
                    # Spread terms so that some are due and some have expired (换届提醒).
                    term_start = self._date_between(today - three_years, today - datetime.timedelta(days=30))
                    established = self._date_between(datetime.date(1990, 1, 1), term_start)
                objs.append(
                    Organization(
                        name=p.name,
                        code=ROOT_CODE if i == 0 else f"{SCALE_CODE_PREFIX}{i:06d}",
                        org_type=p.org_type,
                        parent=self.plan[p.parent].obj if p.parent is not None else None,
                        path="",
                        depth=d,
                        sort_order=p.sort_order,
                        established_on=established,
                        term_start=term_start,
                        fixed_theme_day=self.rng.randint(1, 28) if p.org_type != "cell" else None,
                        name_initials=self.pinyin(p.name)[1][:100],
                    )
                )
            Organization.objects.bulk_create(objs, batch_size=self.batch_size)
            for i, obj in zip(by_depth[d], objs, strict=True):
                self.plan[i].obj = obj
                parent = obj.parent
                obj.path = (parent.path if parent else "") + f"{obj.pk:06d}."
            Organization.objects.bulk_update(objs, ["path"], batch_size=1000)
            done += len(objs)
            self.log(f"  党组织 {done}/{len(self.plan)}（第 {d} 层 {len(objs)} 个）")
        self.log(f"  党组织完成，用时 {time.monotonic() - t0:.1f} 秒")

    def insert_units(self) -> None:
        existing = set(Unit.all_objects.values_list("name", flat=True))
        committees = [i for i, p in enumerate(self.plan) if p.org_type == "committee" and i != 0]
        branches_of: dict[int, list[int]] = {}
        for i, p in enumerate(self.plan):
            if p.org_type == "branch":
                branches_of.setdefault(p.committee, []).append(i)
        units = []
        for c in committees:
            name = self.plan[c].name.removesuffix("机关党委") + "机关"
            if name in existing:
                name += f"（{self.seed}）"
            units.append(Unit(name=name, unit_type=UnitType.ORGAN, sort_order=len(units)))
        Unit.objects.bulk_create(units, batch_size=self.batch_size)
        depts = []
        for c, unit in zip(committees, units, strict=True):
            self.units[c] = unit
            branches = branches_of.get(c) or [c]
            for k, name in enumerate(DEPARTMENT_NAMES):
                org = self.plan[branches[k % len(branches)]].obj
                depts.append(Department(name=name, unit=unit, organization=org, sort_order=k))
        Department.objects.bulk_create(depts, batch_size=self.batch_size)
        committee_of_unit = {unit.pk: c for c, unit in self.units.items()}
        for d in depts:
            self.departments.setdefault(committee_of_unit[d.unit_id], []).append(d)
        self.log(f"  单位 {len(units)} 个，科室 {len(depts)} 个")

    # ------------------------------------------------------------ people

    def _name_parts(self) -> None:
        """Precompute the pinyin of each surname and given-name character once."""
        if self._names:
            return
        for gender, chars in (("M", GIVEN_MALE), ("F", GIVEN_FEMALE)):
            self._names[gender] = [(ch, *self.pinyin(ch)) for ch in chars]
        self._surnames = [(ch, *self.pinyin(ch)) for ch in SURNAMES]

    def _id_number(self, birth: datetime.date, gender: str) -> str:
        rng = self.rng
        while True:
            seq = rng.randint(0, 99)
            sex = rng.choice("13579" if gender == "M" else "02468")
            first17 = f"{rng.choice(AREA_CODES)}{birth:%Y%m%d}{seq:02d}{sex}"
            number = first17 + id_check_digit(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def add_people(self, count: int) -> int:
        """Insert `count` people into the planned tree (may be called again to grow it)."""
        self._name_parts()
        if not self._ids:
            self._ids.update(Person.all_objects.exclude(id_number="").values_list("id_number", flat=True))
        rng = self.rng
        statuses = [s for s, _ in STATUS_WEIGHTS]
        weights = [w for _, w in STATUS_WEIGHTS]
        born_from, born_to = datetime.date(1962, 1, 1), datetime.date(2002, 12, 31)
        born_span = (born_to - born_from).days
        cap = self.today - datetime.timedelta(days=400)
        t0 = time.monotonic()
        created = 0
        while created < count:
            batch = []
            for _ in range(min(self.batch_size, count - created)):
                idx = rng.choice(self.targets)
                plan = self.plan[idx]
                gender = "M" if rng.random() < 0.55 else "F"
                sur, sur_py, sur_ini = rng.choice(self._surnames)
                given = [rng.choice(self._names[gender])]
                if rng.random() < 0.6:
                    given.append(rng.choice(self._names[gender]))
                name = sur + "".join(g[0] for g in given)
                birth = born_from + datetime.timedelta(days=rng.randint(0, born_span))
                status = rng.choices(statuses, weights)[0]
                joined = full_on = None
                if status == PartyStatus.FULL:
                    joined = min(birth + datetime.timedelta(days=rng.randint(20 * 365, 35 * 365)), cap)
                    full_on = joined + datetime.timedelta(days=365)
                elif status == PartyStatus.PROBATIONARY:
                    joined = self.today - datetime.timedelta(days=rng.randint(30, 360))
                depts = self.departments.get(plan.committee) or []
                dept = rng.choice(depts) if depts and rng.random() < 0.8 else None
                batch.append(
                    Person(
                        name=name,
                        name_pinyin=sur_py + "".join(g[1] for g in given),
                        name_initials=sur_ini + "".join(g[2] for g in given),
                        gender=gender,
                        id_number=self._id_number(birth, gender),
                        birth_date=birth,
                        phone=rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
                        party_status=status,
                        joined_party_on=joined,
                        full_member_on=full_on,
                        organization=plan.obj,
                        org_path=plan.obj.path,
                        unit=self.units.get(plan.committee),
                        department=dept,
                        job_title=rng.choice(JOB_TITLES),
                        is_leader=rng.random() < 0.02,
                    )
                )
            Person.objects.bulk_create(batch, batch_size=self.batch_size)
            created += len(batch)
            self.log(f"  人员 {created}/{count}（{time.monotonic() - t0:.1f} 秒）")
        return created

    def set_committee_flags(self) -> None:
        """has_committee / has_cells consistent with the data (≥ 7 正式党员 in the subtree)."""
        by_pk = dict(
            Person.objects.filter(org_path__startswith=self.plan[0].obj.path, party_status="full")
            .values_list("organization_id")
            .annotate(n=Count("id"))
        )
        # A parent always precedes its children in the plan, so one reverse pass sums subtrees.
        full = [by_pk.get(p.obj.pk, 0) for p in self.plan]
        for i in range(len(self.plan) - 1, 0, -1):
            full[self.plan[i].parent] += full[i]
        with_cells = {p.parent for p in self.plan if p.org_type == "cell"}
        changed = []
        for i, p in enumerate(self.plan):
            if p.org_type in ("branch", "general_branch"):
                p.obj.has_committee = full[i] >= 7
                p.obj.has_cells = i in with_cells
                changed.append(p.obj)
        Organization.objects.bulk_update(changed, ["has_committee", "has_cells"], batch_size=1000)

    def create_admin(self) -> User:
        user = User.objects.filter(username=SCALE_USERNAME).first()
        if user is None:
            user = User(username=SCALE_USERNAME, display_name="规模测试管理员", must_change_password=False)
            user.set_unusable_password()
            user.save()
        RoleGrant.objects.get_or_create(user=user, role=Role.COMMITTEE_ADMIN, organization=self.plan[0].obj)
        return user

    def run(self) -> dict:
        if Organization.all_objects.filter(code=ROOT_CODE).exists():
            raise CommandError(f"规模测试数据已存在（根组织编码 {ROOT_CODE}），请在新的数据库上运行")
        t0 = time.monotonic()
        with transaction.atomic():
            self.plan_tree()
            self.insert_tree()
            self.insert_units()
            self.add_people(self.people)
            self.set_committee_flags()
            admin = self.create_admin()
        analyze(Organization, Person, Unit, Department)  # as autovacuum would a little later
        return {"root": self.plan[0].obj, "admin": admin, "seconds": time.monotonic() - t0}


class Command(BaseCommand):
    help = "生成规模测试数据（市直机关工委下的合成党组织树与人员），用于性能测试"

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=5000, help="党组织数量（默认 5000）")
        parser.add_argument("--people", type=int, default=100_000, help="人员数量（默认 100000）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1，相同种子生成相同数据）")
        parser.add_argument("--batch-size", type=int, default=5000, help="每批插入行数")

    def handle(self, *args, orgs: int, people: int, seed: int, batch_size: int, **options):
        if people < 0:
            raise CommandError("--people 不能为负数")
        if not getattr(settings, "DEMO_ALLOWED", False):
            raise CommandError(
                "当前环境不允许生成规模测试数据（DEMO_ALLOWED 为假，生产环境默认关闭）。"
                "如确需生成，请设置环境变量 DJANGO_DEMO_ALLOWED=1 后重试。"
            )
        if Organization.all_objects.filter(code=ROOT_CODE).exists():
            raise CommandError(f"规模测试数据已存在（根组织编码 {ROOT_CODE}），请在新的数据库上运行")
        if demo.database_state() not in ("empty", "demo"):
            raise CommandError(
                "数据库中已有不是由 load_demo 创建的数据。规模测试数据只能生成在空数据库或只有演示数据的数据库中，"
                "以免合成人员混入真实台账。"
            )
        self.stdout.write(f"生成规模测试数据：党组织 {orgs} 个，人员 {people} 名，随机种子 {seed}")
        builder = ScaleBuilder(
            orgs=orgs, people=people, seed=seed, batch_size=batch_size, log=lambda m: self.stdout.write(m)
        )
        result = builder.run()
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：根组织“{ROOT_NAME}”（编码 {ROOT_CODE}），用时 {result['seconds']:.1f} 秒。"
                f"管理员账号 {SCALE_USERNAME}（机关党委管理员，无密码，供 bench 使用）。"
            )
        )
