"""``calendar_seed`` and ``gridgov calendar_seed``: the official days, hand edits kept, unknown
years named."""

from __future__ import annotations

from datetime import date
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import call_command

from gridgov.demo.calendar import load_calendar
from gridgov.workcalendar.models import CalendarDay, CalendarDaySource
from gridgov.workcalendar.official import known_years, official_exceptions
from gridgov.workcalendar.services import calendar_day_set, calendar_seed

pytestmark = pytest.mark.django_db

FIRST_UNKNOWN = max(known_years()) + 1


def rows(year: int) -> dict[date, tuple[bool, str, str]]:
    return {
        row.date: (row.is_workday, row.name, row.source)
        for row in CalendarDay.objects.filter(date__year=year)
    }


def test_official_exceptions_of_2025_agree_with_the_package_day_by_day():
    exceptions = {day.date: day for day in official_exceptions(2025)}
    day = date(2025, 1, 1)
    while day.year == 2025:
        package_says_work = chinese_calendar.is_workday(day)
        if package_says_work != (day.weekday() < 5):
            assert exceptions[day].is_workday == package_says_work, day
        else:
            assert day not in exceptions, day
        day = date.fromordinal(day.toordinal() + 1)


def test_official_names_are_chinese():
    by_date = {day.date: day.name for day in official_exceptions(2025)}
    assert by_date[date(2025, 10, 1)] == "国庆节"
    assert by_date[date(2025, 10, 6)] == "中秋节"
    assert by_date[date(2025, 1, 28)] == "春节"
    assert by_date[date(2025, 9, 28)] == "国庆节调休上班"
    assert by_date[date(2025, 10, 11)] == "国庆节调休上班"
    assert date(2025, 10, 4) not in by_date  # a Saturday off is no exception


def test_the_seed_writes_exactly_the_exceptions_and_is_idempotent():
    [result] = calendar_seed(years=[2025])
    expected = official_exceptions(2025)
    assert result.known and result.created == len(expected) and result.changed == len(expected)
    assert rows(2025) == {
        day.date: (day.is_workday, day.name, CalendarDaySource.CHINESECALENDAR) for day in expected
    }
    [again] = calendar_seed(years=[2025])
    assert again.changed == 0
    assert CalendarDay.objects.count() == len(expected)


def test_unknown_years_are_reported_and_untouched():
    results = calendar_seed(years=[2026, FIRST_UNKNOWN])
    assert [(r.year, r.known) for r in results] == [(2026, True), (FIRST_UNKNOWN, False)]
    assert rows(FIRST_UNKNOWN) == {}


def test_hand_edits_are_never_overwritten(world):
    calendar_seed(years=[2025])
    # The street decides 8 October is worked after all, and marks an extra day off.
    calendar_day_set(actor=world.officer, date=date(2025, 10, 8), is_workday=True, name="")
    calendar_day_set(
        actor=world.officer, date=date(2025, 12, 31), is_workday=False, name="跨年值守调休"
    )
    [result] = calendar_seed(years=[2025])
    assert result.kept_manual == 2 and result.changed == 0
    assert rows(2025)[date(2025, 10, 8)] == (True, "", CalendarDaySource.MANUAL)
    assert rows(2025)[date(2025, 12, 31)] == (False, "跨年值守调休", CalendarDaySource.MANUAL)


def test_seeded_rows_the_package_no_longer_lists_are_corrected_or_removed():
    calendar_seed(years=[2025])
    stale = CalendarDay.objects.create(
        date=date(2025, 3, 3),
        is_workday=False,
        name="旧数据",
        source=CalendarDaySource.CHINESECALENDAR,
    )
    CalendarDay.objects.filter(date=date(2025, 10, 1)).update(name="错名")
    [result] = calendar_seed(years=[2025])
    assert (result.removed, result.updated, result.created) == (1, 1, 0)
    assert not CalendarDay.objects.filter(pk=stale.pk).exists()
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).name == "国庆节"


def test_the_command_says_which_years_to_edit_by_hand():
    out = StringIO()
    call_command("calendar_seed", "--years", "2025", str(FIRST_UNKNOWN), stdout=out)
    text = out.getvalue()
    assert f"2025: {len(official_exceptions(2025))} created, 0 updated" in text
    assert f"chinesecalendar does not know {FIRST_UNKNOWN}" in text
    assert "by hand" in text


def test_the_demo_step_seeds_through_the_same_service():
    load_calendar(context=None)
    assert CalendarDay.objects.filter(source=CalendarDaySource.CHINESECALENDAR).exists()
    count = CalendarDay.objects.count()
    load_calendar(context=None)
    assert CalendarDay.objects.count() == count
