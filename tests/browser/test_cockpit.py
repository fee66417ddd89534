"""The cockpit in a real browser: overview, case map and wall screen show the figures computed
from the data (screenshots in test-artifacts/)."""

from __future__ import annotations

import pytest

from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.cases.workflow import transition
from gridgov.cockpit import overview
from gridgov.cockpit.figures import Where
from gridgov.demo.geometry import Box
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def cockpit_data(world):
    load_default_taxonomy(Category)
    street = Box(120.0, 30.0, 120.04, 30.02)
    for area, box in zip(
        (world.grid_a, world.grid_b, world.grid_c), street.split_columns(3), strict=True
    ):
        area.polygon = box.geojson()
        area.save()
    hallway = Category.objects.get(code="0101")
    for index, (area, lon) in enumerate(
        (
            (world.grid_a, 120.0051),
            (world.grid_a, 120.0052),
            (world.grid_b, 120.02),
            (world.grid_c, 120.035),
        )
    ):
        case = case_report(
            actor=world.worker_a,
            channel="patrol",
            category=hallway,
            title=f"杂物{index}",
            area=area,
            lon=lon,
            lat=30.01,
            address="和平路1号",
            callback_phone="13800138000",
        ).case
        if index == 0:
            case = transition(case=case, action="accept", actor=world.admin)
            case = transition(case=case, action="dispatch", actor=world.admin, area=world.grid_a)
            transition(case=case, action="claim", actor=world.worker_a)
    expected = overview.build(area=world.street, where=Where(world.street.code))
    return world, expected


def test_overview_map_and_wall_show_the_data(cockpit_data, page, screenshot):
    world, expected = cockpit_data
    total = next(row for row in expected.by_status if not row["status"])
    response = next(t for t in expected.trends if t.key == "response_rate")
    sign_in(page, world.officer.username)
    page.goto("/cockpit/")
    assert (
        page.locator("[data-status=all] [data-period=today]").inner_text()
        == str(total["today"])
        == "4"
    )
    assert page.locator("[data-kpi=response_rate] [data-value]").inner_text() == str(
        response.figure
    )
    assert page.locator("[data-live=overdue] [data-value]").inner_text() == str(
        expected.live["overdue"]
    )
    screenshot(page, "cockpit-overview", full_page=True)
    # drill down to a grid and back up
    page.locator(f"[data-ranking] a[href$='?area={world.community1.code}']").first.click()
    page.wait_for_url(f"**?area={world.community1.code}")
    assert page.locator("[data-status=all] [data-period=today]").inner_text() == "3"
    page.locator(f".cockpit-trail a[data-area='{world.street.code}']").click()
    page.wait_for_url(f"**?area={world.street.code}")

    page.goto(f"/cockpit/map/?area={world.street.code}&period=today")
    page.wait_for_selector("#grid-map[data-points-loaded]")
    assert page.get_attribute("#grid-map", "data-points-count") == "4"
    page.wait_for_selector("#grid-map[data-loaded]")
    assert page.locator("[data-hotspot]").count() == 1
    assert page.locator("[data-hotspot]").get_attribute("data-count") == "2"
    screenshot(page, "cockpit-map")

    page.goto(f"/cockpit/wall/?area={world.street.code}")
    page.wait_for_selector("#wall-panel [data-reported]")
    assert page.locator("#wall-panel [data-period=today]").inner_text() == "4"
    assert page.locator("#wall-panel [data-kpi=response_rate] [data-value]").inner_text() == str(
        response.figure
    )
    screenshot(page, "cockpit-wall")


def test_grid_worker_sees_only_their_grid(cockpit_data, page):
    world, _expected = cockpit_data
    sign_in(page, world.worker_b.username)
    page.goto("/cockpit/")
    assert page.locator("[data-status=all] [data-period=today]").inner_text() == "1"
