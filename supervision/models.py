"""Supervision: inspections (督导检查), secretaries' reports (书记抓基层党建述职评议) and the
rectification ledger (问题整改台账) with escalation notices (督办单).

A Problem is a row of the ledger. Its workflow (待整改 → 整改中 → 申请销号 → 已销号, 退回, 延期)
runs on the shared tracked-item mechanism (core.tracking): the status and the deadline live on its
TrackedItem, and the services copy them onto the Problem (status, due_on, closed_on) together with
the organization's path, so that a ledger of hundreds of thousands of rows filters, sorts and
counts from one table with its own indexes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.concurrency import VersionedModel
from core.softdelete import SoftDeleteModel


class InspectionMethod(models.TextChoices):
    FIELD = "field", "实地检查"
    DOCUMENTS = "documents", "查阅资料"
    FORUM = "forum", "座谈访谈"
    SURVEY = "survey", "问卷调查"


# Short names for lists and the report ("实地/查阅资料/座谈/问卷").
METHOD_SHORT = {
    InspectionMethod.FIELD: "实地",
    InspectionMethod.DOCUMENTS: "查阅资料",
    InspectionMethod.FORUM: "座谈",
    InspectionMethod.SURVEY: "问卷",
}


class Inspection(SoftDeleteModel, VersionedModel):
    """One inspection round of the committee (e.g. 第二轮党建督导检查) over some organizations."""

    name = models.CharField("检查名称", max_length=100, help_text="如：2022年第二轮党建督导检查")
    # The organization that records the inspection and follows up its findings (usually the
    # committee). The inspecting body may be that organization itself or a higher one.
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="登记党组织",
        on_delete=models.PROTECT,
        related_name="inspections_held",
        help_text="负责登记检查情况、跟踪问题整改的党组织",
    )
    inspector_body = models.CharField(
        "检查单位",
        max_length=100,
        blank=True,
        help_text="上级督导组检查的填写上级单位，如“市直机关工委第二督导组”；本级组织的检查不填",
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    targets = models.ManyToManyField(
        "orgs.Organization", verbose_name="被检查党组织", related_name="inspections_received"
    )
    inspectors = models.ManyToManyField(
        "orgs.Person", verbose_name="检查人员", blank=True, related_name="inspections_done"
    )
    # Comma-separated InspectionMethod values ("field,documents"): filterable on every database.
    methods = models.CharField("检查方式", max_length=100, blank=True)
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期", null=True, blank=True)
    summary = models.TextField("检查情况", blank=True)
    feedback = models.TextField("反馈意见", blank=True, help_text="向被检查党组织反馈的意见和存在的问题")
    feedback_on = models.DateField("反馈日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "督导检查"
        verbose_name_plural = "督导检查"
        ordering = ["-start_on", "-id"]
        indexes = [
            models.Index(
                fields=["org_path", "start_on"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="inspection_scope_idx",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supervision:inspection_detail", args=[self.pk])

    @property
    def method_list(self) -> list[str]:
        return [m for m in self.methods.split(",") if m]

    @property
    def methods_label(self) -> str:
        return "、".join(METHOD_SHORT.get(m, m) for m in self.method_list)


class InspectionVisit(models.Model):
    """One visit of an inspection to an organization (实地检查、查阅资料…), dated."""

    inspection = models.ForeignKey(Inspection, verbose_name="督导检查", on_delete=models.CASCADE, related_name="visits")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="被检查党组织", on_delete=models.PROTECT, related_name="inspection_visits"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    visited_on = models.DateField("检查日期")
    method = models.CharField("检查方式", max_length=20, choices=InspectionMethod.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["method", "visited_on"], name="visit_method_date_idx"),
            models.Index(fields=["org_path"], opclasses=["varchar_pattern_ops"], name="visit_scope_idx"),
        ]

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d} {self.get_method_display()}：{self.organization}"


class SecretaryReport(SoftDeleteModel, VersionedModel):
    """A branch secretary's annual report (述职) at the 述职大会, and its evaluation (评议)."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", on_delete=models.PROTECT, related_name="secretary_reports"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    secretary = models.ForeignKey(
        "orgs.Person", verbose_name="述职书记", on_delete=models.PROTECT, related_name="secretary_reports"
    )
    year = models.PositiveIntegerField("述职年度", help_text="述职所针对的工作年度，如2022年初述职2021年度工作填2021")
    held_on = models.DateField("述职大会日期")
    title = models.CharField(
        "述职大会", max_length=150, blank=True, help_text="如：辖属党组织书记抓基层党建和全面从严治党主体责任述职大会"
    )
    report = models.TextField("述职报告", blank=True, help_text="可粘贴述职报告正文，或在保存后上传述职报告文件")
    rating_excellent = models.PositiveIntegerField("评议“好”票数", default=0)
    rating_good = models.PositiveIntegerField("评议“较好”票数", default=0)
    rating_fair = models.PositiveIntegerField("评议“一般”票数", default=0)
    rating_poor = models.PositiveIntegerField("评议“差”票数", default=0)
    comments = models.TextField("评议意见", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "书记述职评议"
        verbose_name_plural = "书记述职评议"
        ordering = ["-held_on", "org_path", "-id"]
        indexes = [
            models.Index(
                fields=["org_path", "held_on"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="secretaryreport_scope_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "secretary", "year"],
                condition=models.Q(deleted_at__isnull=True),
                name="secretaryreport_unique_alive",
            )
        ]

    def __str__(self):
        return f"{self.organization}书记{self.secretary} {self.year}年度述职"

    def get_absolute_url(self) -> str:
        return reverse("supervision:report_detail", args=[self.pk])

    @property
    def votes(self) -> int:
        return self.rating_excellent + self.rating_good + self.rating_fair + self.rating_poor

    @property
    def approval_rate(self) -> float | None:
        """Share of 好 and 较好 votes (满意度), or None without votes."""
        return round(100.0 * (self.rating_excellent + self.rating_good) / self.votes, 1) if self.votes else None


class ProblemSource(models.TextChoices):
    INSPECTION = "inspection", "督导检查"
    SECRETARY_REPORT = "secretary_report", "书记述职评议"
    DEMOCRATIC_LIFE = "democratic_life", "民主生活会/组织生活会查摆"
    HIGHER_FEEDBACK = "higher_feedback", "上级反馈"
    SELF_INSPECTION = "self_inspection", "自查自纠"
    STAR_RATING = "star_rating", "评星定级"


class ProblemStatus(models.TextChoices):
    PENDING = "pending", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    APPLIED = "applied", "申请销号"
    CLOSED = "closed", "已销号"


OPEN_STATUSES = (ProblemStatus.PENDING, ProblemStatus.IN_PROGRESS, ProblemStatus.APPLIED)


class Problem(VersionedModel):
    """A row of the rectification ledger (问题整改台账)."""

    source = models.CharField("问题来源", max_length=30, choices=ProblemSource.choices)
    inspection = models.ForeignKey(
        Inspection, verbose_name="督导检查", null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    secretary_report = models.ForeignKey(
        SecretaryReport,
        verbose_name="书记述职",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name="查摆会议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        help_text="民主生活会、组织生活会查摆的问题可关联该会议",
    )
    source_note = models.CharField(
        "来源说明", max_length=200, blank=True, help_text="如：市委巡察反馈意见第3条、2021年度评星定级扣分项"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="责任党组织", on_delete=models.PROTECT, related_name="problems"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    description = models.TextField("问题描述")
    measures = models.TextField("整改措施", blank=True)
    responsible_person = models.ForeignKey(
        "orgs.Person",
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems_responsible",
    )
    responsible_leader = models.ForeignKey(
        "orgs.Person",
        verbose_name="责任领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems_led",
    )
    found_on = models.DateField("发现日期")
    # Copies kept by the services from the tracked item (the workflow's record).
    status = models.CharField("状态", max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.PENDING)
    due_on = models.DateField("整改时限")
    closed_on = models.DateField("销号日期", null=True, blank=True)
    verification = models.TextField("验收意见", blank=True)
    # Set by the services right after the problem is saved (the tracked item points back at it).
    tracked_item = models.OneToOneField(
        "core.TrackedItem",
        verbose_name="跟踪事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problem",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改问题"
        verbose_name_plural = "整改问题"
        ordering = ["-found_on", "-id"]
        indexes = [
            # The ledger's default order, newest first; with the path, a page of a scope's ids is
            # read from the index alone (PostgreSQL), however far the page.
            models.Index(fields=["-found_on", "-id"], include=["org_path"], name="problem_ledger_order_idx"),
            # Scope filters (org_path LIKE 'prefix%'), and counting a scope from the index alone.
            models.Index(fields=["org_path"], opclasses=["varchar_pattern_ops"], name="problem_scope_idx"),
            # The statistics, answered from the index alone (PostgreSQL index-only scans): the
            # problems discovered in a period with what the figures need, and those closed in it.
            models.Index(
                fields=["found_on", "org_path", "status", "source", "due_on"], name="problem_found_figures_idx"
            ),
            models.Index(
                fields=["closed_on", "org_path", "source", "due_on"],
                condition=models.Q(closed_on__isnull=False),
                name="problem_closed_figures_idx",
            ),
            # The same for one organization's subtree (a 机关党委, a branch): a range of the path.
            models.Index(
                fields=["org_path", "found_on", "status", "source", "due_on"],
                opclasses=["varchar_pattern_ops", "date_ops", "text_ops", "text_ops", "date_ops"],
                name="problem_scope_found_idx",
            ),
            models.Index(
                fields=["org_path", "closed_on", "source", "due_on"],
                opclasses=["varchar_pattern_ops", "date_ops", "text_ops", "date_ops"],
                condition=models.Q(closed_on__isnull=False),
                name="problem_scope_closed_idx",
            ),
            # Open problems by deadline: overdue and due-soon lists, reminders and 督办.
            models.Index(
                fields=["due_on", "id", "org_path"],
                condition=models.Q(status__in=["pending", "in_progress", "applied"]),
                name="problem_open_due_idx",
            ),
            models.Index(fields=["source", "-found_on", "-id"], name="problem_source_order_idx"),
            # Overdue figures of the statistics: the open problems (from the summary) less those
            # not yet due — open problems with a deadline from today on, a set bounded by the
            # deadlines ahead however long the history — by discovery period.
            models.Index(
                fields=["due_on", "found_on", "org_path", "source"],
                condition=models.Q(status__in=["pending", "in_progress", "applied"]),
                name="problem_open_not_due_idx",
            ),
        ]

    def __str__(self):
        text = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return f"{self.organization}：{text[:60]}" if self.organization_id else text[:60]

    def get_absolute_url(self) -> str:
        return reverse("supervision:problem_detail", args=[self.pk])

    @property
    def title(self) -> str:
        text = self.description.strip().splitlines()[0] if self.description.strip() else "（未填写）"
        return text if len(text) <= 40 else text[:39] + "…"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def closed_on_time(self) -> bool | None:
        if self.closed_on is None:
            return None
        return self.closed_on <= self.due_on


class ProgressReport(models.Model):
    """整改进展: what the responsible organization has done, with evidence files (attachments)."""

    problem = models.ForeignKey(Problem, verbose_name="整改问题", on_delete=models.CASCADE, related_name="progress")
    reported_on = models.DateField("报告日期")
    content = models.TextField("整改进展")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["reported_on", "id"]

    def __str__(self):
        return f"{self.reported_on:%Y-%m-%d} 整改进展"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class ExtensionRequest(models.Model):
    """延期申请: the responsible organization asks for a later deadline; the committee decides."""

    problem = models.ForeignKey(
        Problem, verbose_name="整改问题", on_delete=models.CASCADE, related_name="extension_requests"
    )
    old_due_on = models.DateField("原整改时限")
    requested_due_on = models.DateField("申请延期至")
    reason = models.TextField("延期理由")
    status = models.CharField(
        "审批状态", max_length=20, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem"], condition=models.Q(status="pending"), name="extension_one_pending"
            )
        ]

    def __str__(self):
        return f"延期至{self.requested_due_on:%Y-%m-%d}（{self.get_status_display()}）"


class EscalationNotice(models.Model):
    """督办单: issued once for a problem that stays open past its deadline (督办〔2022〕3号)."""

    problem = models.OneToOneField(
        Problem, verbose_name="整改问题", on_delete=models.CASCADE, related_name="escalation"
    )
    year = models.PositiveIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="被督办党组织", on_delete=models.PROTECT, related_name="escalations"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    issued_on = models.DateField("督办日期")
    due_on = models.DateField("原整改时限")
    days_overdue = models.PositiveIntegerField("逾期天数")
    reply_by = models.DateField("反馈时限")
    recipients = models.CharField("送达", max_length=300, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_on", "-seq"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"], name="escalation_year_seq_unique")]
        indexes = [
            models.Index(
                fields=["org_path", "issued_on"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="escalation_scope_idx",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("supervision:escalation_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"督办〔{self.year}〕{self.seq}号"


class ProblemMonthSummary(models.Model):
    """Monthly figures of the ledger for the statistics (整改统计) and the report, kept by the
    services in the transaction of every change (supervision.summary) and rebuilt from the
    problems by `rebuild_problem_summary`.

    One row per (organization path prefix, source, month): `path` is the path of an organization
    and the row counts the problems of its whole subtree (a problem counts in the row of its own
    organization and in those of every ancestor), so an organization's figures and those of its
    direct children are a few rows whatever the number of problems. Of the problems discovered in
    the month: `found` and how many are now pending / in progress / applied (the rest are closed);
    of those closed in the month: `closed` and `on_time` (closed on or before the deadline).
    Overdue (open, deadline before today) depends on the day, so it is counted at read time from
    the open problems."""

    path = models.CharField("组织路径", max_length=255)
    level = models.PositiveSmallIntegerField("层级")  # segments in path ("000001.000007." → 2)
    source = models.CharField("问题来源", max_length=30, choices=ProblemSource.choices)
    # 1: the row of one month; 12: of a whole year (the same counts summed), so that a period of
    # years reads one row per organization and source instead of twelve.
    span = models.PositiveSmallIntegerField("月数", default=1)
    month = models.DateField("月份")  # the first day of the month (or year)
    found = models.IntegerField("发现", default=0)
    pending = models.IntegerField("待整改", default=0)
    in_progress = models.IntegerField("整改中", default=0)
    applied = models.IntegerField("申请销号", default=0)
    closed = models.IntegerField("销号", default=0)
    on_time = models.IntegerField("按期销号", default=0)

    class Meta:
        verbose_name = "问题整改月度汇总"
        verbose_name_plural = "问题整改月度汇总"
        constraints = [
            models.UniqueConstraint(fields=["path", "source", "span", "month"], name="problem_summary_unique"),
        ]
        indexes = [
            # An organization's row and its direct children's: level d and d+1, path LIKE 'prefix%',
            # answered from the index alone on PostgreSQL (the counts are included).
            models.Index(
                fields=["span", "level", "path", "month"],
                opclasses=["int2_ops", "int2_ops", "varchar_pattern_ops", "date_ops"],
                include=["source", "found", "pending", "in_progress", "applied", "closed", "on_time"],
                name="problem_summary_read_idx",
            ),
        ]

    def __str__(self):
        return f"{self.path} {self.source} {self.month:%Y-%m}"
