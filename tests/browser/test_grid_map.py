"""The grid map in a real browser: polygons drawn without base-map tiles, labels, colours, click."""

from __future__ import annotations

import pytest

from gridgov.core.models import Role
from gridgov.demo.geometry import Box
from gridgov.registry.services import resident_clean, resident_create
from tests.browser.conftest import sign_in
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.browser


@pytest.fixture
def mapped(world):
    community = Box(120.0, 30.0, 120.02, 30.02)
    world.community1.polygon = community.geojson()
    world.community1.save()
    for area, box in zip((world.grid_a, world.grid_b), community.split_columns(2), strict=True):
        area.polygon = box.geojson()
        area.save()
    leader = UserFactory(username="leader_a", full_name="网格长甲")
    assign(leader, Role.GRID_LEADER, world.grid_a)
    for index in range(3):
        resident_create(
            actor=world.admin, data=resident_clean(name=f"居民{index}", area=world.grid_a)
        )
    return world


def test_grid_map_draws_labelled_coloured_polygons_and_clicks_through(mapped, page, screenshot):
    sign_in(page, mapped.secretary.username)
    page.goto("/areas/map/")
    page.wait_for_selector("#grid-map[data-loaded]")
    assert page.get_attribute("#grid-map", "data-loaded") == "2"
    assert "no-tiles" in page.get_attribute("#grid-map", "class")
    polygons = page.locator("#grid-map path.leaflet-interactive")
    assert polygons.count() == 2
    labels = page.locator(".area-label")
    assert labels.count() == 2
    label_text = " ".join(labels.all_inner_texts())
    assert mapped.grid_a.name in label_text and mapped.grid_a.code in label_text
    assert "网格长甲" in label_text
    fills = {polygons.nth(i).get_attribute("fill") for i in range(2)}
    assert len(fills) == 2  # 3 residents and 0 residents are coloured differently
    rows = page.locator("#map-table tbody tr")
    assert rows.count() == 2
    screenshot(page, "grid-map-community")
    # Click the map where grid A's label sits: the polygon under it takes the click.
    box = page.locator(".area-label", has_text=mapped.grid_a.name).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] + 8)
    page.wait_for_url(f"**/areas/{mapped.grid_a.pk}/")
    assert mapped.grid_a.name in page.inner_text("h1")
