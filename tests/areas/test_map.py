"""The grid map's data: the chosen level in the user's scope, labelled, with the chosen figure."""

from __future__ import annotations

import pytest

from gridgov.areas.geo import wgs84_to_gcj02
from gridgov.core.models import Role
from gridgov.demo.geometry import Box
from gridgov.registry.models import Courtyard, RiskColor
from gridgov.registry.services import resident_clean, resident_create
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(world):
    boxes = Box(120.0, 30.0, 120.02, 30.02).split_columns(3)
    for area, box in zip((world.grid_a, world.grid_b, world.grid_c), boxes, strict=True):
        area.polygon = box.geojson()
        area.save()
    leader = UserFactory(username="leader_a", full_name="网格长甲")
    assign(leader, Role.GRID_LEADER, world.grid_a)
    for name in ("甲一", "甲二"):
        resident_create(actor=world.admin, data=resident_clean(name=name, area=world.grid_a))
    resident_create(actor=world.admin, data=resident_clean(name="乙一", area=world.grid_b))
    Courtyard.objects.create(
        area=world.grid_b, code="C1", name="院落", address="某路", risk_color=RiskColor.ORANGE
    )
    return world


def features(client, **params):
    response = client.get("/areas/map/data/", params)
    assert response.status_code == 200
    return {f["properties"]["code"]: f for f in response.json()["features"]}


def test_secretary_sees_the_grids_of_their_community_with_labels_and_counts(mapped, login):
    found = features(login(mapped.secretary), level="grid", figure="residents")
    assert set(found) == {mapped.grid_a.code, mapped.grid_b.code}
    grid_a = found[mapped.grid_a.code]["properties"]
    assert grid_a["name"] == mapped.grid_a.name
    assert grid_a["leader"] == "网格长甲"
    assert grid_a["value"] == 2
    assert grid_a["url"] == f"/areas/{mapped.grid_a.pk}/"
    assert found[mapped.grid_b.code]["properties"]["value"] == 1


def test_grid_worker_sees_only_their_grid(mapped, login):
    assert set(features(login(mapped.worker_b), level="grid")) == {mapped.grid_b.code}


def test_risk_figure_is_the_worst_courtyard_colour(mapped, login):
    response = login(mapped.officer).get("/areas/map/data/", {"level": "grid", "figure": "risk"})
    data = response.json()
    values = {f["properties"]["code"]: f["properties"]["value"] for f in data["features"]}
    assert values[mapped.grid_b.code] == 3  # orange
    assert values[mapped.grid_a.code] == 0
    assert data["figure"]["kind"] == "categorical"


def test_community_level_and_within(mapped, login):
    client = login(mapped.officer)
    mapped.community1.polygon = Box(120.0, 30.0, 120.0134, 30.02).geojson()
    mapped.community1.save()
    assert set(features(client, level="community")) == {mapped.community1.code}
    within = features(client, level="grid", within=mapped.community1.pk)
    assert set(within) == {mapped.grid_a.code, mapped.grid_b.code}


def test_within_an_area_outside_the_scope_is_404(mapped, login):
    response = login(mapped.worker_a).get(
        "/areas/map/data/", {"level": "grid", "within": mapped.community2.pk}
    )
    assert response.status_code == 404


def test_polygons_are_shifted_for_a_gcj02_base_map(mapped, login, settings):
    settings.GRIDGOV_MAP_TILE_CRS = "gcj02"
    found = features(login(mapped.worker_a), level="grid")
    west, south = found[mapped.grid_a.code]["geometry"]["coordinates"][0][0]
    expected_lon, expected_lat = wgs84_to_gcj02(120.0, 30.0)
    assert west == pytest.approx(float(expected_lon), abs=1e-6)
    assert south == pytest.approx(float(expected_lat), abs=1e-6)


def test_map_page_loads_leaflet_from_our_static_files(mapped, login):
    body = login(mapped.worker_a).get("/areas/map/").content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in body
    assert "http://" not in body.replace("http://www.w3.org", "")
    assert "https://" not in body.replace("https://www.w3.org", "")
