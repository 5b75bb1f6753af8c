import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.periods import Period
from core.stats import registered_statistics
from orgs.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated(bureau):
    """Members joined in 2010 (fixture), except 王五 (March 2021) and 钱七 (September 2022);
    赵六 is a non-member without a join date, so he is on the roll in every period."""
    Person.all_objects.filter(pk=bureau.wang.pk).update(joined_party_on=datetime.date(2021, 3, 1))
    Person.all_objects.filter(pk=bureau.qian.pk).update(joined_party_on=datetime.date(2022, 9, 1))
    return bureau


def stats(*args) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def as_json(*args) -> dict[str, dict]:
    rows = json.loads(stats(*args, "--json"))
    assert all(set(r) == {"code", "label", "area", "value", "unit", "url"} for r in rows)
    assert [r["code"] for r in rows] == [s.code for s in registered_statistics()]
    return {r["code"]: r for r in rows}


# Counted by hand from the bureau fixture (conftest.py), not with the code under test.
EXPECTED = {
    ("2022H1", None): {"total": 6, "full": 5, "probationary": 0, "activist": 0, "non_member": 1, "members": 5},
    ("2022", None): {"total": 7, "full": 5, "probationary": 1, "activist": 0, "non_member": 1, "members": 6},
    ("2022", "T01"): {"total": 4, "full": 3, "probationary": 1, "activist": 0, "non_member": 0, "members": 4},
    ("2022-01-01..2022-06-30", "T02"): {
        "total": 3,
        "full": 2,
        "probationary": 0,
        "activist": 0,
        "non_member": 1,
        "members": 2,
    },
    ("2020Q4", None): {"total": 5, "full": 4, "probationary": 0, "activist": 0, "non_member": 1, "members": 4},
}


@pytest.mark.parametrize("period,org", list(EXPECTED))
def test_people_statistics_match_hand_counts(dated, period, org):
    args = ["--period", period] + (["--org", org] if org else [])
    rows = as_json(*args)
    for key, expected in EXPECTED[(period, org)].items():
        row = rows[f"orgs.people.{key}"]
        assert row["value"] == expected, (period, org, key)
        assert row["unit"] == "人" and row["area"] == "组织与人员"
        assert row["url"].startswith("/orgs/people/?")
    branches = rows["orgs.branches.count"]["value"]
    assert branches == (2 if org is None else 1)  # a branch counts itself


def test_text_output(dated):
    out = stats("--period", "2022H1")
    assert "期间：2022年上半年（2022-01-01 至 2022-06-30）" in out
    assert "党组织：测试局机关党委（T00）" in out  # default: the root organization
    assert "【组织与人员】" in out
    assert "党员总数（含预备党员）：5 人" in out
    assert "/orgs/people/?org=" in out
    assert f"共 {len(registered_statistics())} 项指标" in out
    out = stats("--period", "2022Q3", "--org", "T01")
    assert "期间：2022年第三季度" in out and "党组织：机关第一党支部（T01）" in out
    assert "预备党员人数：1 人" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["--period", "2022H3"], "无法识别的期间“2022H3”"),
        (["--period", "2022-13"], "月份无效"),
        (["--period", "2022-06-30..2022-01-01"], "结束日期不能早于开始日期"),
        (["--period", "2022", "--org", "NOPE"], "未找到编码为“NOPE”的党组织"),
    ],
)
def test_bad_input_is_a_chinese_error(dated, args, message):
    with pytest.raises(CommandError, match=message):
        stats(*args)


def test_no_organization_at_all(db):
    with pytest.raises(CommandError, match="系统中还没有党组织"):
        stats("--period", "2022")


@pytest.mark.parametrize("period,org_attr", [("2022H1", "root"), ("2022", "root"), ("2022", "b1"), ("2022Q4", "b2")])
def test_each_link_lands_on_a_list_with_the_same_total(dated, client_for, period, org_attr):
    user = dated.users.committee
    org = getattr(dated, org_attr)
    p = Period.parse(period)
    c = client_for(user)
    checked = 0
    for stat in registered_statistics():
        if not stat.code.startswith("orgs."):
            continue
        value = stat.compute(p, org, user)
        html = c.get(value.url).content.decode()
        marker = '<strong id="list-total">'
        assert marker in html, stat.code
        start = html.index(marker) + len(marker)
        total = int(html[start : html.index("<", start)].replace(",", ""))
        assert total == value.value, (stat.code, value.url)
        checked += 1
    assert checked >= 7
