from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.attachments import attachment_add, attachment_delete, attachments_for
from core.audit import entries_for
from core.models import Attachment, AuditEntry

pytestmark = pytest.mark.django_db

NAME = "述职报告（2022年）.pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name=NAME, content=b"%PDF-1.4 test", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_add_stores_under_media_root_with_a_random_name(bureau, media):
    a = attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload(), description="年度述职")
    assert a.original_name == NAME and a.size == len(b"%PDF-1.4 test")
    stored = Path(a.file.path)
    assert stored.is_file() and stored.read_bytes() == b"%PDF-1.4 test"
    assert media in stored.parents
    assert stored.name == a.token and "述职" not in str(stored)
    assert list(attachments_for(bureau.zhang)) == [a]
    entry = entries_for(bureau.zhang).first()
    assert entry.action == "core.attachment.added"
    assert entry.actor == bureau.users.sec1 and entry.organization == bureau.b1
    assert entry.changes == {"附件": [None, NAME]}


@pytest.mark.parametrize(
    "name,message",
    [
        ("病毒.exe", "不支持的文件类型“exe”"),
        ("page.html", "不支持的文件类型“html”"),
        ("README", "不支持的文件类型“无扩展名”"),
        ("script.PDF.js", "不支持的文件类型“js”"),
    ],
)
def test_type_refused(bureau, media, name, message):
    with pytest.raises(ValidationError) as exc:
        attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload(name))
    assert message in exc.value.messages[0]
    assert "允许的类型" in exc.value.messages[0]
    assert not Attachment.objects.exists() and files_in(media) == []
    assert not AuditEntry.objects.filter(action="core.attachment.added").exists()


def test_upper_case_extension_allowed(bureau):
    a = attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload("扫描件.JPG"))
    assert a.original_name == "扫描件.JPG"


def test_size_refused(bureau, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="文件过大.*不能超过 1 KB"):
        attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload(content=b"x" * 1025))
    with pytest.raises(ValidationError, match="文件为空"):
        attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload(content=b""))
    assert not Attachment.objects.exists() and files_in(media) == []
    attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload(content=b"x" * 1024))
    assert Attachment.objects.count() == 1


def test_client_path_is_stripped(bureau):
    a = attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload("..\\..\\材料\\名单.xlsx"))
    assert a.original_name == "名单.xlsx"


@pytest.mark.parametrize(
    "who,status",
    [
        ("sec1", 200),
        ("committee", 200),
        ("admin", 200),
        ("leader", 200),
        ("member", 200),
        ("sec2", 404),
        ("nobody", 404),
    ],
)
def test_download_permission(bureau, client_for, who, status):
    a = attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload())
    r = client_for(getattr(bureau.users, who)).get(reverse("core:attachment_download", args=[a.token]))
    assert r.status_code == status
    if status == 200:
        assert b"".join(r.streaming_content) == b"%PDF-1.4 test"
        disposition = r["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=utf-8''{quote(NAME)}" in disposition
        assert r["Content-Type"] == "application/pdf"
        assert r["X-Content-Type-Options"] == "nosniff"


def test_download_anonymous_and_unknown(bureau, client):
    a = attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload())
    r = client.get(reverse("core:attachment_download", args=[a.token]))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    client.force_login(bureau.users.sec1)
    assert client.get(reverse("core:attachment_download", args=["0" * 32])).status_code == 404


def test_upload_view_without_js(bureau, client_for):
    detail = reverse("orgs:person_detail", args=[bureau.zhang.pk])
    url = reverse("core:attachment_upload", args=["orgs.person", bureau.zhang.pk])
    c = client_for(bureau.users.sec1)
    r = c.post(url, {"file": upload(), "description": "说明", "next": detail})
    assert r.status_code == 302 and r["Location"] == detail
    a = Attachment.objects.get()
    assert a.description == "说明" and a.uploaded_by == bureau.users.sec1
    html = c.get(detail).content.decode()
    assert NAME in html and reverse("core:attachment_download", args=[a.token]) in html
    assert "已上传附件" in html  # the message after the redirect
    r = c.post(url, {"file": upload("x.exe"), "next": detail}, follow=True)
    assert "上传失败：不支持的文件类型“exe”" in r.content.decode()
    assert Attachment.objects.count() == 1
    r = c.post(url, {"next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == reverse("core:home")


def test_upload_view_with_htmx_returns_the_panel(bureau, client_for):
    url = reverse("core:attachment_upload", args=["orgs.person", bureau.zhang.pk])
    c = client_for(bureau.users.sec1)
    r = c.post(url, {"file": upload("x.exe")}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "上传失败" in html and "pb-attachments" in html and "<html" not in html
    r = c.post(url, {"file": upload()}, HTTP_HX_REQUEST="true")
    assert NAME in r.content.decode() and "已上传附件" in r.content.decode()


def test_upload_and_delete_need_change_permission(bureau, client_for):
    url = reverse("core:attachment_upload", args=["orgs.person", bureau.zhang.pk])
    assert client_for(bureau.users.sec2).post(url, {"file": upload()}).status_code == 404  # other branch
    assert client_for(bureau.users.leader).post(url, {"file": upload()}).status_code == 403  # read-only
    assert client_for(bureau.users.member).post(url, {"file": upload()}).status_code == 403  # own record, view only
    bad = reverse("core:attachment_upload", args=["core.auditentry", 1])
    assert client_for(bureau.users.admin).post(bad, {"file": upload()}).status_code == 404  # no policy: deny
    assert not Attachment.objects.exists()

    a = attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload())
    delete = reverse("core:attachment_delete", args=[a.token])
    assert client_for(bureau.users.sec2).post(delete).status_code == 404
    assert client_for(bureau.users.leader).post(delete).status_code == 403
    a.refresh_from_db()
    assert a.deleted_at is None
    r = client_for(bureau.users.sec1).post(delete)
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.deleted_at is not None and Path(a.file.path).exists()  # soft: the file is kept
    assert entries_for(bureau.zhang).first().action == "core.attachment.deleted"
    assert list(attachments_for(bureau.zhang)) == []
    download = reverse("core:attachment_download", args=[a.token])
    assert client_for(bureau.users.sec1).get(download).status_code == 404


def test_delete_service_is_idempotent_and_audited_once(bureau):
    a = attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload())
    attachment_delete(actor=bureau.users.sec1, attachment=a)
    attachment_delete(actor=bureau.users.sec1, attachment=a)
    assert AuditEntry.objects.filter(action="core.attachment.deleted").count() == 1


def test_files_are_not_reachable_under_static_url(bureau, client_for):
    a = attachment_add(actor=bureau.users.sec1, subject=bureau.zhang, uploaded_file=upload())
    c = client_for(bureau.users.admin)
    static = "/" + django_settings.STATIC_URL.strip("/") + "/"
    assert c.get(static + a.file.name).status_code == 404
    assert c.get(static + "media/" + a.file.name).status_code == 404
    # The configured media root is outside every static directory, and nothing maps a URL onto it.
    media = Path(django_settings.MEDIA_ROOT).resolve()
    for static_dir in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        static_dir = Path(static_dir).resolve()
        assert static_dir != media and static_dir not in media.parents and media not in static_dir.parents
    assert not django_settings.MEDIA_URL or django_settings.MEDIA_URL == "/"


def test_panel_on_person_and_handover_pages(bureau, client_for):
    import datetime

    from orgs.services import post_assign, post_end

    detail = reverse("orgs:person_detail", args=[bureau.zhang.pk])
    html = client_for(bureau.users.sec1).get(detail).content.decode()
    assert "附件（0）" in html and 'enctype="multipart/form-data"' in html
    html = client_for(bureau.users.leader).get(detail).content.decode()
    assert "附件（0）" in html and 'enctype="multipart/form-data"' not in html  # read-only: no upload form

    post = post_assign(
        actor=bureau.users.committee,
        person=bureau.li,
        organization=bureau.b1,
        post="affairs_officer",
        start_on=datetime.date(2020, 1, 1),
    )
    post_end(actor=bureau.users.committee, post=post, end_on=datetime.date(2022, 9, 30))
    handover = post.handover
    attachment_add(actor=bureau.users.sec1, subject=handover, uploaded_file=upload("交接清单.docx"))
    html = client_for(bureau.users.sec1).get(reverse("orgs:handover_detail", args=[handover.pk])).content.decode()
    assert "交接清单.docx" in html and "附件（1）" in html
    assert client_for(bureau.users.sec2).get(reverse("orgs:handover_detail", args=[handover.pk])).status_code == 404
