"""Every write of the star rating (评星定级) and the standardization checklist. One audit entry each.

Flow of a round: 自评 (branches assess themselves, with evidence, next to the pre-filled inputs)
→ 评星 (the committee scores; stars computed from the cut-offs, capped by 软弱涣散, vetoes and
satisfaction) → 公示 (published: refused if the 5★ quota is broken; a notice period in working
days) → 已定星 (final, once the notice period has passed). A 公示 may be withdrawn back to 评星.
A historical round (历史补录) records results from before the platform: it starts at 评星 and
pre-fills nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.inputs import compute_inputs
from assessment.models import (
    PUBLISHED_STATUSES,
    BranchRating,
    RatingStatus,
    RoundStatus,
    StandardizationCheck,
    StarRatingRound,
    stars_label,
)
from assessment.scheme import (
    SchemeError,
    caps_for,
    dec,
    dimension_names,
    five_star_quota_error,
    star_scheme,
    stars_for,
    weighted_total,
)
from core import audit
from core.concurrency import check_version
from core.rules import RuleSet
from core.workdays import add_working_days
from orgs.models import Organization, OrgType

A = audit.register_action
ROUND_OPENED = A("assessment.star_round.opened", "开启评星定级")
ROUND_INPUTS = A("assessment.star_round.inputs_refreshed", "更新评星预填数据")
RATING_INPUTS = A("assessment.branch_rating.inputs_filled", "计算评星预填数据")
ROUND_SCORING = A("assessment.star_round.scoring_started", "开始党委评星")
ROUND_PUBLISHED = A("assessment.star_round.published", "公示星级评定结果")
ROUND_RETURNED = A("assessment.star_round.returned", "撤回公示、重新评星")
ROUND_FINALIZED = A("assessment.star_round.finalized", "定星")
RATING_SAVED = A("assessment.branch_rating.self_saved", "保存评星自评")
RATING_SUBMITTED = A("assessment.branch_rating.self_submitted", "提交评星自评")
RATING_SCORED = A("assessment.branch_rating.scored", "党委评星评分")
STANDARDIZATION_UPDATED = A("assessment.standardization.updated", "核对支部标准化规范化建设")

for _key, _label in {
    "ratings": "参评党支部",
    "distribution": "星级分布",
    "not_submitted": "未提交自评",
    "upgraded": "晋位升级",
    "declined": "降级",
    "inputs": "预填数据",
}.items():
    audit.register_field_label(_key, _label)

# Pre-filled inputs cost about 0.1 s per branch (every configured statistic, computed as its area
# does). Up to this many branches they are computed when the round opens or is refreshed; beyond,
# each branch's inputs are computed when its rating is first opened (star_rating_fill_inputs), or
# all at once by `manage.py prefill_star_inputs`, so no request waits minutes at city scale.
INLINE_PREFILL_LIMIT = 100

# Organizations that are rated: branches, joint branches and general branches (not 党小组).
RATED_TYPES = (OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.GENERAL_BRANCH)
ROUND_ORG_TYPES = (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH)
RATING_FIELDS = [
    "self_scores",
    "self_total",
    "self_summary",
    "committee_scores",
    "committee_total",
    "committee_comment",
    "weak_lax",
    "vetoes",
    "satisfaction",
    "computed_stars",
    "cap_stars",
    "cap_reasons",
    "adjusted_stars",
    "adjust_reason",
    "final_stars",
]


def _day(on: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError("日期不能晚于今天")
    return on


def rated_organizations(organization: Organization):
    return Organization.objects.filter(path__startswith=organization.path, org_type__in=RATED_TYPES).exclude(
        pk=organization.pk
    )


def previous_stars(organizations: Iterable[Organization], year: int) -> dict[int, int]:
    """{organization id: final stars} of the published rating of `year - 1` (one query)."""
    rows = BranchRating.objects.filter(
        organization__in=list(organizations),
        year=year - 1,
        round__status__in=PUBLISHED_STATUSES,
        final_stars__isnull=False,
    ).values_list("organization_id", "final_stars")
    return dict(rows)


STAR_FIELDS = ("computed_stars", "cap_stars", "adjusted_stars", "final_stars", "previous_stars")


def _snapshot(rating: BranchRating, fields: list[str]) -> dict[str, Any]:
    """audit.snapshot with scores as "班子队伍 90；…", stars as 四星 and lists joined — as people read them."""
    data = audit.snapshot(rating, fields)
    for name in fields:
        value = getattr(rating, name)
        if isinstance(value, dict):
            data[name] = "；".join(f"{k} {v}" for k, v in value.items()) or None
        elif isinstance(value, list):
            data[name] = "、".join(str(v) for v in value) or None
        elif name in STAR_FIELDS:
            data[name] = stars_label(value) if value else None
    return data


def _str_scores(scores: Mapping[str, Any], names: list[str], *, complete: bool) -> dict[str, str]:
    """Scores keyed by the scheme's dimension names, as strings of decimals, checked 0–100."""
    unknown = [k for k in scores if k not in names]
    if unknown:
        raise ValidationError(f"“{unknown[0]}”不是本轮评星方案中的维度")
    result: dict[str, str] = {}
    for name in names:
        value = scores.get(name)
        if value in (None, ""):
            if complete:
                raise ValidationError({name: f"请填写“{name}”的得分"})
            continue
        try:
            d = dec(value)
        except SchemeError as exc:
            raise ValidationError({name: str(exc)}) from None
        if d < 0 or d > 100:
            raise ValidationError({name: f"“{name}”的得分应在0至100分之间"})
        if d.as_tuple().exponent < -2:
            raise ValidationError({name: f"“{name}”的得分最多保留两位小数"})
        result[name] = f"{d.normalize():f}"
    return result


# ---------------------------------------------------------------------- rounds


@transaction.atomic
def star_round_open(
    *,
    actor,
    organization: Organization,
    year: int,
    historical: bool = False,
    notes: str = "",
    on: datetime.date | None = None,
) -> StarRatingRound:
    """Open the year's rating for every branch under `organization`, with the scheme in force."""
    on = _day(on)
    if organization.org_type not in ROUND_ORG_TYPES:
        raise ValidationError({"organization": "评星定级由机关党委或党总支组织开展"})
    if not 2000 <= int(year) <= on.year:
        raise ValidationError({"year": f"评定年度应在2000年至{on.year}年之间"})
    if StarRatingRound.objects.filter(organization=organization, year=year).exists():
        raise ValidationError({"year": f"{organization.name}已开启{year}年度评星定级，不能重复开启"})
    try:
        scheme = star_scheme(year, RuleSet())
    except SchemeError as exc:
        raise ValidationError(f"{year}年度评星方案有误：{exc}。请在“规则配置”中修改后再开启。") from None
    branches = list(rated_organizations(organization).order_by("path"))
    if not branches:
        raise ValidationError({"organization": f"{organization.name}下没有党支部，无需评星定级"})
    rnd = StarRatingRound.objects.create(
        organization=organization,
        org_path=organization.path,
        year=year,
        status=RoundStatus.SCORING if historical else RoundStatus.SELF,
        scheme=scheme,
        historical=historical,
        opened_on=on,
        scoring_on=on if historical else None,
        notes=notes.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    before = previous_stars(branches, year)
    now = timezone.now()
    inline = not historical and len(branches) <= INLINE_PREFILL_LIMIT
    BranchRating.objects.bulk_create(
        [
            BranchRating(
                round=rnd,
                organization=b,
                org_path=b.path,
                year=year,
                previous_stars=before.get(b.pk),
                inputs=compute_inputs(scheme, year, b) if inline else [],
                inputs_at=now if inline else None,
            )
            for b in branches
        ]
    )
    audit.record(
        actor=actor,
        action=ROUND_OPENED,
        obj=rnd,
        organization=organization,
        changes={
            "year": [None, year],
            "ratings": [None, len(branches)],
            **({"historical": [None, "是"]} if historical else {}),
        },
    )
    return rnd


def _lock_round(rnd: StarRatingRound) -> StarRatingRound:
    return StarRatingRound.objects.select_for_update().select_related("organization").get(pk=rnd.pk)


def _bump(obj, changes: dict) -> None:
    obj.version += 1
    changes["version"] = [obj.version - 1, obj.version]


@transaction.atomic
def star_round_refresh_inputs(*, actor, round: StarRatingRound) -> StarRatingRound:  # noqa: A002
    """Recompute every branch's pre-filled inputs from the records as they are now; for a round
    of more than INLINE_PREFILL_LIMIT branches, mark them stale instead (each is recomputed when
    its rating is next opened)."""
    rnd = _lock_round(round)
    if rnd.historical:
        raise ValidationError("历史补录的评星定级不预填系统数据")
    if rnd.status not in (RoundStatus.SELF, RoundStatus.SCORING):
        raise ValidationError("星级评定结果已公示，预填数据不再更新")
    ratings = list(rnd.ratings.select_related("organization"))
    if len(ratings) > INLINE_PREFILL_LIMIT:
        BranchRating.objects.filter(round=rnd).update(inputs_at=None)
        text = f"{len(ratings)}个党支部，打开评定页面时按最新数据重新计算"
    else:
        now = timezone.now()
        changed = 0
        for rating in ratings:
            fresh = compute_inputs(rnd.scheme, rnd.year, rating.organization)
            if [(r["code"], r["value"]) for r in fresh] != [(r["code"], r.get("value")) for r in rating.inputs]:
                changed += 1
            rating.inputs = fresh
            rating.inputs_at = now
        BranchRating.objects.bulk_update(ratings, ["inputs", "inputs_at"])
        text = f"{len(ratings)}个党支部，其中{changed}个有变化"
    audit.record(
        actor=actor, action=ROUND_INPUTS, obj=rnd, organization=rnd.organization, changes={"inputs": [None, text]}
    )
    return rnd


def needs_inputs(rating: BranchRating) -> bool:
    return (
        rating.inputs_at is None
        and not rating.round.historical
        and rating.round.status in (RoundStatus.SELF, RoundStatus.SCORING)
        and bool(rating.round.scheme.get("inputs"))
    )


@transaction.atomic
def star_rating_fill_inputs(*, actor, rating: BranchRating) -> BranchRating:
    """Compute one branch's pre-filled inputs if they are missing or stale (large rounds)."""
    rnd, locked = _lock_rating(rating)
    if not needs_inputs(locked):
        return locked
    locked.inputs = compute_inputs(rnd.scheme, rnd.year, locked.organization)
    locked.inputs_at = timezone.now()
    locked.save(update_fields=["inputs", "inputs_at"])
    audit.record(
        actor=actor,
        action=RATING_INPUTS,
        obj=locked,
        organization=locked.organization,
        changes={"inputs": [None, f"{len(locked.inputs)}项"]},
    )
    return locked


@transaction.atomic
def star_round_start_scoring(*, actor, round: StarRatingRound, on: datetime.date | None = None):  # noqa: A002
    on = _day(on)
    rnd = _lock_round(round)
    if rnd.status != RoundStatus.SELF:
        raise ValidationError(f"本轮评星定级处于“{rnd.get_status_display()}”阶段，不能开始评星")
    pending = list(
        rnd.ratings.filter(status=RatingStatus.PENDING)
        .order_by("org_path")
        .values_list("organization__name", flat=True)
    )
    rnd.status = RoundStatus.SCORING
    rnd.scoring_on = on
    changes = {"status": ["自评", "评星"]}
    if pending:
        changes["not_submitted"] = [None, "、".join(pending)]
    _bump(rnd, changes)
    rnd.save(update_fields=["status", "scoring_on", "version"])
    audit.record(actor=actor, action=ROUND_SCORING, obj=rnd, organization=rnd.organization, changes=changes)
    return rnd


def star_distribution(ratings: Iterable[BranchRating]) -> dict[int, int]:
    dist = {s: 0 for s in (5, 4, 3, 2, 1)}
    for r in ratings:
        if r.final_stars:
            dist[r.final_stars] += 1
    return dist


def distribution_text(dist: Mapping[int, int]) -> str:
    return "，".join(f"{stars_label(s)}{n}个" for s, n in dist.items() if n) or "无"


def publish_problems(rnd: StarRatingRound) -> list[str]:
    """Why the round cannot be published (empty: it can). A constant number of queries."""
    problems = []
    ratings = BranchRating.objects.filter(round=rnd)
    unscored = ratings.filter(final_stars__isnull=True)
    n_unscored = unscored.count()
    if n_unscored:
        names = list(unscored.order_by("org_path").values_list("organization__name", flat=True)[:10])
        more = f"等{n_unscored}个" if n_unscored > len(names) else ""
        problems.append(f"尚有{n_unscored}个党支部未评分：{'、'.join(names)}{more}")
    five = list(ratings.filter(final_stars=5).values_list("organization__name", flat=True))
    quota = five_star_quota_error(rnd.scheme, ratings.count(), five)
    if quota:
        problems.append(quota)
    return problems


@transaction.atomic
def star_round_publish(*, actor, round: StarRatingRound, on: datetime.date | None = None):  # noqa: A002
    """公示: every branch scored and the 5★ quota kept, or a Chinese refusal naming the numbers."""
    on = _day(on)
    rnd = _lock_round(round)
    if rnd.status != RoundStatus.SCORING:
        raise ValidationError(f"本轮评星定级处于“{rnd.get_status_display()}”阶段，不能公示")
    problems = publish_problems(rnd)
    if problems:
        raise ValidationError("；".join(problems))
    ratings = list(rnd.ratings.select_related("organization").order_by("org_path"))
    # Last year's stars as published now (a late correction of last year's round shows here).
    before = previous_stars([r.organization for r in ratings], rnd.year)
    for r in ratings:
        r.previous_stars = before.get(r.organization_id)
    BranchRating.objects.bulk_update(ratings, ["previous_stars"])
    dist = star_distribution(ratings)
    up = sum(1 for r in ratings if r.change == "up")
    down = sum(1 for r in ratings if r.change == "down")
    rnd.status = RoundStatus.NOTICE
    rnd.published_on = on
    rnd.notice_ends_on = add_working_days(on, int(rnd.scheme.get("notice_working_days", 5)))
    changes = {
        "status": ["评星", "公示"],
        "distribution": [None, distribution_text(dist)],
        "upgraded": [None, up],
        "declined": [None, down],
        "notice_ends_on": [None, rnd.notice_ends_on.isoformat()],
    }
    _bump(rnd, changes)
    rnd.save(update_fields=["status", "published_on", "notice_ends_on", "version"])
    audit.record(actor=actor, action=ROUND_PUBLISHED, obj=rnd, organization=rnd.organization, changes=changes)
    return rnd


@transaction.atomic
def star_round_return(*, actor, round: StarRatingRound, reason: str):  # noqa: A002
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤回公示的理由（如公示期间收到的异议）"})
    rnd = _lock_round(round)
    if rnd.status != RoundStatus.NOTICE:
        raise ValidationError("只有公示中的评定结果可以撤回")
    rnd.status = RoundStatus.SCORING
    rnd.published_on = None
    rnd.notice_ends_on = None
    changes = {"status": ["公示", "评星"], "reason": [None, reason]}
    _bump(rnd, changes)
    rnd.save(update_fields=["status", "published_on", "notice_ends_on", "version"])
    audit.record(actor=actor, action=ROUND_RETURNED, obj=rnd, organization=rnd.organization, changes=changes)
    return rnd


@transaction.atomic
def star_round_finalize(*, actor, round: StarRatingRound, on: datetime.date | None = None):  # noqa: A002
    on = _day(on)
    rnd = _lock_round(round)
    if rnd.status != RoundStatus.NOTICE:
        raise ValidationError("评定结果公示期满后方可定星")
    if on <= rnd.notice_ends_on:
        raise ValidationError(
            f"公示期至{rnd.notice_ends_on.year}年{rnd.notice_ends_on.month}月{rnd.notice_ends_on.day}日，公示期满后方可定星"
        )
    rnd.status = RoundStatus.FINAL
    rnd.finalized_on = on
    changes = {"status": ["公示", "已定星"]}
    _bump(rnd, changes)
    rnd.save(update_fields=["status", "finalized_on", "version"])
    audit.record(actor=actor, action=ROUND_FINALIZED, obj=rnd, organization=rnd.organization, changes=changes)
    return rnd


# ---------------------------------------------------------------------- a branch's rating


def _lock_rating(rating: BranchRating) -> tuple[StarRatingRound, BranchRating]:
    rnd = _lock_round(rating.round)
    locked = BranchRating.objects.select_for_update().select_related("organization").get(pk=rating.pk)
    locked.round = rnd
    return rnd, locked


@transaction.atomic
def star_self_assess(
    *,
    actor,
    rating: BranchRating,
    scores: Mapping[str, Any],
    summary: str,
    submit: bool = False,
    expected_version: int | None = None,
) -> BranchRating:
    """The branch's self-assessment (自评): a score per dimension and the account; saved as a
    draft or submitted (then locked for the branch)."""
    rnd, locked = _lock_rating(rating)
    check_version(locked, expected_version)
    if rnd.status != RoundStatus.SELF:
        raise ValidationError(f"本轮评星定级已进入“{rnd.get_status_display()}”阶段，不能再修改自评")
    if locked.status != RatingStatus.PENDING:
        raise ValidationError("自评已提交，不能再修改；如需更正请联系机关党委")
    names = dimension_names(rnd.scheme)
    clean = _str_scores(scores, names, complete=submit)
    summary = (summary or "").strip()
    if submit and not summary:
        raise ValidationError({"self_summary": "请填写自评说明（对照各维度简述工作情况和佐证材料）"})
    before = _snapshot(locked, ["self_scores", "self_total", "self_summary", "status"])
    locked.self_scores = clean
    locked.self_total = weighted_total(clean, rnd.scheme["dimensions"]) if len(clean) == len(names) else None
    locked.self_summary = summary
    fields = ["self_scores", "self_total", "self_summary"]
    if submit:
        locked.status = RatingStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = actor if getattr(actor, "pk", None) else None
        fields += ["status", "submitted_at", "submitted_by"]
    changes = audit.diff(before, _snapshot(locked, ["self_scores", "self_total", "self_summary", "status"]))
    if not changes:
        return locked
    _bump(locked, changes)
    locked.save(update_fields=[*fields, "version"])
    audit.record(
        actor=actor,
        action=RATING_SUBMITTED if submit else RATING_SAVED,
        obj=locked,
        organization=locked.organization,
        changes=changes,
    )
    return locked


def star_outcome(
    scheme: Mapping,
    *,
    scores: Mapping[str, Any],
    weak_lax: bool,
    vetoes: Iterable[str],
    satisfaction,
    adjusted_stars: int | None = None,
) -> dict:
    """Total, stars by the cut-offs, caps with reasons, final stars (pure; used by the service
    and by the scoring form's preview)."""
    total = weighted_total(scores, scheme["dimensions"])
    computed = stars_for(total, scheme["cutoffs"])
    caps = caps_for(scheme, weak_lax=weak_lax, vetoes=list(vetoes), satisfaction=satisfaction)
    capped = min(computed, caps.cap) if caps.cap is not None else computed
    final = capped
    if adjusted_stars is not None:
        if not 1 <= adjusted_stars <= 5:
            raise SchemeError("调整后的星级应为一星至五星")
        if caps.cap is not None and adjusted_stars > caps.cap:
            raise SchemeError(f"{caps.text}，不能调整为{stars_label(adjusted_stars)}")
        final = adjusted_stars
    return {"total": total, "computed": computed, "cap": caps.cap, "cap_text": caps.text, "final": final}


@transaction.atomic
def star_rating_score(
    *,
    actor,
    rating: BranchRating,
    scores: Mapping[str, Any],
    weak_lax: bool = False,
    vetoes: Iterable[str] = (),
    satisfaction: Decimal | float | str | None = None,
    adjusted_stars: int | None = None,
    adjust_reason: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> BranchRating:
    """The committee's scoring (党委评星): stars from the cut-offs, then the caps, then an optional
    adjustment downward (never above a cap) with its reason."""
    rnd, locked = _lock_rating(rating)
    check_version(locked, expected_version)
    if rnd.status != RoundStatus.SCORING:
        raise ValidationError(f"本轮评星定级处于“{rnd.get_status_display()}”阶段，不能评分")
    names = dimension_names(rnd.scheme)
    clean = _str_scores(scores, names, complete=True)
    vetoes = list(dict.fromkeys(v for v in vetoes if v))
    adjust_reason = (adjust_reason or "").strip()
    if satisfaction in ("", None):
        satisfaction = None
    try:
        outcome = star_outcome(
            rnd.scheme,
            scores=clean,
            weak_lax=bool(weak_lax),
            vetoes=vetoes,
            satisfaction=satisfaction,
            adjusted_stars=adjusted_stars,
        )
    except SchemeError as exc:
        raise ValidationError(str(exc)) from None
    adjusted = adjusted_stars
    if adjusted is not None and adjusted == min(outcome["computed"], outcome["cap"] or 5):
        adjusted = None  # no adjustment after all
    if adjusted is not None and not adjust_reason:
        raise ValidationError({"adjust_reason": "调整星级须填写理由"})
    before = _snapshot(locked, RATING_FIELDS + ["status"])
    locked.committee_scores = clean
    locked.committee_total = outcome["total"]
    locked.committee_comment = (comment or "").strip()
    locked.weak_lax = bool(weak_lax)
    locked.vetoes = vetoes
    locked.satisfaction = dec(satisfaction).quantize(Decimal("0.1")) if satisfaction is not None else None
    locked.computed_stars = outcome["computed"]
    locked.cap_stars = outcome["cap"]
    locked.cap_reasons = outcome["cap_text"]
    locked.adjusted_stars = adjusted
    locked.adjust_reason = adjust_reason if adjusted is not None else ""
    locked.final_stars = outcome["final"]
    locked.status = RatingStatus.SCORED
    changes = audit.diff(before, _snapshot(locked, RATING_FIELDS + ["status"]))
    if not changes:
        return locked
    locked.scored_at = timezone.now()
    locked.scored_by = actor if getattr(actor, "pk", None) else None
    _bump(locked, changes)
    locked.save(update_fields=[*RATING_FIELDS, "status", "scored_at", "scored_by", "version"])
    audit.record(actor=actor, action=RATING_SCORED, obj=locked, organization=locked.organization, changes=changes)
    return locked


# ---------------------------------------------------------------------- standardization checklist


def standardization_items(year: int, rules: RuleSet | None = None) -> list[str]:
    rules = rules or RuleSet()
    return [str(i) for i in rules.get("star.standardization_items", year, default=[])]


@transaction.atomic
def standardization_update(
    *, actor, organization: Organization, year: int, rows: Iterable[tuple[str, bool, str]]
) -> list[StandardizationCheck]:
    """Record which checklist items a branch meets in `year` (met, with a note each)."""
    if organization.org_type not in RATED_TYPES:
        raise ValidationError("支部标准化规范化建设按党支部（党总支）核对")
    items = standardization_items(year)
    rows = list(rows)
    unknown = [item for item, _, _ in rows if item not in items]
    if unknown:
        raise ValidationError(f"“{unknown[0]}”不是{year}年度的检查项")
    existing = {
        c.item: c for c in StandardizationCheck.objects.select_for_update().filter(organization=organization, year=year)
    }
    now = timezone.now()
    who = actor if getattr(actor, "pk", None) else None
    changes: dict[str, list] = {}
    to_create, to_update = [], []
    for item, met, note in rows:
        note = (note or "").strip()[:300]
        old = existing.get(item)
        old_text = _check_text(old.met, old.note) if old else None
        new_text = _check_text(met, note)
        if old_text == new_text:
            continue
        changes[item] = [old_text, new_text]
        if old is None:
            to_create.append(
                StandardizationCheck(
                    organization=organization,
                    org_path=organization.path,
                    year=year,
                    item=item,
                    met=bool(met),
                    note=note,
                    checked_by=who,
                    checked_at=now,
                )
            )
        else:
            old.met, old.note, old.checked_by, old.checked_at = bool(met), note, who, now
            to_update.append(old)
    if not changes:
        return list(existing.values())
    StandardizationCheck.objects.bulk_create(to_create)
    StandardizationCheck.objects.bulk_update(to_update, ["met", "note", "checked_by", "checked_at"])
    audit.record(
        actor=actor,
        action=STANDARDIZATION_UPDATED,
        obj=organization,
        organization=organization,
        changes=changes,
        object_repr=f"{organization.name} {year}年度支部标准化规范化建设",
    )
    return list(StandardizationCheck.objects.filter(organization=organization, year=year))


def _check_text(met: bool, note: str) -> str:
    return ("已达标" if met else "未达标") + (f"（{note}）" if note else "")
