"""The daily patrol summary per worker against hand-computed figures, and the console's scope
and Excel export."""

from __future__ import annotations

import datetime
import io
import math
import zoneinfo

import openpyxl
import pytest

from gridgov.cases.services import case_report
from gridgov.core.models import Role
from gridgov.patrol.models import PatrolCase
from gridgov.patrol.selectors import daily_summary
from gridgov.patrol.services import patrol_end, patrol_points_add, patrol_start
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 10)
# 0.001° of latitude along a meridian, on the sphere of the haversine formula.
STEP_M = 6_371_008.8 * math.pi / 180 * 0.001


def at(hour, minute=0, day=DAY):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def patrol(worker, start, end, lats=(), lon=120.005):
    walked, _created = patrol_start(worker=worker, at=start)
    if lats:
        points = [
            {"lon": lon, "lat": lat, "t": (start + datetime.timedelta(minutes=i)).isoformat()}
            for i, lat in enumerate(lats)
        ]
        patrol_points_add(patrol=walked, worker=worker, points=points, now=end)
    return patrol_end(patrol=walked, worker=worker, at=end)


@pytest.fixture
def worker_c(world):
    user = UserFactory(username="worker_c", full_name="网格员丙")
    assign(user, Role.GRID_WORKER, world.grid_c)
    return user


@pytest.fixture
def day_of_patrols(grids, hallway, worker_c):
    world = grids
    # Worker A: 09:00–09:45 north by two steps, with one case found; 14:00–14:30 one long step.
    morning = patrol(world.worker_a, at(9), at(9, 45), lats=(30.001, 30.002, 30.003))
    case = case_report(
        actor=world.worker_a,
        channel="patrol",
        category=hallway,
        title="井盖缺失",
        area=world.grid_a,
    ).case
    PatrolCase.objects.create(patrol=morning, case=case)
    patrol(world.worker_a, at(14), at(14, 30), lats=(30.004, 30.006))
    # The evening before does not count on DAY.
    patrol(
        world.worker_a,
        at(20, day=DAY - datetime.timedelta(days=1)),
        at(21, day=DAY - datetime.timedelta(days=1)),
        lats=(30.001, 30.009),
    )
    # Worker B: 10:00–10:20, no point. Worker C (another community): 08:00–09:00.
    patrol(world.worker_b, at(10), at(10, 20))
    patrol(worker_c, at(8), at(9), lats=(30.001, 30.002), lon=120.5)
    return world


def test_daily_summary_numbers_are_the_hand_computed_ones(day_of_patrols):
    world = day_of_patrols
    rows = {row.worker.username: row for row in daily_summary(world.officer, DAY)}
    assert set(rows) == {"worker_a", "worker_b", "worker_c"}
    a = rows["worker_a"]
    assert a.patrols == 2
    assert a.duration == datetime.timedelta(minutes=75) and a.duration_minutes == 75
    assert a.distance_m == pytest.approx(round(2 * STEP_M + 2 * STEP_M, 1), abs=0.15)
    assert a.distance_m == pytest.approx(444.8, abs=0.1)
    assert a.cases_found == 1
    assert (rows["worker_b"].patrols, rows["worker_b"].duration_minutes) == (1, 20)
    assert rows["worker_b"].distance_m == 0
    assert rows["worker_c"].distance_m == pytest.approx(111.2, abs=0.1)


def test_the_summary_follows_the_scope(day_of_patrols):
    world = day_of_patrols
    secretary = {row.worker.username for row in daily_summary(world.secretary, DAY)}
    assert secretary == {"worker_a", "worker_b"}
    own = {row.worker.username for row in daily_summary(world.worker_a, DAY)}
    assert own == {"worker_a"}
    assert daily_summary(world.handler, DAY) == []


def test_console_lists_the_scope_only(day_of_patrols, login):
    world = day_of_patrols
    body = login(world.secretary).get(f"/patrols/?day={DAY.isoformat()}").content.decode()
    assert 'data-worker="worker_a"' in body and 'data-worker="worker_b"' in body
    assert 'data-worker="worker_c"' not in body and "网格员丙" not in body
    assert body.count("<tr data-patrol=") == 3
    body = login(world.officer).get(f"/patrols/?day={DAY.isoformat()}").content.decode()
    assert 'data-worker="worker_c"' in body
    # A patrol of another community's worker does not exist for the secretary.
    other = world.grid_c.patrols.get()
    assert login(world.secretary).get(f"/patrols/{other.pk}/").status_code == 404
    assert login(world.officer).get(f"/patrols/{other.pk}/").status_code == 200


def test_console_export_matches_the_page(day_of_patrols, login):
    world = day_of_patrols
    response = login(world.secretary).get(f"/patrols/export.xlsx?day={DAY.isoformat()}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary, patrols = book.worksheets
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    assert sorted((r[1], r[3], r[4], r[5], r[6]) for r in rows) == [
        ("网格员乙", 1, 20, 0, 0),
        ("网格员甲", 2, 75, 445, 1),
    ]
    assert len(list(patrols.iter_rows(min_row=2, values_only=True))) == 3
    assert "网格员丙" not in {r[0] for r in patrols.iter_rows(min_row=2, values_only=True)}


def test_console_is_for_staff(day_of_patrols, login):
    world = day_of_patrols
    assert login(world.resident).get("/patrols/").status_code == 403
    body = login(world.worker_a).get(f"/patrols/?day={DAY.isoformat()}").content.decode()
    assert 'data-worker="worker_a"' in body and 'data-worker="worker_b"' not in body
