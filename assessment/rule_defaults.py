"""Rules of the star rating (评星定级) and the periodic assessment (平时考核) that core does not seed.

core.rules already seeds star.cutoffs, star.dimensions, star.quota_five, assessment.grade_cutoffs,
assessment.quota_excellent and assessment.annual_quota_excellent (RULES.md §3, §5). The rows below
complete the schemes; a data migration (0002_seed_rules) inserts them without overwriting edits.
Every value is editable per year on the rules page (规则配置) or by importing a scheme from Excel.
"""

from __future__ import annotations

from typing import Any

S_STAR = "邹城市、济南市评星定级做法（RULES.md §3）"
S_PERIODIC = "公务员平时考核办法（2019）实施细则示例（RULES.md §5）"
S_PLATFORM = "本平台默认"

DEFAULT_RULES: list[tuple[str, str, str, Any, str, str, str]] = [
    (
        "star.veto_items",
        "评星定级一票否决事项",
        "评星定级",
        {
            "支部班子成员发生严重违纪违法问题": 1,
            "意识形态工作出现重大失误": 1,
            "发生重大安全责任事故或群体性事件": 1,
            "未按期换届且无正当理由": 2,
        },
        "星（最高）",
        "触发任一事项的党支部，最高只能评定为该事项规定的星级（一票否决）",
        S_STAR,
    ),
    (
        "star.cap_weak_lax",
        "软弱涣散党组织星级上限",
        "评星定级",
        2,
        "星（最高）",
        "被确定为软弱涣散的党组织不得评定为三星级及以上",
        S_STAR,
    ),
    (
        "star.satisfaction_cap",
        "群众满意度封顶",
        "评星定级",
        {"below": 60, "max_stars": 2},
        "%／星",
        "录入群众满意度的，满意度低于 below（%）的党支部最高评定为 max_stars 星；未录入满意度的不适用",
        "邹城市评星定级办法",
    ),
    (
        "star.notice_working_days",
        "评星定级公示期",
        "评星定级",
        5,
        "工作日",
        "星级评定结果公示不少于5个工作日，公示期满无异议后定星",
        S_PLATFORM,
    ),
    (
        "star.inputs",
        "评星定级预填数据",
        "评星定级",
        [
            {"code": "meetings.obligations.owed", "label": "应落实组织生活（已到期）", "dimension": "组织生活"},
            {"code": "meetings.obligations.met", "label": "已落实组织生活", "dimension": "组织生活"},
            {"code": "meetings.attendance_rate", "label": "组织生活出勤率", "dimension": "组织生活"},
            {"code": "supervision.problems.on_time_rate", "label": "问题整改按期完成率", "dimension": "制度机制"},
            {"code": "points.average", "label": "党员平均积分", "dimension": "作用发挥"},
        ],
        "",
        "自评和评星时由系统按已登记的数据预填的指标（统计指标代码、名称、参考维度）；新的业务模块注册统计指标后，在此添加即可",
        S_PLATFORM,
    ),
    (
        "star.standardization_items",
        "支部标准化规范化建设检查项",
        "评星定级",
        [
            "组织设置规范：按规定设立支部委员会、党小组",
            "按期换届：支部委员会任期届满按期换届",
            "“三会一课”制度落实到位",
            "主题党日每月固定开展",
            "组织生活会、民主评议党员按年度开展",
            "党员教育学习有计划、有记录",
            "发展党员程序规范、档案完整",
            "党费按月足额收缴、台账清楚",
            "党员组织关系转接及时规范",
            "党员活动阵地建设达标",
            "会议记录、党员花名册等工作台账齐全",
            "制度上墙、党务公开规范",
        ],
        "项",
        "党支部标准化规范化建设的检查项目，每年逐支部核对是否达标",
        "海滨市党支部标准化规范化建设标准（示例）",
    ),
    (
        "assessment.dimensions",
        "平时考核维度与权重",
        "平时考核",
        {"德": 20, "能": 20, "勤": 20, "绩": 20, "廉": 20},
        "%",
        "科室负责人按德、能、勤、绩、廉逐项评分（每项0–100分），总分按权重加权；权重合计应为100",
        S_PERIODIC,
    ),
    (
        "assessment.annual_rule",
        "年度考核与平时考核衔接",
        "平时考核",
        {"excellent_min_share": 0.5, "excellent_forbidden": ["一般", "较差"], "review_poor_count": 2},
        "",
        "年度“优秀”须平时考核“好”等次不少于已考核季度的一半（excellent_min_share），且无“一般”“较差”；"
        "“较差”达到 review_poor_count 次的，年度考核研究确定为基本称职或不称职",
        S_PERIODIC,
    ),
]
