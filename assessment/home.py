"""What is due on the home page (工作台) for the star rating and the periodic assessment.

- a staff member: their self-summary (个人小结) of an open round;
- a department head: the records of their department waiting for a score, one line per round;
- a branch secretary: the branch's self-assessment (自评) of a round in 自评;
- a committee administrator: one line per round that waits for them (self-assessments all in,
  branches to score, a 公示 period over, a quarter's round ready for review or confirmation).
"""

from __future__ import annotations

from collections import Counter

from django.urls import reverse
from django.utils import timezone

from assessment.models import (
    AssessmentRecord,
    AssessmentRound,
    AssessmentStatus,
    BranchRating,
    RatingStatus,
    RecordStatus,
    RoundStatus,
    StarRatingRound,
)
from assessment.selectors import my_scoring_queue
from core.home import DueItem, register_due_provider
from core.scope import ADMIN_ROLES, WRITE_ROLES, Scope

CATEGORY_STARS = "评星定级"
CATEGORY_PERIODIC = "平时考核"


def _person_items(user) -> list[DueItem]:
    items = []
    mine = AssessmentRecord.objects.filter(
        person_id=user.person_id, status=RecordStatus.PENDING_SUMMARY, round__status=AssessmentStatus.OPEN
    ).select_related("round")
    for r in mine:
        items.append(
            DueItem(
                title=f"填写{r.round.label}平时考核个人小结",
                due_on=None,
                urgency="due",
                url=reverse("assessment:record_summary", args=[r.pk]),
                action_label="填写小结",
                category=CATEGORY_PERIODIC,
            )
        )
    waiting = Counter(
        (r.round_id, r.round.label) for r in my_scoring_queue(user).filter(status=RecordStatus.PENDING_SCORE)
    )
    for (_round_id, label), n in waiting.items():
        items.append(
            DueItem(
                title=f"为本科室{n}人评定{label}平时考核（德、能、勤、绩、廉）",
                due_on=None,
                urgency="due",
                url=reverse("assessment:my_assessment"),
                action_label="去评分",
                category=CATEGORY_PERIODIC,
            )
        )
    return items


def _branch_items(scope: Scope, admin_round_ids: set[int]) -> list[DueItem]:
    q = scope.org_q("org_path", WRITE_ROLES)
    pending = BranchRating.objects.filter(status=RatingStatus.PENDING, round__status=RoundStatus.SELF).exclude(
        round_id__in=admin_round_ids
    )
    if q is not None:
        pending = pending.filter(q)
    return [
        DueItem(
            title=f"提交{r.year}年度评星定级自评",
            due_on=None,
            urgency="due",
            url=reverse("assessment:rating_self_assess", args=[r.pk]),
            action_label="去自评",
            category=CATEGORY_STARS,
            detail=r.organization.name,
        )
        for r in pending.select_related("organization").order_by("org_path")[:20]
    ]


def _admin_items(scope: Scope, today) -> tuple[list[DueItem], set[int]]:
    q = scope.org_q("org_path", ADMIN_ROLES)
    rounds = StarRatingRound.objects.exclude(status=RoundStatus.FINAL)
    periodic = AssessmentRound.objects.exclude(status=AssessmentStatus.CONFIRMED)
    if q is not None:
        rounds, periodic = rounds.filter(q), periodic.filter(q)
    items, ids = [], set()
    for rnd in rounds.order_by("year"):
        ids.add(rnd.pk)
        url = reverse("assessment:round_detail", args=[rnd.pk])
        if rnd.status == RoundStatus.SELF:
            left = rnd.ratings.filter(status=RatingStatus.PENDING).count()
            title = (
                f"{rnd.year}年度评星定级：{left}个党支部尚未提交自评"
                if left
                else f"{rnd.year}年度评星定级：自评已全部提交，可开始评星"
            )
        elif rnd.status == RoundStatus.SCORING:
            left = rnd.ratings.filter(final_stars__isnull=True).count()
            title = (
                f"{rnd.year}年度评星定级：{left}个党支部待评分" if left else f"{rnd.year}年度评星定级：评分完成，可公示"
            )
        elif rnd.notice_ends_on and today > rnd.notice_ends_on:
            title = f"{rnd.year}年度评星定级：公示期已满，可定星"
        else:
            continue
        items.append(
            DueItem(title=title, due_on=None, urgency="info", url=url, action_label="办理", category=CATEGORY_STARS)
        )
    for rnd in periodic.select_related("unit").order_by("year", "quarter"):
        url = reverse("assessment:assessment_round_detail", args=[rnd.pk])
        if rnd.status == AssessmentStatus.OPEN:
            left = rnd.records.exclude(status=RecordStatus.SCORED).count()
            title = (
                f"{rnd.label}平时考核：{left}人尚未完成小结或评分"
                if left
                else f"{rnd.label}平时考核：评分完成，可提交审核"
            )
        else:
            title = f"{rnd.label}平时考核：待审核确认等次"
        items.append(
            DueItem(title=title, due_on=None, urgency="info", url=url, action_label="办理", category=CATEGORY_PERIODIC)
        )
    return items, ids


@register_due_provider
def assessment_due_items(user, today=None) -> list[DueItem]:
    if user is None or not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    scope = Scope.of(user)
    items: list[DueItem] = []
    admin_ids: set[int] = set()
    if scope.has_role(*ADMIN_ROLES):
        found, admin_ids = _admin_items(scope, today)
        items += found
    if scope.has_role(*WRITE_ROLES):
        items += _branch_items(scope, admin_ids)
    if getattr(user, "person_id", None):
        items += _person_items(user)
    return items
