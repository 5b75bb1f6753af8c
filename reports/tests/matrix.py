"""Permission-matrix rows of the dashboard and the work reports (collected by
tests/test_permission_matrix.py). The report in the world belongs to 机关第一党支部 (b1)."""

from __future__ import annotations

from tests.matrix import ADMINS, READ, expect, only

WRITERS = {"admin", "committee", "sec1", "sec2"}
B1_READ = expect(200, {frozenset({"sec2", "member", "nobody"}): 404})


def b1_write(ok: int) -> dict[str, int]:
    return expect(ok, {frozenset({"sec2", "member", "nobody"}): 404, frozenset({"discipline", "leader"}): 403})


DRAFT = {"pk": "report_draft"}
BLOCK = {"pk": "report_draft", "block_id": "opening"}

MATRIX = [
    ("reports:index", "get", {}, {}, only(READ, 302, 403)),
    ("reports:dashboard", "get", {}, {}, only(READ, 200, 403)),
    (
        "reports:dashboard",
        "get",
        {},
        {"org": "b1", "period": "2022H1"},
        expect(200, {"sec2": 404, frozenset({"member", "nobody"}): 403}),
    ),
    ("reports:dashboard_area", "get", {}, {"area": "组织生活", "period": "2022H1"}, only(READ, 200, 403)),
    ("reports:dashboard_alerts", "get", {}, {"period": "2022H1"}, only(READ, 200, 403)),
    ("reports:statistics_export", "get", {}, {"period": "2022H1"}, only(READ, 200, 403)),
    ("reports:overdue_obligations", "get", {}, {"period": "2022H1"}, only(READ, 200, 403)),
    ("reports:terms", "get", {}, {}, only(READ, 200, 403)),
    ("reports:tracked_items", "get", {}, {}, only(READ, 200, 403)),
    ("reports:draft_list", "get", {}, {}, only(READ, 200, 403)),
    ("reports:draft_create", "get", {}, {}, only(WRITERS, 200, 403)),
    (
        "reports:draft_create",
        "post",
        {},
        {"org": "b1", "period": "2022H1", "generate": "1"},
        expect(403, {frozenset({"admin", "committee", "sec1"}): 302, "sec2": 404}),
    ),
    ("reports:draft_detail", "get", DRAFT, {}, B1_READ),
    ("reports:block_edit", "get", BLOCK, {}, b1_write(200)),
    ("reports:block_edit", "post", BLOCK, {"text": "修改后的开头段。"}, b1_write(302)),
    ("reports:block_revert", "post", BLOCK, {}, b1_write(302)),
    ("reports:block_add", "post", BLOCK, {}, b1_write(302)),
    ("reports:block_delete", "post", BLOCK, {}, b1_write(302)),
    ("reports:draft_refresh", "post", DRAFT, {}, b1_write(302)),
    ("reports:draft_delete", "post", DRAFT, {}, b1_write(302)),
    ("reports:version_list", "get", DRAFT, {}, B1_READ),
    ("reports:version_detail", "get", {"pk": "report_draft", "number": 1}, {}, B1_READ),
    ("reports:version_restore", "post", {"pk": "report_draft", "number": 1}, {}, b1_write(302)),
    ("reports:draft_docx", "get", DRAFT, {}, B1_READ),
    ("reports:draft_xlsx", "get", DRAFT, {}, B1_READ),
    ("reports:template_page", "get", {}, {}, only(ADMINS, 200, 403)),
    ("reports:template_download", "get", {}, {}, only(ADMINS, 200, 403)),
]


def world(bureau) -> dict:
    from core.periods import Period
    from reports.services import draft_generate

    draft = draft_generate(actor=None, organization=bureau.b1, period=Period.parse("2022H1"))
    return {"report_draft": draft.pk}
