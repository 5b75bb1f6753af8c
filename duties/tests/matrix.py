"""Permission-matrix rows of the responsibility area (collected by tests/test_permission_matrix.py).

Scope decided for this area (duties.policies): the committee edits items, 一岗双责, liaisons,
risks and the catalogue; the committee and a branch's secretary record evidence and liaison
activities of their organization; leaders and discipline read; the duty catalogue is read by every
read role and by members for their own department (张三 is in 办公室, branch 1).
"""

from __future__ import annotations

from tests.matrix import ADMINS, READ, expect, only

WRITE = {"admin", "committee", "sec1", "sec2"}
CATALOGUE_READ = READ | {"member"}
OUT = frozenset({"member", "nobody"})

# An organization-owned record of the root: branch secretaries do not see it.
ROOT_RECORD_VIEW = expect(200, {frozenset({"sec1", "sec2", "member", "nobody"}): 404})
# Changing a root record reserved to administrators: readers get 403, the rest 404.
ROOT_RECORD_CHANGE_GET = expect(403, {frozenset(ADMINS): 200, frozenset({"sec1", "sec2", "member", "nobody"}): 404})
ROOT_RECORD_DELETE = expect(403, {frozenset(ADMINS): 302, frozenset({"sec1", "sec2", "member", "nobody"}): 404})
# The office's catalogue (branch 1): everyone who reads, and 张三 of 办公室.
OFFICE_VIEW = expect(200, {"nobody": 404})
OFFICE_CHANGE_GET = expect(403, {frozenset(ADMINS): 200, "nobody": 404})
OFFICE_DELETE = expect(403, {frozenset(ADMINS): 302, "nobody": 404})
FINANCE_VIEW = expect(200, {frozenset({"member", "nobody"}): 404})

LISTS = ["evidence", "dual", "liaisons", "activities", "risks"]
CATALOGUE = ["tasks", "divisions", "flowcharts", "post_duties", "post_risks", "measures"]
EXCEL = [
    "items",
    "evidence",
    "dual",
    "liaisons",
    "activities",
    "risks",
    "tasks",
    "divisions",
    "flowcharts",
    "post_duties",
    "post_risks",
]
ADMIN_LISTS = ["items", "dual", "liaisons", "risks", *CATALOGUE]


def _rows():
    rows = [
        ("duties:responsibility", "get", {}, {}, only(READ, 200, 403)),
        ("duties:responsibility", "get", {}, {"period": "2022H1", "status": "missing"}, only(READ, 200, 403)),
        ("duties:responsibility", "get", {}, {"org": "duties_b1"}, expect(200, {"sec2": 404, OUT: 403})),
        (
            "duties:item_detail",
            "get",
            {"pk": "duties_root_item"},
            {},
            expect(200, {frozenset({"sec1", "sec2"}): 404, OUT: 403}),
        ),
        ("duties:item_detail", "get", {"pk": "duties_b1_item"}, {}, expect(200, {"sec2": 404, OUT: 403})),
        ("duties:liaison_overview", "get", {}, {}, only(READ, 200, 403)),
        ("duties:liaison_overview", "get", {}, {"idle": "1", "period": "2022H2"}, only(READ, 200, 403)),
        ("duties:risk_areas", "get", {}, {}, only(READ, 200, 403)),
        ("duties:catalogue", "get", {}, {}, only(CATALOGUE_READ, 200, 403)),
        (
            "duties:catalogue_department",
            "get",
            {"pk": "duties_office"},
            {},
            only(CATALOGUE_READ, 200, 403) | {"nobody": 403},
        ),
        (
            "duties:catalogue_department",
            "get",
            {"pk": "duties_finance"},
            {},
            expect(200, {"member": 404, "nobody": 403}),
        ),
        ("duties:flowchart_detail", "get", {"pk": "duties_chart"}, {}, expect(200, {"nobody": 403})),
        (
            "duties:flowchart_detail",
            "get",
            {"pk": "duties_finance_chart"},
            {},
            expect(200, {"member": 404, "nobody": 403}),
        ),
        ("duties:flowchart_steps", "get", {"pk": "duties_chart"}, {}, OFFICE_CHANGE_GET),
        (
            "duties:flowchart_steps",
            "post",
            {"pk": "duties_chart"},
            {
                "steps-TOTAL_FORMS": "1",
                "steps-INITIAL_FORMS": "0",
                "steps-0-number": "1",
                "steps-0-kind": "start",
                "steps-0-text": "开始",
            },
            expect(403, {frozenset(ADMINS): 302, "nobody": 404}),
        ),
        ("duties:dual_list", "get", {}, {}, only(READ, 200, 403)),
        ("duties:risk_list", "get", {}, {}, only(READ, 200, 403)),
        # Generic lists (ledgers of every kind)
        *[("duties:record_list", "get", {"kind": k}, {}, only(READ, 200, 403)) for k in LISTS],
        *[("duties:record_list", "get", {"kind": k}, {}, only(CATALOGUE_READ, 200, 403)) for k in CATALOGUE],
        ("duties:record_list", "get", {"kind": "items"}, {}, expect(302)),  # the responsibility page
        ("duties:record_list", "get", {"kind": "nothing"}, {}, expect(404)),
        (
            "duties:record_list",
            "get",
            {"kind": "activities"},
            {"org": "duties_b1"},
            expect(200, {"sec2": 404, OUT: 403}),
        ),
        # Records
        ("duties:record_detail", "get", {"kind": "evidence", "pk": "duties_evidence"}, {}, ROOT_RECORD_VIEW),
        (
            "duties:record_detail",
            "get",
            {"kind": "evidence", "pk": "duties_b1_evidence"},
            {},
            expect(200, {frozenset({"sec2", "member", "nobody"}): 404}),
        ),
        (
            "duties:record_detail",
            "get",
            {"kind": "dual", "pk": "duties_dual"},
            {},
            expect(200, {frozenset({"sec1", "sec2", "member", "nobody"}): 404}) | {"sec1": 200},
        ),
        (
            "duties:record_detail",
            "get",
            {"kind": "liaisons", "pk": "duties_liaison"},
            {},
            expect(200, {frozenset({"sec2", "member", "nobody"}): 404}),
        ),
        (
            "duties:record_detail",
            "get",
            {"kind": "activities", "pk": "duties_activity"},
            {},
            expect(200, {frozenset({"sec2", "member", "nobody"}): 404}),
        ),
        ("duties:record_detail", "get", {"kind": "risks", "pk": "duties_risk"}, {}, ROOT_RECORD_VIEW),
        ("duties:record_detail", "get", {"kind": "tasks", "pk": "duties_task"}, {}, OFFICE_VIEW),
        ("duties:record_detail", "get", {"kind": "tasks", "pk": "duties_finance_task"}, {}, FINANCE_VIEW),
        ("duties:record_detail", "get", {"kind": "divisions", "pk": "duties_division"}, {}, OFFICE_VIEW),
        ("duties:record_detail", "get", {"kind": "post_duties", "pk": "duties_post_duty"}, {}, OFFICE_VIEW),
        ("duties:record_detail", "get", {"kind": "post_risks", "pk": "duties_post_risk"}, {}, OFFICE_VIEW),
        ("duties:record_detail", "get", {"kind": "measures", "pk": "duties_measure"}, {}, OFFICE_VIEW),
        ("duties:record_detail", "get", {"kind": "items", "pk": "duties_root_item"}, {}, expect(302)),
        # Forms
        *[("duties:record_create", "get", {"kind": k}, {}, only(ADMINS, 200, 403)) for k in ADMIN_LISTS],
        *[("duties:record_create", "get", {"kind": k}, {}, only(WRITE, 200, 403)) for k in ("evidence", "activities")],
        (
            "duties:record_create",
            "get",
            {"kind": "evidence"},
            {"item": "duties_b1_item"},
            expect(403, {frozenset({"admin", "committee", "sec1"}): 200, "sec2": 404}),
        ),
        (
            "duties:record_create",
            "get",
            {"kind": "evidence"},
            {"item": "duties_root_item"},
            expect(403, {frozenset(ADMINS): 200, frozenset({"sec1", "sec2"}): 404}),
        ),
        (
            "duties:record_create",
            "get",
            {"kind": "activities"},
            {"liaison": "duties_liaison"},
            expect(403, {frozenset({"admin", "committee", "sec1"}): 200, "sec2": 404}),
        ),
        (
            "duties:record_create",
            "post",
            {"kind": "tasks"},
            {"department": "duties_office", "content": "新任务"},
            only(ADMINS, 302, 403),
        ),
        ("duties:record_edit", "get", {"kind": "risks", "pk": "duties_risk"}, {}, ROOT_RECORD_CHANGE_GET),
        (
            "duties:record_edit",
            "get",
            {"kind": "dual", "pk": "duties_dual"},
            {},
            ROOT_RECORD_CHANGE_GET | {"sec1": 403},
        ),
        (
            "duties:record_edit",
            "get",
            {"kind": "evidence", "pk": "duties_b1_evidence"},
            {},
            expect(403, {frozenset({"admin", "committee", "sec1"}): 200, frozenset({"sec2", "member", "nobody"}): 404}),
        ),
        (
            "duties:record_edit",
            "get",
            {"kind": "activities", "pk": "duties_activity"},
            {},
            expect(403, {frozenset({"admin", "committee", "sec1"}): 200, frozenset({"sec2", "member", "nobody"}): 404}),
        ),
        (
            "duties:record_edit",
            "get",
            {"kind": "liaisons", "pk": "duties_liaison"},
            {},
            expect(403, {frozenset(ADMINS): 200, frozenset({"sec2", "member", "nobody"}): 404}),
        ),
        ("duties:record_edit", "get", {"kind": "tasks", "pk": "duties_task"}, {}, OFFICE_CHANGE_GET),
        ("duties:record_edit", "get", {"kind": "post_risks", "pk": "duties_post_risk"}, {}, OFFICE_CHANGE_GET),
        ("duties:record_delete", "post", {"kind": "items", "pk": "duties_root_item"}, {}, ROOT_RECORD_DELETE),
        (
            "duties:record_delete",
            "post",
            {"kind": "evidence", "pk": "duties_b1_evidence"},
            {},
            expect(403, {frozenset({"admin", "committee", "sec1"}): 302, frozenset({"sec2", "member", "nobody"}): 404}),
        ),
        ("duties:record_delete", "post", {"kind": "tasks", "pk": "duties_task"}, {}, OFFICE_DELETE),
        ("duties:record_delete", "post", {"kind": "measures", "pk": "duties_measure"}, {}, OFFICE_DELETE),
        # Excel
        *[
            ("duties:record_export", "get", {"kind": k}, {}, only(READ, 200, 403))
            for k in ("items", "evidence", "dual", "liaisons", "activities", "risks")
        ],
        *[
            ("duties:record_export", "get", {"kind": k}, {}, only(CATALOGUE_READ, 200, 403))
            for k in ("tasks", "flowcharts", "post_risks")
        ],
        ("duties:record_export", "get", {"kind": "measures"}, {}, expect(403)),  # exported with the post risks
        *[
            ("duties:record_import", "get", {"kind": k}, {}, only(ADMINS, 200, 403))
            for k in ("items", "risks", "flowcharts")
        ],
        *[("duties:record_import", "get", {"kind": k}, {}, only(WRITE, 200, 403)) for k in ("evidence", "activities")],
        *[
            ("duties:record_import_template", "get", {"kind": k}, {}, only(ADMINS, 200, 403))
            for k in EXCEL
            if k not in ("evidence", "activities")
        ],
        *[
            ("duties:record_import_template", "get", {"kind": k}, {}, only(WRITE, 200, 403))
            for k in ("evidence", "activities")
        ],
        ("duties:record_import_confirm", "post", {"kind": "tasks"}, {}, only(ADMINS, 302, 403)),
        ("duties:record_import_confirm", "post", {"kind": "evidence"}, {}, only(WRITE, 302, 403)),
    ]
    return rows


MATRIX = _rows()


def world(bureau) -> dict:
    from duties.tests.factories import make_world

    w = make_world(bureau)
    return {
        "duties_b1": bureau.b1.pk,
        "duties_office": bureau.office.pk,
        "duties_finance": bureau.finance.pk,
        **{f"duties_{k}": v.pk for k, v in vars(w).items()},
    }
