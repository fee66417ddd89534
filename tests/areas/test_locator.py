"""Locating points: GCJ-02 conversion against reference points, finest area, bulk, rebuilds."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.areas.geo import CRS, gcj02_to_wgs84, wgs84_to_gcj02
from gridgov.areas.locator import NOT_FOUND, Locator
from gridgov.areas.models import Area, AreaLevel
from gridgov.demo.geometry import Box

# (WGS-84 lat, lon, GCJ-02 lat, lon) published with the reference implementations of the offset.
REFERENCE_POINTS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), REFERENCE_POINTS)
def test_wgs84_to_gcj02_matches_reference_points(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert float(lon) == pytest.approx(gcj_lon, abs=1e-9)
    assert float(lat) == pytest.approx(gcj_lat, abs=1e-9)


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), REFERENCE_POINTS)
def test_gcj02_to_wgs84_recovers_reference_points_within_a_centimetre(
    wgs_lat, wgs_lon, gcj_lat, gcj_lon
):
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert float(lon) == pytest.approx(wgs_lon, abs=1e-7)
    assert float(lat) == pytest.approx(wgs_lat, abs=1e-7)


@settings(max_examples=200, deadline=None)
@given(st.floats(73.5, 135.0), st.floats(18.0, 53.0))
def test_round_trip_inside_china(lon, lat):
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(float(back_lon) - lon) < 1e-7 and abs(float(back_lat) - lat) < 1e-7


def test_points_outside_china_are_left_alone():
    lon, lat = wgs84_to_gcj02([2.35, -74.0], [48.85, 40.7])
    assert list(lon) == [2.35, -74.0] and list(lat) == [48.85, 40.7]


@pytest.fixture
def tiled(db):
    """A street split into two communities, each into two grids; one micro-grid in grid 1."""
    street_box = Box(120.0, 30.0, 120.04, 30.02)
    street = Area.objects.create(
        level=AreaLevel.STREET, code="990102001", name="街道", polygon=street_box.geojson()
    )
    areas = {"street": street}
    for c_index, c_box in enumerate(street_box.split_columns(2), start=1):
        community = Area.objects.create(
            level=AreaLevel.COMMUNITY,
            code=f"990102001{c_index:03d}",
            name=f"社区{c_index}",
            parent=street,
            polygon=c_box.geojson(),
        )
        areas[f"c{c_index}"] = community
        for g_index, g_box in enumerate(c_box.split_rows(2), start=1):
            areas[f"g{c_index}{g_index}"] = Area.objects.create(
                level=AreaLevel.GRID,
                code=f"{community.code}{g_index:03d}",
                name=f"网格{c_index}{g_index}",
                parent=community,
                polygon=g_box.geojson(),
            )
    areas["m"] = Area.objects.create(
        level=AreaLevel.MICRO_GRID,
        code=areas["g11"].code + "01",
        name="微网格",
        parent=areas["g11"],
        polygon=Box(120.001, 30.001, 120.005, 30.005).geojson(),
    )
    return areas


def test_locate_returns_the_finest_area(tiled):
    locator = Locator()
    assert locator.locate(120.003, 30.003).area.code == tiled["m"].code
    assert locator.locate(120.015, 30.003).area.code == tiled["g11"].code
    assert locator.locate(120.03, 30.015).area.code == tiled["g22"].code
    location = locator.locate(120.03, 30.015)
    assert location.in_grid and location.input_crs == "wgs84"


def test_a_point_outside_every_area_is_an_answer_not_an_error(tiled):
    location = Locator().locate(121.5, 31.2)
    assert location.area is None and not location.in_grid


def test_gcj02_input_is_converted_before_locating(tiled):
    # The GCJ-02 coordinates of a point inside grid 2-2 lie several hundred metres away from it.
    wgs_lon, wgs_lat = 120.0395, 30.0195
    gcj_lon, gcj_lat = (float(v) for v in wgs84_to_gcj02(wgs_lon, wgs_lat))
    locator = Locator()
    located = locator.locate(gcj_lon, gcj_lat, CRS.GCJ02)
    assert located.input_crs == "gcj02"
    assert located.area.code == tiled["g22"].code
    assert located.lon == pytest.approx(wgs_lon, abs=1e-7)
    assert locator.locate(gcj_lon, gcj_lat, CRS.WGS84).area is None  # taken as WGS-84: outside


def test_bulk_locating_matches_one_by_one(tiled):
    rng = np.random.default_rng(7)
    lon = rng.uniform(119.99, 120.05, 2000)
    lat = rng.uniform(29.99, 30.03, 2000)
    locator = Locator()
    bulk = locator.locate_many(lon, lat)
    for index in range(0, 2000, 37):
        single = locator.locate(lon[index], lat[index]).area
        assert bulk[index] == (single.id if single else NOT_FOUND)
    assert (bulk == NOT_FOUND).any() and (bulk != NOT_FOUND).any()


def test_a_point_on_a_shared_boundary_lands_in_the_same_area_alone_and_in_bulk(tiled):
    """One point is located without arrays (a report); on an edge or corner two grids share, both
    ways must pick the same one."""
    locator = Locator()
    edges = [(120.02, 30.005), (120.02, 30.01), (120.01, 30.01), (120.0, 30.0), (120.04, 30.02)]
    edges += [(120.001, 30.003), (120.005, 30.005), (120.03, 30.01)]
    bulk = locator.locate_many([x for x, _y in edges], [y for _x, y in edges])
    for (x, y), expected in zip(edges, bulk, strict=True):
        single = locator.locate(x, y).area
        assert (single.id if single else NOT_FOUND) == expected


def test_index_is_rebuilt_when_polygons_change(tiled, monkeypatch):
    monkeypatch.setattr("gridgov.areas.locator.RECHECK_SECONDS", 0.0)
    locator = Locator()
    assert locator.locate(120.003, 30.003).area.code == tiled["m"].code
    micro = tiled["m"]
    micro.polygon = Box(120.006, 30.006, 120.008, 30.008).geojson()
    micro.save()
    assert locator.locate(120.003, 30.003).area.code == tiled["g11"].code
    assert locator.locate(120.007, 30.007).area.code == tiled["m"].code


def test_locate_command(tiled, capsys):
    call_command("locate", "120.003", "30.003", "--json")
    assert tiled["m"].code in capsys.readouterr().out
    call_command("locate", "121.5", "31.2")
    assert "no grid" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_cached_area_is_the_area_with_its_own_values(world):
    from gridgov.areas.locator import cached_area, locator

    world.grid_a.polygon = Box(120.0, 30.0, 120.01, 30.01).geojson()
    world.grid_a.save(update_fields=["polygon"])
    locator.invalidate()
    assert cached_area(code=world.street.code) is None  # no polygon: not held
    area = cached_area(code=world.grid_a.code)
    assert area == world.grid_a
    assert (area.code, area.name, area.level) == (
        world.grid_a.code,
        world.grid_a.name,
        world.grid_a.level,
    )
    assert area.parent_id == world.grid_a.parent_id  # any other field is read on first use
    assert cached_area(pk=world.grid_a.pk).code == world.grid_a.code
