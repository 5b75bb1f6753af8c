"""The person columns copied onto PointScore follow person changes, deletes, restores and
organization moves; rankings read from them equal an independent computation from the entries
and the people."""

from __future__ import annotations

import datetime
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from core.periods import Period
from orgs import services as org_services
from orgs.models import Person
from points import services
from points.models import PointEntry, PointScore, PointScoreYear
from points.selectors import RankingFilters, ScoreRules, Window, group_averages, ranking_page, ranking_rows
from points.sources import PERSON_COPY, rebuild_scores
from points.tests.conftest import ABSENT, PRESENT

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def scored(bureau, meeting, manual):
    b = bureau
    meeting(
        b.b1,
        "branch_general_meeting",
        D(2022, 2, 10),
        {b.zhang: PRESENT, b.li: ABSENT, b.qian: PRESENT, b.sec1_person: PRESENT},
    )
    meeting(b.b1, "theme_party_day", D(2022, 9, 10), {b.zhang: PRESENT, b.qian: PRESENT})
    meeting(b.b2, "theme_party_day", D(2022, 8, 12), {b.wang: PRESENT, b.sec2_person: ABSENT})
    manual(b.wang, 3, D(2022, 11, 1), reason="发表理论文章", rule_code="points.article")
    for day in range(1, 8):
        manual(b.li, -10, D(2022, 4, day), reason="违纪")  # 60 - 1 - 70: held at the floor (0)
    return b


def assert_copies_current():
    """Every person has one row in every scored year, carrying their current columns."""
    people = {p["pk"]: p for p in Person.all_objects.values("pk", *PERSON_COPY)}
    years = set(PointScoreYear.objects.values_list("year", flat=True))
    assert years
    rows = list(PointScore.objects.values("person_id", "year", *PERSON_COPY))
    assert {(r["person_id"], r["year"]) for r in rows} == {(pk, y) for pk in people for y in years}
    for r in rows:
        assert {a: r[a] for a in PERSON_COPY} == {a: people[r["person_id"]][a] for a in PERSON_COPY}, r


def independent_ranking(start, end, *, under=None, department=None, statuses=("full", "probationary")):
    """[(person id, score, rank)] best first (ties by sum, then id) from PointEntry and Person."""
    sums = defaultdict(int)
    for person_id, points in PointEntry.objects.filter(status="effective", date__gte=start, date__lte=end).values_list(
        "person_id", "points"
    ):
        sums[person_id] += points
    people = [
        p
        for p in Person.objects.all()
        if p.party_status in statuses
        and (under is None or p.org_path.startswith(under.path))
        and (department is None or p.department_id == department.pk)
    ]
    rows = sorted(((p.pk, max(0, 60 + sums[p.pk]), sums[p.pk]) for p in people), key=lambda r: (-r[2], r[0]))
    ranked = []
    for pk, score, _sum in rows:
        rank = 1 + sum(1 for _pk, s, _x in rows if s > score)
        ranked.append((pk, score, rank))
    return ranked


def page_rows(user, window, **kw):
    f = RankingFilters(window=window, rules=ScoreRules.for_year(window.year), **kw)
    return [(p.pk, p.score, p.rank) for p in ranking_page(user, f, per_page=100).object_list]


def check_rankings(b):
    year = Window.year_of(2022)
    assert page_rows(b.users.committee, year) == independent_ranking(D(2022, 1, 1), D(2022, 12, 31))
    assert page_rows(b.users.committee, year, org=b.b1) == independent_ranking(
        D(2022, 1, 1), D(2022, 12, 31), under=b.b1
    )
    assert page_rows(b.users.committee, year, department=b.finance) == independent_ranking(
        D(2022, 1, 1), D(2022, 12, 31), department=b.finance
    )
    h2 = Window.of(Period.parse("2022H2"))
    assert page_rows(b.users.committee, h2) == independent_ranking(D(2022, 7, 1), D(2022, 12, 31))
    # A secretary's ranking is their branch's, with the ranks of that scope.
    assert page_rows(b.users.sec2, year) == independent_ranking(D(2022, 1, 1), D(2022, 12, 31), under=b.b2)


def test_rankings_equal_an_independent_computation(scored):
    b = scored
    assert_copies_current()
    check_rankings(b)
    full = independent_ranking(D(2022, 1, 1), D(2022, 12, 31))
    # The floored member (李四, 60 - 70 → 0) is last; the band and the name filter keep the ranks.
    assert full[-1][:2] == (b.li.pk, 0)
    band = page_rows(b.users.committee, Window.year_of(2022), band=(61, 62), band_text="61-62")
    assert band == [r for r in full if 61 <= r[1] <= 62] and band
    assert page_rows(b.users.committee, Window.year_of(2022), band=(None, 0), band_text="-0") == [full[-1]]
    assert page_rows(b.users.committee, Window.year_of(2022), band=(None, -1), band_text="--1") == []
    people = {p.pk: p for p in Person.objects.all()}

    def named(p, q):
        return p.name.startswith(q) or p.name_initials.startswith(q) or p.name_pinyin.startswith(q)

    for q, found in (
        ("zs", {"张三", "周书记"}),
        ("zhang", {"张三"}),
        ("张", {"张三"}),
        ("王", {"王五"}),
        ("三", set()),
    ):
        rows = page_rows(b.users.committee, Window.year_of(2022), q=q)
        assert rows == [r for r in full if named(people[r[0]], q)]
        assert {people[r[0]].name for r in rows} == found
    # The export lists the same members with the same ranks.
    f = RankingFilters(window=Window.year_of(2022), rules=ScoreRules.for_year(2022))
    assert [(r["member"], r["score"], r["rank"]) for r in ranking_rows(b.users.committee, f)] == full


def test_copies_follow_person_changes_deletes_and_restores(scored):
    b = scored
    admin = b.users.admin
    org_services.person_update(actor=admin, person=b.wang, data={"name": "王小五", "department": b.office})
    row = PointScore.objects.get(person=b.wang, year=2022)
    assert (row.name, row.name_initials, row.department_id) == ("王小五", "wxw", b.office.pk)
    assert page_rows(b.users.committee, Window.year_of(2022), q="wxw")[0][0] == b.wang.pk
    # Moving to another branch and becoming a non-member takes them out of the ranking.
    org_services.person_update(actor=admin, person=Person.objects.get(pk=b.zhang.pk), data={"organization": b.b2})
    assert PointScore.objects.get(person=b.zhang, year=2022).org_path == b.b2.path
    org_services.person_update(
        actor=admin, person=Person.objects.get(pk=b.qian.pk), data={"party_status": "non_member"}
    )
    assert_copies_current()
    check_rankings(b)
    assert b.qian.pk not in {r[0] for r in page_rows(b.users.committee, Window.year_of(2022))}
    org_services.person_delete(actor=admin, person=Person.objects.get(pk=b.sec2_person.pk))
    assert PointScore.objects.get(person=b.sec2_person, year=2022).deleted_at is not None
    assert_copies_current()
    check_rankings(b)
    org_services.person_restore(actor=admin, person=Person.all_objects.get(pk=b.sec2_person.pk))
    assert_copies_current()
    check_rankings(b)
    # A new person gets a row in every scored year and is ranked with the base score.
    new = org_services.person_create(
        actor=admin, data={"name": "吴九", "organization": b.b2, "party_status": "full", "unit": b.organ}
    )
    assert set(PointScore.objects.filter(person=new).values_list("year", "total")) == {(2022, 0)}
    assert_copies_current()
    check_rankings(b)
    averages = {
        r["name"]: r["members"]
        for r in group_averages(b.users.committee, Window.year_of(2022), by="branch", under=b.root)
    }
    assert averages == {"机关第一党支部": 2, "机关第二党支部": 4}  # 李四, 孙书记 | 王五, 张三, 周书记, 吴九


def test_copies_follow_a_subtree_move(scored):
    b = scored
    assert PointScore.objects.get(person=b.qian, year=2022).org_path == b.cell.path
    org_services.organization_update(actor=b.users.admin, org=b.cell, data={"parent": b.b2})
    b.cell.refresh_from_db()
    assert b.cell.path.startswith(b.b2.path)
    assert PointScore.objects.get(person=b.qian, year=2022).org_path == b.cell.path
    assert_copies_current()
    check_rankings(b)
    assert b.qian.pk in {r[0] for r in page_rows(b.users.committee, Window.year_of(2022), org=b.b2)}


def test_a_bulk_write_is_repaired_by_the_command_and_an_unscored_year_ranks_everyone(scored):
    b = scored
    # A bulk import writes people without the services: no event, stale copies, no rows.
    Person.all_objects.filter(pk=b.wang.pk).update(name="王武", name_initials="ww", name_pinyin="wangwu")
    Person.objects.bulk_create(
        [Person(name="郑十", name_initials="zs", name_pinyin="zhengshi", organization=b.b1, org_path=b.b1.path)]
    )
    with pytest.raises(AssertionError):
        assert_copies_current()
    out = StringIO()
    call_command("recompute_points", "--people", stdout=out)
    assert "更新人员信息 1 行，补建 1 行" in out.getvalue()
    assert_copies_current()
    check_rankings(b)
    # Rebuilding a year gives the same rows as keeping them event by event.
    kept = sorted(PointScore.objects.values_list("person_id", "year", "total", "q1", "q2", "q3", "q4", "entries"))
    rebuild_scores(2022)
    assert (
        sorted(PointScore.objects.values_list("person_id", "year", "total", "q1", "q2", "q3", "q4", "entries")) == kept
    )
    # 2021: nothing scored — every member is ranked at the base score, read from the people.
    assert not PointScoreYear.objects.filter(year=2021).exists()
    assert page_rows(b.users.committee, Window.year_of(2021)) == independent_ranking(D(2021, 1, 1), D(2021, 12, 31))
    # The first entry of a year builds the year for everyone.
    rebuild_count = Person.all_objects.count()
    b.zhang.refresh_from_db()
    entry = services.manual_entry_create(
        actor=b.users.sec1, person=b.zhang, date=D(2021, 5, 1), reason="表现突出", points=2, rule_code=""
    )
    services.manual_entry_approve(actor=b.users.committee, entry=entry)
    assert PointScore.objects.filter(year=2021).count() == rebuild_count
    assert page_rows(b.users.committee, Window.year_of(2021)) == independent_ranking(D(2021, 1, 1), D(2021, 12, 31))
    assert_copies_current()


def test_group_ranking_rows_link_to_their_members(scored, client_for):
    import html as htmllib
    import re

    from django.urls import reverse

    from points.tests.test_ranking import total_of

    b = scored
    client = client_for(b.users.committee)
    for by in ("department", "branch"):
        page = client.get(reverse("points:group_ranking") + f"?by={by}&period=2022").content.decode()
        rows = re.findall(
            r'<tr><td class="text-end">([^<]*)</td><td>([^<]*)</td><td class="text-end">(\d+)</td>'
            r'<td class="text-end fw-semibold">([^<]*)</td><td class="text-end"><a href="([^"]+)"',
            page,
        )
        expected = group_averages(b.users.committee, Window.year_of(2022), by=by, under=b.root)
        assert [(r[1], int(r[2]), r[3]) for r in rows] == [
            (e["name"], e["members"], str(e["average"])) for e in expected
        ]
        for row in rows:
            assert total_of(client, htmllib.unescape(row[4])) == int(row[2])


def test_the_people_import_keeps_the_copies_current(scored):
    """The Excel import writes people in bulk; it announces them once and their rows follow."""
    from orgs.tests.test_excel import person_row, run

    b = scored
    zhang = Person.objects.get(pk=b.zhang.pk)
    moved = person_row(姓名="张三", 身份证号=zhang.id_number, 所属党组织="机关第二党支部", 科室="财务科")
    result = run(b.users.committee, [person_row(), moved])
    assert not result.errors and not result.file_error, [str(e) for e in result.errors]
    new = Person.objects.get(name="新同志")
    assert PointScore.objects.filter(person=new).count() == PointScoreYear.objects.count() > 0
    assert set(PointScore.objects.filter(person=b.zhang).values_list("org_path", flat=True)) == {b.b2.path}
    assert_copies_current()
    check_rankings(b)
