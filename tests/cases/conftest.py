from __future__ import annotations

import pytest

from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.core.models import Department, DepartmentKind


@pytest.fixture
def taxonomy(db) -> None:
    # The data migration loads it, but a transactional test empties every table after it runs.
    load_default_taxonomy(Category)


@pytest.fixture
def hallway(taxonomy) -> Category:
    """楼道杂物: a grid-level matter with working-time deadlines."""
    return Category.objects.get(code="0101")


@pytest.fixture
def lift(taxonomy) -> Category:
    """电梯故障: community level, deadlines around the clock."""
    return Category.objects.get(code="0401")


@pytest.fixture
def report(world, hallway):
    def make(category=None, actor=None, **fields):
        fields.setdefault("title", "楼道堆放杂物")
        fields.setdefault("area", world.grid_a)
        return case_report(
            actor=actor or world.resident,
            channel=fields.pop("channel", "resident"),
            category=category or hallway,
            **fields,
        ).case

    return make


@pytest.fixture
def police(world) -> Department:
    return Department.objects.create(
        name="和平派出所", kind=DepartmentKind.POLICE, area=world.street
    )
