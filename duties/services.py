"""Every write of the responsibility area and the duty catalogue. One audit entry per call.

All models share one life cycle (create, update, soft delete, restore), so the writes go through
four generic functions driven by a `WriteSpec` per model — the fields the audit entry records,
the many-to-many fields, how derived columns are filled (org_path, period dates, the next 序号)
and the model's rules (`validate_*`, raising a Chinese ValidationError; nothing is written then).
The named functions below (`item_create`, `evidence_add`, …) are what views, imports, the demo
and tests call. Flowchart steps are saved as a whole (`flowchart_set_steps`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from core import audit
from core.concurrency import check_version
from core.events import record_changed
from core.periods import Period, PeriodError
from core.rules import rule
from core.scope import policy_for
from core.services import restore as _core_restore  # noqa: F401 (registers core.object.restored)
from duties.models import (
    BoundaryDivision,
    ControlMeasure,
    DualResponsibility,
    Frequency,
    IntegrityRisk,
    LeaderLiaison,
    LiaisonActivity,
    PostDuty,
    PostRiskPoint,
    ResponsibilityEvidence,
    ResponsibilityItem,
    StepKind,
    WorkflowChart,
    WorkflowStep,
    WorkTask,
)
from orgs.models import OrgType

BRANCH_TYPES = (OrgType.BRANCH, OrgType.GENERAL_BRANCH, OrgType.JOINT_BRANCH)
DEFAULT_RISK_LEVELS = ["高", "中", "低"]


# ---------------------------------------------------------------------- rules


def risk_levels(year: int | None = None) -> list[str]:
    """The risk levels in force (rule duties.risk.levels), highest first."""
    year = year or timezone.localdate().year
    levels = rule("duties.risk.levels", year, default=DEFAULT_RISK_LEVELS)
    return [str(v) for v in levels] or DEFAULT_RISK_LEVELS


def risk_level_guide(year: int | None = None) -> dict[str, str]:
    year = year or timezone.localdate().year
    guide = rule("duties.risk.level_guide", year, default={})
    return guide if isinstance(guide, dict) else {}


def _check_level(level: str, errors: dict) -> None:
    levels = risk_levels()
    if level not in levels:
        errors["level"] = f"风险等级应为：{'、'.join(levels)}（可在“规则配置”中调整）"


# ---------------------------------------------------------------------- per-model rules


def frequency_period(frequency: str, code: str) -> Period:
    """The evidence period `code` checked against the item's frequency; ValidationError if wrong."""
    try:
        period = Period.parse(code)
    except PeriodError as exc:
        raise ValidationError({"period_code": str(exc)}) from None
    if period.kind == "custom":
        raise ValidationError({"period_code": "期间应为年、半年、季度或月，如 2022、2022H1、2022Q2、2022-05"})
    if frequency != Frequency.ONCE and period.kind != frequency:
        example = {"month": "2022-05", "quarter": "2022Q2", "half": "2022H1", "year": "2022"}[frequency]
        label = Frequency(frequency).label
        raise ValidationError({"period_code": f"该责任项目{label}落实一次，期间应填写为如 {example} 的格式"})
    return period


def validate_item(item: ResponsibilityItem, m2m: dict) -> None:
    from core.stats import get_statistic

    errors = {}
    if item.derived_from:
        try:
            get_statistic(item.derived_from)
        except KeyError:
            errors["derived_from"] = f"系统中没有统计项目“{item.derived_from}”"
        if item.frequency == Frequency.ONCE:
            errors["derived_from"] = "一次性事项请登记佐证，不能自动取数"
    if errors:
        raise ValidationError(errors)


def prepare_item(item: ResponsibilityItem) -> None:
    from duties.models import Subject

    item.org_path = item.organization.path
    item.subject_rank = Subject.values.index(item.subject) if item.subject in Subject.values else 99


def validate_evidence(ev: ResponsibilityEvidence, m2m: dict) -> None:
    item = ev.item
    if item.deleted_at is not None:
        raise ValidationError({"item": "该责任项目已删除"})
    period = frequency_period(item.frequency, ev.period_code)
    today = timezone.localdate()
    errors = {}
    if period.start > today:
        errors["period_code"] = f"{period.label}尚未开始，不能登记落实佐证"
    if ev.done_on:
        if ev.done_on > today:
            errors["done_on"] = "落实日期不能晚于今天"
        elif item.frequency != Frequency.ONCE and ev.done_on not in period:
            errors["done_on"] = f"落实日期应在{period.label}内（{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}）"
    if not (ev.note or "").strip():
        errors["note"] = "请填写落实情况"
    if errors:
        raise ValidationError(errors)


def prepare_evidence(ev: ResponsibilityEvidence) -> None:
    period = frequency_period(ev.item.frequency, ev.period_code)
    ev.period_code = period.code
    ev.period_start, ev.period_end = period.start, period.end
    ev.org_path = ev.item.org_path


def validate_dual(dual: DualResponsibility, m2m: dict) -> None:
    errors = {}
    person = dual.person
    if not (person.is_leadership_member or person.is_leader):
        errors["person"] = f"“{person.name}”不是班子成员：请先在人员档案中勾选“党组成员”或“领导干部”"
    if dual.valid_to and dual.valid_to < dual.valid_from:
        errors["valid_to"] = "截止日期不能早于起始日期"
    if errors:
        raise ValidationError(errors)


def prepare_org(obj) -> None:
    obj.org_path = obj.organization.path


def validate_liaison(liaison: LeaderLiaison, m2m: dict) -> None:
    errors = {}
    if liaison.branch.org_type not in BRANCH_TYPES:
        errors["branch"] = "联系对象应为党支部、党总支或联合党支部"
    leader = liaison.leader
    if not (leader.is_leader or leader.is_leadership_member):
        errors["leader"] = f"“{leader.name}”不是领导干部：请先在人员档案中勾选“领导干部”或“党组成员”"
    if liaison.end_on and liaison.end_on < liaison.start_on:
        errors["end_on"] = "结束日期不能早于开始日期"
    if not errors:
        overlap = LeaderLiaison.objects.filter(leader=liaison.leader, branch=liaison.branch).exclude(pk=liaison.pk)
        overlap = overlap.filter(models.Q(end_on__isnull=True) | models.Q(end_on__gte=liaison.start_on))
        if liaison.end_on:
            overlap = overlap.filter(start_on__lte=liaison.end_on)
        first = overlap.first()
        if first is not None:
            errors["branch"] = f"{leader.name}已联系{liaison.branch.name}（{first.start_on:%Y-%m-%d}起），期间不能重叠"
    if errors:
        raise ValidationError(errors)


def prepare_liaison(liaison: LeaderLiaison) -> None:
    liaison.org_path = liaison.branch.path


def validate_activity(activity: LiaisonActivity, m2m: dict) -> None:
    liaison = activity.liaison
    errors = {}
    if liaison.deleted_at is not None:
        errors["liaison"] = "该联系点已删除"
    elif activity.held_on > timezone.localdate():
        errors["held_on"] = "活动日期不能晚于今天"
    elif activity.held_on < liaison.start_on or (liaison.end_on and activity.held_on > liaison.end_on):
        end = f"{liaison.end_on:%Y-%m-%d}" if liaison.end_on else "今"
        errors["held_on"] = f"活动日期应在联系期间内（{liaison.start_on:%Y-%m-%d} 至 {end}）"
    if errors:
        raise ValidationError(errors)


def prepare_activity(activity: LiaisonActivity) -> None:
    activity.org_path = activity.liaison.org_path


def validate_risk(risk: IntegrityRisk, m2m: dict) -> None:
    errors: dict = {}
    _check_level(risk.level, errors)
    if errors:
        raise ValidationError(errors)


def validate_division(division: BoundaryDivision, m2m: dict) -> None:
    assisting = m2m.get("assisting_departments")
    if assisting is None and division.pk:
        assisting = list(division.assisting_departments.all())
    if any(d.pk == division.lead_department_id for d in assisting or ()):
        raise ValidationError({"assisting_departments": "牵头科室不能同时是配合科室"})


def validate_chart(chart: WorkflowChart, m2m: dict) -> None:
    same = WorkflowChart.objects.filter(department_id=chart.department_id, name=chart.name.strip()).exclude(pk=chart.pk)
    if same.exists():
        raise ValidationError({"name": f"{chart.department}已有名为“{chart.name}”的流程图"})


def validate_post_risk(risk: PostRiskPoint, m2m: dict) -> None:
    errors: dict = {}
    _check_level(risk.level, errors)
    if errors:
        raise ValidationError(errors)


def validate_measure(measure: ControlMeasure, m2m: dict) -> None:
    if measure.risk_point.deleted_at is not None:
        raise ValidationError({"risk_point": "该岗位风险点已删除"})


def _nothing(obj, m2m=None) -> None:
    return None


# ---------------------------------------------------------------------- write specs


@dataclass(frozen=True)
class WriteSpec:
    model: type[models.Model]
    code: str  # audit action prefix: duties.<code>.created
    label: str
    fields: tuple[str, ...]
    m2m: tuple[str, ...] = ()
    prepare: Callable = _nothing
    validate: Callable = _nothing
    derived: tuple[str, ...] = ()  # columns filled by `prepare`, saved with the fields
    order_within: tuple[str, ...] = ()  # the 序号 counts within these fields (empty: no 序号)
    verbs: dict[str, str] = field(default_factory=dict)

    def action(self, verb: str) -> str:
        return f"duties.{self.code}.{verb}"


SPECS: dict[type[models.Model], WriteSpec] = {}


def _spec(spec: WriteSpec) -> WriteSpec:
    SPECS[spec.model] = spec
    words = {"created": "登记", "updated": "修改", "deleted": "删除", "imported": "导入", "exported": "导出"}
    for verb, word in words.items():
        suffix = "（移入回收站）" if verb == "deleted" else ""
        audit.register_action(spec.action(verb), spec.verbs.get(verb, f"{word}{spec.label}{suffix}"))
    return spec


ITEM = _spec(
    WriteSpec(
        ResponsibilityItem,
        "item",
        "主体责任清单项目",
        ("organization", "subject", "content", "frequency", "order", "derived_from"),
        prepare=prepare_item,
        validate=validate_item,
        derived=("org_path", "subject_rank"),
        order_within=("organization",),
    )
)
EVIDENCE = _spec(
    WriteSpec(
        ResponsibilityEvidence,
        "evidence",
        "落实佐证",
        ("item", "period_code", "done_on", "note"),
        prepare=prepare_evidence,
        validate=validate_evidence,
        derived=("org_path", "period_start", "period_end"),
    )
)
DUAL = _spec(
    WriteSpec(
        DualResponsibility,
        "dual",
        "一岗双责",
        ("person", "organization", "areas", "duties", "valid_from", "valid_to"),
        m2m=("departments", "units"),
        prepare=prepare_org,
        validate=validate_dual,
        derived=("org_path",),
    )
)
LIAISON = _spec(
    WriteSpec(
        LeaderLiaison,
        "liaison",
        "联系支部",
        ("leader", "branch", "start_on", "end_on", "note"),
        prepare=prepare_liaison,
        validate=validate_liaison,
        derived=("org_path",),
    )
)
ACTIVITY = _spec(
    WriteSpec(
        LiaisonActivity,
        "activity",
        "联系支部活动",
        ("liaison", "held_on", "kind", "content"),
        prepare=prepare_activity,
        validate=validate_activity,
        derived=("org_path",),
    )
)
RISK = _spec(
    WriteSpec(
        IntegrityRisk,
        "risk",
        "廉政风险点",
        (
            "organization",
            "order",
            "area",
            "department",
            "unit",
            "post",
            "category",
            "risk_point",
            "manifestation",
            "level",
            "measures",
            "responsible_person",
            "responsible_leader",
            "indicator",
        ),
        prepare=prepare_org,
        validate=validate_risk,
        derived=("org_path",),
        order_within=("organization",),
    )
)
TASK = _spec(
    WriteSpec(WorkTask, "task", "工作任务", ("department", "order", "content", "basis"), order_within=("department",))
)
DIVISION = _spec(
    WriteSpec(
        BoundaryDivision,
        "division",
        "内部边界分工",
        ("lead_department", "order", "matter", "note"),
        m2m=("assisting_departments",),
        validate=validate_division,
        order_within=("lead_department",),
    )
)
CHART = _spec(
    WriteSpec(
        WorkflowChart,
        "flowchart",
        "工作流程图",
        ("department", "order", "name", "description"),
        validate=validate_chart,
        order_within=("department",),
    )
)
POST_DUTY = _spec(
    WriteSpec(PostDuty, "post_duty", "岗位职责", ("department", "post", "order", "duty"), order_within=("department",))
)
POST_RISK = _spec(
    WriteSpec(
        PostRiskPoint,
        "post_risk",
        "岗位风险点",
        ("department", "post", "order", "risk", "level"),
        validate=validate_post_risk,
        order_within=("department",),
    )
)
MEASURE = _spec(
    WriteSpec(
        ControlMeasure,
        "measure",
        "防控措施",
        ("risk_point", "order", "measure"),
        validate=validate_measure,
        order_within=("risk_point",),
    )
)
STEPS_SET = audit.register_action("duties.flowchart.steps_set", "修改流程步骤")
for _name, _label in (
    ("departments", "分管科室"),
    ("units", "分管单位"),
    ("assisting_departments", "配合科室"),
    ("steps", "流程步骤"),
):
    audit.register_field_label(_name, _label)


def spec_for(model_or_obj) -> WriteSpec:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return SPECS[model]


# ---------------------------------------------------------------------- generic writes


def _m2m_text(values: Iterable[models.Model]) -> str:
    return "、".join(sorted(str(v) for v in values))


def _organization(obj):
    try:
        return policy_for(obj).org_of(obj)
    except (LookupError, AttributeError):
        return None


def _next_order(spec: WriteSpec, obj) -> int:
    lookup = {f"{name}_id": getattr(obj, f"{name}_id") for name in spec.order_within}
    top = spec.model.all_objects.filter(**lookup).aggregate(m=Max("order"))["m"]
    return (top or 0) + 1


def _split(spec: WriteSpec, data: dict[str, Any]) -> tuple[dict, dict]:
    plain = {k: v for k, v in data.items() if k not in spec.m2m}
    m2m = {k: list(v) for k, v in data.items() if k in spec.m2m and v is not None}
    unknown = set(plain) - set(spec.fields)
    if unknown:
        raise ValueError(f"{spec.model.__name__}: unknown fields {sorted(unknown)}")
    return plain, m2m


def _check(spec: WriteSpec, obj, m2m: dict) -> None:
    """Model field checks first (required, lengths, choices), then the area's rules."""
    obj.full_clean(exclude=[*spec.derived, *spec.m2m, "order"], validate_unique=False)
    spec.validate(obj, m2m)


def record_create(*, actor, model: type[models.Model], data: dict[str, Any]) -> models.Model:
    spec = spec_for(model)
    plain, m2m = _split(spec, data)
    obj = model(**plain)
    if "recorded_by" in {f.name for f in model._meta.fields}:
        obj.recorded_by = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        _check(spec, obj, m2m)
        spec.prepare(obj)
        if spec.order_within and not obj.order:
            obj.order = _next_order(spec, obj)
        obj.save()
        changes = audit.diff({}, audit.snapshot(obj, spec.fields))
        for name, values in m2m.items():
            getattr(obj, name).set(values)
            if values:
                changes[name] = [None, _m2m_text(values)]
        audit.record(
            actor=actor, action=spec.action("created"), obj=obj, organization=_organization(obj), changes=changes
        )
        record_changed(obj)
    return obj


def record_update(*, actor, obj: models.Model, data: dict[str, Any], expected_version: int | None = None):
    spec = spec_for(obj)
    plain, m2m = _split(spec, data)
    with transaction.atomic():
        locked = spec.model.all_objects.select_for_update().get(pk=obj.pk)
        check_version(locked, expected_version)
        before = audit.snapshot(locked, spec.fields)
        before_m2m = {name: list(getattr(locked, name).all()) for name in m2m}
        for key, value in plain.items():
            setattr(locked, key, value)
        if "order" in plain and not locked.order and spec.order_within:
            locked.order = _next_order(spec, locked)
        _check(spec, locked, m2m)
        spec.prepare(locked)
        changes = audit.diff(before, audit.snapshot(locked, spec.fields))
        for name, values in m2m.items():
            old, new = _m2m_text(before_m2m[name]), _m2m_text(values)
            if old != new:
                changes[name] = [old, new]
        if not changes:
            return locked
        locked.version += 1
        changes["version"] = [locked.version - 1, locked.version]
        locked.save(update_fields=[*plain.keys(), *spec.derived, "version"])
        for name, values in m2m.items():
            getattr(locked, name).set(values)
        audit.record(
            actor=actor, action=spec.action("updated"), obj=locked, organization=_organization(locked), changes=changes
        )
        record_changed(locked)
    return locked


# Children go to the recycle bin with their parent (same time stamp) and come back with it, so
# that lists of children never need to look at the parent.
CHILDREN = {
    ResponsibilityItem: ("evidence", "落实佐证"),
    LeaderLiaison: ("activities", "联系活动"),
    PostRiskPoint: ("measures", "防控措施"),
}
PARENTS = {
    ResponsibilityEvidence: ("item", "责任项目"),
    LiaisonActivity: ("liaison", "联系点"),
    ControlMeasure: ("risk_point", "岗位风险点"),
}
audit.register_field_label("children", "下属记录")


def record_delete(*, actor, obj: models.Model) -> models.Model:
    """Move a record (and its children) to the recycle bin. One audit entry."""
    spec = spec_for(obj)
    with transaction.atomic():
        locked = spec.model.all_objects.select_for_update().get(pk=obj.pk)
        if locked.deleted_at is not None:
            return locked
        locked.deleted_at = timezone.now()
        locked.deleted_by = actor if getattr(actor, "pk", None) else None
        locked.version += 1
        locked.save(update_fields=["deleted_at", "deleted_by", "version"])
        changes = {"deleted_at": [None, locked.deleted_at.isoformat()], "version": [locked.version - 1, locked.version]}
        child = CHILDREN.get(spec.model)
        if child is not None:
            n = (
                getattr(locked, child[0])
                .filter(deleted_at__isnull=True)
                .update(deleted_at=locked.deleted_at, deleted_by=locked.deleted_by)
            )
            if n:
                changes["children"] = [None, f"{child[1]}{n}条一并移入回收站"]
        audit.record(
            actor=actor, action=spec.action("deleted"), obj=locked, organization=_organization(locked), changes=changes
        )
        record_changed(locked)
    return locked


def record_restore(*, actor, obj: models.Model) -> models.Model:
    """Bring a record back from the recycle bin, with the children deleted together with it."""
    spec = spec_for(obj)
    with transaction.atomic():
        locked = spec.model.all_objects.select_for_update().get(pk=obj.pk)
        if locked.deleted_at is None:
            return locked
        parent = PARENTS.get(spec.model)
        if parent and getattr(locked, parent[0]).deleted_at is not None:
            raise ValidationError(f"所属{parent[1]}已删除，请先恢复{parent[1]}")
        old = locked.deleted_at
        locked.deleted_at = None
        locked.deleted_by = None
        locked.version += 1
        locked.save(update_fields=["deleted_at", "deleted_by", "version"])
        changes = {"deleted_at": [old.isoformat(), None], "version": [locked.version - 1, locked.version]}
        child = CHILDREN.get(spec.model)
        if child is not None:
            n = (
                getattr(locked, child[0])(manager="all_objects")
                .filter(deleted_at=old)
                .update(deleted_at=None, deleted_by=None)
            )
            if n:
                changes["children"] = [None, f"{child[1]}{n}条一并恢复"]
        audit.record(
            actor=actor, action="core.object.restored", obj=locked, organization=_organization(locked), changes=changes
        )
        record_changed(locked)
    return locked


# ---------------------------------------------------------------------- named services


def item_create(*, actor, data):
    return record_create(actor=actor, model=ResponsibilityItem, data=data)


def evidence_add(*, actor, data):
    return record_create(actor=actor, model=ResponsibilityEvidence, data=data)


def dual_create(*, actor, data):
    return record_create(actor=actor, model=DualResponsibility, data=data)


def liaison_create(*, actor, data):
    return record_create(actor=actor, model=LeaderLiaison, data=data)


def activity_create(*, actor, data):
    return record_create(actor=actor, model=LiaisonActivity, data=data)


def risk_create(*, actor, data):
    return record_create(actor=actor, model=IntegrityRisk, data=data)


def task_create(*, actor, data):
    return record_create(actor=actor, model=WorkTask, data=data)


def division_create(*, actor, data):
    return record_create(actor=actor, model=BoundaryDivision, data=data)


def flowchart_create(*, actor, data):
    return record_create(actor=actor, model=WorkflowChart, data=data)


def post_duty_create(*, actor, data):
    return record_create(actor=actor, model=PostDuty, data=data)


def post_risk_create(*, actor, data):
    return record_create(actor=actor, model=PostRiskPoint, data=data)


def measure_create(*, actor, data):
    return record_create(actor=actor, model=ControlMeasure, data=data)


# ---------------------------------------------------------------------- flowchart steps


@dataclass
class StepRow:
    number: int
    text: str
    kind: str = StepKind.PROCESS
    actor: str = ""
    yes_to: int | None = None
    no_to: int | None = None


def validate_steps(rows: list[StepRow]) -> list[tuple[int, str]]:
    """Problems of a list of steps as (step number or 0, message); empty if it can be drawn."""
    problems: list[tuple[int, str]] = []
    if not rows:
        return [(0, "流程图至少需要1个步骤")]
    numbers = [r.number for r in rows]
    seen: set[int] = set()
    for r in rows:
        if r.number in seen:
            problems.append((r.number, f"步骤号 {r.number} 重复"))
        seen.add(r.number)
        if r.number <= 0:
            problems.append((r.number, "步骤号应为正整数"))
        if not (r.text or "").strip():
            problems.append((r.number, f"第 {r.number} 步未填写步骤内容"))
        elif len(r.text.strip()) > 100:
            problems.append((r.number, f"第 {r.number} 步的步骤内容不能超过100个字"))
        if len((r.actor or "").strip()) > 50:
            problems.append((r.number, f"第 {r.number} 步的办理岗位不能超过50个字"))
        if r.kind not in StepKind.values:
            problems.append((r.number, f"第 {r.number} 步的类型无效"))
        for target, word in ((r.yes_to, "是"), (r.no_to, "否")):
            if target is None:
                continue
            if target == r.number:
                problems.append((r.number, f"第 {r.number} 步的“{word}”不能转到自身"))
            elif target not in numbers:
                problems.append((r.number, f"第 {r.number} 步的“{word}”转到的第 {target} 步不存在"))
        if r.kind == StepKind.DECISION and r.no_to is None:
            problems.append((r.number, f"第 {r.number} 步是判断，须填写“否”转到的步骤"))
        if r.kind != StepKind.DECISION and r.no_to is not None:
            problems.append((r.number, f"第 {r.number} 步不是判断，不能填写“否”转到"))
        if r.kind == StepKind.END and r.yes_to is not None:
            problems.append((r.number, f"第 {r.number} 步是结束，不能再转到其他步骤"))
    return problems


def _steps_text(rows: Iterable) -> list[str]:
    out = []
    for r in sorted(rows, key=lambda r: r.number):
        extra = "".join(f"，{w}→{t}" for w, t in (("是", r.yes_to), ("否", r.no_to)) if t is not None)
        actor = f"（{r.actor}）" if r.actor else ""
        out.append(f"{r.number}.{StepKind(r.kind).label}：{r.text}{actor}{extra}")
    return out


def flowchart_set_steps(*, actor, chart: WorkflowChart, rows: list[StepRow], expected_version: int | None = None):
    """Replace the chart's steps (numbered as given, sorted). One audit entry with before and after."""
    rows = sorted(rows, key=lambda r: r.number)
    for r in rows:
        r.text, r.actor = (r.text or "").strip(), (r.actor or "").strip()
    problems = validate_steps(rows)
    if problems:
        raise ValidationError([m for _, m in problems])
    with transaction.atomic():
        locked = WorkflowChart.all_objects.select_for_update().get(pk=chart.pk)
        check_version(locked, expected_version)
        old = list(locked.steps.all())
        before, after = _steps_text(old), _steps_text(rows)
        if before == after:
            return locked
        locked.steps.all().delete()
        WorkflowStep.objects.bulk_create(
            [
                WorkflowStep(
                    chart=locked,
                    number=r.number,
                    kind=r.kind,
                    text=r.text,
                    actor=r.actor,
                    yes_to=r.yes_to,
                    no_to=r.no_to,
                )
                for r in rows
            ]
        )
        locked.version += 1
        locked.save(update_fields=["version"])
        audit.record(
            actor=actor,
            action=STEPS_SET,
            obj=locked,
            organization=_organization(locked),
            changes={
                "steps": ["\n".join(before) or None, "\n".join(after)],
                "version": [locked.version - 1, locked.version],
            },
        )
    return locked
