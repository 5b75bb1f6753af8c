"""The demo bureau of the seed report: 海滨市文化和旅游局机关党委 with its branches, people and accounts.

`build_demo()` creates everything through the orgs services (so every record has its audit entry,
actor 系统) inside one transaction. Names, ID numbers and phone numbers come from a random
generator with a fixed seed, so an empty database always receives the same people; dates that
must stay meaningful (terms about to expire, probationary members, an open handover) are computed
relative to today.

Marker: the demo is recognised by its root organization (code ``DEMO-ROOT``) together with the
accounts — a database counts as "created by load_demo" only if that root exists, every account
is a demo account (or the synthetic benchmark account of generate_scale_data), and every root
organization is the demo root or a generate_scale_data root. Anything else is foreign data that
load_demo never touches.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from core import audit
from orgs import services
from orgs.models import Department, Organization, PartyPost, Person, PostType, Unit, UnitType
from orgs.validators import id_check_digit

CITY = "海滨市"
BUREAU = f"{CITY}文化和旅游局"
ROOT_CODE = "DEMO-ROOT"
PASSWORD = "demo12345"  # noqa: S105 - the documented demo password
SEED = 20220630

# Roots made by generate_scale_data carry this code prefix and this account name.
SCALE_CODE_PREFIX = "SCALE-"
SCALE_USERNAME = "scale_admin"


# ---------------------------------------------------------------- content


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    code: str
    org_type: str
    parent: str | None
    established_on: datetime.date
    term: str | None  # key into _term_starts()
    has_committee: bool = False
    has_cells: bool = False
    is_industry: bool = False
    fixed_theme_day: int | None = None
    short_name: str = ""


ORGS: list[OrgSpec] = [
    OrgSpec(
        "root",
        f"{BUREAU}机关党委",
        ROOT_CODE,
        "committee",
        None,
        datetime.date(2012, 5, 18),
        "root",
        short_name="局机关党委",
    ),
    OrgSpec(
        "b1",
        "机关第一党支部",
        "DEMO-B01",
        "branch",
        "root",
        datetime.date(2012, 6, 28),
        "due",
        has_committee=True,
        has_cells=True,
        fixed_theme_day=10,
    ),
    OrgSpec(
        "b2",
        "机关第二党支部",
        "DEMO-B02",
        "branch",
        "root",
        datetime.date(2012, 6, 28),
        "m14",
        has_committee=True,
        has_cells=True,
        fixed_theme_day=12,
    ),
    OrgSpec(
        "b3",
        "文化馆党支部",
        "DEMO-B03",
        "branch",
        "root",
        datetime.date(2009, 7, 1),
        "m22",
        has_committee=True,
        fixed_theme_day=15,
    ),
    # Recorded with a committee although it has fewer than 7 正式党员: the demo's mismatch warning.
    OrgSpec(
        "b4",
        "图书馆党支部",
        "DEMO-B04",
        "branch",
        "root",
        datetime.date(2010, 3, 15),
        "expired",
        has_committee=True,
        fixed_theme_day=18,
    ),
    OrgSpec(
        "g1",
        "庄户剧团党总支",
        "DEMO-G01",
        "general_branch",
        "root",
        datetime.date(2019, 6, 28),
        "m10",
        has_committee=True,
        is_industry=True,
        fixed_theme_day=20,
    ),
    OrgSpec(
        "g2",
        "旅游行业党总支",
        "DEMO-G02",
        "general_branch",
        "root",
        datetime.date(2020, 7, 1),
        "m30",
        is_industry=True,
        fixed_theme_day=25,
    ),
    OrgSpec("b1c1", "机关第一党支部第一党小组", "DEMO-B01-1", "cell", "b1", datetime.date(2021, 3, 1), None),
    OrgSpec("b1c2", "机关第一党支部第二党小组", "DEMO-B01-2", "cell", "b1", datetime.date(2021, 3, 1), None),
    OrgSpec("b2c1", "机关第二党支部第一党小组", "DEMO-B02-1", "cell", "b2", datetime.date(2021, 3, 1), None),
    OrgSpec("b2c2", "机关第二党支部第二党小组", "DEMO-B02-2", "cell", "b2", datetime.date(2021, 3, 1), None),
]

# (key, name, type)
UNITS = [
    ("organ", f"{BUREAU}机关", UnitType.ORGAN),
    ("culture", f"{CITY}文化馆", UnitType.TROUPE),
    ("library", f"{CITY}图书馆", UnitType.TROUPE),
    ("troupe", f"{CITY}庄户剧团", UnitType.TROUPE),
    ("relics", f"{CITY}文物保护中心", UnitType.AFFILIATED),
]

# (key, name, unit, branch, administrative): the 6 行政科室 of the seed plus the venues' own departments.
DEPARTMENTS = [
    ("office", "办公室", "organ", "b1", True),
    ("personnel", "组织人事科", "organ", "b1", True),
    ("finance", "财务审计科", "organ", "b1", True),
    ("service", "公共服务科", "organ", "b2", True),
    ("industry", "产业发展科", "organ", "b2", True),
    ("market", "市场管理科", "organ", "b2", True),
    ("mass_culture", "群众文化部", "culture", "b3", False),
    ("heritage", "非遗保护部", "culture", "b3", False),
    ("lending", "借阅部", "library", "b4", False),
    ("tech", "技术部", "library", "b4", False),
]

FULL, PROB, ACT, NON = "full", "probationary", "activist", "non_member"


@dataclass
class PersonSpec:
    org: str
    status: str
    title: str
    unit: str | None = None
    dept: str | None = None
    key: str | None = None
    leadership_role: str = ""
    notes: str = ""
    birth_years: tuple[int, int] = (1972, 1999)
    extra: dict = field(default_factory=dict)


def _people() -> list[PersonSpec]:
    """The roster, in creation order. Keys name the people that posts and accounts refer to."""
    o = "organ"
    lead = {"is_leader": True, "is_leadership_member": True}
    old = (1966, 1976)
    mid = (1975, 1988)
    p: list[PersonSpec] = [
        # 党组 (leadership team): 党组书记 is the 第一责任人, members carry "一岗双责".
        PersonSpec(
            "b1",
            FULL,
            "党组书记、局长",
            o,
            key="director",
            leadership_role="党组书记、局长（第一责任人）",
            birth_years=old,
            extra=lead,
        ),
        PersonSpec(
            "b1",
            FULL,
            "党组成员、副局长",
            o,
            key="deputy1",
            leadership_role="党组成员、副局长（一岗双责）",
            birth_years=old,
            extra=lead,
        ),
        PersonSpec(
            "b1",
            FULL,
            "党组成员、机关党委书记",
            o,
            key="party_sec",
            leadership_role="党组成员、机关党委书记（一岗双责）",
            birth_years=old,
            extra=lead,
        ),
        PersonSpec(
            "b2",
            FULL,
            "党组成员、副局长",
            o,
            key="deputy2",
            leadership_role="党组成员、副局长（一岗双责）",
            birth_years=old,
            extra=lead,
        ),
        PersonSpec(
            "b2",
            FULL,
            "党组成员、副局长",
            o,
            key="deputy3",
            leadership_role="党组成员、副局长（一岗双责）",
            birth_years=old,
            extra=lead,
        ),
        # 机关第一党支部: 办公室, 组织人事科, 财务审计科
        PersonSpec("b1", FULL, "办公室主任", o, "office", key="b1_sec", birth_years=mid),
        PersonSpec("b1", FULL, "办公室副主任", o, "office", key="b1_pub", birth_years=mid),
        PersonSpec("b1", FULL, "一级科员", o, "office", key="b1_affairs"),
        PersonSpec("b1", FULL, "一级科员", o, "office", key="b1_member"),
        PersonSpec("b1c1", FULL, "二级科员", o, "office"),
        PersonSpec("b1c1", NON, "办事员", o, "office"),
        PersonSpec("b1", FULL, "组织人事科科长", o, "personnel", key="root_org", birth_years=mid),
        PersonSpec("b1", FULL, "机关党委专职副书记", o, "personnel", key="root_deputy", birth_years=mid),
        PersonSpec("b1", FULL, "一级科员", o, "personnel", key="root_affairs"),
        PersonSpec("b1", FULL, "一级科员", o, "personnel", key="b1_org"),
        PersonSpec("b1c1", FULL, "二级科员", o, "personnel", key="b1c1_leader"),
        PersonSpec("b1c1", PROB, "二级科员", o, "personnel"),
        PersonSpec("b1c1", ACT, "办事员", o, "personnel"),
        PersonSpec("b1", FULL, "财务审计科科长", o, "finance", key="b1_disc", birth_years=mid),
        PersonSpec("b1c2", FULL, "财务审计科副科长", o, "finance", key="b1c2_leader", birth_years=mid),
        PersonSpec("b1c2", FULL, "一级科员", o, "finance"),
        PersonSpec("b1c2", FULL, "二级科员", o, "finance"),
        PersonSpec("b1c2", PROB, "二级科员", o, "finance"),
        PersonSpec("b1c2", NON, "会计", o, "finance"),
        # 机关第二党支部: 公共服务科, 产业发展科, 市场管理科, 市文物保护中心
        PersonSpec("b2", FULL, "公共服务科科长", o, "service", key="b2_sec", birth_years=mid),
        PersonSpec("b2", FULL, "公共服务科副科长", o, "service", key="root_pub", birth_years=mid),
        PersonSpec("b2c1", FULL, "一级科员", o, "service", key="b2c1_leader"),
        PersonSpec("b2c1", FULL, "二级科员", o, "service"),
        PersonSpec("b2c1", PROB, "二级科员", o, "service"),
        PersonSpec("b2c1", NON, "办事员", o, "service"),
        PersonSpec("b2", FULL, "产业发展科科长", o, "industry", key="b2_org", birth_years=mid),
        PersonSpec(
            "b2c1", FULL, "一级科员", o, "industry", key="former_affairs", notes="2023年2月前任机关党委党务干部"
        ),
        PersonSpec("b2c1", FULL, "二级科员", o, "industry"),
        PersonSpec("b2c1", ACT, "办事员", o, "industry"),
        PersonSpec("b2", FULL, "市场管理科科长", o, "market", key="root_disc", birth_years=mid),
        PersonSpec("b2", FULL, "市场管理科副科长", o, "market", key="b2_disc", birth_years=mid),
        PersonSpec("b2c2", FULL, "一级科员", o, "market", key="b2c2_leader"),
        PersonSpec("b2c2", ACT, "二级科员", o, "market"),
        PersonSpec("b2c2", NON, "办事员", o, "market"),
        PersonSpec("b2", FULL, "文物保护中心主任", "relics", key="b2_pub", birth_years=mid),
        PersonSpec("b2", FULL, "文物保护中心干部", "relics", key="b2_affairs_old", notes="近期调任，党务工作交接中"),
        PersonSpec("b2", FULL, "文物保护中心干部", "relics", key="b2_affairs_new"),
        PersonSpec("b2c2", NON, "文物保护员", "relics"),
    ]
    # 文化馆党支部: 10 正式党员 → committee (consistent).
    c = "culture"
    p += [
        PersonSpec("b3", FULL, "馆长", c, key="b3_sec", birth_years=mid),
        PersonSpec("b3", FULL, "副馆长", c, key="b3_org", birth_years=mid),
        PersonSpec("b3", FULL, "副馆长", c, key="b3_disc", birth_years=mid),
        PersonSpec("b3", FULL, "群众文化部主任", c, "mass_culture", key="b3_pub"),
        PersonSpec("b3", FULL, "群众文化部干部", c, "mass_culture", key="b3_affairs"),
        PersonSpec("b3", FULL, "文艺辅导员", c, "mass_culture"),
        PersonSpec("b3", FULL, "文艺辅导员", c, "mass_culture"),
        PersonSpec("b3", FULL, "非遗保护部主任", c, "heritage"),
        PersonSpec("b3", FULL, "非遗保护部干部", c, "heritage"),
        PersonSpec("b3", FULL, "非遗保护部干部", c, "heritage"),
        PersonSpec("b3", PROB, "文艺辅导员", c, "mass_culture"),
        PersonSpec("b3", ACT, "文艺辅导员", c, "mass_culture"),
        PersonSpec("b3", NON, "非遗保护部干部", c, "heritage"),
        PersonSpec("b3", NON, "文艺辅导员", c, "mass_culture"),
    ]
    # 图书馆党支部: only 5 正式党员, yet recorded with a committee → mismatch warning.
    lib = "library"
    p += [
        PersonSpec("b4", FULL, "馆长", lib, key="b4_sec", birth_years=mid),
        PersonSpec("b4", FULL, "副馆长", lib, key="b4_org", birth_years=mid),
        PersonSpec("b4", FULL, "借阅部主任", lib, "lending", key="b4_pub"),
        PersonSpec("b4", FULL, "技术部主任", lib, "tech", key="b4_disc"),
        PersonSpec("b4", FULL, "馆员", lib, "lending", key="b4_affairs"),
        PersonSpec("b4", PROB, "馆员", lib, "lending"),
        PersonSpec("b4", ACT, "馆员", lib, "tech"),
        PersonSpec("b4", ACT, "助理馆员", lib, "lending"),
        PersonSpec("b4", NON, "助理馆员", lib, "lending"),
        PersonSpec("b4", NON, "技术员", lib, "tech"),
    ]
    # 庄户剧团党总支 (industry): 9 正式党员 → committee.
    t = "troupe"
    p += [
        PersonSpec("g1", FULL, "团长", t, key="g1_sec", birth_years=old),
        PersonSpec("g1", FULL, "副团长", t, key="g1_org", birth_years=mid),
        PersonSpec("g1", FULL, "编剧", t, key="g1_pub"),
        PersonSpec("g1", FULL, "演员", t, key="g1_disc"),
        PersonSpec("g1", FULL, "剧务", t, key="g1_affairs"),
        PersonSpec("g1", FULL, "演员", t, notes="大柳树村庄户剧团"),
        PersonSpec("g1", FULL, "演员", t, notes="石岭村庄户剧团"),
        PersonSpec("g1", FULL, "乐手", t, notes="石岭村庄户剧团"),
        PersonSpec("g1", FULL, "导演", t, notes="海湾村庄户剧团"),
        PersonSpec("g1", PROB, "演员", t, notes="大柳树村庄户剧团"),
        PersonSpec("g1", ACT, "演员", t, notes="海湾村庄户剧团"),
        PersonSpec("g1", NON, "舞美", t, notes="石岭村庄户剧团"),
    ]
    # 旅游行业党总支 (industry, members in enterprises): 5 正式党员, no committee (consistent).
    p += [
        PersonSpec("g2", FULL, "海滨国际旅行社总经理", key="g2_sec", birth_years=mid),
        PersonSpec("g2", FULL, "金沙滩景区党务专员", key="g2_affairs"),
        PersonSpec("g2", FULL, "海景大酒店副总经理", key="g2_disc", birth_years=mid),
        PersonSpec("g2", FULL, "海滨国际旅行社导游"),
        PersonSpec("g2", FULL, "渔港民宿协会秘书长"),
        PersonSpec("g2", PROB, "金沙滩景区讲解员"),
        PersonSpec("g2", ACT, "海景大酒店前厅经理"),
        PersonSpec("g2", NON, "海滨国际旅行社计调"),
    ]
    return p


# (org, post, person key, term key or fixed date) — every post starts at the organization's term start.
POSTS = [
    ("root", PostType.SECRETARY, "party_sec"),
    ("root", PostType.DEPUTY_SECRETARY, "root_deputy"),
    ("root", PostType.ORGANIZATION_MEMBER, "root_org"),
    ("root", PostType.PUBLICITY_MEMBER, "root_pub"),
    ("root", PostType.DISCIPLINE_MEMBER, "root_disc"),
    ("b1", PostType.SECRETARY, "b1_sec"),
    ("b1", PostType.ORGANIZATION_MEMBER, "b1_org"),
    ("b1", PostType.PUBLICITY_MEMBER, "b1_pub"),
    ("b1", PostType.DISCIPLINE_MEMBER, "b1_disc"),
    ("b1", PostType.AFFAIRS_OFFICER, "b1_affairs"),
    ("b1c1", PostType.CELL_LEADER, "b1c1_leader"),
    ("b1c2", PostType.CELL_LEADER, "b1c2_leader"),
    ("b2", PostType.SECRETARY, "b2_sec"),
    ("b2", PostType.ORGANIZATION_MEMBER, "b2_org"),
    ("b2", PostType.PUBLICITY_MEMBER, "b2_pub"),
    ("b2", PostType.DISCIPLINE_MEMBER, "b2_disc"),
    ("b2", PostType.AFFAIRS_OFFICER, "b2_affairs_old"),
    ("b2c1", PostType.CELL_LEADER, "b2c1_leader"),
    ("b2c2", PostType.CELL_LEADER, "b2c2_leader"),
    ("b3", PostType.SECRETARY, "b3_sec"),
    ("b3", PostType.ORGANIZATION_MEMBER, "b3_org"),
    ("b3", PostType.PUBLICITY_MEMBER, "b3_pub"),
    ("b3", PostType.DISCIPLINE_MEMBER, "b3_disc"),
    ("b3", PostType.AFFAIRS_OFFICER, "b3_affairs"),
    ("b4", PostType.SECRETARY, "b4_sec"),
    ("b4", PostType.ORGANIZATION_MEMBER, "b4_org"),
    ("b4", PostType.PUBLICITY_MEMBER, "b4_pub"),
    ("b4", PostType.DISCIPLINE_MEMBER, "b4_disc"),
    ("b4", PostType.AFFAIRS_OFFICER, "b4_affairs"),
    ("g1", PostType.SECRETARY, "g1_sec"),
    ("g1", PostType.ORGANIZATION_MEMBER, "g1_org"),
    ("g1", PostType.PUBLICITY_MEMBER, "g1_pub"),
    ("g1", PostType.DISCIPLINE_MEMBER, "g1_disc"),
    ("g1", PostType.AFFAIRS_OFFICER, "g1_affairs"),
    ("g2", PostType.SECRETARY, "g2_sec"),
    ("g2", PostType.DISCIPLINE_MEMBER, "g2_disc"),
    ("g2", PostType.AFFAIRS_OFFICER, "g2_affairs"),
]

# The committee's earlier 党务干部 left in 2023 with a completed handover.
FORMER_AFFAIRS_START = datetime.date(2019, 3, 1)
FORMER_AFFAIRS_END = datetime.date(2023, 2, 28)
FORMER_HANDOVER_DONE = datetime.date(2023, 3, 3)
CURRENT_AFFAIRS_START = datetime.date(2023, 3, 1)
# The 机关第二党支部 党务干部 left a few days ago: the handover is still open.
RECENT_DEPARTURE_DAYS_AGO = 3


@dataclass(frozen=True)
class AccountSpec:
    username: str
    display_name: str
    role: str
    org: str
    person: str | None


ACCOUNTS = [
    AccountSpec("admin", "系统管理员", Role.SYSADMIN, "root", None),
    AccountSpec("committee", "机关党委管理员", Role.COMMITTEE_ADMIN, "root", None),
    AccountSpec("branch1", "", Role.BRANCH_SECRETARY, "b1", "b1_sec"),
    AccountSpec("branch2", "", Role.BRANCH_SECRETARY, "b2", "b2_sec"),
    AccountSpec("discipline", "", Role.DISCIPLINE, "root", "root_disc"),
    AccountSpec("leader", "", Role.LEADER, "root", "director"),
    AccountSpec("member", "", Role.MEMBER, "b1", "b1_member"),
]
DEMO_USERNAMES = frozenset(a.username for a in ACCOUNTS)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
)
# Characters without heteronyms, so the pinyin of a name is the pinyin of its parts.
GIVEN_MALE = "伟强磊洋勇军杰涛斌明超刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欣成峰建东国立志文德海亮晨博"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪慧琳颖倩洁琴云莉红梅兰凤月秀萍玉珍丹英晶妍蕾璐瑶佳怡欣悦岚"
AREA_CODES = ("370602", "370611", "370612", "370613", "370634", "370683", "370685", "370687")
PHONE_PREFIXES = ("133", "135", "137", "138", "139", "150", "151", "158", "159", "176", "186", "188")


# ---------------------------------------------------------------- deterministic generators


class NameMaker:
    """Unique Chinese names and valid ID numbers from a seeded generator."""

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.names: set[str] = set()
        self.ids: set[str] = set()

    def name(self, gender: str) -> str:
        chars = GIVEN_MALE if gender == "M" else GIVEN_FEMALE
        while True:
            given = self.rng.choice(chars)
            if self.rng.random() < 0.6:
                given += self.rng.choice(chars)
            name = self.rng.choice(SURNAMES) + given
            if name not in self.names and len(set(given)) == len(given):
                self.names.add(name)
                return name

    def birth_date(self, years: tuple[int, int]) -> datetime.date:
        start = datetime.date(years[0], 1, 1)
        span = (datetime.date(years[1], 12, 31) - start).days
        return start + datetime.timedelta(days=self.rng.randint(0, span))

    def id_number(self, birth: datetime.date, gender: str) -> str:
        while True:
            seq = self.rng.randint(0, 99)
            sex = self.rng.choice("13579" if gender == "M" else "02468")
            first17 = f"{self.rng.choice(AREA_CODES)}{birth:%Y%m%d}{seq:02d}{sex}"
            number = first17 + id_check_digit(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _months_before(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def term_starts(today: datetime.date) -> dict[str, datetime.date]:
    """Term starts relative to today: one branch term ends within 90 days, one has expired."""
    return {
        "root": _months_before(today, 26),  # 5-year term, well inside
        "due": _years_before(today + datetime.timedelta(days=60), 3),  # 3-year term ends in 60 days
        "expired": _years_before(today - datetime.timedelta(days=45), 3),  # ended 45 days ago
        "m10": _months_before(today, 10),
        "m14": _months_before(today, 14),
        "m22": _months_before(today, 22),
        "m30": _months_before(today, 30),
    }


# ---------------------------------------------------------------- database state


def has_data() -> bool:
    return (
        Organization.all_objects.exists()
        or Person.all_objects.exists()
        or Unit.all_objects.exists()
        or Department.all_objects.exists()
        or User.objects.exists()
    )


def database_state() -> str:
    """'empty', 'demo' (only what load_demo — and generate_scale_data — created) or 'foreign'."""
    if not has_data():
        return "empty"
    roots = set(Organization.all_objects.filter(parent__isnull=True).values_list("code", flat=True))
    usernames = set(User.objects.values_list("username", flat=True))
    if (
        ROOT_CODE in roots
        and all(code == ROOT_CODE or code.startswith(SCALE_CODE_PREFIX) for code in roots)
        and usernames <= DEMO_USERNAMES | {SCALE_USERNAME}
    ):
        return "demo"
    return "foreign"


# ---------------------------------------------------------------- builder


def _create_account(spec: AccountSpec, person: Person | None, org: Organization) -> User:
    """Demo accounts: a fixed, documented password and no forced change (they are for trying out).

    The accounts services require an administrator actor and force a password change, so the
    demo (actor 系统) writes the rows itself and files the same audit actions they would.
    """
    import accounts.services  # noqa: F401 - registers the accounts.* audit actions

    with transaction.atomic():
        user = User.objects.create_user(
            username=spec.username,
            password=PASSWORD,
            display_name=spec.display_name,
            person=person,
            must_change_password=False,
        )
        audit.record(
            actor=None,
            action="accounts.user.created",
            obj=user,
            organization=org,
            changes={
                "username": [None, user.username],
                "person": [None, str(person) if person else None],
                "password": [None, "******"],
            },
        )
    with transaction.atomic():
        RoleGrant.objects.create(user=user, role=spec.role, organization=org)
        audit.record(
            actor=None,
            action="accounts.grant.added",
            obj=user,
            organization=org,
            changes={"grant": [None, f"{Role(spec.role).label} · {org.name}"]},
        )
    return user


def build_demo(*, today: datetime.date | None = None, log: Callable[[str], None] = lambda _m: None) -> dict:
    """Create the demo bureau on an empty database. Returns the created objects by key."""
    today = today or timezone.localdate()
    starts = term_starts(today)
    actor = None  # 系统
    made = NameMaker()
    with transaction.atomic():
        log(f"创建党组织：{BUREAU}机关党委及下属组织")
        orgs: dict[str, Organization] = {}
        for i, spec in enumerate(ORGS):
            orgs[spec.key] = services.organization_create(
                actor=actor,
                data={
                    "name": spec.name,
                    "short_name": spec.short_name,
                    "code": spec.code,
                    "org_type": spec.org_type,
                    "is_industry": spec.is_industry,
                    "parent": orgs[spec.parent] if spec.parent else None,
                    "sort_order": i,
                    "established_on": spec.established_on,
                    "term_start": starts[spec.term] if spec.term else None,
                    "has_committee": spec.has_committee,
                    "has_cells": spec.has_cells,
                    "fixed_theme_day": spec.fixed_theme_day,
                },
            )

        log("创建单位与科室")
        units: dict[str, Unit] = {}
        for i, (key, name, unit_type) in enumerate(UNITS):
            units[key] = services.unit_create(
                actor=actor, data={"name": name, "unit_type": unit_type, "sort_order": i}, organization=orgs["root"]
            )
        depts: dict[str, Department] = {}
        for i, (key, name, unit, branch, admin) in enumerate(DEPARTMENTS):
            depts[key] = services.department_create(
                actor=actor,
                data={
                    "name": name,
                    "unit": units[unit],
                    "organization": orgs[branch],
                    "is_administrative": admin,
                    "sort_order": i,
                },
            )

        roster = _people()
        log(f"创建人员：{len(roster)} 人")
        people: dict[str, Person] = {}
        all_people: list[Person] = []
        for spec in roster:
            gender = "M" if made.rng.random() < 0.55 else "F"
            name = made.name(gender)
            birth = made.birth_date(spec.birth_years)
            data = {
                "name": name,
                "gender": gender,
                "id_number": made.id_number(birth, gender),
                "phone": made.phone(),
                "party_status": spec.status,
                "organization": orgs[spec.org],
                "unit": units[spec.unit] if spec.unit else None,
                "department": depts[spec.dept] if spec.dept else None,
                "job_title": spec.title,
                "leadership_role": spec.leadership_role,
                "notes": spec.notes,
                **spec.extra,
            }
            join_age = made.rng.randint(21, 30)
            if spec.status == FULL:
                joined = min(_years_before(birth, -join_age), datetime.date(2024, 6, 30))
                data["joined_party_on"] = joined
                data["full_member_on"] = _years_before(joined, -1)
            elif spec.status == PROB:
                data["joined_party_on"] = today - datetime.timedelta(days=made.rng.randint(60, 330))
            person = services.person_create(actor=actor, data=data)
            all_people.append(person)
            if spec.key:
                people[spec.key] = person

        log("创建演示账号")
        users: dict[str, User] = {}
        for spec in ACCOUNTS:
            users[spec.username] = _create_account(spec, people[spec.person] if spec.person else None, orgs[spec.org])

        log("任命党内职务并办理工作交接")
        posts: dict[tuple[str, str], PartyPost] = {}
        for org_key, post, person_key in POSTS:
            org = orgs[org_key]
            posts[(org_key, post)] = services.post_assign(
                actor=actor,
                person=people[person_key],
                organization=org,
                post=post,
                start_on=org.term_start or org.established_on,
            )
        # The committee's 党务干部: the former one left in 2023, handover completed.
        former = services.post_assign(
            actor=actor,
            person=people["former_affairs"],
            organization=orgs["root"],
            post=PostType.AFFAIRS_OFFICER,
            start_on=FORMER_AFFAIRS_START,
        )
        services.post_assign(
            actor=actor,
            person=people["root_affairs"],
            organization=orgs["root"],
            post=PostType.AFFAIRS_OFFICER,
            start_on=CURRENT_AFFAIRS_START,
        )
        services.post_end(
            actor=actor,
            post=former,
            end_on=FORMER_AFFAIRS_END,
            successor=people["root_affairs"],
            handover_items="党员花名册及组织关系转接台账\n党费收缴台账\n“三会一课”记录本\n党建档案柜钥匙",
        )
        former.refresh_from_db()
        services.handover_complete(
            actor=actor, handover=former.handover, completed_on=FORMER_HANDOVER_DONE, reason="交接清单已逐项核对"
        )
        # 机关第二党支部's 党务干部 left a few days ago; the handover is still open.
        leaving = posts[("b2", PostType.AFFAIRS_OFFICER)]
        left_on = today - datetime.timedelta(days=RECENT_DEPARTURE_DAYS_AGO)
        services.post_end(
            actor=actor,
            post=leaving,
            end_on=left_on,
            successor=people["b2_affairs_new"],
            handover_items="支部党员发展档案\n主题党日活动记录\n党费收缴台账\n未完成事项：本季度党员大会会议记录整理",
        )
        services.post_assign(
            actor=actor,
            person=people["b2_affairs_new"],
            organization=orgs["b2"],
            post=PostType.AFFAIRS_OFFICER,
            start_on=left_on + datetime.timedelta(days=1),
        )
        _build_areas(orgs=orgs, people=people, users=users, departments=depts, today=today, log=log)
    log("演示数据加载完成")
    return {"orgs": orgs, "units": units, "departments": depts, "people": people, "users": users, "all": all_people}


# Each area's demo data, in this order (later areas read earlier ones: points derive from
# meetings, star ratings read rectification and points). Each module has
# `build(*, orgs, people, users, departments, today, log)`; an area not yet built is skipped.
DEMO_AREAS = ("meetings", "supervision", "duties", "points", "assessment", "reports")


def _build_areas(**context) -> None:
    import importlib

    for area in DEMO_AREAS:
        try:
            module = importlib.import_module(f"{area}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{area}.demo":
                raise
            continue
        module.build(**context)


def account_rows() -> list[tuple[str, str, str, str]]:
    """(username, role, organization, person) for the table printed after loading."""
    rows = []
    names = {o.key: o.name for o in ORGS}
    for spec in ACCOUNTS:
        user = User.objects.filter(username=spec.username).select_related("person").first()
        person = user.person.name if user and user.person_id else "—"
        rows.append((spec.username, Role(spec.role).label, names[spec.org], person))
    return rows
