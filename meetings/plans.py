"""年度组织生活计划: generated from the obligations, then edited by the branch.

Every write is one service call with one audit entry. Reads for the plan pages
(`plan_progress`) match each planned item with a meeting held in the same rule period.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.periods import Period
from core.rules import RuleSet
from meetings.models import LifePlan, LifePlanItem, Meeting, MeetingKind
from meetings.obligations import (
    FREQ_WORDS,
    KIND_LABELS,
    OWING_TYPES,
    compute,
    frequencies,
    owes_kind,
    sort_key,
    targets_within,
)
from orgs.models import Organization, OrgType

A = audit.register_action
GENERATED = A("meetings.plan.generated", "生成年度组织生活计划")
ITEM_ADDED = A("meetings.plan.item_added", "添加计划事项")
ITEM_UPDATED = A("meetings.plan.item_updated", "修改计划事项")
ITEM_DELETED = A("meetings.plan.item_deleted", "删除计划事项")

ITEM_FIELDS = ["kind", "planned_on", "topic", "note"]
MIN_YEAR = 2018  # 《中国共产党支部工作条例（试行）》


def _check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not MIN_YEAR <= year <= this_year + 1:
        raise ValidationError({"year": f"年度应在{MIN_YEAR}年至{this_year + 1}年之间"})


def life_plan_generate(*, actor, organization: Organization, year: int) -> LifePlan:
    """Create the year's plan with one item per meeting the rules require (dates = due dates)."""
    year = int(year)
    _check_year(year)
    if organization.org_type not in OWING_TYPES:
        raise ValidationError({"organization": "党小组的组织生活列入所在党支部的计划，请为党支部生成计划"})
    rules = RuleSet()
    today = timezone.localdate()
    obligations = sorted(
        compute([organization], targets_within(Period.parse(str(year)), rules), today, rules), key=sort_key
    )
    if not obligations:
        raise ValidationError(f"按现行规则和组织设置，{organization.name}{year}年度没有需要列入计划的组织生活")
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        if LifePlan.objects.filter(organization=locked, year=year).exists():
            raise ValidationError(f"{organization.name}{year}年度组织生活计划已存在，请在原计划上修改")
        plan = LifePlan.objects.create(organization=locked, year=year, notes="根据组织生活规则自动生成，可按实际修改。")
        items = []
        for o in obligations:
            for i in range(o.required):
                note = f"{o.rule_text}（{o.period.label}）"
                if o.required > 1:
                    note += f"第{i + 1}次"
                items.append(LifePlanItem(plan=plan, kind=o.kind, planned_on=o.due_on, note=note[:200]))
        LifePlanItem.objects.bulk_create(items)
        audit.record(
            actor=actor,
            action=GENERATED,
            obj=plan,
            organization=locked,
            changes={"year": [None, year], "items": [None, f"{len(items)}项"]},
        )
    return plan


def _validate_item(plan: LifePlan, item: LifePlanItem) -> None:
    errors: dict[str, str] = {}
    if item.kind not in MeetingKind.values:
        errors["kind"] = "请选择会议类型"
    elif not owes_kind(plan.organization, item.kind):
        errors["kind"] = f"{plan.organization.name}不召开{KIND_LABELS[item.kind]}"
    elif item.kind == MeetingKind.BRANCH_COMMITTEE and not plan.organization.has_committee:
        errors["kind"] = "该党组织未设立支部委员会，不召开支委会"
    elif item.kind == MeetingKind.CELL and not plan.organization.has_cells:
        errors["kind"] = "该党组织未设立党小组，不召开党小组会"
    if not item.planned_on:
        errors["planned_on"] = "请填写计划日期"
    elif item.planned_on.year != plan.year:
        errors["planned_on"] = f"计划日期应在{plan.year}年内"
    if errors:
        raise ValidationError(errors)


def life_plan_item_add(*, actor, plan: LifePlan, data: dict[str, Any]) -> LifePlanItem:
    item = LifePlanItem(plan=plan, **{k: v for k, v in data.items() if k in ITEM_FIELDS})
    item.topic = (item.topic or "").strip()
    item.note = (item.note or "").strip()
    _validate_item(plan, item)
    with transaction.atomic():
        item.full_clean()
        item.save()
        audit.record(
            actor=actor,
            action=ITEM_ADDED,
            obj=item,
            organization=plan.organization,
            changes=audit.diff({}, audit.snapshot(item, ITEM_FIELDS)),
        )
    return item


def life_plan_item_update(*, actor, item: LifePlanItem, data: dict[str, Any]) -> LifePlanItem:
    with transaction.atomic():
        locked = LifePlanItem.objects.select_for_update().select_related("plan__organization").get(pk=item.pk)
        before = audit.snapshot(locked, ITEM_FIELDS)
        for key, value in data.items():
            if key in ITEM_FIELDS:
                setattr(locked, key, value.strip() if isinstance(value, str) else value)
        _validate_item(locked.plan, locked)
        changes = audit.diff(before, audit.snapshot(locked, ITEM_FIELDS))
        if not changes:
            return locked
        locked.full_clean()
        locked.save(update_fields=[f for f in ITEM_FIELDS if f in changes])
        audit.record(
            actor=actor, action=ITEM_UPDATED, obj=locked, organization=locked.plan.organization, changes=changes
        )
    return locked


def life_plan_item_delete(*, actor, item: LifePlanItem) -> None:
    with transaction.atomic():
        locked = LifePlanItem.objects.select_for_update().select_related("plan__organization").get(pk=item.pk)
        before = audit.snapshot(locked, ITEM_FIELDS)
        org = locked.plan.organization
        text = f"{locked.plan}：{locked}"
        audit.record(
            actor=actor,
            action=ITEM_DELETED,
            obj=locked,
            organization=org,
            changes={k: [v, None] for k, v in before.items() if v not in (None, "")},
            object_repr=text,
        )
        locked.delete()


# ---------------------------------------------------------------- reads for the plan pages


class ItemProgress:
    """A planned item with the meeting that fulfils it (same kind, same rule period), if any."""

    def __init__(self, item: LifePlanItem, period: Period, meeting: Meeting | None, today: datetime.date):
        self.item = item
        self.period = period
        self.meeting = meeting
        if meeting is not None:
            self.state, self.state_label = "done", "已召开"
        elif period.end < today:
            self.state, self.state_label = "overdue", "未召开"
        elif item.planned_on < today:
            self.state, self.state_label = "due", "待召开"
        else:
            self.state, self.state_label = "planned", "计划中"


def plan_progress(plan: LifePlan, today: datetime.date | None = None) -> list[ItemProgress]:
    """Each item of the plan, matched one to one with the meetings of its kind held in its rule
    period (the month for monthly kinds, the quarter, the year…), in date order. Two queries."""
    today = today or timezone.localdate()
    items = list(plan.items.all())
    org = plan.organization
    year_period = Period.parse(str(plan.year))
    period_kind = {f.kind: f.period for f in frequencies(RuleSet("meeting.freq."), plan.year)}
    meetings = (
        Meeting.objects.filter(held_on__gte=year_period.start, held_on__lte=year_period.end)
        .filter(org_path__startswith=org.path)
        .select_related("organization")
        .order_by("held_on", "id")
    )
    pool: dict[tuple[str, Period], list[Meeting]] = defaultdict(list)
    for m in meetings:
        owner = m.organization.parent_id if m.organization.org_type == OrgType.CELL else m.organization_id
        if owner != org.pk:
            continue
        pool[(m.kind, Period.containing(period_kind.get(m.kind, "month"), m.held_on))].append(m)
    result = []
    for item in sorted(items, key=lambda i: (i.planned_on, i.pk)):
        period = Period.containing(period_kind.get(item.kind, "month"), item.planned_on)
        candidates = pool.get((item.kind, period))
        meeting = candidates.pop(0) if candidates else None
        result.append(ItemProgress(item, period, meeting, today))
    return result


def plan_summary(progress: list[ItemProgress]) -> dict[str, int]:
    return {
        "total": len(progress),
        "done": sum(p.state == "done" for p in progress),
        "overdue": sum(p.state == "overdue" for p in progress),
    }


def kind_help(organization: Organization, year: int) -> list[str]:
    """Rule texts for the form's help, e.g. ["支委会：每月至少1次", …] for what the organization owes."""
    result = []
    for f in frequencies(RuleSet("meeting.freq."), year):
        if not owes_kind(organization, f.kind):
            continue
        if f.requires == "committee" and not organization.has_committee:
            continue
        if f.requires == "cells" and not organization.has_cells:
            continue
        result.append(f"{KIND_LABELS[f.kind]}：{FREQ_WORDS.get(f.period, '')}至少{f.min}次")
    return result
