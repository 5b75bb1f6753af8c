"""The year view of the periodic assessment: each person's four quarters and the annual grade
they imply (RULES.md §5), with the annual 优秀 quota (assessment.annual_quota_excellent).

Constant number of queries: the people of the page, their records, and one aggregate read of the
whole year's confirmed grades for the summary.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Q

from assessment.models import AssessmentRecord, Grade
from assessment.scheme import ANNUAL_LABELS, allowed_count, annual_outcome, percent
from assessment.selectors import records_visible
from core.rules import RuleSet
from orgs.models import Person

PAGE_SIZE = 50


def year_rows(user, year: int, *, department=None, page_number=None, paginate: bool = True) -> dict:
    rules = RuleSet()
    rule = rules.get("assessment.annual_rule", year, default={})
    quota = rules.get("assessment.annual_quota_excellent", year, default=0.2)
    records = records_visible(user).filter(year=year)
    if department is not None:
        records = records.filter(department=department)
    # The people of the year in one pass (ordered by their current department and name).
    ordered: list[int] = list(
        Person.all_objects.filter(pk__in=records.values("person_id"))
        .order_by("department__sort_order", "department_id", "-is_leader", "name", "pk")
        .values_list("pk", flat=True)
    )
    page = None
    if paginate:
        page = Paginator(ordered, PAGE_SIZE).get_page(page_number)
        shown = list(page.object_list)
    else:
        shown = ordered
    by_person: dict[int, dict[int, AssessmentRecord]] = defaultdict(dict)
    for r in records.filter(person_id__in=shown).select_related("person", "department"):
        by_person[r.person_id][r.quarter] = r
    rows = []
    for pid in shown:
        quarters = by_person.get(pid, {})
        any_record = next(iter(quarters.values()))
        outcome = annual_outcome([quarters[q].final_grade for q in sorted(quarters)], rule)
        rows.append(
            {
                "person": any_record.person,
                "department": any_record.department,
                "is_leader": any_record.is_leader,
                "job_title": any_record.job_title,
                "quarters": [quarters.get(q) for q in (1, 2, 3, 4)],
                "outcome": outcome,
            }
        )
    # The summary over everyone in scope (not only this page): grade counts per person, in the database.
    per_person = (
        records.exclude(final_grade="")
        .values("person_id")
        .annotate(**{g: Count("id", filter=Q(final_grade=g)) for g in Grade.values})
        .order_by()
    )
    grades: dict[int, list[str]] = {
        row["person_id"]: [g for g in Grade.values for _ in range(row[g])] for row in per_person
    }
    outcomes = Counter(annual_outcome(grades.get(pid, []), rule).code for pid in ordered)
    n = len(ordered)
    limit = allowed_count(n, quota)
    return {
        "page_obj": page,
        "rows": rows,
        "people": n,
        "outcome_counts": [
            (ANNUAL_LABELS[c], outcomes.get(c, 0), c) for c in ("excellent", "competent", "review", "none")
        ],
        "annual_limit": limit,
        "annual_share": percent(quota),
        "over_annual": outcomes.get("excellent", 0) > limit,
        "eligible": outcomes.get("excellent", 0),
        "rule": rule,
    }
