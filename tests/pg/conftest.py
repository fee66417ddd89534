from __future__ import annotations

import pytest

from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy


@pytest.fixture
def hallway_report(world):
    """A resident's report of a hallway case in grid A, by its title: the case."""
    load_default_taxonomy(Category)
    hallway = Category.objects.get(code="0101")

    def report(title: str):
        return case_report(
            actor=world.resident,
            channel="resident",
            category=hallway,
            title=title,
            area=world.grid_a,
        ).case

    return report
