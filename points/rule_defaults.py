"""Points rules added by this area (RULES.md §4). core already seeds points.base, attend_meeting,
training, article, micro_lecture, outside_lecture and unexcused_absence."""

from __future__ import annotations

S_POINTS = "市直机关党员量化积分办法（示例）"
S_PLATFORM = "本平台默认"

# The meeting kinds whose attendance earns points.attend_meeting (三会一课 and 组织生活).
ATTENDANCE_KINDS = [
    "branch_general_meeting",
    "branch_committee_meeting",
    "cell_meeting",
    "party_lecture",
    "theme_party_day",
    "org_life_meeting",
    "democratic_appraisal",
    "organ_member_assembly",
]

# (code, name, category, value, unit, description, source)
DEFAULT_RULES = [
    (
        "points.lecture_given",
        "讲党课加分",
        "党员积分",
        3,
        "分/次",
        "在党组织的党课上担任授课人（含普通党员讲党课）每次加分；与出席加分分别计算",
        S_POINTS,
    ),
    ("points.floor", "党员积分最低分", "党员积分", 0, "分", "扣分后年度积分不低于此分数", S_POINTS),
    (
        "points.participating_statuses",
        "参加积分的政治面貌",
        "党员积分",
        ["full", "probationary"],
        "",
        "full 正式党员、probationary 预备党员；不在其中的人员不计积分（离退休、流动党员可按本单位办法另行规定）",
        S_POINTS,
    ),
    (
        "points.attendance_kinds",
        "计入出席加分的会议类型",
        "党员积分",
        ATTENDANCE_KINDS,
        "",
        "三会一课与组织生活：出席加分、无故缺席扣分，请假不加不扣；党组会议、中心组学习、例会等不计",
        S_POINTS,
    ),
    (
        "points.manual_max",
        "单次手工加减分上限",
        "党员积分",
        10,
        "分",
        "支部录入的单条加分或扣分的绝对值不超过此分数，须写明理由并经机关党委审核后生效",
        S_PLATFORM,
    ),
    (
        "points.bands",
        "积分分布分段",
        "党员积分",
        [60, 70, 80, 90],
        "分",
        "驾驶舱积分分布图的分段下限，如 60、70、80、90 分为 <60、60–69、70–79、80–89、≥90 五段",
        S_PLATFORM,
    ),
    (
        "points.vanguard.member_ratio",
        "党员先锋名额比例",
        "党员先锋",
        0.1,
        "比例",
        "每次评选的“党员先锋”一般不超过参评党员总数的10%",
        S_PLATFORM,
    ),
    (
        "points.vanguard.department_count",
        "党员先锋科室名额",
        "党员先锋",
        2,
        "个",
        "每次评选的“党员先锋科室”不超过此数",
        S_PLATFORM,
    ),
    (
        "points.vanguard.eligible_grades",
        "党员先锋须具备的民主评议等次",
        "党员先锋",
        ["优秀"],
        "",
        "积分只是评选依据之一，还须结合民主评议党员结果（优秀不超过正式党员的1/3）",
        "《中国共产党支部工作条例（试行）》；RULES §4",
    ),
    (
        "points.vanguard.department_criteria",
        "党员先锋科室基本条件",
        "党员先锋",
        {"min_members": 3, "min_average": 65},
        "",
        "min_members：参评党员不少于几人；min_average：科室党员平均积分不低于几分",
        S_PLATFORM,
    ),
    (
        "points.vanguard.notice_working_days",
        "先锋评选公示期",
        "党员先锋",
        5,
        "工作日",
        "评选结果公示不少于5个工作日，公示期满无异议后公布结果",
        S_PLATFORM,
    ),
]
