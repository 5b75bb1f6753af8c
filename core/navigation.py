"""Left navigation: each app registers its entries; groups follow the seed report's order."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

GROUPS = [
    ("home", "工作台"),
    ("orgs", "组织与人员"),
    ("meetings", "组织生活"),
    ("supervision", "监督与责任"),
    ("assessment", "考核评价"),
    ("training", "教育培训"),
    ("activities", "活动与品牌"),
    ("liaison", "联系服务"),
    ("demands", "民生诉求"),
    ("reports", "驾驶舱与报告"),
    ("system", "系统管理"),
]


@dataclass
class NavEntry:
    group: str
    label: str
    url_name: str
    icon: str = "circle"
    roles: tuple[str, ...] | None = None  # None: every signed-in user
    order: int = 100
    url_prefix: str = ""

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return "#"


_ENTRIES: list[NavEntry] = []


def register_nav(group: str, label: str, url_name: str, **kwargs) -> None:
    if group not in dict(GROUPS):
        raise ValueError(f"unknown navigation group {group}")
    if any(e.url_name == url_name for e in _ENTRIES):
        return
    _ENTRIES.append(NavEntry(group=group, label=label, url_name=url_name, **kwargs))


@dataclass
class NavGroup:
    code: str
    label: str
    entries: list[NavEntry] = field(default_factory=list)


def navigation_for(scope, path: str) -> list[dict]:
    groups = []
    for code, label in GROUPS:
        entries = [
            e
            for e in sorted(_ENTRIES, key=lambda e: e.order)
            if e.group == code and (e.roles is None or scope.has_role(*e.roles))
        ]
        if not entries:
            continue
        items = []
        for e in entries:
            url = e.url
            prefix = e.url_prefix or url
            active = url == path if url == "/" else path.startswith(prefix)
            items.append({"label": e.label, "url": url, "icon": e.icon, "active": active})
        groups.append({"code": code, "label": label, "items": items})
    return groups
