"""Small helpers shared by views: role checks, service errors onto forms, pagination."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator

from core.scope import Scope


def require_roles(user, *roles: str) -> Scope:
    scope = Scope.of(user)
    if not scope.has_role(*roles):
        raise PermissionDenied("您没有访问此页面的权限")
    return scope


def apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or at the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def paginate(request, queryset, per_page: int = 20):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
