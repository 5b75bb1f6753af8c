"""Forms of the reports app (the paragraph editor posts a plain textarea; see views_drafts)."""

from __future__ import annotations

from django import forms

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


class TemplateUploadForm(forms.Form):
    file = forms.FileField(
        label="Word 模板文件",
        help_text="在“下载当前模板”的基础上用 Word 修改后保存的 .docx 文件，不超过 5 MB",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "class": "form-control",
            }
        ),
        error_messages={"required": "请选择要上传的 Word 模板文件"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".docx"):
            raise forms.ValidationError("请上传 .docx 格式的 Word 文件（.doc 旧格式请先在 Word 中“另存为 .docx”）")
        if upload.size > MAX_TEMPLATE_BYTES:
            raise forms.ValidationError("文件超过 5 MB")
        return upload
