"""The party organisation tree: kept beside the areas, scoped like them."""

from __future__ import annotations

import pytest

from gridgov.demo.loader import load_demo
from gridgov.party.models import PartyOrganization, PartyOrgLevel

pytestmark = pytest.mark.django_db


def test_demo_party_tree_follows_the_area_tree():
    load_demo(scale=0.05)
    committee = PartyOrganization.objects.get(level=PartyOrgLevel.STREET_WORKING_COMMITTEE)
    assert committee.area.level == "street"
    branches = PartyOrganization.objects.filter(level=PartyOrgLevel.GRID_BRANCH)
    assert branches.count() == 40
    for branch in branches.select_related("area", "parent__area"):
        assert branch.area.level == "grid"
        assert branch.area.code.startswith(branch.parent.area.code)


def test_party_tree_page_is_scoped(world, login):
    street = PartyOrganization.objects.create(
        level=PartyOrgLevel.STREET_WORKING_COMMITTEE,
        name="和平街道党工委（测试）",
        area=world.street,
    )
    PartyOrganization.objects.create(
        level=PartyOrgLevel.GRID_BRANCH, name="甲格党支部", area=world.grid_a, parent=street
    )
    PartyOrganization.objects.create(
        level=PartyOrgLevel.GRID_BRANCH, name="乙格党支部", area=world.grid_b, parent=street
    )
    body = login(world.worker_a).get("/party/").content.decode()
    assert "甲格党支部" in body
    assert "乙格党支部" not in body and "和平街道党工委（测试）" not in body
    officer = login(world.officer).get("/party/").content.decode()
    assert (
        "甲格党支部" in officer and "乙格党支部" in officer and "和平街道党工委（测试）" in officer
    )
