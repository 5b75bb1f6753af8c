"""Excel import and export of people and organizations (issue 2, part 7)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.audit import mask_id_number
from core.models import AuditEntry
from orgs.importers import ORG_IMPORT_FIELDS, PERSON_IMPORT_FIELDS, OrganizationImporter, PersonImporter
from orgs.models import Organization, Person
from orgs.validators import id_check_digit

PERSON_HEADERS = [f.header for f in PERSON_IMPORT_FIELDS]
ORG_HEADERS = [f.header for f in ORG_IMPORT_FIELDS]


def valid_id(prefix17: str) -> str:
    return prefix17 + id_check_digit(prefix17)


NEW_ID = valid_id("11010119900307001")  # born 1990-03-07
NEW_ID2 = valid_id("11010119850512002")  # born 1985-05-12


def xlsx(rows, headers=PERSON_HEADERS, sheet="人员") -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def person_row(**values) -> dict:
    row = {
        "姓名": "新同志",
        "身份证号": NEW_ID,
        "政治面貌": "正式党员",
        "入党日期": "2015-07-01",
        "所属党组织": "机关第一党支部",
        "单位": "测试局机关",
        "科室": "办公室",
    }
    row.update(values)
    return row


def org_row(**values) -> dict:
    row = {"组织编码": "T03", "名称": "机关第三党支部", "组织类型": "党支部", "上级组织编码": "T00"}
    row.update(values)
    return row


def preview(user, rows, **kw):
    return PersonImporter(user).preview(xlsx(rows, **kw))


def run(user, rows, **kw):
    return PersonImporter(user, filename="人员.xlsx").run(xlsx(rows, **kw))


def only_error(result):
    assert not result.file_error, result.file_error
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


def state():
    """Everything an import could change: people with versions, audit entries, history rows."""
    return (
        sorted(Person.all_objects.values_list("pk", "version")),
        AuditEntry.objects.count(),
        Person.history.count(),
        sorted(Organization.all_objects.values_list("pk", "version", "path")),
    )


def export_bytes(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


def sheet_rows(data: bytes, sheet: str) -> list[tuple]:
    wb = load_workbook(io.BytesIO(data))
    return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]


# ---------------------------------------------------------------------- file-level problems


@pytest.mark.django_db
class TestFileProblems:
    def test_not_an_xlsx_file(self, bureau):
        result = PersonImporter(bureau.users.committee).preview(io.BytesIO(b"name,id\nzhang,1\n"))
        assert ".xlsx" in result.file_error and "无法读取" in result.file_error
        assert not result.ok

    def test_empty_file(self, bureau):
        result = PersonImporter(bureau.users.committee).preview(io.BytesIO(b""))
        assert "空的" in result.file_error

    def test_header_only(self, bureau):
        result = preview(bureau.users.committee, [])
        assert "没有需要导入的数据" in result.file_error

    def test_wrong_headers_name_the_expected_ones(self, bureau):
        headers = [h for h in PERSON_HEADERS if h != "政治面貌"] + ["籍贯"]
        result = preview(bureau.users.committee, [{"姓名": "甲"}], headers=headers)
        assert "缺少列：政治面貌" in result.file_error
        assert "、".join(PERSON_HEADERS) in result.file_error

    def test_wrong_sheet(self, bureau):
        # The organization template uploaded into the people import.
        result = preview(bureau.users.committee, [org_row()], headers=ORG_HEADERS, sheet="党组织")
        assert "没有“人员”工作表" in result.file_error
        assert "缺少列" in result.file_error and "姓名" in result.file_error

    def test_required_headers_tolerate_marks_and_order(self, bureau):
        headers = list(reversed(PERSON_HEADERS))
        headers[headers.index("姓名")] = "姓名*"
        row = person_row()
        row["姓名*"] = row.pop("姓名")
        result = preview(bureau.users.committee, [row], headers=headers)
        assert result.ok, result.messages()
        assert result.created == 1


# ---------------------------------------------------------------------- row-level problems


@pytest.mark.django_db
class TestRowProblems:
    @pytest.mark.parametrize(
        ("values", "column", "message"),
        [
            ({"姓名": None}, "姓名", "必填项"),
            ({"政治面貌": "  "}, "政治面貌", "必填项"),
            ({"所属党组织": None}, "所属党组织", "请填写所属党组织名称或党组织编码"),
            ({"身份证号": NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")}, "身份证号", "校验位错误"),
            ({"身份证号": "12345"}, "身份证号", "应为18位"),
            ({"身份证号": valid_id("11010119900230001")}, "身份证号", "出生日期无效"),
            ({"身份证号": 110101199003070000.0}, "身份证号", "存成了数字"),
            ({"所属党组织": "不存在的支部"}, "所属党组织", "党组织“不存在的支部”不存在"),
            ({"党组织编码": "X99"}, "党组织编码", "党组织编码“X99”不存在"),
            ({"党组织编码": "T02"}, "所属党组织", "对应的是“机关第二党支部”，与填写的“机关第一党支部”不一致"),
            ({"单位": "不存在的单位"}, "单位", "单位“不存在的单位”不存在"),
            ({"科室": "宣传科"}, "科室", "科室“宣传科”不属于单位“测试局机关”"),
            ({"单位": None, "科室": "宣传科"}, "科室", "科室“宣传科”不存在"),
            ({"单位": "测试图书馆", "科室": "办公室"}, "科室", "科室“办公室”不属于单位“测试图书馆”"),
            ({"入党日期": "2022-02-30"}, "入党日期", "“2022-02-30”不是有效日期（2022年2月没有30日）"),
            ({"入党日期": "去年七月"}, "入党日期", "请按 2022-06-30 的格式填写"),
            ({"入党日期": "1989-07-01"}, "入党日期", "入党日期不能早于出生日期"),
            ({"入党日期": "2030-07-01"}, "入党日期", "晚于今天"),
            ({"转正日期": "2014-07-01"}, "转正日期", "转正日期不能早于入党日期"),
            ({"出生日期": "1990-03-08"}, "出生日期", "与身份证号中的出生日期（1990-03-07）不一致"),
            (
                {"政治面貌": "党员"},
                "政治面貌",
                "“党员”不在可选值中，可选：正式党员、预备党员、入党积极分子、群众",
            ),
            ({"性别": "未知"}, "性别", "不在可选值中，可选：男、女"),
            ({"领导干部": "可能"}, "领导干部", "请填写“是”或“否”"),
            ({"联系电话": "1" * 30}, "联系电话", "不能超过 20 个字"),
        ],
    )
    def test_bad_value(self, bureau, values, column, message):
        rows = [person_row(姓名="甲", 身份证号=NEW_ID2), person_row(**values)]
        error = only_error(preview(bureau.users.committee, rows))
        assert error.row == 3
        assert error.column == column
        assert message in error.message, error.message
        assert str(error).startswith("第 3 行【")

    def test_blank_rows_are_skipped_and_row_numbers_stay_excel_rows(self, bureau):
        result = preview(bureau.users.committee, [person_row(), {}, {}, person_row(姓名="甲", 身份证号="1")])
        assert result.total == 2
        error = only_error(result)
        assert (error.row, error.column) == (5, "身份证号")

    def test_birth_date_in_future_without_id(self, bureau):
        error = only_error(preview(bureau.users.committee, [person_row(身份证号=None, 出生日期="2099-01-01")]))
        assert (error.row, error.column) == (2, "出生日期")
        assert "晚于今天" in error.message

    def test_duplicate_id_within_file(self, bureau):
        result = preview(
            bureau.users.committee, [person_row(), person_row(姓名="别人"), person_row(姓名="甲", 身份证号=NEW_ID2)]
        )
        error = only_error(result)
        assert (error.row, error.column) == (3, "身份证号")
        assert error.message == "与第 2 行的身份证号重复"

    def test_duplicate_id_against_existing_person(self, bureau):
        error = only_error(preview(bureau.users.committee, [person_row(姓名="李雷", 身份证号=bureau.zhang.id_number)]))
        assert (error.row, error.column) == (2, "身份证号")
        assert "已登记在“张三”（机关第一党支部）名下" in error.message

    def test_same_name_without_id_twice_is_ambiguous(self, bureau):
        rows = [person_row(身份证号=None), person_row(身份证号=None)]
        error = only_error(preview(bureau.users.committee, rows))
        assert error.row == 3 and "无法区分" in error.message

    def test_ambiguous_organization_name(self, bureau, django_user_model):
        from orgs import services

        services.organization_create(
            actor=None, data={"name": "第一党小组", "code": "T0201", "org_type": "cell", "parent": bureau.b2}
        )
        error = only_error(preview(bureau.users.committee, [person_row(所属党组织="第一党小组")]))
        assert "有 2 个党组织都叫“第一党小组”，请填写党组织编码以区分" in error.message
        result = preview(bureau.users.committee, [person_row(所属党组织="第一党小组", 党组织编码="T0201")])
        assert result.ok and result.created == 1

    def test_errors_are_listed_for_every_bad_row(self, bureau):
        rows = [
            person_row(姓名=None),
            person_row(姓名="甲", 身份证号=NEW_ID2),
            person_row(政治面貌="党员", 身份证号=None),
        ]
        result = preview(bureau.users.committee, rows)
        assert [(e.row, e.column) for e in result.errors] == [(2, "姓名"), (4, "政治面貌")]
        assert result.total == 3


# ---------------------------------------------------------------------- all or nothing, create and update


@pytest.mark.django_db
class TestWriting:
    def test_one_bad_row_means_nothing_is_written(self, bureau):
        before = state()
        rows = [
            person_row(),
            person_row(姓名="甲", 身份证号=NEW_ID2),
            person_row(姓名="乙", 身份证号=None, 入党日期="2022-02-30"),
            {
                "姓名": "张三",
                "身份证号": bureau.zhang.id_number,
                "政治面貌": "正式党员",
                "所属党组织": "机关第一党支部",
                "职务": "新职务",
            },
        ]
        result = run(bureau.users.committee, rows)
        assert not result.committed
        assert [(e.row, e.column) for e in result.errors] == [(4, "入党日期")]
        assert state() == before
        assert not Person.objects.filter(name__in=["新同志", "甲"]).exists()

    def test_create_and_update_in_one_import(self, bureau):
        li_before = Person.objects.get(pk=bureau.li.pk)
        rows = [
            person_row(),
            # 李四 has no ID number: matched by name + organization, gets the ID and a job title.
            person_row(姓名="李四", 身份证号=NEW_ID2, 入党日期="2010-07-01", 职务="组织委员"),
        ]
        audits_before = AuditEntry.objects.count()
        result = run(bureau.users.committee, rows)
        assert result.ok and result.committed, result.messages()
        assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
        new = Person.objects.get(id_number=NEW_ID)
        assert new.birth_date == datetime.date(1990, 3, 7)
        assert new.gender == "M"
        assert new.name_initials == "xtz"
        assert new.department == bureau.office
        li = Person.objects.get(pk=bureau.li.pk)
        assert li.id_number == NEW_ID2 and li.job_title == "组织委员"
        assert li.version == li_before.version + 1
        # One audit entry for the whole import, none per row; row history is kept.
        entries = AuditEntry.objects.order_by("-id")[: AuditEntry.objects.count() - audits_before]
        assert [e.action for e in entries] == ["orgs.person.imported"]
        assert entries[0].changes["created"] == [None, 1]
        assert entries[0].changes["updated"] == [None, 1]
        assert entries[0].changes["file"] == [None, "人员.xlsx"]
        assert new.history.filter(history_type="+").count() == 1
        assert li.history.first().history_change_reason == "Excel导入"

    def test_update_by_id_number_can_move_organization(self, bureau):
        row = {
            "姓名": "张三",
            "身份证号": bureau.zhang.id_number,
            "政治面貌": "正式党员",
            "入党日期": "2010-07-01",
            "党组织编码": "T0101",
            "单位": "测试局机关",
            "科室": "办公室",
        }
        result = run(bureau.users.committee, [row])
        assert (result.created, result.updated) == (0, 1), result.messages()
        assert Person.objects.get(pk=bureau.zhang.pk).organization == bureau.cell

    def test_blank_or_masked_id_keeps_the_existing_number(self, bureau):
        base = {"姓名": "张三", "政治面貌": "正式党员", "入党日期": "2010-07-01", "所属党组织": "机关第一党支部"}
        base |= {"单位": "测试局机关", "科室": "办公室", "性别": "男", "出生日期": "1980-01-01"}
        for id_cell in (None, mask_id_number(bureau.zhang.id_number)):
            result = preview(bureau.users.committee, [{**base, "身份证号": id_cell}])
            assert (result.created, result.updated, result.unchanged) == (0, 0, 1), result.messages()
        error = only_error(preview(bureau.users.committee, [{**base, "身份证号": "110101********0000"}]))
        assert "脱敏号码" in error.message

    def test_updates_of_different_columns(self, bureau, client_for):
        data = export_bytes(client_for(bureau.users.committee), reverse("orgs:person_export"))
        wb = load_workbook(io.BytesIO(data))
        for row in wb["人员"].iter_rows(min_row=2):
            if row[0].value == "李四":
                row[PERSON_HEADERS.index("职务")].value = "组织委员"
            if row[0].value == "王五":
                row[PERSON_HEADERS.index("联系电话")].value = "13900000000"
                row[PERSON_HEADERS.index("政治面貌")].value = "预备党员"
        buf = io.BytesIO()
        wb.save(buf)
        buf.seek(0)
        versions = dict(Person.objects.values_list("pk", "version"))
        result = PersonImporter(bureau.users.committee).run(buf)
        assert (result.created, result.updated) == (0, 2), result.messages()
        li, wang = Person.objects.get(pk=bureau.li.pk), Person.objects.get(pk=bureau.wang.pk)
        assert li.job_title == "组织委员" and li.version == versions[li.pk] + 1
        assert (wang.phone, wang.party_status, wang.version) == ("13900000000", "probationary", versions[wang.pk] + 1)
        assert wang.history.first().version == wang.version
        assert {p.pk: p.version for p in Person.objects.exclude(pk__in=[li.pk, wang.pk])} == {
            pk: v for pk, v in versions.items() if pk not in (li.pk, wang.pk)
        }

    def test_many_rows(self, bureau):
        rows = [
            person_row(姓名=f"批量{i}", 身份证号=valid_id(f"110101199001{(i % 28) + 1:02d}{i:03d}")) for i in range(300)
        ]
        result = run(bureau.users.committee, rows)
        assert result.committed and result.created == 300, result.messages()[:3]
        assert Person.objects.filter(name__startswith="批量").count() == 300
        assert AuditEntry.objects.filter(action="orgs.person.imported").count() == 1


# ---------------------------------------------------------------------- permissions


@pytest.mark.django_db
class TestPermissions:
    def test_secretary_cannot_import_into_the_other_branch(self, bureau):
        rows = [person_row(), person_row(姓名="甲", 身份证号=NEW_ID2, 所属党组织="机关第二党支部", 科室="财务科")]
        result = run(bureau.users.sec1, rows)
        error = only_error(result)
        assert (error.row, error.column) == (3, "所属党组织")
        assert "无权导入到该党组织" in error.message
        assert not Person.objects.filter(id_number=NEW_ID).exists()

    def test_secretary_may_import_into_own_branch_and_its_cell(self, bureau):
        rows = [person_row(), person_row(姓名="甲", 身份证号=NEW_ID2, 党组织编码="T0101", 所属党组织=None)]
        result = run(bureau.users.sec1, rows)
        assert result.committed and result.created == 2, result.messages()

    def test_secretary_cannot_take_over_a_person_of_the_other_branch(self, bureau):
        from orgs import services

        services.person_update(actor=None, person=bureau.wang, data={"id_number": NEW_ID2})
        error = only_error(run(bureau.users.sec1, [person_row(姓名="王五", 身份证号=NEW_ID2)]))
        assert "该人员属于“机关第二党支部”，您无权修改" in error.message

    @pytest.mark.parametrize("name", ["leader", "discipline", "member", "nobody"])
    def test_readers_cannot_import_people(self, bureau, client_for, name):
        c = client_for(getattr(bureau.users, name))
        for url_name in ("orgs:person_import", "orgs:person_import_template"):
            assert c.get(reverse(url_name)).status_code == 403
        upload = SimpleUploadedFile("a.xlsx", xlsx([person_row()]).getvalue())
        assert c.post(reverse("orgs:person_import"), {"file": upload}).status_code == 403
        assert c.post(reverse("orgs:person_import_confirm"), {"token": "0" * 32}).status_code == 403
        assert not Person.objects.filter(id_number=NEW_ID).exists()

    @pytest.mark.parametrize(
        ("name", "status"),
        [("admin", 200), ("committee", 200), ("sec1", 403), ("leader", 403), ("member", 403)],
    )
    def test_organization_import_is_for_administrators(self, bureau, client_for, name, status):
        c = client_for(getattr(bureau.users, name))
        assert c.get(reverse("orgs:organization_import")).status_code == status
        assert c.get(reverse("orgs:organization_import_template")).status_code == status

    @pytest.mark.parametrize(("name", "status"), [("leader", 200), ("sec1", 200), ("member", 403), ("nobody", 403)])
    def test_who_may_export(self, bureau, client_for, name, status):
        c = client_for(getattr(bureau.users, name))
        assert c.get(reverse("orgs:person_export")).status_code == status
        assert c.get(reverse("orgs:organization_export")).status_code == status

    def test_list_buttons_follow_permissions(self, bureau, client_for):
        c = client_for(bureau.users.leader)
        page = c.get(reverse("orgs:person_list")).content.decode()
        assert "导出 Excel" in page and reverse("orgs:person_import") not in page
        page = c.get(reverse("orgs:organization_list")).content.decode()
        assert "导出 Excel" in page and reverse("orgs:organization_import") not in page
        c = client_for(bureau.users.sec1)
        page = c.get(reverse("orgs:person_list")).content.decode()
        assert reverse("orgs:person_import") in page and reverse("orgs:person_import_template") in page
        assert reverse("orgs:organization_import") not in c.get(reverse("orgs:organization_list")).content.decode()
        c = client_for(bureau.users.committee)
        page = c.get(reverse("orgs:organization_list")).content.decode()
        assert reverse("orgs:organization_import") in page and reverse("orgs:organization_import_template") in page


# ---------------------------------------------------------------------- export


@pytest.mark.django_db
class TestExport:
    def test_id_numbers_masked_for_leader_full_for_committee(self, bureau, client_for):
        full = bureau.zhang.id_number
        data = export_bytes(client_for(bureau.users.leader), reverse("orgs:person_export"))
        rows = sheet_rows(data, "人员")
        zhang = next(r for r in rows if r[0] == "张三")
        assert zhang[2] == mask_id_number(full) and "*" in zhang[2]
        entry = AuditEntry.objects.filter(action="orgs.person.exported").latest("id")
        assert entry.changes["rows"] == [None, 7] and entry.changes["full_id_numbers"] == [None, 0]
        assert entry.actor == bureau.users.leader

        data = export_bytes(client_for(bureau.users.committee), reverse("orgs:person_export"))
        zhang = next(r for r in sheet_rows(data, "人员") if r[0] == "张三")
        assert zhang[2] == full
        entry = AuditEntry.objects.filter(action="orgs.person.exported").latest("id")
        assert entry.changes["full_id_numbers"] == [None, 1]

    def test_member_sees_own_number_only_through_policy(self, bureau):
        from orgs.exporters import PeopleExporter

        exporter = PeopleExporter(bureau.users.member)
        buf = io.BytesIO()
        exporter.write(Person.objects.all(), buf)
        rows = sheet_rows(buf.getvalue(), "人员")
        assert next(r for r in rows if r[0] == "张三")[2] == bureau.zhang.id_number  # their own record

    def test_secretary_export_contains_only_their_branch(self, bureau, client_for):
        data = export_bytes(client_for(bureau.users.sec1), reverse("orgs:person_export"))
        rows = sheet_rows(data, "人员")
        assert rows[0] == tuple(PERSON_HEADERS)
        assert sorted(r[0] for r in rows[1:]) == sorted(["张三", "李四", "钱七", "孙书记"])
        assert {r[8] for r in rows[1:]} == {"T01", "T0101"}

    def test_list_filters_apply(self, bureau, client_for):
        c = client_for(bureau.users.committee)
        rows = sheet_rows(export_bytes(c, reverse("orgs:person_export") + "?party_status=probationary"), "人员")
        assert [r[0] for r in rows[1:]] == ["钱七"]
        rows = sheet_rows(export_bytes(c, reverse("orgs:person_export") + f"?org={bureau.b2.pk}&q=ww"), "人员")
        assert [r[0] for r in rows[1:]] == ["王五"]

    def test_file_name_header_and_layout(self, bureau, client_for):
        response = client_for(bureau.users.committee).get(reverse("orgs:person_export"))
        assert "filename*=utf-8''" in response["Content-Disposition"]
        assert "%E4%BA%BA%E5%91%98%E5%8F%B0%E8%B4%A6" in response["Content-Disposition"]  # 人员台账
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        ws = wb["人员"]
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.b
        assert ws.column_dimensions["C"].width == 21
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "张三")
        assert row[5].value == datetime.datetime(2010, 7, 1)  # a real date cell
        assert row[12].value == "否"

    def test_formulas_are_neutralised(self, bureau, client_for):
        from orgs import services

        services.person_create(
            actor=None,
            data={
                "name": "=1+1",
                "organization": bureau.b1,
                "party_status": "non_member",
                "notes": "@SUM(A1)",
                "phone": "+86 13800000000",
                "job_title": "-干事",
                "leadership_role": "'引号开头",
            },
        )
        data = export_bytes(client_for(bureau.users.committee), reverse("orgs:person_export"))
        ws = load_workbook(io.BytesIO(data))["人员"]  # not data_only: formulas would show as formulas
        row = next(r for r in ws.iter_rows(min_row=2) if "1+1" in str(r[0].value))
        cells = {PERSON_HEADERS[i]: c for i, c in enumerate(row)}
        assert cells["姓名"].value == "'=1+1"
        assert cells["备注"].value == "'@SUM(A1)"
        assert cells["联系电话"].value == "'+86 13800000000"
        assert cells["职务"].value == "'-干事"
        assert cells["班子分工"].value == "''引号开头"
        assert all(c.data_type == "s" for c in cells.values() if isinstance(c.value, str))
        assert "<f>" not in _sheet_xml(data)

    def test_organization_export(self, bureau, client_for):
        rows = sheet_rows(
            export_bytes(client_for(bureau.users.committee), reverse("orgs:organization_export")), "党组织"
        )
        assert rows[0] == tuple(ORG_HEADERS)
        by_code = {r[0]: r for r in rows[1:]}
        assert set(by_code) == {"T00", "T01", "T02", "T0101"}
        assert by_code["T0101"][3:5] == ("党小组", "T01")
        assert by_code["T01"][9] == "是"
        assert AuditEntry.objects.filter(action="orgs.organization.exported").count() == 1


def _sheet_xml(data: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode()


# ---------------------------------------------------------------------- round trip


@pytest.mark.django_db
class TestRoundTrip:
    def test_export_then_import_changes_nothing(self, bureau, client_for):
        from orgs import services

        services.person_create(
            actor=None,
            data={
                "name": "=1+1",
                "organization": bureau.cell,
                "party_status": "activist",
                "notes": "@SUM(A1)\n第二行",
                "phone": "+86 138",
                "birth_date": datetime.date(1999, 9, 9),
                "gender": "F",
                "leadership_role": "'引号",
            },
        )
        services.person_update(
            actor=None,
            person=bureau.wang,
            data={"full_member_on": datetime.date(2011, 7, 1), "is_leader": True, "job_title": "\t制表符开头"},
        )
        c = client_for(bureau.users.committee)
        data = export_bytes(c, reverse("orgs:person_export"))
        before = state()
        last_entry = AuditEntry.objects.latest("id").pk
        result = PersonImporter(bureau.users.committee).run(io.BytesIO(data))
        assert result.ok, result.messages()
        assert (result.created, result.updated, result.unchanged) == (0, 0, 8)
        assert not result.committed
        assert state() == before
        assert not AuditEntry.objects.filter(pk__gt=last_entry).exists()

    def test_secretary_round_trip(self, bureau, client_for):
        data = export_bytes(client_for(bureau.users.sec1), reverse("orgs:person_export"))
        before = state()
        result = PersonImporter(bureau.users.sec1).run(io.BytesIO(data))
        assert result.ok and (result.updated, result.unchanged) == (0, 4), result.messages()
        assert state() == before

    def test_edited_export_updates_only_what_changed(self, bureau, client_for):
        data = export_bytes(client_for(bureau.users.committee), reverse("orgs:person_export"))
        wb = load_workbook(io.BytesIO(data))
        ws = wb["人员"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "李四":
                row[PERSON_HEADERS.index("职务")].value = "宣传委员"
        buf = io.BytesIO()
        wb.save(buf)
        buf.seek(0)
        result = PersonImporter(bureau.users.committee).run(buf)
        assert (result.created, result.updated, result.unchanged) == (0, 1, 6), result.messages()
        assert result.changed_plans()[0].changes == {"职务": ("", "宣传委员")}
        assert Person.objects.get(pk=bureau.li.pk).job_title == "宣传委员"
        assert Person.objects.get(pk=bureau.zhang.pk).version == bureau.zhang.version

    def test_organization_round_trip(self, bureau, client_for):
        data = export_bytes(client_for(bureau.users.committee), reverse("orgs:organization_export"))
        before = state()
        result = OrganizationImporter(bureau.users.committee).run(io.BytesIO(data))
        assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 4), result.messages()
        assert state() == before


# ---------------------------------------------------------------------- template


@pytest.mark.django_db
def test_person_template(bureau, client_for):
    response = client_for(bureau.users.sec1).get(reverse("orgs:person_import_template"))
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["人员", "填写说明", "可导入的党组织", "科室与单位"]
    ws = wb["人员"]
    assert [c.value for c in ws[1]] == PERSON_HEADERS
    assert ws.max_row == 1  # no example row that could be imported by mistake
    assert ws["A1"].font.color.rgb.endswith("C8161D")  # required
    assert ws["A1"].comment is not None
    choices = [dv for dv in ws.data_validations.dataValidation if "正式党员" in (dv.formula1 or "")]
    assert choices and choices[0].formula1 == '"正式党员,预备党员,入党积极分子,群众"'
    help_rows = {r[0]: r for r in wb["填写说明"].iter_rows(values_only=True) if r and r[0] in PERSON_HEADERS}
    assert help_rows["政治面貌"][1] == "必填"
    assert help_rows["政治面貌"][3] == "正式党员、预备党员、入党积极分子、群众"
    orgs = [r[0] for r in wb["可导入的党组织"].iter_rows(min_row=2, values_only=True)]
    assert orgs == ["T01", "T0101"]  # only where the secretary may import

    # The empty template itself is rejected with a clear message, not imported.
    response = client_for(bureau.users.sec1).get(reverse("orgs:person_import_template"))
    result = PersonImporter(bureau.users.sec1).preview(io.BytesIO(b"".join(response.streaming_content)))
    assert "没有需要导入的数据" in result.file_error


# ---------------------------------------------------------------------- the import pages


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The bureau fixture creates eight users; argon2 would dominate the run time of these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = tmp_path
    return tmp_path


@pytest.mark.django_db
class TestImportPages:
    def upload(self, c, rows, url="orgs:person_import", **kw):
        upload = SimpleUploadedFile("名单.xlsx", xlsx(rows, **kw).getvalue())
        return c.post(reverse(url), {"file": upload})

    def test_upload_preview_confirm(self, bureau, client_for, stash_dir):
        c = client_for(bureau.users.committee)
        page = c.get(reverse("orgs:person_import"))
        html = page.content.decode()
        assert page.status_code == 200
        assert reverse("orgs:person_import_template") in html
        assert 'data-busy="正在校验，请稍候…"' in html and "busy-message" in html
        assert "正式党员、预备党员、入党积极分子、群众" in html

        rows = [person_row(), person_row(姓名="李四", 身份证号=None, 入党日期="2010-07-01", 职务="组织委员")]
        response = self.upload(c, rows)
        html = response.content.decode()
        assert "将新增 1 人、更新 1 人" in html
        assert 'id="confirm-import"' in html
        assert not Person.objects.filter(id_number=NEW_ID).exists()  # preview writes nothing
        token = response.context["token"]
        assert len(list(stash_dir.iterdir())) == 1

        response = c.post(reverse("orgs:person_import_confirm"), {"token": token}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("orgs:person_list")
        assert "已导入 2 条：新增 1 人，更新 1 人" in response.content.decode()
        assert Person.objects.filter(id_number=NEW_ID).exists()
        assert list(stash_dir.iterdir()) == []

        # The same token cannot be used twice.
        response = c.post(reverse("orgs:person_import_confirm"), {"token": token}, follow=True)
        assert "已失效" in response.content.decode()
        assert AuditEntry.objects.filter(action="orgs.person.imported").count() == 1

    def test_errors_are_shown_with_row_numbers(self, bureau, client_for, stash_dir):
        c = client_for(bureau.users.committee)
        html = self.upload(c, [person_row(), person_row(姓名="甲", 身份证号="123")]).content.decode()
        assert "校验未通过" in html and "第 3 行" in html and "身份证号应为18位" in html
        assert 'id="confirm-import"' not in html
        assert list(stash_dir.iterdir()) == []

    def test_file_error_and_empty_upload(self, bureau, client_for, stash_dir):
        c = client_for(bureau.users.committee)
        html = c.post(reverse("orgs:person_import"), {"file": SimpleUploadedFile("a.xls", b"\xd0\xcf\x11\xe0junk")})
        assert "无法导入这个文件" in html.content.decode() and ".xlsx" in html.content.decode()
        html = c.post(reverse("orgs:person_import"), {"file": SimpleUploadedFile("a.xlsx", b"")}).content.decode()
        assert "空的" in html
        html = c.post(reverse("orgs:person_import"), {}).content.decode()
        assert "请选择要导入的 Excel 文件" in html

    def test_confirm_rechecks_the_file(self, bureau, client_for, stash_dir):
        from orgs import services

        c = client_for(bureau.users.committee)
        token = self.upload(c, [person_row()]).context["token"]
        # Someone registers the same ID number between preview and confirmation.
        services.person_create(
            actor=None, data={"name": "抢先", "organization": bureau.b2, "party_status": "full", "id_number": NEW_ID}
        )
        html = c.post(reverse("orgs:person_import_confirm"), {"token": token}).content.decode()
        assert "校验未通过" in html and "已登记在“抢先”" in html
        assert Person.objects.filter(id_number=NEW_ID).count() == 1

    def test_forged_token_is_refused(self, bureau, client_for, stash_dir):
        c = client_for(bureau.users.committee)
        self.upload(c, [person_row()])
        response = c.post(reverse("orgs:person_import_confirm"), {"token": "../../etc/passwd"}, follow=True)
        assert "已失效" in response.content.decode()
        assert not Person.objects.filter(id_number=NEW_ID).exists()

    def test_organization_import_pages(self, bureau, client_for, stash_dir):
        c = client_for(bureau.users.committee)
        rows = [org_row(), org_row(组织编码="T0301", 名称="三支部第一党小组", 组织类型="党小组", 上级组织编码="T03")]
        response = self.upload(c, rows, url="orgs:organization_import", headers=ORG_HEADERS, sheet="党组织")
        assert "将新增 2 个、更新 0 个" in response.content.decode()
        response = c.post(
            reverse("orgs:organization_import_confirm"), {"token": response.context["token"]}, follow=True
        )
        assert "已导入 2 条" in response.content.decode()
        assert Organization.objects.get(code="T0301").parent.code == "T03"


# ---------------------------------------------------------------------- organizations


def run_orgs(user, rows):
    return OrganizationImporter(user, filename="组织.xlsx").run(xlsx(rows, headers=ORG_HEADERS, sheet="党组织"))


@pytest.mark.django_db
class TestOrganizationImport:
    def test_parents_defined_earlier_in_the_file(self, bureau):
        rows = [
            org_row(成立日期="2019-01-01", 本届开始日期="2022-01-01", 本届届满日期="2025-01-01", 设立支部委员会="是"),
            org_row(组织编码="T0301", 名称="三支部第一党小组", 组织类型="党小组", 上级组织编码="T03"),
        ]
        result = run_orgs(bureau.users.committee, rows)
        assert result.committed and result.created == 2, result.messages()
        t03 = Organization.objects.get(code="T03")
        cell = Organization.objects.get(code="T0301")
        assert t03.parent == bureau.root and t03.has_committee and t03.term_end == datetime.date(2025, 1, 1)
        assert cell.path.startswith(t03.path) and cell.depth == 2
        actions = list(
            AuditEntry.objects.filter(action__startswith="orgs.organization.").values_list("action", flat=True)
        )
        assert actions.count("orgs.organization.created") == 6  # 4 from the fixture + 2
        assert actions.count("orgs.organization.imported") == 1

    def test_update_and_move(self, bureau):
        rows = [
            org_row(组织编码="T02", 名称="机关第二党支部（新）"),
            org_row(组织编码="T0101", 名称="第一党小组", 组织类型="党小组", 上级组织编码="T02"),
        ]
        result = run_orgs(bureau.users.committee, rows)
        assert (result.created, result.updated) == (0, 2), result.messages()
        cell = Organization.objects.get(code="T0101")
        b2 = Organization.objects.get(code="T02")
        assert b2.name == "机关第二党支部（新）"
        assert cell.parent == b2 and cell.path.startswith(b2.path)
        assert AuditEntry.objects.filter(action="orgs.organization.updated").count() == 2

    @pytest.mark.parametrize(
        ("rows", "row", "column", "message"),
        [
            (
                [org_row(上级组织编码="T04"), org_row(组织编码="T04", 名称="后面的")],
                2,
                "上级组织编码",
                "在本文件第 3 行，请把上级组织放在下级组织之前",
            ),
            ([org_row(上级组织编码="X99")], 2, "上级组织编码", "上级组织编码“X99”不存在"),
            (
                [org_row(组织类型="支部")],
                2,
                "组织类型",
                "不在可选值中，可选：机关党委、党总支、党支部、联合党支部、党小组",
            ),
            ([org_row(组织类型="党小组")], 2, "上级组织编码", "党小组的上级应为党支部"),
            (
                [org_row(本届开始日期="2022-01-01", 本届届满日期="2021-01-01")],
                2,
                "本届届满日期",
                "届满日期应晚于本届开始日期",
            ),
            ([org_row(成立日期="2023-01-01", 本届开始日期="2022-01-01")], 2, "本届开始日期", "不能早于成立日期"),
            ([org_row(成立日期="2023-02-29")], 2, "成立日期", "不是有效日期"),
            ([org_row(主题党日固定日=31)], 2, "主题党日固定日", "1至28日之间"),
            ([org_row(主题党日固定日="每月初")], 2, "主题党日固定日", "不是整数"),
            ([org_row(), org_row(名称="重复")], 3, "组织编码", "与第 2 行的组织编码“T03”重复"),
            ([org_row(名称=None)], 2, "名称", "必填项"),
            ([org_row(组织编码="T01", 上级组织编码="T0101")], 2, "上级组织编码", "不能是本组织的下级组织"),
            (
                [org_row(组织编码="T01", 名称="机关第一党支部", 上级组织编码=None)],
                2,
                "上级组织编码",
                "未填写上级组织编码",
            ),
            ([org_row(上级组织编码=None, 组织类型="机关党委")], 2, "上级组织编码", "您无权新建顶级党组织"),
        ],
    )
    def test_bad_rows(self, bureau, rows, row, column, message):
        before = state()
        result = run_orgs(bureau.users.committee, rows)
        error = only_error(result)
        assert (error.row, error.column) == (row, column)
        assert message in error.message, error.message
        assert state() == before

    def test_sysadmin_may_create_a_root(self, bureau):
        result = run_orgs(
            bureau.users.admin, [org_row(组织编码="R2", 名称="另一机关党委", 组织类型="机关党委", 上级组织编码=None)]
        )
        assert result.committed, result.messages()
        assert Organization.objects.get(code="R2").parent is None

    def test_all_or_nothing(self, bureau):
        before = state()
        rows = [
            org_row(),
            org_row(组织编码="T04", 名称="四支部"),
            org_row(组织编码="T05", 名称="五支部", 组织类型="党组"),
        ]
        result = run_orgs(bureau.users.committee, rows)
        assert [e.row for e in result.errors] == [4]
        assert state() == before
