"""Permission-matrix rows for points (collected by tests/test_permission_matrix.py).

A member sees only their own points (their page, their entries); a branch secretary sees and
enters for their branch's members only; the committee approves; read roles read; the 公示 is
for everyone under the committee."""

from __future__ import annotations

import datetime

from meetings import services as meeting_services
from points import services
from points.models import PointEntry
from tests.matrix import ADMINS, READ, expect, only

WRITE = {"admin", "committee", "sec1", "sec2"}
NO = frozenset({"sec1", "sec2", "member", "nobody"})  # the committee's rounds are outside a branch's scope
ROUND_ACTION = expect(302, {NO: 404, frozenset({"discipline", "leader"}): 403})

MATRIX = [
    ("points:mine", "get", {}, {}, expect(404, {frozenset({"sec1", "sec2", "member"}): 200})),
    ("points:rules", "get", {}, {}, expect(200)),
    (
        "points:person_points",
        "get",
        {"pk": "zhang"},
        {},
        expect(200, {frozenset({"sec2", "nobody"}): 404, "member": 302}),  # the member's own → 我的积分
    ),
    (
        "points:person_points",
        "get",
        {"pk": "wang"},
        {},
        expect(200, {frozenset({"sec1", "member", "nobody"}): 404}),
    ),
    ("points:ranking", "get", {}, {}, only(READ, 200, 403)),
    (
        "points:ranking",
        "get",
        {},
        {"org": "b2", "period": "2022H1"},
        expect(200, {"sec1": 404, frozenset({"member", "nobody"}): 403}),
    ),
    ("points:ranking_export", "get", {}, {}, only(READ, 200, 403)),
    ("points:group_ranking", "get", {}, {}, only(READ, 200, 403)),
    ("points:group_ranking", "get", {}, {"by": "department", "period": "2022"}, only(READ, 200, 403)),
    ("points:group_ranking_export", "get", {}, {"by": "department"}, only(READ, 200, 403)),
    ("points:entry_list", "get", {}, {}, only(READ, 200, 403)),
    ("points:entry_list", "get", {}, {"org": "b2"}, expect(200, {"sec1": 404, frozenset({"member", "nobody"}): 403})),
    ("points:entry_create", "get", {}, {}, only(WRITE, 200, 403)),
    (
        "points:entry_create",
        "get",
        {},
        {"person": "zhang"},
        expect(403, {frozenset({"admin", "committee", "sec1"}): 200, "sec2": 404}),
    ),
    ("points:review_queue", "get", {}, {}, only(WRITE, 200, 403)),
    ("points:entry_detail", "get", {"pk": "pt_pending"}, {}, expect(200, {frozenset({"sec2", "nobody"}): 404})),
    ("points:entry_detail", "get", {"pk": "pt_wang"}, {}, expect(200, {frozenset({"sec1", "member", "nobody"}): 404})),
    (
        "points:entry_approve",
        "post",
        {"pk": "pt_pending"},
        {},
        expect(403, {frozenset(ADMINS): 302, frozenset({"sec2", "nobody"}): 404}),
    ),
    (
        "points:entry_reject",
        "post",
        {"pk": "pt_pending"},
        {"reason": "理由不充分"},
        expect(403, {frozenset(ADMINS): 302, frozenset({"sec2", "nobody"}): 404}),
    ),
    (
        "points:entry_withdraw",
        "post",
        {"pk": "pt_pending"},
        {},
        expect(403, {frozenset({"admin", "committee", "sec1"}): 302, frozenset({"sec2", "nobody"}): 404}),
    ),
    ("points:round_list", "get", {}, {}, only(READ, 200, 403)),
    ("points:round_create", "get", {}, {}, only(ADMINS, 200, 403)),
    ("points:round_detail", "get", {"pk": "round"}, {}, expect(200, {NO: 404})),
    ("points:round_nominate", "post", {"pk": "round"}, {}, ROUND_ACTION),
    (
        "points:nomination_add",
        "get",
        {"pk": "round"},
        {},
        expect(200, {NO: 404, frozenset({"discipline", "leader"}): 403}),
    ),
    (
        "points:nomination_edit",
        "get",
        {"pk": "nomination"},
        {},
        expect(200, {NO: 404, frozenset({"discipline", "leader"}): 403}),
    ),
    ("points:nomination_remove", "post", {"pk": "nomination"}, {}, ROUND_ACTION),
    ("points:nomination_revoke", "post", {"pk": "notice_nomination"}, {"reason": "群众反映情况属实"}, ROUND_ACTION),
    (
        "points:round_decide",
        "post",
        {"pk": "round"},
        {"selected": "nomination", "decided_on": "2022-07-01", "decision_note": "机关党委会议研究决定"},
        ROUND_ACTION,
    ),
    (
        "points:round_publish",
        "post",
        {"pk": "round"},
        {"notice_start": "2022-07-04"},
        expect(400, {NO: 404, frozenset({"discipline", "leader"}): 403}),  # not decided yet: the form says why
    ),
    ("points:round_complete", "post", {"pk": "notice_round"}, {"completed_on": "2022-07-15"}, ROUND_ACTION),
    ("points:notice_list", "get", {}, {}, expect(200)),
    ("points:notice_detail", "get", {"pk": "notice_round"}, {}, expect(200, {"nobody": 404})),
    ("points:vanguard_list", "get", {}, {}, only(READ, 200, 403)),
]


def world(bureau) -> dict:
    b = bureau
    D = datetime.date
    R = meeting_services.AttendanceRow
    meeting_services.meeting_create(
        actor=None,
        data={"organization": b.b2, "kind": "theme_party_day", "held_on": D(2022, 3, 12), "topic": "主题党日"},
        attendance=[R(b.wang, "present"), R(b.sec2_person, "present")],
    )
    pending = services.manual_entry_create(
        actor=b.users.sec1, person=b.zhang, date=D(2022, 6, 1), reason="发表理论文章", points=3
    )
    rnd = services.round_create(actor=None, organization=b.root, year=2022, half=1, kind="member")
    nomination = services.nomination_add(actor=None, round=rnd, person=b.zhang, deeds="带头讲党课")
    services.nomination_update(actor=None, nomination=nomination, data={"appraisal_grade": "优秀"})
    notice = services.round_create(actor=None, organization=b.root, year=2022, half=2, kind="member")
    chosen = services.nomination_add(actor=None, round=notice, person=b.wang)
    services.nomination_update(actor=None, nomination=chosen, data={"appraisal_grade": "优秀"})
    services.round_decide(actor=None, round=notice, selected=[chosen.pk], decided_on=D(2022, 7, 1))
    services.round_publish(actor=None, round=notice, notice_start=D(2022, 7, 4))
    return {
        "pt_pending": pending.pk,
        "pt_wang": PointEntry.objects.filter(person=b.wang).values_list("pk", flat=True).first(),
        "round": rnd.pk,
        "nomination": nomination.pk,
        "notice_round": notice.pk,
        "notice_nomination": chosen.pk,
    }
