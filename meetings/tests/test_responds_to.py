"""A meeting answers an inspection's feedback (Meeting.responds_to): chosen on the meeting form,
shown on the record with a link, and on the inspection's page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from meetings.models import Meeting, TopicSubtype
from supervision import services as supervision_services
from supervision.selectors import inspection_for_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(bureau):
    return supervision_services.inspection_create(
        actor=bureau.users.committee,
        data={
            "name": "2022年第二轮党建督导检查",
            "organization": bureau.root,
            "inspector_body": "市直机关工委第二督导组",
            "methods": ["documents"],
            "start_on": datetime.date(2022, 4, 18),
            "feedback_on": datetime.date(2022, 5, 27),
        },
        targets=[bureau.root, bureau.b1],
    )


def _form_data(bureau, inspection, **extra):
    subtype = TopicSubtype.objects.get(code="rectification")
    data = {
        "_save": "1",
        "organization": bureau.root.pk,
        "kind": "topic_meeting",
        "subtype": subtype.pk,
        "held_on": "2022-06-15",
        "topic": "第二轮党建督导检查反馈问题整改工作专题会议",
        "participant_scope": "班子成员、馆团负责人",
        "responds_to_inspection": inspection.pk if inspection else "",
    }
    data.update(extra)
    return data


def test_meeting_form_links_and_unlinks_an_inspection(bureau, inspection, client_for):
    c = client_for(bureau.users.committee)
    form = c.get(reverse("meetings:meeting_create")).content.decode()
    assert 'name="responds_to_inspection"' in form and "2022年第二轮党建督导检查" in form
    response = c.post(reverse("meetings:meeting_create"), _form_data(bureau, inspection))
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert inspection_for_meeting(meeting) == inspection
    body = c.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert f'href="{inspection.get_absolute_url()}"' in body
    page = c.get(reverse("supervision:inspection_detail", args=[inspection.pk])).content.decode()
    assert "第二轮党建督导检查反馈问题整改工作专题会议" in page
    # Editing without changing the choice keeps it; choosing none removes it.
    edit = c.get(reverse("meetings:meeting_edit", args=[meeting.pk])).content.decode()
    assert f'<option value="{inspection.pk}" selected>' in edit
    meeting.refresh_from_db()
    response = c.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]),
        _form_data(bureau, None, version=meeting.version),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert inspection_for_meeting(meeting) is None and meeting.responds_to_id == ""


def test_only_visible_inspections_are_offered(bureau, inspection, client_for):
    form = client_for(bureau.users.sec2).get(reverse("meetings:meeting_create")).content.decode()
    assert "2022年第二轮党建督导检查" not in form  # branch 2 was not inspected
    response = client_for(bureau.users.sec2).post(
        reverse("meetings:meeting_create"),
        _form_data(bureau, inspection, organization=bureau.b2.pk, kind="theme_party_day", subtype=""),
    )
    assert response.status_code == 200 and Meeting.objects.count() == 0  # an invalid choice
