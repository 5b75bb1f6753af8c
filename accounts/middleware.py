import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """Users with an administrator-issued password must change it before doing anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("accounts:password_change")
        return self.get_response(request)


class SessionRenewalMiddleware:
    """Idle expiry without a session write on every request.

    A signed-in session is renewed (saved with a fresh expiry of SESSION_COOKIE_AGE) when it was
    last renewed SESSION_RENEW_SECONDS ago or more, instead of on every request
    (SESSION_SAVE_EVERY_REQUEST): an idle session still ends after the idle time, give or take
    that interval, and a page costs no write. Signing in marks the session as renewed
    (`mark_renewed`), so the first page after it writes nothing either."""

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            renewed = session.get(self.KEY)
            if not isinstance(renewed, int) or not 0 <= now - renewed < settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return self.get_response(request)


def mark_renewed(sender, request, user, **kwargs):
    """user_logged_in receiver: the session just written at sign-in counts as renewed."""
    if request is not None and hasattr(request, "session"):
        request.session[SessionRenewalMiddleware.KEY] = int(time.time())
