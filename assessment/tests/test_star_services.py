"""Star rating services: opening with a scheme snapshot, self-assessment, scoring with caps,
publishing within the quota, the notice period, history — one audit entry per write."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment import services
from assessment.models import BranchRating, RatingStatus, RoundStatus, StarRatingRound
from assessment.tests.conftest import scores
from core.models import AuditEntry
from core.rules import rule_set_value
from orgs import services as org_services

pytestmark = pytest.mark.django_db
D = datetime.date


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def make_branches(bureau, n: int):
    return [
        org_services.organization_create(
            actor=None, data={"name": f"第{i}党支部", "code": f"TX{i:02d}", "org_type": "branch", "parent": bureau.root}
        )
        for i in range(n)
    ]


def score_all(rnd, totals: dict, actor):
    for rating in rnd.ratings.select_related("organization"):
        services.star_rating_score(actor=actor, rating=rating, scores=scores(totals[rating.organization_id]))


# ---------------------------------------------------------------------- opening


def test_open_creates_a_rating_per_branch_with_the_scheme_snapshot(bureau):
    before = audit_count("assessment.star_round.opened")
    rnd = services.star_round_open(actor=bureau.users.committee, organization=bureau.root, year=2022)
    assert rnd.status == RoundStatus.SELF
    assert set(rnd.ratings.values_list("organization_id", flat=True)) == {bureau.b1.pk, bureau.b2.pk}  # not the cell
    assert [d[0] for d in rnd.scheme["dimensions"]] == ["班子队伍", "组织生活", "制度机制", "基础保障", "作用发挥"]
    assert rnd.scheme["cutoffs"] == {"5": 90, "4": 80, "3": 70, "2": 60}
    assert audit_count("assessment.star_round.opened") == before + 1
    with pytest.raises(ValidationError, match="已开启2022年度评星定级"):
        services.star_round_open(actor=bureau.users.committee, organization=bureau.root, year=2022)
    with pytest.raises(ValidationError, match="由机关党委或党总支组织"):
        services.star_round_open(actor=None, organization=bureau.b1, year=2021)


def test_editing_the_rules_later_does_not_change_an_open_round(bureau, star_round, ratings):
    rule_set_value(actor=bureau.users.admin, code="star.cutoffs", year=2022, value={"5": 95, "4": 85, "3": 75, "2": 65})
    star_round.refresh_from_db()
    assert star_round.scheme["cutoffs"]["5"] == 90
    services.star_round_start_scoring(actor=None, round=star_round)
    rating = services.star_rating_score(actor=None, rating=ratings[bureau.b1.pk], scores=scores(92))
    assert rating.final_stars == 5  # by the snapshot (90), not the edited rule (95)
    later = services.star_round_open(actor=None, organization=bureau.root, year=2023)
    assert later.scheme["cutoffs"]["5"] == 95


def test_a_scheme_that_cannot_apply_refuses_to_open(bureau):
    rule_set_value(actor=bureau.users.admin, code="star.dimensions", year=2022, value={"班子队伍": 50, "组织生活": 40})
    with pytest.raises(ValidationError, match="权重合计为90，应为100"):
        services.star_round_open(actor=None, organization=bureau.root, year=2022)
    assert not StarRatingRound.objects.exists()


# ---------------------------------------------------------------------- self-assessment


def test_self_assessment_draft_then_submit_then_locked(bureau, star_round, ratings):
    rating = ratings[bureau.b1.pk]
    sec = bureau.users.sec1
    draft = services.star_self_assess(actor=sec, rating=rating, scores={"班子队伍": 90}, summary="")
    assert draft.status == RatingStatus.PENDING and draft.self_total is None
    assert draft.self_scores == {"班子队伍": "90"}
    with pytest.raises(ValidationError) as exc:
        services.star_self_assess(actor=sec, rating=rating, scores={"班子队伍": 90}, summary="说明", submit=True)
    assert "请填写“组织生活”的得分" in str(exc.value)
    with pytest.raises(ValidationError, match="请填写自评说明"):
        services.star_self_assess(actor=sec, rating=rating, scores=scores(90), summary=" ", submit=True)
    before = audit_count("assessment.branch_rating.self_submitted")
    done = services.star_self_assess(actor=sec, rating=rating, scores=scores(88.5), summary="全年工作说明", submit=True)
    assert done.status == RatingStatus.SUBMITTED and done.self_total == Decimal("88.50")
    assert done.submitted_by == sec
    assert audit_count("assessment.branch_rating.self_submitted") == before + 1
    with pytest.raises(ValidationError, match="自评已提交"):
        services.star_self_assess(actor=sec, rating=rating, scores=scores(99), summary="改")


def test_self_assessment_refused_out_of_range_and_after_scoring_starts(bureau, star_round, ratings):
    rating = ratings[bureau.b2.pk]
    with pytest.raises(ValidationError, match="0至100"):
        services.star_self_assess(actor=None, rating=rating, scores={"班子队伍": 101}, summary="")
    with pytest.raises(ValidationError, match="不是本轮评星方案中的维度"):
        services.star_self_assess(actor=None, rating=rating, scores={"别的": 1}, summary="")
    services.star_round_start_scoring(actor=None, round=star_round)
    with pytest.raises(ValidationError, match="不能再修改自评"):
        services.star_self_assess(actor=None, rating=rating, scores=scores(80), summary="x", submit=True)


# ---------------------------------------------------------------------- scoring and caps


@pytest.fixture
def scoring(star_round):
    return services.star_round_start_scoring(actor=None, round=star_round)


def test_scoring_computes_total_and_stars(bureau, scoring, ratings):
    before = audit_count("assessment.branch_rating.scored")
    r = services.star_rating_score(
        actor=bureau.users.committee,
        rating=ratings[bureau.b1.pk],
        scores={"班子队伍": 90, "组织生活": 90, "制度机制": 90, "基础保障": "89.98", "作用发挥": 90},
    )
    assert r.committee_total == Decimal("90.00")  # 449.98 / 5 = 89.996 → 90.00
    assert (r.computed_stars, r.cap_stars, r.final_stars, r.cap_reasons) == (5, None, 5, "")
    assert r.status == RatingStatus.SCORED and r.scored_by == bureau.users.committee
    assert audit_count("assessment.branch_rating.scored") == before + 1
    r = services.star_rating_score(actor=None, rating=ratings[bureau.b2.pk], scores=scores("89.99"))
    assert (r.committee_total, r.final_stars) == (Decimal("89.99"), 4)


def test_weak_lax_caps_at_two_stars(bureau, scoring, ratings):
    r = services.star_rating_score(actor=None, rating=ratings[bureau.b1.pk], scores=scores(95), weak_lax=True)
    assert (r.computed_stars, r.cap_stars, r.final_stars) == (5, 2, 2)
    assert r.cap_reasons == "软弱涣散党组织：最高评定二星"


def test_a_veto_caps_as_configured(bureau, scoring, ratings):
    r = services.star_rating_score(
        actor=None, rating=ratings[bureau.b1.pk], scores=scores(95), vetoes=["支部班子成员发生严重违纪违法问题"]
    )
    assert (r.computed_stars, r.final_stars) == (5, 1)
    assert "一票否决“支部班子成员发生严重违纪违法问题”：最高评定一星" in r.cap_reasons
    r = services.star_rating_score(
        actor=None, rating=ratings[bureau.b2.pk], scores=scores(85), vetoes=["未按期换届且无正当理由"]
    )
    assert (r.computed_stars, r.final_stars) == (4, 2)
    # A cap above the computed stars changes nothing.
    r = services.star_rating_score(
        actor=None, rating=ratings[bureau.b2.pk], scores=scores(65), vetoes=["未按期换届且无正当理由"]
    )
    assert (r.computed_stars, r.final_stars) == (2, 2)
    with pytest.raises(ValidationError, match="不是本轮评星方案中的一票否决事项"):
        services.star_rating_score(actor=None, rating=ratings[bureau.b2.pk], scores=scores(65), vetoes=["自创事项"])


def test_satisfaction_caps_only_when_entered(bureau, scoring, ratings):
    r = services.star_rating_score(actor=None, rating=ratings[bureau.b1.pk], scores=scores(93), satisfaction="58")
    assert r.final_stars == 2 and "群众满意度58%低于60%" in r.cap_reasons
    r = services.star_rating_score(actor=None, rating=ratings[bureau.b1.pk], scores=scores(93), satisfaction=None)
    assert r.final_stars == 5 and r.cap_reasons == ""


def test_adjustment_needs_a_reason_and_never_lifts_above_a_cap(bureau, scoring, ratings):
    rating = ratings[bureau.b1.pk]
    with pytest.raises(ValidationError, match="调整星级须填写理由"):
        services.star_rating_score(actor=None, rating=rating, scores=scores(93), adjusted_stars=4)
    r = services.star_rating_score(
        actor=None, rating=rating, scores=scores(93), adjusted_stars=4, adjust_reason="上级定星意见"
    )
    assert (r.computed_stars, r.final_stars, r.adjusted_stars) == (5, 4, 4)
    with pytest.raises(ValidationError, match="软弱涣散党组织：最高评定二星，不能调整为三星"):
        services.star_rating_score(
            actor=None, rating=rating, scores=scores(93), weak_lax=True, adjusted_stars=3, adjust_reason="x"
        )
    # "Adjusting" to the computed result is no adjustment.
    r = services.star_rating_score(actor=None, rating=rating, scores=scores(93), adjusted_stars=5, adjust_reason="y")
    assert r.adjusted_stars is None and r.adjust_reason == ""


def test_scoring_only_in_the_scoring_stage(bureau, star_round, ratings):
    with pytest.raises(ValidationError, match="不能评分"):
        services.star_rating_score(actor=None, rating=ratings[bureau.b1.pk], scores=scores(90))


# ---------------------------------------------------------------------- publishing, quota, notice


def test_publish_refused_until_every_branch_is_scored(bureau, scoring, ratings):
    services.star_rating_score(actor=None, rating=ratings[bureau.b1.pk], scores=scores(80))
    with pytest.raises(ValidationError, match="尚有1个党支部未评分：机关第二党支部"):
        services.star_round_publish(actor=None, round=scoring)


def test_publish_refuses_a_distribution_over_the_five_star_quota(bureau):
    extra = make_branches(bureau, 8)  # 10 branches: 30 % allows 3 five-stars
    rnd = services.star_round_open(actor=None, organization=bureau.root, year=2022)
    rnd = services.star_round_start_scoring(actor=None, round=rnd)
    orgs = [bureau.b1, bureau.b2, *extra]
    totals = {o.pk: (95 if i < 4 else 75) for i, o in enumerate(orgs)}
    score_all(rnd, totals, None)
    before = audit_count("assessment.star_round.published")
    with pytest.raises(ValidationError) as exc:
        services.star_round_publish(actor=bureau.users.committee, round=rnd)
    message = exc.value.messages[0]
    assert "五星级党支部不得超过参评党支部的30%：本轮共10个党支部参评，最多可评定3个五星级，现有4个" in message
    assert "请调整后再公示" in message
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.SCORING and audit_count("assessment.star_round.published") == before
    # Lower one to 4★ and it publishes.
    services.star_rating_score(actor=None, rating=rnd.ratings.get(organization=extra[1]), scores=scores(85))
    rnd = services.star_round_publish(actor=bureau.users.committee, round=rnd, on=D(2023, 1, 16))
    assert rnd.status == RoundStatus.NOTICE and audit_count("assessment.star_round.published") == before + 1
    assert rnd.ratings.filter(final_stars=5).count() == 3


def test_notice_period_in_working_days_then_final(bureau, scoring, ratings):
    score_all(scoring, {bureau.b1.pk: 85, bureau.b2.pk: 75}, None)
    # Published on Friday 2023-01-13: 5 working days → Friday 2023-01-20 (before the Spring Festival).
    rnd = services.star_round_publish(actor=None, round=scoring, on=D(2023, 1, 13))
    assert rnd.notice_ends_on == D(2023, 1, 20)
    with pytest.raises(ValidationError, match="公示期至2023年1月20日，公示期满后方可定星"):
        services.star_round_finalize(actor=None, round=rnd, on=D(2023, 1, 20))
    rnd = services.star_round_finalize(actor=None, round=rnd, on=D(2023, 1, 21))
    assert rnd.status == RoundStatus.FINAL and rnd.finalized_on == D(2023, 1, 21)
    with pytest.raises(ValidationError):
        services.star_round_return(actor=None, round=rnd, reason="x")


def test_return_from_notice_needs_a_reason(bureau, scoring, ratings):
    score_all(scoring, {bureau.b1.pk: 85, bureau.b2.pk: 75}, None)
    rnd = services.star_round_publish(actor=None, round=scoring)
    with pytest.raises(ValidationError, match="请填写撤回公示的理由"):
        services.star_round_return(actor=None, round=rnd, reason="")
    rnd = services.star_round_return(actor=None, round=rnd, reason="机关第二党支部对评分提出异议")
    assert rnd.status == RoundStatus.SCORING and rnd.published_on is None


def test_history_compares_with_last_years_published_stars(bureau):
    last = services.star_round_open(actor=None, organization=bureau.root, year=2021, historical=True)
    assert last.status == RoundStatus.SCORING and all(r.inputs == [] for r in last.ratings.all())
    score_all(last, {bureau.b1.pk: 75, bureau.b2.pk: 85}, None)
    services.star_round_publish(actor=None, round=last, on=D(2022, 1, 14))
    rnd = services.star_round_open(actor=None, organization=bureau.root, year=2022)
    by_org = {r.organization_id: r for r in rnd.ratings.all()}
    assert by_org[bureau.b1.pk].previous_stars == 3 and by_org[bureau.b2.pk].previous_stars == 4
    rnd = services.star_round_start_scoring(actor=None, round=rnd)
    score_all(rnd, {bureau.b1.pk: 85, bureau.b2.pk: 65}, None)
    services.star_round_publish(actor=None, round=rnd)
    changes = {r.organization_id: r.change for r in BranchRating.objects.filter(round=rnd)}
    assert changes == {bureau.b1.pk: "up", bureau.b2.pk: "down"}
    entry = AuditEntry.objects.filter(action="assessment.star_round.published").latest("id")
    assert entry.changes["upgraded"] == [None, 1] and entry.changes["declined"] == [None, 1]


# ---------------------------------------------------------------------- standardization


def test_standardization_update_records_changes_once(bureau):
    items = services.standardization_items(2022)
    assert len(items) >= 10
    before = audit_count("assessment.standardization.updated")
    rows = [(item, i != 3, "无活动室" if i == 3 else "") for i, item in enumerate(items)]
    checks = services.standardization_update(actor=bureau.users.sec1, organization=bureau.b1, year=2022, rows=rows)
    assert sum(1 for c in checks if not c.met) == 1
    assert audit_count("assessment.standardization.updated") == before + 1
    # The same again: nothing changes, no entry.
    services.standardization_update(actor=bureau.users.sec1, organization=bureau.b1, year=2022, rows=rows)
    assert audit_count("assessment.standardization.updated") == before + 1
    rows[3] = (items[3], True, "已建成")
    services.standardization_update(actor=bureau.users.sec1, organization=bureau.b1, year=2022, rows=rows)
    entry = AuditEntry.objects.filter(action="assessment.standardization.updated").latest("id")
    assert entry.changes == {items[3]: ["未达标（无活动室）", "已达标（已建成）"]}
    with pytest.raises(ValidationError, match="不是2022年度的检查项"):
        services.standardization_update(actor=None, organization=bureau.b1, year=2022, rows=[("自拟", True, "")])
    with pytest.raises(ValidationError, match="按党支部"):
        services.standardization_update(actor=None, organization=bureau.cell, year=2022, rows=[])
