"""Creating, editing, moving and retiring areas; polygon rules; who may do it."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gridgov.areas.models import Area, AreaLevel
from gridgov.areas.services import area_create, area_move, area_retire, area_update
from gridgov.demo.geometry import Box

pytestmark = pytest.mark.django_db

COMMUNITY_1 = Box(120.00, 30.00, 120.02, 30.02)


@pytest.fixture
def mapped(world):
    """The personas' world with polygons: community 1 on the left, two grids in it."""
    world.community1.polygon = COMMUNITY_1.geojson()
    world.community1.save()
    left, right = COMMUNITY_1.split_columns(2)
    world.grid_a.polygon = left.geojson()
    world.grid_a.save()
    world.grid_b.polygon = Box(right.west, right.south, right.east, 30.01).geojson()
    world.grid_b.save()
    return world


def test_secretary_creates_a_grid_with_the_next_code(mapped):
    free = Box(120.01, 30.01, 120.02, 30.02)
    grid = area_create(
        actor=mapped.secretary,
        parent=mapped.community1,
        name="东湖第三网格",
        polygon=free.geojson(),
    )
    assert grid.level == AreaLevel.GRID
    assert grid.code == mapped.community1.code + "003"
    assert grid.polygon["type"] == "Polygon"
    entry = LogEntry.objects.get_for_object(grid).get()
    assert entry.action == LogEntry.Action.CREATE


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        ({"type": "Point", "coordinates": [120, 30]}, "Polygon or MultiPolygon"),
        ("{not json", "not valid GeoJSON"),
        (
            # A bow tie: the ring crosses itself.
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [120.011, 30.011],
                        [120.019, 30.019],
                        [120.019, 30.011],
                        [120.011, 30.019],
                        [120.011, 30.011],
                    ]
                ],
            },
            "not a valid shape",
        ),
        (Box(120.015, 30.015, 120.03, 30.019).geojson(), "outside its parent"),
        (Box(120.005, 30.011, 120.019, 30.019).geojson(), "overlaps"),
    ],
)
def test_bad_polygons_are_refused_with_a_clear_reason(mapped, polygon, message):
    before = Area.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        area_create(
            actor=mapped.secretary, parent=mapped.community1, name="新网格", polygon=polygon
        )
    assert message in str(raised.value)
    assert Area.objects.count() == before


def test_small_overlap_within_tolerance_is_accepted(mapped):
    # Hand-drawn boundaries: a sliver of 0.5 % over the neighbour is not an error.
    polygon = Box(120.00995, 30.01, 120.02, 30.02).geojson()
    area_create(actor=mapped.secretary, parent=mapped.community1, name="新网格", polygon=polygon)


def test_grid_worker_cannot_change_the_tree(mapped):
    with pytest.raises(PermissionDenied):
        area_update(actor=mapped.worker_a, area=mapped.grid_a, name="改名")
    mapped.grid_a.refresh_from_db()
    assert mapped.grid_a.name == "东湖第一网格"


def test_secretary_cannot_change_another_community(mapped):
    with pytest.raises(PermissionDenied):
        area_create(actor=mapped.secretary, parent=mapped.community2, name="越权网格")
    assert not Area.objects.filter(name="越权网格").exists()


def test_moving_a_grid_recodes_its_subtree(mapped):
    micro = Area.objects.create(
        level=AreaLevel.MICRO_GRID,
        code=mapped.grid_b.code + "01",
        name="微网格",
        parent=mapped.grid_b,
    )
    mapped.grid_b.polygon = None
    mapped.grid_b.save()
    moved = area_move(actor=mapped.officer, area=mapped.grid_b, new_parent=mapped.community2)
    micro.refresh_from_db()
    assert moved.parent == mapped.community2
    assert moved.code == mapped.community2.code + "002"
    assert micro.code == moved.code + "01"


def test_moving_into_itself_is_refused(mapped):
    with pytest.raises(ValidationError):
        area_move(actor=mapped.officer, area=mapped.community1, new_parent=mapped.grid_a)


def test_retiring_hides_the_subtree_but_keeps_it(mapped):
    area_retire(actor=mapped.secretary, area=mapped.grid_a)
    assert Area.objects.filter(pk=mapped.grid_a.pk).exists()
    assert not Area.objects.active().filter(pk=mapped.grid_a.pk).exists()


def test_edit_polygon_validates_against_siblings(mapped):
    with pytest.raises(ValidationError):
        area_update(actor=mapped.secretary, area=mapped.grid_b, polygon=COMMUNITY_1.geojson())
    area_update(
        actor=mapped.secretary,
        area=mapped.grid_b,
        polygon=Box(120.01, 30.0, 120.02, 30.02).geojson(),
    )
