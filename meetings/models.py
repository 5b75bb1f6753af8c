"""Organizational life: meetings of every kind (三会一课, 专题会, 民主生活会…), attendance, plans."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from core.softdelete import SoftDeleteModel


class MeetingKind(models.TextChoices):
    """Meeting types. Codes that have a frequency rule are `meeting.freq.<code>` in core.Rule."""

    BRANCH_GENERAL = "branch_general_meeting", "支部党员大会"
    BRANCH_COMMITTEE = "branch_committee_meeting", "支委会"
    CELL = "cell_meeting", "党小组会"
    LECTURE = "party_lecture", "党课"
    THEME_DAY = "theme_party_day", "主题党日"
    ORG_LIFE = "org_life_meeting", "组织生活会"
    APPRAISAL = "democratic_appraisal", "民主评议党员"
    HEART_TALK = "heart_talk", "谈心谈话"
    LEADING_GROUP = "leading_group_meeting", "党组会议"
    CENTRAL_STUDY = "central_study", "党组理论学习中心组学习"
    WEEKLY = "weekly_meeting", "周例会"
    MONTHLY = "monthly_meeting", "月例会"
    ORGAN_ASSEMBLY = "organ_member_assembly", "机关党员干部大会"
    DEMOCRATIC_LIFE = "democratic_life_meeting", "民主生活会"
    TOPIC = "topic_meeting", "专题会议"


# Kinds held by the bureau's leadership (党组) rather than a branch. The 党组 is not a node of the
# party tree; its meetings are recorded on the 机关党委 (the root the committee administers).
LEADERSHIP_KINDS = {
    MeetingKind.LEADING_GROUP,
    MeetingKind.CENTRAL_STUDY,
    MeetingKind.WEEKLY,
    MeetingKind.MONTHLY,
    MeetingKind.DEMOCRATIC_LIFE,
    MeetingKind.TOPIC,
    MeetingKind.ORGAN_ASSEMBLY,
}


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class TopicSubtype(models.Model):
    """Subtypes of 专题会议: 党建工作, 党风廉政建设, 意识形态, 网络意识形态, 问题整改, and custom ones."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    report_name = models.CharField(
        "报告中的称呼", max_length=50, blank=True, help_text="如“党建工作专题会”“党风廉政专题会议”"
    )
    is_builtin = models.BooleanField("内置", default=False)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "专题会议类别"
        verbose_name_plural = "专题会议类别"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class Meeting(SoftDeleteModel, VersionedModel):
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", on_delete=models.PROTECT, related_name="meetings"
    )
    # Copy of organization.path (kept by the services) for fast scoped ledgers and heatmaps.
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    kind = models.CharField("会议类型", max_length=40, choices=MeetingKind.choices)
    subtype = models.ForeignKey(
        TopicSubtype,
        verbose_name="专题类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="专题会议须选择类别",
    )
    held_on = models.DateField("日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    end_time = models.TimeField("结束时间", null=True, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    host = models.ForeignKey(
        "orgs.Person", verbose_name="主持人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lecturer = models.ForeignKey(
        "orgs.Person",
        verbose_name="授课人/主讲人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
        help_text="党课可由任何党员主讲（普通党员讲党课）",
    )
    topic = models.CharField("主题", max_length=200)
    content = models.TextField("学习内容", blank=True)
    participant_scope = models.CharField(
        "参会范围", max_length=200, blank=True, help_text="如：班子成员、馆团负责人；全体机关干部"
    )
    minutes = models.TextField("会议记录", blank=True)
    decisions = models.TextField("议定事项", blank=True)
    # Derived from the attendance rows by the services (never typed): fast ledgers and statistics.
    expected_count = models.PositiveIntegerField("应到人数", default=0, editable=False)
    present_count = models.PositiveIntegerField("实到人数", default=0, editable=False)
    leave_count = models.PositiveIntegerField("请假人数", default=0, editable=False)
    absent_count = models.PositiveIntegerField("缺席人数", default=0, editable=False)
    quorum_met = models.BooleanField("达到法定人数", null=True, editable=False)
    # What the meeting responds to (e.g. an inspection's feedback) once such records exist.
    responds_to_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responds_to_id = models.CharField(max_length=64, blank=True)
    responds_to = GenericForeignKey("responds_to_type", "responds_to_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["org_path"])

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-held_on", "-id"]
        indexes = [
            # The ledger's order, newest first.
            models.Index(
                fields=["-held_on", "-id"], condition=models.Q(deleted_at__isnull=True), name="meeting_ledger_order_idx"
            ),
            # Scope filters (org_path LIKE 'prefix%'): PostgreSQL needs the pattern opclass to use
            # an index for LIKE under a non-C collation; other databases ignore opclasses.
            models.Index(
                fields=["org_path", "held_on"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=models.Q(deleted_at__isnull=True),
                name="meeting_scope_idx",
            ),
            models.Index(fields=["kind", "held_on"], name="meeting_kind_date_idx"),
            models.Index(fields=["organization", "kind", "held_on"], name="meeting_org_kind_date_idx"),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}：{self.topic}"

    @property
    def kind_label(self) -> str:
        if self.kind == MeetingKind.TOPIC and self.subtype_id:
            return self.subtype.report_name or f"{self.subtype.name}专题会议"
        return self.get_kind_display()


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("orgs.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField("出勤", max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField("请假/缺席原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "出勤"
        verbose_name_plural = "出勤"
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique")]
        indexes = [models.Index(fields=["person", "status"], name="attendance_person_idx")]

    def __str__(self):
        return f"{self.person} {self.get_status_display()}"


class LifePlan(VersionedModel):
    """年度组织生活计划: generated from the obligations, then edited by the branch."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", on_delete=models.PROTECT, related_name="life_plans"
    )
    year = models.PositiveIntegerField("年度")
    notes = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度组织生活计划"
        verbose_name_plural = "年度组织生活计划"
        ordering = ["-year", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="lifeplan_unique")]

    def __str__(self):
        return f"{self.organization} {self.year}年组织生活计划"


class LifePlanItem(models.Model):
    plan = models.ForeignKey(LifePlan, verbose_name="计划", on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("会议类型", max_length=40, choices=MeetingKind.choices)
    planned_on = models.DateField("计划日期")
    topic = models.CharField("拟定主题", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "计划事项"
        verbose_name_plural = "计划事项"
        ordering = ["planned_on", "id"]

    def __str__(self):
        return f"{self.planned_on:%Y-%m-%d} {self.get_kind_display()}"


class ObligationRecord(models.Model):
    """Derived, never edited: what an organization owed for one rule period and how many meetings
    it held. meetings.obligation_store keeps these rows equal to meetings.obligations.compute() for
    every year it has built, so that the dashboard, alerts and report count in the database."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField("组织路径", max_length=255)  # organization.path, for scope filters
    kind = models.CharField("会议类型", max_length=40, choices=MeetingKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    period_code = models.CharField("周期", max_length=16)
    period_start = models.DateField("周期开始")
    period_end = models.DateField("周期结束")
    required = models.PositiveSmallIntegerField("应召开次数")
    held = models.PositiveIntegerField("已召开次数")
    due_on = models.DateField("截止日期")
    form_org_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "组织生活落实情况"
        verbose_name_plural = "组织生活落实情况"
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "period_code"], name="obligation_record_unique")
        ]
        indexes = [
            models.Index(fields=["period_start", "period_end"], name="obligation_record_period_idx"),
            models.Index(
                fields=["org_path", "period_start"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="obligation_record_scope_idx",
            ),
            models.Index(fields=["organization", "period_end"], name="obligation_record_org_idx"),
            models.Index(fields=["year"], name="obligation_record_year_idx"),
        ]


class ObligationYear(models.Model):
    """A year whose ObligationRecord rows have been built (built lazily on first use)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    built_at = models.DateTimeField("生成时间", auto_now=True)

    class Meta:
        verbose_name = "组织生活落实情况年度"
        verbose_name_plural = "组织生活落实情况年度"
