"""Excel import of every list of this area, on core.importers (template → check → preview → confirm).

One generic importer serves each list from its `Entity` (duties.entities): the template's columns
are the entity's `cols` — the same as its export — and a row matches an existing record by the
entity's natural key (e.g. a work task by department and wording), so an exported list imported
again changes nothing. Every row is checked with the same rules as the forms (duties.services);
one bad row and nothing is imported. Writes go through the services (one audit entry per record)
plus one `duties.<list>.imported` entry with the counts.

Two lists have one Excel row per child: workflow charts (one row per step, a chart's steps replace
its steps as a whole) and post risk points (one row per control measure).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.core.exceptions import ValidationError

from core.importers import Importer, ImportResult, RowError, RowInvalid, RowPlan
from core.scope import Scope
from duties import services
from duties.entities import ENTITIES, Entity, Refs, names, statistic_choices
from duties.models import StepKind, WorkflowChart
from orgs.models import Department


def _clone(obj):
    """A detached copy of a loaded row, with its loaded relations, for checking a changed row."""
    model = type(obj)
    clone = model(**{f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields})
    clone._state.adding = False
    clone._state.db = obj._state.db
    for f in model._meta.concrete_fields:
        if f.is_relation and f.is_cached(obj):
            f.set_cached_value(clone, f.get_cached_value(obj))
    return clone


def _display(value: Any) -> Any:
    if isinstance(value, list):
        return names(value)
    if value is None:
        return ""
    return str(value) if hasattr(value, "_meta") else value


class EntityImporter(Importer):
    entity: Entity = None

    def __init__(self, user, *, filename: str = ""):
        super().__init__(user, filename=filename)
        e = self.entity
        self.code = f"duties.{e.key}"
        self.label = e.label
        self.sheet_title = e.label
        self.noun = e.noun
        self.fields = [c.import_field() for c in e.cols]
        self.audit_action = services.spec_for(e.model).action("imported")
        self.headers = {c.key: c.header for c in e.cols}

    # ---- template

    def reference_sheets(self):
        sheets = []
        keys = {c.key for c in self.entity.cols}
        from duties.entities import writable_departments, writable_orgs

        if keys & {"organization", "branch"}:
            orgs = writable_orgs(self.user, self.entity.write_roles, branch_only="branch" in keys)[:2000]
            sheets.append(
                ("可导入的党组织", ["党组织名称", "简称", "组织编码"], [(o.name, o.short_name, o.code) for o in orgs])
            )
        if keys & {"department", "lead_department", "assisting_departments", "departments"}:
            depts = (
                writable_departments(self.user)
                if "department" in keys or "lead_department" in keys
                else Department.objects.select_related("unit")
            )
            sheets.append(("科室", ["科室名称", "所属单位"], [(x.name, x.unit.name) for x in depts[:2000]]))
        if "derived_from" in keys:
            sheets.append(("统计项目", ["代码", "名称（领域）"], statistic_choices()))
        if keys & {"person", "leader"}:
            from duties.entities import leader_title, leaders

            sheets.append(
                (
                    "领导干部",
                    ["姓名", "职务"],
                    [(p.name, leader_title(p)) for p in leaders(self.user)[:500]],
                )
            )
        return sheets

    # ---- checking

    def convert_row(self, values):
        for col in self.entity.cols:
            raw = values.get(col.key)
            if col.aliases and isinstance(raw, str) and raw.strip() in dict(col.aliases):
                values = {**values, col.key: dict(col.aliases)[raw.strip()]}
        return super().convert_row(values)

    def prepare(self, rows, *, lock: bool) -> None:
        self.refs = Refs(self.user, self.entity.write_roles)
        self.existing = self.entity.existing(self.user)
        self.seen: dict[tuple, int] = {}

    def _errors(self, exc: ValidationError) -> list[tuple[str, str]]:
        if hasattr(exc, "error_dict"):
            aliases = {"item": "责任内容"}
            return [
                (self.headers.get(name) or aliases.get(name, ""), message)
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        return [("", m) for m in exc.messages]

    def plan_row(self, row: int, values: dict[str, Any]) -> RowPlan:
        errors: list[tuple[str, str]] = []
        data = self.entity.import_data(values, self.refs, errors)
        if errors:
            raise RowInvalid(errors)
        key = self.entity.natural_key(data)
        if key in self.seen:
            raise RowInvalid(f"与第 {self.seen[key]} 行重复")
        self.seen[key] = row
        spec = services.spec_for(self.entity.model)
        existing = self.existing.get(key)
        if existing is not None and "order" in data and not data["order"]:
            data["order"] = existing.order  # a blank 序号 keeps the current one
        plain, m2m = services._split(spec, data)
        candidate = _clone(existing) if existing is not None else self.entity.model()
        for name, value in plain.items():
            setattr(candidate, name, value)
        try:
            services._check(spec, candidate, m2m)
            spec.prepare(candidate)
        except ValidationError as exc:
            raise RowInvalid(self._errors(exc)) from None
        label = self.entity.title_of(candidate)
        if existing is None:
            changes = {
                self.headers.get(k, k): (None, _display(v)) for k, v in data.items() if v not in (None, "", [], 0)
            }
            return RowPlan(row, "create", label, changes=changes, data=data)
        before = services.audit.snapshot(existing, plain.keys())
        after = services.audit.snapshot(candidate, plain.keys())
        changes = {self.headers.get(k, k): (before[k], after[k]) for k in after if before[k] != after[k]}
        for name, values_ in m2m.items():
            old, new = names(getattr(existing, name).all()), names(values_)
            if sorted(old.split("、")) != sorted(new.split("、")):
                changes[self.headers.get(name, name)] = (old, new)
        return RowPlan(row, "update" if changes else "unchanged", label, changes=changes, obj=existing, data=data)

    # ---- writing

    def write(self, plans: list[RowPlan], result: ImportResult) -> None:
        for plan in plans:
            if plan.action == "create":
                services.record_create(actor=self.user, model=self.entity.model, data=plan.data)
            elif plan.action == "update":
                services.record_update(actor=self.user, obj=plan.obj, data=plan.data)
        self.record_audit(result, organization=Scope.of(self.user).home_organization)


# ---------------------------------------------------------------------- grouped lists


class GroupedImporter(EntityImporter):
    """Several Excel rows make one record (a chart and its steps, a risk point and its measures)."""

    def _check(self, rows, result: ImportResult, *, lock: bool) -> None:
        self.prepare(rows, lock=lock)
        groups: OrderedDict[tuple, list[tuple[int, dict]]] = OrderedDict()
        depts: dict[tuple, Department] = {}
        for number, raw in rows:
            values, errors = self.convert_row(raw)
            if not errors:
                dept = self.refs.department(values["department"], "科室", errors, writable=True)
            if errors:
                result.errors.extend(RowError(number, c, m) for c, m in errors)
                continue
            key = self.group_key(dept, values)
            depts[key] = dept
            groups.setdefault(key, []).append((number, values))
        for key, members in groups.items():
            try:
                plan = self.plan_group(key, depts[key], members)
            except RowInvalid as exc:
                result.errors.extend(RowError(members[0][0], c, m) for c, m in exc.errors)
                continue
            except _GroupErrors as exc:
                result.errors.extend(exc.errors)
                continue
            result.plans.append(plan)


class _GroupErrors(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors


class FlowchartImporter(GroupedImporter):
    entity = ENTITIES["flowcharts"]

    def prepare(self, rows, *, lock: bool) -> None:
        self.refs = Refs(self.user, self.entity.write_roles)
        charts = self.entity.queryset(self.user, "change").prefetch_related("steps")
        self.existing = {(c.department_id, c.name): c for c in charts}

    def group_key(self, dept, values):
        return (dept.pk, values["name"])

    def plan_group(self, key, dept, members):
        name = key[1]
        row_of = {}
        steps = []
        for number, v in members:
            row_of.setdefault(v["number"], number)
            steps.append(
                services.StepRow(
                    number=v["number"],
                    text=v["text"],
                    kind=v.get("kind") or StepKind.PROCESS,
                    actor=v.get("actor") or "",
                    yes_to=v.get("yes_to"),
                    no_to=v.get("no_to"),
                )
            )
        descriptions = {v.get("description") for _, v in members if v.get("description")}
        errors = []
        if len(descriptions) > 1:
            errors.append(RowError(members[0][0], "流程说明", f"流程图“{name}”的各行流程说明不一致"))
        for step_no, message in services.validate_steps(steps):
            errors.append(RowError(row_of.get(step_no, members[0][0]), "步骤号", message))
        if errors:
            raise _GroupErrors(errors)
        description = descriptions.pop() if descriptions else ""
        chart = self.existing.get(key)
        label = f"{dept.name} · {name}"
        data = {"department": dept, "name": name, "description": description, "steps": steps}
        if chart is None:
            if len(name) > 100:
                raise RowInvalid("流程名称不能超过100个字", "流程名称")
            return RowPlan(members[0][0], "create", label, changes={"步骤": (None, f"{len(steps)}步")}, data=data)
        old = services._steps_text(chart.steps.all())
        new = services._steps_text(steps)
        changes = {}
        if old != new:
            changes["步骤"] = (f"{len(old)}步", f"{len(new)}步")
        if description and description != chart.description:
            changes["流程说明"] = (chart.description, description)
        return RowPlan(
            members[0][0], "update" if changes else "unchanged", label, changes=changes, obj=chart, data=data
        )

    def write(self, plans, result) -> None:
        for plan in plans:
            data = plan.data
            if plan.action == "create":
                chart = services.flowchart_create(
                    actor=self.user,
                    data={"department": data["department"], "name": data["name"], "description": data["description"]},
                )
            elif plan.action == "update":
                chart = plan.obj
                if data["description"] and data["description"] != chart.description:
                    chart = services.record_update(
                        actor=self.user, obj=chart, data={"description": data["description"]}
                    )
            else:
                continue
            services.flowchart_set_steps(actor=self.user, chart=chart, rows=data["steps"])
        self.record_audit(result, organization=Scope.of(self.user).home_organization)


class PostRiskImporter(GroupedImporter):
    entity = ENTITIES["post_risks"]

    def prepare(self, rows, *, lock: bool) -> None:
        self.refs = Refs(self.user, self.entity.write_roles)
        risks = self.entity.queryset(self.user, "change")
        self.existing = {(r.department_id, r.post, r.risk): r for r in risks}

    def group_key(self, dept, values):
        return (dept.pk, values["post"], values["risk"])

    def plan_group(self, key, dept, members):
        _, post, risk = key
        levels = {v["level"] for _, v in members}
        if len(levels) > 1:
            raise RowInvalid("同一风险点的各行风险等级不一致", "风险等级")
        level = levels.pop()
        measures: list[str] = []
        for _, v in members:
            text = v.get("measure") or ""
            if text and text not in measures:
                measures.append(text)
        candidate = self.entity.model(department=dept, post=post, risk=risk, level=level)
        try:
            services._check(services.spec_for(candidate), candidate, {})
        except ValidationError as exc:
            raise RowInvalid(self._errors(exc)) from None
        for text in measures:
            if len(text) > 300:
                raise RowInvalid("防控措施不能超过300个字", "防控措施")
        existing = self.existing.get(key)
        label = f"{dept.name} · {post}：{risk}"
        data = {"department": dept, "post": post, "risk": risk, "level": level, "measures": measures}
        if existing is None:
            changes = {"风险等级": (None, level), "防控措施": (None, "；".join(measures))}
            return RowPlan(members[0][0], "create", label, changes=changes, data=data)
        old = [m.measure for m in existing.measures.all()]
        changes = {}
        if existing.level != level:
            changes["风险等级"] = (existing.level, level)
        if sorted(old) != sorted(measures):
            changes["防控措施"] = ("；".join(old), "；".join(measures))
        return RowPlan(
            members[0][0], "update" if changes else "unchanged", label, changes=changes, obj=existing, data=data
        )

    def write(self, plans, result) -> None:
        for plan in plans:
            data = plan.data
            if plan.action == "create":
                risk = services.post_risk_create(
                    actor=self.user,
                    data={
                        "department": data["department"],
                        "post": data["post"],
                        "risk": data["risk"],
                        "level": data["level"],
                    },
                )
                current = []
            elif plan.action == "update":
                risk = plan.obj
                if risk.level != data["level"]:
                    risk = services.record_update(actor=self.user, obj=risk, data={"level": data["level"]})
                current = list(plan.obj.measures.all())
            else:
                continue
            keep = set(data["measures"])
            for m in current:
                if m.measure not in keep:
                    services.record_delete(actor=self.user, obj=m)
            have = {m.measure for m in current}
            for text in data["measures"]:
                if text not in have:
                    services.measure_create(actor=self.user, data={"risk_point": risk, "measure": text})
        self.record_audit(result, organization=Scope.of(self.user).home_organization)


def _importer_for(key: str) -> type[EntityImporter]:
    special = {"flowcharts": FlowchartImporter, "post_risks": PostRiskImporter}
    if key in special:
        return special[key]
    return type(f"{key.title().replace('_', '')}Importer", (EntityImporter,), {"entity": ENTITIES[key]})


IMPORTERS: dict[str, type[EntityImporter]] = {
    key: _importer_for(key) for key, e in ENTITIES.items() if e.importable and not e.excel_key
}


def importer_for(key: str) -> type[EntityImporter]:
    return IMPORTERS[key]


__all__ = ["IMPORTERS", "EntityImporter", "FlowchartImporter", "PostRiskImporter", "importer_for", "WorkflowChart"]
