"""Attachments (附件) on any record: type and size limits, stored outside the static tree.

Files live under MEDIA_ROOT with a random token as their name (the original, often Chinese, name
is kept in the row and used again on download). They are never served by URL: the download view
checks `policy_for(subject).can(user, "view", subject)` first. Uploading and deleting require
"change" on the subject. Each write records one audit entry on the subject, so the attachment
appears in the subject's history.
"""

from __future__ import annotations

import mimetypes
import secrets
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from core import audit
from core.models import Attachment
from core.scope import policy_for

ADDED = audit.register_action("core.attachment.added", "上传附件")
DELETED = audit.register_action("core.attachment.deleted", "删除附件")


def allowed_extensions() -> list[str]:
    return [e.lower().lstrip(".") for e in settings.ATTACHMENT_ALLOWED_EXTENSIONS]


def max_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_BYTES)


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} 字节"


def clean_original_name(name: str) -> str:
    """The file's own name without any client-side path ("C:\\材料\\述职.docx" -> "述职.docx")."""
    name = (name or "").replace("\\", "/")
    name = PurePath(name).name.strip().replace("\x00", "")
    return name[:255]


def validate_upload(uploaded_file) -> tuple[str, str]:
    """(clean original name, extension) or a Chinese ValidationError."""
    if uploaded_file is None:
        raise ValidationError("请选择要上传的文件")
    name = clean_original_name(getattr(uploaded_file, "name", ""))
    if not name:
        raise ValidationError("文件名无效")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = allowed_extensions()
    if ext not in allowed:
        raise ValidationError(f"不支持的文件类型“{ext or '无扩展名'}”。允许的类型：{'、'.join(allowed)}")
    size = getattr(uploaded_file, "size", None) or 0
    if size <= 0:
        raise ValidationError("文件为空，请重新选择")
    if size > max_bytes():
        raise ValidationError(f"文件过大（{human_size(size)}），单个附件不能超过 {human_size(max_bytes())}")
    return name, ext


def _organization_of(subject):
    try:
        return policy_for(subject).org_of(subject)
    except (LookupError, AttributeError):
        return getattr(subject, "organization", None)


def attachment_add(*, actor, subject: models.Model, uploaded_file, description: str = "") -> Attachment:
    name, _ext = validate_upload(uploaded_file)
    description = (description or "").strip()[:200]
    content_type = getattr(uploaded_file, "content_type", "") or mimetypes.guess_type(name)[0] or ""
    with transaction.atomic():
        attachment = Attachment(
            token=secrets.token_hex(16),
            content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
            object_id=str(subject.pk),
            original_name=name,
            size=uploaded_file.size,
            content_type_header=content_type[:120],
            description=description,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        # The stored name is the random token (see core.models.attachment_path), never the upload's name.
        attachment.file.save(attachment.token, uploaded_file, save=False)
        try:
            attachment.save()
            audit.record(
                actor=actor,
                action=ADDED,
                obj=subject,
                organization=_organization_of(subject),
                changes={"附件": [None, name]},
            )
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_delete(*, actor, attachment: Attachment) -> Attachment:
    """Soft delete: the row and the file stay (restorable by an administrator), hidden from lists."""
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if locked.deleted_at is not None:
            return locked
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["deleted_at"])
        subject = locked.subject
        audit.record(
            actor=actor,
            action=DELETED,
            obj=subject if subject is not None else locked,
            organization=_organization_of(subject) if subject is not None else None,
            changes={"附件": [locked.original_name, None]},
        )
    return locked


# ---------------------------------------------------------------- reads


def attachments_for(subject: models.Model):
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return Attachment.objects.filter(
        content_type=ct, object_id=str(subject.pk), deleted_at__isnull=True
    ).select_related("uploaded_by", "uploaded_by__person")


def subject_of(attachment: Attachment):
    """The record an attachment belongs to, or None if it is gone or in the recycle bin."""
    model = attachment.content_type.model_class()
    if model is None:
        return None
    manager = model._default_manager  # alive rows only for soft-delete models
    try:
        return manager.get(pk=attachment.object_id)
    except (model.DoesNotExist, ValueError):
        return None


def can(user, action: str, subject) -> bool:
    if subject is None:
        return False
    try:
        policy = policy_for(subject)
    except LookupError:
        return False  # deny by default
    return policy.can(user, action, subject)


def panel_context(user, subject, *, next_url: str = "", csrf_token=None, error: str = "", notice: str = "") -> dict:
    """Context of the attachments panel (core/attachments_panel.html) for `subject`."""
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return {
        "subject": subject,
        "subject_key": f"{ct.app_label}.{ct.model}",
        "panel_id": f"attachments-{ct.app_label}-{ct.model}-{subject.pk}",
        "attachments": [_with_size_label(a) for a in attachments_for(subject)],
        "can_change": can(user, "change", subject),
        "allowed": "、".join(allowed_extensions()),
        "accept": ",".join("." + e for e in allowed_extensions()),
        "max_size": human_size(max_bytes()),
        "next_url": next_url,
        "csrf_token": csrf_token,
        "error": error,
        "notice": notice,
    }


def _with_size_label(attachment: Attachment) -> Attachment:
    attachment.size_label = human_size(attachment.size)
    return attachment
