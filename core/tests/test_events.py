"""The generic write services announce every change to core.events listeners, in their transaction."""

from __future__ import annotations

import pytest

from core import events
from core.services import restore, soft_delete
from orgs import services as org_services
from orgs.models import Unit, UnitType

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen(monkeypatch):
    calls: list[tuple[str, bool]] = []
    listener = [lambda instance: calls.append((instance.name, instance.deleted_at is not None))]
    monkeypatch.setitem(events._LISTENERS, "orgs.unit", listener)
    return calls


def test_create_update_delete_restore_each_announce_the_change(bureau, seen):
    actor = bureau.users.committee
    unit = org_services.unit_create(actor=actor, data={"name": "测试单位甲", "unit_type": UnitType.ORGAN})
    assert seen == [("测试单位甲", False)]
    org_services.unit_update(actor=actor, unit=unit, data={"name": "测试单位乙"})
    assert seen[-1] == ("测试单位乙", False)
    # An update that changes nothing announces nothing.
    org_services.unit_update(actor=actor, unit=Unit.objects.get(pk=unit.pk), data={"name": "测试单位乙"})
    assert len(seen) == 2
    soft_delete(actor=actor, instance=unit, action="orgs.unit.updated")
    assert seen[-1] == ("测试单位乙", True)
    restore(actor=actor, instance=unit)
    assert seen[-1] == ("测试单位乙", False)
    assert len(seen) == 4


def test_a_failing_listener_rolls_the_change_back(bureau, monkeypatch):
    def boom(instance):
        raise RuntimeError("listener failed")

    monkeypatch.setitem(events._LISTENERS, "orgs.unit", [boom])
    with pytest.raises(RuntimeError):
        org_services.unit_create(actor=None, data={"name": "不应保存的单位", "unit_type": UnitType.ORGAN})
    assert not Unit.all_objects.filter(name="不应保存的单位").exists()


def test_bulk_writers_announce_their_rows_once(monkeypatch):
    seen: list[list[int]] = []
    monkeypatch.setitem(events._BULK_LISTENERS, "orgs.unit", [seen.append])
    events.records_changed(Unit, [3, 1, 2])
    events.records_changed(Unit, [])  # nothing written, nothing announced
    assert seen == [[3, 1, 2]]
