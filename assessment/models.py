"""Star rating of branches (评星定级), branch standardization (支部标准化规范化建设) and the quarterly
periodic assessment of staff (平时考核, 德能勤绩廉).

A round keeps the scheme it was opened with (`scheme`, a snapshot of the rules in force), so
editing the rules later never changes a round that is under way or published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.concurrency import VersionedModel
from core.periods import Period

STAR_WORDS = {1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}


def stars_label(n: int | None) -> str:
    return STAR_WORDS.get(n or 0, "—")


# ---------------------------------------------------------------------- star rating


class RoundStatus(models.TextChoices):
    SELF = "self_assessment", "自评"
    SCORING = "scoring", "评星"
    NOTICE = "public_notice", "公示"
    FINAL = "finalized", "已定星"


PUBLISHED_STATUSES = (RoundStatus.NOTICE, RoundStatus.FINAL)


class StarRatingRound(VersionedModel):
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="组织评星的党组织", on_delete=models.PROTECT, related_name="star_rounds"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    year = models.PositiveIntegerField("评定年度")
    status = models.CharField("状态", max_length=20, choices=RoundStatus.choices, default=RoundStatus.SELF)
    scheme = models.JSONField("评星方案（开启时的快照）", default=dict)
    historical = models.BooleanField(
        "历史补录", default=False, help_text="补录平台启用前的评定结果：不预填系统数据，直接由党委录入评分"
    )
    opened_on = models.DateField("开启日期")
    scoring_on = models.DateField("开始评星日期", null=True, blank=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    notice_ends_on = models.DateField("公示截止日期", null=True, blank=True)
    finalized_on = models.DateField("定星日期", null=True, blank=True)
    notes = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评星定级"
        verbose_name_plural = "评星定级"
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="star_round_unique")]

    def __str__(self):
        return f"{self.year}年度党支部评星定级"

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES


class RatingStatus(models.TextChoices):
    PENDING = "pending", "待自评"
    SUBMITTED = "submitted", "已提交自评"
    SCORED = "scored", "已评分"


class BranchRating(VersionedModel):
    round = models.ForeignKey(
        StarRatingRound, verbose_name="评星定级", on_delete=models.CASCADE, related_name="ratings"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="star_ratings"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    year = models.PositiveIntegerField("评定年度", editable=False)
    status = models.CharField("评定进度", max_length=20, choices=RatingStatus.choices, default=RatingStatus.PENDING)
    # Self-assessment (自评): a score 0–100 per dimension of the round's scheme, and the account.
    self_scores = models.JSONField("自评分（分维度）", default=dict, blank=True)
    self_total = models.DecimalField("自评总分", max_digits=5, decimal_places=2, null=True, blank=True)
    self_summary = models.TextField("自评说明", blank=True)
    submitted_at = models.DateTimeField("自评提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="自评提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the system knows (预填数据): [{code, label, dimension, value, unit, url, available}].
    inputs = models.JSONField("预填数据", default=list, blank=True)
    inputs_at = models.DateTimeField("预填时间", null=True, blank=True)
    # The committee's scoring (党委评星).
    committee_scores = models.JSONField("党委评分（分维度）", default=dict, blank=True)
    committee_total = models.DecimalField("党委评分总分", max_digits=5, decimal_places=2, null=True, blank=True)
    committee_comment = models.TextField("评星意见", blank=True)
    weak_lax = models.BooleanField("软弱涣散党组织", default=False)
    vetoes = models.JSONField("触发的一票否决事项", default=list, blank=True)
    satisfaction = models.DecimalField("群众满意度（%）", max_digits=5, decimal_places=1, null=True, blank=True)
    computed_stars = models.PositiveSmallIntegerField("按分数线星级", null=True, blank=True)
    cap_stars = models.PositiveSmallIntegerField("封顶星级", null=True, blank=True)
    cap_reasons = models.TextField("封顶原因", blank=True)
    adjusted_stars = models.PositiveSmallIntegerField("党委调整星级", null=True, blank=True)
    adjust_reason = models.CharField("调整理由", max_length=300, blank=True)
    final_stars = models.PositiveSmallIntegerField("评定星级", null=True, blank=True)
    previous_stars = models.PositiveSmallIntegerField("上年星级", null=True, blank=True)
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评分人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "党支部星级评定"
        verbose_name_plural = "党支部星级评定"
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["round", "organization"], name="branch_rating_unique")]
        indexes = [
            models.Index(fields=["org_path"], name="rating_scope_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["organization", "year"], name="rating_history_idx"),
            models.Index(fields=["year", "final_stars"], name="rating_year_stars_idx"),
        ]

    def __str__(self):
        return f"{self.organization} {self.year}年度星级评定"

    @property
    def change(self) -> str:
        """ "up" (晋位升级), "down", "same", "new" (no rating last year) or "" (not rated yet)."""
        if self.final_stars is None:
            return ""
        if self.previous_stars is None:
            return "new"
        if self.final_stars > self.previous_stars:
            return "up"
        if self.final_stars < self.previous_stars:
            return "down"
        return "same"

    @property
    def change_label(self) -> str:
        return {"up": "晋位升级", "down": "降级", "same": "持平", "new": "首次评定", "": "—"}[self.change]

    @property
    def final_label(self) -> str:
        return stars_label(self.final_stars)

    @property
    def previous_label(self) -> str:
        return stars_label(self.previous_stars)


class StandardizationCheck(models.Model):
    """One checklist item of 支部标准化规范化建设 for one branch and year: met or not, with a note."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="standardization_checks"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    year = models.PositiveIntegerField("年度")
    item = models.CharField("检查项", max_length=200)
    met = models.BooleanField("已达标", default=False)
    note = models.CharField("情况说明", max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核对人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField("核对时间", null=True, blank=True)

    class Meta:
        verbose_name = "支部标准化规范化检查"
        verbose_name_plural = "支部标准化规范化检查"
        ordering = ["org_path", "year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "item"], name="standardization_check_unique")
        ]
        indexes = [models.Index(fields=["year", "org_path"], name="standardization_year_idx")]

    def __str__(self):
        return f"{self.organization} {self.year} {self.item}"


# ---------------------------------------------------------------------- periodic assessment


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "好"
    GOOD = "good", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"


GRADE_BY_LABEL = {g.label: g.value for g in Grade}
# The five dimensions 德能勤绩廉 and their fields.
DIMENSION_FIELDS = (("德", "de"), ("能", "neng"), ("勤", "qin"), ("绩", "ji"), ("廉", "lian"))


class AssessmentStatus(models.TextChoices):
    OPEN = "open", "小结与评分"
    REVIEW = "review", "党委审核"
    CONFIRMED = "confirmed", "已确认"


class AssessmentRound(VersionedModel):
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="组织考核的党组织", on_delete=models.PROTECT, related_name="assessment_rounds"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="考核单位", on_delete=models.PROTECT, related_name="assessment_rounds"
    )
    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField(
        "季度", choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]
    )
    status = models.CharField("状态", max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN)
    scheme = models.JSONField("考核方案（开启时的快照）", default=dict)
    opened_on = models.DateField("开启日期")
    review_on = models.DateField("提交审核日期", null=True, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "平时考核"
        verbose_name_plural = "平时考核"
        ordering = ["-year", "-quarter", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "quarter"], name="assessment_round_unique")]

    def __str__(self):
        return f"{self.unit} {self.year}年{self.get_quarter_display()}平时考核"

    @property
    def period(self) -> Period:
        return Period.quarter(self.year, self.quarter)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.get_quarter_display()}"


class RoundDepartment(models.Model):
    """A department taking part in a round, with the head who scores its staff (科室负责人)."""

    round = models.ForeignKey(
        AssessmentRound, verbose_name="平时考核", on_delete=models.CASCADE, related_name="departments"
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="科室", on_delete=models.PROTECT, related_name="assessment_rounds"
    )
    head = models.ForeignKey(
        "orgs.Person",
        verbose_name="科室负责人（评分人）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_departments",
        help_text="为本科室人员评分；本人的考核由机关党委录入评分",
    )

    class Meta:
        verbose_name = "参加考核的科室"
        verbose_name_plural = "参加考核的科室"
        ordering = ["round", "department__sort_order", "department_id"]
        constraints = [models.UniqueConstraint(fields=["round", "department"], name="round_department_unique")]

    def __str__(self):
        return f"{self.round} · {self.department}"


class RecordStatus(models.TextChoices):
    PENDING_SUMMARY = "pending_summary", "待写小结"
    PENDING_SCORE = "pending_score", "待评分"
    SCORED = "scored", "已评分"
    CONFIRMED = "confirmed", "已确认"


class AssessmentRecord(VersionedModel):
    round = models.ForeignKey(
        AssessmentRound, verbose_name="平时考核", on_delete=models.CASCADE, related_name="records"
    )
    person = models.ForeignKey(
        "orgs.Person", verbose_name="被考核人", on_delete=models.PROTECT, related_name="assessment_records"
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="科室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_records",
    )
    round_department = models.ForeignKey(
        RoundDepartment,
        verbose_name="考核科室",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属党组织",
        on_delete=models.PROTECT,
        related_name="assessment_records",
        help_text="被考核人开启考核时的所属党组织（非党员为所在科室对应的党组织）",
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    year = models.PositiveIntegerField("年度", editable=False)
    quarter = models.PositiveSmallIntegerField("季度", editable=False)
    is_leader = models.BooleanField("领导干部", default=False)
    job_title = models.CharField("职务", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=RecordStatus.choices, default=RecordStatus.PENDING_SUMMARY)
    summary = models.TextField("个人小结", blank=True)
    summary_at = models.DateTimeField("小结提交时间", null=True, blank=True)
    de = models.DecimalField("德", max_digits=5, decimal_places=2, null=True, blank=True)
    neng = models.DecimalField("能", max_digits=5, decimal_places=2, null=True, blank=True)
    qin = models.DecimalField("勤", max_digits=5, decimal_places=2, null=True, blank=True)
    ji = models.DecimalField("绩", max_digits=5, decimal_places=2, null=True, blank=True)
    lian = models.DecimalField("廉", max_digits=5, decimal_places=2, null=True, blank=True)
    total = models.DecimalField("总分", max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField("评价意见", blank=True)
    proposed_grade = models.CharField("建议等次", max_length=20, choices=Grade.choices, blank=True)
    grade = models.CharField(
        "党委审定等次", max_length=20, choices=Grade.choices, blank=True, help_text="留空则按建议等次"
    )
    grade_reason = models.CharField("调整理由", max_length=300, blank=True)
    final_grade = models.CharField("确定等次", max_length=20, choices=Grade.choices, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评分人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)

    class Meta:
        verbose_name = "平时考核记录"
        verbose_name_plural = "平时考核记录"
        ordering = ["round", "department__sort_order", "-is_leader", "person__name", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="assessment_record_unique")]
        indexes = [
            models.Index(fields=["org_path"], name="record_scope_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["person", "year"], name="record_person_idx"),
            models.Index(fields=["year", "quarter", "final_grade"], name="record_grade_idx"),
        ]

    def __str__(self):
        return f"{self.person} {self.year}年第{self.quarter}季度平时考核"

    @property
    def effective_grade(self) -> str:
        """The grade the committee would confirm: its own, else the proposed one."""
        return self.final_grade or self.grade or self.proposed_grade

    @property
    def effective_grade_label(self) -> str:
        return Grade(self.effective_grade).label if self.effective_grade else "—"

    @property
    def scores(self) -> list[tuple[str, object]]:
        return [(label, getattr(self, name)) for label, name in DIMENSION_FIELDS]
