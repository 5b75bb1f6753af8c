"""Small helpers shared by views: role checks, service errors onto forms, pagination."""

from __future__ import annotations

from urllib.parse import urlencode

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


def cap_count(paginator: Paginator, cap: int) -> None:
    """Count the paginator's rows only up to `cap` (a free-text search over a city's records would
    scan them all to count them): beyond it the list shows `cap` rows' pages and says "超过 N 条"
    (`paginator.capped`, read by includes/pagination.html)."""
    found = len(paginator.object_list.order_by().values_list("pk", flat=True)[: cap + 1])
    paginator.count = min(found, cap)
    paginator.capped = found > cap


class ServiceCall:
    """The outcome of a service called from a form view: its result, or the errors put on the
    form, or the concurrent edit that refused it."""

    def __init__(self, form, func, /, **kwargs):
        from core.concurrency import ConcurrentEditError

        self.result = None
        self.conflict = None
        self.ok = False
        try:
            self.result = func(**kwargs)
        except ConcurrentEditError as exc:
            self.conflict = exc
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            self.ok = True


class FilterParams:
    """The query string of a list's filters: `params()` gives every filter as text, empty ones are dropped."""

    def params(self) -> dict[str, str]:
        raise NotImplementedError

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in self.params().items() if v}

    @property
    def query_string(self) -> str:
        return urlencode(self.as_params())
