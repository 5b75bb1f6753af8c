"""Every write in the organizations app. Each service writes one audit entry in its transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from core import audit
from core.events import record_changed, subtree_moved
from core.models import TrackedItem
from core.rules import rule
from core.services import create_instance, restore, soft_delete, update_instance
from core.tracking import Workflow, register_workflow, tracked_item_create, tracked_item_transition
from orgs.models import Department, Handover, Organization, PartyPost, Person, PostType, Unit
from orgs.validators import birth_date_from_id, gender_from_id, validate_id_number

A = audit.register_action
A("orgs.organization.created", "新建党组织")
A("orgs.organization.updated", "修改党组织")
A("orgs.organization.deleted", "删除党组织（移入回收站）")
A("orgs.person.created", "新建人员")
A("orgs.person.updated", "修改人员")
A("orgs.person.deleted", "删除人员（移入回收站）")
A("orgs.person.id_number_viewed", "查看完整身份证号")
A("orgs.person.exported", "导出人员台账")
A("orgs.person.imported", "导入人员")
A("orgs.organization.imported", "导入党组织")
A("orgs.post.assigned", "任职")
A("orgs.post.ended", "离任")
A("orgs.handover.created", "发起工作交接")
A("orgs.handover.completed", "完成工作交接")
A("orgs.unit.created", "新建单位")
A("orgs.unit.updated", "修改单位")
A("orgs.department.created", "新建科室")
A("orgs.department.updated", "修改科室")

HANDOVER_KIND = "orgs.handover"
register_workflow(
    Workflow(
        kind=HANDOVER_KIND,
        label="工作交接",
        statuses={"open": "待交接", "done": "已完成"},
        initial="open",
        closed={"done"},
        transitions={"open": {"done"}, "done": {"open"}},
        reason_required={"open"},
        url_name="orgs:handover_detail",
    )
)

ORG_FIELDS = [
    "name",
    "short_name",
    "code",
    "org_type",
    "is_industry",
    "parent",
    "sort_order",
    "established_on",
    "term_start",
    "term_end",
    "has_committee",
    "has_cells",
    "fixed_theme_day",
]
PERSON_FIELDS = [
    "name",
    "gender",
    "id_number",
    "birth_date",
    "phone",
    "party_status",
    "joined_party_on",
    "full_member_on",
    "organization",
    "unit",
    "department",
    "job_title",
    "is_leader",
    "is_leadership_member",
    "leadership_role",
    "notes",
]


def pinyin_of(name: str) -> tuple[str, str]:
    """("zhangsan", "zs") for 张三."""
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()


# ---------------------------------------------------------------- organizations


def path_for(parent: Organization | None, pk: int) -> tuple[str, int]:
    segment = f"{pk:06d}."
    if parent is None:
        return segment, 0
    return parent.path + segment, parent.depth + 1


def validate_organization(org: Organization) -> None:
    if org.term_start and org.term_end and org.term_end <= org.term_start:
        raise ValidationError({"term_end": "届满日期应晚于本届开始日期"})
    if org.established_on and org.term_start and org.term_start < org.established_on:
        raise ValidationError({"term_start": "本届开始日期不能早于成立日期"})
    if org.fixed_theme_day is not None and not 1 <= org.fixed_theme_day <= 28:
        raise ValidationError({"fixed_theme_day": "主题党日固定日应在1至28日之间"})
    if org.org_type == "cell" and (org.parent is None or org.parent.org_type not in ("branch", "joint_branch")):
        raise ValidationError({"parent": "党小组的上级应为党支部"})


def organization_create(*, actor, data: dict[str, Any]) -> Organization:
    org = Organization(**data)
    validate_organization(org)
    org.name_initials = pinyin_of(org.name)[1]
    with transaction.atomic():
        org.path = "tmp"
        org.full_clean(exclude=["path"])
        org.save()
        org.path, org.depth = path_for(org.parent, org.pk)
        org.save(update_fields=["path", "depth"])
        audit.record(
            actor=actor,
            action="orgs.organization.created",
            obj=org,
            organization=org,
            changes=audit.diff({}, audit.snapshot(org, ORG_FIELDS)),
        )
        record_changed(org)
    return org


def organization_update(
    *, actor, org: Organization, data: dict[str, Any], expected_version: int | None = None
) -> Organization:
    new_parent = data.get("parent", org.parent)
    if new_parent is not None and (new_parent.pk == org.pk or new_parent.path.startswith(org.path)):
        raise ValidationError({"parent": "上级党组织不能是本组织或其下级组织"})
    old_path = org.path

    def before_save(locked: Organization) -> None:
        validate_organization(locked)
        locked.name_initials = pinyin_of(locked.name)[1]

    with transaction.atomic():
        updated = update_instance(
            actor=actor,
            instance=org,
            data=data,
            action="orgs.organization.updated",
            expected_version=expected_version,
            organization=org,
            extra_update_fields=["name_initials"],
            before_save=before_save,
        )
        if updated.parent_id != (org.parent_id if org.parent_id else None) or "parent" in data:
            new_path, new_depth = path_for(updated.parent, updated.pk)
            if new_path != old_path:
                _move_subtree(old_path, new_path, new_depth - updated.depth)
                updated.refresh_from_db()
                record_changed(updated)  # again, now that the subtree's paths have moved
    return updated


def _move_subtree(old_prefix: str, new_prefix: str, depth_delta: int) -> None:
    for node in Organization.all_objects.select_for_update().filter(path__startswith=old_prefix):
        node.path = new_prefix + node.path[len(old_prefix) :]
        node.depth = node.depth + depth_delta
        node.save(update_fields=["path", "depth"])
    # Every record that keeps a copy of its organization's path (`org_path`: people, meetings,
    # problems, duties, points, drafts…) moves with the subtree: one prefix rewrite per model.
    # History tables keep the path as it was.
    for model in _models_with_org_path():
        model._base_manager.filter(org_path__startswith=old_prefix).update(
            org_path=Concat(Value(new_prefix), Substr("org_path", len(old_prefix) + 1), output_field=CharField())
        )
    subtree_moved(old_prefix, new_prefix)  # derived rows keyed by the ancestors' paths follow


def _models_with_org_path() -> list:
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "org_path" in names and "history_id" not in names and not model._meta.proxy:
            found.append(model)
    return found


def organization_delete(*, actor, org: Organization) -> Organization:
    if Organization.objects.filter(parent=org).exists():
        raise ValidationError("该党组织还有下级组织，请先删除或调整下级组织")
    if Person.objects.filter(organization=org).exists():
        raise ValidationError("该党组织还有人员，请先将人员转出或删除")
    return soft_delete(actor=actor, instance=org, action="orgs.organization.deleted", organization=org)


def organization_restore(*, actor, org: Organization) -> Organization:
    def validate(locked):
        if locked.parent_id and Organization.all_objects.get(pk=locked.parent_id).deleted_at:
            raise ValidationError("上级党组织已删除，请先恢复上级党组织")

    return restore(actor=actor, instance=org, organization=org, validate=validate)


def term_end_of(org: Organization, rules=None) -> datetime.date | None:
    """The recorded term end, or term start + the term length in force when the term began."""
    if org.term_end:
        return org.term_end
    if not org.term_start:
        return None
    lookup = rules.get if rules is not None else rule
    try:
        years = int(lookup(f"org.term_years.{org.org_type}", org.term_start.year))
    except KeyError:
        return None
    try:
        return org.term_start.replace(year=org.term_start.year + years)
    except ValueError:  # 29 February
        return org.term_start.replace(year=org.term_start.year + years, day=28)


# ---------------------------------------------------------------- people


def prepare_person(person: Person) -> None:
    if person.id_number:
        person.id_number = validate_id_number(person.id_number)
        person.birth_date = birth_date_from_id(person.id_number)
        if not person.gender:
            person.gender = gender_from_id(person.id_number)
    person.org_path = person.organization.path
    person.name = person.name.strip()
    person.name_pinyin, person.name_initials = pinyin_of(person.name)
    if person.joined_party_on and person.birth_date and person.joined_party_on <= person.birth_date:
        raise ValidationError({"joined_party_on": "入党日期不能早于出生日期"})
    if person.joined_party_on and person.joined_party_on > timezone.localdate():
        raise ValidationError({"joined_party_on": "入党日期不能晚于今天"})
    if person.full_member_on and person.joined_party_on and person.full_member_on < person.joined_party_on:
        raise ValidationError({"full_member_on": "转正日期不能早于入党日期"})
    if person.department_id and person.unit_id and person.department.unit_id != person.unit_id:
        raise ValidationError({"department": "所选科室不属于所选单位"})
    if person.id_number:
        clash = Person.objects.filter(id_number=person.id_number).exclude(pk=person.pk)
        if clash.exists():
            raise ValidationError({"id_number": "该身份证号已登记在其他人员名下"})


def person_create(*, actor, data: dict[str, Any]) -> Person:
    person = Person(**data)
    prepare_person(person)
    return create_instance(actor=actor, instance=person, fields=PERSON_FIELDS, action="orgs.person.created")


def person_update(*, actor, person: Person, data: dict[str, Any], expected_version: int | None = None) -> Person:
    return update_instance(
        actor=actor,
        instance=person,
        data=data,
        action="orgs.person.updated",
        expected_version=expected_version,
        extra_update_fields=["name_pinyin", "name_initials", "birth_date", "gender", "org_path"],
        before_save=prepare_person,
    )


def person_delete(*, actor, person: Person) -> Person:
    return soft_delete(actor=actor, instance=person, action="orgs.person.deleted")


def person_restore(*, actor, person: Person) -> Person:
    def validate(locked):
        if locked.id_number and Person.objects.filter(id_number=locked.id_number).exists():
            raise ValidationError("已有在册人员使用相同身份证号，无法恢复")

    return restore(actor=actor, instance=person, validate=validate)


def person_read_id_number(*, actor, person: Person) -> str:
    """Returns the full ID number and audits the read."""
    with transaction.atomic():
        audit.record(actor=actor, action="orgs.person.id_number_viewed", obj=person, organization=person.organization)
    return person.id_number


# ---------------------------------------------------------------- posts and handovers

HANDOVER_POSTS = {PostType.AFFAIRS_OFFICER, PostType.SECRETARY, PostType.DEPUTY_SECRETARY}


def post_assign(
    *, actor, person: Person, organization: Organization, post: str, start_on: datetime.date, note: str = ""
) -> PartyPost:
    if not person.is_party_member and post != PostType.AFFAIRS_OFFICER:
        raise ValidationError("非党员不能担任党内职务")
    unique_posts = {PostType.SECRETARY}
    if (
        post in unique_posts
        and PartyPost.objects.filter(organization=organization, post=post, end_on__isnull=True).exists()
    ):
        raise ValidationError("该党组织已有在任书记，请先办理原书记离任")
    if PartyPost.objects.filter(person=person, organization=organization, post=post, end_on__isnull=True).exists():
        raise ValidationError("该人员已担任此职务")
    instance = PartyPost(person=person, organization=organization, post=post, start_on=start_on, note=note)
    return create_instance(
        actor=actor,
        instance=instance,
        fields=["person", "organization", "post", "start_on", "note"],
        action="orgs.post.assigned",
    )


def post_end(
    *,
    actor,
    post: PartyPost,
    end_on: datetime.date,
    successor: Person | None = None,
    handover_items: str = "",
    expected_version: int | None = None,
) -> PartyPost:
    """End a post. Leaving a 书记/副书记/党务干部 post opens a handover with a deadline."""
    if end_on < post.start_on:
        raise ValidationError({"end_on": "离任日期不能早于任职日期"})
    if post.end_on is not None:
        raise ValidationError("该职务已离任")
    with transaction.atomic():
        ended = update_instance(
            actor=actor,
            instance=post,
            data={"end_on": end_on},
            action="orgs.post.ended",
            expected_version=expected_version,
        )
        if ended.post in HANDOVER_POSTS:
            handover_create(
                actor=actor,
                post=ended,
                successor=successor,
                items=handover_items or "党建工作台账、档案资料及未完成事项",
            )
    return ended


def handover_create(*, actor, post: PartyPost, successor: Person | None, items: str) -> Handover:
    with transaction.atomic():
        handover = Handover(
            post=post,
            organization=post.organization,
            from_person=post.person,
            to_person=successor,
            items=items,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        handover.save()
        days = int(rule("handover.deadline_working_days", post.end_on.year, default=5))
        owner = getattr(successor, "user", None) if successor else None
        item = tracked_item_create(
            actor=actor,
            kind=HANDOVER_KIND,
            title=f"{post.organization.name}{post.get_post_display()}{post.person.name}离任交接",
            organization=post.organization,
            start_on=post.end_on,
            duration=days,
            deadline_mode=TrackedItem.DEADLINE_WORKING,
            owner=owner,
            subject=handover,
        )
        handover.tracked_item = item
        handover.save(update_fields=["tracked_item"])
        audit.record(
            actor=actor,
            action="orgs.handover.created",
            obj=handover,
            organization=post.organization,
            changes={
                "to_person": [None, str(successor) if successor else ""],
                "due_on": [None, item.due_on.isoformat()],
            },
        )
    return handover


def handover_complete(*, actor, handover: Handover, completed_on: datetime.date, reason: str = "") -> Handover:
    if completed_on < handover.post.end_on:
        raise ValidationError({"completed_on": "交接完成日期不能早于离任日期"})
    with transaction.atomic():
        updated = update_instance(
            actor=actor,
            instance=handover,
            data={"completed_on": completed_on},
            action="orgs.handover.completed",
        )
        if updated.tracked_item_id:
            tracked_item_transition(
                actor=actor, item=updated.tracked_item, to_status="done", reason=reason or "交接完成"
            )
    return updated


# ---------------------------------------------------------------- units and departments

UNIT_FIELDS = ["name", "unit_type", "sort_order"]
DEPARTMENT_FIELDS = ["name", "unit", "organization", "is_administrative", "sort_order"]


def unit_create(*, actor, data: dict[str, Any], organization=None) -> Unit:
    return create_instance(
        actor=actor, instance=Unit(**data), fields=UNIT_FIELDS, action="orgs.unit.created", organization=organization
    )


def unit_update(*, actor, unit: Unit, data: dict[str, Any], expected_version: int | None = None) -> Unit:
    return update_instance(
        actor=actor, instance=unit, data=data, action="orgs.unit.updated", expected_version=expected_version
    )


def department_create(*, actor, data: dict[str, Any]) -> Department:
    department = Department(**data)
    return create_instance(
        actor=actor,
        instance=department,
        fields=DEPARTMENT_FIELDS,
        action="orgs.department.created",
        organization=department.organization,
    )


def department_update(
    *, actor, department: Department, data: dict[str, Any], expected_version: int | None = None
) -> Department:
    return update_instance(
        actor=actor,
        instance=department,
        data=data,
        action="orgs.department.updated",
        expected_version=expected_version,
        organization=data.get("organization", department.organization),
    )
