from core.navigation import navigation_for
from core.scope import Scope


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = Scope.of(user)
    from core.models import Notification

    return {
        "nav_groups": navigation_for(scope, request.path),
        "user_scope": scope,
        "scope_org": scope.home_organization,
        "scope_choices": scope.granted_organizations,
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "role_labels": sorted(_role_labels(scope)),
    }


def _role_labels(scope):
    from accounts.models import Role

    return {Role(r).label for r in scope.roles if r in Role.values}
