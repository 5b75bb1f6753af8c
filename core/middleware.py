"""Keeps the current request's client IP in a context variable for the audit trail."""

from __future__ import annotations

import contextvars

_current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


def get_current_ip() -> str | None:
    return _current_ip.get()


SCOPE_SESSION_KEY = "scope_org_id"


class CurrentRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            # The organization chosen in the top bar; Scope.home_organization checks it is granted.
            user._chosen_scope_org_id = request.session.get(SCOPE_SESSION_KEY)
        token = _current_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)
