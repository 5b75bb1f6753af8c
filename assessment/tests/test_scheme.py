"""The arithmetic of the schemes: totals, cut-offs at their boundaries, caps, quotas, the annual roll-up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.models import Grade
from assessment.scheme import (
    SchemeError,
    allowed_count,
    annual_outcome,
    caps_for,
    excellent_quota_error,
    five_star_quota_error,
    grade_for,
    stars_for,
    validate_cutoffs,
    validate_weights,
    weighted_total,
)

CUTOFFS = {"5": 90, "4": 80, "3": 70, "2": 60}
GRADE_CUTOFFS = {"好": 90, "较好": 80, "一般": 60}
DIMS = [["班子队伍", 20], ["组织生活", 20], ["制度机制", 20], ["基础保障", 20], ["作用发挥", 20]]
SCHEME = {
    "dimensions": DIMS,
    "cutoffs": CUTOFFS,
    "quota_five": 0.3,
    "veto_items": [["严重违纪", 1], ["未按期换届", 2]],
    "weak_lax_cap": 2,
    "satisfaction_cap": {"below": 60, "max_stars": 2},
}


@pytest.mark.parametrize(
    ("total", "stars"),
    [
        ("100", 5),
        ("90", 5),
        ("90.00", 5),
        ("89.99", 4),
        ("80", 4),
        ("79.99", 3),
        ("70", 3),
        ("69.99", 2),
        ("60", 2),
        ("59.99", 1),
        ("0", 1),
    ],
)
def test_star_cutoffs_at_the_boundaries(total, stars):
    assert stars_for(Decimal(total), CUTOFFS) == stars


@given(st.integers(min_value=0, max_value=10000))
def test_stars_follow_the_cutoffs_for_every_total(cents):
    total = Decimal(cents) / 100
    expected = 5 if total >= 90 else 4 if total >= 80 else 3 if total >= 70 else 2 if total >= 60 else 1
    assert stars_for(total, CUTOFFS) == expected


@given(st.integers(min_value=0, max_value=10000), st.integers(min_value=0, max_value=10000))
def test_a_higher_total_never_gets_fewer_stars(a, b):
    low, high = sorted((Decimal(a) / 100, Decimal(b) / 100))
    assert stars_for(low, CUTOFFS) <= stars_for(high, CUTOFFS)


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("90", Grade.EXCELLENT),
        ("89.99", Grade.GOOD),
        ("80", Grade.GOOD),
        ("79.99", Grade.FAIR),
        ("60", Grade.FAIR),
        ("59.99", Grade.POOR),
    ],
)
def test_grade_cutoffs_at_the_boundaries(total, grade):
    assert grade_for(Decimal(total), GRADE_CUTOFFS) == grade


def test_weighted_total_is_the_weighted_mean_rounded_half_up():
    scores = {"班子队伍": 90, "组织生活": 90, "制度机制": 90, "基础保障": 89.99, "作用发挥": 89.99}
    # (90*3 + 89.99*2) / 5 = 89.996 → 90.00: exactly on the line
    assert weighted_total(scores, DIMS) == Decimal("90.00")
    uneven = [["a", 30], ["b", 70]]
    assert weighted_total({"a": 100, "b": 85}, uneven) == Decimal("89.50")
    with pytest.raises(SchemeError, match="请填写“b”的得分"):
        weighted_total({"a": 100}, uneven)
    with pytest.raises(SchemeError, match="0至100"):
        weighted_total({"a": 101, "b": 1}, uneven)


def test_weights_must_add_up_to_100_and_cutoffs_must_descend():
    with pytest.raises(SchemeError, match="合计为95，应为100"):
        validate_weights([["a", 45], ["b", 50]], "评星定级")
    with pytest.raises(SchemeError, match="逐级降低"):
        validate_cutoffs({"5": 90, "4": 80, "3": 85, "2": 60})


def test_caps_take_the_lowest_and_say_why():
    none = caps_for(SCHEME, weak_lax=False, vetoes=[], satisfaction=None)
    assert none.cap is None and none.reasons == []
    weak = caps_for(SCHEME, weak_lax=True, vetoes=[], satisfaction=None)
    assert weak.cap == 2 and weak.text == "软弱涣散党组织：最高评定二星"
    both = caps_for(SCHEME, weak_lax=True, vetoes=["未按期换届", "严重违纪"], satisfaction=None)
    assert both.cap == 1
    assert "一票否决“严重违纪”：最高评定一星" in both.text and "软弱涣散" in both.text
    sat = caps_for(SCHEME, weak_lax=False, vetoes=[], satisfaction=Decimal("59.9"))
    assert sat.cap == 2 and "群众满意度59.9%低于60%" in sat.text
    assert caps_for(SCHEME, weak_lax=False, vetoes=[], satisfaction=60).cap is None
    with pytest.raises(SchemeError, match="不是本轮评星方案中的一票否决事项"):
        caps_for(SCHEME, weak_lax=False, vetoes=["别的事项"], satisfaction=None)


@pytest.mark.parametrize(
    ("n", "share", "allowed"),
    [(6, 0.3, 1), (10, 0.3, 3), (3, 0.3, 0), (7, 0.4, 2), (10, 0.4, 4), (25, 0.4, 10), (5, 0.2, 1)],
)
def test_quota_allows_the_floor_of_share_times_n(n, share, allowed):
    assert allowed_count(n, share) == allowed


def test_five_star_quota_message_names_the_numbers():
    assert five_star_quota_error(SCHEME, 6, ["一支部"]) == ""
    assert five_star_quota_error(SCHEME, 6, ["二支部", "一支部"]) == (
        "五星级党支部不得超过参评党支部的30%：本轮共6个党支部参评，最多可评定1个五星级，"
        "现有2个（一支部、二支部），请调整后再公示。"
    )


def test_excellent_quota_message_names_the_numbers():
    scheme = {"quota_excellent": 0.4}
    grades = [Grade.EXCELLENT] * 4 + [Grade.GOOD] * 6
    assert excellent_quota_error(scheme, grades) == ""
    grades = [Grade.EXCELLENT] * 5 + [Grade.GOOD] * 5
    assert excellent_quota_error(scheme, grades) == (
        "“好”等次不得超过参加考核人数的40%：本次共考核10人，最多可确定4人为“好”等次，现为5人，请调减1人后再确认。"
    )


RULE = {"excellent_min_share": 0.5, "excellent_forbidden": ["一般", "较差"], "review_poor_count": 2}
E, G, F, P = Grade.EXCELLENT, Grade.GOOD, Grade.FAIR, Grade.POOR


@pytest.mark.parametrize(
    ("grades", "code"),
    [
        ([E, E, G, G], "excellent"),  # 好 in half of the quarters, nothing below 较好
        ([E, G, G, G], "competent"),  # 好 in fewer than half
        ([E, E, E, F], "competent"),  # a 一般 rules 优秀 out
        ([E, E, E, P], "competent"),  # a 较差 too
        ([P, P, G, G], "review"),  # 较差 twice → 基本称职/不称职 to be decided
        ([E], "excellent"),  # one quarter assessed so far
        ([E, G, G], "competent"),  # half of 3 is 1.5 → needs 2
        ([E, E, G], "excellent"),
        ([], "none"),
    ],
)
def test_annual_roll_up(grades, code):
    outcome = annual_outcome(grades, RULE)
    assert outcome.code == code
    assert outcome.assessed == len(grades)


def test_annual_roll_up_explains_itself():
    assert annual_outcome([E, E, E, F], RULE).reason == "有“一般”等次，不能评为优秀"
    assert annual_outcome([E, G, G, G], RULE).reason == "已考核4个季度，“好”1次，不足2次"
