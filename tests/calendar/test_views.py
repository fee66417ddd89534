"""The calendar page: who sees it, the month grid, and a day changed through the form."""

from __future__ import annotations

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.test import RequestFactory
from django.utils import timezone

from gridgov.core.navigation import modules_for
from gridgov.workcalendar.loader import current_calendar
from gridgov.workcalendar.models import CalendarDay, CalendarDaySource
from gridgov.workcalendar.services import calendar_seed

pytestmark = pytest.mark.django_db


def nav_urls(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    return [entry["url"] for module in modules_for(request) for entry in module["entries"]]


@pytest.mark.parametrize("persona", ["admin", "officer"])
def test_admin_and_street_officer_see_the_year_and_the_entry(world, login, persona):
    calendar_seed(years=[2025])
    client = login(getattr(world, persona))
    response = client.get("/calendar/2025/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-date="2025-10-01" data-workday="0"' in html
    assert 'data-date="2025-10-11" data-workday="1"' in html  # make-up Saturday
    assert 'data-date="2025-10-09" data-workday="1"' in html
    assert "国庆节调休上班" in html
    assert "data-calendar-unknown" not in html
    assert "/calendar/" in nav_urls(getattr(world, persona))


def test_the_bare_address_opens_this_year(world, login):
    response = login(world.officer).get("/calendar/")
    assert response.status_code == 302
    assert response["Location"] == f"/calendar/{timezone.localdate().year}/"


@pytest.mark.parametrize("persona", ["secretary", "worker_a", "handler", "resident"])
def test_others_get_403_and_no_entry(world, login, persona):
    client = login(getattr(world, persona))
    assert client.get("/calendar/2025/").status_code == 403
    assert client.get("/calendar/").status_code == 403
    response = client.post(
        "/calendar/2027/", {"date": "2027-10-01", "is_workday": "0", "name": "国庆节"}
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()
    assert "/calendar/" not in nav_urls(getattr(world, persona))


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/calendar/2025/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_unknown_year_says_so(world, login):
    html = login(world.officer).get("/calendar/2027/").content.decode()
    assert "data-calendar-unknown" in html
    assert 'data-date="2027-10-01" data-workday="1"' in html  # a plain Friday, for now


def test_choosing_a_day_offers_its_opposite(world, login):
    calendar_seed(years=[2025])
    client = login(world.officer)
    html = client.get("/calendar/2025/?day=2025-10-08").content.decode()
    assert 'name="is_workday" value="1" required id="id_is_workday_0" checked' in html
    assert 'name="name" value="国庆节"' in html
    html = client.get("/calendar/2025/?day=2025-10-09").content.decode()
    assert 'name="is_workday" value="0" required id="id_is_workday_1" checked' in html


def test_a_day_is_toggled_through_the_form_and_audited(world, login):
    client = login(world.officer)
    response = client.post(
        "/calendar/2027/",
        {"date": "2027-10-01", "is_workday": "0", "name": "国庆节", "note": "国务院通知"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/calendar/2027/#month-10"
    day = CalendarDay.objects.get(date=date(2027, 10, 1))
    assert (day.is_workday, day.name, day.note, day.source, day.updated_by) == (
        False,
        "国庆节",
        "国务院通知",
        CalendarDaySource.MANUAL,
        world.officer,
    )
    entry = LogEntry.objects.get(content_type__model="calendarday", object_id=str(day.pk))
    assert entry.actor == world.officer
    assert not current_calendar().is_workday(date(2027, 10, 1))
    html = client.get("/calendar/2027/").content.decode()
    assert 'data-date="2027-10-01" data-workday="0"' in html
    assert "data-calendar-unknown" not in html


def test_a_rest_day_without_a_name_is_refused_with_the_form(world, login):
    response = login(world.officer).post(
        "/calendar/2027/", {"date": "2027-10-01", "is_workday": "0", "name": ""}
    )
    assert response.status_code == 400
    assert 'id="edit"' in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_a_day_of_another_year_is_refused(world, login):
    response = login(world.officer).post(
        "/calendar/2027/", {"date": "2028-10-02", "is_workday": "0", "name": "国庆节"}
    )
    assert response.status_code == 400
    assert not CalendarDay.objects.exists()


def test_years_out_of_range_are_not_found(world, login):
    assert login(world.officer).get("/calendar/1999/").status_code == 404


def test_the_page_reads_the_year_in_few_queries(world, login, django_assert_max_num_queries):
    calendar_seed(years=[2025])
    client = login(world.officer)
    client.get("/calendar/2025/")
    with django_assert_max_num_queries(10):
        assert client.get("/calendar/2025/").status_code == 200
