"""View helpers shared by the Excel import pages (template → upload and check → preview → confirm).

Between the preview and the confirmation the uploaded file is kept in a private temporary folder
under a random token that is also stored in the user's session; confirming checks the whole file
again inside the writing transaction, so changes made meanwhile by others are taken into account.
Pages render templates extending "excel/import.html" with `import_context(...)`.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.utils.crypto import constant_time_compare

from core.importers import MAX_UPLOAD_BYTES, Importer, ImportResult

PREVIEW_ROWS = 200
ERRORS_SHOWN = 500
STASH_MAX_AGE = 24 * 3600
EXPIRED_UPLOAD = "待导入的文件已失效（可能已经导入过，或超过了有效期），请重新上传。"


@dataclass(frozen=True)
class ImportKind:
    key: str
    importer: type[Importer]
    title: str
    crumb: tuple[str, str]
    list_url: str
    url_prefix: str
    allowed: Callable


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件",
        help_text="按模板填写的 .xlsx 文件，不超过 20 MB",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control",
            }
        ),
        error_messages={
            "required": "请选择要导入的 Excel 文件",
            "empty": "上传的文件是空的（0 字节），请选择填写好的 Excel 文件。",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件过大（超过 20 MB），请分批导入")
        return upload


def import_context(importer: Importer, *, form, result: ImportResult | None, token: str) -> dict[str, Any]:
    """The context entries every import page shares (upload form, result, preview and errors)."""
    return {
        "importer": importer,
        "notes": importer.general_notes(),
        "form": form,
        "result": result,
        "preview": result.changed_plans()[:PREVIEW_ROWS] if result is not None and result.ok else [],
        "preview_limit": PREVIEW_ROWS,
        "errors": result.errors[:ERRORS_SHOWN] if result is not None else [],
        "errors_limit": ERRORS_SHOWN,
        "token": token,
    }


# ---------------------------------------------------------------------- stash between preview and confirm


def _stash_dir() -> Path:
    base = getattr(settings, "IMPORT_STASH_DIR", None) or Path(tempfile.gettempdir()) / "partybuilding-imports"
    path = Path(base)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _session_key(kind: ImportKind) -> str:
    return f"orgs_import_{kind.key}"


def _stash_path(token: str) -> Path | None:
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        return None
    return _stash_dir() / f"{token}.xlsx"


def stash_upload(request, kind: ImportKind, upload) -> str:
    """Keep `upload` for the confirmation (dropping stale files and this kind's earlier upload); the token."""
    folder = _stash_dir()
    cutoff = time.time() - STASH_MAX_AGE
    for old in folder.glob("*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    discard_upload(request, kind)
    token = secrets.token_hex(16)
    upload.seek(0)
    with open(folder / f"{token}.xlsx", "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    request.session[_session_key(kind)] = {"token": token, "name": upload.name}
    return token


def stashed_upload(request, kind: ImportKind) -> tuple[Path, str] | None:
    """(path, original file name) of the upload the posted token confirms, or None if it has expired."""
    info = request.session.get(_session_key(kind)) or {}
    token = request.POST.get("token", "")
    path = _stash_path(info.get("token", ""))
    if not token or path is None or not constant_time_compare(info.get("token", ""), token) or not path.exists():
        return None
    return path, info.get("name", "")


def discard_upload(request, kind: ImportKind) -> None:
    info = request.session.pop(_session_key(kind), None)
    if info:
        path = _stash_path(info.get("token", ""))
        if path is not None:
            path.unlink(missing_ok=True)


# ---------------------------------------------------------------------- upload → preview, confirm


def upload_form(request) -> ImportUploadForm:
    return ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()


def preview_upload(request, kind: ImportKind, form: ImportUploadForm) -> tuple[ImportResult | None, str]:
    """Check a posted file without writing; keep it for the confirmation when it has changes.
    Returns (result or None when nothing valid was posted, stash token or "")."""
    if request.method != "POST" or not form.is_valid():
        return None, ""
    upload = form.cleaned_data["file"]
    result = kind.importer(request.user, filename=upload.name).preview(upload)
    token = stash_upload(request, kind, upload) if result.has_changes else ""
    return result, token


def run_stashed_upload(request, kind: ImportKind) -> ImportResult | None:
    """Import the file kept at the preview (checked again while writing) and forget it; None (with
    an error message) when it has expired."""
    stashed = stashed_upload(request, kind)
    if stashed is None:
        messages.error(request, EXPIRED_UPLOAD)
        return None
    path, name = stashed
    importer = kind.importer(request.user, filename=name)
    with open(path, "rb") as fh:
        result = importer.run(fh)
    discard_upload(request, kind)
    return result


def announce_import(request, result: ImportResult, *, unit: str, unchanged_unit: str, total_unit: str) -> None:
    """The message after a successful import, e.g. "已导入 3 次会议，1 次会议系统中已有，未重复登记。"."""
    if result.committed:
        text = f"已导入 {result.created} {unit}"
        if result.unchanged:
            text += f"，{result.unchanged} {unchanged_unit}系统中已有，未重复登记"
        messages.success(request, text + "。")
    else:
        messages.info(request, f"文件中的 {result.total} {total_unit}系统中均已登记，没有需要导入的变化。")
