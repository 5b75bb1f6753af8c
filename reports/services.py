"""Every write to a work report: draft it, edit, revert, add or delete a paragraph, refresh the
figures, restore a version, delete. Each is one transaction that locks the draft, checks the
version the user saw, stores the new content, writes a ReportVersion (who changed what) and
exactly one audit entry."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from core import audit
from core.concurrency import check_version
from core.periods import Period
from core.services import restore, soft_delete
from reports import content as report_content
from reports.models import ReportDraft, ReportVersion
from reports.render import plain, validate_text

A = audit.register_action
GENERATED = A("reports.draft.generated", "生成工作报告")
EDITED = A("reports.draft.edited", "修改工作报告段落")
REVERTED = A("reports.draft.reverted", "恢复报告段落的生成文字")
ADDED = A("reports.draft.paragraph_added", "添加工作报告段落")
DELETED_PARAGRAPH = A("reports.draft.paragraph_deleted", "删除工作报告段落")
REFRESHED = A("reports.draft.refreshed", "按最新数据刷新工作报告")
VERSION_RESTORED = A("reports.draft.version_restored", "恢复工作报告历史版本")
DELETED = A("reports.draft.deleted", "删除工作报告")
EXPORTED = A("reports.draft.exported", "导出工作报告（Word）")
STATS_EXPORTED = A("reports.statistics.exported", "导出统计指标（Excel）")

AUDIT_TEXT = 500  # characters of a paragraph kept in the audit entry (the version keeps it all)
FIXED_KINDS = {"title", "heading1", "heading2", "signature"}  # edited, never deleted
ADD_AFTER_KINDS = {"opening", "lead", "paragraph", "problem", "plan", "free", "heading2"}


def _user_name(actor) -> str:
    if getattr(actor, "pk", None):
        return actor.get_full_name() or actor.username
    return "系统"


def _clip(text: str | None) -> str | None:
    if text is None:
        return None
    return text if len(text) <= AUDIT_TEXT else text[:AUDIT_TEXT] + "…"


def _find(content: dict, block_id: str) -> tuple[int, dict]:
    for i, b in enumerate(content.get("blocks", [])):
        if b["id"] == block_id:
            return i, b
    raise ValidationError("该段落不存在，可能已被他人删除，请刷新页面")


def _title_of(content: dict) -> str:
    for b in content.get("blocks", []):
        if b["kind"] == "title":
            return plain(b)[:200] or "工作报告"
    return "工作报告"


def _record(*, actor, draft: ReportDraft, action: str, summary: str, changes: list[dict]) -> ReportVersion:
    """The version row and the audit entry of one change (inside the caller's transaction)."""
    version = ReportVersion.objects.create(
        draft=draft,
        number=draft.version,
        content=draft.content,
        summary=summary[:300],
        changes=changes,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_by_name=_user_name(actor),
    )
    audit_changes = {c["label"]: [_clip(c["old"]), _clip(c["new"])] for c in changes}
    audit_changes["version"] = [draft.version - 1 if draft.version > 1 else None, draft.version]
    audit.record(actor=actor, action=action, obj=draft, organization=draft.organization, changes=audit_changes)
    return version


def draft_generate(
    *, actor, organization, period: Period, progress: Callable[[str], None] | None = None
) -> ReportDraft:
    """Draft the report of `organization` for `period` from the data the actor may see."""
    user = actor if getattr(actor, "pk", None) else None
    data = report_content.build_content(period, organization, user, progress=progress)
    with transaction.atomic():
        draft = ReportDraft.objects.create(
            organization=organization,
            org_path=organization.path,
            period_code=period.code,
            period_label=period.label,
            title=_title_of(data),
            content=data,
            created_by=user,
            updated_by=user,
        )
        n = sum(1 for b in data["blocks"] if b["kind"] not in FIXED_KINDS)
        _record(
            actor=actor,
            draft=draft,
            action=GENERATED,
            summary=f"生成报告（{period.label}，{n}段）",
            changes=[
                {"block": "title", "label": "标题", "old": None, "new": draft.title},
                {"block": "", "label": "期间", "old": None, "new": period.label},
                {"block": "", "label": "段落", "old": None, "new": f"{n}段"},
            ],
        )
    return draft


def _change(*, actor, draft: ReportDraft, expected_version: int | None, action: str, apply: Callable) -> ReportDraft:
    """Lock, check the version, let `apply(content) -> (summary, changes)` change a copy, save."""
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().select_related("organization").get(pk=draft.pk)
        check_version(locked, expected_version)
        data = {**locked.content, "blocks": [dict(b) for b in locked.content.get("blocks", [])]}
        summary, changes = apply(data)
        if not changes:
            return locked
        locked.content = data
        locked.title = _title_of(data)
        locked.version += 1
        locked.updated_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["content", "title", "version", "updated_by", "updated_at"])
        _record(actor=actor, draft=locked, action=action, summary=summary, changes=changes)
    return locked


def block_update(*, actor, draft: ReportDraft, block_id: str, text: str, expected_version: int | None = None):
    """Replace a paragraph's text; `{placeholders}` left in the text keep their figures' links."""

    def apply(data):
        i, b = _find(data, block_id)
        new_text = validate_text(text, b.get("figures", {}))
        if not new_text and b["kind"] in FIXED_KINDS:
            raise ValidationError({"text": "标题和落款不能为空"})
        if new_text == b["text"]:
            return "", []
        old = plain(b)
        data["blocks"][i] = {**b, "text": new_text}
        new = plain(data["blocks"][i])
        return f"修改“{b['label']}”", [{"block": block_id, "label": b["label"], "old": old, "new": new}]

    return _change(actor=actor, draft=draft, expected_version=expected_version, action=EDITED, apply=apply)


def block_revert(*, actor, draft: ReportDraft, block_id: str, expected_version: int | None = None):
    """Back to the text as drafted from the data (the figures keep their drafted values)."""

    def apply(data):
        i, b = _find(data, block_id)
        if b.get("generated") is None:
            raise ValidationError("手工添加的段落没有生成的文字")
        if b["text"] == b["generated"]:
            return "", []
        old = plain(b)
        data["blocks"][i] = {**b, "text": b["generated"]}
        return f"恢复“{b['label']}”", [
            {"block": block_id, "label": b["label"], "old": old, "new": plain(data["blocks"][i])}
        ]

    return _change(actor=actor, draft=draft, expected_version=expected_version, action=REVERTED, apply=apply)


def block_add(
    *, actor, draft: ReportDraft, after_id: str, text: str = "", expected_version: int | None = None
) -> ReportDraft:
    """A paragraph of the user's own after `after_id` (same part of the report)."""

    def apply(data):
        i, b = _find(data, after_id)
        if b["kind"] not in ADD_AFTER_KINDS:
            raise ValidationError("不能在此处添加段落")
        new_text = validate_text(text, {}) or "【请输入段落内容】"
        new_id = f"free:{secrets.token_hex(4)}"
        label = "补充段落（" + (b["label"] or "").split("·")[0].split("（第")[0] + "后）"
        data["blocks"].insert(
            i + 1,
            {
                "id": new_id,
                "kind": "free",
                "label": label,
                "text": new_text,
                "generated": None,
                "figures": {},
                "chapter": b.get("chapter"),
            },
        )
        return f"添加{label}", [{"block": new_id, "label": label, "old": None, "new": new_text}]

    return _change(actor=actor, draft=draft, expected_version=expected_version, action=ADDED, apply=apply)


def block_delete(*, actor, draft: ReportDraft, block_id: str, expected_version: int | None = None) -> ReportDraft:
    """Remove a paragraph: one added by hand disappears; a drafted one is emptied (it can be
    brought back with 恢复生成的文字). Titles, headings and the signature stay."""

    def apply(data):
        i, b = _find(data, block_id)
        if b["kind"] in FIXED_KINDS:
            raise ValidationError("标题、小标题和落款不能删除，可以修改文字")
        old = plain(b)
        if b["kind"] == "free":
            del data["blocks"][i]
        elif not b["text"]:
            return "", []
        else:
            data["blocks"][i] = {**b, "text": ""}
        return f"删除“{b['label']}”", [{"block": block_id, "label": b["label"], "old": old, "new": None}]

    return _change(actor=actor, draft=draft, expected_version=expected_version, action=DELETED_PARAGRAPH, apply=apply)


def draft_refresh(
    *, actor, draft: ReportDraft, expected_version: int | None = None, progress: Callable[[str], None] | None = None
) -> ReportDraft:
    """Draft again from today's data, keeping the user's edited and added paragraphs."""
    user = actor if getattr(actor, "pk", None) else None
    period = Period.parse(draft.period_code)
    fresh = report_content.build_content(period, draft.organization, user, progress=progress)

    def apply(data):
        merged = report_content.merge_refreshed(data, fresh)
        before = {b["id"]: plain(b) for b in data["blocks"]}
        after = {b["id"]: plain(b) for b in merged["blocks"]}
        labels = {b["id"]: b["label"] for b in data["blocks"] + merged["blocks"]}
        changes = [
            {"block": bid, "label": labels[bid], "old": before.get(bid), "new": after.get(bid)}
            for bid in list(dict.fromkeys([*before, *after]))
            if before.get(bid) != after.get(bid)
        ]
        stats_changed = merged.get("statistics") != data.get("statistics")
        data.clear()
        data.update(merged)
        if not changes and stats_changed:
            changes = [{"block": "", "label": "附表", "old": "旧数据", "new": "最新数据"}]
        return f"按{fresh['generated_at'][:10]}的数据刷新（{len(changes)}处变化）", changes

    return _change(actor=actor, draft=draft, expected_version=expected_version, action=REFRESHED, apply=apply)


def version_restore(*, actor, draft: ReportDraft, number: int, expected_version: int | None = None) -> ReportDraft:
    """Make an earlier version the current content again (as a new version; nothing is lost)."""
    old = ReportVersion.objects.filter(draft=draft, number=number).first()
    if old is None:
        raise ValidationError("该版本不存在")

    def apply(data):
        before = {b["id"]: b for b in data["blocks"]}
        after = {b["id"]: b for b in old.content.get("blocks", [])}
        changes = []
        for bid in dict.fromkeys([*before, *after]):
            a, b = before.get(bid), after.get(bid)
            pa, pb = (plain(a) if a else None), (plain(b) if b else None)
            if pa != pb:
                changes.append({"block": bid, "label": (b or a)["label"], "old": pa, "new": pb})
        if not changes and data.get("statistics") == old.content.get("statistics"):
            return "", []
        data.clear()
        data.update(old.content)
        return f"恢复为第{number}版", changes or [{"block": "", "label": "附表", "old": None, "new": f"第{number}版"}]

    return _change(actor=actor, draft=draft, expected_version=expected_version, action=VERSION_RESTORED, apply=apply)


def draft_delete(*, actor, draft: ReportDraft) -> ReportDraft:
    return soft_delete(actor=actor, instance=draft, action=DELETED)


def draft_restore(*, actor, draft: ReportDraft) -> ReportDraft:
    return restore(actor=actor, instance=draft)


def record_export(*, actor, draft: ReportDraft | None, organization, what: str, action: str = EXPORTED) -> None:
    """One audit entry per export (Word or Excel)."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=action,
            obj=draft,
            organization=organization,
            object_repr=what,
            changes={"文件": [None, what]},
        )
