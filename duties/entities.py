"""One description per list of this area, used by the generic pages, exporters and importers.

An `Entity` says, for one model: its ledger's filters and columns, its form, its detail page, and
its Excel columns (`Col`: the same columns for the export and the import template, in the same
order, so an exported list can be imported again — unchanged rows are recognised by a natural
key and skipped). Writes go through duties.services; scope through duties.policies.

Lists: items (主体责任清单项目), evidence (落实佐证), dual (一岗双责), liaisons (联系支部),
activities (联系支部活动), risks (廉政风险点), tasks (工作任务), divisions (内部边界分工),
flowcharts (工作流程图; Excel: one row per step), post_duties (岗位职责), post_risks (岗位风险点;
Excel: one row per control measure), measures (防控措施; Excel through post_risks).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.forms import BootstrapFormMixin, VersionFormMixin
from core.importers import ImportField
from core.periods import Period, PeriodError
from core.scope import ADMIN_ROLES, WRITE_ROLES, Scope, policy_for
from duties import services
from duties.models import (
    BoundaryDivision,
    ControlMeasure,
    DualResponsibility,
    Frequency,
    IntegrityRisk,
    LeaderLiaison,
    LiaisonActivity,
    LiaisonKind,
    PostDuty,
    PostRiskPoint,
    ResponsibilityEvidence,
    ResponsibilityItem,
    RiskCategory,
    StepKind,
    Subject,
    WorkflowChart,
    WorkTask,
)
from orgs.models import Department, Organization, Person, Unit

SEPARATORS = re.compile(r"[、,，;；/\s]+")
BRANCH_TYPES = services.BRANCH_TYPES


def d(value: datetime.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def names(values) -> str:
    return "、".join(str(v) for v in values)


# ---------------------------------------------------------------------- cells and columns


@dataclass
class Cell:
    text: Any
    url: str = ""
    css: str = ""
    wrap: bool = False
    badge: bool = False


@dataclass(frozen=True)
class Col:
    """One Excel column: export value `get(obj)`; import conversion by `kind` (core.importers)."""

    key: str
    header: str
    get: Callable[[Any], Any]
    kind: str = "text"
    required: bool = False
    choices: tuple = ()
    help: str = ""
    example: str = ""
    width: float = 14
    max_length: int | None = None
    aliases: tuple[tuple[str, str], ...] = ()  # other words accepted on import: (word, stored value)

    def import_field(self) -> ImportField:
        return ImportField(
            self.key,
            self.header,
            kind=self.kind,
            required=self.required,
            choices=self.choices,
            help=self.help,
            example=self.example,
            width=self.width,
            max_length=self.max_length,
            strip=True,
        )


# ---------------------------------------------------------------------- filters


@dataclass
class Filters:
    values: dict[str, str] = field(default_factory=dict)
    org: Organization | None = None
    department: Department | None = None
    period: Period | None = None
    parent: Any = None
    errors: list[str] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def query_string(self) -> str:
        return urlencode({k: v for k, v in self.values.items() if v})


# ---------------------------------------------------------------------- reference data for imports


class Refs:
    """What import rows refer to, loaded with a few queries and looked up by name or code."""

    def __init__(self, user, roles: tuple[str, ...]):
        self.user = user
        self.scope = Scope.of(user)
        self.roles = roles
        self._orgs = None
        self._writable_paths = self.scope.paths(roles)
        self._departments = None
        self._units = None
        self._leaders = None
        self._items = None
        self._liaisons = None

    # organizations (name, short name or code)
    def _load_orgs(self):
        if self._orgs is None:
            by: dict[str, list[Organization]] = defaultdict(list)
            for org in Organization.objects.only("id", "name", "short_name", "code", "path", "org_type", "depth"):
                by[org.code].append(org)
                by[org.name].append(org)
                if org.short_name and org.short_name != org.name:
                    by[org.short_name].append(org)
            self._orgs = by
        return self._orgs

    def writable(self, org: Organization) -> bool:
        return self._writable_paths is None or any(org.path.startswith(p) for p in self._writable_paths)

    def organization(self, text: str, header: str, errors: list, *, branch: bool = False) -> Organization | None:
        found = list({o.pk: o for o in self._load_orgs().get(text, [])}.values())
        if not found:
            errors.append((header, f"党组织“{text}”不存在，请填写全称、简称或组织编码"))
            return None
        if len(found) > 1:
            errors.append((header, f"有 {len(found)} 个党组织都叫“{text}”，请改填组织编码"))
            return None
        org = found[0]
        if branch and org.org_type not in BRANCH_TYPES:
            errors.append((header, f"“{org.name}”不是党支部、党总支或联合党支部"))
            return None
        if not self.writable(org):
            errors.append((header, f"您无权为“{org.name}”导入"))
            return None
        return org

    # departments and units (by name)
    def _load_departments(self):
        if self._departments is None:
            by: dict[str, list[Department]] = defaultdict(list)
            for dept in Department.objects.select_related("organization", "unit"):
                by[dept.name].append(dept)
                by[f"{dept.unit.name}{dept.name}"].append(dept)
            self._departments = by
        return self._departments

    def department(self, text: str, header: str, errors: list, *, writable: bool = False) -> Department | None:
        found = list({x.pk: x for x in self._load_departments().get(text, [])}.values())
        if not found:
            errors.append((header, f"科室“{text}”不存在"))
            return None
        if len(found) > 1:
            errors.append((header, f"有 {len(found)} 个科室都叫“{text}”，请在科室名称前加上单位名称"))
            return None
        dept = found[0]
        if writable and not (
            self.scope.has_role(*self.roles) if dept.organization is None else self.writable(dept.organization)
        ):
            errors.append((header, f"您无权维护“{dept.name}”的履职清单"))
            return None
        return dept

    @staticmethod
    def _many(one, text: str, header: str, errors: list) -> list:
        """Names split by SEPARATORS, each resolved by `one(name, header, errors)`, without repeats."""
        result = []
        for part in (p for p in SEPARATORS.split(text or "") if p):
            found = one(part, header, errors)
            if found is not None and found not in result:
                result.append(found)
        return result

    def departments(self, text: str, header: str, errors: list) -> list[Department]:
        return self._many(self.department, text, header, errors)

    def unit(self, text: str, header: str, errors: list) -> Unit | None:
        if self._units is None:
            self._units = {u.name: u for u in Unit.objects.all()}
        unit = self._units.get(text)
        if unit is None:
            errors.append((header, f"单位“{text}”不存在"))
        return unit

    def units(self, text: str, header: str, errors: list) -> list[Unit]:
        return self._many(self.unit, text, header, errors)

    def leader(self, text: str, header: str, errors: list) -> Person | None:
        if self._leaders is None:
            by: dict[str, list[Person]] = defaultdict(list)
            for p in Person.objects.filter(Q(is_leader=True) | Q(is_leadership_member=True)).only(
                "id", "name", "is_leader", "is_leadership_member", "organization_id"
            ):
                by[p.name].append(p)
            self._leaders = by
        found = self._leaders.get(text, [])
        if not found:
            errors.append((header, f"“{text}”不是在册的领导干部或党组成员"))
            return None
        if len(found) > 1:
            errors.append((header, f"有 {len(found)} 名领导干部都叫“{text}”，请在系统中逐条登记"))
            return None
        return found[0]

    def _scoped(self, qs, lookup: str):
        q = self.scope.org_q(lookup, self.roles)
        return qs if q is None else qs.filter(q)

    def items(self) -> dict[tuple[int, str, str], ResponsibilityItem]:
        if self._items is None:
            qs = self._scoped(ResponsibilityItem.objects.all(), "org_path")
            self._items = {(i.organization_id, i.subject, i.content): i for i in qs}
        return self._items

    def liaison(self, leader: Person, branch: Organization, day: datetime.date) -> LeaderLiaison | None:
        if self._liaisons is None:
            self._liaisons = defaultdict(list)
            for li in self._scoped(LeaderLiaison.objects.select_related("leader", "branch"), "org_path"):
                self._liaisons[(li.leader_id, li.branch_id)].append(li)
        for li in self._liaisons.get((leader.pk, branch.pk), []):
            if li.start_on <= day and (li.end_on is None or day <= li.end_on):
                return li
        return None


def order_col(**kwargs) -> Col:
    """The 序号 column every ordered list carries."""
    return Col("order", "序号", lambda o: o.order, kind="int", width=6, **kwargs)


def many_col(key: str, header: str, what: str, *, width: float = 24, example: str = "") -> Col:
    """A many-to-many column: names joined by 、 on export, split the same way on import."""
    return Col(
        key, header, lambda o: names(getattr(o, key).all()), width=width, help=f"多个{what}用顿号分隔", example=example
    )


# ---------------------------------------------------------------------- the base entity


class Entity:
    key = ""
    model: type = None
    label = ""  # 工作任务
    noun = "条"
    group = ""  # breadcrumb group
    group_url_name = ""
    form_fields: tuple[str, ...] = ()  # default: the fields of the model's services.WriteSpec
    widgets: dict = {}
    select_related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    org_lookup = "org_path"  # path field for the "org" filter
    department_lookup = ""  # for the "department" filter
    period_field = ""  # date field for the "period" filter
    choice_filters: tuple[tuple[str, str, Any], ...] = ()  # (param, label, choices)
    search: tuple[str, ...] = ()
    search_label = "关键词"
    parent_param = ""  # e.g. "item": ?item=<pk> restricts the list and pre-fills the form
    parent_field = ""
    attachments = False
    headers: tuple[str, ...] = ()
    cols: tuple[Col, ...] = ()
    excel_key = ""  # the entity whose Excel import/export this list uses (default: itself)
    importable = True
    empty_hint = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The form edits what the write service accepts; one list of fields for both.
        if "form_fields" not in cls.__dict__ and cls.model is not None and cls.model in services.SPECS:
            cls.form_fields = services.SPECS[cls.model].fields

    # ---- scope

    @property
    def policy(self):
        return policy_for(self.model)

    @property
    def write_roles(self) -> tuple[str, ...]:
        return self.policy.change_roles

    def can_create(self, user) -> bool:
        return Scope.of(user).has_role(*self.write_roles)

    def queryset(self, user, action: str = "view") -> QuerySet:
        qs = self.policy.visible(user, action)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch:
            qs = qs.prefetch_related(*self.prefetch)
        return qs

    # ---- urls

    def list_url(self, **params) -> str:
        url = reverse("duties:record_list", args=[self.key])
        params = {k: v for k, v in params.items() if v not in (None, "")}
        return url + ("?" + urlencode(params) if params else "")

    def detail_url(self, obj) -> str:
        return reverse("duties:record_detail", args=[self.key, obj.pk])

    def crumbs(self) -> list[tuple[str, str | None]]:
        group = (self.group, reverse(self.group_url_name)) if self.group_url_name else (self.group, None)
        return [("监督与责任", None), group] if group[0] != self.label else [("监督与责任", None)]

    # ---- filtering

    def filtered(self, user, params) -> tuple[QuerySet, Filters]:
        f = Filters()
        qs = self.queryset(user)
        org = (params.get("org") or "").strip()
        if org and self.org_lookup:
            f.org = policy_for(Organization).get_or_404(user, pk=org)
            f.values["org"] = str(f.org.pk)
            qs = qs.filter(**{f"{self.org_lookup}__startswith": f.org.path})
        dept = (params.get("department") or "").strip()
        if dept and self.department_lookup:
            f.department = policy_for(Department).get_or_404(user, pk=dept)
            f.values["department"] = str(f.department.pk)
            qs = self.filter_department(qs, f.department)
        period = (params.get("period") or "").strip()
        if period and self.period_field:
            try:
                f.period = Period.parse(period)
            except PeriodError as exc:
                f.errors.append(f"{exc}，已忽略")
            else:
                f.values["period"] = f.period.code
                qs = self.filter_period(qs, f.period)
        for name, label, choices in self.choice_filters:
            value = (params.get(name) or "").strip()
            if not value:
                continue
            allowed = [c[0] for c in (choices() if callable(choices) else choices)]
            if allowed and value not in allowed:
                f.errors.append(f"未知的{label}“{value}”，已忽略")
                continue
            f.values[name] = value
            qs = qs.filter(**{name: value})
        if self.parent_param:
            value = (params.get(self.parent_param) or "").strip()
            if value:
                parent_model = self.model._meta.get_field(self.parent_field).related_model
                f.parent = policy_for(parent_model).get_or_404(user, pk=value)
                f.values[self.parent_param] = str(f.parent.pk)
                qs = qs.filter(**{self.parent_field: f.parent})
        q = (params.get("q") or "").strip()[:100]
        if q and self.search:
            f.values["q"] = q
            cond = Q()
            for name in self.search:
                cond |= Q(**{f"{name}__icontains": q})
            qs = qs.filter(cond)
        return qs, f

    def filter_department(self, qs, dept):
        return qs.filter(**{self.department_lookup: dept})

    def filter_period(self, qs, period: Period):
        return qs.filter(**{f"{self.period_field}__gte": period.start, f"{self.period_field}__lte": period.end})

    def choice_options(self):
        return [
            (name, label, choices() if callable(choices) else choices) for name, label, choices in self.choice_filters
        ]

    # ---- table and detail

    def cells(self, obj) -> list[Cell]:
        raise NotImplementedError

    def detail_fields(self) -> tuple[str, ...]:
        return self.form_fields

    def detail_rows(self, obj) -> list[tuple[str, Any]]:
        rows = []
        for name in self.detail_fields():
            f = self.model._meta.get_field(name)
            if f.many_to_many:
                value = names(getattr(obj, name).all()) or "—"
            elif f.choices:
                value = getattr(obj, f"get_{name}_display")() or "—"
            else:
                value = getattr(obj, name)
                value = d(value) if isinstance(value, datetime.date) else value
                value = value if value not in (None, "") else "—"
            rows.append((f.verbose_name, value))
        return rows

    def title_of(self, obj) -> str:
        return str(obj)

    # ---- forms

    def form_class(self):
        meta = type(
            "Meta",
            (),
            {"model": self.model, "fields": self.form_fields, "widgets": self.widgets},
        )
        return type(
            f"{self.model.__name__}Form", (BootstrapFormMixin, VersionFormMixin, forms.ModelForm), {"Meta": meta}
        )

    def build_form(self, user, *, data=None, instance=None, initial=None):
        form = self.form_class()(data, instance=instance, initial=initial)
        self.configure_form(form, user, instance)
        return form

    def configure_form(self, form, user, instance) -> None:
        pass

    def check_parent(self, user, params) -> None:
        """A form opened for a parent record (?item=, ?liaison=, ?risk_point=): 404 if the user
        cannot see it, 403 if they may not add to it."""
        if not self.parent_param or not (params.get(self.parent_param) or "").strip():
            return
        parent_model = self.model._meta.get_field(self.parent_field).related_model
        policy = policy_for(parent_model)
        parent = policy.get_or_404(user, pk=params.get(self.parent_param))
        if not self.policy.can_add(user, policy.org_of(parent)):
            raise PermissionDenied(f"您无权为该记录登记{self.label}")

    def initial_from(self, params) -> dict:
        initial = {}
        for name in self.form_fields:
            value = (params.get(name) or "").strip()
            if value:
                initial[name] = value
        if self.parent_param and params.get(self.parent_param):
            initial[self.parent_field] = params.get(self.parent_param)
        return initial

    # ---- Excel

    @property
    def excel_entity(self) -> Entity:
        return ENTITIES[self.excel_key or self.key]

    def excel_rows(self, obj):
        yield [c.get(obj) for c in self.cols]

    def natural_key(self, data: dict) -> tuple:
        raise NotImplementedError

    def import_data(self, values: dict, refs: Refs, errors: list) -> dict:
        raise NotImplementedError

    def existing(self, user) -> dict:
        return {self.natural_key(self.data_of(o)): o for o in self.queryset(user, "change")}

    def data_of(self, obj) -> dict:
        return {name: getattr(obj, name) for name in self.form_fields}


# ---------------------------------------------------------------------- form helpers


def _styled(field: forms.Field) -> forms.Field:
    css = "form-select" if isinstance(field.widget, (forms.Select, forms.SelectMultiple)) else "form-control"
    field.widget.attrs["class"] = css
    return field


def writable_orgs(user, roles, *, branch_only: bool = False) -> QuerySet[Organization]:
    q = Scope.of(user).org_q("path", roles)
    qs = Organization.objects.all() if q is None else Organization.objects.filter(q)
    if branch_only:
        qs = qs.filter(org_type__in=BRANCH_TYPES)
    return qs.order_by("path")


def _org_field(form, name: str, user, roles, *, branch_only: bool = False, limit: int = 300) -> None:
    from orgs.selectors import organization_options

    qs = writable_orgs(user, roles, branch_only=branch_only)
    field = form.fields[name]
    field.queryset = qs
    field.error_messages["invalid_choice"] = "您无权选择该党组织，或该党组织不存在"
    selected = form.instance.organization if name == "organization" and form.instance.pk else None
    field.widget.choices = [("", "请选择党组织")] + [
        (o.pk, o.option_label) for o in organization_options(qs, selected, limit=limit)
    ]


def writable_departments(user) -> QuerySet[Department]:
    scope = Scope.of(user)
    q = scope.org_q("organization__path", ADMIN_ROLES)
    qs = Department.objects.select_related("unit")
    if q is None:
        return qs
    if not scope.has_role(*ADMIN_ROLES):
        return qs.none()
    return qs.filter(q | Q(organization__isnull=True))


def _department_field(form, name: str, user) -> None:
    field = form.fields[name]
    field.queryset = writable_departments(user)
    field.label_from_instance = lambda dept: dept.name
    field.error_messages["invalid_choice"] = "您无权维护该科室的履职清单"


def _level_field(form) -> None:
    levels = services.risk_levels()
    guide = services.risk_level_guide()
    current = form.initial.get("level") or getattr(form.instance, "level", "")
    choices = [(v, v) for v in levels]
    if current and current not in levels:
        choices.append((current, f"{current}（已不在规则中）"))
    form.fields["level"] = _styled(
        forms.ChoiceField(
            label="风险等级",
            choices=[("", "请选择")] + choices,
            help_text="；".join(f"{k}：{v}" for k, v in guide.items()) or "按规则配置中的等级填写",
        )
    )


def leaders(user) -> QuerySet[Person]:
    return (
        policy_for(Person)
        .visible(user)
        .filter(Q(is_leader=True) | Q(is_leadership_member=True))
        .order_by("-is_leadership_member", "name")
    )


def leader_title(person: Person) -> str:
    """A leader's post as shown beside the name: leadership role, else job title."""
    return person.leadership_role or person.job_title


def _leader_field(form, name: str, user) -> None:
    field = form.fields[name]
    field.queryset = leaders(user)
    field.label_from_instance = lambda p: f"{p.name}（{leader_title(p)}）"


# ---------------------------------------------------------------------- 主体责任清单


SUBJECT_ALIASES = (
    ("局党组", Subject.LEADING_GROUP),
    ("党组书记", Subject.GROUP_SECRETARY),
    ("第一责任人", Subject.GROUP_SECRETARY),
    ("党组成员", Subject.GROUP_MEMBER),
    ("班子成员", Subject.GROUP_MEMBER),
)


def statistic_choices() -> list[tuple[str, str]]:
    from core.stats import registered_statistics

    return [(s.code, f"{s.label}（{s.area}）") for s in registered_statistics()]


def statistic_label(code: str) -> str:
    from core.stats import get_statistic

    if not code:
        return ""
    try:
        return get_statistic(code).label
    except KeyError:
        return f"{code}（已失效）"


class ItemEntity(Entity):
    key = "items"
    model = ResponsibilityItem
    label = "主体责任清单项目"
    noun = "项"
    group = "主体责任清单"
    group_url_name = "duties:responsibility"
    form_fields = ("organization", "subject", "order", "content", "frequency", "derived_from")
    widgets = {"content": forms.Textarea(attrs={"rows": 2})}
    select_related = ("organization",)
    choice_filters = (("subject", "责任主体", Subject.choices), ("frequency", "落实频次", Frequency.choices))
    search = ("content",)
    cols = (
        Col(
            "organization",
            "党组织",
            lambda o: o.organization.name,
            required=True,
            width=20,
            help="清单所属党组织的全称、简称或组织编码（党组的清单登记在机关党委）",
            example="局机关党委",
        ),
        Col(
            "subject",
            "责任主体",
            lambda o: o.get_subject_display(),
            kind="choice",
            required=True,
            choices=tuple(Subject.choices),
            width=18,
            example="党组",
            aliases=SUBJECT_ALIASES,
        ),
        order_col(help="留空则排在最后", example="1"),
        Col(
            "content",
            "责任内容",
            lambda o: o.content,
            required=True,
            max_length=300,
            width=50,
            example="每季度至少召开1次党建工作专题会议",
        ),
        Col(
            "frequency",
            "落实频次",
            lambda o: o.get_frequency_display(),
            kind="choice",
            required=True,
            choices=tuple(Frequency.choices),
            width=10,
            example="每季度",
        ),
        Col(
            "derived_from",
            "自动取数",
            lambda o: o.derived_from,
            width=30,
            help="系统统计项目的代码或名称（见“统计项目”工作表）；该统计在某期间大于0即视为已落实",
            example="meetings.topic.party_building",
        ),
    )

    def list_url(self, **params) -> str:
        url = reverse("duties:responsibility")
        params = {k: v for k, v in params.items() if v not in (None, "")}
        return url + ("?" + urlencode(params) if params else "")

    def detail_url(self, obj) -> str:
        return reverse("duties:item_detail", args=[obj.pk])

    def configure_form(self, form, user, instance):
        _org_field(form, "organization", user, self.write_roles)
        form.fields["derived_from"] = _styled(
            forms.ChoiceField(
                label="自动取数",
                required=False,
                choices=[("", "（不自动取数：逐期登记落实佐证）")] + statistic_choices(),
                help_text=ResponsibilityItem._meta.get_field("derived_from").help_text,
            )
        )

    def natural_key(self, data):
        return (data["organization"].pk, data["subject"], data["content"])

    def import_data(self, v, refs, errors):
        org = refs.organization(v["organization"], "党组织", errors)
        derived = v.get("derived_from") or ""
        if derived:
            labels = {label.split("（")[0]: code for code, label in statistic_choices()}
            codes = {code for code, _ in statistic_choices()}
            if derived not in codes:
                derived = labels.get(derived, derived)
        return {
            "organization": org,
            "subject": v["subject"],
            "order": v.get("order") or 0,
            "content": v["content"],
            "frequency": v["frequency"],
            "derived_from": derived,
        }


class EvidenceEntity(Entity):
    key = "evidence"
    model = ResponsibilityEvidence
    label = "落实佐证"
    group = "主体责任清单"
    group_url_name = "duties:responsibility"
    widgets = {"done_on": forms.DateInput(), "note": forms.Textarea(attrs={"rows": 4})}
    select_related = ("item", "item__organization", "recorded_by")
    period_field = "period_start"
    search = ("note", "item__content")
    parent_param = "item"
    parent_field = "item"
    attachments = True
    headers = ("期间", "党组织", "责任主体", "责任内容", "落实情况", "落实日期", "登记人")
    cols = (
        Col(
            "organization", "党组织", lambda e: e.item.organization.name, required=True, width=20, example="局机关党委"
        ),
        Col(
            "subject",
            "责任主体",
            lambda e: e.item.get_subject_display(),
            kind="choice",
            required=True,
            choices=tuple(Subject.choices),
            width=18,
            example="党组",
            aliases=SUBJECT_ALIASES,
        ),
        Col(
            "content",
            "责任内容",
            lambda e: e.item.content,
            required=True,
            width=40,
            help="与主体责任清单中的责任内容一字不差",
            example="每季度至少召开1次党建工作专题会议",
        ),
        Col(
            "period_code",
            "期间",
            lambda e: e.period_code,
            required=True,
            width=10,
            help="按责任项目的频次：每月 2022-05，每季度 2022Q2，每半年 2022H1，每年及一次性 2022",
            example="2022Q2",
        ),
        Col("done_on", "落实日期", lambda e: e.done_on, kind="date", width=12, example="2022-04-22"),
        Col(
            "note",
            "落实情况",
            lambda e: e.note,
            required=True,
            width=50,
            example="4月22日召开党建工作专题会，研究推进“先进模范机关”创建",
        ),
    )

    def filter_period(self, qs, period):
        return qs.filter(period_start__lte=period.end, period_end__gte=period.start)

    def cells(self, e):
        return [
            Cell(e.period_code),
            Cell(e.item.organization.name),
            Cell(e.item.get_subject_display()),
            Cell(e.item.content, url=reverse("duties:item_detail", args=[e.item_id]), wrap=True),
            Cell(e.note, url=self.detail_url(e), wrap=True),
            Cell(d(e.done_on) or "—"),
            Cell(e.recorded_by.get_full_name() if e.recorded_by else "系统"),
        ]

    def title_of(self, e):
        return f"{e.period_code} 落实佐证：{e.item.content[:40]}"

    def configure_form(self, form, user, instance):
        field = form.fields["item"]
        q = Scope.of(user).org_q("org_path", self.write_roles)
        items = ResponsibilityItem.objects.select_related("organization").order_by("org_path", "order", "id")
        field.queryset = items if q is None else items.filter(q)
        field.label_from_instance = lambda i: f"{i.get_subject_display()}：{i.content}"
        field.error_messages["invalid_choice"] = "您无权为该责任项目登记佐证"
        item = None
        raw = form.data.get("item") if form.is_bound else form.initial.get("item")
        if raw:
            item = (
                field.queryset.filter(pk=getattr(raw, "pk", raw)).first()
                if str(getattr(raw, "pk", raw)).isdigit()
                else None
            )
        item = item or (instance.item if instance is not None and instance.pk else None)
        if item is not None:
            form.fields["period_code"].help_text = self.period_help(item)
            form.item = item
            if not form.is_bound and len(field.queryset[:301]) > 300:
                field.widget.choices = [(item.pk, field.label_from_instance(item))]

    @staticmethod
    def period_help(item) -> str:
        example = {"month": "2022-05", "quarter": "2022Q2", "half": "2022H1", "year": "2022", "once": "2022"}
        return f"该项目{item.get_frequency_display()}落实，期间填写如 {example[item.frequency]}"

    def natural_key(self, data):
        return (data["item"].pk, data["period_code"], data["note"])

    def existing(self, user):
        qs = self.queryset(user, "change")
        return {(e.item_id, e.period_code, e.note): e for e in qs}

    def import_data(self, v, refs, errors):
        org = refs.organization(v["organization"], "党组织", errors)
        if org is None:
            return {}
        items = refs.items()
        item = items.get((org.pk, v["subject"], v["content"]))
        if item is None:
            errors.append(("责任内容", f"“{org.name}”的主体责任清单中没有该{Subject(v['subject']).label}责任项目"))
            return {}
        code = v["period_code"]
        m = re.match(r"^(\d{4})-(\d{1,2})-\d{1,2}$", code)
        if m and item.frequency == Frequency.MONTH:  # Excel turned 2022-05 into a date
            code = f"{m[1]}-{int(m[2]):02d}"
        try:
            code = services.frequency_period(item.frequency, code).code
        except Exception as exc:  # ValidationError with the period's message
            errors.append(("期间", "；".join(getattr(exc, "messages", [str(exc)]))))
            return {}
        return {"item": item, "period_code": code, "done_on": v.get("done_on"), "note": v["note"]}


# ---------------------------------------------------------------------- 一岗双责 and 联系支部


class DualEntity(Entity):
    key = "dual"
    model = DualResponsibility
    label = "一岗双责"
    group = "一岗双责"
    form_fields = ("person", "organization", "areas", "departments", "units", "duties", "valid_from", "valid_to")
    widgets = {
        "duties": forms.Textarea(attrs={"rows": 5}),
        "valid_from": forms.DateInput(),
        "valid_to": forms.DateInput(),
        "departments": forms.SelectMultiple(attrs={"size": 6}),
        "units": forms.SelectMultiple(attrs={"size": 4}),
    }
    select_related = ("person", "organization")
    prefetch = ("departments", "units")
    search = ("areas", "duties", "person__name")
    headers = ("班子成员", "职务", "分管领域", "分管科室/单位", "一岗双责职责", "起止日期")
    empty_hint = "为每名班子成员登记分管领域和一岗双责职责"
    cols = (
        Col(
            "person",
            "班子成员",
            lambda o: o.person.name,
            required=True,
            width=10,
            help="领导干部或党组成员的姓名",
            example="王伟",
        ),
        Col("organization", "党组织", lambda o: o.organization.name, required=True, width=20, example="局机关党委"),
        Col(
            "areas",
            "分管领域",
            lambda o: o.areas,
            required=True,
            max_length=300,
            width=30,
            example="分管办公室、财务审计科，联系文化馆",
        ),
        many_col("departments", "分管科室", "科室", example="办公室、财务审计科"),
        many_col("units", "分管单位", "单位", width=20),
        Col(
            "duties",
            "一岗双责职责",
            lambda o: o.duties,
            required=True,
            width=50,
            example="督促分管科室落实党风廉政建设责任",
        ),
        Col(
            "valid_from", "起始日期", lambda o: o.valid_from, kind="date", required=True, width=12, example="2022-01-01"
        ),
        Col("valid_to", "截止日期", lambda o: o.valid_to, kind="date", width=12),
    )

    def cells(self, o):
        return [
            Cell(o.person.name, url=self.detail_url(o)),
            Cell(leader_title(o.person), wrap=True),
            Cell(o.areas, wrap=True),
            Cell(names([*o.departments.all(), *o.units.all()]) or "—", wrap=True),
            Cell(o.duties, wrap=True),
            Cell(f"{d(o.valid_from)} 至 {d(o.valid_to) or '今'}"),
        ]

    def configure_form(self, form, user, instance):
        _org_field(form, "organization", user, self.write_roles)
        _leader_field(form, "person", user)
        form.fields["departments"].queryset = Department.objects.select_related("unit")
        form.fields["units"].queryset = Unit.objects.all()

    def natural_key(self, data):
        return (data["person"].pk, data["valid_from"])

    def import_data(self, v, refs, errors):
        return {
            "person": refs.leader(v["person"], "班子成员", errors),
            "organization": refs.organization(v["organization"], "党组织", errors),
            "areas": v["areas"],
            "departments": refs.departments(v.get("departments"), "分管科室", errors),
            "units": refs.units(v.get("units"), "分管单位", errors),
            "duties": v["duties"],
            "valid_from": v["valid_from"],
            "valid_to": v.get("valid_to"),
        }

    def data_of(self, o):
        data = super().data_of(o)
        data["departments"], data["units"] = list(o.departments.all()), list(o.units.all())
        return data


class LiaisonEntity(Entity):
    key = "liaisons"
    model = LeaderLiaison
    label = "联系支部"
    noun = "对"
    group = "领导干部联系支部"
    group_url_name = "duties:liaison_overview"
    widgets = {"start_on": forms.DateInput(), "end_on": forms.DateInput()}
    select_related = ("leader", "branch")
    period_field = "start_on"
    search = ("leader__name", "branch__name", "note")
    headers = ("联系领导", "职务", "联系支部", "开始日期", "结束日期", "联系要求")
    cols = (
        Col("leader", "联系领导", lambda o: o.leader.name, required=True, width=10, example="王伟"),
        Col(
            "branch",
            "联系支部",
            lambda o: o.branch.name,
            required=True,
            width=20,
            help="党支部的全称、简称或组织编码",
            example="机关第一党支部",
        ),
        Col("start_on", "开始日期", lambda o: o.start_on, kind="date", required=True, width=12, example="2022-07-01"),
        Col("end_on", "结束日期", lambda o: o.end_on, kind="date", width=12),
        Col("note", "联系要求", lambda o: o.note, max_length=300, width=30, example="每季度至少到联系支部开展1次活动"),
    )

    def filter_period(self, qs, period):
        """Liaisons in force at some time in the period."""
        return qs.filter(start_on__lte=period.end).filter(Q(end_on__isnull=True) | Q(end_on__gte=period.start))

    def cells(self, o):
        return [
            Cell(o.leader.name, url=self.detail_url(o)),
            Cell(leader_title(o.leader), wrap=True),
            Cell(o.branch.name),
            Cell(d(o.start_on)),
            Cell(d(o.end_on) or "—"),
            Cell(o.note or "—", wrap=True),
        ]

    def configure_form(self, form, user, instance):
        _org_field(form, "branch", user, self.write_roles, branch_only=True)
        _leader_field(form, "leader", user)

    def natural_key(self, data):
        return (data["leader"].pk, data["branch"].pk, data["start_on"])

    def import_data(self, v, refs, errors):
        return {
            "leader": refs.leader(v["leader"], "联系领导", errors),
            "branch": refs.organization(v["branch"], "联系支部", errors, branch=True),
            "start_on": v["start_on"],
            "end_on": v.get("end_on"),
            "note": v.get("note") or "",
        }


class ActivityEntity(Entity):
    key = "activities"
    model = LiaisonActivity
    label = "联系支部活动"
    noun = "次"
    group = "领导干部联系支部"
    group_url_name = "duties:liaison_overview"
    widgets = {"held_on": forms.DateInput(), "content": forms.Textarea(attrs={"rows": 4})}
    select_related = ("liaison", "liaison__leader", "liaison__branch", "recorded_by")
    period_field = "held_on"
    choice_filters = (("kind", "活动形式", LiaisonKind.choices),)
    search = ("content", "liaison__leader__name")
    parent_param = "liaison"
    parent_field = "liaison"
    attachments = True
    headers = ("日期", "联系领导", "联系支部", "活动形式", "活动内容")
    cols = (
        Col("leader", "联系领导", lambda a: a.liaison.leader.name, required=True, width=10, example="王伟"),
        Col("branch", "联系支部", lambda a: a.liaison.branch.name, required=True, width=20, example="机关第一党支部"),
        Col("held_on", "日期", lambda a: a.held_on, kind="date", required=True, width=12, example="2022-09-15"),
        Col(
            "kind",
            "活动形式",
            lambda a: a.get_kind_display(),
            kind="choice",
            required=True,
            choices=tuple(LiaisonKind.choices),
            width=12,
            example="调研指导",
        ),
        Col(
            "content",
            "活动内容",
            lambda a: a.content,
            required=True,
            width=50,
            example="到支部调研指导支部标准化规范化建设",
        ),
    )

    def cells(self, a):
        return [
            Cell(d(a.held_on)),
            Cell(a.liaison.leader.name),
            Cell(a.liaison.branch.name),
            Cell(a.get_kind_display()),
            Cell(a.content, url=self.detail_url(a), wrap=True),
        ]

    def title_of(self, a):
        return f"{d(a.held_on)} {a.liaison.leader.name}到{a.liaison.branch.name}{a.get_kind_display()}"

    def configure_form(self, form, user, instance):
        q = Scope.of(user).org_q("org_path", self.write_roles)
        qs = LeaderLiaison.objects.select_related("leader", "branch").order_by("org_path", "start_on")
        form.fields["liaison"].queryset = qs if q is None else qs.filter(q)
        form.fields["liaison"].label_from_instance = lambda li: (
            f"{li.leader.name} → {li.branch.name}（{d(li.start_on)}起）"
        )
        form.fields["liaison"].error_messages["invalid_choice"] = "您无权为该联系点登记活动"

    def natural_key(self, data):
        return (data["liaison"].pk, data["held_on"], data["kind"], data["content"])

    def import_data(self, v, refs, errors):
        leader = refs.leader(v["leader"], "联系领导", errors)
        branch = refs.organization(v["branch"], "联系支部", errors, branch=True)
        if leader is None or branch is None:
            return {}
        held_on = v["held_on"]
        liaison = refs.liaison(leader, branch, held_on)
        if liaison is None:
            errors.append(("联系支部", f"{leader.name}在{d(held_on)}没有联系{branch.name}，请先登记联系点"))
            return {}
        return {"liaison": liaison, "held_on": held_on, "kind": v["kind"], "content": v["content"]}


# ---------------------------------------------------------------------- 廉政风险点


class RiskEntity(Entity):
    key = "risks"
    model = IntegrityRisk
    label = "廉政风险点"
    group = "廉政风险点防控清单"
    widgets = {
        "manifestation": forms.Textarea(attrs={"rows": 3}),
        "measures": forms.Textarea(attrs={"rows": 4}),
        "risk_point": forms.Textarea(attrs={"rows": 2}),
    }
    select_related = ("organization", "department", "unit")
    choice_filters = (
        (
            "area",
            "领域",
            lambda: [(a, a) for a in IntegrityRisk.objects.order_by().values_list("area", flat=True).distinct()],
        ),
        ("category", "风险类别", RiskCategory.choices),
        ("level", "风险等级", lambda: [(v, v) for v in services.risk_levels()]),
    )
    search = ("risk_point", "manifestation", "measures", "post")
    attachments = True
    headers = ("序号", "领域", "科室/单位", "岗位", "风险类别", "风险点", "风险等级", "防控措施", "责任人", "责任领导")
    cols = (
        order_col(example="1"),
        Col("organization", "党组织", lambda o: o.organization.name, required=True, width=18, example="局机关党委"),
        Col("area", "领域", lambda o: o.area, required=True, max_length=50, width=14, example="政治安全领域"),
        Col("department", "科室", lambda o: o.department.name if o.department else "", width=12, example="公共服务科"),
        Col("unit", "单位", lambda o: o.unit.name if o.unit else "", width=16, example=""),
        Col("post", "岗位", lambda o: o.post, required=True, max_length=100, width=14, example="公共文化服务岗"),
        Col(
            "category",
            "风险类别",
            lambda o: o.get_category_display(),
            kind="choice",
            required=True,
            choices=tuple(RiskCategory.choices),
            width=10,
            example="岗位职责",
        ),
        Col(
            "risk_point",
            "风险点",
            lambda o: o.risk_point,
            required=True,
            max_length=300,
            width=36,
            example="展陈、演出内容审核把关不严",
        ),
        Col("manifestation", "主要表现形式", lambda o: o.manifestation, required=True, width=36),
        Col(
            "level",
            "风险等级",
            lambda o: o.level,
            required=True,
            width=8,
            help="按规则配置中的等级填写，默认为高、中、低",
            example="高",
        ),
        Col("measures", "防控措施", lambda o: o.measures, required=True, width=40),
        Col(
            "responsible_person",
            "责任人",
            lambda o: o.responsible_person,
            required=True,
            max_length=100,
            width=14,
            example="公共服务科科长",
        ),
        Col(
            "responsible_leader",
            "责任领导",
            lambda o: o.responsible_leader,
            required=True,
            max_length=100,
            width=12,
            example="分管副局长",
        ),
        Col("indicator", "监测指标", lambda o: o.indicator, max_length=200, width=24),
    )

    def cells(self, o):
        css = {"高": "badge-overdue", "中": "badge-due"}.get(o.level, "text-bg-light border")
        return [
            Cell(o.order),
            Cell(o.area),
            Cell(names([x for x in (o.department, o.unit) if x]) or "—"),
            Cell(o.post),
            Cell(o.get_category_display()),
            Cell(o.risk_point, url=self.detail_url(o), wrap=True),
            Cell(o.level, css=css, badge=True),
            Cell(o.measures, wrap=True),
            Cell(o.responsible_person),
            Cell(o.responsible_leader),
        ]

    def configure_form(self, form, user, instance):
        _org_field(form, "organization", user, self.write_roles)
        form.fields["department"].queryset = Department.objects.all()
        form.fields["unit"].queryset = Unit.objects.all()
        _level_field(form)

    def natural_key(self, data):
        return (data["organization"].pk, data["area"], data["risk_point"])

    def import_data(self, v, refs, errors):
        return {
            "organization": refs.organization(v["organization"], "党组织", errors),
            "order": v.get("order") or 0,
            "area": v["area"],
            "department": refs.department(v["department"], "科室", errors) if v.get("department") else None,
            "unit": refs.unit(v["unit"], "单位", errors) if v.get("unit") else None,
            "post": v["post"],
            "category": v["category"],
            "risk_point": v["risk_point"],
            "manifestation": v["manifestation"],
            "level": v["level"],
            "measures": v["measures"],
            "responsible_person": v["responsible_person"],
            "responsible_leader": v["responsible_leader"],
            "indicator": v.get("indicator") or "",
        }


# ---------------------------------------------------------------------- 履职清单


class CatalogueEntity(Entity):
    group = "履职清单"
    group_url_name = "duties:catalogue"
    org_lookup = "department__organization__path"
    department_lookup = "department"
    select_related = ("department",)
    empty_hint = "可逐条添加，也可下载模板批量导入"

    def configure_form(self, form, user, instance):
        _department_field(form, "department", user)

    def department_cell(self, dept) -> Cell:
        return Cell(dept.name, url=reverse("duties:catalogue_department", args=[dept.pk]))

    def import_department(self, v, refs, errors, key="department", header="科室"):
        return refs.department(v[key], header, errors, writable=True)


class TaskEntity(CatalogueEntity):
    key = "tasks"
    model = WorkTask
    label = "工作任务"
    noun = "项"
    widgets = {"content": forms.Textarea(attrs={"rows": 2})}
    search = ("content", "basis")
    headers = ("科室", "序号", "工作任务", "依据")
    cols = (
        Col("department", "科室", lambda o: o.department.name, required=True, width=14, example="办公室"),
        order_col(example="1"),
        Col(
            "content",
            "工作任务",
            lambda o: o.content,
            required=True,
            max_length=300,
            width=50,
            example="负责局机关公文的收发、登记、传阅和催办",
        ),
        Col("basis", "依据", lambda o: o.basis, max_length=200, width=24, example="“三定”方案"),
    )

    def cells(self, o):
        return [
            self.department_cell(o.department),
            Cell(o.order),
            Cell(o.content, url=self.detail_url(o), wrap=True),
            Cell(o.basis or "—", wrap=True),
        ]

    def natural_key(self, data):
        return (data["department"].pk, data["content"])

    def import_data(self, v, refs, errors):
        return {
            "department": self.import_department(v, refs, errors),
            "order": v.get("order") or 0,
            "content": v["content"],
            "basis": v.get("basis") or "",
        }


class DivisionEntity(CatalogueEntity):
    key = "divisions"
    model = BoundaryDivision
    label = "内部边界分工"
    noun = "项"
    org_lookup = "lead_department__organization__path"
    department_lookup = "lead_department"
    form_fields = ("lead_department", "order", "matter", "assisting_departments", "note")
    widgets = {"assisting_departments": forms.SelectMultiple(attrs={"size": 6})}
    select_related = ("lead_department",)
    prefetch = ("assisting_departments",)
    search = ("matter", "note")
    headers = ("牵头科室", "序号", "事项", "配合科室", "分工说明")
    cols = (
        Col(
            "lead_department",
            "牵头科室",
            lambda o: o.lead_department.name,
            required=True,
            width=14,
            example="产业发展科",
        ),
        order_col(),
        Col(
            "matter",
            "事项",
            lambda o: o.matter,
            required=True,
            max_length=300,
            width=40,
            example="文化旅游节庆活动的组织筹办",
        ),
        many_col("assisting_departments", "配合科室", "科室", example="公共服务科、办公室"),
        Col("note", "分工说明", lambda o: o.note, max_length=300, width=40),
    )

    def filter_department(self, qs, dept):
        return qs.filter(Q(lead_department=dept) | Q(assisting_departments=dept)).distinct()

    def filtered(self, user, params):
        """?department=…&led=1: only the matters the department leads (the catalogue's count)."""
        qs, f = super().filtered(user, params)
        if f.department is not None and params.get("led") == "1":
            f.values["led"] = "1"
            qs = qs.filter(lead_department=f.department)
        return qs, f

    def cells(self, o):
        return [
            self.department_cell(o.lead_department),
            Cell(o.order),
            Cell(o.matter, url=self.detail_url(o), wrap=True),
            Cell(names(o.assisting_departments.all()) or "—", wrap=True),
            Cell(o.note or "—", wrap=True),
        ]

    def configure_form(self, form, user, instance):
        _department_field(form, "lead_department", user)
        form.fields["assisting_departments"].queryset = Department.objects.all()

    def natural_key(self, data):
        return (data["lead_department"].pk, data["matter"])

    def import_data(self, v, refs, errors):
        return {
            "lead_department": self.import_department(v, refs, errors, "lead_department", "牵头科室"),
            "order": v.get("order") or 0,
            "matter": v["matter"],
            "assisting_departments": refs.departments(v.get("assisting_departments"), "配合科室", errors),
            "note": v.get("note") or "",
        }

    def data_of(self, o):
        data = super().data_of(o)
        data["assisting_departments"] = list(o.assisting_departments.all())
        return data


def _step_kind_label(step) -> str:
    return StepKind(step.kind).label


class FlowchartEntity(CatalogueEntity):
    """Listed per chart; the Excel has one row per step (the chart's columns repeated)."""

    key = "flowcharts"
    model = WorkflowChart
    label = "工作流程图"
    noun = "张"
    search = ("name", "description")
    prefetch = ()
    headers = ("科室", "序号", "流程名称", "步骤数", "说明")
    cols = (
        Col("department", "科室", lambda s: s.chart.department.name, required=True, width=14, example="办公室"),
        Col(
            "name", "流程名称", lambda s: s.chart.name, required=True, max_length=100, width=20, example="公文办理流程"
        ),
        Col(
            "description",
            "流程说明",
            lambda s: s.chart.description,
            max_length=300,
            width=24,
            help="同一流程图只需在其中一行填写",
        ),
        Col("number", "步骤号", lambda s: s.number, kind="int", required=True, width=8, example="1"),
        Col(
            "kind",
            "类型",
            lambda s: _step_kind_label(s),
            kind="choice",
            choices=tuple(StepKind.choices),
            width=8,
            help="不填为“办理”",
            example="开始",
        ),
        Col("text", "步骤内容", lambda s: s.text, required=True, max_length=100, width=30, example="收文登记"),
        Col("actor", "办理岗位", lambda s: s.actor, max_length=50, width=14, example="文秘岗"),
        Col(
            "yes_to",
            "“是”转到",
            lambda s: s.yes_to,
            kind="int",
            width=9,
            help="判断步骤“是”转到的步骤号，不填为下一步；其他步骤可填跳转的步骤号",
        ),
        Col("no_to", "“否”转到", lambda s: s.no_to, kind="int", width=9, help="判断步骤必填：“否”转到的步骤号"),
    )

    def queryset(self, user, action="view"):
        from django.db.models import Count

        return (
            super()
            .queryset(user, action)
            .annotate(step_count=Count("steps"))
            .order_by("department__sort_order", "department_id", "order", "id")
        )

    def detail_url(self, obj) -> str:
        return reverse("duties:flowchart_detail", args=[obj.pk])

    def cells(self, o):
        return [
            self.department_cell(o.department),
            Cell(o.order),
            Cell(o.name, url=self.detail_url(o)),
            Cell(o.step_count),
            Cell(o.description or "—", wrap=True),
        ]

    def excel_rows(self, chart):
        for step in chart.steps.all():
            step.chart = chart
            yield [c.get(step) for c in self.cols]


class PostDutyEntity(CatalogueEntity):
    key = "post_duties"
    model = PostDuty
    label = "岗位职责"
    noun = "项"
    widgets = {"duty": forms.Textarea(attrs={"rows": 2})}
    choice_filters = ()
    search = ("post", "duty")
    headers = ("科室", "岗位", "序号", "岗位职责")
    cols = (
        Col("department", "科室", lambda o: o.department.name, required=True, width=14, example="办公室"),
        Col("post", "岗位", lambda o: o.post, required=True, max_length=100, width=14, example="文秘岗"),
        order_col(),
        Col(
            "duty",
            "岗位职责",
            lambda o: o.duty,
            required=True,
            max_length=300,
            width=50,
            example="负责公文的登记、分办和催办",
        ),
    )

    def cells(self, o):
        return [
            self.department_cell(o.department),
            Cell(o.post),
            Cell(o.order),
            Cell(o.duty, url=self.detail_url(o), wrap=True),
        ]

    def natural_key(self, data):
        return (data["department"].pk, data["post"], data["duty"])

    def import_data(self, v, refs, errors):
        return {
            "department": self.import_department(v, refs, errors),
            "post": v["post"],
            "order": v.get("order") or 0,
            "duty": v["duty"],
        }


class PostRiskEntity(CatalogueEntity):
    """Listed per risk point; the Excel has one row per control measure (the risk's columns repeated)."""

    key = "post_risks"
    model = PostRiskPoint
    label = "岗位风险点"
    noun = "项"
    widgets = {"risk": forms.Textarea(attrs={"rows": 2})}
    prefetch = ("measures",)
    choice_filters = (("level", "风险等级", lambda: [(v, v) for v in services.risk_levels()]),)
    search = ("post", "risk")
    headers = ("科室", "岗位", "序号", "风险点", "风险等级", "防控措施")
    cols = (
        Col(
            "department", "科室", lambda m: m.risk_point.department.name, required=True, width=14, example="财务审计科"
        ),
        Col("post", "岗位", lambda m: m.risk_point.post, required=True, max_length=100, width=14, example="会计岗"),
        Col(
            "risk",
            "风险点",
            lambda m: m.risk_point.risk,
            required=True,
            max_length=300,
            width=36,
            example="报销审核把关不严",
        ),
        Col("level", "风险等级", lambda m: m.risk_point.level, required=True, width=8, example="高"),
        Col(
            "measure",
            "防控措施",
            lambda m: m.measure if m.pk else "",
            max_length=300,
            width=40,
            help="一个风险点有多条措施时，每条措施占一行，风险点各列重复填写",
            example="严格执行报销审批制度，实行会计、出纳岗位分离",
        ),
    )

    def cells(self, o):
        css = {"高": "badge-overdue", "中": "badge-due"}.get(o.level, "text-bg-light border")
        return [
            self.department_cell(o.department),
            Cell(o.post),
            Cell(o.order),
            Cell(o.risk, url=self.detail_url(o), wrap=True),
            Cell(o.level, css=css, badge=True),
            Cell("；".join(m.measure for m in o.measures.all()) or "—", wrap=True),
        ]

    def configure_form(self, form, user, instance):
        super().configure_form(form, user, instance)
        _level_field(form)

    def detail_rows(self, o):
        rows = super().detail_rows(o)
        rows.append(("防控措施", "\n".join(f"{i}. {m.measure}" for i, m in enumerate(o.measures.all(), 1)) or "—"))
        return rows

    def excel_rows(self, risk):
        measures = list(risk.measures.all()) or [ControlMeasure(risk_point=risk, measure="")]
        for m in measures:
            m.risk_point = risk
            yield [c.get(m) for c in self.cols]


class MeasureEntity(CatalogueEntity):
    key = "measures"
    model = ControlMeasure
    label = "防控措施"
    org_lookup = "risk_point__department__organization__path"
    department_lookup = "risk_point__department"
    widgets = {"measure": forms.Textarea(attrs={"rows": 2})}
    select_related = ("risk_point", "risk_point__department")
    search = ("measure", "risk_point__risk")
    parent_param = "risk_point"
    parent_field = "risk_point"
    excel_key = "post_risks"
    headers = ("科室", "岗位", "岗位风险点", "序号", "防控措施")

    def cells(self, o):
        return [
            self.department_cell(o.risk_point.department),
            Cell(o.risk_point.post),
            Cell(o.risk_point.risk, url=ENTITIES["post_risks"].detail_url(o.risk_point), wrap=True),
            Cell(o.order),
            Cell(o.measure, url=self.detail_url(o), wrap=True),
        ]

    def configure_form(self, form, user, instance):
        scope = Scope.of(user)
        q = scope.org_q("department__organization__path", ADMIN_ROLES)
        qs = PostRiskPoint.objects.select_related("department")
        if q is not None:
            qs = qs.filter(q) if scope.has_role(*ADMIN_ROLES) else qs.none()
        form.fields["risk_point"].queryset = qs
        form.fields["risk_point"].label_from_instance = lambda r: f"{r.department.name} · {r.post}：{r.risk}"


ENTITIES: dict[str, Entity] = {
    e.key: e
    for e in (
        ItemEntity(),
        EvidenceEntity(),
        DualEntity(),
        LiaisonEntity(),
        ActivityEntity(),
        RiskEntity(),
        TaskEntity(),
        DivisionEntity(),
        FlowchartEntity(),
        PostDutyEntity(),
        PostRiskEntity(),
        MeasureEntity(),
    )
}
CATALOGUE_KEYS = ("tasks", "divisions", "flowcharts", "post_duties", "post_risks", "measures")
EVIDENCE_ROLES = WRITE_ROLES  # who records evidence and liaison activities (see duties.policies)


def entity_or_404(key: str) -> Entity:
    try:
        return ENTITIES[key]
    except KeyError:
        raise Http404("未知的清单类型") from None


def today() -> datetime.date:
    return timezone.localdate()
