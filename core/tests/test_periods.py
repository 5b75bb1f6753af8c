import datetime

import pytest

from core.periods import Period, PeriodError

D = datetime.date


@pytest.mark.parametrize(
    "text,kind,start,end,label,code",
    [
        ("2022", "year", D(2022, 1, 1), D(2022, 12, 31), "2022年", "2022"),
        ("2022H1", "half", D(2022, 1, 1), D(2022, 6, 30), "2022年上半年", "2022H1"),
        ("2022h2", "half", D(2022, 7, 1), D(2022, 12, 31), "2022年下半年", "2022H2"),
        ("2022Q3", "quarter", D(2022, 7, 1), D(2022, 9, 30), "2022年第三季度", "2022Q3"),
        ("2022Q1", "quarter", D(2022, 1, 1), D(2022, 3, 31), "2022年第一季度", "2022Q1"),
        ("2022-05", "month", D(2022, 5, 1), D(2022, 5, 31), "2022年5月", "2022-05"),
        ("2024-2", "month", D(2024, 2, 1), D(2024, 2, 29), "2024年2月", "2024-02"),
        (
            "2022-01-01..2022-06-30",
            "custom",
            D(2022, 1, 1),
            D(2022, 6, 30),
            "2022年1月1日至2022年6月30日",
            "2022-01-01..2022-06-30",
        ),
        (" 2023 ", "year", D(2023, 1, 1), D(2023, 12, 31), "2023年", "2023"),
    ],
)
def test_parse(text, kind, start, end, label, code):
    p = Period.parse(text)
    assert (p.kind, p.start, p.end, p.label, p.code) == (kind, start, end, label, code)
    assert str(p) == code
    assert Period.parse(p.code) == p  # the code round-trips


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "无法识别的期间"),
        ("2022H3", "无法识别的期间"),
        ("2022Q5", "无法识别的期间"),
        ("22", "无法识别的期间"),
        ("2022-13", "月份无效"),
        ("2022-00", "月份无效"),
        ("2022-02-30..2022-03-01", "日期无效"),
        ("2022-06-30..2022-01-01", "结束日期不能早于开始日期"),
        ("上半年", "无法识别的期间"),
    ],
)
def test_parse_errors_are_chinese(text, message):
    with pytest.raises(PeriodError) as exc:
        Period.parse(text)
    assert message in str(exc.value)


def test_months_and_quarters():
    h1 = Period.parse("2022H1")
    assert [m.code for m in h1.months()] == ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06"]
    assert [q.code for q in h1.quarters()] == ["2022Q1", "2022Q2"]
    year = Period.parse("2022")
    assert len(year.months()) == 12 and [q.code for q in year.quarters()] == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    custom = Period.parse("2022-11-15..2023-02-01")
    assert [m.code for m in custom.months()] == ["2022-11", "2022-12", "2023-01", "2023-02"]
    assert [q.code for q in custom.quarters()] == ["2022Q4", "2023Q1"]
    assert Period.parse("2022-05").quarters() == [Period.parse("2022Q2")]


def test_containing_days_and_membership():
    day = D(2022, 8, 15)
    assert Period.containing("quarter", day).code == "2022Q3"
    assert Period.containing("half", day).code == "2022H2"
    assert Period.containing("month", day).code == "2022-08"
    assert Period.containing("year", day).code == "2022"
    assert Period.parse("2022H1").days == 181
    assert D(2022, 6, 30) in Period.parse("2022H1")
    assert D(2022, 7, 1) not in Period.parse("2022H1")
    with pytest.raises(PeriodError, match="未知期间类型"):
        Period.containing("week", day)
