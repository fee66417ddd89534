"""Area pages: counts and norms, responsible people, and managing the tree through forms."""

from __future__ import annotations

import pytest

from gridgov.areas.models import Area
from gridgov.core.models import Role
from gridgov.demo.geometry import Box
from gridgov.registry.models import House
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db


def test_detail_shows_counts_people_and_flags_a_small_grid(world, login, settings):
    settings.GRIDGOV_GRID_HOUSEHOLDS = (2, 5)
    House.objects.create(area=world.grid_a, address="甲1", use="owner_occupied")
    leader = UserFactory(username="leader", full_name="王网格长")
    assign(leader, Role.GRID_LEADER, world.grid_a)
    body = login(world.secretary).get(f"/areas/{world.community1.pk}/").content.decode()
    assert 'data-norm-flag="below"' in body  # grid A: 1 household, norm 2–5
    detail = login(world.secretary).get(f"/areas/{world.grid_a.pk}/").content.decode()
    assert "王网格长" in detail
    assert "网格员甲" in detail
    assert 'data-norm-flag="below"' in detail


def test_manager_creates_edits_moves_and_retires_through_the_forms(world, login):
    client = login(world.officer)
    response = client.post(
        f"/areas/{world.community1.pk}/add/",
        {"name": "东湖第三网格", "grid_type": "comprehensive", "polygon": "", "code": ""},
    )
    assert response.status_code == 302
    grid = Area.objects.get(name="东湖第三网格")
    assert grid.code == world.community1.code + "003"
    response = client.post(
        f"/areas/{grid.pk}/edit/",
        {"name": "东湖三格", "grid_type": "market", "polygon": Box(1, 1, 2, 2).geojson().__str__()},
    )
    assert response.status_code == 400  # not JSON text: refused with a reason, nothing saved
    grid.refresh_from_db()
    assert grid.name == "东湖第三网格"
    response = client.post(f"/areas/{grid.pk}/move/", {"new_parent": world.community2.pk})
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.parent == world.community2
    assert client.post(f"/areas/{grid.pk}/retire/").status_code == 302
    grid.refresh_from_db()
    assert grid.retired_at is not None


def test_bad_polygon_in_the_form_is_shown_and_nothing_changes(world, login):
    client = login(world.secretary)
    response = client.post(
        f"/areas/{world.grid_a.pk}/edit/",
        {
            "name": "甲",
            "grid_type": "comprehensive",
            "polygon": '{"type": "Point", "coordinates": [1, 2]}',
        },
    )
    assert response.status_code == 400
    assert "Polygon" in response.content.decode() or "多边形" in response.content.decode()
    world.grid_a.refresh_from_db()
    assert world.grid_a.name == "东湖第一网格"


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [
        ("worker_a", "grid_a", 403),  # visible, not theirs to change
        ("worker_a", "grid_b", 404),  # not visible at all
        ("secretary", "grid_c", 404),
        ("handler", "grid_a", 404),
    ],
)
def test_who_may_not_change_the_tree(world, login, persona, target, status):
    area = getattr(world, target)
    client = login(getattr(world, persona))
    assert client.get(f"/areas/{area.pk}/edit/").status_code == status
    assert client.post(f"/areas/{area.pk}/retire/").status_code == status
    area.refresh_from_db()
    assert area.retired_at is None
