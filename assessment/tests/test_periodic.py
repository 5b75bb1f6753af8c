"""Periodic assessment: everyone assessed (leaders too), self-summary by the person, scoring by
the department head (the committee for leaders and heads), grades from the cut-offs, the 好
quota refused with the numbers at confirmation, and the annual roll-up."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment import periodic_services as ps
from assessment.models import AssessmentRecord, AssessmentStatus, Grade, RecordStatus, RoundDepartment
from assessment.tests.conftest import record_of
from assessment.year import year_rows
from core.models import AuditEntry
from orgs import services as org_services
from orgs.models import Person

pytestmark = pytest.mark.django_db
D = datetime.date


def five(value) -> dict:
    return dict.fromkeys(("de", "neng", "qin", "ji", "lian"), value)


def summary_all(rnd, actor):
    for r in rnd.records.all():
        ps.assessment_summary_submit(actor=actor, record=r, summary="本季度完成了岗位各项工作任务。", on_behalf=True)


def score_all(rnd, totals: dict, default=85):
    """Committee scores for everyone (the head path is tested separately)."""
    for r in rnd.records.select_related("round_department"):
        ps.assessment_record_score(
            actor=None, record=r, scores=five(totals.get(r.person_id, default)), as_committee=True
        )


def test_open_assesses_everyone_on_the_staff_list_leaders_included(bureau):
    rnd = ps.assessment_round_open(
        actor=bureau.users.committee, organization=bureau.root, unit=bureau.organ, year=2022, quarter=1
    )
    people = set(Person.objects.filter(unit=bureau.organ).values_list("pk", flat=True))
    records = rnd.records.all()
    assert set(records.values_list("person_id", flat=True)) == people
    assert records.get(person=bureau.sec1_person).is_leader  # 孙书记 is a leading cadre, assessed like everyone
    assert records.get(person=bureau.zhao).person.party_status == "non_member"  # staff, not only party members
    assert set(rnd.departments.values_list("department_id", flat=True)) == {bureau.office.pk, bureau.finance.pk}
    assert rnd.scheme["quota_excellent"] == 0.4 and [d[0] for d in rnd.scheme["dimensions"]] == list("德能勤绩廉")
    assert AuditEntry.objects.filter(action="assessment.assessment_round.opened", object_id=str(rnd.pk)).count() == 1
    with pytest.raises(ValidationError, match="已开启"):
        ps.assessment_round_open(actor=None, organization=bureau.root, unit=bureau.organ, year=2022, quarter=1)
    with pytest.raises(ValidationError, match="尚未开始"):
        ps.assessment_round_open(actor=None, organization=bureau.root, unit=bureau.organ, year=2099, quarter=1)


def test_heads_are_guessed_from_job_titles_and_kept_next_quarter(bureau):
    org_services.person_update(actor=None, person=bureau.li, data={"job_title": "办公室主任"})
    org_services.person_update(actor=None, person=bureau.wang, data={"job_title": "财务科副科长"})
    rnd = ps.assessment_round_open(actor=None, organization=bureau.root, unit=bureau.organ, year=2022, quarter=1)
    heads = dict(rnd.departments.values_list("department_id", "head_id"))
    assert heads == {bureau.office.pk: bureau.li.pk, bureau.finance.pk: None}  # 副科长 is not the head
    ps.assessment_heads_set(
        actor=None, round=rnd, heads={rnd.departments.get(department=bureau.finance).pk: bureau.sec2_person}
    )
    nxt = ps.assessment_round_open(actor=None, organization=bureau.root, unit=bureau.organ, year=2022, quarter=2)
    assert dict(nxt.departments.values_list("department_id", "head_id")) == {
        bureau.office.pk: bureau.li.pk,
        bureau.finance.pk: bureau.sec2_person.pk,
    }
    with pytest.raises(ValidationError, match="不是财务科的人员"):
        ps.assessment_heads_set(
            actor=None, round=nxt, heads={nxt.departments.get(department=bureau.finance).pk: bureau.zhang}
        )


def test_summary_is_written_by_the_person_themselves(bureau, periodic_round):
    record = record_of(periodic_round, bureau.zhang)
    with pytest.raises(ValidationError, match="须由本人填写"):
        ps.assessment_summary_submit(actor=bureau.users.sec1, record=record, summary="代写的小结内容很长很长")
    with pytest.raises(ValidationError, match="不少于10个字"):
        ps.assessment_summary_submit(actor=bureau.users.member, record=record, summary="太短")
    saved = ps.assessment_summary_submit(
        actor=bureau.users.member, record=record, summary="本季度完成党建台账整理工作。"
    )
    assert saved.status == RecordStatus.PENDING_SCORE and saved.summary_at
    assert (
        AuditEntry.objects.filter(
            action="assessment.assessment_record.summary_submitted", object_id=str(record.pk)
        ).count()
        == 1
    )


def test_the_department_head_scores_their_department_not_themselves(bureau, periodic_round):
    zhang = record_of(periodic_round, bureau.zhang)
    with pytest.raises(ValidationError, match="尚未提交个人小结"):
        ps.assessment_record_score(actor=bureau.users.sec1, record=zhang, scores=five(90))
    ps.assessment_summary_submit(actor=bureau.users.member, record=zhang, summary="本季度完成党建台账整理工作。")
    with pytest.raises(ValidationError, match="只有本科室负责人可以评分"):
        ps.assessment_record_score(actor=bureau.users.sec2, record=zhang, scores=five(90))
    with pytest.raises(ValidationError) as exc:
        ps.assessment_record_score(actor=bureau.users.sec1, record=zhang, scores={**five(90), "ji": None})
    assert "请填写“绩”的得分" in str(exc.value)
    scored = ps.assessment_record_score(
        actor=bureau.users.sec1,
        record=zhang,
        scores={"de": 92, "neng": 88, "qin": 90, "ji": 91, "lian": "89.5"},
        comment="好",
    )
    assert scored.total == Decimal("90.10") and scored.proposed_grade == Grade.EXCELLENT
    assert scored.status == RecordStatus.SCORED and scored.scored_by == bureau.users.sec1
    # The head's own record is scored by the committee, and leaders' too.
    own = record_of(periodic_round, bureau.sec1_person)
    ps.assessment_summary_submit(actor=bureau.users.sec1, record=own, summary="本季度主持办公室全面工作。")
    with pytest.raises(ValidationError, match="由机关党委录入评分"):
        ps.assessment_record_score(actor=bureau.users.sec1, record=own, scores=five(95))
    with pytest.raises(ValidationError, match="不能为本人评分"):
        ps.assessment_record_score(actor=bureau.users.sec1, record=own, scores=five(95), as_committee=True)
    by_committee = ps.assessment_record_score(
        actor=bureau.users.committee, record=own, scores=five(79.99), as_committee=True
    )
    assert by_committee.proposed_grade == Grade.FAIR


def test_review_needs_everyone_scored(bureau, periodic_round):
    summary_all(periodic_round, None)
    score_all(periodic_round, {}, default=85)
    r = record_of(periodic_round, bureau.li)
    AssessmentRecord.objects.filter(pk=r.pk).update(status=RecordStatus.PENDING_SUMMARY)
    with pytest.raises(ValidationError, match="1人未提交个人小结（李四）"):
        ps.assessment_round_review(actor=None, round=periodic_round)


@pytest.fixture
def ten_people(bureau):
    """The organ with 10 staff: 40 % allows 4 好."""
    for i in range(3):
        org_services.person_create(
            actor=None,
            data={
                "name": f"新人{i}",
                "organization": bureau.b2,
                "party_status": "non_member",
                "unit": bureau.organ,
                "department": bureau.finance,
            },
        )
    return bureau


def test_confirmation_refuses_a_distribution_over_the_quota_and_says_why(ten_people):
    b = ten_people
    rnd = ps.assessment_round_open(actor=None, organization=b.root, unit=b.organ, year=2022, quarter=1)
    assert rnd.records.count() == 10
    summary_all(rnd, None)
    people = list(rnd.records.order_by("pk").values_list("person_id", flat=True))
    score_all(rnd, {pid: 95 for pid in people[:5]}, default=85)  # five 好
    with pytest.raises(ValidationError, match="考核须先提交党委审核"):
        ps.assessment_round_confirm(actor=None, round=rnd)
    rnd = ps.assessment_round_review(actor=b.users.committee, round=rnd)
    before = AuditEntry.objects.filter(action="assessment.assessment_round.confirmed").count()
    with pytest.raises(ValidationError) as exc:
        ps.assessment_round_confirm(actor=b.users.committee, round=rnd)
    assert exc.value.messages == [
        "“好”等次不得超过参加考核人数的40%：本次共考核10人，最多可确定4人为“好”等次，现为5人，请调减1人后再确认。"
    ]
    rnd.refresh_from_db()
    assert rnd.status == AssessmentStatus.REVIEW
    assert not rnd.records.exclude(final_grade="").exists()
    assert AuditEntry.objects.filter(action="assessment.assessment_round.confirmed").count() == before
    # The committee lowers one, with a reason; then it confirms.
    lowered = rnd.records.get(person_id=people[4])
    with pytest.raises(ValidationError, match="调整等次须填写理由"):
        ps.assessment_grade_set(actor=None, record=lowered, grade=Grade.GOOD)
    ps.assessment_grade_set(actor=b.users.committee, record=lowered, grade=Grade.GOOD, reason="平衡比例")
    rnd = ps.assessment_round_confirm(actor=b.users.committee, round=rnd)
    assert rnd.status == AssessmentStatus.CONFIRMED
    finals = list(rnd.records.values_list("final_grade", flat=True))
    assert finals.count(Grade.EXCELLENT) == 4 and finals.count(Grade.GOOD) == 6
    entry = AuditEntry.objects.filter(action="assessment.assessment_round.confirmed").latest("id")
    assert entry.changes["grades"] == [None, "“好”4人，“较好”6人"]


def test_reopen_from_review_needs_a_reason(bureau, periodic_round):
    summary_all(periodic_round, None)
    score_all(periodic_round, {})
    rnd = ps.assessment_round_review(actor=None, round=periodic_round)
    with pytest.raises(ValidationError, match="请填写退回理由"):
        ps.assessment_round_reopen(actor=None, round=rnd, reason="")
    rnd = ps.assessment_round_reopen(actor=None, round=rnd, reason="财务科评分需复核")
    assert rnd.status == AssessmentStatus.OPEN


def run_quarter(b, quarter, totals, default=85):
    rnd = ps.assessment_round_open(actor=None, organization=b.root, unit=b.organ, year=2022, quarter=quarter)
    summary_all(rnd, None)
    score_all(rnd, totals, default)
    rnd = ps.assessment_round_review(actor=None, round=rnd)
    return ps.assessment_round_confirm(actor=None, round=rnd)


def test_annual_roll_up_in_the_year_view(bureau):
    b = bureau
    # 7 people: 40 % allows 2 好 a quarter. 张三 好 twice and 较好 twice → 可评优秀;
    # 李四 好 three times and 一般 once → 称职; 王五 较差 twice → 研究确定.
    plan = {
        1: {b.zhang.pk: 95, b.li.pk: 95, b.wang.pk: 50},
        2: {b.zhang.pk: 95, b.li.pk: 95, b.wang.pk: 50},
        3: {b.li.pk: 95, b.wang.pk: 70},
        4: {b.li.pk: 70},
    }
    for quarter, totals in plan.items():
        run_quarter(b, quarter, totals)
    data = year_rows(b.users.committee, 2022, paginate=False)
    outcome = {row["person"].pk: row["outcome"] for row in data["rows"]}
    assert outcome[b.zhang.pk].code == "excellent" and outcome[b.zhang.pk].excellent == 2
    assert outcome[b.li.pk].code == "competent" and "一般" in outcome[b.li.pk].reason
    assert outcome[b.wang.pk].code == "review"
    assert outcome[b.zhao.pk].code == "competent"
    assert data["people"] == 7 and data["eligible"] == 1 and data["annual_limit"] == 1  # 20 % of 7
    row = next(r for r in data["rows"] if r["person"].pk == b.zhang.pk)
    assert [r.final_grade for r in row["quarters"]] == [Grade.EXCELLENT, Grade.EXCELLENT, Grade.GOOD, Grade.GOOD]


def test_year_view_scope_a_member_sees_only_themselves_a_head_their_department(bureau, periodic_round):
    assert {r["person"].pk for r in year_rows(bureau.users.member, 2022)["rows"]} == {bureau.zhang.pk}
    office = {r["person"].pk for r in year_rows(bureau.users.sec1, 2022)["rows"]}
    assert office == set(Person.objects.filter(department=bureau.office).values_list("pk", flat=True))
    assert year_rows(bureau.users.nobody, 2022)["rows"] == []
    assert RoundDepartment.objects.filter(round=periodic_round).count() == 2


def test_every_write_records_exactly_one_audit_entry(bureau):
    """Each service call adds one audit entry (bulk record creation included), with the round or
    record as its object."""
    from assessment import services
    from assessment.tests.conftest import scores

    def one(func, **kwargs):
        before = AuditEntry.objects.count()
        result = func(**kwargs)
        assert AuditEntry.objects.count() == before + 1, func.__name__
        return result

    c = bureau.users.committee
    rnd = one(services.star_round_open, actor=c, organization=bureau.root, year=2021)
    rating = rnd.ratings.get(organization=bureau.b1)
    one(services.star_round_refresh_inputs, actor=c, round=rnd)
    one(
        services.star_self_assess,
        actor=bureau.users.sec1,
        rating=rating,
        scores=scores(80),
        summary="说明",
        submit=True,
    )
    one(services.star_round_start_scoring, actor=c, round=rnd)
    for r in rnd.ratings.all():
        one(services.star_rating_score, actor=c, rating=r, scores=scores(80))
    one(services.star_round_publish, actor=c, round=rnd, on=D(2022, 1, 10))
    one(services.star_round_return, actor=c, round=rnd, reason="异议")
    one(services.star_round_publish, actor=c, round=rnd, on=D(2022, 1, 10))
    one(services.star_round_finalize, actor=c, round=rnd, on=D(2022, 2, 10))
    items = services.standardization_items(2021)
    one(
        services.standardization_update, actor=c, organization=bureau.b1, year=2021, rows=[(i, True, "") for i in items]
    )

    q = one(ps.assessment_round_open, actor=c, organization=bureau.root, unit=bureau.organ, year=2022, quarter=1)
    office = q.departments.get(department=bureau.office)
    one(ps.assessment_heads_set, actor=c, round=q, heads={office.pk: bureau.sec1_person})
    zhang = record_of(q, bureau.zhang)
    one(ps.assessment_summary_submit, actor=bureau.users.member, record=zhang, summary="本季度完成党建台账整理工作。")
    one(ps.assessment_record_score, actor=bureau.users.sec1, record=zhang, scores=five(85))
    for r in q.records.exclude(pk=zhang.pk):
        one(
            ps.assessment_summary_submit, actor=None, record=r, summary="本季度完成了岗位各项工作任务。", on_behalf=True
        )
        one(ps.assessment_record_score, actor=c, record=r, scores=five(85), as_committee=True)
    one(ps.assessment_round_review, actor=c, round=q)
    one(ps.assessment_round_reopen, actor=c, round=q, reason="复核")
    one(ps.assessment_round_review, actor=c, round=q)
    one(ps.assessment_grade_set, actor=c, record=zhang, grade=Grade.FAIR, reason="考勤问题")
    one(ps.assessment_round_confirm, actor=c, round=q)
    entry = AuditEntry.objects.filter(action="assessment.assessment_record.grade_set").get()
    assert entry.object_id == str(zhang.pk) and entry.actor == c
    assert entry.changes["grade"] == ["", "一般"]
