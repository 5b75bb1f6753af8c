"""Permission-matrix rows of the supervision pages (collected by tests/test_permission_matrix.py).

A branch (sec1 on 机关第一党支部) sees and updates only its own problems; another branch (sec2)
gets 404 for them; read-only roles (discipline, leader) see but get 403 on changes; closing,
returning and approving extensions are for the committee (admin, committee) only; evidence files
are downloaded only through the permission-checked attachment download."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix import ADMINS, READ, expect, only

WRITERS = {"admin", "committee", "sec1", "sec2"}
OUTSIDE = frozenset({"sec2", "nobody", "member"})  # cannot see branch 1's records
READ_ONLY = frozenset({"discipline", "leader"})


def _own(ok: int) -> dict[str, int]:
    """Branch 1's record: its writers `ok`, read-only roles 403, everyone else 404."""
    return expect(ok, {OUTSIDE: 404, READ_ONLY: 403})


def _committee(ok: int) -> dict[str, int]:
    """Committee-only actions on branch 1's record: the branch itself and read-only roles 403."""
    return expect(ok, {OUTSIDE: 404, frozenset({"sec1", "discipline", "leader"}): 403})


def _view(ok: int = 200) -> dict[str, int]:
    return expect(ok, {OUTSIDE: 404})


D = "2022-05-27"
MATRIX = [
    # the ledger
    ("supervision:problem_list", "get", {}, {}, only(READ, 200, 403)),
    (
        "supervision:problem_list",
        "get",
        {},
        {"org": "b1", "urgency": "overdue"},
        expect(200, {"sec2": 404, frozenset({"member", "nobody"}): 403}),
    ),
    ("supervision:problem_create", "get", {}, {}, only(WRITERS, 200, 403)),
    ("supervision:problem_detail", "get", {"pk": "sup_problem"}, {}, _view()),
    ("supervision:problem_edit", "get", {"pk": "sup_problem"}, {}, _own(200)),
    ("supervision:problem_progress", "post", {"pk": "sup_problem"}, {"content": "已整改", "reported_on": D}, _own(302)),
    (
        "supervision:problem_extension",
        "post",
        {"pk": "sup_problem"},
        {"new_due_on": "2099-12-31", "reason": "需要"},
        _own(302),
    ),
    ("supervision:problem_action", "post", {"pk": "sup_problem", "action": "apply"}, {"note": "已完成"}, _own(302)),
    (
        "supervision:problem_action",
        "post",
        {"pk": "sup_applied", "action": "close"},
        {"note": "验收合格"},
        _committee(302),
    ),
    (
        "supervision:problem_action",
        "post",
        {"pk": "sup_applied", "action": "return"},
        {"note": "材料不足"},
        _committee(302),
    ),
    ("supervision:extension_decide", "post", {"pk": "sup_extension"}, {"decision": "approve"}, _committee(302)),
    ("core:attachment_download", "get", {"token": "sup_evidence"}, {}, _view()),
    ("supervision:escalation_list", "get", {}, {}, only(READ, 200, 403)),
    ("supervision:escalation_detail", "get", {"pk": "sup_escalation"}, {}, _view()),
    ("supervision:problem_stats", "get", {}, {}, only(READ, 200, 403)),
    (
        "supervision:problem_stats",
        "get",
        {},
        {"org": "b2", "period": "2024"},
        expect(200, {"sec1": 404, frozenset({"member", "nobody"}): 403}),
    ),
    # inspections and visits
    ("supervision:inspection_list", "get", {}, {}, only(READ, 200, 403)),
    ("supervision:inspection_create", "get", {}, {}, only(WRITERS, 200, 403)),
    ("supervision:inspection_detail", "get", {"pk": "sup_inspection"}, {}, _view()),
    ("supervision:inspection_edit", "get", {"pk": "sup_inspection"}, {}, _committee(200)),
    ("supervision:inspection_delete", "post", {"pk": "sup_inspection"}, {}, _committee(302)),
    (
        "supervision:inspection_findings",
        "post",
        {"pk": "sup_inspection"},
        {"organization": "b1", "findings": "党员发展档案不齐全", "found_on": D, "deadline_mode": "calendar"},
        _committee(302),
    ),
    (
        "supervision:visit_add",
        "post",
        {"pk": "sup_inspection"},
        {"organization": "b1", "visited_on": D, "method": "field"},
        _committee(302),
    ),
    ("supervision:visit_delete", "post", {"pk": "sup_visit"}, {}, _committee(302)),
    ("supervision:visit_list", "get", {}, {}, only(READ, 200, 403)),
    # secretaries' reports
    ("supervision:report_list", "get", {}, {}, only(READ, 200, 403)),
    ("supervision:report_create", "get", {}, {}, only(WRITERS, 200, 403)),
    ("supervision:report_detail", "get", {"pk": "sup_report"}, {}, _view()),
    ("supervision:report_edit", "get", {"pk": "sup_report"}, {}, _own(200)),
    ("supervision:report_delete", "post", {"pk": "sup_report"}, {}, _own(302)),
    (
        "supervision:report_problems",
        "post",
        {"pk": "sup_report"},
        {"organization": "b1", "findings": "理论学习不够深入", "found_on": "2022-01-25", "deadline_mode": "calendar"},
        _own(302),
    ),
    # Excel
    ("supervision:problem_export", "get", {}, {}, only(READ, 200, 403)),
    (
        "supervision:problem_export",
        "get",
        {},
        {"org": "b2"},
        expect(200, {"sec1": 404, frozenset({"member", "nobody"}): 403}),
    ),
    ("supervision:problem_import", "get", {}, {}, only(WRITERS, 200, 403)),
    ("supervision:problem_import_template", "get", {}, {}, only(WRITERS, 200, 403)),
    ("supervision:problem_import_confirm", "post", {}, {}, only(WRITERS, 302, 403)),
    ("supervision:inspection_export", "get", {}, {}, only(READ, 200, 403)),
    ("supervision:inspection_import", "get", {}, {}, only(WRITERS, 200, 403)),
    ("supervision:inspection_import_template", "get", {}, {}, only(WRITERS, 200, 403)),
    ("supervision:inspection_import_confirm", "post", {}, {}, only(WRITERS, 302, 403)),
    ("supervision:report_export", "get", {}, {}, only(READ, 200, 403)),
    ("supervision:report_import", "get", {}, {}, only(WRITERS, 200, 403)),
    ("supervision:report_import_template", "get", {}, {}, only(WRITERS, 200, 403)),
    ("supervision:report_import_confirm", "post", {}, {}, only(WRITERS, 302, 403)),
]
_ = ADMINS


def world(bureau) -> dict:
    """Branch 1's records: an inspection of it (with a visit), its secretary's report, a problem in
    progress with an evidence file (overdue, with a 督办单) and one awaiting closure with a pending
    extension request."""
    from core import attachments
    from supervision import services
    from supervision.models import ProblemSource
    from supervision.reminders import ESCALATION, send_problem_reminders

    committee, sec1 = bureau.users.committee, bureau.users.sec1
    d = datetime.date
    inspection = services.inspection_create(
        actor=committee,
        data={
            "name": "基层党支部实地督导检查",
            "organization": bureau.root,
            "methods": ["field"],
            "start_on": d(2022, 5, 1),
        },
        targets=[bureau.b1],
    )
    visit = services.visit_add(
        actor=committee, inspection=inspection, organization=bureau.b1, visited_on=d(2022, 5, 10), method="field"
    )
    report = services.report_create(
        actor=committee,
        data={"organization": bureau.b1, "secretary": bureau.sec1_person, "year": 2021, "held_on": d(2022, 1, 25)},
    )

    def problem(text):
        return services.problem_create(
            actor=committee,
            data={
                "source": ProblemSource.SELF_INSPECTION,
                "organization": bureau.b1,
                "description": text,
                "found_on": d(2024, 1, 10),
            },
            deadline=d(2024, 2, 29),
        )

    doing = problem("党小组会记录不完整")
    report_row = services.problem_report_progress(
        actor=sec1,
        problem=doing,
        content="已补齐记录",
        reported_on=d(2024, 2, 1),
        files=[SimpleUploadedFile("整改佐证.pdf", b"%PDF-1.4 evidence")],
    )
    evidence = attachments.attachments_for(report_row).get()
    applied = problem("党费收缴台账不规范")
    services.problem_report_progress(actor=sec1, problem=applied, content="已规范", reported_on=d(2024, 2, 1))
    applied.refresh_from_db()
    applied = services.problem_apply_closure(actor=sec1, problem=applied, note="整改完成")
    extension = services.problem_request_extension(
        actor=sec1, problem=applied, new_due_on=d(2024, 6, 30), reason="等待验收"
    )
    send_problem_reminders(stages=(ESCALATION,))
    return {
        "sup_inspection": inspection.pk,
        "sup_visit": visit.pk,
        "sup_report": report.pk,
        "sup_problem": doing.pk,
        "sup_applied": applied.pk,
        "sup_extension": extension.pk,
        "sup_evidence": evidence.token,
        "sup_escalation": doing.escalation.pk,
    }
