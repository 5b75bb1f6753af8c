"""Excel in the browser: export shows that it is working and then what it did; import validates,
previews and confirms."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, valid_id
from orgs.models import Person
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_export_shows_progress_then_result(bureau, live_server, page, shot):
    login(page, live_server, "committee", PASSWORD)
    page.goto(f"{live_server.url}/orgs/people/")
    with page.expect_download() as info:
        page.click("#export-excel")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    page.wait_for_selector("#download-status.alert-success")
    assert f"已导出 {Person.objects.count()} 条" in page.inner_text("#download-status")
    shot("export-done")
    with open(download.path(), "rb") as fh:
        book = openpyxl.load_workbook(io.BytesIO(fh.read()))
    assert book.active.max_row == Person.objects.count() + 1


def test_import_preview_then_confirm(bureau, live_server, page, shot, tmp_path):
    client = Client()
    client.force_login(bureau.users.sec1)
    template = client.get(reverse("orgs:person_import_template"))
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(template.streaming_content) if template.streaming else template.content)
    )
    sheet = book["人员"]
    headers = [c.value for c in sheet[1]]
    row = {
        "姓名": "新来的",
        "身份证号": valid_id("37060219950505123"),
        "政治面貌": "正式党员",
        "入党日期": "2020-07-01",
        "所属党组织": bureau.b1.name,
    }
    sheet.append([row.get(h.rstrip("*") if h else h) for h in headers])
    path = tmp_path / "people.xlsx"
    book.save(path)

    login(page, live_server, "sec1", PASSWORD)
    page.goto(f"{live_server.url}/orgs/people/import/")
    page.set_input_files("#import-upload input[type=file]", str(path))
    page.click("#import-upload button[type=submit]")
    page.wait_for_selector("#import-preview")
    assert "将新增 1" in page.inner_text("#import-summary")
    assert not Person.objects.filter(name="新来的").exists()  # nothing written before confirming
    shot("import-preview")
    page.click("#confirm-import")
    page.wait_for_selector("text=已导入")
    assert Person.objects.filter(name="新来的", organization=bureau.b1).exists()
    shot("import-done")
