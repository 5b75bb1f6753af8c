"""Rankings per period, branch and department; statistics against independent counts; their
links list the same number of records; query counts that do not grow with the data."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.periods import Period
from core.stats import build_report, get_statistic, registered_charts
from points.models import PointEntry
from points.selectors import RankingFilters, ScoreRules, Window, group_averages, ranking_page
from points.tests.conftest import ABSENT, PRESENT

pytestmark = pytest.mark.django_db
D = datetime.date


def total_of(client, url) -> int:
    html = client.get(url).content.decode()
    marker = 'data-total="'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index('"', start)])


@pytest.fixture
def scored(bureau, meeting, manual):
    """2022: 张三 66 (3 meetings + an article), 孙书记 65 (2 meetings + the lecture he gave), 王五 62
    (a meeting + training), 钱七 61, 周书记 60 (absent once, +2), 李四 58 (absent once);
    赵六 is not a member."""
    b = bureau
    meeting(
        b.b1,
        "branch_general_meeting",
        D(2022, 2, 10),
        {b.zhang: PRESENT, b.li: ABSENT, b.qian: PRESENT, b.sec1_person: PRESENT},
    )
    meeting(b.b1, "party_lecture", D(2022, 5, 20), {b.zhang: PRESENT, b.sec1_person: PRESENT}, lecturer=b.sec1_person)
    meeting(b.b1, "theme_party_day", D(2022, 9, 10), {b.zhang: PRESENT})
    meeting(b.b2, "theme_party_day", D(2022, 8, 12), {b.wang: PRESENT, b.zhao: PRESENT, b.sec2_person: ABSENT})
    manual(b.zhang, 3, D(2022, 11, 1), reason="发表理论文章", rule_code="points.article")
    manual(b.wang, 1, D(2022, 12, 1), reason="参加培训", rule_code="points.training")
    manual(b.sec2_person, 2, D(2022, 12, 2), reason="表现突出")
    return b


def independent_scores(year=2022, start=None, end=None, people=None):
    """base + effective entries in [start, end], floored — straight from PointEntry."""
    start, end = start or D(year, 1, 1), end or D(year, 12, 31)
    sums = defaultdict(int)
    for person_id, points in PointEntry.objects.filter(status="effective", date__gte=start, date__lte=end).values_list(
        "person_id", "points"
    ):
        sums[person_id] += points
    return {p.pk: max(0, 60 + sums[p.pk]) for p in people}


def members(b):
    return [b.zhang, b.li, b.qian, b.sec1_person, b.wang, b.sec2_person]


def test_scores_and_ranks_with_ties(scored, manual):
    b = scored
    expected = independent_scores(people=members(b))
    assert expected == {
        b.zhang.pk: 66,
        b.li.pk: 58,
        b.qian.pk: 61,
        b.sec1_person.pk: 65,
        b.wang.pk: 62,
        b.sec2_person.pk: 60,
    }
    f = RankingFilters(window=Window.year_of(2022), rules=ScoreRules.for_year(2022))
    page = ranking_page(b.users.committee, f)
    rows = [(p.name, p.score, p.rank) for p in page.object_list]
    assert rows == [
        ("张三", 66, 1),
        ("孙书记", 65, 2),
        ("王五", 62, 3),
        ("钱七", 61, 4),
        ("周书记", 60, 5),
        ("李四", 58, 6),
    ]
    assert page.paginator.count == 6  # 赵六 (群众) is not ranked
    # A tie shares the rank; the next rank counts everyone above.
    manual(b.qian, 1, D(2022, 12, 5), reason="表现突出")
    rows = [(p.name, p.score, p.rank) for p in ranking_page(b.users.committee, f).object_list]
    assert rows[2:5] == [("王五", 62, 3), ("钱七", 62, 3), ("周书记", 60, 5)]
    # Paging keeps the ranks.
    second = ranking_page(b.users.committee, f, page_number=2, per_page=4)
    assert [(p.name, p.rank) for p in second.object_list] == [("周书记", 5), ("李四", 6)]
    assert ranking_page(b.users.committee, f, page_number=9, per_page=4).number == 2


def test_band_and_name_filters_keep_the_scope_ranks(scored):
    b = scored
    f = RankingFilters(window=Window.year_of(2022), rules=ScoreRules.for_year(2022), band=(60, 62), band_text="60-62")
    page = ranking_page(b.users.committee, f)
    assert [(p.name, p.rank) for p in page.object_list] == [("王五", 3), ("钱七", 4), ("周书记", 5)]
    assert page.paginator.count == 3
    last = ranking_page(b.users.committee, f, page_number=7, per_page=2)  # past the end: the last page
    assert (last.number, [(p.name, p.rank) for p in last.object_list]) == (2, [("周书记", 5)])
    f = RankingFilters(window=Window.year_of(2022), rules=ScoreRules.for_year(2022), q="ls")  # 李四 by initials
    assert [(p.name, p.rank) for p in ranking_page(b.users.committee, f).object_list] == [("李四", 6)]


def test_branch_department_and_half_year_rankings(scored):
    b = scored
    rules = ScoreRules.for_year(2022)
    branch = ranking_page(b.users.committee, RankingFilters(window=Window.year_of(2022), rules=rules, org=b.b2))
    assert [(p.name, p.score, p.rank) for p in branch.object_list] == [("王五", 62, 1), ("周书记", 60, 2)]
    # A secretary ranks their own branch only.
    own = ranking_page(b.users.sec1, RankingFilters(window=Window.year_of(2022), rules=rules))
    assert {p.name for p in own.object_list} == {"张三", "李四", "钱七", "孙书记"}
    dept = ranking_page(
        b.users.committee, RankingFilters(window=Window.year_of(2022), rules=rules, department=b.finance)
    )
    assert [p.name for p in dept.object_list] == ["王五", "周书记"]
    h1 = Window.of(Period.parse("2022H1"))
    expected = independent_scores(start=D(2022, 1, 1), end=D(2022, 6, 30), people=members(b))
    page = ranking_page(b.users.committee, RankingFilters(window=h1, rules=rules))
    assert {p.pk: p.score for p in page.object_list} == expected
    # A month is counted by its quarter, and the page says so.
    month = Window.of(Period.parse("2022-05"))
    assert month.quarters == (2,) and "按2022年第二季度统计" in month.note


def test_group_averages_match_an_independent_average(scored):
    b = scored
    window = Window.year_of(2022)
    scores = independent_scores(people=members(b))
    by_branch = {
        r["name"]: (r["members"], r["average"])
        for r in group_averages(b.users.committee, window, by="branch", under=b.root)
    }
    b1 = [scores[p.pk] for p in (b.zhang, b.li, b.qian, b.sec1_person)]
    b2 = [scores[p.pk] for p in (b.wang, b.sec2_person)]
    assert by_branch == {"机关第一党支部": (4, round(sum(b1) / 4, 1)), "机关第二党支部": (2, round(sum(b2) / 2, 1))}
    by_dept = group_averages(b.users.committee, window, by="department", under=b.root)
    office = [scores[p.pk] for p in (b.zhang, b.li, b.qian, b.sec1_person)]
    assert [(r["name"], r["average"], r["rank"]) for r in by_dept] == [
        ("办公室", round(sum(office) / 4, 1), 1),
        ("财务科", round(sum(b2) / 2, 1), 2),
    ]


def test_statistics_equal_independent_counts_and_their_lists(scored, client_for):
    b = scored
    client = client_for(b.users.committee)
    for period in ("2022", "2022H1", "2022Q3"):
        p = Period.parse(period)
        avg = get_statistic("points.average").compute(p, b.root, b.users.committee)
        window = Window.of(p)
        expected = independent_scores(start=window.start, end=window.end, people=members(b))
        assert avg.value == round(sum(expected.values()) / len(expected), 1)
        assert total_of(client, avg.url) == len(expected)
        entries = get_statistic("points.entries").compute(p, b.root, b.users.committee)
        n = PointEntry.objects.filter(status="effective", date__gte=p.start, date__lte=p.end).count()
        assert entries.value == n > 0
        assert total_of(client, entries.url) == n
    # Scoped: a secretary's figures cover their branch only.
    sec = get_statistic("points.entries").compute(Period.parse("2022"), b.b1, b.users.sec1)
    assert sec.value == PointEntry.objects.filter(status="effective", org_path__startswith=b.b1.path).count()
    assert total_of(client_for(b.users.sec1), sec.url) == sec.value


def test_distribution_chart_bars_link_to_their_members(scored, client_for):
    b = scored
    spec = next(c for c in registered_charts() if c.code == "points.distribution")
    chart = spec.build(Period.parse("2022"), b.root, b.users.committee)
    bars = {p.label: p for p in chart.series[0].points}
    assert {k: v.value for k, v in bars.items()} == {"<60": 1, "60–69": 5, "70–79": 0, "80–89": 0, "≥90": 0}
    client = client_for(b.users.committee)
    for bar in bars.values():
        assert total_of(client, bar.url) == bar.value


def test_report_paragraph(scored):
    b = scored
    sections = dict((s.code, paras) for s, paras in build_report(Period.parse("2022H1"), b.root))
    text = sections["points.vanguard"][0].plain()
    assert text.startswith("半年来党员量化积分平均") and "尚未评选" in text


def test_excel_export_of_the_ranking(scored, client_for):
    b = scored
    client = client_for(b.users.committee)
    response = client.get(reverse("points:ranking_export") + "?period=2022&band=60-62")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("排名", "姓名")
    assert [(r[0], r[1], r[7]) for r in rows[1:]] == [(3, "王五", 62), (4, "钱七", 61), (5, "周书记", 60)]
    groups = client.get(reverse("points:group_ranking_export") + "?by=department&period=2022")
    rows = list(load_workbook(io.BytesIO(b"".join(groups.streaming_content))).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["办公室", "财务科"]


def test_query_counts_do_not_grow(bureau, meeting, manual, client_for, django_assert_max_num_queries):
    b = bureau
    client = client_for(b.users.committee)
    urls = [
        reverse("points:ranking") + "?period=2022",
        reverse("points:ranking") + "?period=2022&band=60-69",
        reverse("points:group_ranking") + "?period=2022",
        reverse("points:group_ranking") + "?by=department&period=2022",
        reverse("points:entry_list") + "?period=2022",
        reverse("points:review_queue"),
        reverse("points:person_points", args=[b.zhang.pk]) + "?year=2022",
    ]

    def counts():
        found = []
        for url in urls:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    meeting(b.b1, "branch_general_meeting", D(2022, 2, 10), {b.zhang: PRESENT})
    manual(b.zhang, 1, D(2022, 3, 1), approve=False)
    small = counts()
    for month in range(1, 12):
        meeting(b.b1, "theme_party_day", D(2022, month, 10), {b.zhang: PRESENT, b.li: ABSENT, b.qian: PRESENT})
        meeting(b.b2, "theme_party_day", D(2022, month, 12), {b.wang: PRESENT, b.sec2_person: PRESENT})
        manual(b.li, 1, D(2022, month, 15), approve=False)
    assert counts() == small
    with django_assert_max_num_queries(max(small)):
        client.get(urls[0])
