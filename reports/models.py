"""Saved work-report drafts (工作报告草稿) and their versions.

A draft's `content` is the report as structured blocks (see reports.content): each paragraph is a
text with `{placeholders}` and the figures they stand for (value, link to the records, expected
list total). Every save writes a ReportVersion holding the whole content as it was after the
change, with who changed what, so any version can be shown again or restored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.concurrency import VersionedModel
from core.softdelete import SoftDeleteModel


class ReportDraft(SoftDeleteModel, VersionedModel):
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", on_delete=models.PROTECT, related_name="report_drafts"
    )
    org_path = models.CharField("党组织路径", max_length=255, db_index=True, editable=False)
    period_code = models.CharField("期间", max_length=40, help_text="如 2022H1、2022、2022-01-01..2022-06-30")
    period_label = models.CharField("期间名称", max_length=60)
    title = models.CharField("标题", max_length=200)
    content = models.JSONField("报告内容", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)

    class Meta:
        verbose_name = "工作报告"
        verbose_name_plural = "工作报告"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["org_path", "-updated_at"], name="reportdraft_scope_idx")]

    def __str__(self):
        return self.title

    @property
    def editor_name(self) -> str:
        """Who saved the current version (系统 for the demo and scheduled drafts)."""
        user = self.updated_by
        return (user.get_full_name() or user.username) if user is not None else "系统"


class ReportVersion(models.Model):
    draft = models.ForeignKey(ReportDraft, verbose_name="工作报告", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    content = models.JSONField("报告内容")
    summary = models.CharField("修改说明", max_length=300)
    changes = models.JSONField("修改内容", default=list, help_text="[{block, label, old, new}]")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_name = models.CharField("修改人姓名", max_length=150)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "报告版本"
        verbose_name_plural = "报告版本"
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="reportversion_unique")]

    def __str__(self):
        return f"{self.draft} 第{self.number}版"
