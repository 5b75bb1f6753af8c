"""Party organizations, departments, units, people and party posts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from core.softdelete import SoftDeleteModel


class OrgType(models.TextChoices):
    COMMITTEE = "committee", "机关党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    CELL = "cell", "党小组"


class Organization(SoftDeleteModel, VersionedModel):
    """A node of the party tree. `path` is a materialized path ("0001.0004.") for subtree queries."""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    code = models.CharField("组织编码", max_length=40, unique=True)
    org_type = models.CharField("组织类型", max_length=20, choices=OrgType.choices)
    is_industry = models.BooleanField(
        "行业党组织", default=False, help_text="由机关党委指导、党员不在本局机关的行业党组织"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField("层级", default=0, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    established_on = models.DateField("成立日期", null=True, blank=True)
    term_start = models.DateField("本届开始日期", null=True, blank=True)
    term_end = models.DateField("本届届满日期", null=True, blank=True, help_text="留空则按规则中的任期年限自动计算")
    has_committee = models.BooleanField(
        "设立支部委员会",
        default=False,
        help_text="正式党员7人以上的党支部应设立支部委员会（《中国共产党支部工作条例》）",
    )
    has_cells = models.BooleanField("设立党小组", default=False)
    fixed_theme_day = models.PositiveSmallIntegerField(
        "主题党日固定日", null=True, blank=True, help_text="每月固定开展主题党日的日期（1–28）"
    )
    name_initials = models.CharField("拼音首字母", max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["path", "depth"])

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]

    def __str__(self):
        return self.name

    def is_descendant_of(self, other: Organization) -> bool:
        return self.path.startswith(other.path)

    @property
    def ancestors_paths(self) -> list[str]:
        parts = [p for p in self.path.split(".") if p]
        return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


class UnitType(models.TextChoices):
    ORGAN = "organ", "机关"
    TROUPE = "troupe", "馆团"
    AFFILIATED = "affiliated", "直属单位"


class Unit(SoftDeleteModel, VersionedModel):
    name = models.CharField("单位名称", max_length=100, unique=True)
    unit_type = models.CharField("单位类别", max_length=20, choices=UnitType.choices)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class Department(SoftDeleteModel, VersionedModel):
    name = models.CharField("科室名称", max_length=100)
    unit = models.ForeignKey(Unit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="departments")
    organization = models.ForeignKey(
        Organization,
        verbose_name="对应党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="departments",
    )
    is_administrative = models.BooleanField("行政科室", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "科室"
        verbose_name_plural = "科室"
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="department_unit_name_unique")]

    def __str__(self):
        return self.name


class PartyStatus(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"
    ACTIVIST = "activist", "入党积极分子"
    NON_MEMBER = "non_member", "群众"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Person(SoftDeleteModel, VersionedModel):
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名拼音", max_length=200, blank=True, db_index=True)
    name_initials = models.CharField("拼音首字母", max_length=50, blank=True, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True, db_index=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    party_status = models.CharField("政治面貌", max_length=20, choices=PartyStatus.choices, default=PartyStatus.FULL)
    joined_party_on = models.DateField("入党日期", null=True, blank=True)
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name="所属党组织",
        on_delete=models.PROTECT,
        related_name="people",
        help_text="党员的组织关系所在党组织；非党员填所在科室对应的党组织",
    )
    # A copy of organization.path (kept by the services), so that scope filters and the ledger's
    # ordering use one indexed column instead of a join: lists stay fast at 100,000 people.
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    unit = models.ForeignKey(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="科室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    job_title = models.CharField("职务", max_length=100, blank=True)
    is_leader = models.BooleanField("领导干部", default=False)
    is_leadership_member = models.BooleanField("党组成员", default=False)
    leadership_role = models.CharField(
        "班子分工", max_length=100, blank=True, help_text="如：党组书记（第一责任人）、党组成员（一岗双责）"
    )
    notes = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["id_number", "org_path"])

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["org_path", "name", "id"]
        indexes = [
            models.Index(fields=["organization", "party_status"]),
            # The ledger's order, with the search columns (and deleted_at, which SQLite needs to
            # count a partial index as covering) so that a search filters from the index alone.
            models.Index(
                fields=["org_path", "name", "id", "name_initials", "name_pinyin", "deleted_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="person_ledger_idx",
            ),
            # Counts by party status under a subtree (statistics, committee checks).
            models.Index(
                fields=["party_status", "org_path"],
                condition=models.Q(deleted_at__isnull=True),
                name="person_status_path_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number="") & models.Q(deleted_at__isnull=True),
                name="person_id_number_unique_alive",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_party_member(self) -> bool:
        return self.party_status in (PartyStatus.FULL, PartyStatus.PROBATIONARY)


class PostType(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANIZATION_MEMBER = "organization_member", "组织委员"
    PUBLICITY_MEMBER = "publicity_member", "宣传委员"
    DISCIPLINE_MEMBER = "discipline_member", "纪检委员"
    CELL_LEADER = "cell_leader", "党小组长"
    AFFAIRS_OFFICER = "affairs_officer", "党务干部"


class PartyPost(VersionedModel):
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="posts")
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="posts"
    )
    post = models.CharField("党内职务", max_length=30, choices=PostType.choices)
    start_on = models.DateField("任职日期")
    end_on = models.DateField("离任日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "党内职务"
        verbose_name_plural = "党内职务"
        ordering = ["organization__path", "post", "-start_on"]

    def __str__(self):
        return f"{self.organization} {self.get_post_display()} {self.person}"

    @property
    def is_current(self) -> bool:
        return self.end_on is None or self.end_on >= timezone.localdate()


class Handover(VersionedModel):
    """交接: when a 党务干部 (or other post holder) leaves, what was handed to whom."""

    post = models.OneToOneField(PartyPost, verbose_name="离任职务", on_delete=models.PROTECT, related_name="handover")
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="handovers"
    )
    from_person = models.ForeignKey(
        Person, verbose_name="移交人", on_delete=models.PROTECT, related_name="handovers_given"
    )
    to_person = models.ForeignKey(
        Person,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_received",
    )
    items = models.TextField("移交清单", help_text="台账、档案、印章、未完成事项等，每行一项")
    completed_on = models.DateField("交接完成日期", null=True, blank=True)
    tracked_item = models.OneToOneField(
        "core.TrackedItem",
        verbose_name="跟踪事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handover",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作交接"
        verbose_name_plural = "工作交接"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.from_person} 交接（{self.post.get_post_display()}）"
