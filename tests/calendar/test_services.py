"""``calendar_day_set``: who may, what it writes, the audit record, and the cached calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max

from gridgov.workcalendar.arithmetic import SHANGHAI
from gridgov.workcalendar.loader import calendar_cache, current_calendar
from gridgov.workcalendar.models import CalendarDay, CalendarDaySource
from gridgov.workcalendar.services import calendar_day_set, calendar_seed, can_edit_calendar

pytestmark = pytest.mark.django_db

# 2027 is a year chinesecalendar 1.11 does not know: a plain week until edited.
NATIONAL_DAY_2027 = date(2027, 10, 1)  # a Friday


def test_admin_and_street_officer_may_edit_others_may_not(world):
    assert can_edit_calendar(world.admin)
    assert can_edit_calendar(world.officer)
    for persona in (world.secretary, world.worker_a, world.handler, world.resident, None):
        assert not can_edit_calendar(persona)


@pytest.mark.parametrize("persona", ["secretary", "worker_a", "handler", "resident"])
def test_a_denied_edit_changes_nothing(world, persona):
    with pytest.raises(PermissionDenied):
        calendar_day_set(
            actor=getattr(world, persona), date=NATIONAL_DAY_2027, is_workday=False, name="国庆节"
        )
    assert not CalendarDay.objects.exists()
    assert not LogEntry.objects.filter(content_type__model="calendarday").exists()


def test_an_edit_is_manual_audited_and_counted_at_once(world):
    assert current_calendar().is_workday(NATIONAL_DAY_2027)
    day = calendar_day_set(
        actor=world.officer,
        date=NATIONAL_DAY_2027,
        is_workday=False,
        name=" 国庆节 ",
        note="国办发明电〔2026〕X号",
    )
    assert (day.is_workday, day.name, day.source, day.updated_by) == (
        False,
        "国庆节",
        CalendarDaySource.MANUAL,
        world.officer,
    )
    entry = LogEntry.objects.get(content_type__model="calendarday", object_id=str(day.pk))
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes_dict["name"] == ["None", "国庆节"]
    # No waiting for the 60-second recheck in the process that made the edit.
    assert not current_calendar().is_workday(NATIONAL_DAY_2027)
    thursday_five_pm = datetime(2027, 9, 30, 17, tzinfo=SHANGHAI)
    assert current_calendar().add_working_time(thursday_five_pm, timedelta(hours=1)) == datetime(
        2027, 10, 4, 9, 30, tzinfo=SHANGHAI
    )


def test_changing_a_seeded_day_makes_it_manual_and_audits_the_update(world):
    calendar_seed(years=[2025])
    seeded = CalendarDay.objects.get(date=date(2025, 10, 8))
    day = calendar_day_set(
        actor=world.admin, date=date(2025, 10, 8), is_workday=True, name="", note="值班"
    )
    assert day.pk == seeded.pk and day.source == CalendarDaySource.MANUAL and day.is_workday
    entry = LogEntry.objects.filter(
        content_type__model="calendarday", object_id=str(day.pk)
    ).latest("timestamp")
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict["is_workday"] == ["False", "True"]


def test_setting_a_day_to_what_it_is_writes_nothing(world):
    first = calendar_day_set(
        actor=world.officer, date=NATIONAL_DAY_2027, is_workday=False, name="国庆节"
    )
    entries = LogEntry.objects.count()
    again = calendar_day_set(
        actor=world.officer, date=NATIONAL_DAY_2027, is_workday=False, name="国庆节"
    )
    assert again.updated_at == first.updated_at
    assert LogEntry.objects.count() == entries


def test_a_day_off_the_plain_week_needs_a_name(world):
    with pytest.raises(ValidationError) as error:
        calendar_day_set(actor=world.officer, date=NATIONAL_DAY_2027, is_workday=False, name="  ")
    assert "name" in error.value.message_dict
    assert not CalendarDay.objects.exists()
    # Back to the plain week needs none.
    calendar_day_set(actor=world.officer, date=NATIONAL_DAY_2027, is_workday=True, name="")


def test_other_processes_see_a_change_within_the_recheck_interval(world, monkeypatch):
    import gridgov.workcalendar.loader as loader

    assert current_calendar().is_workday(NATIONAL_DAY_2027)
    # Another process writes the row (here: an update that bypasses this process's cache).
    CalendarDay.objects.create(date=NATIONAL_DAY_2027, is_workday=False, name="国庆节")
    assert current_calendar().is_workday(NATIONAL_DAY_2027)  # still the cached copy
    monkeypatch.setattr(loader, "RECHECK_SECONDS", 0.0)
    assert not current_calendar().is_workday(NATIONAL_DAY_2027)
    # An edit of an existing row moves the fingerprint too (latest change).
    latest = CalendarDay.objects.aggregate(latest=Max("updated_at"))["latest"]
    CalendarDay.objects.filter(date=NATIONAL_DAY_2027).update(
        is_workday=True, updated_at=latest + timedelta(seconds=1)
    )
    assert current_calendar().is_workday(NATIONAL_DAY_2027)


def test_the_cached_calendar_is_reused_between_checks(world, django_assert_num_queries):
    current_calendar()
    with django_assert_num_queries(0):
        for _ in range(100):
            current_calendar()


def test_working_hours_come_from_settings(settings):
    settings.GRIDGOV_WORKDAY_START = "08:30"
    settings.GRIDGOV_WORKDAY_END = "17:00"
    settings.GRIDGOV_LUNCH = None
    hours = current_calendar().hours
    assert hours.daily == timedelta(hours=8, minutes=30)
    settings.GRIDGOV_LUNCH = ("12:00", "14:00")
    assert current_calendar().hours.daily == timedelta(hours=6, minutes=30)
    assert calendar_cache.get() is current_calendar()


def test_a_mistyped_working_hours_setting_fails_the_system_check(settings):
    from gridgov.workcalendar.checks import check_working_hours

    assert check_working_hours(None) == []
    settings.GRIDGOV_LUNCH = ("13:30", "12:00")
    [error] = check_working_hours(None)
    assert error.id == "gridgov.E030"
    settings.GRIDGOV_LUNCH = None
    settings.GRIDGOV_WORKDAY_END = "5pm"
    assert [error.id for error in check_working_hours(None)] == ["gridgov.E030"]
