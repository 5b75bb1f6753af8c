"""Excel exports: the rating ledger (星级评定台账), the assessment results (平时考核结果) and the
year view (年度汇总). Each follows its page's filters; each export is audited."""

from __future__ import annotations

from assessment.inputs import display_value
from assessment.models import Grade, stars_label
from core import audit
from core.exporters import Column, ListExporter, register_exporter

audit.register_action("assessment.ratings.exported", "导出星级评定台账")
audit.register_action("assessment.records.exported", "导出平时考核结果")
audit.register_action("assessment.year.exported", "导出平时考核年度汇总")


def _num(value):
    return float(value) if value is not None else None


@register_exporter
class RatingExporter(ListExporter):
    code = "assessment.ratings"
    label = "星级评定台账"
    audit_action = "assessment.ratings.exported"
    columns = [
        Column("年度", 8),
        Column("党组织", 24),
        Column("评定进度", 10),
        Column("结果状态", 10),
        Column("自评总分", 10),
        Column("党委评分总分", 12),
        Column("分维度评分（党委）", 40),
        Column("预填数据", 50),
        Column("软弱涣散", 9),
        Column("一票否决事项", 24),
        Column("群众满意度（%）", 12),
        Column("按分数线星级", 12),
        Column("封顶原因", 30),
        Column("调整理由", 20),
        Column("评定星级", 10),
        Column("上年星级", 10),
        Column("变化", 10),
    ]

    def rows(self, queryset):
        for r in self.iterate(queryset.select_related("organization", "round")):
            published = r.round.is_published
            yield [
                r.year,
                r.organization.name,
                r.get_status_display(),
                r.round.get_status_display(),
                _num(r.self_total),
                _num(r.committee_total),
                "；".join(f"{k} {v}" for k, v in r.committee_scores.items()),
                "；".join(f"{row['label']} {display_value(row)}" for row in r.inputs),
                r.weak_lax,
                "、".join(r.vetoes),
                _num(r.satisfaction),
                stars_label(r.computed_stars) if r.computed_stars else "",
                r.cap_reasons,
                r.adjust_reason,
                stars_label(r.final_stars) if r.final_stars else "",
                stars_label(r.previous_stars) if r.previous_stars else "",
                r.change_label if published else "",
            ]


@register_exporter
class RecordExporter(ListExporter):
    code = "assessment.records"
    label = "平时考核结果"
    audit_action = "assessment.records.exported"
    columns = [
        Column("年度", 8),
        Column("季度", 8),
        Column("姓名", 10),
        Column("科室", 14),
        Column("职务", 20),
        Column("领导干部", 9),
        Column("个人小结", 40),
        Column("德", 7),
        Column("能", 7),
        Column("勤", 7),
        Column("绩", 7),
        Column("廉", 7),
        Column("总分", 8),
        Column("建议等次", 9),
        Column("审定等次", 9),
        Column("确定等次", 9),
        Column("调整理由", 20),
        Column("评价意见", 30),
        Column("状态", 10),
    ]

    def rows(self, queryset):
        for r in self.iterate(queryset.select_related("person", "department")):
            yield [
                r.year,
                f"第{r.quarter}季度",
                r.person.name,
                r.department.name if r.department_id else "局领导班子",
                r.job_title,
                r.is_leader,
                r.summary,
                *(_num(v) for _, v in r.scores),
                _num(r.total),
                r.get_proposed_grade_display(),
                r.get_grade_display(),
                r.get_final_grade_display(),
                r.grade_reason,
                r.comment,
                r.get_status_display(),
            ]


@register_exporter
class YearExporter(ListExporter):
    code = "assessment.year"
    label = "平时考核年度汇总"
    audit_action = "assessment.year.exported"
    columns = [
        Column("姓名", 10),
        Column("科室", 14),
        Column("职务", 20),
        Column("领导干部", 9),
        Column("第一季度", 10),
        Column("第二季度", 10),
        Column("第三季度", 10),
        Column("第四季度", 10),
        Column("“好”次数", 9),
        Column("年度考核衔接", 24),
        Column("说明", 36),
    ]

    def rows(self, queryset):
        # `queryset` is the list of year-view rows (assessment.year.year_rows).
        for row in queryset:
            quarters = [
                (Grade(r.final_grade).label if r.final_grade else r.get_status_display()) if r else "—"
                for r in row["quarters"]
            ]
            yield [
                row["person"].name,
                row["department"].name if row["department"] else "局领导班子",
                row["job_title"],
                row["is_leader"],
                *quarters,
                row["outcome"].excellent,
                row["outcome"].label,
                row["outcome"].reason,
            ]
