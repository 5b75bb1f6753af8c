"""主体责任清单、一岗双责、领导干部联系支部、廉政风险点防控清单 and the 履职清单 (duty catalogue).

Two kinds of ownership:
- records owned by a party organization (responsibility items and their evidence, 一岗双责,
  liaisons and their activities, integrity risks) carry `org_path`, a copy of the organization's
  path kept by the services, so scoped lists filter one indexed column;
- the duty catalogue belongs to the bureau's administrative departments (orgs.Department); its
  scope follows the department's party organization (see duties.policies).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.concurrency import VersionedModel
from core.softdelete import SoftDeleteModel

ALIVE = models.Q(deleted_at__isnull=True)


class Subject(models.TextChoices):
    """Who carries a responsibility item (RULES.md §2: 党组主体责任、书记第一责任人、成员一岗双责)."""

    LEADING_GROUP = "leading_group", "党组"
    GROUP_SECRETARY = "group_secretary", "党组书记（第一责任人）"
    GROUP_MEMBER = "group_member", "党组成员（一岗双责）"
    COMMITTEE = "committee", "机关党委"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"


# How the work report names each subject ("针对局党组、党组书记、党组成员共制定责任项目19项").
SUBJECT_REPORT_NAMES = {
    Subject.LEADING_GROUP: "局党组",
    Subject.GROUP_SECRETARY: "党组书记",
    Subject.GROUP_MEMBER: "党组成员",
    Subject.COMMITTEE: "机关党委",
    Subject.BRANCH_SECRETARY: "支部书记",
}


class Frequency(models.TextChoices):
    """How often an item must be fulfilled; evidence is recorded per period of this kind."""

    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF = "half", "每半年"
    YEAR = "year", "每年"
    ONCE = "once", "一次性"


class ResponsibilityItem(SoftDeleteModel, VersionedModel):
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属党组织",
        on_delete=models.PROTECT,
        related_name="responsibility_items",
        help_text="清单的制定者。党组的清单由机关党委代为登记，登记在机关党委",
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    subject = models.CharField("责任主体", max_length=30, choices=Subject.choices)
    content = models.CharField("责任内容", max_length=300)
    frequency = models.CharField(
        "落实频次",
        max_length=10,
        choices=Frequency.choices,
        help_text="按此频次逐期留存落实佐证；一次性事项有一次佐证即为已落实",
    )
    order = models.PositiveIntegerField("序号", default=0, blank=True, help_text="留空则排在最后")
    # The subject's position in Subject (党组 first …), kept by the services: the list's order.
    subject_rank = models.PositiveSmallIntegerField("主体排序", default=0, editable=False)
    derived_from = models.CharField(
        "自动取数",
        max_length=100,
        blank=True,
        help_text="选择系统中的一项统计（如“党建工作专题会次数”）：该统计在某期间大于0，即自动视为该期间已落实，"
        "佐证链接到对应的记录，无需重复登记",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "主体责任清单项目"
        verbose_name_plural = "主体责任清单项目"
        ordering = ["org_path", "subject_rank", "order", "id"]
        indexes = [
            # The list's order (a page is read straight from the index).
            models.Index(
                fields=["org_path", "subject_rank", "order", "id"], condition=ALIVE, name="duties_item_order_idx"
            ),
            # Scope filters (org_path LIKE 'prefix%') on PostgreSQL.
            models.Index(
                fields=["org_path"], opclasses=["varchar_pattern_ops"], condition=ALIVE, name="duties_item_scope_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_subject_display()}：{self.content}"


class ResponsibilityEvidence(SoftDeleteModel, VersionedModel):
    """落实佐证: what was done for an item in one period (with attachments)."""

    item = models.ForeignKey(
        ResponsibilityItem, verbose_name="责任项目", on_delete=models.PROTECT, related_name="evidence"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    period_code = models.CharField(
        "期间",
        max_length=30,
        help_text="按责任项目的频次填写：每月 2022-05，每季度 2022Q2，每半年 2022H1，每年及一次性 2022",
    )
    period_start = models.DateField("期间开始", editable=False)
    period_end = models.DateField("期间结束", editable=False)
    done_on = models.DateField("落实日期", null=True, blank=True)
    note = models.TextField(
        "落实情况", help_text="做了什么、在哪份材料中可查，如“4月22日召开党建工作专题会，研究部署…”"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "落实佐证"
        verbose_name_plural = "落实佐证"
        ordering = ["-period_start", "-id"]
        indexes = [
            models.Index(fields=["-period_start", "-id"], condition=ALIVE, name="duties_evidence_order_idx"),
            models.Index(fields=["item", "period_code"], condition=ALIVE, name="duties_evidence_item_idx"),
            models.Index(
                fields=["org_path", "period_start"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=ALIVE,
                name="duties_evidence_scope_idx",
            ),
        ]

    def __str__(self):
        return f"{self.period_code} {self.item.content[:30]}"


class FulfilmentHit(models.Model):
    """One record that covers a period of a responsibility item, kept by duties.coverage.

    A piece of evidence covers the period it was entered for (a one-off item: "once", from the
    evidence's period start on); a meeting or liaison activity covers the period of a derived
    item's frequency that contains its date, for the items of its organization and every ancestor
    that derive from its kind. Each source record's rows are replaced whenever the record changes
    (delete and derive again), so "which periods of which items are covered" is an indexed table
    and the 缺少佐证 count of a scope is one aggregate query."""

    item = models.ForeignKey(ResponsibilityItem, on_delete=models.CASCADE, related_name="+")
    period_code = models.CharField(max_length=30)
    period_start = models.DateField()
    source = models.CharField(max_length=10)  # evidence | meeting | activity
    object_id = models.PositiveBigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["item", "period_code", "period_start"], name="duties_hit_item_idx"),
            models.Index(fields=["source", "object_id"], name="duties_hit_source_idx"),
            # The periods' rows for counting ("which items have every due period covered").
            models.Index(fields=["period_code", "item", "period_start"], name="duties_hit_period_idx"),
        ]

    def __str__(self):
        return f"{self.item_id} {self.period_code} ← {self.source}#{self.object_id}"


class FulfilmentBuild(models.Model):
    """Present once the FulfilmentHit table has been built from every source (see duties.coverage)."""

    built_at = models.DateTimeField(auto_now=True)


class DualResponsibility(SoftDeleteModel, VersionedModel):
    """一岗双责: a leadership member's 分管领域 and the party-building duties that come with it."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name="班子成员", on_delete=models.PROTECT, related_name="dual_responsibilities"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="所属党组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    areas = models.CharField("分管领域", max_length=300, help_text="如：分管办公室、财务审计科，联系文化馆")
    departments = models.ManyToManyField(
        "orgs.Department", verbose_name="分管科室", blank=True, related_name="dual_responsibilities"
    )
    units = models.ManyToManyField("orgs.Unit", verbose_name="分管单位", blank=True, related_name="+")
    duties = models.TextField("一岗双责职责", help_text="在分管领域内抓党建、抓党风廉政建设的具体职责，每行一条")
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True, help_text="分工调整时填写；留空为现行分工")

    class Meta:
        verbose_name = "一岗双责"
        verbose_name_plural = "一岗双责"
        ordering = ["org_path", "-valid_from", "id"]

    def __str__(self):
        return f"{self.person} 一岗双责（{self.areas[:30]}）"


class LeaderLiaison(SoftDeleteModel, VersionedModel):
    """领导干部联系支部: which leader liaises with which branch, from when."""

    leader = models.ForeignKey(
        "orgs.Person", verbose_name="联系领导", on_delete=models.PROTECT, related_name="branch_liaisons"
    )
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="联系支部", on_delete=models.PROTECT, related_name="leader_liaisons"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期", null=True, blank=True, help_text="调整联系点时填写")
    note = models.CharField("联系要求", max_length=300, blank=True, help_text="如：每季度至少到联系支部开展1次活动")

    class Meta:
        verbose_name = "领导干部联系支部"
        verbose_name_plural = "领导干部联系支部"
        ordering = ["org_path", "start_on", "id"]

    def __str__(self):
        return f"{self.leader} 联系 {self.branch}"


class LiaisonKind(models.TextChoices):
    RESEARCH = "research", "调研指导"
    ORG_LIFE = "org_life", "参加组织生活"
    LECTURE = "lecture", "讲党课"
    TALK = "talk", "谈心谈话"
    OTHER = "other", "其他"


class LiaisonActivity(SoftDeleteModel, VersionedModel):
    liaison = models.ForeignKey(
        LeaderLiaison, verbose_name="联系点", on_delete=models.PROTECT, related_name="activities"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    held_on = models.DateField("日期")
    kind = models.CharField("活动形式", max_length=20, choices=LiaisonKind.choices)
    content = models.TextField("活动内容")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "联系支部活动"
        verbose_name_plural = "联系支部活动"
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["-held_on", "-id"], condition=ALIVE, name="duties_activity_order_idx"),
            models.Index(
                fields=["org_path", "held_on"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=ALIVE,
                name="duties_activity_scope_idx",
            ),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"


class RiskCategory(models.TextChoices):
    POST = "post", "岗位职责"
    PROCESS = "process", "业务流程"
    SYSTEM = "system", "制度机制"
    EXTERNAL = "external", "外部环境"


class IntegrityRisk(SoftDeleteModel, VersionedModel):
    """廉政风险点防控清单 (RULES.md §11)."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="所属党组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, default="", editable=False)
    order = models.PositiveIntegerField("序号", default=0, blank=True, help_text="留空则排在最后")
    area = models.CharField("领域", max_length=50, help_text="如：政治安全领域、文化旅游领域")
    department = models.ForeignKey(
        "orgs.Department", verbose_name="科室", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post = models.CharField("岗位", max_length=100)
    category = models.CharField("风险类别", max_length=20, choices=RiskCategory.choices)
    risk_point = models.CharField("风险点", max_length=300)
    manifestation = models.TextField("主要表现形式")
    level = models.CharField("风险等级", max_length=10)
    measures = models.TextField("防控措施")
    responsible_person = models.CharField(
        "责任人", max_length=100, help_text="岗位或姓名，如“市场管理科科长”；人员调整后清单仍然有效"
    )
    responsible_leader = models.CharField("责任领导", max_length=100, help_text="如“分管副局长”")
    indicator = models.CharField("监测指标", max_length=200, blank=True, help_text="如：执法案卷评查合格率100%")

    class Meta:
        verbose_name = "廉政风险点"
        verbose_name_plural = "廉政风险点"
        ordering = ["org_path", "order", "id"]

    def __str__(self):
        return f"{self.area}：{self.risk_point}"


# ---------------------------------------------------------------------- 履职清单 (per department)


class WorkTask(SoftDeleteModel, VersionedModel):
    department = models.ForeignKey(
        "orgs.Department", verbose_name="科室", on_delete=models.PROTECT, related_name="work_tasks"
    )
    order = models.PositiveIntegerField("序号", default=0, blank=True, help_text="留空则排在最后")
    content = models.CharField("工作任务", max_length=300)
    basis = models.CharField("依据", max_length=200, blank=True, help_text="法规、文件或“三定”方案条款")

    class Meta:
        verbose_name = "工作任务"
        verbose_name_plural = "工作任务"
        ordering = ["department__sort_order", "department_id", "order", "id"]

    def __str__(self):
        return self.content


class BoundaryDivision(SoftDeleteModel, VersionedModel):
    """内部边界分工: a matter several departments touch, with the lead and the assisting ones."""

    matter = models.CharField("事项", max_length=300)
    lead_department = models.ForeignKey(
        "orgs.Department", verbose_name="牵头科室", on_delete=models.PROTECT, related_name="led_divisions"
    )
    assisting_departments = models.ManyToManyField(
        "orgs.Department", verbose_name="配合科室", blank=True, related_name="assisted_divisions"
    )
    order = models.PositiveIntegerField("序号", default=0, blank=True, help_text="留空则排在最后")
    note = models.CharField("分工说明", max_length=300, blank=True, help_text="牵头与配合的具体分工")

    class Meta:
        verbose_name = "内部边界分工"
        verbose_name_plural = "内部边界分工"
        ordering = ["lead_department__sort_order", "lead_department_id", "order", "id"]

    def __str__(self):
        return self.matter


class WorkflowChart(SoftDeleteModel, VersionedModel):
    department = models.ForeignKey(
        "orgs.Department", verbose_name="科室", on_delete=models.PROTECT, related_name="workflow_charts"
    )
    name = models.CharField("流程名称", max_length=100)
    order = models.PositiveIntegerField("序号", default=0, blank=True, help_text="留空则排在最后")
    description = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "工作流程图"
        verbose_name_plural = "工作流程图"
        ordering = ["department__sort_order", "department_id", "order", "id"]

    def __str__(self):
        return self.name


class StepKind(models.TextChoices):
    START = "start", "开始"
    PROCESS = "process", "办理"
    DECISION = "decision", "判断"
    END = "end", "结束"


class WorkflowStep(models.Model):
    """One box of a flowchart. After a step comes the next one by number, unless it names a target:
    a 判断 step goes to “是” (default: the next step) or “否”; any other step may jump with “是”."""

    chart = models.ForeignKey(WorkflowChart, verbose_name="流程图", on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField("步骤号")
    kind = models.CharField("类型", max_length=10, choices=StepKind.choices, default=StepKind.PROCESS)
    text = models.CharField("步骤内容", max_length=100)
    actor = models.CharField("办理岗位", max_length=50, blank=True)
    yes_to = models.PositiveSmallIntegerField("“是”转到", null=True, blank=True)
    no_to = models.PositiveSmallIntegerField("“否”转到", null=True, blank=True)

    class Meta:
        verbose_name = "流程步骤"
        verbose_name_plural = "流程步骤"
        ordering = ["chart", "number"]
        constraints = [models.UniqueConstraint(fields=["chart", "number"], name="duties_step_unique")]

    def __str__(self):
        return f"{self.number}. {self.text}"


class PostDuty(SoftDeleteModel, VersionedModel):
    department = models.ForeignKey(
        "orgs.Department", verbose_name="科室", on_delete=models.PROTECT, related_name="post_duties"
    )
    post = models.CharField("岗位", max_length=100)
    order = models.PositiveIntegerField("序号", default=0, blank=True, help_text="留空则排在最后")
    duty = models.CharField("岗位职责", max_length=300)

    class Meta:
        verbose_name = "岗位职责"
        verbose_name_plural = "岗位职责"
        ordering = ["department__sort_order", "department_id", "order", "id"]

    def __str__(self):
        return f"{self.post}：{self.duty}"


class PostRiskPoint(SoftDeleteModel, VersionedModel):
    department = models.ForeignKey(
        "orgs.Department", verbose_name="科室", on_delete=models.PROTECT, related_name="post_risks"
    )
    post = models.CharField("岗位", max_length=100)
    order = models.PositiveIntegerField("序号", default=0, blank=True, help_text="留空则排在最后")
    risk = models.CharField("风险点", max_length=300)
    level = models.CharField("风险等级", max_length=10)

    class Meta:
        verbose_name = "岗位风险点"
        verbose_name_plural = "岗位风险点"
        ordering = ["department__sort_order", "department_id", "order", "id"]

    def __str__(self):
        return f"{self.post}：{self.risk}"


class ControlMeasure(SoftDeleteModel, VersionedModel):
    risk_point = models.ForeignKey(
        PostRiskPoint, verbose_name="岗位风险点", on_delete=models.PROTECT, related_name="measures"
    )
    order = models.PositiveIntegerField("序号", default=0, blank=True, help_text="留空则排在最后")
    measure = models.CharField("防控措施", max_length=300)

    class Meta:
        verbose_name = "防控措施"
        verbose_name_plural = "防控措施"
        ordering = ["risk_point__department__sort_order", "risk_point_id", "order", "id"]

    def __str__(self):
        return self.measure
