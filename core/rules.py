"""Rules as data. Defaults come from shared/domain/RULES.md; administrators edit them per year.

`rule(code, year)` returns the value of the latest row with year_from <= year. The defaults are
seeded by a data migration (and re-seeded, without overwriting edits, by `seed_rules`).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

BASE_YEAR = 2018  # 《中国共产党支部工作条例（试行）》

S_BRANCH = "《中国共产党支部工作条例（试行）》(2018)"
S_ORGAN = "《中国共产党党和国家机关基层组织工作条例》(2019)"

# (code, name, category, value, unit, description, source)
DEFAULT_RULES: list[tuple[str, str, str, Any, str, str, str]] = [
    (
        "org.branch_min_full_members",
        "成立党支部的最少正式党员数",
        "组织设置",
        3,
        "人",
        "正式党员3人以上的应成立党支部；不足3人的可成立联合党支部",
        S_BRANCH,
    ),
    (
        "org.committee_min_full_members",
        "设立支部委员会的最少正式党员数",
        "组织设置",
        7,
        "人",
        "正式党员7人以上的党支部设立支部委员会，委员一般3至5人，最多不超过7人",
        S_BRANCH,
    ),
    (
        "org.general_branch_min_members",
        "成立党总支的党员数",
        "组织设置",
        50,
        "人",
        "党员50人以上、100人以下的，设立党的总支部委员会",
        S_ORGAN,
    ),
    (
        "org.committee_min_members",
        "成立机关党委的党员数",
        "组织设置",
        100,
        "人",
        "党员100人以上的，设立党的基层委员会",
        S_ORGAN,
    ),
    ("org.term_years.branch", "党支部任期", "换届", 3, "年", "党支部每届任期3年", S_BRANCH),
    ("org.term_years.joint_branch", "联合党支部任期", "换届", 3, "年", "联合党支部每届任期3年", S_BRANCH),
    ("org.term_years.general_branch", "党总支任期", "换届", 3, "年", "党总支每届任期3年", S_ORGAN),
    ("org.term_years.committee", "机关党委任期", "换届", 5, "年", "基层党委每届任期5年", S_ORGAN),
    (
        "org.term_warning_days",
        "换届提醒提前天数",
        "换届",
        90,
        "天",
        "任期届满前多少天开始提醒换届；提前或延期换届须经批准，一般不超过1年",
        S_BRANCH,
    ),
    (
        "org.affairs_staff_ratio",
        "专职党务工作人员比例",
        "组织设置",
        [0.01, 0.02],
        "",
        "专职党务工作人员一般按机关工作人员总数的1%至2%配备",
        S_ORGAN,
    ),
    (
        "meeting.freq.branch_general_meeting",
        "支部党员大会频次",
        "组织生活",
        {"period": "quarter", "min": 1},
        "次",
        "支部党员大会一般每季度召开1次；有表决权的党员到会超过半数方可召开",
        S_BRANCH,
    ),
    (
        "meeting.freq.branch_committee_meeting",
        "支委会频次",
        "组织生活",
        {"period": "month", "min": 1, "requires": "committee"},
        "次",
        "支部委员会会议一般每月召开1次；仅设支委会的党支部需召开",
        S_BRANCH,
    ),
    (
        "meeting.freq.cell_meeting",
        "党小组会频次",
        "组织生活",
        {"period": "month", "min": 1, "requires": "cells"},
        "次",
        "党小组会一般每月召开1次；仅设党小组的党支部需召开",
        S_BRANCH,
    ),
    (
        "meeting.freq.party_lecture",
        "党课频次",
        "组织生活",
        {"period": "quarter", "min": 1},
        "次",
        "条例未规定支部党课次数，默认每季度至少1次；党委（党组）书记每年至少讲1次党课；普通党员也可讲党课",
        S_BRANCH,
    ),
    (
        "meeting.freq.theme_party_day",
        "主题党日频次",
        "组织生活",
        {"period": "month", "min": 1},
        "次",
        "每月相对固定1天开展主题党日",
        S_BRANCH,
    ),
    (
        "meeting.freq.org_life_meeting",
        "组织生活会频次",
        "组织生活",
        {"period": "year", "min": 1},
        "次",
        "组织生活会一般每年召开1次，多在第四季度",
        S_BRANCH,
    ),
    (
        "meeting.freq.democratic_appraisal",
        "民主评议党员频次",
        "组织生活",
        {"period": "year", "min": 1},
        "次",
        "民主评议党员一般每年开展1次；优秀等次不超过正式党员的1/3",
        S_BRANCH,
    ),
    (
        "meeting.freq.heart_talk",
        "谈心谈话频次",
        "组织生活",
        {"period": "year", "min": 1},
        "次",
        "支部委员之间、支部委员和党员之间、党员和党员之间每年至少谈心谈话1次",
        S_BRANCH,
    ),
    (
        "meeting.freq.organ_member_assembly",
        "机关党员干部大会频次",
        "组织生活",
        {"period": "year", "min": 1},
        "次",
        "机关党委每年至少召开1次机关党员大会",
        S_ORGAN,
    ),
    (
        "meeting.quorum.branch_general_meeting",
        "支部党员大会法定人数",
        "组织生活",
        0.5,
        "比例",
        "有表决权的党员到会超过半数方可召开",
        S_BRANCH,
    ),
    (
        "meeting.quorum.branch_committee_meeting",
        "支委会法定人数",
        "组织生活",
        0.5,
        "比例",
        "支部委员到会超过半数方可召开",
        S_BRANCH,
    ),
    (
        "points.base",
        "党员积分基础分",
        "党员积分",
        60,
        "分",
        "按自然年度计算，基础分60分，年度清零",
        "市直机关党员量化积分办法（示例）",
    ),
    (
        "points.attend_meeting",
        "参加三会一课/组织生活加分",
        "党员积分",
        1,
        "分/次",
        "",
        "市直机关党员量化积分办法（示例）",
    ),
    ("points.training", "参加培训加分", "党员积分", 1, "分/次", "", "市直机关党员量化积分办法（示例）"),
    ("points.article", "发表文章加分", "党员积分", 3, "分/篇", "", "市直机关党员量化积分办法（示例）"),
    ("points.micro_lecture", "讲微党课加分", "党员积分", 3, "分/次", "", "市直机关党员量化积分办法（示例）"),
    ("points.outside_lecture", "外出授课加分", "党员积分", 5, "分/次", "", "市直机关党员量化积分办法（示例）"),
    ("points.unexcused_absence", "无故缺席扣分", "党员积分", -2, "分/次", "", "市直机关党员量化积分办法（示例）"),
    (
        "star.cutoffs",
        "评星定级分数线",
        "评星定级",
        {"5": 90, "4": 80, "3": 70, "2": 60},
        "分",
        "≥90分五星，80–89四星，70–79三星，60–69二星，<60一星",
        "邹城市评星定级办法",
    ),
    (
        "star.dimensions",
        "评星定级维度与权重",
        "评星定级",
        {"班子队伍": 20, "组织生活": 20, "制度机制": 20, "基础保障": 20, "作用发挥": 20},
        "分",
        "机关党支部“五个过硬”",
        "邹城市评星定级办法",
    ),
    ("star.quota_five", "五星支部比例上限", "评星定级", 0.3, "比例", "五星级党支部不超过30%", "济南市评星定级做法"),
    (
        "assessment.grade_cutoffs",
        "平时考核等次分数线",
        "平时考核",
        {"好": 90, "较好": 80, "一般": 60},
        "分",
        "≥90好，80–89较好，60–79一般，<60较差",
        "公务员平时考核办法（2019）实施细则示例",
    ),
    (
        "assessment.quota_excellent",
        "平时考核“好”等次比例上限",
        "平时考核",
        0.4,
        "比例",
        "“好”等次一般不超过40%",
        "公务员平时考核办法（2019）实施细则示例",
    ),
    (
        "assessment.annual_quota_excellent",
        "年度考核优秀比例上限",
        "平时考核",
        0.2,
        "比例",
        "优秀不超过20%，经批准可至25%",
        "公务员考核规定",
    ),
    (
        "demand.reply_working_days",
        "民生诉求办理时限",
        "民生诉求",
        5,
        "工作日",
        "5个工作日内办理答复",
        "山东省政务服务热线管理办法（2020）",
    ),
    (
        "demand.extension_max_working_days",
        "民生诉求延期上限",
        "民生诉求",
        10,
        "工作日",
        "复杂诉求可延期，不超过10个工作日",
        "山东省政务服务热线管理办法（2020）",
    ),
    (
        "demand.return_working_days",
        "民生诉求回退时限",
        "民生诉求",
        2,
        "工作日",
        "不属于本单位职责的，2个工作日内说明理由回退",
        "山东省政务服务热线管理办法（2020）",
    ),
    (
        "tracking.yellow_days_before",
        "临期黄色预警提前天数",
        "跟踪督办",
        3,
        "天",
        "截止日前若干天（含）标为黄色、发送临期提醒",
        "本平台默认",
    ),
    (
        "tracking.escalate_days_after",
        "逾期督办天数",
        "跟踪督办",
        3,
        "天",
        "逾期超过若干天发出督办单，通知上级党组织管理员",
        "本平台默认",
    ),
    (
        "handover.deadline_working_days",
        "工作交接时限",
        "跟踪督办",
        5,
        "工作日",
        "党务干部离任后须在规定工作日内完成交接（本平台默认）",
        "本平台默认",
    ),
]


def current_year() -> int:
    return timezone.localdate().year


def rule(code: str, year: int | None = None, default: Any = None) -> Any:
    """The value in force for `year` (default: this year)."""
    from core.models import Rule

    if year is None:
        year = current_year()
    if isinstance(year, datetime.date):
        year = year.year
    row = (
        Rule.objects.filter(code=code, year_from__lte=year)
        .order_by("-year_from")
        .values_list("value", flat=True)
        .first()
    )
    if row is None:
        if default is not None:
            return default
        raise KeyError(f"规则未定义：{code}")
    return row


def all_default_rules() -> list[tuple[str, str, str, Any, str, str, str]]:
    """core's defaults plus each installed app's `<app>.rule_defaults.DEFAULT_RULES`.

    An app that adds rules lists them in its own `rule_defaults` module and adds a data migration
    that calls `seed_rules` (idempotent), so no two apps edit the same list or migration."""
    import importlib

    from django.apps import apps

    rows = list(DEFAULT_RULES)
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.rule_defaults")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.rule_defaults":
                raise
            continue
        rows.extend(module.DEFAULT_RULES)
    return rows


def seed_rules(rule_model) -> int:
    """Insert default rules that are missing. Never overwrites an administrator's edit."""
    created = 0
    for code, name, category, value, unit, description, source in all_default_rules():
        _, was_created = rule_model.objects.get_or_create(
            code=code,
            year_from=BASE_YEAR,
            defaults={
                "name": name,
                "category": category,
                "value": value,
                "unit": unit,
                "description": description,
                "source": source,
            },
        )
        created += int(was_created)
    return created


# ---------------------------------------------------------------- editing (administrators)

RULE_UPDATED = "core.rule.updated"


def _register_actions() -> None:
    from core import audit

    audit.register_action(RULE_UPDATED, "修改规则")


_register_actions()

_DEFAULTS_CACHE: dict[str, tuple] = {}


def _defaults_by_code() -> dict[str, tuple]:
    if not _DEFAULTS_CACHE:
        _DEFAULTS_CACHE.update({row[0]: row for row in all_default_rules()})
    return _DEFAULTS_CACHE


_TYPE_LABELS = {int: "整数", float: "数值", dict: "键值表（JSON 对象）", list: "列表（JSON 数组）"}


def default_value(code: str) -> Any:
    """The RULES.md default for `code` (KeyError if the code is unknown)."""
    return _defaults_by_code()[code][3]


def value_kind(value: Any) -> type:
    """The type an edited value must have: int, float, dict or list (bool counts as int)."""
    if isinstance(value, int):  # bool is an int too
        return int
    if isinstance(value, float):
        return float
    if isinstance(value, dict):
        return dict
    if isinstance(value, list):
        return list
    return str


def expected_kind(code: str) -> type:
    from core.models import Rule

    if code in _defaults_by_code():
        return value_kind(default_value(code))
    row = Rule.objects.filter(code=code).order_by("year_from").first()
    if row is None:
        raise ValidationError(f"规则未定义：{code}")
    return value_kind(row.value)


def coerce_value(code: str, value: Any) -> Any:
    """Check (and normalise) a new value against the type of the rule's default.

    Accepts text as typed in the form ("5", "0.3", '{"5": 90}'); raises a Chinese ValidationError.
    """
    kind = expected_kind(code)
    label = _TYPE_LABELS.get(kind, "文本")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValidationError("请填写规则取值")
        try:
            if kind is int:
                value = int(text)
            elif kind is float:
                value = float(text)
            elif kind in (dict, list):
                value = json.loads(text)
            else:
                value = text
        except (ValueError, json.JSONDecodeError):
            raise ValidationError(f"取值格式不正确：应为{label}") from None
    if kind is float and value_kind(value) is int and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, bool) or value_kind(value) is not kind:
        raise ValidationError(f"取值类型不正确：应为{label}")
    if kind is float and value != value:  # NaN
        raise ValidationError("取值必须是有效数字")
    if kind is dict and not value:
        raise ValidationError("键值表不能为空")
    return value


def _ordered(value: Any, code: str = "") -> Any:
    """A dict in the key order of the rule's default (PostgreSQL's jsonb does not keep key order)."""
    if not isinstance(value, dict):
        return value
    default = _defaults_by_code().get(code, (None,) * 4)[3] if code else None
    order = list(default) if isinstance(default, dict) else []
    keys = [k for k in order if k in value] + sorted(k for k in value if k not in order)
    return {k: value[k] for k in keys}


def format_value(value: Any, code: str = "") -> str:
    """A value as an administrator reads it: 90、{"5": 90, "4": 80} -> 5：90；4：80."""
    value = _ordered(value, code)
    if isinstance(value, dict):
        return "；".join(f"{k}：{format_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(format_value(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def value_as_text(value: Any, code: str = "") -> str:
    """The value as it is typed into the edit form."""
    value = _ordered(value, code)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def rule_set_value(*, actor, code: str, year: int, value: Any, expected_version: int | None = None):
    """Set the value of rule `code` from `year` on.

    If a row with year_from == year exists it is changed; otherwise a new row with that year of
    effect is added (copying name, category, unit, description and source), so that earlier years
    keep the value that applied then. One audit entry either way.
    """
    from core import audit
    from core.concurrency import check_version
    from core.events import record_changed
    from core.models import Rule

    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "起始年度应为四位数年份"}) from None
    if not 1949 <= year <= 2100:
        raise ValidationError({"year": "起始年度应在1949年至2100年之间"})
    try:
        value = coerce_value(code, value)
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from None

    with transaction.atomic():
        rows = list(Rule.objects.select_for_update().filter(code=code).order_by("year_from"))
        if not rows:
            raise ValidationError(f"规则未定义：{code}")
        same = next((r for r in rows if r.year_from == year), None)
        if same is not None:
            check_version(same, expected_version)
            old = same.value
            if old == value:
                return same
            same.value = value
            same.version += 1
            same.save(update_fields=["value", "version", "updated_at"])
            changes = {"value": [old, value], "version": [same.version - 1, same.version]}
            row = same
        else:
            applying = [r for r in rows if r.year_from <= year]
            template = applying[-1] if applying else rows[0]
            old = template.value if applying else None
            row = Rule.objects.create(
                code=code,
                year_from=year,
                name=template.name,
                category=template.category,
                value=value,
                unit=template.unit,
                description=template.description,
                source=template.source,
            )
            changes = {"year_from": [None, year], "value": [old, value]}
        audit.record(
            actor=actor,
            action=RULE_UPDATED,
            obj=row,
            changes=changes,
            object_repr=f"{row.name}（{row.code}，{year}年起）",
        )
        record_changed(row)
    return row


def rules_by_category():
    """[(category, [(code, [rows newest first])])] for the administrator page: two queries at most."""
    from core.models import Rule

    grouped: dict[str, dict[str, list]] = {}
    for row in Rule.objects.order_by("category", "code", "-year_from"):
        grouped.setdefault(row.category or "其他", {}).setdefault(row.code, []).append(row)
    return [(cat, list(codes.items())) for cat, codes in grouped.items()]


class RuleSet:
    """All rules loaded with one query, for code that needs many lookups (lists, reports)."""

    def __init__(self, prefix: str = ""):
        from core.models import Rule

        rows = Rule.objects.all()
        if prefix:
            rows = rows.filter(code__startswith=prefix)
        self._rows: dict[str, list[tuple[int, Any]]] = {}
        for code, year_from, value in rows.order_by("code", "-year_from").values_list("code", "year_from", "value"):
            self._rows.setdefault(code, []).append((year_from, value))

    def all_values(self, prefix: str) -> list[Any]:
        """Every value, of every year, of the loaded rules whose code starts with `prefix`."""
        return [value for code, rows in self._rows.items() if code.startswith(prefix) for _year, value in rows]

    def get(self, code: str, year: int | datetime.date | None = None, default: Any = None) -> Any:
        if year is None:
            year = current_year()
        if isinstance(year, datetime.date):
            year = year.year
        for year_from, value in self._rows.get(code, []):
            if year_from <= year:
                return value
        if default is not None:
            return default
        raise KeyError(f"规则未定义：{code}")
