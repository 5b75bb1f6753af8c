"""Every write for points and the 先锋 selection. One audit entry per service call.

Derived entries are written by the engine (points.sources) as a consequence of the source
record's own service call, which carries the audit entry; the bulk recomputation writes one
audit entry per year.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.concurrency import check_version
from core.rules import RuleSet
from core.workdays import add_working_days, is_working_day, working_days_between
from orgs.models import Department, Organization, Person
from points.models import (
    MANUAL_SOURCE,
    AppraisalGrade,
    EntryKind,
    EntryStatus,
    NominationSource,
    PointEntry,
    RoundStatus,
    VanguardKind,
    VanguardNomination,
    VanguardRound,
)
from points.selectors import ScoreRules, Window, people_in_scope, rule_name, with_scores
from points.sources import derived_rule_codes, recompute_year, scores_refresh

A = audit.register_action
A("points.entry.created", "录入积分加减分")
A("points.entry.approved", "审核通过积分加减分")
A("points.entry.rejected", "退回积分加减分")
A("points.entry.withdrawn", "撤回积分加减分")
A("points.year.recomputed", "重新计算年度积分")
A("points.round.created", "创建先锋评选")
A("points.round.nominated", "按积分提名")
A("points.round.decided", "研究决定先锋人选")
A("points.round.publicized", "发布先锋评选公示")
A("points.round.completed", "公布先锋评选结果")
A("points.nomination.added", "推荐先锋人选")
A("points.nomination.updated", "修改先锋提名")
A("points.nomination.removed", "移除先锋提名")
A("points.nomination.revoked", "取消先锋当选（公示异议成立）")
for _name, _label in (
    ("points", "分值"),
    ("rule_code", "计分规则"),
    ("review_note", "审核意见"),
    ("selected", "当选"),
    ("nominations", "提名"),
    ("quota", "名额"),
    ("notice_start", "公示开始"),
    ("notice_end", "公示结束"),
    ("removed", "删除"),
):
    audit.register_field_label(_name, _label)

# A manual reason that rewards using the software itself is refused (national guidance, 2023).
SOFTWARE_USE_WORDS = ("登录", "在线时长", "打卡", "使用本平台", "使用系统", "点击", "浏览量")


# ---------------------------------------------------------------------- manual entries


def manual_rule_codes(year: int | None = None) -> list[str]:
    """Pricing rules that no registered source applies: offered to the branch for manual entries."""
    from core.models import Rule

    derived = derived_rule_codes()
    rows = Rule.objects.filter(code__startswith="points.", unit__contains="/").values_list("code", flat=True)
    return sorted({c for c in rows if c not in derived})


def _entry_snapshot(entry: PointEntry) -> dict:
    data = audit.snapshot(entry, ["person", "date", "points", "description", "status"])
    if entry.rule_code:
        data["rule_code"] = f"{rule_name(entry.rule_code)}（{entry.rule_code}）"
    return data


def manual_entry_create(
    *,
    actor,
    person: Person,
    date: datetime.date,
    reason: str,
    rule_code: str = "",
    points: int | None = None,
) -> PointEntry:
    """A branch's addition or deduction for one member, pending the committee's approval.

    With a rule (e.g. points.article) the points are the rule's value in that year; without one
    the branch gives the points (non-zero, at most `points.manual_max` either way)."""
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    rules = RuleSet("points.")
    today = timezone.localdate()
    if date is None:
        errors["date"] = "请填写日期"
    elif date > today:
        errors["date"] = "日期不能晚于今天"
    year = date.year if date else today.year
    score_rules = ScoreRules.for_year(year, rules)
    if person.party_status not in score_rules.statuses:
        errors["person"] = f"“{person.name}”的政治面貌为{person.get_party_status_display()}，不参加党员量化积分"
    if not reason:
        errors["reason"] = "请写明加分或扣分的理由"
    elif any(word in reason for word in SOFTWARE_USE_WORDS):
        errors["reason"] = "不得因使用本平台（登录、在线时长、打卡等）计分；积分只记录实际工作和表现"
    if rule_code:
        if rule_code not in manual_rule_codes(year):
            errors["rule_code"] = "该规则由系统根据记录自动计分，不能手工录入"
        else:
            points = int(rules.get(rule_code, year))
    else:
        limit = int(rules.get("points.manual_max", year, default=10))
        if not points:
            errors["points"] = "请填写分值（加分为正数，扣分为负数，不能为0）"
        elif abs(points) > limit:
            errors["points"] = f"单次加减分不超过{limit}分（规则“单次手工加减分上限”）"
    if errors:
        raise ValidationError(errors)
    entry = PointEntry(
        person=person,
        year=date.year,
        date=date,
        points=points,
        kind=EntryKind.MANUAL,
        source=MANUAL_SOURCE,
        rule_code=rule_code,
        description=reason[:200],
        status=EntryStatus.PENDING,
        org_path=person.org_path,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    with transaction.atomic():
        entry.save()
        audit.record(
            actor=actor,
            action="points.entry.created",
            obj=entry,
            organization=person.organization,
            changes=audit.diff({}, _entry_snapshot(entry)),
        )
    return entry


def _locked_pending(entry: PointEntry) -> PointEntry:
    locked = PointEntry.objects.select_for_update().select_related("person__organization").get(pk=entry.pk)
    if locked.kind != EntryKind.MANUAL:
        raise ValidationError("系统计分由记录自动产生，不需要审核")
    if locked.status != EntryStatus.PENDING:
        raise ValidationError(f"该记录当前状态为“{locked.get_status_display()}”，不能再审核或撤回")
    return locked


def _review(*, actor, entry: PointEntry, status: str, note: str, action: str) -> PointEntry:
    with transaction.atomic():
        locked = _locked_pending(entry)
        if getattr(actor, "pk", None) and locked.created_by_id == actor.pk:
            raise ValidationError("录入人不能审核自己录入的加减分，请由机关党委其他管理员审核")
        if getattr(actor, "person_id", None) and actor.person_id == locked.person_id:
            raise ValidationError("不能审核本人的积分")
        before = _entry_snapshot(locked)
        locked.status = status
        locked.reviewed_by = actor if getattr(actor, "pk", None) else None
        locked.reviewed_at = timezone.now()
        locked.review_note = note[:200]
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        changes = audit.diff(before, _entry_snapshot(locked))
        if note:
            changes["review_note"] = [None, note[:200]]
        audit.record(actor=actor, action=action, obj=locked, organization=locked.person.organization, changes=changes)
        scores_refresh([(locked.person_id, locked.year)])
    return locked


def manual_entry_approve(*, actor, entry: PointEntry, note: str = "") -> PointEntry:
    return _review(
        actor=actor,
        entry=entry,
        status=EntryStatus.EFFECTIVE,
        note=(note or "").strip(),
        action="points.entry.approved",
    )


def manual_entry_reject(*, actor, entry: PointEntry, reason: str) -> PointEntry:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回时请写明理由，支部会看到"})
    return _review(actor=actor, entry=entry, status=EntryStatus.REJECTED, note=reason, action="points.entry.rejected")


def manual_entry_withdraw(*, actor, entry: PointEntry) -> PointEntry:
    with transaction.atomic():
        locked = _locked_pending(entry)
        before = _entry_snapshot(locked)
        locked.status = EntryStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="points.entry.withdrawn",
            obj=locked,
            organization=locked.person.organization,
            changes=audit.diff(before, _entry_snapshot(locked)),
        )
    return locked


def year_recompute(*, actor, year: int, sources=None, log=lambda _m: None):
    """Rebuild a year's derived entries and sums (recompute_points); one audit entry."""
    with transaction.atomic():
        result = recompute_year(year, sources=sources, log=log)
        audit.record(
            actor=actor,
            action="points.year.recomputed",
            object_repr=f"{year}年党员积分",
            changes={"removed": [None, result.removed], "created": [None, result.created]},
        )
    return result


# ---------------------------------------------------------------------- 先锋 rounds


def _rules(year: int) -> RuleSet:
    return RuleSet("points.")


def participating_count(organization: Organization, year: int) -> int:
    rules = ScoreRules.for_year(year)
    return Person.objects.filter(org_path__startswith=organization.path, party_status__in=rules.statuses).count()


def default_quota(organization: Organization, year: int, kind: str) -> int:
    rules = _rules(year)
    if kind == VanguardKind.DEPARTMENT:
        return int(rules.get("points.vanguard.department_count", year, default=2))
    ratio = float(rules.get("points.vanguard.member_ratio", year, default=0.1))
    return max(1, math.floor(ratio * participating_count(organization, year)))


ROUND_FIELDS = ["organization", "year", "half", "kind", "title", "quota", "criteria", "status"]


def round_create(
    *,
    actor,
    organization: Organization,
    year: int,
    half: int,
    kind: str,
    title: str = "",
    quota: int | None = None,
    criteria: str = "",
) -> VanguardRound:
    errors = {}
    if half not in (0, 1, 2):
        errors["half"] = "期间应为全年、上半年或下半年"
    if kind not in VanguardKind.values:
        errors["kind"] = "请选择评选类别"
    if year > timezone.localdate().year:
        errors["year"] = "不能评选尚未开始的年度"
    if VanguardRound.objects.filter(organization=organization, year=year, half=half, kind=kind).exists():
        errors["kind"] = "该党组织本期已有同类评选"
    if errors:
        raise ValidationError(errors)
    rnd = VanguardRound(organization=organization, org_path=organization.path, year=year, half=half, kind=kind)
    rnd.title = title.strip() or f"{rnd.period.label}“{VanguardKind(kind).label}”评选"
    rnd.quota = quota if quota else default_quota(organization, year, kind)
    if kind == VanguardKind.DEPARTMENT and not criteria:
        crit = _rules(year).get("points.vanguard.department_criteria", year, default={})
        criteria = (
            f"科室参评党员不少于{crit.get('min_members', 3)}人，党员平均积分不低于{crit.get('min_average', 60)}分；"
            "科室工作实绩突出，无违纪违规情况"
        )
    rnd.criteria = criteria
    rnd.created_by = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        rnd.full_clean(exclude=["org_path"])
        rnd.save()
        audit.record(
            actor=actor,
            action="points.round.created",
            obj=rnd,
            organization=organization,
            changes=audit.diff({}, audit.snapshot(rnd, ROUND_FIELDS)),
        )
    return rnd


def _locked_round(rnd: VanguardRound, *statuses: str, expected_version: int | None = None) -> VanguardRound:
    locked = VanguardRound.objects.select_for_update().select_related("organization").get(pk=rnd.pk)
    check_version(locked, expected_version)
    if statuses and locked.status not in statuses:
        allowed = "、".join(RoundStatus(s).label for s in statuses)
        raise ValidationError(f"评选当前为“{locked.get_status_display()}”，此操作只能在“{allowed}”阶段进行")
    return locked


def _bump(locked: VanguardRound, fields: list[str]) -> list:
    locked.version += 1
    locked.save(update_fields=[*fields, "version"])
    return [locked.version - 1, locked.version]


def latest_appraisal(person: Person, before: datetime.date):
    """The latest 民主评议党员 meeting of the member's organizations (their own or above) on or
    before `before` that the member was on the list of, else of their organizations at all."""
    from meetings.models import Meeting, MeetingKind

    ancestors = [person.org_path[: i + 1] for i, ch in enumerate(person.org_path) if ch == "."]
    qs = Meeting.objects.filter(kind=MeetingKind.APPRAISAL, org_path__in=ancestors, held_on__lte=before).order_by(
        "-held_on", "-id"
    )
    return qs.filter(attendance__person=person).first() or qs.first()


def department_candidates(rnd: VanguardRound) -> list[dict]:
    """Departments with participating members under the round's organization, by average score."""
    from points.selectors import group_averages

    window = Window.of(rnd.period)
    rows = group_averages(None, window, by="department", under=rnd.organization)
    crit = _rules(rnd.year).get("points.vanguard.department_criteria", rnd.year, default={})
    min_members, min_average = int(crit.get("min_members", 3)), float(crit.get("min_average", 0))
    for r in rows:
        r["criteria_met"] = r["members"] >= min_members and (r["average"] or 0) >= min_average
        r["criteria_note"] = (
            f"参评党员{r['members']}人（不少于{min_members}人），平均积分{r['average']}分（不低于{min_average:g}分）"
        )
    return rows


def round_nominate_from_points(*, actor, round: VanguardRound, count: int | None = None) -> int:
    """Nominate from the period's points: members — the `count` best scores (default twice the
    quota) not yet nominated, each with the latest 民主评议 meeting found for them; departments —
    every department with participating members, its average and whether it meets the set
    criteria. Returns how many were added."""
    with transaction.atomic():
        locked = _locked_round(round, RoundStatus.NOMINATING)
        window = Window.of(locked.period)
        existing = locked.nominations.all()
        added: list[VanguardNomination] = []
        if locked.kind == VanguardKind.MEMBER:
            count = count or 2 * locked.quota
            taken = set(existing.values_list("person_id", flat=True))
            people = people_in_scope(None).filter(org_path__startswith=locked.org_path)
            ranked = with_scores(people, window).order_by("-score", "org_path", "id")
            position = 0
            last_score = None
            rank = 0
            for person in ranked[: count + len(taken)]:
                position += 1
                if person.score != last_score:
                    rank, last_score = position, person.score
                if person.pk in taken:
                    continue
                if len(added) >= count:
                    break
                meeting = latest_appraisal(person, window.end)
                added.append(
                    VanguardNomination(
                        round=locked,
                        person=person,
                        org_path=person.org_path,
                        source=NominationSource.POINTS,
                        score=person.score,
                        rank=rank,
                        appraisal_meeting=meeting,
                    )
                )
        else:
            taken = set(existing.values_list("department_id", flat=True))
            depts = {d.pk: d for d in Department.objects.select_related("organization")}
            for r in department_candidates(locked):
                if r["key"] in taken or r["average"] is None:
                    continue
                added.append(
                    _department_nomination(locked, depts[r["key"]], r, NominationSource.POINTS, rank=r["rank"])
                )
        VanguardNomination.objects.bulk_create(added)
        audit.record(
            actor=actor,
            action="points.round.nominated",
            obj=locked,
            organization=locked.organization,
            changes={"nominations": [None, "、".join(n.name for n in added) or "（无新增）"]},
        )
    return len(added)


def _department_nomination(locked: VanguardRound, department, row: dict, source, **extra) -> VanguardNomination:
    """An unsaved 先锋科室 nomination from its department_candidates() row (score = members' average)."""
    return VanguardNomination(
        round=locked,
        department=department,
        org_path=department.organization.path if department.organization_id else locked.org_path,
        source=source,
        score=row["average"],
        members_count=row["members"],
        criteria_met=row["criteria_met"],
        criteria_note=row["criteria_note"],
        **extra,
    )


NOMINATION_FIELDS = ["appraisal_grade", "appraisal_meeting", "criteria_met", "criteria_note", "deeds"]


def nomination_add(*, actor, round: VanguardRound, person: Person | None = None, department=None, deeds: str = ""):
    """A recommended nominee (推荐提名) with their deeds; the score is the period's."""
    with transaction.atomic():
        locked = _locked_round(round, RoundStatus.NOMINATING)
        window = Window.of(locked.period)
        if locked.kind == VanguardKind.MEMBER:
            if person is None:
                raise ValidationError({"person": "请选择党员"})
            if not person.org_path.startswith(locked.org_path):
                raise ValidationError({"person": "只能提名本党组织的党员"})
            if locked.nominations.filter(person=person).exists():
                raise ValidationError({"person": f"“{person.name}”已在提名名单中"})
            scored = with_scores(Person.objects.filter(pk=person.pk), window).first()
            if scored is None:
                raise ValidationError({"person": f"“{person.name}”不参加党员量化积分"})
            nomination = VanguardNomination(
                round=locked,
                person=person,
                org_path=person.org_path,
                source=NominationSource.RECOMMENDED,
                score=scored.score,
                appraisal_meeting=latest_appraisal(person, window.end),
                deeds=deeds.strip(),
            )
        else:
            if department is None:
                raise ValidationError({"department": "请选择科室"})
            if locked.nominations.filter(department=department).exists():
                raise ValidationError({"department": f"“{department.name}”已在提名名单中"})
            row = next((r for r in department_candidates(locked) if r["key"] == department.pk), None)
            if row is None:
                raise ValidationError({"department": f"“{department.name}”在本党组织没有参评党员"})
            nomination = _department_nomination(
                locked, department, row, NominationSource.RECOMMENDED, deeds=deeds.strip()
            )
        nomination.save()
        audit.record(
            actor=actor,
            action="points.nomination.added",
            obj=locked,
            organization=locked.organization,
            changes={"nominations": [None, nomination.name]},
        )
    return nomination


def nomination_update(*, actor, nomination: VanguardNomination, data: dict) -> VanguardNomination:
    """Record the 民主评议 grade (members) or the criteria check (departments), and the deeds."""
    with transaction.atomic():
        rnd = _locked_round(nomination.round, RoundStatus.NOMINATING)
        locked = VanguardNomination.objects.select_for_update().get(pk=nomination.pk)
        fields = [f for f in NOMINATION_FIELDS if f in data]
        before = audit.snapshot(locked, fields)
        for key in fields:
            setattr(locked, key, data[key])
        if locked.appraisal_grade and locked.appraisal_grade not in AppraisalGrade.values:
            raise ValidationError({"appraisal_grade": "民主评议等次应为优秀、合格、基本合格或不合格"})
        changes = audit.diff(before, audit.snapshot(locked, fields))
        if not changes:
            return locked
        locked.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="points.nomination.updated",
            obj=rnd,
            organization=rnd.organization,
            changes={
                f"{locked.name}·{VanguardNomination._meta.get_field(k).verbose_name}": v for k, v in changes.items()
            },
        )
    return locked


def nomination_remove(*, actor, nomination: VanguardNomination) -> None:
    with transaction.atomic():
        rnd = _locked_round(nomination.round, RoundStatus.NOMINATING)
        name = nomination.name
        VanguardNomination.objects.filter(pk=nomination.pk).delete()
        audit.record(
            actor=actor,
            action="points.nomination.removed",
            obj=rnd,
            organization=rnd.organization,
            changes={"nominations": [name, None]},
        )


def round_decide(
    *,
    actor,
    round: VanguardRound,
    selected: Iterable[int],
    decided_on: datetime.date,
    decision_note: str = "",
    expected_version: int | None = None,
) -> VanguardRound:
    """The committee's decision: which nominees are selected (within the quota, each meeting the
    conditions: the 民主评议 grade for members, the set criteria for departments)."""
    selected = set(selected)
    with transaction.atomic():
        locked = _locked_round(round, RoundStatus.NOMINATING, expected_version=expected_version)
        nominations = list(locked.nominations.select_related("person", "department"))
        chosen = [n for n in nominations if n.pk in selected]
        if not chosen:
            raise ValidationError({"selected": "请至少选择一名当选人选"})
        if len(chosen) > locked.quota:
            raise ValidationError({"selected": f"当选{len(chosen)}个，超过名额{locked.quota}个"})
        if decided_on is None or decided_on > timezone.localdate():
            raise ValidationError({"decided_on": "研究决定日期应为今天或之前"})
        problems = []
        if locked.kind == VanguardKind.MEMBER:
            grades = list(_rules(locked.year).get("points.vanguard.eligible_grades", locked.year, default=["优秀"]))
            for n in chosen:
                if n.appraisal_grade not in grades:
                    have = n.appraisal_grade or "未登记"
                    problems.append(f"“{n.name}”的民主评议等次为{have}（须为{'或'.join(grades)}）")
        else:
            for n in chosen:
                if not n.criteria_met:
                    problems.append(f"“{n.name}”未核实符合评选条件")
        if problems:
            raise ValidationError({"selected": "；".join(problems)})
        for n in nominations:
            want = n.pk in selected
            if n.selected != want:
                n.selected = want
                n.save(update_fields=["selected"])
        locked.status = RoundStatus.DECIDED
        locked.decided_on = decided_on
        locked.decision_note = decision_note.strip()[:200]
        version = _bump(locked, ["status", "decided_on", "decision_note"])
        audit.record(
            actor=actor,
            action="points.round.decided",
            obj=locked,
            organization=locked.organization,
            changes={
                "selected": [None, "、".join(n.name for n in chosen)],
                "status": [RoundStatus.NOMINATING.label, RoundStatus.DECIDED.label],
                "version": version,
            },
        )
    return locked


def notice_working_days(start: datetime.date, end: datetime.date) -> int:
    """Working days from `start` to `end`, both included."""
    return int(is_working_day(start)) + working_days_between(start, end)


def notice_end_default(rnd: VanguardRound, start: datetime.date) -> datetime.date:
    """The last day of a 公示 of the rule's working days starting on `start` (holidays skipped)."""
    days = int(_rules(rnd.year).get("points.vanguard.notice_working_days", rnd.year, default=5))
    return add_working_days(start, max(0, days - int(is_working_day(start))))


def round_publish(
    *, actor, round: VanguardRound, notice_start: datetime.date, notice_end: datetime.date | None = None
) -> VanguardRound:
    """Open the 公示: from `notice_start` to `notice_end` (at least the rule's working days)."""
    with transaction.atomic():
        locked = _locked_round(round, RoundStatus.DECIDED)
        if notice_start is None:
            raise ValidationError({"notice_start": "请填写公示开始日期"})
        if locked.decided_on and notice_start < locked.decided_on:
            raise ValidationError({"notice_start": "公示应在研究决定之后开始"})
        notice_end = notice_end or notice_end_default(locked, notice_start)
        days = int(_rules(locked.year).get("points.vanguard.notice_working_days", locked.year, default=5))
        if notice_end < notice_start:
            raise ValidationError({"notice_end": "公示结束日期不能早于开始日期"})
        have = notice_working_days(notice_start, notice_end)
        if have < days:
            raise ValidationError({"notice_end": f"公示期为{have}个工作日，不少于{days}个工作日"})
        locked.status = RoundStatus.PUBLICIZED
        locked.notice_start, locked.notice_end = notice_start, notice_end
        version = _bump(locked, ["status", "notice_start", "notice_end"])
        audit.record(
            actor=actor,
            action="points.round.publicized",
            obj=locked,
            organization=locked.organization,
            changes={
                "notice_start": [None, notice_start.isoformat()],
                "notice_end": [None, notice_end.isoformat()],
                "status": [RoundStatus.DECIDED.label, RoundStatus.PUBLICIZED.label],
                "version": version,
            },
        )
    return locked


def nomination_revoke(*, actor, nomination: VanguardNomination, reason: str) -> VanguardNomination:
    """An objection upheld during the 公示: the nominee is no longer selected."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请写明取消当选的原因"})
    with transaction.atomic():
        rnd = _locked_round(nomination.round, RoundStatus.PUBLICIZED)
        locked = VanguardNomination.objects.select_for_update().get(pk=nomination.pk)
        if not locked.selected:
            raise ValidationError("该提名未当选")
        locked.selected = False
        locked.revoked_reason = reason[:200]
        locked.save(update_fields=["selected", "revoked_reason"])
        audit.record(
            actor=actor,
            action="points.nomination.revoked",
            obj=rnd,
            organization=rnd.organization,
            changes={"selected": [locked.name, None], "reason": [None, reason[:200]]},
        )
    return locked


def round_complete(
    *, actor, round: VanguardRound, completed_on: datetime.date | None = None, result_note: str = ""
) -> VanguardRound:
    """Announce the result once the 公示 period is over."""
    with transaction.atomic():
        locked = _locked_round(round, RoundStatus.PUBLICIZED)
        completed_on = completed_on or timezone.localdate()
        if completed_on <= locked.notice_end:
            end = locked.notice_end
            raise ValidationError({"completed_on": f"公示期至{end.year}年{end.month}月{end.day}日，期满后方可公布结果"})
        if completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "公布日期不能晚于今天"})
        locked.status = RoundStatus.COMPLETED
        locked.completed_on = completed_on
        locked.result_note = (result_note or "公示期内无异议").strip()[:200]
        version = _bump(locked, ["status", "completed_on", "result_note"])
        audit.record(
            actor=actor,
            action="points.round.completed",
            obj=locked,
            organization=locked.organization,
            changes={
                "status": [RoundStatus.PUBLICIZED.label, RoundStatus.COMPLETED.label],
                "result_note": [None, locked.result_note],
                "version": version,
            },
        )
    return locked
