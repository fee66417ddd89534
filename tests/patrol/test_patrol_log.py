"""The patrol log: start, route points in batches (JSON), end; bad input changes nothing."""

from __future__ import annotations

import json
import math

import pytest
from django.core.exceptions import ValidationError

from gridgov.areas.geo import wgs84_to_gcj02
from gridgov.patrol import geodesy
from gridgov.patrol.models import Patrol, PatrolPoint
from gridgov.patrol.services import patrol_end, patrol_start

pytestmark = pytest.mark.django_db

# 0.001° along a meridian is exactly R·π/180·0.001 on the sphere.
STEP_M = geodesy.EARTH_RADIUS_M * math.pi / 180 * 0.001


def send(client, patrol, points, crs="wgs84"):
    return client.post(
        f"/w/patrol/{patrol.pk}/points/",
        data=json.dumps({"crs": crs, "points": points}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def walk(n, lon=120.005, lat=30.001, start_ms=None, step=0.001):
    import time

    start_ms = start_ms or int(time.time() * 1000) - 60_000
    return [
        {"lon": lon, "lat": lat + i * step, "t": start_ms + i * 5000, "accuracy": 8}
        for i in range(n)
    ]


def test_start_points_end_through_the_pages(grids, login):
    world = grids
    client = login(world.worker_a)
    assert client.post("/w/patrol/start/").status_code == 302
    patrol = Patrol.objects.get()
    assert patrol.worker == world.worker_a and patrol.area == world.grid_a and patrol.is_open
    page = client.get("/w/patrol/").content.decode()
    assert f'data-patrol="{patrol.pk}"' in page and "patrol/patrol.js" in page

    points = walk(4)
    response = send(client, patrol, points[:3])
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["added"] == 3 and body["outside"] == 0
    assert body["patrol"]["distance_m"] == pytest.approx(2 * STEP_M, abs=0.1)

    # The phone lost the answer and sends the same batch again, plus one new point.
    again = send(client, patrol, points[1:3] + points[3:])
    assert again.json()["added"] == 1 and again.json()["duplicates"] == 2
    patrol.refresh_from_db()
    assert patrol.point_count == 4
    assert patrol.distance_m == pytest.approx(3 * STEP_M, abs=0.1)

    assert client.post(f"/w/patrol/{patrol.pk}/end/").status_code == 302
    patrol.refresh_from_db()
    assert patrol.ended_at is not None


def test_points_outside_the_grid_are_kept_and_flagged(grids, login):
    world = grids
    patrol, _created = patrol_start(worker=world.worker_a)
    inside, outside = walk(2, lon=120.005), walk(1, lon=120.015, start_ms=None)
    outside[0]["t"] = inside[-1]["t"] + 5000
    body = send(login(world.worker_a), patrol, inside + outside).json()
    assert body["added"] == 3 and body["outside"] == 1
    assert PatrolPoint.objects.filter(outside_grid=True).count() == 1
    patrol.refresh_from_db()
    assert patrol.outside_count == 1


def test_gcj02_points_are_stored_in_wgs84(grids, login):
    world = grids
    patrol, _created = patrol_start(worker=world.worker_a)
    lon, lat = wgs84_to_gcj02([120.005], [30.005])
    point = walk(1)[0] | {"lon": float(lon[0]), "lat": float(lat[0])}
    assert send(login(world.worker_a), patrol, [point], crs="gcj02").status_code == 200
    stored = PatrolPoint.objects.get()
    assert stored.lon == pytest.approx(120.005, abs=1e-6)
    assert stored.lat == pytest.approx(30.005, abs=1e-6)
    assert not stored.outside_grid


def test_imprecise_points_are_kept_but_not_counted_in_the_length(grids, login):
    world = grids
    patrol, _created = patrol_start(worker=world.worker_a)
    points = walk(3)
    points[1]["accuracy"] = 800  # a jump indoors
    points[1]["lon"] = 120.009
    send(login(world.worker_a), patrol, points)
    patrol.refresh_from_db()
    assert patrol.point_count == 3
    assert patrol.distance_m == pytest.approx(2 * STEP_M, abs=0.1)


@pytest.mark.parametrize(
    "bad",
    [
        {"lon": 200, "lat": 30},
        {"lon": 120, "lat": -91},
        {"lon": "abc", "lat": 30},
        {"lon": "NaN", "lat": 30},
        {"lon": True, "lat": 30},
        {"lat": 30},
        {"lon": 120, "lat": 30, "t": "yesterday at noon"},
        {"lon": 120, "lat": 30, "t": 86_400_000},  # 1970: long before the patrol
        {"lon": 120, "lat": 30, "accuracy": -5},
        "120,30",
    ],
)
def test_a_batch_with_a_bad_point_stores_nothing(grids, login, bad):
    world = grids
    patrol, _created = patrol_start(worker=world.worker_a)
    response = send(login(world.worker_a), patrol, walk(2) + [bad])
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["code"] == "invalid_points"
    assert "points.2" in body["errors"]
    assert not PatrolPoint.objects.exists()
    patrol.refresh_from_db()
    assert patrol.point_count == 0


def test_malformed_requests_are_refused(grids, login):
    world = grids
    patrol, _created = patrol_start(worker=world.worker_a)
    client = login(world.worker_a)
    response = client.post(
        f"/w/patrol/{patrol.pk}/points/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_json"
    assert send(client, patrol, []).status_code == 400
    assert send(client, patrol, walk(1), crs="bd09").status_code == 400
    assert send(client, patrol, walk(501, step=0.00001)).status_code == 400
    assert not PatrolPoint.objects.exists()


def test_a_patrol_of_another_worker_does_not_exist_for_them(grids, login):
    world = grids
    patrol, _created = patrol_start(worker=world.worker_b)
    client = login(world.worker_a)
    assert send(client, patrol, walk(2)).status_code == 404
    assert client.post(f"/w/patrol/{patrol.pk}/end/").status_code == 404
    assert not PatrolPoint.objects.exists()
    patrol.refresh_from_db()
    assert patrol.is_open
    # Even the grid's own secretary, who may see it on the console, cannot walk it.
    assert send(login(world.secretary), patrol, walk(2)).status_code == 404


def test_ending_twice_is_refused_and_points_after_the_end_too(grids, login):
    world = grids
    patrol, _created = patrol_start(worker=world.worker_a)
    client = login(world.worker_a)
    first = client.post(f"/w/patrol/{patrol.pk}/end/", HTTP_ACCEPT="application/json")
    assert first.status_code == 200
    ended_at = Patrol.objects.get().ended_at
    second = client.post(f"/w/patrol/{patrol.pk}/end/", HTTP_ACCEPT="application/json")
    assert second.status_code == 409 and second.json()["code"] == "ended"
    assert "已" in second.json()["message"]  # Chinese by default
    assert Patrol.objects.get().ended_at == ended_at
    assert send(client, patrol, walk(2)).status_code == 409
    assert not PatrolPoint.objects.exists()
    with pytest.raises(ValidationError):
        patrol_end(patrol=patrol, worker=world.worker_a)


def test_one_open_patrol_per_worker(grids, login):
    world = grids
    client = login(world.worker_a)
    client.post("/w/patrol/start/")
    client.post("/w/patrol/start/")
    assert Patrol.objects.count() == 1


def test_only_grid_workers_start_patrols(grids, login):
    world = grids
    response = login(world.secretary).post("/w/patrol/start/", HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        patrol_start(worker=world.worker_a, area=world.grid_b)
    assert not Patrol.objects.exists()


def test_haversine_matches_a_known_distance():
    # Beijing Tiananmen to Shanghai People's Square: about 1,067 km on the sphere.
    assert geodesy.haversine_m(116.3975, 39.9087, 121.4737, 31.2304) == pytest.approx(
        1_067_000, rel=0.005
    )
    assert geodesy.path_length_m([(120.0, 30.0)]) == 0.0
