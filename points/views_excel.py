"""Excel exports of the rankings (follow the page's filters)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from core.exporters import exporter_for
from core.scope import READ_ROLES
from core.viewutils import require_roles
from points import (
    exporters,  # noqa: F401  (registers the exporters)
    selectors,
)
from points.views import _group_under


@login_required
def ranking_export(request):
    require_roles(request.user, *READ_ROLES)
    f = selectors.ranking_filters(request.user, request.GET)
    rows = selectors.ranking_rows(request.user, f)
    base = f.rules.base
    exporter = exporter_for("points.ranking")(request.user, window=f.window, base=base)
    return exporter.export(rows, download_token=request.GET.get("dl", ""))


@login_required
def group_ranking_export(request):
    require_roles(request.user, *READ_ROLES)
    by = "department" if request.GET.get("by") == "department" else "branch"
    window, _ = selectors.parse_window(request.GET.get("period", ""))
    rows = selectors.group_averages(request.user, window, by=by, under=_group_under(request))
    exporter = exporter_for("points.groups")(request.user, window=window, by=by)
    return exporter.export(rows, download_token=request.GET.get("dl", ""))
