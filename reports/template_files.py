"""The Word template the bureau edits: upload (checked by rendering a sample report first),
go back to the shipped one; each change is audited."""

from __future__ import annotations

import datetime
import io
import shutil
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from core import audit
from reports import docx as report_docx

UPLOADED = audit.register_action("reports.template.uploaded", "更新工作报告 Word 模板")
RESET = audit.register_action("reports.template.reset", "恢复系统自带的工作报告 Word 模板")


def sample_content() -> dict:
    """A small report exercising every part of the template."""

    def b(kind, text, **extra):
        return {"id": kind, "kind": kind, "label": kind, "text": text, "generated": text, "figures": {}, **extra}

    return {
        "blocks": [
            b("title", "示例党组织2022年上半年党建工作情况报告"),
            b("opening", "示例开头段。"),
            b("heading1", "一、主要工作"),
            b("heading2", "（一）筑牢党建责任，夯实组织建设"),
            b("paragraph", "上半年共召开党建工作专题会2次。"),
            b("signature", "示例党组织\n2022年7月1日"),
        ],
        "statistics": [{"area": "组织生活", "label": "党建工作专题会议", "display": "2", "unit": "次", "url": "/"}],
        "organization": {"name": "示例党组织"},
        "period": {"label": "2022年上半年"},
    }


def check_template(path: Path) -> None:
    try:
        report_docx.render_docx(sample_content(), io.BytesIO(), template=path)
    except Exception as exc:  # a broken tag, a file that is not a Word document…
        raise ValidationError(
            f"该文件不能用作报告模板：{exc}。请在下载的模板基础上修改，不要删除或改动 {{{{ }}}} 和 {{%p %}} 标记。"
        ) from None


def template_info() -> dict:
    path = report_docx.template_path()
    uploaded = report_docx.uploaded_template_path()
    custom = path == uploaded and uploaded.exists()
    stat = path.stat() if path.exists() else None
    return {
        "custom": custom,
        "configured": path not in (uploaded, report_docx.SHIPPED_TEMPLATE),
        "path": path,
        "size": stat.st_size if stat else 0,
        "modified": datetime.datetime.fromtimestamp(stat.st_mtime).astimezone() if stat else None,  # noqa: DTZ006
    }


def install_template(*, actor, uploaded) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / "candidate.docx"
        with candidate.open("wb") as fh:
            for chunk in uploaded.chunks():
                fh.write(chunk)
        check_template(candidate)
        target = report_docx.uploaded_template_path()
        with transaction.atomic():
            audit.record(
                actor=actor,
                action=UPLOADED,
                object_repr="工作报告 Word 模板",
                changes={"文件": ["自定义模板" if target.exists() else "系统自带模板", uploaded.name]},
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(candidate, target)
    return target


def reset_template(*, actor) -> None:
    target = report_docx.uploaded_template_path()
    if not target.exists():
        return
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=RESET,
            object_repr="工作报告 Word 模板",
            changes={"文件": ["自定义模板", "系统自带模板"]},
        )
        target.unlink()
