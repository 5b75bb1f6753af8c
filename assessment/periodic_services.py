"""Every write of the quarterly periodic assessment (平时考核). One audit entry each.

Flow: the committee opens a quarter's round for a unit (everyone on its staff list, leaders
included, gets a record; each department gets its head) → each person writes a self-summary
(个人小结) → the department head scores 德、能、勤、绩、廉 (a head's own record, and the records
of people without a department — the bureau's leaders — are scored by the committee) → the
committee reviews (审核: it may set a grade other than the proposed one, with a reason) →
confirms, which is refused if the share of 好 breaks the quota.

Decision: the 好 quota applies to the whole round (the unit's staff), not per department: the
departments have 3–7 people, where 40 % would allow 1 or 2 and make the grade depend on the
department's size rather than on the work.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import (
    DIMENSION_FIELDS,
    AssessmentRecord,
    AssessmentRound,
    AssessmentStatus,
    Grade,
    RecordStatus,
    RoundDepartment,
)
from assessment.scheme import SchemeError, assessment_scheme, dec, excellent_quota_error, grade_for, weighted_total
from assessment.services import _bump, _day  # the same date check and version bump as 评星定级
from core import audit
from core.concurrency import check_version
from core.periods import Period
from core.rules import RuleSet
from orgs.models import Department, Organization, OrgType, Person, Unit

A = audit.register_action
ROUND_OPENED = A("assessment.assessment_round.opened", "开启平时考核")
ROUND_HEADS = A("assessment.assessment_round.heads_set", "指定科室负责人（评分人）")
ROUND_REVIEW = A("assessment.assessment_round.review_started", "提交党委审核")
ROUND_REOPENED = A("assessment.assessment_round.reopened", "退回评分")
ROUND_CONFIRMED = A("assessment.assessment_round.confirmed", "确认平时考核等次")
SUMMARY_SAVED = A("assessment.assessment_record.summary_submitted", "提交平时考核个人小结")
RECORD_SCORED = A("assessment.assessment_record.scored", "平时考核评分")
GRADE_SET = A("assessment.assessment_record.grade_set", "审定平时考核等次")

for _key, _label in {
    "records": "考核人数",
    "departments": "考核科室",
    "grades": "等次分布",
    "heads": "科室负责人",
}.items():
    audit.register_field_label(_key, _label)

HEAD_TITLE_WORDS = ("科长", "主任", "部长", "馆长", "团长")
SCORE_FIELDS = [name for _, name in DIMENSION_FIELDS]


def guess_head(department: Department, people: list[Person]) -> Person | None:
    """The department's head by job title (科长/主任…, not 副): a default the committee can change."""
    for person in people:
        title = person.job_title or ""
        if any(w in title for w in HEAD_TITLE_WORDS) and "副" not in title:
            return person
    return None


def staff_of(unit: Unit):
    """Everyone on the unit's staff list (alive people of the unit), leaders included."""
    return Person.objects.filter(unit=unit).select_related("organization", "department")


@transaction.atomic
def assessment_round_open(
    *,
    actor,
    organization: Organization,
    unit: Unit,
    year: int,
    quarter: int,
    on: datetime.date | None = None,
) -> AssessmentRound:
    on = _day(on)
    if organization.org_type != OrgType.COMMITTEE:
        raise ValidationError({"organization": "平时考核由机关党委组织开展"})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "季度应为1至4"})
    period = Period.quarter(int(year), int(quarter))
    if period.start > on:
        raise ValidationError({"quarter": f"{period.label}尚未开始，不能开展考核"})
    if AssessmentRound.objects.filter(unit=unit, year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": f"{unit.name}{period.label}平时考核已开启，不能重复开启"})
    try:
        scheme = assessment_scheme(int(year), RuleSet())
    except SchemeError as exc:
        raise ValidationError(f"{year}年度平时考核方案有误：{exc}。请在“规则配置”中修改后再开启。") from None
    people = list(staff_of(unit).order_by("department__sort_order", "-is_leader", "name", "pk"))
    if not people:
        raise ValidationError({"unit": f"{unit.name}的人员名单为空，请先在“人员”中登记"})
    rnd = AssessmentRound.objects.create(
        organization=organization,
        org_path=organization.path,
        unit=unit,
        year=year,
        quarter=quarter,
        scheme=scheme,
        opened_on=on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # Heads: as in the unit's previous round, else guessed from job titles.
    last = AssessmentRound.objects.filter(unit=unit).exclude(pk=rnd.pk).order_by("-year", "-quarter").first()
    previous_heads = dict(last.departments.values_list("department_id", "head_id")) if last else {}
    by_department: dict[int, list[Person]] = {}
    for p in people:
        if p.department_id:
            by_department.setdefault(p.department_id, []).append(p)
    departments = Department.objects.filter(pk__in=by_department).order_by("sort_order", "pk")
    round_departments = {}
    for d in departments:
        head_id = previous_heads.get(d.pk)
        if head_id is None or head_id not in {p.pk for p in by_department[d.pk]}:
            head = guess_head(d, by_department[d.pk])
            head_id = head.pk if head else None
        round_departments[d.pk] = RoundDepartment.objects.create(round=rnd, department=d, head_id=head_id)
    AssessmentRecord.objects.bulk_create(
        [
            AssessmentRecord(
                round=rnd,
                person=p,
                department=p.department,
                round_department=round_departments.get(p.department_id),
                organization=p.organization,
                org_path=p.org_path or p.organization.path,
                year=year,
                quarter=quarter,
                is_leader=p.is_leader,
                job_title=p.job_title,
            )
            for p in people
        ]
    )
    audit.record(
        actor=actor,
        action=ROUND_OPENED,
        obj=rnd,
        organization=organization,
        changes={
            "year": [None, year],
            "quarter": [None, period.label],
            "records": [None, len(people)],
            "departments": [None, len(round_departments)],
        },
    )
    return rnd


def _lock_round(rnd: AssessmentRound) -> AssessmentRound:
    return AssessmentRound.objects.select_for_update().select_related("organization", "unit").get(pk=rnd.pk)


@transaction.atomic
def assessment_heads_set(*, actor, round: AssessmentRound, heads: Mapping[int, Person | None]):  # noqa: A002
    """Name the head (scorer) of each department: {RoundDepartment pk: person or None}."""
    rnd = _lock_round(round)
    if rnd.status == AssessmentStatus.CONFIRMED:
        raise ValidationError("考核等次已确认，不能再更改评分人")
    rows = {rd.pk: rd for rd in rnd.departments.select_related("department", "head")}
    changes: dict[str, list] = {}
    changed = []
    for pk, person in heads.items():
        rd = rows.get(int(pk))
        if rd is None:
            raise ValidationError("科室不属于本次考核")
        if person is not None and person.department_id != rd.department_id:
            raise ValidationError(f"“{person.name}”不是{rd.department.name}的人员，不能担任该科室评分人")
        if rd.head_id == (person.pk if person else None):
            continue
        changes[rd.department.name] = [rd.head.name if rd.head else None, person.name if person else None]
        rd.head = person
        changed.append(rd)
    if not changes:
        return rnd
    RoundDepartment.objects.bulk_update(changed, ["head"])
    _bump(rnd, changes)
    rnd.save(update_fields=["version"])
    audit.record(actor=actor, action=ROUND_HEADS, obj=rnd, organization=rnd.organization, changes=changes)
    return rnd


def _lock_record(record: AssessmentRecord) -> tuple[AssessmentRound, AssessmentRecord]:
    rnd = _lock_round(record.round)
    locked = (
        AssessmentRecord.objects.select_for_update(of=("self",))
        .select_related("person", "organization", "round_department")
        .get(pk=record.pk)
    )
    locked.round = rnd
    return rnd, locked


@transaction.atomic
def assessment_summary_submit(
    *,
    actor,
    record: AssessmentRecord,
    summary: str,
    on_behalf: bool = False,
    expected_version: int | None = None,
) -> AssessmentRecord:
    """The staff member's own 个人小结 (may be revised until the record is scored).

    `on_behalf`: the committee records a summary handed in on paper by someone without an
    account (the caller has checked that the actor administers the round)."""
    rnd, locked = _lock_record(record)
    check_version(locked, expected_version)
    if not on_behalf and getattr(actor, "person_id", None) != locked.person_id:
        raise ValidationError("个人小结须由本人填写")
    if rnd.status != AssessmentStatus.OPEN:
        raise ValidationError(f"{rnd.label}平时考核已进入“{rnd.get_status_display()}”阶段，不能再修改个人小结")
    if locked.status not in (RecordStatus.PENDING_SUMMARY, RecordStatus.PENDING_SCORE):
        raise ValidationError("已评分，个人小结不能再修改")
    summary = (summary or "").strip()
    if len(summary) < 10:
        raise ValidationError({"summary": "请填写个人小结（不少于10个字）：本季度主要工作、完成情况和不足"})
    before = audit.snapshot(locked, ["summary", "status"])
    locked.summary = summary
    locked.summary_at = timezone.now()
    locked.status = RecordStatus.PENDING_SCORE
    changes = audit.diff(before, audit.snapshot(locked, ["summary", "status"]))
    if not changes:
        return locked
    _bump(locked, changes)
    locked.save(update_fields=["summary", "summary_at", "status", "version"])
    audit.record(actor=actor, action=SUMMARY_SAVED, obj=locked, organization=locked.organization, changes=changes)
    return locked


def scorer_kind(record: AssessmentRecord) -> str:
    """ "head" if the department head scores this record, "committee" otherwise (leaders
    without a department, a head's own record, a department without a head)."""
    rd = record.round_department
    if rd is None or rd.head_id is None or rd.head_id == record.person_id:
        return "committee"
    return "head"


@transaction.atomic
def assessment_record_score(
    *,
    actor,
    record: AssessmentRecord,
    scores: Mapping[str, Any],
    comment: str = "",
    as_committee: bool = False,
    expected_version: int | None = None,
) -> AssessmentRecord:
    """德能勤绩廉 scores (0–100 each), the weighted total and the proposed grade from the cut-offs.

    `as_committee`: the caller (a view) has checked that the actor administers the round."""
    rnd, locked = _lock_record(record)
    check_version(locked, expected_version)
    if rnd.status != AssessmentStatus.OPEN:
        raise ValidationError(f"{rnd.label}平时考核已进入“{rnd.get_status_display()}”阶段，不能再评分")
    if locked.status == RecordStatus.PENDING_SUMMARY:
        raise ValidationError(f"{locked.person.name}尚未提交个人小结，提交后方可评分")
    kind = scorer_kind(locked)
    person_id = getattr(actor, "person_id", None)
    if kind == "head" and not as_committee and locked.round_department.head_id != person_id:
        raise ValidationError("只有本科室负责人可以评分")
    if kind == "committee" and not as_committee:
        raise ValidationError("该人员的平时考核由机关党委录入评分")
    if person_id and person_id == locked.person_id:
        raise ValidationError("不能为本人评分")
    clean = {}
    for label, name in DIMENSION_FIELDS:
        value = scores.get(name, scores.get(label))
        if value in (None, ""):
            raise ValidationError({name: f"请填写“{label}”的得分"})
        try:
            d = dec(value)
        except SchemeError as exc:
            raise ValidationError({name: str(exc)}) from None
        if d < 0 or d > 100:
            raise ValidationError({name: f"“{label}”的得分应在0至100分之间"})
        clean[name] = d.quantize(dec("0.01"))
    total = weighted_total({label: clean[name] for label, name in DIMENSION_FIELDS}, rnd.scheme["dimensions"])
    fields = [*SCORE_FIELDS, "total", "proposed_grade", "comment", "status"]
    before = audit.snapshot(locked, fields)
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.total = total
    locked.proposed_grade = grade_for(total, rnd.scheme["cutoffs"])
    locked.comment = (comment or "").strip()
    locked.status = RecordStatus.SCORED
    changes = audit.diff(before, audit.snapshot(locked, fields))
    if not changes:
        return locked
    locked.scored_by = actor if getattr(actor, "pk", None) else None
    locked.scored_at = timezone.now()
    _bump(locked, changes)
    locked.save(update_fields=[*fields, "scored_by", "scored_at", "version"])
    audit.record(actor=actor, action=RECORD_SCORED, obj=locked, organization=locked.organization, changes=changes)
    return locked


@transaction.atomic
def assessment_round_review(*, actor, round: AssessmentRound, on: datetime.date | None = None):  # noqa: A002
    """Hand the scored round to the committee for review: everyone must be scored."""
    on = _day(on)
    rnd = _lock_round(round)
    if rnd.status != AssessmentStatus.OPEN:
        raise ValidationError(f"{rnd.label}平时考核处于“{rnd.get_status_display()}”阶段")
    missing = list(
        rnd.records.exclude(status=RecordStatus.SCORED)
        .order_by("department__sort_order", "person__name")
        .values_list("person__name", "status")
    )
    if missing:
        no_summary = [n for n, s in missing if s == RecordStatus.PENDING_SUMMARY]
        no_score = [n for n, s in missing if s == RecordStatus.PENDING_SCORE]
        parts = []
        if no_summary:
            parts.append(f"{len(no_summary)}人未提交个人小结（{_names(no_summary)}）")
        if no_score:
            parts.append(f"{len(no_score)}人未评分（{_names(no_score)}）")
        raise ValidationError("尚不能提交审核：" + "，".join(parts) + "。")
    rnd.status = AssessmentStatus.REVIEW
    rnd.review_on = on
    changes = {"status": ["小结与评分", "党委审核"]}
    _bump(rnd, changes)
    rnd.save(update_fields=["status", "review_on", "version"])
    audit.record(actor=actor, action=ROUND_REVIEW, obj=rnd, organization=rnd.organization, changes=changes)
    return rnd


def _names(names: list[str], limit: int = 8) -> str:
    shown = "、".join(names[:limit])
    return shown + (f"等{len(names)}人" if len(names) > limit else "")


@transaction.atomic
def assessment_round_reopen(*, actor, round: AssessmentRound, reason: str):  # noqa: A002
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回理由"})
    rnd = _lock_round(round)
    if rnd.status != AssessmentStatus.REVIEW:
        raise ValidationError("只有审核中的考核可以退回评分")
    rnd.status = AssessmentStatus.OPEN
    rnd.review_on = None
    changes = {"status": ["党委审核", "小结与评分"], "reason": [None, reason]}
    _bump(rnd, changes)
    rnd.save(update_fields=["status", "review_on", "version"])
    audit.record(actor=actor, action=ROUND_REOPENED, obj=rnd, organization=rnd.organization, changes=changes)
    return rnd


@transaction.atomic
def assessment_grade_set(
    *, actor, record: AssessmentRecord, grade: str, reason: str = "", expected_version: int | None = None
) -> AssessmentRecord:
    """The committee's grade for one record during review ("" = as proposed)."""
    rnd, locked = _lock_record(record)
    check_version(locked, expected_version)
    if rnd.status != AssessmentStatus.REVIEW:
        raise ValidationError("只有在党委审核阶段可以调整等次")
    if grade and grade not in Grade.values:
        raise ValidationError({"grade": "等次无效"})
    if grade == locked.proposed_grade:
        grade = ""
    reason = (reason or "").strip()
    if grade and not reason:
        raise ValidationError({"grade_reason": "调整等次须填写理由"})
    before = audit.snapshot(locked, ["grade", "grade_reason"])
    locked.grade = grade
    locked.grade_reason = reason if grade else ""
    changes = audit.diff(before, audit.snapshot(locked, ["grade", "grade_reason"]))
    if not changes:
        return locked
    _bump(locked, changes)
    locked.save(update_fields=["grade", "grade_reason", "version"])
    audit.record(actor=actor, action=GRADE_SET, obj=locked, organization=locked.organization, changes=changes)
    return locked


def grade_distribution(grades: Iterable[str]) -> dict[str, int]:
    counts = Counter(grades)
    return {g.value: counts.get(g.value, 0) for g in Grade}


def distribution_text(dist: Mapping[str, int]) -> str:
    return "，".join(f"“{Grade(g).label}”{n}人" for g, n in dist.items() if n) or "无"


@transaction.atomic
def assessment_round_confirm(*, actor, round: AssessmentRound, on: datetime.date | None = None):  # noqa: A002
    """Confirm every grade (the committee's, else the proposed one). Refused, with the numbers,
    if the share of 好 breaks the quota."""
    on = _day(on)
    rnd = _lock_round(round)
    if rnd.status != AssessmentStatus.REVIEW:
        raise ValidationError("考核须先提交党委审核，审核后方可确认等次")
    records = list(rnd.records.select_for_update(of=("self",)).order_by("pk"))
    grades = [r.grade or r.proposed_grade for r in records]
    error = excellent_quota_error(rnd.scheme, grades)
    if error:
        raise ValidationError(error)
    for r, g in zip(records, grades, strict=True):
        r.final_grade = g
        r.status = RecordStatus.CONFIRMED
        r.version += 1
    AssessmentRecord.objects.bulk_update(records, ["final_grade", "status", "version"])
    rnd.status = AssessmentStatus.CONFIRMED
    rnd.confirmed_on = on
    changes = {"status": ["党委审核", "已确认"], "grades": [None, distribution_text(grade_distribution(grades))]}
    _bump(rnd, changes)
    rnd.save(update_fields=["status", "confirmed_on", "version"])
    audit.record(actor=actor, action=ROUND_CONFIRMED, obj=rnd, organization=rnd.organization, changes=changes)
    return rnd
