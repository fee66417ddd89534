"""The cockpit's pages for each persona, against figures computed by hand on a small data set."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.utils import timezone

from gridgov.areas.map import FIGURES
from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.cases.workflow import transition
from gridgov.cockpit import overview
from gridgov.cockpit.figures import Where

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_cases(world, taxonomy):
    """Today: two cases in grid A (one dispatched to grid A, claimed at once, resolved, verified,
    closed and rated 5; one by the hotline), one in grid C (dispatched to the department)."""
    hallway = Category.objects.get(code="0101")
    noise = Category.objects.get(code="0901")
    w = world

    def new(area, category, channel="patrol", lon=None, lat=None):
        return case_report(
            actor=w.worker_a,
            channel=channel,
            category=category,
            title="案件",
            area=area,
            callback_phone="13800138000",
            lon=lon,
            lat=lat,
        ).case

    one = new(w.grid_a, hallway)
    one = transition(case=one, action="accept", actor=w.admin)
    one = transition(case=one, action="dispatch", actor=w.admin, area=w.grid_a)
    one = transition(case=one, action="claim", actor=w.worker_a)
    one = transition(case=one, action="resolve", actor=w.worker_a, result="已清理")
    one = transition(case=one, action="verify", actor=w.secretary, passed=True)
    one = transition(case=one, action="close", actor=w.secretary)
    one = transition(case=one, action="rate", actor=w.admin, rating=5)
    two = new(w.grid_a, noise, channel="hotline")
    three = new(w.grid_c, noise)
    three = transition(case=three, action="accept", actor=w.admin)
    three = transition(case=three, action="dispatch", actor=w.admin, department=w.department)
    return one, two, three


def test_overview_counts_by_hand(world, today_cases):
    data = overview.build(area=world.street, where=Where(world.street.code))
    total = next(row for row in data.by_status if not row["status"])
    assert (total["today"], total["week"], total["month"]) == (3, 3, 3)
    statuses = {row["status"]: row["today"] for row in data.by_status if row["status"]}
    assert statuses["rated"] == 1 and statuses["reported"] == 1 and statuses["dispatched"] == 1
    rates = {t.key: t.figure for t in data.trends}
    assert (rates["response_rate"].numerator, rates["response_rate"].denominator) == (1, 2)
    assert (rates["satisfaction_rate"].numerator, rates["satisfaction_rate"].denominator) == (1, 1)
    assert data.live["open"] == 2
    assert [(c["code"], c["reported"]) for c in data.categories] == [("0901", 2), ("0101", 1)]
    grid_share = next(level for level in data.levels if level["key"] == "grid")
    assert (grid_share["count"], grid_share["figure"].denominator) == (1, 1)
    assert {c["key"]: c["reported"] for c in data.channels}["hotline"] == 1


@pytest.mark.parametrize(
    ("persona", "today"),
    [("admin", 3), ("officer", 3), ("secretary", 2), ("worker_a", 2), ("worker_b", 0)],
)
def test_each_persona_sees_the_figures_of_their_own_area(world, today_cases, login, persona, today):
    response = login(getattr(world, persona)).get("/cockpit/")
    assert response.status_code == 200
    total = next(row for row in response.context["o"].by_status if not row["status"])
    assert total["today"] == today


def test_grid_worker_cannot_open_the_street_or_another_grid(world, today_cases, login):
    client = login(world.worker_a)
    assert client.get(f"/cockpit/?area={world.street.code}").status_code == 404
    assert client.get(f"/cockpit/?area={world.grid_b.code}").status_code == 404
    assert client.get(f"/cockpit/charts/trend.json?area={world.grid_c.code}").status_code == 404
    page = client.get(f"/cockpit/?area={world.grid_a.code}").content.decode()
    assert f'?area={world.street.code}"' not in page  # no way up out of the grid


def test_street_officer_drills_down_and_back_up(world, today_cases, login):
    client = login(world.officer)
    page = client.get("/cockpit/").content.decode()
    assert f"?area={world.community1.code}" in page  # ranking rows link down
    page = client.get(f"/cockpit/?area={world.grid_a.code}").content.decode()
    assert f'?area={world.street.code}" data-area' in page  # the trail links back up
    assert (
        client.get(f"/cockpit/?area={world.grid_a.code}").context["o"].by_status[-1]["today"] == 2
    )


def test_department_handler_sees_the_department_cases(world, today_cases, login):
    response = login(world.handler).get("/cockpit/")
    assert response.status_code == 200
    total = next(row for row in response.context["o"].by_status if not row["status"])
    assert total["today"] == 1


def test_resident_has_no_cockpit(world, login):
    client = login(world.resident)
    for url in ("/cockpit/", "/cockpit/charts/", "/cockpit/map/", "/cockpit/wall/"):
        assert client.get(url).status_code == 403, url


def test_chart_data_and_its_excel_export_hold_the_same_rows(world, today_cases, login):
    client = login(world.officer)
    data = client.get("/cockpit/charts/channels.json").json()
    assert sum(row[1] for row in data["rows"]) == 3
    response = client.get("/cockpit/charts/channels.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows == data["rows"]
    hours = client.get("/cockpit/charts/hours.json").json()
    hour = timezone.localtime().hour
    assert hours["rows"][hour] == [f"{hour:02d}:00", 3]
    trend = client.get("/cockpit/charts/trend.json").json()
    assert [r for r in trend["rows"] if r[0] == timezone.localdate().isoformat()][0][1] == 3
    assert client.get("/cockpit/charts/nothing.json").status_code == 404
    assert client.get("/cockpit/charts/trend.json?month=2025-13").status_code == 404
    page = client.get("/cockpit/charts/")
    assert page.status_code == 200 and b"echarts.min.js" in page.content


def test_map_figures_and_points_are_scoped(world, today_cases, login):
    values = FIGURES["satisfaction_rate"].compute([world.grid_a, world.grid_c])
    assert values == {world.grid_a.pk: 100.0, world.grid_c.pk: 0.0}
    assert FIGURES["response_rate"].compute([world.street])[world.street.pk] == 50.0
    for url in ("/cockpit/map/", "/cockpit/map/?figure=satisfaction_rate&period=week"):
        assert login(world.officer).get(url).status_code == 200
    assert login(world.officer).get("/cockpit/map/?figure=nope").status_code == 404
    assert login(world.officer).get("/cockpit/map/points/?period=year").status_code == 404


def test_points_and_hotspots(world, taxonomy, login):
    hallway = Category.objects.get(code="0101")
    for lon, lat in ((116.4001, 39.9001), (116.4002, 39.9002), (116.5, 39.95)):
        case_report(
            actor=world.worker_a,
            channel="patrol",
            category=hallway,
            title="杂物",
            area=world.grid_a,
            lon=lon,
            lat=lat,
            address="和平路1号",
            callback_phone="13800138000",
        )
    data = login(world.officer).get("/cockpit/map/points/?period=today").json()
    assert len(data["points"]) == 3
    assert [spot["count"] for spot in data["hotspots"]] == [2]
    assert data["hotspots"][0]["address"] == "和平路1号"
    assert login(world.worker_b).get("/cockpit/map/points/?period=today").json()["points"] == []


def test_wall_screen_polls_its_panel(world, today_cases, login):
    client = login(world.officer)
    page = client.get("/cockpit/wall/").content.decode()
    assert 'hx-trigger="load, every 30s"' in page
    panel = client.get("/cockpit/wall/panel/")
    assert panel.status_code == 200
    assert json.loads("[" + panel.content.decode().split("data-hours='[")[1].split("]'")[0] + "]")
