"""Chinese resident ID number (GB 11643-1999) validation."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id_number(value: str | None) -> str:
    return (value or "").strip().upper().replace(" ", "")


def birth_date_from_id(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


def validate_id_number(value: str) -> str:
    """Returns the normalized number or raises ValidationError with a Chinese message."""
    value = normalize_id_number(value)
    if not _PATTERN.match(value):
        raise ValidationError("身份证号应为18位，前17位为数字，最后一位为数字或X")
    birth = birth_date_from_id(value)
    if birth is None:
        raise ValidationError("身份证号中的出生日期无效")
    if birth > timezone.localdate() or birth.year < 1900:
        raise ValidationError("身份证号中的出生日期不合理")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位错误，请核对")
    return value


def gender_from_id(value: str) -> str:
    return "M" if int(value[16]) % 2 == 1 else "F"
