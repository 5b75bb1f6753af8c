"""工作报告 pages: list, 生成工作报告, the draft with its figures linked, paragraph editing
(inline with htmx, or as a page without JavaScript), versions, Word and Excel downloads, and the
Word template. Thin views: parse input, call a service or selector, render."""

from __future__ import annotations

import json
import tempfile
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.audit import entries_for
from core.concurrency import ConcurrentEditError
from core.scope import ADMIN_ROLES, READ_ROLES, WRITE_ROLES, policy_for
from core.viewutils import paginate, require_roles
from orgs.models import Organization
from reports import docx as report_docx
from reports import selectors, services
from reports.areas import ordered_areas
from reports.content import TODO_MARK
from reports.models import ReportDraft, ReportVersion
from reports.render import html as block_html
from reports.render import plain
from reports.views import GROUP, _download_cookie, can_draft, xlsx_response

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PART_OF = {"h1:main": "main", "h1:problems": "problems", "h1:plans": "plans"}


def _list_crumb():
    return ("工作报告", reverse("reports:draft_list"))


def _draft(request, pk, action="view") -> ReportDraft:
    return policy_for(ReportDraft).get_for(
        request.user, action, queryset=ReportDraft.objects.select_related("organization"), pk=pk
    )


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def view_blocks(content: dict) -> list[dict]:
    """Blocks as the page shows them: rendered HTML, the part they belong to, what may be done."""
    result = []
    part = ""
    for b in content.get("blocks", []):
        part = PART_OF.get(b["id"], part)
        text = b.get("text", "")
        result.append(
            {
                **b,
                "html": block_html(b),
                "plain": plain(b),
                "part": part,
                "empty": not text,
                "edited": b.get("generated") is not None and text != b.get("generated"),
                "todo": TODO_MARK in text,
                "can_delete": b["kind"] not in services.FIXED_KINDS,
                "can_add_after": b["kind"] in services.ADD_AFTER_KINDS,
                "figure_list": [{"key": k, **v} for k, v in b.get("figures", {}).items()],
            }
        )
    return result


def grouped_statistics(statistics: list[dict]) -> list[tuple[str, list[dict]]]:
    return [
        (area, [r for r in statistics if r["area"] == area]) for area in ordered_areas(r["area"] for r in statistics)
    ]


# ---------------------------------------------------------------- list and generate


def _year(params, default: int, today) -> int:
    try:
        year = int(params.get("year") or default)
    except ValueError:
        year = default
    return min(max(year, selectors.MIN_YEAR), today.year)


@login_required
def draft_list(request):
    require_roles(request.user, *READ_ROLES)
    org = None
    if request.GET.get("org"):
        org = policy_for(Organization).get_or_404(request.user, pk=request.GET["org"])
    q = request.GET.get("q", "").strip()[:100]
    page = paginate(request, selectors.drafts_list(request.user, organization=org, q=q))
    home = selectors.home_organization(request.user)
    return render(
        request,
        "reports/draft_list.html",
        {
            "page_title": "工作报告",
            "breadcrumbs": [GROUP, ("工作报告", None)],
            "page_obj": page,
            "drafts": page.object_list,
            "q": q,
            "org": org,
            "scope_orgs": selectors.scope_options(request.user, org),
            "can_draft": home is not None and can_draft(request.user, home),
        },
    )


@login_required
def draft_create(request):
    """生成工作报告: pick an organization and a period; the draft is written from the data."""
    require_roles(request.user, *WRITE_ROLES)
    params = request.POST if request.method == "POST" else request.GET
    picked = selectors.pick(request.user, params)
    if picked is None:
        raise Http404("您的账号没有可生成报告的党组织")
    if not policy_for(ReportDraft).can_add(request.user, picked.organization):
        raise PermissionDenied("您无权为该党组织生成工作报告")
    if request.method == "POST" and request.POST.get("generate") and not picked.errors:
        started = time.monotonic()
        draft = services.draft_generate(actor=request.user, organization=picked.organization, period=picked.period)
        paragraphs = sum(1 for b in draft.content["blocks"] if b["kind"] not in services.FIXED_KINDS)
        figures = sum(len(b.get("figures", {})) for b in draft.content["blocks"])
        messages.success(
            request,
            f"已生成《{draft.title}》：{paragraphs}段，{figures}个数字可点击查看明细，用时{time.monotonic() - started:.1f}秒。"
            "请逐段核对、修改后导出 Word。",
        )
        return redirect("reports:draft_detail", pk=draft.pk)
    today = timezone.localdate()
    year = _year(params, picked.period.start.year, today)
    existing = selectors.drafts_list(request.user, organization=None).filter(
        organization=picked.organization, period_code=picked.period.code
    )[:5]
    return render(
        request,
        "reports/draft_form.html",
        {
            "page_title": "生成工作报告",
            "breadcrumbs": [GROUP, _list_crumb(), ("生成工作报告", None)],
            "picked": picked,
            "presets": selectors.period_presets(today, year),
            "year": year,
            "years": list(range(today.year, selectors.MIN_YEAR - 1, -1)),
            "scope_orgs": selectors.scope_options(request.user, picked.organization),
            "existing": existing,
        },
    )


# ---------------------------------------------------------------- the draft


@login_required
def draft_detail(request, pk):
    draft = _draft(request, pk)
    policy = policy_for(ReportDraft)
    content = draft.content
    blocks = view_blocks(content)
    return render(
        request,
        "reports/draft_detail.html",
        {
            "page_title": draft.title,
            "breadcrumbs": [GROUP, _list_crumb(), (draft.title, None)],
            "draft": draft,
            "blocks": blocks,
            "statistics": grouped_statistics(content.get("statistics", [])),
            "todo": sum(1 for b in blocks if b["todo"]),
            "figure_count": sum(len(b["figure_list"]) for b in blocks),
            "can_change": policy.can(request.user, "change", draft),
            "can_delete": policy.can(request.user, "delete", draft),
            "audit_entries": entries_for(draft)[:20],
        },
    )


def _block_context(draft: ReportDraft, block_id: str, **extra) -> dict:
    for b in view_blocks(draft.content):
        if b["id"] == block_id:
            return {"draft": draft, "b": b, "can_change": True, **extra}
    raise Http404("该段落不存在")


@login_required
def block_edit(request, pk, block_id):
    """Edit one paragraph. With htmx the form replaces the paragraph in place and the saved
    paragraph replaces the form; without JavaScript it is a page of its own."""
    draft = _draft(request, pk, "change")
    template = "reports/includes/block_form.html" if request.htmx else "reports/block_edit.html"
    context = {
        "page_title": "修改段落",
        "breadcrumbs": [
            GROUP,
            _list_crumb(),
            (draft.title, reverse("reports:draft_detail", args=[draft.pk])),
            ("修改段落", None),
        ],
    }
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            draft = services.block_update(
                actor=request.user, draft=draft, block_id=block_id, text=text, expected_version=_version(request)
            )
        except ConcurrentEditError as exc:
            return render(request, template, _block_context(draft, block_id, error=str(exc), text=text, **context))
        except ValidationError as exc:
            errors = exc.message_dict.get("text", exc.messages) if hasattr(exc, "error_dict") else exc.messages
            return render(
                request, template, _block_context(draft, block_id, error="；".join(errors), text=text, **context)
            )
        if request.htmx:
            response = render(request, "reports/includes/block.html", _block_context(draft, block_id, saved=True))
            response["HX-Trigger"] = json.dumps({"reportSaved": {"version": draft.version}})
            return response
        messages.success(request, f"已保存（第{draft.version}版）。")
        return redirect(reverse("reports:draft_detail", args=[draft.pk]) + f"#block-{block_id}")
    if request.GET.get("cancel") and request.htmx:
        return render(request, "reports/includes/block.html", _block_context(draft, block_id))
    ctx = _block_context(draft, block_id, **context)
    return render(request, template, {**ctx, "text": ctx["b"]["text"]})


def _simple_change(request, pk, service, success: str, **kwargs):
    draft = _draft(request, pk, "change")
    try:
        draft = service(actor=request.user, draft=draft, expected_version=_version(request), **kwargs)
    except ConcurrentEditError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, success.format(version=draft.version))
    anchor = kwargs.get("block_id") or kwargs.get("after_id") or ""
    return redirect(reverse("reports:draft_detail", args=[draft.pk]) + (f"#block-{anchor}" if anchor else ""))


@login_required
@require_POST
def block_revert(request, pk, block_id):
    return _simple_change(
        request, pk, services.block_revert, "已恢复为生成的文字（第{version}版）。", block_id=block_id
    )


@login_required
@require_POST
def block_add(request, pk, block_id):
    return _simple_change(
        request, pk, services.block_add, "已添加段落（第{version}版），请点击“修改”填写内容。", after_id=block_id
    )


@login_required
@require_POST
def block_delete(request, pk, block_id):
    return _simple_change(
        request, pk, services.block_delete, "已删除段落（第{version}版），可在版本记录中找回。", block_id=block_id
    )


@login_required
@require_POST
def draft_refresh(request, pk):
    return _simple_change(
        request, pk, services.draft_refresh, "已按最新数据刷新报告中的数字（第{version}版），您修改过的文字已保留。"
    )


@login_required
@require_POST
def draft_delete(request, pk):
    draft = _draft(request, pk, "delete")
    services.draft_delete(actor=request.user, draft=draft)
    messages.success(request, f"已删除《{draft.title}》，管理员可在回收站中恢复。")
    return redirect("reports:draft_list")


# ---------------------------------------------------------------- versions


@login_required
def version_list(request, pk):
    draft = _draft(request, pk)
    versions = list(draft.versions.select_related("created_by").order_by("-number"))
    return render(
        request,
        "reports/version_list.html",
        {
            "page_title": f"版本记录：{draft.title}",
            "breadcrumbs": [
                GROUP,
                _list_crumb(),
                (draft.title, reverse("reports:draft_detail", args=[draft.pk])),
                ("版本记录", None),
            ],
            "draft": draft,
            "versions": versions,
            "can_change": policy_for(ReportDraft).can(request.user, "change", draft),
        },
    )


@login_required
def version_detail(request, pk, number):
    draft = _draft(request, pk)
    version = ReportVersion.objects.filter(draft=draft, number=number).select_related("created_by").first()
    if version is None:
        raise Http404("该版本不存在")
    return render(
        request,
        "reports/version_detail.html",
        {
            "page_title": f"第{version.number}版：{draft.title}",
            "breadcrumbs": [
                GROUP,
                _list_crumb(),
                (draft.title, reverse("reports:draft_detail", args=[draft.pk])),
                ("版本记录", reverse("reports:version_list", args=[draft.pk])),
                (f"第{version.number}版", None),
            ],
            "draft": draft,
            "version": version,
            "blocks": view_blocks(version.content),
            "can_change": policy_for(ReportDraft).can(request.user, "change", draft),
        },
    )


@login_required
@require_POST
def version_restore(request, pk, number):
    return _simple_change(
        request, pk, services.version_restore, f"已恢复为第{number}版（保存为第{{version}}版）。", number=number
    )


# ---------------------------------------------------------------- downloads


def _filename(draft: ReportDraft, ext: str) -> str:
    return f"{draft.title}.{ext}"


@login_required
def draft_docx(request, pk):
    """The report in Word (GB/T 9704 layout), with the appendix of statistics."""
    draft = _draft(request, pk)
    fp = tempfile.TemporaryFile(suffix=".docx")  # noqa: SIM115 - FileResponse closes it
    paragraphs = report_docx.render_docx(draft.content, fp)
    fp.seek(0)
    services.record_export(
        actor=request.user,
        draft=draft,
        organization=draft.organization,
        what=f"{draft.title}.docx（第{draft.version}版）",
    )
    response = FileResponse(fp, as_attachment=True, filename=_filename(draft, "docx"), content_type=DOCX_CONTENT_TYPE)
    _download_cookie(request, response, paragraphs)
    return response


@login_required
def draft_xlsx(request, pk):
    draft = _draft(request, pk)
    return xlsx_response(
        request,
        draft.content.get("statistics", []),
        title=f"{draft.title}（统计指标）",
        organization=draft.organization,
        draft=draft,
    )


# ---------------------------------------------------------------- the Word template


@login_required
def template_page(request):
    """Download the Word template, upload the bureau's edited one (checked by rendering a sample
    report with it before it replaces the current one), or go back to the shipped template."""
    from reports.forms import TemplateUploadForm
    from reports.template_files import install_template, reset_template, template_info

    require_roles(request.user, *ADMIN_ROLES)
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("reset"):
            reset_template(actor=request.user)
            messages.success(request, "已恢复为系统自带的 Word 模板。")
            return redirect("reports:template_page")
        if form.is_valid():
            try:
                install_template(actor=request.user, uploaded=form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, "已更新 Word 模板，之后导出的工作报告使用新模板。")
                return redirect("reports:template_page")
    return render(
        request,
        "reports/template_page.html",
        {
            "page_title": "工作报告 Word 模板",
            "breadcrumbs": [GROUP, _list_crumb(), ("Word 模板", None)],
            "form": form,
            "info": template_info(),
        },
    )


@login_required
def template_download(request):
    require_roles(request.user, *ADMIN_ROLES)
    path = report_docx.template_path()
    return FileResponse(
        path.open("rb"), as_attachment=True, filename="工作报告模板.docx", content_type=DOCX_CONTENT_TYPE
    )
