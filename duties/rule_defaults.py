"""Rules of the responsibility area (RULES.md §11), seeded by duties/migrations/0002_seed_rules."""

from __future__ import annotations

S_RISK = "RULES.md §11 廉政风险点防控清单（无全国统一分级标准，默认按权力类型分高、中、低三级）"

DEFAULT_RULES = [
    (
        "duties.risk.levels",
        "廉政风险等级",
        "廉政风险",
        ["高", "中", "低"],
        "",
        "廉政风险点和岗位风险点可选的风险等级，由高到低排列；也可改为“一级、二级、三级”（按后果严重程度）",
        S_RISK,
    ),
    (
        "duties.risk.level_guide",
        "廉政风险等级划分标准",
        "廉政风险",
        {
            "高": "涉及资金、采购、工程项目、“三重一大”事项",
            "中": "日常审批、检查、评审等一般性权力",
            "低": "对人、财、物控制较少的事项",
        },
        "",
        "填写风险等级时显示的说明；职责或流程调整后应重新评定等级",
        S_RISK,
    ),
]
