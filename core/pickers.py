"""Person pickers that stay usable at city scale.

A drop-down of every person in a subtree is fine for a branch of 30 and useless for a committee of
100,000. `PersonPickerField` renders a normal <select> while the choices are few; above
`SEARCH_THRESHOLD` it renders only the current value plus a search box, and the browser fetches
matching people (name, full pinyin or initials: "zs" → 张三) from `core:person_options`.

The options endpoint never trusts the page: each picker names a registered *source*, a function
`(user) -> QuerySet[Person]` that applies the user's scope, and the endpoint filters that queryset.
A picker may narrow the search to an organization's subtree (`org=<pk>`, e.g. the meeting's
organization): the endpoint applies it on top of the source, so it can only narrow. Validation
still uses the form field's own queryset.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.urls import reverse

SEARCH_THRESHOLD = 200
RESULTS = 20

_SOURCES: dict[str, Callable] = {}


def register_person_source(code: str):
    """Register `func(user) -> QuerySet[Person]` (scoped) under `code`."""

    def decorator(func: Callable) -> Callable:
        _SOURCES[code] = func
        return func

    return decorator


def person_source(code: str) -> Callable:
    return _SOURCES[code]


def person_label(person) -> str:
    return f"{person.name}（{person.organization.name}）"


class PersonPicker(forms.Select):
    template_name = "core/widgets/person_picker.html"

    def __init__(self, source: str = "", attrs=None, org_id: int | None = None):
        super().__init__(attrs)
        self.source = source
        self.org_id = org_id

    def _large(self) -> bool:
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return False
        if not hasattr(self, "_large_cache"):
            self._large_cache = len(queryset.values_list("pk", flat=True)[: SEARCH_THRESHOLD + 1]) > SEARCH_THRESHOLD
        return self._large_cache

    def optgroups(self, name, value, attrs=None):
        if not self._large():
            return super().optgroups(name, value, attrs)
        # Only the empty option and the current value: the rest comes from the search.
        groups = []
        field = self.choices.field
        if field.empty_label is not None:
            groups.append((None, [self.create_option(name, "", field.empty_label, not any(value), 0)], 0))
        selected = [v for v in value if v not in ("", None)]
        if selected:
            chosen = self.choices.queryset.filter(pk__in=selected).select_related("organization")
            for index, person in enumerate(chosen, start=1):
                label = field.label_from_instance(person)
                groups.append((None, [self.create_option(name, str(person.pk), label, True, index)], index))
        return groups

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["picker_search"] = self._large()
        url = f"{reverse('core:person_options')}?source={self.source}"
        if self.org_id:
            url += f"&org={int(self.org_id)}"
        context["widget"]["picker_url"] = url
        return context


class PersonPickerField(forms.ModelChoiceField):
    def __init__(self, *args, source: str, **kwargs):
        kwargs.setdefault("widget", PersonPicker(source))
        super().__init__(*args, **kwargs)
        self.widget.source = source

    def label_from_instance(self, obj):
        return person_label(obj)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.source = self.widget.source
        return result


def use_picker(field: forms.ModelChoiceField, source: str, *, org_id: int | None = None) -> None:
    """Give an existing model choice field (e.g. a ModelForm's) the picker widget; set its
    queryset afterwards (the queryset setter hands the choices to the widget)."""
    field.widget = PersonPicker(source, attrs=dict(field.widget.attrs), org_id=org_id)
    field.widget.choices = field.choices


def search_people(user, source: str, q: str, org: str = "") -> list[dict]:
    from orgs.models import Organization
    from orgs.selectors import text_query

    func = _SOURCES.get(source)
    if func is None:
        return []
    queryset = func(user)
    if org:
        within = Organization.objects.filter(pk=org).first() if str(org).isdigit() else None
        if within is None:
            return []
        queryset = queryset.filter(org_path__startswith=within.path)
    q = q.strip()
    if q:
        queryset = queryset.filter(text_query(q))
    return [
        {"id": p.pk, "text": person_label(p)}
        for p in queryset.select_related("organization").order_by("name", "pk")[:RESULTS]
    ]
