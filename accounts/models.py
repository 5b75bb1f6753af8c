from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from core.concurrency import VersionedModel


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", "系统管理员"
    COMMITTEE_ADMIN = "committee_admin", "机关党委管理员"
    BRANCH_SECRETARY = "branch_secretary", "支部书记/党务干部"
    DISCIPLINE = "discipline", "纪检"
    LEADER = "leader", "领导"
    MEMBER = "member", "党员"


# What each role may do, shown next to the role selector so administrators grant knowingly.
ROLE_HELP: dict[str, str] = {
    Role.SYSADMIN: "全部权限（含系统设置与授予系统管理员）",
    Role.COMMITTEE_ADMIN: "本组织及下级的管理：人员、组织、账号与授权",
    Role.BRANCH_SECRETARY: "本支部的录入与管理",
    Role.DISCIPLINE: "本范围的纪检记录",
    Role.LEADER: "只读总览：查看本范围的台账与统计，不能修改",
    Role.MEMBER: "本人记录：查看自己的档案、积分与参加的活动",
}


class User(AbstractUser):
    person = models.OneToOneField(
        "orgs.Person",
        verbose_name="对应人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    display_name = models.CharField("显示名称", max_length=50, blank=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        ordering = ["username"]

    def get_full_name(self) -> str:
        if self.display_name:
            return self.display_name
        if self.person_id:
            return self.person.name
        return super().get_full_name()

    def __str__(self):
        return self.get_full_name() or self.username


class RoleGrant(VersionedModel):
    """A role granted on an organization; it covers the organization's whole subtree."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="授权党组织",
        on_delete=models.PROTECT,
        related_name="grants",
    )
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        ordering = ["user", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "role", "organization"], name="rolegrant_unique")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organization}"
