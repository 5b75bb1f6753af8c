"""The shared Excel mechanisms in core: the exporter registry, formula neutralisation, cell parsing."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from core.exporters import (
    ListExporter,
    exporter_for,
    neutralise,
    register_exporter,
    registered_exporters,
    unneutralise,
)
from core.importers import FieldError, ImportField, convert_value, parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+8613800000000", "'+8613800000000"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'quoted", "''quoted"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
        (datetime.date(2022, 6, 30), datetime.date(2022, 6, 30)),
        ("bad\x00char", "badchar"),
    ],
)
def test_neutralise_and_back(value, expected):
    assert neutralise(value) == expected
    if isinstance(value, str) and "\x00" not in value:
        assert unneutralise(neutralise(value)) == value


def test_unneutralise_leaves_ordinary_quotes():
    assert unneutralise("'abc") == "'abc"
    assert unneutralise("'") == "'"


def test_registry():
    assert exporter_for("orgs.people").__name__ == "PeopleExporter"
    assert exporter_for("orgs.organizations").__name__ == "OrganizationExporter"
    assert set(registered_exporters()) >= {"orgs.people", "orgs.organizations"}
    with pytest.raises(LookupError):
        exporter_for("nope.nothing")

    class Clash(ListExporter):
        code = "orgs.people"

    with pytest.raises(ValueError, match="already used"):
        register_exporter(Clash)
    assert exporter_for("orgs.people").__name__ == "PeopleExporter"


class NumbersExporter(ListExporter):
    code = "tests.numbers"
    label = "数字"
    columns = [("序号", 8), ("名称", 20), ("日期", 12), ("是否", 6)]

    def rows(self, queryset):
        for i in queryset:
            yield [i, f"=A{i}" if i % 2 else f"第{i}项", datetime.date(2022, 1, i), bool(i % 2)]


def test_list_exporter_writes_a_plain_workbook():
    exporter = NumbersExporter()
    buf = io.BytesIO()
    assert exporter.write(range(1, 4), buf) == 3
    ws = load_workbook(io.BytesIO(buf.getvalue()))["数字"]
    assert [c.value for c in ws[1]] == ["序号", "名称", "日期", "是否"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 20
    assert [c.value for c in ws[2]] == [1, "'=A1", datetime.datetime(2022, 1, 1), "是"]
    assert ws["B2"].data_type == "s"
    assert ws["B3"].value == "第2项"
    assert ws["C2"].number_format == "yyyy-mm-dd"


def test_list_exporter_refuses_short_rows():
    class Broken(NumbersExporter):
        def rows(self, queryset):
            yield [1]

    with pytest.raises(ValueError, match="1 values for 4 columns"):
        Broken().write([1], io.BytesIO())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-06-30", datetime.date(2022, 6, 30)),
        ("2022/6/3", datetime.date(2022, 6, 3)),
        ("2022.06.30", datetime.date(2022, 6, 30)),
        ("2022年6月30日", datetime.date(2022, 6, 30)),
        ("20220630", datetime.date(2022, 6, 30)),
        (20220630, datetime.date(2022, 6, 30)),
        ("2022-06-30 00:00:00", datetime.date(2022, 6, 30)),
        (datetime.datetime(2022, 6, 30), datetime.date(2022, 6, 30)),
        (44742, datetime.date(2022, 6, 30)),  # an Excel serial number
        (None, None),
        ("  ", None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2022-02-30", "2022年2月没有30日"),
        ("2022-13-01", "不是有效日期"),
        ("明天", "2022-06-30 的格式"),
        (-3, "不是有效的日期"),
    ],
)
def test_parse_date_errors(raw, message):
    with pytest.raises(FieldError, match=message):
        parse_date(raw)


def test_convert_value_kinds():
    yes_no = ImportField("flag", "标志", kind="bool")
    assert [convert_value(yes_no, v) for v in ("是", "否", None, "Y", 1, 0, True)] == [
        True,
        False,
        False,
        True,
        True,
        False,
        True,
    ]
    choice = ImportField("s", "状态", kind="choice", choices=[("full", "正式党员"), ("probationary", "预备党员")])
    assert convert_value(choice, " 正式党员 ") == "full"
    assert convert_value(choice, "probationary") == "probationary"
    with pytest.raises(FieldError, match="可选：正式党员、预备党员"):
        convert_value(choice, "党员")
    number = ImportField("n", "数", kind="int")
    assert convert_value(number, "15") == 15 and convert_value(number, 15.0) == 15
    text = ImportField("t", "文本", max_length=3)
    assert convert_value(text, " 一二 ") == "一二"
    with pytest.raises(FieldError, match="不能超过 3 个字"):
        convert_value(text, "一二三四")
    id_field = ImportField("id", "身份证号", text_only=True)
    with pytest.raises(FieldError, match="文本"):
        convert_value(id_field, 3.706021980010112e17)
    assert convert_value(ImportField("p", "电话"), 13800000000) == "13800000000"
    assert convert_value(ImportField("p", "电话"), "'=cmd") == "=cmd"
    future = ImportField("d", "日期", kind="date", past_only=True)
    with pytest.raises(FieldError, match="晚于今天"):
        convert_value(future, "2099-01-01")
