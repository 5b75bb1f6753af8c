"""Schemes as data, and the arithmetic that applies them (no database writes here).

A round snapshots its scheme from the rules in force for its year (`star_scheme`,
`assessment_scheme`); totals, stars, caps, grades and quotas are computed from that snapshot only.

Decisions:
- Every dimension is scored 0–100; the total is the weighted mean Σ score × weight / Σ weights,
  rounded half up to 2 decimals (weights must add up to 100, as RULES.md's defaults do).
- A cut-off is inclusive: a total of exactly 90 is 5★, 89.99 is 4★; below the 2★ line is 1★.
- A quota share q of n allows ⌊q × n⌋ (computed in decimals: 30 % of 10 allows 3, of 6 allows 1).
- Caps (软弱涣散, one-vote vetoes, satisfaction) take the lowest; the committee may lower the
  result further with a reason but never lift it above a cap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from assessment.models import DIMENSION_FIELDS, GRADE_BY_LABEL, Grade, stars_label
from core.rules import RuleSet, default_value

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
STAR_LEVELS = ("5", "4", "3", "2")
ASSESSMENT_DIMENSIONS = tuple(label for label, _ in DIMENSION_FIELDS)
GRADE_ORDER = (Grade.EXCELLENT, Grade.GOOD, Grade.FAIR, Grade.POOR)


class SchemeError(ValueError):
    """A scheme that cannot be applied; the message (Chinese) says what is wrong."""


def dec(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise SchemeError(f"“{value}”不是有效的数值") from None


def ordered_items(value: Mapping, code: str) -> list[list]:
    """A rule's mapping as [key, value] pairs, in the default's key order then by key.

    PostgreSQL's jsonb does not keep key order, so snapshots store ordered lists."""
    try:
        default = default_value(code)
    except KeyError:
        default = {}
    order = list(default) if isinstance(default, dict) else []
    keys = [k for k in order if k in value] + sorted(k for k in value if k not in order)
    return [[k, value[k]] for k in keys]


# ---------------------------------------------------------------------- star rating


def star_scheme(year: int, rules: RuleSet | None = None) -> dict:
    """The star-rating scheme in force for `year`, as a round stores it."""
    rules = rules or RuleSet()
    satisfaction = rules.get("star.satisfaction_cap", year, default={})
    scheme = {
        "year": year,
        "dimensions": ordered_items(rules.get("star.dimensions", year), "star.dimensions"),
        "cutoffs": {k: rules.get("star.cutoffs", year)[k] for k in STAR_LEVELS if k in rules.get("star.cutoffs", year)},
        "quota_five": rules.get("star.quota_five", year),
        "veto_items": ordered_items(rules.get("star.veto_items", year, default={}), "star.veto_items"),
        "weak_lax_cap": rules.get("star.cap_weak_lax", year, default=2),
        "satisfaction_cap": satisfaction or None,
        "notice_working_days": rules.get("star.notice_working_days", year, default=5),
        "inputs": list(rules.get("star.inputs", year, default=[])),
    }
    validate_star_scheme(scheme)
    return scheme


def validate_weights(dimensions: list[list], what: str) -> None:
    if not dimensions:
        raise SchemeError(f"{what}没有设置任何维度")
    names = [d[0] for d in dimensions]
    if len(set(names)) != len(names):
        raise SchemeError(f"{what}的维度名称重复")
    total = Decimal(0)
    for name, weight in dimensions:
        w = dec(weight)
        if w <= 0:
            raise SchemeError(f"{what}维度“{name}”的权重应大于0")
        total += w
    if total != HUNDRED:
        raise SchemeError(f"{what}各维度权重合计为{total.normalize():f}，应为100")


def validate_cutoffs(cutoffs: Mapping) -> None:
    missing = [k for k in STAR_LEVELS if k not in cutoffs]
    if missing:
        raise SchemeError("星级分数线应包括五星、四星、三星、二星的最低分")
    values = [dec(cutoffs[k]) for k in STAR_LEVELS]
    if any(v < 0 or v > HUNDRED for v in values):
        raise SchemeError("星级分数线应在0至100分之间")
    if any(a <= b for a, b in zip(values, values[1:], strict=False)):
        raise SchemeError("星级分数线应逐级降低：五星 > 四星 > 三星 > 二星")


def validate_star_scheme(scheme: Mapping) -> None:
    validate_weights(scheme["dimensions"], "评星定级")
    validate_cutoffs(scheme["cutoffs"])
    quota = dec(scheme["quota_five"])
    if not Decimal(0) < quota <= 1:
        raise SchemeError("五星比例上限应大于0且不超过1（如0.3表示30%）")
    for name, cap in scheme["veto_items"]:
        if int(cap) not in range(1, 6):
            raise SchemeError(f"一票否决事项“{name}”的最高星级应为1至5")
    if int(scheme["weak_lax_cap"]) not in range(1, 6):
        raise SchemeError("软弱涣散党组织的最高星级应为1至5")
    sat = scheme.get("satisfaction_cap")
    if sat and (not isinstance(sat, Mapping) or "below" not in sat or "max_stars" not in sat):
        raise SchemeError("群众满意度封顶规则应包括 below（满意度%）和 max_stars（最高星级）")


def dimension_names(scheme: Mapping) -> list[str]:
    return [d[0] for d in scheme["dimensions"]]


def weighted_total(scores: Mapping[str, Any], dimensions: Iterable[list]) -> Decimal:
    """Σ score × weight / Σ weights, half up to 2 decimals. Every dimension must be scored 0–100."""
    dimensions = list(dimensions)
    total = Decimal(0)
    weights = Decimal(0)
    for name, weight in dimensions:
        if scores.get(name) in (None, ""):
            raise SchemeError(f"请填写“{name}”的得分")
        score = dec(scores[name])
        if score < 0 or score > HUNDRED:
            raise SchemeError(f"“{name}”的得分应在0至100分之间")
        total += score * dec(weight)
        weights += dec(weight)
    return (total / weights).quantize(CENT, rounding=ROUND_HALF_UP)


def stars_for(total: Decimal | float | int, cutoffs: Mapping) -> int:
    """5★ at or above the 5★ line … 1★ below the 2★ line."""
    t = dec(total)
    for level in STAR_LEVELS:
        if t >= dec(cutoffs[level]):
            return int(level)
    return 1


@dataclass
class CapResult:
    cap: int | None  # the lowest cap that applies (None: none)
    reasons: list[str]

    @property
    def text(self) -> str:
        return "；".join(self.reasons)


def caps_for(scheme: Mapping, *, weak_lax: bool, vetoes: Iterable[str], satisfaction) -> CapResult:
    caps: list[int] = []
    reasons: list[str] = []
    if weak_lax:
        cap = int(scheme["weak_lax_cap"])
        caps.append(cap)
        reasons.append(f"软弱涣散党组织：最高评定{stars_label(cap)}")
    known = dict((name, int(cap)) for name, cap in scheme["veto_items"])
    for name in vetoes:
        if name not in known:
            raise SchemeError(f"“{name}”不是本轮评星方案中的一票否决事项")
        caps.append(known[name])
        reasons.append(f"一票否决“{name}”：最高评定{stars_label(known[name])}")
    sat = scheme.get("satisfaction_cap")
    if sat and satisfaction not in (None, ""):
        value = dec(satisfaction)
        if value < 0 or value > HUNDRED:
            raise SchemeError("群众满意度应在0至100之间")
        if value < dec(sat["below"]):
            cap = int(sat["max_stars"])
            caps.append(cap)
            reasons.append(f"群众满意度{value.normalize():f}%低于{sat['below']}%：最高评定{stars_label(cap)}")
    return CapResult(min(caps) if caps else None, reasons)


def allowed_count(n: int, share: Any) -> int:
    """How many of `n` a quota share allows: ⌊share × n⌋ in decimals."""
    return int((dec(share) * n).to_integral_value(rounding=ROUND_FLOOR))


def percent(share: Any) -> str:
    return f"{(dec(share) * 100).normalize():f}%"


def five_star_quota_error(scheme: Mapping, n: int, five_names: list[str]) -> str:
    """The refusal message if `five_names` (the 5★ branches among `n` rated) break the quota, else ""."""
    limit = allowed_count(n, scheme["quota_five"])
    if len(five_names) <= limit:
        return ""
    names = "、".join(sorted(five_names))
    return (
        f"五星级党支部不得超过参评党支部的{percent(scheme['quota_five'])}：本轮共{n}个党支部参评，"
        f"最多可评定{limit}个五星级，现有{len(five_names)}个（{names}），请调整后再公示。"
    )


# ---------------------------------------------------------------------- periodic assessment


def assessment_scheme(year: int, rules: RuleSet | None = None) -> dict:
    rules = rules or RuleSet()
    dims = rules.get("assessment.dimensions", year)
    cutoffs = rules.get("assessment.grade_cutoffs", year)
    scheme = {
        "year": year,
        "dimensions": [[label, dims.get(label)] for label in ASSESSMENT_DIMENSIONS if label in dims],
        "cutoffs": {label: cutoffs[label] for label in ("好", "较好", "一般") if label in cutoffs},
        "quota_excellent": rules.get("assessment.quota_excellent", year),
    }
    validate_assessment_scheme(scheme, extra_keys=set(dims) - set(ASSESSMENT_DIMENSIONS))
    return scheme


def validate_assessment_scheme(scheme: Mapping, extra_keys: set | None = None) -> None:
    if extra_keys or len(scheme["dimensions"]) != len(ASSESSMENT_DIMENSIONS):
        raise SchemeError("平时考核维度应为德、能、勤、绩、廉五项及其权重")
    validate_weights(scheme["dimensions"], "平时考核")
    cut = scheme["cutoffs"]
    if set(cut) != {"好", "较好", "一般"}:
        raise SchemeError("平时考核等次分数线应包括“好”“较好”“一般”的最低分")
    values = [dec(cut[k]) for k in ("好", "较好", "一般")]
    if any(v < 0 or v > HUNDRED for v in values) or not values[0] > values[1] > values[2]:
        raise SchemeError("平时考核等次分数线应在0至100分之间且逐级降低：好 > 较好 > 一般")
    quota = dec(scheme["quota_excellent"])
    if not Decimal(0) < quota <= 1:
        raise SchemeError("“好”等次比例上限应大于0且不超过1（如0.4表示40%）")


def grade_for(total: Decimal | float | int, cutoffs: Mapping) -> str:
    t = dec(total)
    for label in ("好", "较好", "一般"):
        if t >= dec(cutoffs[label]):
            return GRADE_BY_LABEL[label]
    return Grade.POOR


def excellent_quota_error(scheme: Mapping, grades: list[str]) -> str:
    n = len(grades)
    excellent = sum(1 for g in grades if g == Grade.EXCELLENT)
    limit = allowed_count(n, scheme["quota_excellent"])
    if excellent <= limit:
        return ""
    return (
        f"“好”等次不得超过参加考核人数的{percent(scheme['quota_excellent'])}：本次共考核{n}人，"
        f"最多可确定{limit}人为“好”等次，现为{excellent}人，请调减{excellent - limit}人后再确认。"
    )


@dataclass
class AnnualOutcome:
    code: str  # "excellent" (可评优秀) | "competent" (称职) | "review" (研究确定) | "none"
    label: str
    reason: str
    assessed: int  # quarters with a confirmed grade
    excellent: int


ANNUAL_LABELS = {
    "excellent": "可评优秀",
    "competent": "称职",
    "review": "基本称职或不称职（须研究确定）",
    "none": "暂无结果",
}


def annual_outcome(grades: Iterable[str], rule: Mapping) -> AnnualOutcome:
    """What a year's quarterly grades imply for the annual grade (RULES.md §5).

    优秀 needs 好 in at least `excellent_min_share` of the assessed quarters and none of the
    `excellent_forbidden` grades; `review_poor_count` 较差 or more → 基本称职/不称职 to be decided."""
    grades = [g for g in grades if g]
    n = len(grades)
    excellent = sum(1 for g in grades if g == Grade.EXCELLENT)
    if n == 0:
        return AnnualOutcome("none", ANNUAL_LABELS["none"], "本年度尚无确认的平时考核等次", 0, 0)
    poor = sum(1 for g in grades if g == Grade.POOR)
    forbidden = {GRADE_BY_LABEL.get(label, label) for label in rule.get("excellent_forbidden", [])}
    review_at = int(rule.get("review_poor_count", 2))
    share = dec(rule.get("excellent_min_share", 0.5))
    needed = max(1, math.ceil(share * n))
    if poor >= review_at:
        return AnnualOutcome("review", ANNUAL_LABELS["review"], f"“较差”{poor}次", n, excellent)
    hit = [Grade(g).label for g in GRADE_ORDER if g in forbidden and g in grades]
    if hit:
        return AnnualOutcome(
            "competent", ANNUAL_LABELS["competent"], f"有“{'”“'.join(hit)}”等次，不能评为优秀", n, excellent
        )
    if excellent >= needed:
        return AnnualOutcome(
            "excellent",
            ANNUAL_LABELS["excellent"],
            f"已考核{n}个季度，“好”{excellent}次（须不少于{needed}次）",
            n,
            excellent,
        )
    return AnnualOutcome(
        "competent", ANNUAL_LABELS["competent"], f"已考核{n}个季度，“好”{excellent}次，不足{needed}次", n, excellent
    )
