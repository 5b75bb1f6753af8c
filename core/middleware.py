"""Keeps the current request's client IP in a context variable for the audit trail."""

from __future__ import annotations

import contextvars

_current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


def get_current_ip() -> str | None:
    return _current_ip.get()


class CurrentRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)
