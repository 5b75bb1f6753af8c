"""驾驶舱: pickers, scope, every card and chart element a link to a list with the same count,
alerts, and a number of queries that does not grow with the data."""

from __future__ import annotations

import datetime
import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.periods import Period
from orgs import services as org_services
from reports import selectors
from reports.tests.conftest import total_of

pytestmark = pytest.mark.django_db
D = datetime.date
CARD = re.compile(
    r'<a class="pb-card[^"]*" href="([^"]+)" id="([^"]+)" data-code="([^"]+)" data-value="([^"]+)"( data-count="(\d+)")?'
)


def area_url(area: str, **params) -> str:
    from urllib.parse import urlencode

    return reverse("reports:dashboard_area") + "?" + urlencode({"area": area, **params})


def charts_of(html: str) -> list[dict]:
    return [
        json.loads(unescape(m))
        for m in re.findall(r'<script id="data-[^"]+" type="application/json">(.*?)</script>', html, re.S)
    ]


@pytest.fixture
def lived(est, hold):
    """A half year of organizational life: branch 1 diligent in the first quarter, branch 2 idle."""
    b = est
    for month in (1, 2, 3):
        hold(b.b1, "theme_party_day", D(2022, month, 10))
        hold(b.b1, "branch_committee_meeting", D(2022, month, 12))
        hold(b.cell, "cell_meeting", D(2022, month, 14))
    hold(b.b1, "branch_general_meeting", D(2022, 3, 20))
    hold(b.b1, "party_lecture", D(2022, 3, 21), lecturer=b.sec1_person)
    hold(b.root, "topic_meeting", D(2022, 2, 1), code="party_building")
    hold(b.root, "topic_meeting", D(2022, 4, 1), code="integrity")
    return b


def test_frame_has_a_panel_per_area_and_is_for_readers(lived, client_for):
    b = lived
    client = client_for(b.users.committee)
    html = client.get(reverse("reports:dashboard"), {"period": "2022H1"}).content.decode()
    assert "2022年上半年" in html and b.root.name in html
    for area in selectors.dashboard_areas():
        assert f"正在统计{area}" in html  # each panel loads on its own, with a working indicator
    assert html.count('hx-trigger="load"') == len(selectors.dashboard_areas()) + 1  # + the alerts panel
    assert 'id="generate-report"' in html and "data-download=" in html
    for name in ("member", "nobody"):
        assert client_for(getattr(b.users, name)).get(reverse("reports:dashboard")).status_code == 403
    leader = client_for(b.users.leader).get(reverse("reports:dashboard"), {"period": "2022H1"}).content.decode()
    assert "正在统计组织生活" in leader and 'id="generate-report"' not in leader  # the same, read-only


def test_every_card_links_to_a_list_with_its_count(lived, client_for):
    client = client_for(lived.users.committee)
    checked = 0
    for area in selectors.dashboard_areas():
        html = client.get(area_url(area, period="2022H1")).content.decode()
        cards = CARD.findall(html)
        assert cards or "没有数据" in html, area
        for href, _id, code, _value, _attr, count in cards:
            if count == "" or code in KNOWN_INEXACT:
                continue
            assert total_of(client, unescape(href)) == int(count), (area, code, href)
            checked += 1
    assert checked >= 20


# Figures of the meetings app whose link can only show the closest list (see the report): the
# distinct lecturers link to the lectures, the obligations to the heatmap. meetings/stats.py should
# mark them StatValue(..., exact=False) (diff in the final report); until then they are listed here.
KNOWN_INEXACT = {"meetings.lectures.lecturers", "meetings.obligations.owed", "meetings.obligations.met"}


def test_builtin_chart_elements_link_to_their_records(lived, client_for):
    client = client_for(lived.users.committee)
    seen = set()
    for area in ("组织生活", "组织与人员"):
        for chart in charts_of(client.get(area_url(area, period="2022H1")).content.decode()):
            if not chart["code"].startswith("reports."):
                continue
            seen.add(chart["code"])
            for series in chart["series"]:
                for point in series["points"]:
                    assert total_of(client, point["url"]) == point["value"], (chart["code"], point)
    assert seen == {
        "reports.meetings.overdue_heatmap",
        "reports.meetings.by_kind",
        "reports.meetings.by_month",
        "reports.orgs.members_by_status",
    }


def test_heatmap_rows_are_the_branches_and_cells_count_overdue_meetings(lived, client_for):
    from reports.builtin import overdue_heatmap

    chart = overdue_heatmap(Period.parse("2022H1"), lived.root, lived.users.committee)
    points = chart.series[0].points
    assert {p.y for p in points} == {"机关第一党支部", "机关第二党支部"}
    assert [p.label for p in points if p.y == "机关第二党支部"] == [f"{m}月" for m in range(1, 7)]
    by = {(p.y, p.label): p.value for p in points}
    # Branch 2 held nothing: every month a 主题党日, at the quarters' ends also a 党员大会 and a 党课.
    assert [by[("机关第二党支部", f"{m}月")] for m in range(1, 7)] == [1, 1, 3, 1, 1, 3]
    # Branch 1 held everything in the first quarter, nothing after.
    assert [by[("机关第一党支部", f"{m}月")] for m in range(1, 7)] == [0, 0, 0, 3, 3, 5]


def test_alerts_name_lagging_branches_and_expired_terms(lived, client_for):
    b = lived
    b.b2.term_start = D(2018, 3, 1)  # 3-year term: expired in 2021
    b.b2.save(update_fields=["term_start"])
    client = client_for(b.users.committee)
    html = client.get(reverse("reports:dashboard_alerts"), {"period": "2022H1"}).content.decode()
    alerts = re.findall(r'<a class="me-auto" href="([^"]+)" data-count="(\d+)">([^<]+)</a>', html)
    texts = {unescape(t): (unescape(u), int(n)) for u, n, t in alerts}
    lagging = next(t for t in texts if "组织生活未按期落实" in t)
    assert "机关第一党支部（11项）、机关第二党支部（10项）" in lagging
    expired = next(t for t in texts if "任期已届满" in t)
    assert expired.startswith("机关第二党支部")
    for url, count in texts.values():
        assert total_of(client, url) == count
    assert total_of(client, texts[lagging][0]) == 21


def test_branch_secretary_sees_only_their_branch(lived, client_for):
    b = lived
    client = client_for(b.users.sec1)
    frame = client.get(reverse("reports:dashboard"), {"period": "2022H1"}).content.decode()
    assert "驾驶舱 · 机关第一党支部" in frame
    assert f'value="{b.root.pk}"' not in frame and f'value="{b.b2.pk}"' not in frame  # scope picker
    for area in selectors.dashboard_areas():
        html = client.get(area_url(area, period="2022H1")).content.decode()
        assert "机关第二党支部" not in html and "测试局机关党委" not in html
        for href, *_rest in CARD.findall(html):
            assert f"org={b.b1.pk}" in unescape(href) or "org=" not in href, href
    people = client.get(area_url("组织与人员", period="2022H1")).content.decode()
    card = {code: int(value) for _h, _i, code, value, *_r in CARD.findall(people)}
    assert card["orgs.people.members"] == 4  # 张三 李四 孙书记 and 钱七 (in the cell); not 王五 周书记
    alerts = client.get(reverse("reports:dashboard_alerts"), {"period": "2022H1"}).content.decode()
    assert "机关第二党支部" not in alerts and "机关第一党支部有11项组织生活未按期落实" in alerts
    for org in (b.root, b.b2):
        assert client.get(reverse("reports:dashboard"), {"org": org.pk}).status_code == 404
        assert client.get(area_url("组织生活", org=org.pk)).status_code == 404


def test_period_picker_and_errors(lived, client_for):
    client = client_for(lived.users.committee)
    url = reverse("reports:dashboard")
    for params, label in (
        ({"period": "2022"}, "2022年"),
        ({"period": "2022Q3"}, "2022年第三季度"),
        ({"period": "2022-05"}, "2022年5月"),
        ({"start": "2022-03-01", "end": "2022-05-20"}, "2022年3月1日至2022年5月20日"),
    ):
        html = client.get(url, params).content.decode()
        assert f'<strong id="period-label">{label}</strong>' in html, params
    html = client.get(url, {"period": "2022H3"}).content.decode()
    assert 'id="period-error"' in html and "无法识别的期间" in html
    html = client.get(url, {"period": "2022", "year": "2021"}).content.decode()
    assert 'data-period="2021H1"' in html and 'data-period="2021"' in html  # presets of the chosen year


def test_queries_do_not_grow_with_the_data(lived, hold, client_for):
    b = lived
    client = client_for(b.users.committee)
    urls = [reverse("reports:dashboard") + "?period=2022H1", reverse("reports:dashboard_alerts") + "?period=2022H1"]
    urls += [area_url(a, period="2022H1") for a in selectors.dashboard_areas()]

    def counts():
        result = []
        for url in urls:
            client.get(url)  # warm the per-process caches (rules, content types)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    before = counts()
    # Much more data: three more branches with people and a half year of meetings each.
    for i in range(3):
        org = org_services.organization_create(
            actor=None,
            data={
                "name": f"新增第{i}党支部",
                "code": f"TX{i}",
                "org_type": "branch",
                "parent": b.root,
                "established_on": D(2018, 1, 1),
                "term_start": D(2019 + i, 1, 1),
            },
        )
        for j in range(4):
            org_services.person_create(
                actor=None,
                data={
                    "name": f"党员{i}{j}",
                    "organization": org,
                    "party_status": "full",
                    "joined_party_on": D(2010, 1, 1),
                },
            )
        for month in range(1, 7):
            hold(org, "theme_party_day", D(2022, month, 5))
            hold(org, "party_lecture", D(2022, month, 6), lecturer=b.sec1_person)
    after = counts()
    assert after == before, list(zip(urls, before, after, strict=True))
    assert max(after) < 150


def test_a_failing_registration_does_not_take_the_page_down(lived, client_for, monkeypatch, caplog):
    from core import stats
    from reports.content import build_content

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setitem(stats._STATS, "test.broken", stats.Statistic("test.broken", "坏指标", "组织生活", broken))
    monkeypatch.setitem(stats._ALERTS, "test.broken", broken)
    monkeypatch.setitem(
        stats._SECTIONS, "test.broken", stats.ReportSection("test.broken", "坏段落", 1, broken, chapter="team")
    )
    client = client_for(lived.users.committee)
    html = client.get(area_url("组织生活", period="2022H1")).content.decode()
    assert "坏指标" in html and "统计出错" in html and 'id="fig-meetingstopicparty_building"' in html
    assert client.get(reverse("reports:dashboard_alerts"), {"period": "2022H1"}).status_code == 200
    content = build_content(Period.parse("2022H1"), lived.root, None)
    text = [b["text"] for b in content["blocks"]]
    assert "【“坏段落”段落生成出错，已记录，请联系系统管理员或手工填写】" in text
    row = next(r for r in content["statistics"] if r["code"] == "test.broken")
    assert row["display"] == "—" and row["count"] is None
    assert "test.broken" in caplog.text and "boom" in caplog.text
