"""Django admin, for emergencies: the in-application pages (账号与权限) are the primary way,
because only they enforce the grant rules and write audit entries."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    raw_id_fields = ["organization"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "person", "is_active", "must_change_password", "last_login"]
    list_filter = ["is_active", "must_change_password", "grants__role"]
    search_fields = ["username", "display_name", "person__name"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    inlines = [RoleGrantInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("平台信息", {"fields": ("display_name", "person", "must_change_password")}),
    )


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization", "granted_by", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "organization__name"]
    list_select_related = ["user", "organization", "granted_by"]
    raw_id_fields = ["user", "organization", "granted_by"]
