import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_render_for_committee(bureau, client_for):
    c = client_for(bureau.users.committee)
    for url in [
        reverse("core:home"),
        reverse("orgs:organization_list"),
        reverse("orgs:organization_detail", args=[bureau.b1.pk]),
        reverse("orgs:person_list"),
        reverse("orgs:person_detail", args=[bureau.zhang.pk]),
        reverse("orgs:person_edit", args=[bureau.zhang.pk]),
        reverse("orgs:organization_edit", args=[bureau.b1.pk]),
        reverse("orgs:department_list"),
        reverse("orgs:handover_list"),
        reverse("core:search") + "?q=zs",
    ]:
        r = c.get(url)
        assert r.status_code == 200, url
    r = c.get(reverse("core:search") + "?q=zs")
    assert "张三" in r.content.decode()
