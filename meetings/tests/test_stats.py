"""Statistics and the report section, each checked against a count made independently here."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.periods import Period
from core.stats import build_report, get_statistic, registered_sections
from meetings.models import MeetingKind, TopicSubtype
from meetings.stats import attendance_by_member, attendance_by_organization, period_words, topic_paragraph

pytestmark = pytest.mark.django_db
D = datetime.date
H1 = Period.parse("2022H1")


def topic(record_meeting, b, code, day, **kw):
    return record_meeting(
        b.root, "topic_meeting", day, subtype=TopicSubtype.objects.get(code=code), attendance=[], **kw
    )


@pytest.fixture
def seed_half_year(est, record_meeting):
    """The seed's first half of 2022: 党建工作专题会 2, 党风廉政 3, 意识形态 1, 网络意识形态 1,
    two 整改 meetings in June with their scopes; plus meetings outside the half year."""
    b = est
    for day in (D(2022, 2, 10), D(2022, 6, 20)):
        topic(record_meeting, b, "party_building", day)
    for day in (D(2022, 1, 5), D(2022, 4, 8), D(2022, 6, 30)):
        topic(record_meeting, b, "integrity", day)
    topic(record_meeting, b, "ideology", D(2022, 3, 3))
    topic(record_meeting, b, "online_ideology", D(2022, 5, 5))
    topic(record_meeting, b, "rectification", D(2022, 6, 13), participant_scope="班子成员、馆团负责人")
    topic(record_meeting, b, "rectification", D(2022, 6, 24), participant_scope="全体机关干部")
    topic(record_meeting, b, "party_building", D(2022, 7, 1))  # second half
    topic(record_meeting, b, "integrity", D(2021, 12, 31))  # previous year
    return b


def total_of(client, url) -> int:
    html = client.get(url).content.decode()
    marker = 'data-total="'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index('"', start)])


# ---------------------------------------------------------------- counts


def test_counts_by_kind_match_an_independent_count(est, record_meeting, client_for):
    b = est
    recorded = []  # (org, kind, day)

    def rec(org, kind, day, **kw):
        record_meeting(org, kind, day, attendance=[], **kw)
        recorded.append((org, kind, day))

    rec(b.b1, "theme_party_day", D(2022, 1, 15))
    rec(b.b1, "theme_party_day", D(2022, 6, 30))
    rec(b.b1, "theme_party_day", D(2022, 7, 1))  # outside H1
    rec(b.b2, "theme_party_day", D(2022, 3, 1))
    rec(b.b1, "branch_committee_meeting", D(2022, 2, 2))
    rec(b.cell, "cell_meeting", D(2022, 2, 3))
    rec(b.b2, "branch_general_meeting", D(2022, 3, 31))
    rec(b.b2, "party_lecture", D(2022, 4, 1), lecturer=b.wang)
    rec(b.root, "organ_member_assembly", D(2022, 5, 4))
    rec(b.root, "democratic_life_meeting", D(2022, 1, 20))
    c = client_for(b.users.committee)
    for org in (b.root, b.b1, b.b2, b.cell):
        for kind in MeetingKind.values:
            expected = sum(1 for o, k, d in recorded if k == kind and d in H1 and o.path.startswith(org.path))
            value = get_statistic(f"meetings.kind.{kind}").compute(H1, org, None)
            assert value.value == expected, (org.name, kind)
            if expected or kind == "theme_party_day":
                assert total_of(c, value.url) == expected, value.url
    assert get_statistic("meetings.kind.theme_party_day").compute(H1, b.root, None).value == 3
    assert get_statistic("meetings.kind.cell_meeting").compute(H1, b.b1, None).value == 1  # the cell is in b1's subtree


def test_counts_respect_the_users_scope(est, record_meeting):
    b = est
    record_meeting(b.b1, "theme_party_day", D(2022, 1, 15), attendance=[])
    record_meeting(b.b2, "theme_party_day", D(2022, 1, 16), attendance=[])
    stat = get_statistic("meetings.kind.theme_party_day")
    assert stat.compute(H1, b.root, None).value == 2
    assert stat.compute(H1, b.root, b.users.sec1).value == 1
    assert stat.compute(H1, b.root, b.users.committee).value == 2


def test_topic_subtype_statistics(seed_half_year, client_for):
    b = seed_half_year
    expected = {"party_building": 2, "integrity": 3, "ideology": 1, "online_ideology": 1, "rectification": 2}
    c = client_for(b.users.committee)
    for code, n in expected.items():
        value = get_statistic(f"meetings.topic.{code}").compute(H1, b.root, None)
        assert value.value == n, code
        assert f"subtype={code}" in value.url and "kind=topic_meeting" in value.url and "period=2022H1" in value.url
        assert total_of(c, value.url) == n
    assert get_statistic("meetings.topic.party_building").label == "党建工作专题会"
    assert get_statistic("meetings.topic.integrity").label == "党风廉政专题会议"
    year = Period.parse("2022")
    assert get_statistic("meetings.topic.party_building").compute(year, b.root, None).value == 3
    assert get_statistic("meetings.topic.integrity").compute(Period.parse("2021"), b.root, None).value == 1
    assert get_statistic("meetings.kind.topic_meeting").compute(H1, b.root, None).value == 9


def test_attendance_rate_by_organization_and_member(est, record_meeting):
    b = est
    # b1: 张三、李四、孙书记、钱七 expected at the 主题党日.
    record_meeting(b.b1, "theme_party_day", D(2022, 3, 1), present=[b.zhang, b.li, b.sec1_person])  # 3/4
    record_meeting(b.b1, "theme_party_day", D(2022, 4, 1), present=[b.zhang])  # 1/4
    record_meeting(b.b2, "theme_party_day", D(2022, 4, 2), present=[b.wang, b.sec2_person])  # 2/2
    record_meeting(b.b2, "theme_party_day", D(2022, 8, 2), present=[])  # outside H1
    rate = get_statistic("meetings.attendance_rate")
    assert rate.compute(H1, b.root, None).value == round(100 * 6 / 10, 1)
    assert rate.compute(H1, b.b1, None).value == 50.0
    assert rate.compute(H1, b.b2, None).value == 100.0
    assert rate.compute(Period.parse("2020"), b.b2, None).value == 0.0  # no meetings
    rows = {r["organization"].pk: r for r in attendance_by_organization(H1, b.root)}
    assert (rows[b.b1.pk]["expected"], rows[b.b1.pk]["present"], rows[b.b1.pk]["rate"]) == (8, 4, 50.0)
    assert rows[b.b2.pk]["meetings"] == 1 and rows[b.b2.pk]["rate"] == 100.0
    members = {r["person__name"]: r for r in attendance_by_member(H1, b.root)}
    assert (members["张三"]["expected"], members["张三"]["present"], members["张三"]["rate"]) == (2, 2, 100.0)
    assert (members["李四"]["present"], members["李四"]["absent"], members["李四"]["rate"]) == (1, 1, 50.0)
    assert members["钱七"]["present"] == 0 and members["王五"]["expected"] == 1


def test_lectures_and_distinct_lecturers(est, record_meeting, client_for):
    b = est
    record_meeting(b.b1, "party_lecture", D(2022, 5, 10), lecturer=b.zhang, attendance=[])  # 普通党员
    record_meeting(b.b1, "party_lecture", D(2022, 6, 10), lecturer=b.zhang, attendance=[])
    record_meeting(b.b2, "party_lecture", D(2022, 2, 10), lecturer=b.sec2_person, attendance=[])
    record_meeting(b.b2, "party_lecture", D(2022, 9, 10), lecturer=b.wang, attendance=[])  # H2
    lecturers = get_statistic("meetings.lectures.lecturers").compute(H1, b.root, None)
    assert lecturers.value == 2
    assert total_of(client_for(b.users.committee), lecturers.url) == 3  # the lectures behind them
    assert get_statistic("meetings.lectures.lecturers").compute(Period.parse("2022"), b.root, None).value == 3
    assert get_statistic("meetings.lectures.lecturers").compute(H1, b.b1, None).value == 1


def test_obligations_met_vs_owed(est, record_meeting):
    b = est
    # H1 2022, all periods ended: b1 owes 6 × (支委会, 党小组会, 主题党日) + 2 × (党员大会, 党课) = 22;
    # b2 owes 6 主题党日 + 4 = 10; the root's yearly assembly is not inside H1.
    for month in range(1, 7):
        record_meeting(b.b2, "theme_party_day", D(2022, month, 8), attendance=[])
    record_meeting(b.b1, "branch_committee_meeting", D(2022, 1, 8), attendance=[])
    record_meeting(b.b1, "branch_committee_meeting", D(2022, 1, 9), attendance=[])  # twice in a month: once met
    record_meeting(b.b1, "party_lecture", D(2022, 6, 9), lecturer=b.li, attendance=[])
    owed = get_statistic("meetings.obligations.owed").compute(H1, b.root, None)
    met = get_statistic("meetings.obligations.met").compute(H1, b.root, None)
    assert (owed.value, met.value) == (32, 8)
    assert get_statistic("meetings.obligations.met").compute(H1, b.b2, None).value == 6
    assert "period=2022H1" in owed.url and f"org={b.root.pk}" in owed.url
    # Periods that have not ended and are not met are not owed yet.
    this_year = Period.containing("year", timezone.localdate())
    current = get_statistic("meetings.obligations.owed").compute(this_year, b.b2, None).value
    assert current < 12 + 4 + 4 + 3


# ---------------------------------------------------------------- report


def test_report_paragraph_for_the_seed_half_year(seed_half_year):
    b = seed_half_year
    assert [s.code for s in registered_sections() if s.code == "meetings.topic_meetings"]
    section = next(s for s in registered_sections() if s.code == "meetings.topic_meetings")
    assert (section.title, section.order, section.chapter) == ("专题会议与组织生活", 20, "organization")
    paragraphs = next(paras for sec, paras in build_report(H1, b.root) if sec.code == section.code)
    assert paragraphs[0].plain() == (
        "上半年共召开党建工作专题会2次、党风廉政专题会议3次，意识形态、网络意识形态专题会议各1次。"
        "针对督导检查反馈问题召开整改专题会议2次，参会范围分别为班子成员、馆团负责人；全体机关干部。"
    )
    assert paragraphs[0].figures["integrity"].value == 3
    assert "subtype=integrity" in paragraphs[0].figures["integrity"].url


def test_report_wording_follows_the_data_and_period(seed_half_year, record_meeting):
    b = seed_half_year
    topic(record_meeting, b, "ideology", D(2022, 7, 7))
    year = topic_paragraph(Period.parse("2022"), b.root).plain()
    assert year.startswith(
        "全年共召开党建工作专题会3次、党风廉政专题会议3次，意识形态专题会议2次、网络意识形态专题会议1次。"
    )
    assert topic_paragraph(Period.parse("2022Q3"), b.root).plain() == (
        "本季度共召开党建工作专题会1次，意识形态专题会议1次。"
    )
    assert topic_paragraph(Period.parse("2022-05"), b.root).plain() == "5月共召开网络意识形态专题会议1次。"
    assert (
        topic_paragraph(Period.parse("2020"), b.root).plain()
        == "全年未召开党建工作、党风廉政建设、意识形态等专题会议。"
    )
    assert period_words(Period.parse("2022H2")) == "下半年"
    assert period_words(Period.parse("2022-03-01..2022-05-20")) == "3月1日至5月20日"


def test_report_compliance_paragraph(est, record_meeting):
    b = est
    for month in range(1, 7):
        record_meeting(b.b2, "theme_party_day", D(2022, month, 8), attendance=[])
    record_meeting(b.b2, "branch_general_meeting", D(2022, 3, 8), attendance=[])
    record_meeting(b.b2, "branch_general_meeting", D(2022, 6, 8), attendance=[])
    record_meeting(b.b2, "party_lecture", D(2022, 3, 9), lecturer=b.wang, attendance=[])
    record_meeting(b.b2, "party_lecture", D(2022, 6, 9), lecturer=b.wang, attendance=[])
    record_meeting(b.b1, "party_lecture", D(2022, 5, 9), lecturer=b.zhang, attendance=[])
    section = next(s for s in registered_sections() if s.code == "meetings.topic_meetings")
    text = section.build(H1, b.root, None)[1].plain()
    # b1 owes 22 and met 1 (the Q2 党课); b2 owes 10 and met them all.
    assert text == (
        "上半年，2个党组织按规定应落实支部党员大会、支委会、党小组会、党课、主题党日等组织生活32项，"
        "已落实11项，落实率34.4%；机关第一党支部（21项）未按期落实。"
        "共讲授党课3次，授课人2人。"
    )
