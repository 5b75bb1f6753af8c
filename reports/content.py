"""The work report as structured blocks, drafted from the registries in core.stats.

A report's content (stored in ReportDraft.content and each ReportVersion) is::

    {"format": 1, "organization": {...}, "period": {...}, "generated_at": "...",
     "blocks": [block, ...], "statistics": [stat, ...]}

and a block is::

    {"id": "s:meetings.topic_meetings:0", "kind": "paragraph", "label": "专题会议与组织生活",
     "text": "上半年共召开党建工作专题会{party_building}次……",   # what is shown and exported
     "generated": "上半年共召开党建工作专题会{party_building}次……",  # as drafted (None: added by hand)
     "figures": {"party_building": {"value": 2, "display": "2", "unit": "次",
                                    "url": "/meetings/ledger/?…", "count": 2}}}

Design (where the issue left the choice): paragraphs are stored as text with `{placeholders}`
for the figures, never as finished prose. The user edits the text around the placeholders, so a
figure keeps its link (and follows the data when the draft is refreshed) for as long as its
placeholder is in the text; deleting the placeholder and typing a number turns that figure into
plain text (a free-text override, per paragraph, by the user's own choice). `count` is the number
of records the figure's link lists (None where the link can only show the closest list).

Block kinds, in document order: title, opening, heading1 ("一、主要工作"), heading2 ("（一）…"),
lead (a chapter's narrative, offered for editing), paragraph (a registered section's statistic
paragraph), problem ("二、存在的问题", from the alerts), plan ("三、下一步打算"), free (added by the
user), signature (落款).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from string import Formatter

from django.utils import timezone

from core import stats
from core.periods import Period
from core.stats import (
    ALERT_TOPICS,
    CHAPTERS,
    StatValue,
    collect_alerts,
    memo_scope,
    registered_next_steps,
    registered_sections,
    registered_statistics,
)
from reports.safety import guarded, log_error

FORMAT = 1
CN_NUMBERS = "一二三四五六七八九十"
TODO_MARK = "【"  # a paragraph still containing "【…】" waits for the user's own words

# A chapter's narrative lead, offered for the user to edit (the seed's opening sentences).
CHAPTER_LEADS: dict[str, str] = {
    "organization": (
        "牢固树立“抓机关党建是本职、不抓机关党建是失职、抓不好机关党建是渎职”的理念，"
        "党委书记认真履行第一责任人职责，班子成员认真履行“一岗双责”。"
    ),
    "political": (
        "作为政治机关，始终把学习贯彻习近平新时代中国特色社会主义思想作为首要政治任务，"
        "持续推动党的创新理论武装走深走实。"
    ),
    "integration": "坚持党建工作与业务工作同部署、同谋划、同推进，推动机关党建与业务工作深度融合、同频共振。",
    "team": "树立担当实干用人导向，重视干部教育培养和日常管理，着力建设高素质干部队伍。",
}
PART_TITLES = {"main": "一、主要工作", "problems": "二、存在的问题", "plans": "三、下一步打算"}
NO_PROBLEMS = "【系统未发现需要列出的问题，请结合督导检查、述职评议等情况补充】"
NO_PLANS = "【请结合下一阶段重点任务补充工作打算】"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (enough for headings and 一是/二是)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    if n < 20:
        return "十" + CN_NUMBERS[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUMBERS[tens - 1] + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def date_cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def report_title(organization, period: Period) -> str:
    """E.g. 海滨市文化和旅游局机关党委2022年上半年党建工作情况报告."""
    return f"{organization.name}{period.label}党建工作情况报告"


def _since_words(period: Period) -> str:
    if period.kind == "year" or (period.kind == "half" and period.start.month == 1):
        return f"{period.start.year}年以来"
    return f"{period.label}"


def figure(value: StatValue) -> dict:
    """A StatValue as stored in a block."""
    return {
        "value": value.value,
        "display": value.display,
        "unit": value.unit,
        "url": value.url,
        "count": int(value.value) if value.countable else None,
    }


def text_figure(text: str, url: str, count: int | None) -> dict:
    """A linked phrase (e.g. an alert's sentence) used like a figure."""
    return {"value": count or 0, "display": text, "unit": "", "url": url, "count": count or None}


def placeholders(text: str) -> list[str]:
    return [name for _lit, name, _spec, _conv in Formatter().parse(text) if name is not None]


def block(block_id: str, kind: str, text: str, *, label: str = "", figures: dict | None = None, **extra) -> dict:
    figures = figures or {}
    used = set(placeholders(text))
    return {
        "id": block_id,
        "kind": kind,
        "label": label,
        "text": text,
        "generated": text,
        "figures": {k: v for k, v in figures.items() if k in used},
        **extra,
    }


def _paragraph_block(block_id, kind, paragraph, *, label, prefix: str = "", **extra) -> dict:
    text = prefix.replace("{", "{{").replace("}", "}}") + paragraph.text
    return block(
        block_id, kind, text, label=label, figures={k: figure(v) for k, v in paragraph.figures.items()}, **extra
    )


def statistics_rows(period: Period, organization, user=None) -> list[dict]:
    rows = []
    for stat in registered_statistics(user):
        value = guarded(f"统计指标 {stat.code}", lambda stat=stat: stat.compute(period, organization, user), None)
        if value is None:
            rows.append(
                {
                    "code": stat.code,
                    "label": stat.label,
                    "area": stat.area,
                    "value": None,
                    "display": "—",
                    "unit": stat.unit,
                    "url": "",
                    "count": None,
                }
            )
            continue
        rows.append(
            {
                "code": stat.code,
                "label": stat.label,
                "area": stat.area,
                **figure(value),
                "unit": stat.unit or value.unit,
            }
        )
    return rows


def build_content(
    period: Period,
    organization,
    user=None,
    *,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
    statistics: bool = True,
) -> dict:
    """Draft the whole report from the data in the user's scope (user None: everything)."""
    today = today or timezone.localdate()
    step = progress or (lambda _msg: None)
    with memo_scope():
        blocks: list[dict] = [
            block("title", "title", report_title(organization, period), label="标题"),
            block(
                "opening",
                "opening",
                f"{_since_words(period)}，{organization.name}坚持以党的政治建设为统领，紧扣“围绕中心、建设队伍、服务群众”"
                "核心任务，压紧压实管党治党政治责任，为各项工作有序推进、取得积极成效提供坚强的政治和组织保障。"
                f"现将{period.label}党建工作情况报告如下：",
                label="开头段",
            ),
            block("h1:main", "heading1", PART_TITLES["main"], label=PART_TITLES["main"]),
        ]

        step("主要工作（各领域统计段落）")
        by_chapter: dict[str, list[dict]] = {code: [] for code in CHAPTERS}
        for section in registered_sections():
            failed = stats.ReportParagraph(f"【“{section.title}”段落生成出错，已记录，请联系系统管理员或手工填写】", {})
            paragraphs = guarded(
                f"报告段落 {section.code}", lambda section=section: section.build(period, organization, user), [failed]
            )
            for i, paragraph in enumerate(paragraphs):
                label = section.title + (f"（第{i + 1}段）" if len(paragraphs) > 1 else "")
                by_chapter[section.chapter].append(
                    _paragraph_block(
                        f"s:{section.code}:{i}",
                        "paragraph",
                        paragraph,
                        label=label,
                        chapter=section.chapter,
                        section=section.code,
                    )
                )
        number = 0
        for code, (_order, title) in sorted(CHAPTERS.items(), key=lambda kv: kv[1][0]):
            if not by_chapter[code]:
                continue  # only chapters that have paragraphs, renumbered
            number += 1
            heading = f"（{cn_number(number)}）{title}"
            blocks.append(block(f"h2:{code}", "heading2", heading, label=heading, chapter=code))
            lead = CHAPTER_LEADS.get(code, "")
            if lead:
                blocks.append(block(f"lead:{code}", "lead", lead, label=f"{heading}·导语", chapter=code))
            blocks.extend(by_chapter[code])

        step("存在的问题（预警）")
        blocks.append(block("h1:problems", "heading1", PART_TITLES["problems"], label=PART_TITLES["problems"]))
        blocks.extend(problem_blocks(collect_alerts(period, organization, user, on_error=log_error)))

        step("下一步打算（计划与待办）")
        blocks.append(block("h1:plans", "heading1", PART_TITLES["plans"], label=PART_TITLES["plans"]))
        blocks.extend(plan_blocks(period, organization, user))
        blocks.append(block("signature", "signature", f"{organization.name}\n{date_cn(today)}", label="落款"))

        rows = []
        if statistics:
            step("附表（全部统计指标）")
            rows = statistics_rows(period, organization, user)
    return {
        "format": FORMAT,
        "organization": {"id": organization.pk, "name": organization.name, "code": organization.code},
        "period": {
            "code": period.code,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "blocks": blocks,
        "statistics": rows,
    }


def problem_blocks(alerts) -> list[dict]:
    """ "二、存在的问题": the alerts grouped by topic, one paragraph per topic ("一是……。")."""
    topics = list(ALERT_TOPICS)
    grouped: dict[str, list] = {}
    for alert in alerts:
        grouped.setdefault(alert.topic if alert.topic in ALERT_TOPICS else "", []).append(alert)
    order = [t for t in topics if t in grouped] + ([""] if "" in grouped else [])
    result = []
    for i, topic in enumerate(order, start=1):
        title = ALERT_TOPICS.get(topic, "其他需要关注的问题")
        figures = {}
        parts = []
        for j, alert in enumerate(grouped[topic], start=1):
            key = f"alert_{j}"
            figures[key] = text_figure(alert.text, alert.url, alert.count)
            parts.append("{" + key + "}")
        text = f"{cn_number(i)}是{title}。" + "；".join(parts) + "。"
        result.append(
            block(f"problem:{topic or 'other'}", "problem", text, label=f"存在的问题·{title}", figures=figures)
        )
    if not result:
        result.append(block("problem:none", "problem", NO_PROBLEMS, label="存在的问题"))
    return result


def plan_blocks(period: Period, organization, user=None) -> list[dict]:
    """ "三、下一步打算": each registered source with open plans/items gives "一是……。" paragraphs."""
    result = []
    number = 0
    for source in registered_next_steps():
        paragraphs = guarded(
            f"下一步打算 {source.code}", lambda source=source: source.build(period, organization, user), []
        )
        if not paragraphs:
            continue
        number += 1
        for i, paragraph in enumerate(paragraphs):
            prefix = f"{cn_number(number)}是{source.title}。" if i == 0 else ""
            result.append(
                _paragraph_block(
                    f"plan:{source.code}:{i}", "plan", paragraph, label=f"下一步打算·{source.title}", prefix=prefix
                )
            )
    if not result:
        result.append(block("plan:none", "plan", NO_PLANS, label="下一步打算"))
    return result


# ---------------------------------------------------------------- refreshing a draft from the data


def merge_refreshed(old: dict, new: dict) -> dict:
    """The freshly drafted content with the user's work kept: edited paragraphs keep their text
    (their placeholders now show the new figures; a figure no longer drafted keeps its old value),
    paragraphs added by hand stay after the block they followed."""
    old_blocks = {b["id"]: b for b in old.get("blocks", [])}
    merged = []
    for b in new["blocks"]:
        previous = old_blocks.get(b["id"])
        if previous is not None and previous["text"] != previous.get("generated"):
            figures = dict(previous.get("figures", {}))
            figures.update(b["figures"])
            used = set(placeholders(previous["text"]))
            b = {**b, "text": previous["text"], "figures": {k: v for k, v in figures.items() if k in used}}
        merged.append(b)
    # Hand-added blocks after the block they followed (or at the end).
    positions = {b["id"]: i for i, b in enumerate(merged)}
    insertions: dict[int, list[dict]] = {}
    anchor = None
    for b in old.get("blocks", []):
        if b["kind"] == "free":
            at = positions.get(anchor, len(merged) - 1) if anchor else len(merged) - 1
            insertions.setdefault(at, []).append(b)
        else:
            anchor = b["id"]
    result = []
    for i, b in enumerate(merged):
        result.append(b)
        result.extend(insertions.get(i, []))
    return {**new, "blocks": result}
