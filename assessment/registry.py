"""The star rating's and the periodic assessment's entries in the shared registries."""

from __future__ import annotations

from accounts.models import Role
from assessment import policies  # noqa: F401  (registers the scope policies)
from assessment.policies import ASSESSMENT_READ_ROLES
from core.navigation import register_nav
from core.scope import READ_ROLES

register_nav(
    "assessment",
    "评星定级",
    "assessment:round_list",
    icon="stars",
    roles=READ_ROLES,
    order=40,
    url_prefix="/assessment/stars/",
)
register_nav(
    "assessment",
    "标准化建设",
    "assessment:standardization",
    icon="clipboard-check",
    roles=READ_ROLES,
    order=45,
    url_prefix="/assessment/standardization/",
)
register_nav(
    "assessment",
    "平时考核",
    "assessment:assessment_round_list",
    icon="person-lines-fill",
    roles=ASSESSMENT_READ_ROLES,
    order=50,
    url_prefix="/assessment/periodic/rounds/",
)
register_nav(
    "assessment",
    "考核结果",
    "assessment:record_list",
    icon="table",
    roles=ASSESSMENT_READ_ROLES,
    order=55,
    url_prefix="/assessment/periodic/records/",
)
register_nav(
    "assessment",
    "年度汇总",
    "assessment:year_view",
    icon="calendar4-range",
    roles=ASSESSMENT_READ_ROLES,
    order=56,
    url_prefix="/assessment/periodic/year/",
)
register_nav(
    "assessment",
    "我的平时考核",
    "assessment:my_assessment",
    icon="person-check",
    roles=(Role.MEMBER, Role.BRANCH_SECRETARY, Role.LEADER, Role.DISCIPLINE),
    order=60,
    url_prefix="/assessment/periodic/mine/",
)
register_nav(
    "assessment",
    "考核评价方案",
    "assessment:scheme",
    icon="sliders2",
    roles=READ_ROLES,
    order=70,
    url_prefix="/assessment/scheme/",
)
from assessment import home, stats  # noqa: E402,F401  (statistics, report sections, charts, due items)
