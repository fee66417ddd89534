"""Case numbers: the day and its sequence, from the day's counter, above any number already
written another way (imports, seeds)."""

from __future__ import annotations

import datetime
import uuid

import pytest

from gridgov.cases.models import Case, CaseNumberCounter, Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy

AT = datetime.datetime(2026, 12, 4, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing


@pytest.fixture
def hallway(db):
    load_default_taxonomy(Category)
    return Category.objects.get(code="0101")


def _report(world, hallway, title: str = "楼道杂物") -> Case:
    return case_report(
        actor=world.resident,
        channel="resident",
        category=hallway,
        title=title,
        area=world.grid_a,
        at=AT,
    ).case


def test_numbers_follow_the_day_sequence(world, hallway):
    numbers = [_report(world, hallway, f"第{i}件").number for i in range(3)]
    assert numbers == ["20261204000001", "20261204000002", "20261204000003"]
    assert CaseNumberCounter.objects.get(day="20261204").last == 3


def test_the_counter_starts_above_and_steps_over_numbers_written_without_it(world, hallway):
    first = _report(world, hallway)
    # A case written straight into the table (an import) after the counter was made.
    Case.objects.filter(pk=first.pk).update(number="20261204000001")
    clone = Case.objects.get(pk=first.pk)
    clone.pk, clone.uid, clone.number, clone.client_key = None, uuid.uuid4(), "20261204000002", None
    clone.save()
    # The counter says 1; number 2 is taken: the report steps over it instead of failing.
    assert _report(world, hallway, "第二件").number == "20261204000003"
    assert _report(world, hallway, "第三件").number == "20261204000004"
