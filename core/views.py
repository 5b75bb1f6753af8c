from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from core.home import due_items_for
from core.models import Notification
from core.stats import home_figures


@login_required
def home(request):
    today = timezone.localdate()
    due = due_items_for(request.user, today)
    recent = Notification.objects.filter(recipient=request.user)[:5]
    return render(
        request,
        "core/home.html",
        {
            "page_title": "工作台",
            "breadcrumbs": [],
            "due_items": due,
            "recent_notifications": recent,
            "figures": home_figures(request.user, today),
            "today": today,
        },
    )


@login_required
def search(request):
    from orgs.selectors import organizations_list, people_list

    q = request.GET.get("q", "").strip()
    people = people_list(request.user, q=q)[:50] if q else []
    orgs = organizations_list(request.user, q=q)[:20] if q else []
    return render(
        request,
        "core/search.html",
        {
            "page_title": "搜索",
            "breadcrumbs": [("搜索", None)],
            "search_query": q,
            "people": people,
            "orgs": orgs,
        },
    )


@login_required
def notifications(request):
    qs = Notification.objects.filter(recipient=request.user)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {"page_title": "通知", "breadcrumbs": [("通知", None)], "page_obj": page},
    )
