"""Permission-matrix rows of the star rating and periodic assessment pages (collected by
tests/test_permission_matrix.py). World: a 2022 rating round in 自评 and a 2021 historical round
in 评星 (b1 and b2 rated); a 2022 Q1 assessment of the organ with heads 孙书记 (office, user sec1)
and 周书记 (finance, user sec2), 张三 (user member) having written his self-summary."""

from __future__ import annotations

from tests.matrix import ADMINS, READ, expect, only

ASSESSMENT_READ = {"admin", "committee", "discipline", "leader"}
NOBODY = frozenset({"nobody"})


def world(bureau) -> dict:
    from assessment import periodic_services as ps
    from assessment import services
    from assessment.models import AssessmentRecord, RoundDepartment

    committee = bureau.users.committee
    current = services.star_round_open(actor=committee, organization=bureau.root, year=2022)
    past = services.star_round_open(actor=committee, organization=bureau.root, year=2021, historical=True)
    rnd = ps.assessment_round_open(actor=committee, organization=bureau.root, unit=bureau.organ, year=2022, quarter=1)
    heads = {
        rd.pk: (bureau.sec1_person if rd.department_id == bureau.office.pk else bureau.sec2_person)
        for rd in RoundDepartment.objects.filter(round=rnd)
    }
    ps.assessment_heads_set(actor=committee, round=rnd, heads=heads)
    record = AssessmentRecord.objects.get(round=rnd, person=bureau.zhang)
    ps.assessment_summary_submit(
        actor=bureau.users.member, record=record, summary="本季度完成机关党建台账整理和宣传工作。"
    )
    return {
        "star_round": current.pk,
        "past_round": past.pk,
        "rating_self": current.ratings.get(organization=bureau.b1).pk,
        "rating_scoring": past.ratings.get(organization=bureau.b1).pk,
        "assessment_round": rnd.pk,
        "record_zhang": record.pk,
    }


CHANGE_ROUND = expect(403, {frozenset(ADMINS): 302, NOBODY: 404, "member": 404})
CHANGE_PERIODIC = expect(403, {frozenset(ADMINS): 302, NOBODY: 404})

MATRIX = [
    # 评星定级
    ("assessment:round_list", "get", {}, {}, only(READ, 200, 403)),
    ("assessment:round_create", "get", {}, {}, only(ADMINS, 200, 403)),
    ("assessment:round_detail", "get", {"pk": "star_round"}, {}, expect(200, {frozenset({"member", "nobody"}): 404})),
    ("assessment:round_refresh_inputs", "post", {"pk": "star_round"}, {}, CHANGE_ROUND),
    ("assessment:round_start_scoring", "post", {"pk": "star_round"}, {}, CHANGE_ROUND),
    ("assessment:round_publish", "post", {"pk": "past_round"}, {}, CHANGE_ROUND),
    ("assessment:round_return", "post", {"pk": "past_round"}, {"reason": "异议"}, CHANGE_ROUND),
    ("assessment:round_finalize", "post", {"pk": "past_round"}, {}, CHANGE_ROUND),
    ("assessment:rating_list", "get", {}, {}, only(READ, 200, 403)),
    (
        "assessment:rating_list",
        "get",
        {},
        {"org": "b2", "year": "2022"},
        expect(200, {"sec1": 404, frozenset({"member", "nobody"}): 403}),
    ),
    ("assessment:rating_export", "get", {}, {}, only(READ, 200, 403)),
    (
        "assessment:rating_detail",
        "get",
        {"pk": "rating_self"},
        {},
        expect(200, {frozenset({"sec2", "member", "nobody"}): 404}),
    ),
    (
        "assessment:rating_self_assess",
        "get",
        {"pk": "rating_self"},
        {},
        expect(200, {frozenset({"sec2", "member", "nobody"}): 404, frozenset({"discipline", "leader"}): 403}),
    ),
    (
        "assessment:rating_score",
        "get",
        {"pk": "rating_scoring"},
        {},
        expect(403, {frozenset(ADMINS): 200, frozenset({"sec2", "member", "nobody"}): 404}),
    ),
    (
        "assessment:branch_history",
        "get",
        {"org_pk": "b1"},
        {},
        expect(200, {"sec2": 404, frozenset({"member", "nobody"}): 403}),
    ),
    ("assessment:standardization", "get", {}, {}, only(READ, 200, 403)),
    ("assessment:standardization", "get", {}, {"view": "gaps"}, only(READ, 200, 403)),
    (
        "assessment:standardization_edit",
        "get",
        {"org_pk": "b1"},
        {},
        expect(200, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    ("assessment:scheme", "get", {}, {}, only(READ, 200, 403)),
    ("assessment:scheme_import", "get", {}, {}, only(ADMINS, 200, 403)),
    ("assessment:scheme_import_template", "get", {}, {}, only(ADMINS, 200, 403)),
    ("assessment:scheme_import_confirm", "post", {}, {}, only(ADMINS, 302, 403)),
    # 平时考核
    ("assessment:assessment_round_list", "get", {}, {}, only(ASSESSMENT_READ, 200, 403)),
    ("assessment:assessment_round_create", "get", {}, {}, only(ADMINS, 200, 403)),
    ("assessment:assessment_round_detail", "get", {"pk": "assessment_round"}, {}, expect(200, {NOBODY: 404})),
    (
        "assessment:assessment_round_heads",
        "get",
        {"pk": "assessment_round"},
        {},
        expect(403, {frozenset(ADMINS): 200, NOBODY: 404}),
    ),
    ("assessment:assessment_round_review", "post", {"pk": "assessment_round"}, {}, CHANGE_PERIODIC),
    ("assessment:assessment_round_reopen", "post", {"pk": "assessment_round"}, {"reason": "重新评分"}, CHANGE_PERIODIC),
    ("assessment:assessment_round_confirm", "post", {"pk": "assessment_round"}, {}, CHANGE_PERIODIC),
    ("assessment:record_list", "get", {}, {}, only(ASSESSMENT_READ, 200, 403)),
    ("assessment:record_export", "get", {}, {}, only(ASSESSMENT_READ, 200, 403)),
    (
        "assessment:record_detail",
        "get",
        {"pk": "record_zhang"},
        {},
        expect(200, {frozenset({"sec2", "nobody"}): 404}),
    ),
    (
        "assessment:record_summary",
        "get",
        {"pk": "record_zhang"},
        {},
        expect(403, {frozenset({"member", "admin", "committee"}): 200, frozenset({"sec2", "nobody"}): 404}),
    ),
    (
        "assessment:record_score",
        "get",
        {"pk": "record_zhang"},
        {},
        expect(403, {frozenset({"admin", "committee", "sec1"}): 200, frozenset({"sec2", "nobody"}): 404}),
    ),
    (
        "assessment:record_grade",
        "get",
        {"pk": "record_zhang"},
        {},
        expect(403, {frozenset(ADMINS): 302, frozenset({"sec2", "nobody"}): 404}),
    ),
    ("assessment:my_assessment", "get", {}, {}, expect(404, {frozenset({"sec1", "sec2", "member"}): 200})),
    ("assessment:year_view", "get", {}, {"year": "2022"}, only(ASSESSMENT_READ, 200, 403)),
    ("assessment:year_export", "get", {}, {"year": "2022"}, only(ASSESSMENT_READ, 200, 403)),
]
