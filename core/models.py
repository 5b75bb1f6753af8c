"""Shared models: audit trail, rules table, tracked items, notifications, attachments."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone


class ImmutableError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("审计记录不可修改")

    def delete(self):
        raise ImmutableError("审计记录不可删除")


class AuditEntry(models.Model):
    """One immutable row per write, written by the service in the same transaction."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField("操作", max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name="对象类型", null=True, blank=True, on_delete=models.SET_NULL
    )
    object_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象快照", max_length=300, blank=True)
    changes = models.JSONField("变更字段", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("审计记录不可删除")

    def labelled_changes(self) -> list[tuple[str, object, object]]:
        """(field label, old, new) for display; field names become their verbose names."""
        model = self.content_type.model_class() if self.content_type_id else None
        rows = []
        for name, pair in (self.changes or {}).items():
            if name == "version" or not isinstance(pair, list) or len(pair) != 2:
                continue
            from core.audit import field_label

            label = field_label(name) or name
            if model is not None:
                # Not a concrete field (a summary key, or a reverse relation such as a meeting's
                # "attendance"): keep the registered label.
                with contextlib.suppress(FieldDoesNotExist):
                    field = model._meta.get_field(name)
                    if getattr(field, "concrete", False):
                        label = str(field.verbose_name)
            rows.append((label, pair[0], pair[1]))
        return rows

    @property
    def action_label(self) -> str:
        from core.audit import action_label

        return action_label(self.action)


class Rule(models.Model):
    """A rule from RULES.md kept as data: the latest row with year_from <= year applies."""

    code = models.CharField("规则代码", max_length=100, db_index=True)
    year_from = models.PositiveIntegerField("起始年度")
    name = models.CharField("名称", max_length=200)
    category = models.CharField("类别", max_length=50, blank=True)
    value = models.JSONField("取值")
    unit = models.CharField("单位", max_length=30, blank=True)
    description = models.TextField("说明", blank=True)
    source = models.CharField("依据", max_length=300, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "规则"
        verbose_name_plural = "规则"
        ordering = ["category", "code", "-year_from"]
        constraints = [models.UniqueConstraint(fields=["code", "year_from"], name="rule_code_year_unique")]

    def __str__(self):
        return f"{self.name}（{self.year_from}年起）"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=500, blank=True)
    level = models.CharField(
        "级别",
        max_length=10,
        default="info",
        choices=[("info", "提示"), ("warning", "预警"), ("danger", "督办")],
    )
    dedupe_key = models.CharField("去重键", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_dedupe_unique",
            )
        ]

    def __str__(self):
        return self.title


class TrackedItem(models.Model):
    """Anything with an owner, a deadline and a status workflow (see core.tracking)."""

    DEADLINE_CALENDAR = "calendar"
    DEADLINE_WORKING = "working"

    kind = models.CharField("事项类型", max_length=60, db_index=True)
    title = models.CharField("事项", max_length=300)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="责任党组织",
        on_delete=models.PROTECT,
        related_name="tracked_items",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_items",
    )
    status = models.CharField("状态", max_length=30, db_index=True)
    start_on = models.DateField("起始日期")
    deadline_mode = models.CharField(
        "期限计算",
        max_length=10,
        default=DEADLINE_CALENDAR,
        choices=[(DEADLINE_CALENDAR, "自然日"), (DEADLINE_WORKING, "工作日")],
    )
    duration = models.PositiveIntegerField("期限（天）", null=True, blank=True)
    due_on = models.DateField("截止日期", db_index=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "跟踪事项"
        verbose_name_plural = "跟踪事项"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["kind", "status", "due_on"])]

    def __str__(self):
        return self.title


class TrackedTransition(models.Model):
    item = models.ForeignKey(TrackedItem, verbose_name="事项", on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField("原状态", max_length=30, blank=True)
    to_status = models.CharField("新状态", max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField("理由", blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "状态变更"
        verbose_name_plural = "状态变更"
        ordering = ["at", "id"]


class ReminderLog(models.Model):
    """Makes reminders idempotent: one row per (item, stage)."""

    item = models.ForeignKey(TrackedItem, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField("阶段", max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"
        constraints = [models.UniqueConstraint(fields=["item", "stage"], name="reminder_item_stage_unique")]


def attachment_path(instance: Attachment, filename: str) -> str:
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{instance.token}"


class Attachment(models.Model):
    token = models.CharField(max_length=40, unique=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    subject = GenericForeignKey("content_type", "object_id")
    file = models.FileField("文件", upload_to=attachment_path, max_length=300)
    original_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type_header = models.CharField("MIME类型", max_length=120, blank=True)
    description = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
