"""The report-section registry: sections render paragraphs whose figures link to their records."""

import pytest

from core.periods import Period
from core.stats import build_report, registered_sections

pytestmark = pytest.mark.django_db


def test_orgs_overview_section(bureau, client_for):
    assert "orgs.overview" in [s.code for s in registered_sections()]
    report = dict((s.code, paras) for s, paras in build_report(Period.parse("2022"), bureau.root))
    (paragraph,) = report["orgs.overview"]
    # Counted by hand from the fixture: 2 branches; 张三 李四 王五 孙书记 周书记 full, 钱七 probationary.
    assert (
        paragraph.plain()
        == "截至2022年12月31日，测试局机关党委下设党支部2个，共有党员6名，其中正式党员5名、预备党员1名。"
    )
    client = client_for(bureau.users.committee)
    for key in ("members", "full", "probationary"):
        figure = paragraph.figures[key]
        page = client.get(figure.url).content.decode()
        assert f'<strong id="list-total">{figure.value}</strong>' in page, key


# ---------------------------------------------------------------- the registry's API (backwards compatible)


def test_stat_value_defaults_and_phrases():
    from core.stats import ReportParagraph, StatValue

    old_style = StatValue(3, "/x/")  # positional (value, url) as every area writes it
    assert (old_style.unit, old_style.exact, old_style.text) == ("个", True, "")
    assert old_style.display == "3" and old_style.countable
    assert StatValue(1234, "/x/", "人").display == "1,234"
    assert StatValue(95.5, "/x/", "%").display == "95.5" and not StatValue(95.0, "/x/", "%").countable
    assert not StatValue(4, "/x/", "人", exact=False).countable  # e.g. distinct lecturers → the lectures list
    assert not StatValue(71.3, "/x/", "分").countable and not StatValue(60.0, "/x/", "分").countable  # averages
    phrase = StatValue(1, "/ledger/?lecturer=7", "次", text="主要负责人以《七笔帐》为题讲授党课")
    assert phrase.display == "主要负责人以《七笔帐》为题讲授党课" and phrase.countable
    paragraph = ReportParagraph("5月，{lecture}；共{n}次。", {"lecture": phrase, "n": StatValue(2, "/y/")})
    assert paragraph.plain() == "5月，主要负责人以《七笔帐》为题讲授党课；共2次。"


def test_next_steps_registry_and_alert_topics(monkeypatch):
    from core import stats

    monkeypatch.setattr(stats, "_NEXT_STEPS", {})

    @stats.register_next_steps("b.second", "第二件事", order=20)
    def second(period, organization, user=None):
        return []

    @stats.register_next_steps("a.first", "第一件事", order=10)
    def first(period, organization, user=None):
        return [stats.ReportParagraph("做好{n}件事。", {"n": stats.StatValue(1, "/")})]

    assert [s.code for s in stats.registered_next_steps()] == ["a.first", "b.second"]
    assert stats.registered_next_steps()[0].title == "第一件事"
    assert set(stats.ALERT_TOPICS) == {"imbalance", "supervision", "responsibility"}


def test_unknown_chapter_is_refused():
    from core.stats import register_report_section

    with pytest.raises(ValueError):
        register_report_section("x.y", "X", chapter="nope")


def test_memo_shares_a_computation_within_one_page():
    from core.stats import memo_scope, memoized

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert memoized("k", compute) == 1 and memoized("k", compute) == 2  # outside a scope: no memo
    with memo_scope():
        assert memoized("k", compute) == 3 and memoized("k", compute) == 3
        with memo_scope():  # nested: the same memo
            assert memoized("k", compute) == 3
        assert memoized("other", compute) == 4
    with memo_scope():  # a new page starts empty
        assert memoized("k", compute) == 5
