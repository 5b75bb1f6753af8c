"""The pages end to end through the test client: a rating round from self-assessment to stars,
refusals shown to the user, a quarter from summary to confirmed grades; list query counts that do
not grow with the data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import periodic_services as ps
from assessment import services
from assessment.models import AssessmentRecord, BranchRating, RoundStatus, StarRatingRound
from assessment.tests.conftest import record_of, scores
from orgs import services as org_services

pytestmark = pytest.mark.django_db
D = datetime.date


def login(user) -> Client:
    """A separate client per user (the `client_for` fixture logs one shared client in again)."""
    client = Client()
    client.force_login(user)
    return client


def dims(prefix_values) -> dict:
    return {f"dim_{i}": v for i, v in enumerate(prefix_values)}


def test_rating_round_through_the_pages(bureau):
    b = bureau
    client = login(b.users.committee)
    response = client.post(reverse("assessment:round_create"), {"organization": b.root.pk, "year": 2022, "notes": ""})
    rnd = StarRatingRound.objects.get(year=2022)
    assert response.status_code == 302 and response.url == reverse("assessment:round_detail", args=[rnd.pk])
    rating = BranchRating.objects.get(round=rnd, organization=b.b1)

    sec = login(b.users.sec1)
    page = sec.get(reverse("assessment:rating_self_assess", args=[rating.pk])).content.decode()
    assert (
        "预填数据" in page and "组织生活出勤率" in page and "暂无数据（未启用）" in page or "问题整改按期完成率" in page
    )
    response = sec.post(
        reverse("assessment:rating_self_assess", args=[rating.pk]),
        {**dims([95, 92, 90, 88, 90]), "self_summary": "全年工作情况", "version": rating.version, "_submit": "1"},
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.status == "submitted" and str(rating.self_total) == "91.00"
    # The committee moves on and scores.
    client = login(b.users.committee)
    client.post(reverse("assessment:round_start_scoring", args=[rnd.pk]))
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.SCORING
    response = client.post(
        reverse("assessment:rating_score", args=[rating.pk]),
        {**dims([90, 90, 90, 90, "89.99"]), "weak_lax": "on", "version": rating.version, "committee_comment": "x"},
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert (rating.computed_stars, rating.final_stars) == (5, 2)
    page = client.get(reverse("assessment:rating_detail", args=[rating.pk])).content.decode()
    assert "软弱涣散党组织：最高评定二星" in page
    final = page[page.index('id="final-stars"') :][:400]
    assert "二星" in final and "★★<" in final


def test_refusals_are_shown_with_the_numbers(bureau, ratings, star_round):
    b = bureau
    services.star_round_start_scoring(actor=None, round=star_round)
    client = login(b.users.committee)
    # A score out of range stays on the form with the message next to the field.
    response = client.post(
        reverse("assessment:rating_score", args=[ratings[b.b1.pk].pk]), {**dims([120, 90, 90, 90, 90])}
    )
    assert response.status_code == 200 and "得分应在0至100分之间" in response.content.decode()
    for rating in ratings.values():
        services.star_rating_score(actor=None, rating=rating, scores=scores(95))
    response = client.post(reverse("assessment:round_publish", args=[star_round.pk]), follow=True)
    page = response.content.decode()
    assert "五星级党支部不得超过参评党支部的30%：本轮共2个党支部参评，最多可评定0个五星级，现有2个" in page
    star_round.refresh_from_db()
    assert star_round.status == RoundStatus.SCORING


def test_a_branch_does_not_see_others_before_publication(bureau, ratings, star_round):
    services.star_round_start_scoring(actor=None, round=star_round)
    services.star_rating_score(actor=None, rating=ratings[bureau.b1.pk], scores=scores(85))
    page = login(bureau.users.sec1).get(reverse("assessment:round_detail", args=[star_round.pk])).content.decode()
    assert "机关第一党支部" in page and "机关第二党支部" not in page
    assert "公示后可查看评定结果" in page


def test_quarter_through_the_pages(bureau, periodic_round):
    b = bureau
    record = record_of(periodic_round, b.zhang)
    member = login(b.users.member)
    response = member.post(
        reverse("assessment:record_summary", args=[record.pk]),
        {"summary": "本季度完成党建台账整理和宣传工作。", "version": record.version},
    )
    assert response.status_code == 302
    head = login(b.users.sec1)
    page = head.get(reverse("assessment:my_assessment")).content.decode()
    assert "待我评分" in page and "张三" in page
    record.refresh_from_db()
    response = head.post(
        reverse("assessment:record_score", args=[record.pk]),
        {"de": 95, "neng": 95, "qin": 95, "ji": 95, "lian": 95, "comment": "", "version": record.version},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.proposed_grade == "excellent" and record.scored_by == b.users.sec1
    # The member cannot score, even their own record.
    assert member.get(reverse("assessment:record_score", args=[record.pk])).status_code == 403


def test_confirmation_refusal_is_shown(bureau, periodic_round):
    for r in periodic_round.records.all():
        ps.assessment_summary_submit(actor=None, record=r, summary="本季度完成了岗位各项工作任务。", on_behalf=True)
        ps.assessment_record_score(
            actor=None, record=r, scores=dict.fromkeys(("de", "neng", "qin", "ji", "lian"), 95), as_committee=True
        )
    client = login(bureau.users.committee)
    client.post(reverse("assessment:assessment_round_review", args=[periodic_round.pk]))
    page = client.post(
        reverse("assessment:assessment_round_confirm", args=[periodic_round.pk]), follow=True
    ).content.decode()
    assert (
        "“好”等次不得超过参加考核人数的40%：本次共考核7人，最多可确定2人为“好”等次，现为7人，请调减5人后再确认。"
        in page
    )
    assert not AssessmentRecord.objects.exclude(final_grade="").exists()


# ---------------------------------------------------------------------- query counts


def grow(bureau, n: int):
    """n more branches (rated in the open rounds) and n more staff of the organ."""
    for i in range(n):
        org = org_services.organization_create(
            actor=None,
            data={"name": f"增补党支部{i}", "code": f"G{n}{i:03d}", "org_type": "branch", "parent": bureau.root},
        )
        org_services.person_create(
            actor=None,
            data={
                "name": f"增补{i}",
                "organization": org,
                "party_status": "non_member",
                "unit": bureau.organ,
                "department": bureau.office,
            },
        )


def build_rounds(bureau):
    rnd = services.star_round_open(actor=None, organization=bureau.root, year=2022, historical=True)
    for r in rnd.ratings.all():
        services.star_rating_score(actor=None, rating=r, scores=scores(75))
    services.star_round_publish(actor=None, round=rnd)
    items = services.standardization_items(2022)
    for r in rnd.ratings.select_related("organization"):
        services.standardization_update(
            actor=None, organization=r.organization, year=2022, rows=[(i, False, "") for i in items[:3]]
        )
    q = ps.assessment_round_open(actor=None, organization=bureau.root, unit=bureau.organ, year=2022, quarter=1)
    for r in q.records.all():
        ps.assessment_summary_submit(actor=None, record=r, summary="本季度完成了岗位各项工作任务。", on_behalf=True)
        ps.assessment_record_score(
            actor=None, record=r, scores=dict.fromkeys(("de", "neng", "qin", "ji", "lian"), 85), as_committee=True
        )
    ps.assessment_round_confirm(actor=None, round=ps.assessment_round_review(actor=None, round=q))
    return rnd, q


PAGES = [
    ("assessment:round_list", {}, ""),
    ("assessment:round_detail", {"pk": "star"}, ""),
    ("assessment:rating_list", {}, "?year=2022"),
    ("assessment:branch_history", {"org_pk": "b1"}, ""),
    ("assessment:standardization", {}, "?year=2022"),
    ("assessment:standardization", {}, "?year=2022&view=gaps"),
    ("assessment:assessment_round_list", {}, ""),
    ("assessment:assessment_round_detail", {"pk": "quarter"}, ""),
    ("assessment:record_list", {}, "?period=2022"),
    ("assessment:year_view", {}, "?year=2022"),
    ("assessment:my_assessment", {}, ""),
]


def count_queries(client, urls) -> dict[str, int]:
    result = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        result[url] = len(ctx.captured_queries)
    return result


def test_list_queries_do_not_grow_with_the_data(bureau):
    star, quarter = build_rounds(bureau)
    world = {"star": star.pk, "quarter": quarter.pk, "b1": bureau.b1.pk}
    urls = [reverse(name, kwargs={k: world[v] for k, v in kwargs.items()}) + query for name, kwargs, query in PAGES]
    # my_assessment needs a person: the secretary of branch 1 is on the organ's staff list.
    small = count_queries(login(bureau.users.sec1), urls[-1:]) | count_queries(login(bureau.users.committee), urls[:-1])
    StarRatingRound.objects.all().delete()
    AssessmentRecord.objects.all().delete()
    from assessment.models import AssessmentRound, StandardizationCheck

    AssessmentRound.objects.all().delete()
    StandardizationCheck.objects.all().delete()
    grow(bureau, 15)
    star, quarter = build_rounds(bureau)
    world = {"star": star.pk, "quarter": quarter.pk, "b1": bureau.b1.pk}
    urls = [reverse(name, kwargs={k: world[v] for k, v in kwargs.items()}) + query for name, kwargs, query in PAGES]
    large = count_queries(login(bureau.users.sec1), urls[-1:]) | count_queries(login(bureau.users.committee), urls[:-1])
    for (_url_s, n_small), (url_l, n_large) in zip(small.items(), large.items(), strict=True):
        assert n_large <= n_small, f"{url_l}: {n_small} queries with little data, {n_large} with more"
        assert n_large <= 40, f"{url_l}: {n_large} queries"
