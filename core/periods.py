"""One value type for 月/季度/半年/年度 and custom ranges, used by every statistic.

Written as `2022`, `2022H1`, `2022Q3`, `2022-05` or `2022-01-01..2022-06-30`.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

_RE_YEAR = re.compile(r"^(\d{4})$")
_RE_HALF = re.compile(r"^(\d{4})H([12])$", re.I)
_RE_QUARTER = re.compile(r"^(\d{4})Q([1-4])$", re.I)
_RE_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RE_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: str  # year | half | quarter | month | custom
    start: datetime.date
    end: datetime.date  # inclusive
    code: str

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip()
        if m := _RE_YEAR.match(text):
            y = int(m[1])
            return cls("year", datetime.date(y, 1, 1), datetime.date(y, 12, 31), text)
        if m := _RE_HALF.match(text):
            y, h = int(m[1]), int(m[2])
            start = datetime.date(y, 1 if h == 1 else 7, 1)
            end = datetime.date(y, 6, 30) if h == 1 else datetime.date(y, 12, 31)
            return cls("half", start, end, f"{y}H{h}")
        if m := _RE_QUARTER.match(text):
            y, q = int(m[1]), int(m[2])
            return cls.quarter(y, q)
        if m := _RE_MONTH.match(text):
            y, mo = int(m[1]), int(m[2])
            if not 1 <= mo <= 12:
                raise PeriodError(f"月份无效：{text}")
            return cls.month(y, mo)
        if m := _RE_RANGE.match(text):
            try:
                start = datetime.date.fromisoformat(m[1])
                end = datetime.date.fromisoformat(m[2])
            except ValueError as exc:
                raise PeriodError(f"日期无效：{text}") from exc
            if end < start:
                raise PeriodError("结束日期不能早于开始日期")
            return cls("custom", start, end, text)
        raise PeriodError(f"无法识别的期间“{text}”，应写作 2022、2022H1、2022Q3、2022-05 或 2022-01-01..2022-06-30")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls("month", datetime.date(year, month, 1), datetime.date(year, month, last), f"{year}-{month:02d}")

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        start = datetime.date(year, 3 * (q - 1) + 1, 1)
        end_month = 3 * q
        end = datetime.date(year, end_month, calendar.monthrange(year, end_month)[1])
        return cls("quarter", start, end, f"{year}Q{q}")

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> Period:
        if kind == "year":
            return cls.parse(str(day.year))
        if kind == "half":
            return cls.parse(f"{day.year}H{1 if day.month <= 6 else 2}")
        if kind == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == "month":
            return cls.month(day.year, day.month)
        raise PeriodError(f"未知期间类型：{kind}")

    @property
    def label(self) -> str:
        s = self.start
        if self.kind == "year":
            return f"{s.year}年"
        if self.kind == "half":
            return f"{s.year}年{'上半年' if s.month == 1 else '下半年'}"
        if self.kind == "quarter":
            return f"{s.year}年第{'一二三四'[(s.month - 1) // 3]}季度"
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        return f"{s.year}年{s.month}月{s.day}日至{self.end.year}年{self.end.month}月{self.end.day}日"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[Period]:
        result = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            result.append(Period.month(y, m))
            m += 1
            if m == 13:
                y, m = y + 1, 1
        return result

    def quarters(self) -> list[Period]:
        seen = []
        for mp in self.months():
            q = Period.containing("quarter", mp.start)
            if q not in seen:
                seen.append(q)
        return seen

    def query_params(self) -> str:
        return f"period={self.code}"

    def __str__(self) -> str:
        return self.code
