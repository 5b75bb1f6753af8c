"""A user with roles on several organizations switches the top bar's working scope."""

import pytest
from django.urls import reverse

from accounts.models import Role, RoleGrant

pytestmark = pytest.mark.django_db


def test_switch_between_granted_organizations(bureau, client_for):
    user = bureau.users.sec1
    RoleGrant.objects.create(user=user, role=Role.BRANCH_SECRETARY, organization=bureau.b2)
    c = client_for(user)
    home = c.get(reverse("core:home")).content.decode()
    assert 'id="scope-switch"' in home and "机关第一党支部</button>" in home
    r = c.post(reverse("core:switch_scope"), {"org": bureau.b2.pk, "next": "/orgs/people/"})
    assert r.status_code == 302 and r.url == "/orgs/people/"
    home = c.get(reverse("core:home")).content.decode()
    assert "机关第二党支部</button>" in home
    # The home figures follow the chosen organization: members of branch 2 only (王五, 周书记).
    assert f"org={bureau.b2.pk}" in home
    # An organization the user holds no role on cannot be chosen.
    assert c.post(reverse("core:switch_scope"), {"org": bureau.root.pk}).status_code == 404


def test_single_grant_shows_plain_label(bureau, client_for):
    home = client_for(bureau.users.sec2).get(reverse("core:home")).content.decode()
    assert 'id="scope-switch"' not in home and "机关第二党支部" in home


def test_member_home_shows_own_record_not_ledger_figures(bureau, client_for):
    home = client_for(bureau.users.member).get(reverse("core:home")).content.decode()
    assert 'id="my-record"' in home and "张三" in home
    assert "/orgs/people/?" not in home  # no figure linking to a ledger the member cannot open
    committee_home = client_for(bureau.users.committee).get(reverse("core:home")).content.decode()
    assert "/orgs/people/?" in committee_home
