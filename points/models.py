"""Member points (党员量化积分) and the selection of 党员先锋 / 党员先锋科室.

A member's score for a calendar year is the rule `points.base` plus the sum of their effective
entries of that year, never below `points.floor`; it starts again every year. Entries are either
derived from records (a meeting attended, a 党课 given…) by the point sources of points.sources,
or entered by hand by the branch and effective once the committee approves them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.concurrency import VersionedModel


class EntryKind(models.TextChoices):
    DERIVED = "derived", "系统计分"
    MANUAL = "manual", "支部录入"


class EntryStatus(models.TextChoices):
    EFFECTIVE = "effective", "已生效"
    PENDING = "pending", "待审核"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


MANUAL_SOURCE = "manual"


class PointEntry(models.Model):
    # FK indexes are left to the composite indexes below (5,000,000 rows: every index costs writes).
    person = models.ForeignKey(
        "orgs.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="point_entries", db_index=False
    )
    year = models.PositiveSmallIntegerField("年度")
    date = models.DateField("日期")
    points = models.IntegerField("分值", help_text="加分为正数，扣分为负数")
    kind = models.CharField("来源方式", max_length=10, choices=EntryKind.choices)
    source = models.CharField("来源", max_length=40, help_text="计分来源代码，如 meetings；手工录入为 manual")
    # The record the entry was derived from (a meeting…); empty for manual entries.
    content_type = models.ForeignKey(
        ContentType,
        verbose_name="来源记录类型",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    object_id = models.PositiveBigIntegerField("来源记录编号", null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    rule_code = models.CharField("计分规则", max_length=80, blank=True)
    description = models.CharField("事项", max_length=200)
    status = models.CharField("状态", max_length=10, choices=EntryStatus.choices, default=EntryStatus.EFFECTIVE)
    # The member's organization when the entry was written (a recomputation files derived entries
    # under the current one): the branch's lists and the statistics filter on it.
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # accounts are deactivated, not deleted
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "积分记录"
        verbose_name_plural = "积分记录"
        ordering = ["-date", "-id"]
        indexes = [
            # A member's own page: one year, newest first.
            models.Index(fields=["person", "year", "-date", "-id"], name="pointentry_person_idx"),
            # Recomputing one record's entries after it changed.
            models.Index(fields=["content_type", "object_id"], name="pointentry_record_idx"),
            # Scoped lists and statistics of a year (org_path LIKE 'prefix%', a date range): counted
            # from the index alone.
            models.Index(
                fields=["year", "org_path", "date"],
                opclasses=["int2_ops", "varchar_pattern_ops", "date_ops"],
                name="pointentry_scope_idx",
            ),
            # The statistic of effective entries of a scope and period (the dashboard), index-only.
            models.Index(
                fields=["year", "org_path", "date"],
                opclasses=["int2_ops", "varchar_pattern_ops", "date_ops"],
                condition=models.Q(status="effective"),
                name="pointentry_effective_idx",
            ),
            # The entry list's order, newest first.
            models.Index(fields=["-date", "-id"], name="pointentry_date_idx"),
            # The committee's approval queue.
            models.Index(
                fields=["org_path"],
                opclasses=["varchar_pattern_ops"],
                condition=models.Q(status="pending"),
                name="pointentry_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.person} {self.points:+d} {self.description}"

    @property
    def is_manual(self) -> bool:
        return self.kind == EntryKind.MANUAL

    @property
    def counts(self) -> bool:
        return self.status == EntryStatus.EFFECTIVE


_ALIVE = models.Q(deleted_at__isnull=True)  # people not deleted (the only ones ranked)


class PointScore(models.Model):
    """A member's effective points of a year by quarter (base not included), kept by the points
    engine whenever entries change, so rankings of 100,000 members read one row per member.

    A year that has been scored (PointScoreYear) has one row for every person, whether or not
    they earned anything, and each row carries copies of what the rankings filter, sort and show
    by (organization path, department, party status, deletion, name and its pinyin): a ranking
    reads this table alone and joins the people only for the rows of the shown page. The copies
    are kept by points.people (person and organization change events) and by every write of
    the sums here."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name="党员", on_delete=models.CASCADE, related_name="point_scores"
    )
    year = models.PositiveSmallIntegerField("年度")
    q1 = models.IntegerField("第一季度", default=0)
    q2 = models.IntegerField("第二季度", default=0)
    q3 = models.IntegerField("第三季度", default=0)
    q4 = models.IntegerField("第四季度", default=0)
    total = models.IntegerField("全年合计", default=0)
    entries = models.PositiveIntegerField("生效记录数", default=0)
    # Copies of the person's columns (same names as on orgs.Person, so one filter serves both).
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属党组织",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    org_path = models.CharField("组织路径", max_length=255, default="")
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="科室",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    party_status = models.CharField("政治面貌", max_length=20, default="")
    deleted_at = models.DateTimeField("人员删除时间", null=True)
    name = models.CharField("姓名", max_length=50, default="")
    name_pinyin = models.CharField("姓名拼音", max_length=200, default="")
    name_initials = models.CharField("拼音首字母", max_length=50, default="")

    class Meta:
        verbose_name = "年度积分汇总"
        verbose_name_plural = "年度积分汇总"
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="pointscore_unique")]
        indexes = [
            # The ranking's order (best first, then by id) and a band (a range of the total); the
            # scope columns and the quarters are carried (PostgreSQL INCLUDE) so that the counts,
            # averages and part-year rankings read the index alone.
            models.Index(
                fields=["year", "-total", "person"],
                include=["org_path", "party_status", "department", "q1", "q2", "q3", "q4"],
                condition=_ALIVE,
                name="pointscore_rank2_idx",
            ),
            # A branch's or committee's ranking and the averages under an organization.
            models.Index(
                fields=["year", "org_path", "total"],
                opclasses=["int2_ops", "varchar_pattern_ops", "int4_ops"],
                include=["party_status", "department"],
                condition=_ALIVE,
                name="pointscore_scope_idx",
            ),
            # The name filter: a prefix of the name, its pinyin or its initials.
            models.Index(
                fields=["year", "name_initials"],
                opclasses=["int2_ops", "varchar_pattern_ops"],
                condition=_ALIVE,
                name="pointscore_initials_idx",
            ),
            models.Index(
                fields=["year", "name_pinyin"],
                opclasses=["int2_ops", "varchar_pattern_ops"],
                condition=_ALIVE,
                name="pointscore_pinyin_idx",
            ),
            models.Index(
                fields=["year", "name"],
                opclasses=["int2_ops", "varchar_pattern_ops"],
                condition=_ALIVE,
                name="pointscore_name_idx",
            ),
        ]

    def __str__(self):
        return f"{self.person_id} {self.year}: {self.total:+d}"


class PointScoreYear(models.Model):
    """A year whose PointScore rows cover every person (its sums were rebuilt, or something was
    scored in it): rankings of the year read PointScore alone; people created later get a row in
    every such year."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    scored_at = models.DateTimeField("汇总时间", auto_now=True)

    class Meta:
        verbose_name = "已汇总年度"
        verbose_name_plural = "已汇总年度"

    def __str__(self):
        return str(self.year)


# ---------------------------------------------------------------------- 党员先锋 / 党员先锋科室


class VanguardKind(models.TextChoices):
    MEMBER = "member", "党员先锋"
    DEPARTMENT = "department", "党员先锋科室"


class RoundStatus(models.TextChoices):
    NOMINATING = "nominating", "提名中"
    DECIDED = "decided", "已研究决定"
    PUBLICIZED = "publicized", "公示"
    COMPLETED = "completed", "已公布结果"


HALF_CHOICES = [(0, "全年"), (1, "上半年"), (2, "下半年")]


class VanguardRound(VersionedModel):
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="评选党组织", on_delete=models.PROTECT, related_name="vanguard_rounds"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    year = models.PositiveSmallIntegerField("年度")
    half = models.PositiveSmallIntegerField("期间", choices=HALF_CHOICES, default=0)
    kind = models.CharField("评选类别", max_length=12, choices=VanguardKind.choices)
    title = models.CharField("名称", max_length=100)
    quota = models.PositiveIntegerField(
        "名额", help_text="按规则默认：党员先锋为参评党员的一定比例，先锋科室为固定个数"
    )
    criteria = models.TextField(
        "评选条件", blank=True, help_text="如：积分排名靠前、民主评议优秀、无违纪违规；科室另有平均积分与人数条件"
    )
    status = models.CharField("状态", max_length=12, choices=RoundStatus.choices, default=RoundStatus.NOMINATING)
    decided_on = models.DateField("研究决定日期", null=True, blank=True)
    decision_note = models.CharField("决定方式", max_length=200, blank=True, help_text="如：机关党委会议研究决定")
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    completed_on = models.DateField("结果公布日期", null=True, blank=True)
    result_note = models.CharField("公示结果", max_length=200, blank=True, help_text="如：公示期内无异议")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "先锋评选"
        verbose_name_plural = "先锋评选"
        ordering = ["-year", "-half", "kind", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "half", "kind"], name="vanguardround_unique")
        ]

    def __str__(self):
        return self.title

    @property
    def period_code(self) -> str:
        return f"{self.year}H{self.half}" if self.half else str(self.year)

    @property
    def period(self):
        from core.periods import Period

        return Period.parse(self.period_code)

    @property
    def is_member_round(self) -> bool:
        return self.kind == VanguardKind.MEMBER


class AppraisalGrade(models.TextChoices):
    EXCELLENT = "优秀", "优秀"
    QUALIFIED = "合格", "合格"
    BASIC = "基本合格", "基本合格"
    UNQUALIFIED = "不合格", "不合格"


class NominationSource(models.TextChoices):
    POINTS = "points", "按积分提名"
    RECOMMENDED = "recommended", "推荐提名"


class VanguardNomination(models.Model):
    round = models.ForeignKey(VanguardRound, verbose_name="评选", on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey(
        "orgs.Person",
        verbose_name="党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vanguard_nominations",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="科室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vanguard_nominations",
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    source = models.CharField("提名方式", max_length=12, choices=NominationSource.choices)
    score = models.DecimalField("期间积分", max_digits=6, decimal_places=1, help_text="科室为党员平均积分")
    rank = models.PositiveIntegerField("积分排名", null=True, blank=True)
    members_count = models.PositiveIntegerField("参评党员数", null=True, blank=True)
    # No per-person 民主评议 grades exist in the meeting records: the committee records the grade
    # here, with the 民主评议党员 meeting it came from when that meeting is in the system.
    appraisal_grade = models.CharField(
        "民主评议等次", max_length=8, choices=AppraisalGrade.choices, blank=True, help_text="未评议的留空"
    )
    appraisal_meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name="民主评议会议",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    criteria_met = models.BooleanField("符合评选条件", null=True, blank=True)
    criteria_note = models.CharField("条件核实说明", max_length=200, blank=True)
    deeds = models.TextField("主要事迹/推荐理由", blank=True)
    selected = models.BooleanField("当选", default=False)
    revoked_reason = models.CharField("取消原因", max_length=200, blank=True, help_text="公示期间异议成立等")
    created_at = models.DateTimeField("提名时间", auto_now_add=True)

    class Meta:
        verbose_name = "先锋提名"
        verbose_name_plural = "先锋提名"
        ordering = ["round", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"], condition=models.Q(person__isnull=False), name="nomination_person_unique"
            ),
            models.UniqueConstraint(
                fields=["round", "department"],
                condition=models.Q(department__isnull=False),
                name="nomination_department_unique",
            ),
        ]

    def __str__(self):
        return str(self.person or self.department)

    @property
    def name(self) -> str:
        return self.person.name if self.person_id else self.department.name
