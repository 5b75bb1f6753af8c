"""Person pickers: a plain select for a few people, search for many; the endpoint is scoped."""

import pytest
from django.urls import reverse

from accounts.forms import UserCreateForm
from core import pickers
from orgs.models import Person

pytestmark = pytest.mark.django_db


def _form(user):
    from accounts.selectors import linkable_people

    return UserCreateForm(person_queryset=linkable_people(user))


def test_few_people_render_as_a_plain_select(bureau):
    html = str(_form(bureau.users.committee)["person"])
    assert "person-picker-search" not in html
    assert "李四" in html and "王五" in html


def test_many_people_render_a_search_box_and_only_the_current_value(bureau, monkeypatch):
    monkeypatch.setattr(pickers, "SEARCH_THRESHOLD", 2)
    form = _form(bureau.users.committee)
    html = str(form["person"])
    assert "person-picker-search" in html and 'data-picker-url="/pickers/person/?source=accounts.linkable"' in html
    assert "李四" not in html  # not listed until searched
    bound = UserCreateForm(
        data={"person": bureau.li.pk},
        person_queryset=form.fields["person"].queryset,
    )
    html = str(bound["person"])
    assert "李四" in html and "selected" in html and "王五" not in html


def test_options_endpoint_matches_pinyin_within_scope(bureau, client_for):
    url = reverse("core:person_options")
    client = client_for(bureau.users.committee)
    names = [r["text"] for r in client.get(url, {"source": "orgs.people", "q": "ls"}).json()["results"]]
    assert any(n.startswith("李四") for n in names)
    # 李四 is in branch 1: the secretary of branch 2 does not find them.
    other = client_for(bureau.users.sec2)
    assert other.get(url, {"source": "orgs.people", "q": "ls"}).json()["results"] == []
    assert other.get(url, {"source": "no.such.source", "q": ""}).json()["results"] == []
    # An account may only be linked to someone without one: 张三 has the member account.
    linkable = client.get(url, {"source": "accounts.linkable", "q": "张三"}).json()["results"]
    assert linkable == []
    assert Person.objects.filter(name="张三").exists()


def test_the_meeting_form_searches_within_the_meetings_organization(bureau, client_for, monkeypatch):
    monkeypatch.setattr(pickers, "SEARCH_THRESHOLD", 2)
    client = client_for(bureau.users.committee)
    page = client.get(reverse("meetings:meeting_create"), {"org": bureau.b1.pk, "kind": "party_lecture"})
    html = page.content.decode()
    assert (
        f"source=meetings.members&amp;org={bureau.b1.pk}" in html
        or f"source=meetings.members&org={bureau.b1.pk}" in html
    )
    assert (
        f"source=meetings.people&amp;org={bureau.b1.pk}" in html or f"source=meetings.people&org={bureau.b1.pk}" in html
    )
    url = reverse("core:person_options")
    # Within branch 1 only (王五 is in branch 2), members only for the lecturer (赵六 is not a member).
    found = [
        r["text"]
        for r in client.get(url, {"source": "meetings.people", "q": "", "org": bureau.b1.pk}).json()["results"]
    ]
    assert any(t.startswith("李四") for t in found) and not any(t.startswith("王五") for t in found)
    members = [
        r["text"]
        for r in client.get(url, {"source": "meetings.members", "q": "", "org": bureau.b2.pk}).json()["results"]
    ]
    assert any(t.startswith("王五") for t in members) and not any(t.startswith("赵六") for t in members)
    # The narrowing cannot widen the scope: branch 2's secretary finds nobody in branch 1.
    other = client_for(bureau.users.sec2)
    assert other.get(url, {"source": "meetings.people", "q": "", "org": bureau.b1.pk}).json()["results"] == []
    assert other.get(url, {"source": "meetings.people", "q": "", "org": "x"}).json()["results"] == []
