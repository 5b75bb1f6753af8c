import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.audit import entries_for
from core.models import AuditEntry, Rule
from core.rules import all_default_rules, rule, rule_set_value

pytestmark = pytest.mark.django_db


def test_defaults_are_seeded():
    codes = set(Rule.objects.values_list("code", flat=True))
    assert codes == {row[0] for row in all_default_rules()}
    assert rule("tracking.yellow_days_before", 2022) == 3
    assert rule("star.cutoffs", 2022) == {"5": 90, "4": 80, "3": 70, "2": 60}
    with pytest.raises(KeyError, match="规则未定义"):
        rule("no.such.rule", 2022)
    assert rule("no.such.rule", 2022, default=7) == 7


def test_new_year_of_effect_keeps_history(bureau):
    admin = bureau.users.committee
    row = rule_set_value(actor=admin, code="points.base", year=2024, value="70")
    assert row.year_from == 2024 and row.value == 70
    assert Rule.objects.filter(code="points.base").count() == 2
    old = Rule.objects.get(code="points.base", year_from=2018)
    assert old.value == 60  # the earlier row is untouched
    assert (row.name, row.category, row.unit, row.source) == (old.name, old.category, old.unit, old.source)
    assert rule("points.base", 2023) == 60
    assert rule("points.base", 2024) == 70
    assert rule("points.base", 2030) == 70
    entry = entries_for(row).get()
    assert entry.action == "core.rule.updated"
    assert entry.actor == admin
    assert entry.changes["value"] == [60, 70]
    assert entry.changes["year_from"] == [None, 2024]


def test_same_year_updates_the_row(bureau):
    admin = bureau.users.admin
    rule_set_value(actor=admin, code="points.base", year=2024, value=70)
    row = rule_set_value(actor=admin, code="points.base", year=2024, value=75)
    assert Rule.objects.filter(code="points.base").count() == 2
    assert row.value == 75 and row.version == 2
    assert rule("points.base", 2025) == 75
    assert AuditEntry.objects.filter(action="core.rule.updated").count() == 2
    # Unchanged value: nothing written.
    rule_set_value(actor=admin, code="points.base", year=2024, value=75)
    assert AuditEntry.objects.filter(action="core.rule.updated").count() == 2


def test_a_later_row_still_applies_after_it(bureau):
    admin = bureau.users.admin
    rule_set_value(actor=admin, code="points.base", year=2025, value=80)
    rule_set_value(actor=admin, code="points.base", year=2022, value=65)
    assert [rule("points.base", y) for y in (2021, 2022, 2024, 2025)] == [60, 65, 65, 80]


@pytest.mark.parametrize(
    "code,value,ok",
    [
        ("points.base", "71", 71),
        ("points.base", 71, 71),
        ("star.quota_five", "0.25", 0.25),
        ("star.quota_five", 1, 1.0),
        ("star.cutoffs", '{"5": 95, "4": 85, "3": 70, "2": 60}', {"5": 95, "4": 85, "3": 70, "2": 60}),
        ("org.affairs_staff_ratio", "[0.01, 0.03]", [0.01, 0.03]),
    ],
)
def test_value_types_accepted(bureau, code, value, ok):
    row = rule_set_value(actor=bureau.users.admin, code=code, year=2026, value=value)
    assert row.value == ok
    assert rule(code, 2026) == ok


@pytest.mark.parametrize(
    "code,value,message",
    [
        ("points.base", "7.5", "应为整数"),
        ("points.base", "abc", "应为整数"),
        ("points.base", True, "应为整数"),
        ("points.base", "", "请填写规则取值"),
        ("star.quota_five", "三成", "应为数值"),
        ("star.cutoffs", "[90, 80]", "应为键值表"),
        ("star.cutoffs", "{bad json", "应为键值表"),
        ("org.affairs_staff_ratio", '{"a": 1}', "应为列表"),
    ],
)
def test_value_type_refused(bureau, code, value, message):
    before = list(Rule.objects.filter(code=code).values_list("year_from", "value"))
    with pytest.raises(ValidationError) as exc:
        rule_set_value(actor=bureau.users.admin, code=code, year=2026, value=value)
    assert message in " ".join(exc.value.messages)
    assert list(Rule.objects.filter(code=code).values_list("year_from", "value")) == before
    assert not AuditEntry.objects.filter(action="core.rule.updated").exists()


def test_bad_year_and_unknown_code(bureau):
    with pytest.raises(ValidationError, match="起始年度"):
        rule_set_value(actor=bureau.users.admin, code="points.base", year=1800, value=1)
    with pytest.raises(ValidationError, match="规则未定义"):
        rule_set_value(actor=bureau.users.admin, code="nope", year=2026, value=1)


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize(
    "who,status", [("admin", 200), ("committee", 200), ("sec1", 403), ("leader", 403), ("member", 403), ("nobody", 403)]
)
def test_rule_pages_permissions(bureau, client_for, who, status):
    c = client_for(getattr(bureau.users, who))
    assert c.get(reverse("core:rule_list")).status_code == status
    assert c.get(reverse("core:rule_edit", args=["points.base"])).status_code == status
    r = c.post(reverse("core:rule_edit", args=["points.base"]), {"year": 2026, "value": "99"})
    assert r.status_code in ((302,) if status == 200 else (403,))
    assert rule("points.base", 2026) == (99 if status == 200 else 60)


def test_rule_list_grouped_with_source(bureau, client_for):
    r = client_for(bureau.users.committee).get(reverse("core:rule_list"))
    html = r.content.decode()
    for text in (
        "组织生活",
        "党员积分",
        "跟踪督办",
        "《中国共产党支部工作条例（试行）》(2018)",
        "2018年起",
        "党员积分基础分",
    ):
        assert text in html
    assert "5：90；4：80；3：70；2：60" in html  # dict values readable, in the default's key order
    assert "班子队伍：20；组织生活：20；制度机制：20；基础保障：20；作用发挥：20" in html


def test_rule_edit_page_saves_and_shows_errors(bureau, client_for):
    c = client_for(bureau.users.committee)
    url = reverse("core:rule_edit", args=["points.base"])
    r = c.get(url)
    assert 'value="60"' in r.content.decode()
    r = c.post(url, {"year": 2026, "value": "六十"})
    assert r.status_code == 200
    assert "取值格式不正确：应为整数" in r.content.decode()
    assert Rule.objects.filter(code="points.base").count() == 1
    r = c.post(url, {"year": 2026, "value": "65"})
    assert r.status_code == 302
    assert rule("points.base", 2026) == 65 and rule("points.base", 2025) == 60
    assert c.get(reverse("core:rule_edit", args=["no.such"])).status_code == 404


def test_nav_entries_for_admins_only(bureau, client_for):
    html = client_for(bureau.users.committee).get(reverse("core:home")).content.decode()
    for label in ("规则配置", "审计日志", "回收站"):
        assert label in html
    html = client_for(bureau.users.sec1).get(reverse("core:home")).content.decode()
    for label in ("规则配置", "审计日志", "回收站"):
        assert label not in html
