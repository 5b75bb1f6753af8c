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
