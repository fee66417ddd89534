"""Working-time arithmetic on the official 2024–2026 calendar: examples people can check by hand,
then properties over random moments and durations (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.workcalendar.arithmetic import (
    SHANGHAI,
    WorkCalendar,
    WorkingHours,
    add_calendar_time,
    add_working_days,
    add_working_time,
    deadline_after,
    working_time_between,
)
from tests.calendar.conftest import NO_LUNCH, WITH_LUNCH, official_calendar

CALENDAR = official_calendar()
PLAIN_NO_LUNCH = official_calendar(NO_LUNCH)


def at(year, month, day, hour=0, minute=0, second=0, microsecond=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=SHANGHAI)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


# ---- the days chinesecalendar gives (checked against the package, not typed from memory) ------


@pytest.mark.parametrize("day", range(1, 9))
def test_national_day_week_2025_is_off(day):
    assert not CALENDAR.is_workday(date(2025, 10, day))


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 9, 28),  # Sunday worked before National Day
        date(2025, 10, 11),  # Saturday worked after it
        date(2025, 1, 26),  # Sunday before the Spring Festival
        date(2025, 2, 8),  # Saturday after it
        date(2026, 1, 4),  # Sunday after New Year
        date(2026, 2, 14),  # Saturday before the Spring Festival
        date(2026, 2, 28),
        date(2026, 9, 20),  # Sunday before National Day
        date(2026, 10, 10),  # Saturday after it
    ],
)
def test_make_up_weekend_days_are_worked(day):
    assert day.weekday() >= 5
    assert CALENDAR.is_workday(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),
        date(2026, 1, 2),
        *(date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)),
        *(date(2026, 10, d) for d in (1, 2, 5, 6, 7)),
        date(2026, 9, 25),  # Mid-autumn Festival, a Friday
    ],
)
def test_2026_weekday_holidays_are_off(day):
    assert day.weekday() < 5
    assert not CALENDAR.is_workday(day)


def test_a_year_with_no_exceptions_is_the_plain_week():
    calendar = official_calendar(years=())
    assert calendar.is_workday(date(2027, 10, 1))  # a Friday: nothing says it is a holiday
    assert not calendar.is_workday(date(2027, 10, 2))  # a Saturday
    assert calendar.known_years == frozenset()


# ---- add_working_time by hand --------------------------------------------------------------


def test_friday_five_pm_plus_two_working_hours_is_monday_half_past_ten():
    # 17:00–17:30 on Friday is 30 minutes; the other 90 run from Monday 09:00 to 10:30. The lunch
    # break (12:00) is not reached, so both hour settings agree.
    friday = at(2025, 6, 13, 17)
    assert friday.weekday() == 4
    assert PLAIN_NO_LUNCH.add_working_time(friday, hours(2)) == at(2025, 6, 16, 10, 30)
    assert CALENDAR.add_working_time(friday, hours(2)) == at(2025, 6, 16, 10, 30)


def test_before_national_day_the_next_working_hours_are_after_it():
    # Tuesday 30 September 17:00 + 2 h: 30 min that day, then 1–8 October are off → 9 October.
    assert CALENDAR.add_working_time(at(2025, 9, 30, 17), hours(2)) == at(2025, 10, 9, 10, 30)


def test_a_make_up_sunday_counts():
    # Friday 26 September 17:00 + 2 h runs into Sunday 28 September, a working day.
    assert CALENDAR.add_working_time(at(2025, 9, 26, 17), hours(2)) == at(2025, 9, 28, 10, 30)


def test_the_lunch_break_is_skipped_only_when_configured():
    assert CALENDAR.add_working_time(at(2025, 6, 16, 11), hours(2)) == at(2025, 6, 16, 14, 30)
    assert PLAIN_NO_LUNCH.add_working_time(at(2025, 6, 16, 11), hours(2)) == at(2025, 6, 16, 13)


def test_a_start_outside_hours_begins_at_the_next_opening():
    assert CALENDAR.add_working_time(at(2025, 6, 16, 7), hours(1)) == at(2025, 6, 16, 10)
    assert CALENDAR.add_working_time(at(2025, 6, 16, 12, 30), hours(1)) == at(2025, 6, 16, 14, 30)
    assert CALENDAR.add_working_time(at(2025, 6, 14, 10), hours(1)) == at(2025, 6, 16, 10)
    assert CALENDAR.add_working_time(at(2025, 6, 13, 20), hours(1)) == at(2025, 6, 16, 10)


def test_a_duration_that_fills_the_day_ends_at_closing_not_the_next_morning():
    assert CALENDAR.add_working_time(at(2025, 6, 13, 17), timedelta(minutes=30)) == at(
        2025, 6, 13, 17, 30
    )
    assert CALENDAR.add_working_time(at(2025, 6, 16, 9), hours(7)) == at(2025, 6, 16, 17, 30)
    assert CALENDAR.add_working_time(at(2025, 6, 16, 11), hours(1)) == at(2025, 6, 16, 12)


def test_zero_duration_is_the_start_or_the_next_opening():
    inside = at(2025, 6, 16, 10, 15, 3, 7)
    assert CALENDAR.add_working_time(inside, timedelta()) == inside
    assert CALENDAR.add_working_time(at(2025, 6, 16, 17, 30), timedelta()) == at(2025, 6, 17, 9)
    assert CALENDAR.next_opening(at(2025, 6, 16, 12)) == at(2025, 6, 16, 13, 30)


def test_utc_input_is_computed_in_shanghai_and_returned_in_shanghai():
    friday_5pm_in_utc = datetime(2025, 6, 13, 9, tzinfo=UTC)
    result = CALENDAR.add_working_time(friday_5pm_in_utc, hours(2))
    assert result == at(2025, 6, 16, 10, 30)
    assert result.tzinfo == SHANGHAI
    assert result.utcoffset() == timedelta(hours=8)


def test_naive_datetimes_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.add_working_time(datetime(2025, 6, 13, 9), hours(1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_time(at(2025, 6, 13, 9), hours(-1))
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_days(at(2025, 6, 13, 9), -1)


# ---- working_time_between by hand ------------------------------------------------------------


def test_working_time_across_a_weekend_and_lunch():
    # Friday 16:00–17:30 (1.5 h) + Monday 09:00–12:00 (3 h) + 13:30–14:00 (0.5 h) = 5 h.
    assert CALENDAR.working_time_between(at(2025, 6, 13, 16), at(2025, 6, 16, 14)) == hours(5)


def test_a_holiday_week_has_no_working_time():
    assert CALENDAR.working_time_between(at(2025, 10, 1), at(2025, 10, 9)) == timedelta()
    # …but the make-up Saturday after it counts a full day.
    assert CALENDAR.working_time_between(at(2025, 10, 11), at(2025, 10, 12)) == hours(7)


def test_between_is_negative_when_reversed():
    assert CALENDAR.working_time_between(at(2025, 6, 16, 14), at(2025, 6, 13, 16)) == -hours(5)


def test_a_plain_week_has_five_working_days():
    assert CALENDAR.working_time_between(at(2025, 6, 16), at(2025, 6, 23)) == 5 * WITH_LUNCH.daily
    assert WITH_LUNCH.daily == hours(7)
    assert NO_LUNCH.daily == hours(8.5)


# ---- add_working_days ----------------------------------------------------------------------


def test_seven_working_days_end_at_the_close_of_the_seventh_day_after():
    # Received Monday 9 June 2025: Tue 10 … Wed 18 June is the seventh working day.
    for hour in (0, 9, 16, 23):
        assert CALENDAR.add_working_days(at(2025, 6, 9, hour), 7) == at(2025, 6, 18, 17, 30)


def test_working_days_skip_the_national_day_week_and_count_make_up_days():
    # Received Friday 26 September: Sun 28 (make-up), Mon 29, Tue 30, then 1–8 October are off,
    # Thu 9, Fri 10, Sat 11 (make-up) → the sixth working day is Saturday 11 October.
    assert CALENDAR.add_working_days(at(2025, 9, 26, 10), 6) == at(2025, 10, 11, 17, 30)


def test_zero_working_days_is_close_of_business():
    assert CALENDAR.add_working_days(at(2025, 6, 13, 10), 0) == at(2025, 6, 13, 17, 30)
    assert CALENDAR.add_working_days(at(2025, 6, 13, 18), 0) == at(2025, 6, 16, 17, 30)
    assert CALENDAR.add_working_days(at(2025, 6, 14, 10), 0) == at(2025, 6, 16, 17, 30)


def test_working_days_close_without_lunch_setting_too():
    assert PLAIN_NO_LUNCH.add_working_days(at(2025, 6, 13, 10), 1) == at(2025, 6, 16, 17, 30)


# ---- deadline_after and the module functions -------------------------------------------------


def test_deadline_after_chooses_the_clock():
    start = at(2025, 9, 30, 17)
    assert deadline_after(start, hours(2), working=True, calendar=CALENDAR) == at(
        2025, 10, 9, 10, 30
    )
    assert deadline_after(start, hours(2), working=False, calendar=CALENDAR) == at(2025, 9, 30, 19)
    assert add_calendar_time(start, timedelta(days=3)) == at(2025, 10, 3, 17)
    assert CALENDAR.deadline_after(start, hours(2), working=True) == at(2025, 10, 9, 10, 30)


def test_module_functions_take_the_calendar():
    start = at(2025, 9, 30, 17)
    assert add_working_time(start, hours(2), calendar=CALENDAR) == at(2025, 10, 9, 10, 30)
    assert add_working_days(start, 1, calendar=CALENDAR) == at(2025, 10, 9, 17, 30)
    assert working_time_between(start, at(2025, 10, 9, 10, 30), calendar=CALENDAR) == hours(2)


def test_invalid_hours_are_refused():
    with pytest.raises(ValueError):
        WorkingHours.parse("17:30", "09:00", None)
    with pytest.raises(ValueError):
        WorkingHours.parse("09:00", "17:30", ("13:30", "12:00"))
    with pytest.raises(ValueError):
        WorkingHours.parse("09:00", "17:30", ("08:00", "10:00"))
    with pytest.raises(ValueError):
        WorkingHours.parse("9h", "17:30", None)
    with pytest.raises(ValueError):
        WorkCalendar(
            rest_days=frozenset({date(2025, 6, 14)}), extra_workdays=frozenset({date(2025, 6, 14)})
        )


def test_rows_that_agree_with_the_plain_week_change_nothing_but_mark_the_year():
    calendar = WorkCalendar.from_days([(date(2027, 10, 4), True), (date(2027, 10, 2), False)])
    assert calendar.rest_days == frozenset()
    assert calendar.extra_workdays == frozenset()
    assert calendar.known_years == frozenset({2027})


# ---- properties -----------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001  (hypothesis wants naive bounds)
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([SHANGHAI, UTC]),
)
# Up to about ten working weeks, to the microsecond.
durations = st.timedeltas(min_value=timedelta(), max_value=timedelta(hours=350))
calendars = st.sampled_from([CALENDAR, PLAIN_NO_LUNCH])


@settings(max_examples=300, deadline=None)
@given(calendars, moments, durations)
def test_between_undoes_add(calendar, start, duration):
    assert (
        calendar.working_time_between(start, calendar.add_working_time(start, duration)) == duration
    )


@settings(max_examples=200, deadline=None)
@given(calendars, moments, durations, durations)
def test_add_is_monotonic_in_the_duration(calendar, start, first, second):
    shorter, longer = sorted((first, second))
    assert calendar.add_working_time(start, shorter) <= calendar.add_working_time(start, longer)


@settings(max_examples=200, deadline=None)
@given(calendars, moments, moments, durations)
def test_add_is_monotonic_in_the_start(calendar, first, second, duration):
    earlier, later = sorted((first, second))
    assert calendar.add_working_time(earlier, duration) <= calendar.add_working_time(
        later, duration
    )


@settings(max_examples=200, deadline=None)
@given(calendars, moments, durations)
def test_a_deadline_is_never_before_its_start_and_ends_in_working_time(calendar, start, duration):
    due = calendar.add_working_time(start, duration)
    assert due >= start
    if duration:
        # The last microsecond before the deadline was working time (it may be a closing time).
        assert calendar.is_working_moment(due - timedelta(microseconds=1))
    else:
        assert calendar.is_working_moment(due)


@settings(max_examples=200, deadline=None)
@given(calendars, moments, moments, moments)
def test_between_adds_up_over_any_middle_point(calendar, a, b, c):
    assert calendar.working_time_between(a, c) == (
        calendar.working_time_between(a, b) + calendar.working_time_between(b, c)
    )


@settings(max_examples=200, deadline=None)
@given(calendars, moments, moments)
def test_between_is_at_most_the_elapsed_time_and_add_does_not_overshoot(calendar, first, second):
    start, end = sorted((first, second))
    worked = calendar.working_time_between(start, end)
    assert timedelta() <= worked <= end - start
    reached = calendar.add_working_time(start, worked)
    assert reached <= end or worked == timedelta()
    assert calendar.working_time_between(start, reached) == worked


@settings(max_examples=150, deadline=None)
@given(calendars, moments, st.integers(min_value=0, max_value=40))
def test_working_days_land_on_the_close_of_the_counted_day(calendar, start, days):
    due = calendar.add_working_days(start, days)
    local_start = start.astimezone(SHANGHAI)
    assert due > local_start
    assert due.time() == time(17, 30)
    assert due.tzinfo == SHANGHAI
    assert calendar.is_workday(due.date())
    counted = 0
    day = local_start.date() + timedelta(days=1)
    while day <= due.date():
        counted += calendar.is_workday(day)
        day += timedelta(days=1)
    if days:
        assert counted == days
    else:
        assert counted <= 1  # the same day, or the next working day when received after hours


def _brute_force_minutes(calendar: WorkCalendar, start: datetime, minutes: int) -> datetime:
    """Walk minute by minute, asking only whether each minute is working time."""
    moment = start
    while minutes:
        if calendar.is_working_moment(moment):
            minutes -= 1
        moment += timedelta(minutes=1)
    return moment


@settings(max_examples=100, deadline=None)
@given(
    calendars,
    st.datetimes(
        min_value=datetime(2025, 9, 20),  # noqa: DTZ001  (around the 2025 National Day week)
        max_value=datetime(2025, 10, 15),  # noqa: DTZ001
        timezones=st.just(SHANGHAI),
    ).map(lambda moment: moment.replace(second=0, microsecond=0)),
    st.integers(min_value=1, max_value=60 * 20),
)
def test_add_agrees_with_a_minute_by_minute_walk(calendar, start, minutes):
    expected = _brute_force_minutes(calendar, start, minutes)
    due = calendar.add_working_time(start, timedelta(minutes=minutes))
    # The walk stops on the minute after the last working one: the same instant.
    assert due == expected
