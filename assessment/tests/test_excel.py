"""Excel: exports of the rating ledger, the assessment results and the year view; import of a
scheme (template prefilled with the scheme in force; bad rows refused, nothing changed)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from assessment import periodic_services as ps
from assessment import services
from assessment.importers import SchemeImporter
from assessment.tests.conftest import scores
from core.models import AuditEntry, Rule
from core.rules import RuleSet

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(response) -> list[list]:
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_rating_export_follows_the_filters(bureau, star_round, ratings):
    services.star_round_start_scoring(actor=None, round=star_round)
    services.star_rating_score(actor=None, rating=ratings[bureau.b1.pk], scores=scores(85), weak_lax=True)
    client = login(bureau.users.committee)
    rows = rows_of(client.get(reverse("assessment:rating_export"), {"year": 2022}))
    assert rows[0][:3] == ["年度", "党组织", "评定进度"]
    assert len(rows) == 3
    b1 = next(r for r in rows if r[1] == "机关第一党支部")
    header = rows[0]
    assert b1[header.index("评定星级")] == "二星" and b1[header.index("按分数线星级")] == "四星"
    assert b1[header.index("软弱涣散")] == "是" and "软弱涣散" in b1[header.index("封顶原因")]
    assert "组织生活出勤率" in b1[header.index("预填数据")]
    rows = rows_of(login(bureau.users.sec1).get(reverse("assessment:rating_export")))
    assert [r[1] for r in rows[1:]] == ["机关第一党支部"]  # a branch exports its own
    assert AuditEntry.objects.filter(action="assessment.ratings.exported").count() == 2


def test_record_and_year_exports(bureau, periodic_round):
    for r in periodic_round.records.all():
        ps.assessment_summary_submit(actor=None, record=r, summary="本季度完成了岗位各项工作任务。", on_behalf=True)
        ps.assessment_record_score(
            actor=None, record=r, scores=dict.fromkeys(("de", "neng", "qin", "ji", "lian"), 82), as_committee=True
        )
    ps.assessment_round_confirm(actor=None, round=ps.assessment_round_review(actor=None, round=periodic_round))
    client = login(bureau.users.committee)
    rows = rows_of(client.get(reverse("assessment:record_export"), {"period": "2022Q1"}))
    assert len(rows) == 8
    header = rows[0]
    zhang = next(r for r in rows if r[header.index("姓名")] == "张三")
    assert zhang[header.index("总分")] == 82 and zhang[header.index("确定等次")] == "较好"
    year = rows_of(client.get(reverse("assessment:year_export"), {"year": 2022}))
    assert year[0][4:8] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    zhang = next(r for r in year if r[0] == "张三")
    assert zhang[4] == "较好" and zhang[5] == "—" and zhang[9] == "称职"


# ---------------------------------------------------------------------- scheme import


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "方案"
    ws.append(["类别", "名称", "数值", "说明"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "方案.xlsx", content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_template_carries_the_scheme_in_force(bureau):
    response = login(bureau.users.committee).get(reverse("assessment:scheme_import_template"), {"year": 2022})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in wb["方案"].iter_rows(values_only=True)]
    assert rows[0] == ["类别", "名称", "数值", "说明"]
    assert rows[1][:3] == ["评星维度", "班子队伍", 20]
    assert ["星级分数线", "五星", 90] in [r[:3] for r in rows]
    assert ["好等次比例上限", None, 0.4] in [r[:3] for r in rows]
    # The template, uploaded unchanged, changes nothing.
    buf = io.BytesIO()
    wb.save(buf)
    result = SchemeImporter(bureau.users.committee, year=2022).preview(io.BytesIO(buf.getvalue()))
    assert result.ok and not result.has_changes


GOOD = [
    ["评星维度", "班子队伍", 25],
    ["评星维度", "组织生活", 25],
    ["评星维度", "作用发挥", 30],
    ["评星维度", "群众满意度", 20],
    ["星级分数线", "五星", 92],
    ["星级分数线", "四星", 82],
    ["星级分数线", "三星", 72],
    ["星级分数线", "二星", 60],
    ["一票否决事项", "发生严重违纪违法问题", 1],
    ["五星比例上限", "", "25%"],
    ["好等次比例上限", "", 0.35],
]


def test_import_a_scheme_through_the_pages(bureau):
    client = login(bureau.users.committee)
    response = client.post(reverse("assessment:scheme_import"), {"file": upload(workbook(GOOD)), "year": 2024})
    page = response.content.decode()
    assert response.status_code == 200 and "校验通过" in page and 'name="token"' in page
    token = page.split('name="token" value="')[1].split('"')[0]
    before = Rule.objects.count()
    response = client.post(reverse("assessment:scheme_import_confirm"), {"token": token})
    assert response.status_code == 302
    rules = RuleSet()
    assert rules.get("star.dimensions", 2024) == {"班子队伍": 25, "组织生活": 25, "作用发挥": 30, "群众满意度": 20}
    assert rules.get("star.cutoffs", 2024) == {"5": 92, "4": 82, "3": 72, "2": 60}
    assert rules.get("star.veto_items", 2024) == {"发生严重违纪违法问题": 1}
    assert rules.get("star.quota_five", 2024) == 0.25
    assert rules.get("assessment.quota_excellent", 2024) == 0.35
    # Earlier years keep their values; untouched categories stay.
    assert rules.get("star.cutoffs", 2023) == {"5": 90, "4": 80, "3": 70, "2": 60}
    assert rules.get("assessment.grade_cutoffs", 2024) == {"好": 90, "较好": 80, "一般": 60}
    assert Rule.objects.count() == before + 5
    assert AuditEntry.objects.filter(action="assessment.scheme.imported").count() == 1
    assert AuditEntry.objects.filter(action="core.rule.updated").count() == 5
    # A round of 2024 takes the imported scheme.
    rnd = services.star_round_open(actor=None, organization=bureau.root, year=2024)
    assert rnd.scheme["dimensions"][-1] == ["群众满意度", 20] and rnd.scheme["quota_five"] == 0.25


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["评星维度", "班子队伍", 50], ["评星维度", "组织生活", 45]], "各维度权重合计为95，应为100"),
        (
            [
                ["星级分数线", "五星", 90],
                ["星级分数线", "四星", 92],
                ["星级分数线", "三星", 70],
                ["星级分数线", "二星", 60],
            ],
            "逐级降低",
        ),
        ([["星级分数线", "五星", 90], ["星级分数线", "四星", 80]], "星级分数线缺少：三星、二星"),
        ([["星级分数线", "六星", 99]], "名称应为五星、四星、三星或二星"),
        ([["五星比例上限", "", 1.5]], "比例应大于0且不超过1"),
        ([["一票否决事项", "严重违纪", 0]], "最高星级应为1至5的整数"),
        ([["评星维度", "班子队伍", 50], ["评星维度", "班子队伍", 50]], "“班子队伍”在“评星维度”中重复"),
        ([["加分项", "x", 1]], "不在可选值中"),
        ([["评星维度", "班子队伍", "很多"]], "“很多”不是数字"),
        ([["考核维度", "德", 50], ["考核维度", "能", 50]], "缺少：勤、绩、廉"),
        ([["考核维度", "才", 100]], "考核维度应为德、能、勤、绩、廉之一"),
        ([["满意度封顶", "满意度线", 60]], "须同时填写“满意度线”和“最高星级”两行"),
        ([["评星维度", "", 100]], "须填写名称"),
    ],
)
def test_bad_rows_are_refused_and_nothing_changes(bureau, rows, expected):
    before = list(Rule.objects.order_by("pk").values_list("code", "year_from", "value"))
    importer = SchemeImporter(bureau.users.committee, filename="方案.xlsx", year=2024)
    result = importer.run(io.BytesIO(workbook([*rows, ["好等次比例上限", "", 0.3]])))
    assert not result.ok and not result.committed
    messages = " ".join(str(e) for e in result.errors)
    assert expected in messages
    assert all(e.row >= 2 for e in result.errors)  # each error names its Excel row
    assert list(Rule.objects.order_by("pk").values_list("code", "year_from", "value")) == before
    assert not AuditEntry.objects.filter(action="assessment.scheme.imported").exists()


def test_a_file_that_is_not_a_scheme(bureau):
    result = SchemeImporter(bureau.users.committee, year=2024).preview(io.BytesIO(b"not a workbook"))
    assert result.file_error and "xlsx" in result.file_error
