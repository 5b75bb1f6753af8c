"""Excel export of the meeting and attendance ledgers and import of historical meetings (issue 3, part 7)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.audit import mask_id_number
from core.models import AuditEntry
from meetings import services
from meetings.importers import ATTENDANCE_IMPORT_FIELDS, MEETING_IMPORT_FIELDS, MeetingImporter, parse_time
from meetings.models import Attendance, AttendanceStatus, Meeting, TopicSubtype

pytestmark = pytest.mark.django_db

M_HEADERS = [f.header for f in MEETING_IMPORT_FIELDS]
A_HEADERS = [f.header for f in ATTENDANCE_IMPORT_FIELDS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(meetings, attendance=(), *, titles=("会议", "出勤")) -> io.BytesIO:
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in ((titles[0], M_HEADERS, meetings), (titles[1], A_HEADERS, attendance)):
        if title is None:
            continue
        ws = wb.create_sheet(title)
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def meeting(**values) -> dict:
    row = {
        "会议编号": "1",
        "党组织": "机关第一党支部",
        "类型": "支部党员大会",
        "日期": "2022-03-15",
        "开始时间": "09:00",
        "结束时间": "11:00",
        "地点": "支部活动室",
        "主持人": "孙书记",
        "主题": "传达学习全国两会精神",
    }
    row.update(values)
    return row


def present(name, number="1", **values) -> dict:
    row = {"会议编号": number, "姓名": name, "出勤": "出席"}
    row.update(values)
    return row


def run(user, meetings, attendance=(), **kw):
    return MeetingImporter(user, filename="会议.xlsx").run(workbook(meetings, attendance, **kw))


def state():
    return (
        Meeting.all_objects.count(),
        Attendance.objects.count(),
        AuditEntry.objects.count(),
        Meeting.history.count(),
    )


def messages(result) -> list[str]:
    return [str(e) for e in result.errors] or ([result.file_error] if result.file_error else [])


# ---------------------------------------------------------------------- template and happy path


def test_template_has_both_sheets_with_instructions_and_choices(bureau, client_for):
    response = client_for(bureau.users.sec1).get(reverse("meetings:meeting_import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames[:3] == ["会议", "出勤", "填写说明"]
    assert [c.value for c in wb["会议"][1]] == M_HEADERS
    assert [c.value for c in wb["出勤"][1]] == A_HEADERS
    assert any("会议编号" in (c.value or "") for row in wb["填写说明"].iter_rows() for c in row)
    orgs = [row[1] for row in wb["可导入的党组织"].iter_rows(min_row=2, values_only=True)]
    assert orgs == ["机关第一党支部", "第一党小组"]  # a secretary imports into their own branch only
    kinds = {row[0] for row in wb["会议类型与专题类别"].iter_rows(min_row=2, values_only=True)}
    assert {"支委会", "党课", "专题会议"} <= kinds


def test_imports_meetings_with_attendance_through_the_service(bureau):
    before = AuditEntry.objects.count()
    result = run(
        bureau.users.sec1,
        [
            meeting(),
            meeting(
                **{"会议编号": "HY-2", "类型": "党课", "日期": "2022/5/20", "授课人": "张三", "主题": "算好廉洁账"}
            ),
        ],
        [
            present("张三"),
            present("李四", 出勤="请假", 原因="公出"),
            present("孙书记"),
            present("钱七", 出勤="缺席"),
            present("张三", "HY-2"),
            present("李四", "HY-2", 身份证号=""),
        ],
    )
    assert result.ok and result.committed, messages(result)
    assert (result.created, result.unchanged) == (2, 0)
    general = Meeting.objects.get(kind="branch_general_meeting")
    assert general.organization == bureau.b1 and general.org_path == bureau.b1.path
    assert general.start_time == datetime.time(9) and general.host == bureau.sec1_person
    assert (general.expected_count, general.present_count, general.leave_count, general.absent_count) == (4, 2, 1, 1)
    assert general.attendance.get(person=bureau.li).reason == "公出"
    # 张三, 李四, 孙书记 are the 正式党员 (钱七 is 预备): 2 of 3 came → quorum met.
    assert general.quorum_met is True
    lecture = Meeting.objects.get(kind="party_lecture")
    assert lecture.lecturer == bureau.zhang and lecture.held_on == datetime.date(2022, 5, 20)
    assert lecture.created_by == bureau.users.sec1
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True)[before:])
    assert actions.count("meetings.meeting.created") == 2 and actions[-1] == "meetings.meeting.imported"
    summary = AuditEntry.objects.get(action="meetings.meeting.imported")
    assert summary.changes["created"] == [None, 2] and summary.actor == bureau.users.sec1


def test_topic_meeting_on_the_committee_by_report_name_and_ids(bureau):
    result = run(
        bureau.users.committee,
        [
            meeting(
                党组织="",
                党组织编码="T00",
                类型="专题会议",
                专题类别="党风廉政专题会议",
                主持人="",
                参会范围="全体机关干部",
                主题="党风廉政建设专题会议",
            )
        ],
        [
            present("张三", 身份证号=bureau.zhang.id_number),
            present("王五", 出勤="请假", 原因="病假"),
            present("钱七", 身份证号=""),
        ],
    )
    assert result.ok and result.committed, messages(result)
    m = Meeting.objects.get()
    assert m.subtype == TopicSubtype.objects.get(code="integrity") and m.participant_scope == "全体机关干部"
    assert m.quorum_met is None and m.expected_count == 3


# ---------------------------------------------------------------------- bad input: one error each, nothing written

BAD = [
    ({"党组织": "不存在的支部"}, [], "会议", "党组织", "党组织“不存在的支部”不存在"),
    ({"党组织": "", "党组织编码": "X9"}, [], "会议", "党组织编码", "党组织编码“X9”不存在"),
    ({"主持人": "路人甲"}, [], "会议", "主持人", "人员“路人甲”不存在"),
    ({}, [present("路人甲")], "出勤", "姓名", "人员“路人甲”不存在"),
    ({}, [present("王五")], "出勤", "姓名", "“王五”不是“机关第一党支部”及其下级党组织的人员"),
    ({}, [present("张三", 身份证号="110101199003070011")], "出勤", "身份证号", "系统中没有该身份证号的人员"),
    ({"日期": "2022-02-30"}, [], "会议", "日期", "2022年2月没有30日"),
    ({"日期": "下周一"}, [], "会议", "日期", "不是有效的日期"),
    ({"日期": "2099-01-01"}, [], "会议", "日期", "晚于今天"),
    ({"类型": "座谈会"}, [], "会议", "类型", "“座谈会”不在可选值中"),
    ({"类型": "专题会议", "专题类别": "文艺"}, [], "会议", "专题类别", "专题类别“文艺”不存在"),
    ({"类型": "专题会议"}, [], "会议", "专题类别", "专题会议须选择专题类别"),
    ({"专题类别": "党建工作"}, [], "会议", "专题类别", "只有专题会议需要选择专题类别"),
    ({"类型": "党课"}, [], "会议", "授课人", "党课须填写授课人"),
    ({"开始时间": "九点"}, [], "会议", "开始时间", "不是有效的时间"),
    ({"开始时间": "10:00", "结束时间": "09:00"}, [], "会议", "结束时间", "结束时间应晚于开始时间"),
    ({"主题": ""}, [], "会议", "主题", "必填项"),
    ({}, [present("张三"), present("张三")], "出勤", "姓名", "与第 2 行重复：同一会议中“张三”只能登记一次"),
    ({}, [present("李四", 出勤="请假")], "出勤", "原因", "请假须填写原因"),
    ({}, [present("李四", 出勤="迟到")], "出勤", "出勤", "“迟到”不在可选值中"),
    ({}, [present("张三", "7")], "出勤", "会议编号", "会议编号“7”在“会议”工作表中不存在"),
    ({"类型": "谈心谈话"}, [present("张三")], "会议", "出勤", "谈心谈话须登记谈话双方"),
]


@pytest.mark.parametrize(("fields", "attendance", "sheet", "column", "text"), BAD)
def test_each_bad_input_is_reported_and_nothing_is_written(bureau, fields, attendance, sheet, column, text):
    before = state()
    result = run(bureau.users.sec1, [meeting(**fields)], attendance)
    assert not result.ok and not result.committed
    found = [e for e in result.errors if text in e.message]
    assert found, messages(result)
    assert (found[0].sheet, found[0].column) == (sheet, column)
    assert found[0].row == (3 if "重复" in text else 2)  # a duplicate is reported on its second row
    assert state() == before


def test_duplicate_meeting_numbers_and_missing_sheet(bureau):
    result = run(bureau.users.sec1, [meeting(), meeting(主题="另一次")])
    assert [str(e) for e in result.errors] == ["“会议”工作表第 3 行【会议编号】：与第 2 行的会议编号“1”重复"]
    result = run(bureau.users.sec1, [meeting()], titles=("会议", None))
    assert "没有“出勤”工作表" in result.file_error
    result = MeetingImporter(bureau.users.sec1).preview(io.BytesIO(b"not a workbook"))
    assert "无法读取该文件" in result.file_error


def test_a_secretary_cannot_import_into_another_branch(bureau):
    before = state()
    result = run(bureau.users.sec2, [meeting()], [present("张三")])
    assert any("您无权为“机关第一党支部”登记会议" in e.message for e in result.errors), messages(result)
    assert state() == before


def test_all_or_nothing(bureau):
    before = state()
    meetings = [meeting(**{"会议编号": str(i), "日期": f"2022-0{i}-10"}) for i in range(1, 6)]
    attendance = [present("张三", str(i)) for i in range(1, 6)]
    attendance[3]["出勤"] = "请假"  # row 5 of 出勤: leave without a reason
    result = run(bureau.users.sec1, meetings, attendance)
    assert not result.committed and state() == before
    assert [(e.sheet, e.row) for e in result.errors] == [("会议", 5), ("出勤", 5)]
    attendance[3]["原因"] = "病假"
    result = run(bureau.users.sec1, meetings, attendance)
    assert result.committed and Meeting.objects.count() == 5


def test_parse_time_variants():
    assert parse_time("9:05") == datetime.time(9, 5)
    assert parse_time("14点30") == datetime.time(14, 30)
    assert parse_time(0.375) == datetime.time(9)
    assert parse_time(datetime.time(8, 30)) == datetime.time(8, 30)
    assert parse_time(None) is None


# ---------------------------------------------------------------------- export


def _sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


@pytest.fixture
def ledger(bureau, record_meeting):
    """A small ledger: a 支部党员大会 and a 党课 in branch 1 (with leave and absence), a 专题会议 on the
    committee whose topic looks like a formula, and a 主题党日 in branch 2."""
    b = bureau
    general = record_meeting(
        b.b1,
        "branch_general_meeting",
        datetime.date(2022, 3, 15),
        attendance=[
            services.AttendanceRow(b.zhang, AttendanceStatus.PRESENT),
            services.AttendanceRow(b.li, AttendanceStatus.LEAVE, "公出"),
            services.AttendanceRow(b.sec1_person, AttendanceStatus.PRESENT),
            services.AttendanceRow(b.qian, AttendanceStatus.ABSENT),
        ],
        topic="传达学习全国两会精神",
        start_time=datetime.time(9),
        end_time=datetime.time(11, 30),
        place="支部活动室",
        host=b.sec1_person,
        minutes="会议记录\n第二行",
    )
    lecture = record_meeting(
        b.b1, "party_lecture", datetime.date(2022, 5, 20), topic="算好廉洁账", lecturer=b.zhang, content="七笔帐"
    )
    topic = record_meeting(
        b.root,
        "topic_meeting",
        datetime.date(2022, 6, 15),
        topic='=HYPERLINK("http://evil.example","点我")',
        participant_scope="班子成员、馆团负责人",
        subtype=TopicSubtype.objects.get(code="rectification"),
        attendance=[services.AttendanceRow(b.zhang, AttendanceStatus.PRESENT)],
    )
    other = record_meeting(b.b2, "theme_party_day", datetime.date(2022, 6, 12), topic="党风廉政警示教育")
    return [general, lecture, topic, other]


def snapshot() -> set[tuple]:
    rows = set()
    for m in Meeting.objects.select_related("subtype"):
        attendance = frozenset(m.attendance.values_list("person_id", "status", "reason"))
        rows.add(
            (
                m.organization_id,
                m.kind,
                m.subtype_id,
                m.held_on,
                m.start_time,
                m.end_time,
                m.place,
                m.host_id,
                m.lecturer_id,
                m.topic,
                m.content,
                m.participant_scope,
                m.minutes,
                m.decisions,
                m.expected_count,
                m.present_count,
                m.leave_count,
                m.absent_count,
                m.quorum_met,
                attendance,
            )
        )
    return rows


def test_export_columns_masked_ids_and_audit(bureau, ledger, client_for):
    client = client_for(bureau.users.committee)
    sheets = _sheets(client.get(reverse("meetings:meeting_export")))
    header, *rows = sheets["会议"]
    assert list(header[: len(M_HEADERS)]) == M_HEADERS
    assert list(header[len(M_HEADERS) :]) == ["应到", "实到", "请假", "缺席", "是否达到法定人数"]
    assert len(rows) == 4 and rows[0][5] == datetime.datetime(2022, 6, 15)  # newest first
    general = next(r for r in rows if r[3] == "支部党员大会")
    assert general[:4] == (str(ledger[0].pk), "机关第一党支部", "T01", "支部党员大会")
    assert general[6:10] == ("09:00", "11:30", "支部活动室", "孙书记")
    assert general[-5:] == (4, 2, 1, 1, "是")
    att_header, *att = sheets["出勤"]
    assert list(att_header) == A_HEADERS
    assert len(att) == Attendance.objects.count()
    zhang = next(r for r in att if r[0] == str(ledger[0].pk) and r[1] == "张三")
    assert zhang[2] == mask_id_number(bureau.zhang.id_number) and "*" in zhang[2]
    assert (str(ledger[0].pk), "李四", None, "请假", "公出") in att
    entry = AuditEntry.objects.filter(action="meetings.meeting.exported").get()
    assert entry.changes["rows"] == [None, 4] and entry.changes["attendance_rows"] == [None, len(att)]

    sheets = _sheets(client.get(reverse("meetings:attendance_export"), {"kind": "branch_general_meeting"}))
    header, *rows = sheets["出勤"]
    assert list(header) == ["会议编号", "日期", "党组织", "类型", "主题", "姓名", "身份证号", "出勤", "原因"]
    assert len(rows) == 4 and {r[3] for r in rows} == {"支部党员大会"}
    assert AuditEntry.objects.filter(action="meetings.attendance.exported").count() == 1


def test_formula_neutralisation(bureau, ledger, client_for):
    response = client_for(bureau.users.committee).get(reverse("meetings:meeting_export"), {"subtype": "rectification"})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = wb["会议"].cell(row=2, column=M_HEADERS.index("主题") + 1)
    assert cell.data_type == "s" and cell.value == "'" + ledger[2].topic  # text, never a formula
    assert wb["会议"].max_row == 2


def test_scope_a_secretary_exports_only_their_branch(bureau, ledger, client_for):
    client = client_for(bureau.users.sec1)
    sheets = _sheets(client.get(reverse("meetings:meeting_export")))
    rows = sheets["会议"][1:]
    assert {r[1] for r in rows} == {"机关第一党支部"} and len(rows) == 2
    b1_meetings = {str(ledger[0].pk), str(ledger[1].pk)}
    assert {r[0] for r in sheets["出勤"][1:]} == b1_meetings
    rows = _sheets(client.get(reverse("meetings:attendance_export")))["出勤"][1:]
    assert {r[0] for r in rows} == b1_meetings and "王五" not in {r[5] for r in rows}
    # Another branch asked for explicitly: 404, nothing exported.
    assert client.get(reverse("meetings:meeting_export"), {"org": bureau.b2.pk}).status_code == 404
    assert client_for(bureau.users.member).get(reverse("meetings:meeting_export")).status_code == 403


def test_export_then_import_round_trip(bureau, ledger, client_for):
    client = client_for(bureau.users.committee)
    response = client.get(reverse("meetings:meeting_export"))
    data = b"".join(response.streaming_content)
    before = snapshot()
    assert len(before) == 4

    # The same file again: every meeting is recognised, nothing is written.
    counts = state()
    result = MeetingImporter(bureau.users.committee, filename="会议台账.xlsx").run(io.BytesIO(data))
    assert result.ok and not result.committed, messages(result)
    assert (result.created, result.unchanged) == (0, 4) and state() == counts
    assert result.warnings == []

    # Into a ledger where those meetings are gone (deleted): recreated identically.
    for m in ledger:
        services.meeting_delete(actor=bureau.users.committee, meeting=m)
    assert not Meeting.objects.exists()
    result = MeetingImporter(bureau.users.committee, filename="会议台账.xlsx").run(io.BytesIO(data))
    assert result.committed and result.created == 4, messages(result)
    assert snapshot() == before
    assert Meeting.objects.get(kind="topic_meeting").topic == '=HYPERLINK("http://evil.example","点我")'


def test_changed_attendance_of_an_existing_meeting_is_an_error(bureau, ledger, client_for):
    data = b"".join(client_for(bureau.users.committee).get(reverse("meetings:meeting_export")).streaming_content)
    wb = load_workbook(io.BytesIO(data))
    for row in wb["出勤"].iter_rows(min_row=2):
        if row[1].value == "李四":
            row[3].value, row[4].value = "出席", None
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    result = MeetingImporter(bureau.users.committee).run(buf)
    assert [e.message for e in result.errors] == [
        "系统中已登记了该会议（党组织、类型、日期、主题相同），但出勤名单不同；如需修改，请在会议页面中修改"
    ]


# ---------------------------------------------------------------------- pages


def test_upload_preview_confirm(bureau, client_for, tmp_path, settings):
    settings.IMPORT_STASH_DIR = tmp_path
    client = client_for(bureau.users.sec1)
    assert client.get(reverse("meetings:meeting_import")).status_code == 200
    upload = SimpleUploadedFile("历史会议.xlsx", workbook([meeting()], [present("张三")]).getvalue(), content_type=XLSX)
    response = client.post(reverse("meetings:meeting_import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200 and "校验通过：将登记 1 次会议" in html and "应到1人，实到1人" in html
    assert not Meeting.objects.exists()
    token = response.context["token"]
    response = client.post(reverse("meetings:meeting_import_confirm"), {"token": token})
    assert response.status_code == 302 and response.url == reverse("meetings:meeting_list")
    assert Meeting.objects.get().topic == "传达学习全国两会精神"
    # The token is used up.
    response = client.post(reverse("meetings:meeting_import_confirm"), {"token": token})
    assert response.status_code == 302 and Meeting.objects.count() == 1

    bad = SimpleUploadedFile("坏.xlsx", workbook([meeting()], [present("王五")]).getvalue(), content_type=XLSX)
    html = client.post(reverse("meetings:meeting_import"), {"file": bad}).content.decode()
    assert "校验未通过" in html and "“王五”不是“机关第一党支部”及其下级党组织的人员" in html and "出勤" in html


def test_dates_are_relative_to_today(bureau):
    today = timezone.localdate()
    result = run(bureau.users.sec1, [meeting(日期=today.isoformat())], [present("张三")])
    assert result.committed
    tomorrow = today + datetime.timedelta(days=1)
    result = run(bureau.users.sec1, [meeting(日期=tomorrow.isoformat(), 主题="明天")], [present("张三")])
    assert not result.ok


def test_ledger_page_offers_the_exports_with_its_filters(bureau, ledger, client_for):
    html = (
        client_for(bureau.users.sec1).get(reverse("meetings:meeting_list"), {"kind": "party_lecture"}).content.decode()
    )
    assert f'href="{reverse("meetings:meeting_export")}?kind=party_lecture"' in html
    assert f'href="{reverse("meetings:attendance_export")}?kind=party_lecture"' in html
    assert reverse("meetings:meeting_import") in html
    html = client_for(bureau.users.leader).get(reverse("meetings:meeting_list")).content.decode()
    assert reverse("meetings:meeting_export") in html and reverse("meetings:meeting_import") not in html
