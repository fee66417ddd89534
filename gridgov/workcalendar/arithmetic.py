"""Working-time arithmetic: deadlines and durations counted in the working hours of working days.

Everything here is pure: a ``WorkCalendar`` is an immutable value (the days that break the plain
week, and the working hours), built once by ``gridgov.workcalendar.loader.current_calendar`` and
handed around. The module-level functions take it as ``calendar=``; when it is left out they use
the process's current calendar (the one import of Django code, done lazily).

The rules, in one place:

- A day is a working day by the plain week (Monday to Friday), unless the calendar lists it as a
  rest day (a public holiday on a weekday) or an extra working day (a 调休 Saturday or Sunday).
- Working time is the working periods of working days: ``start``–``end``, split by the lunch break
  when there is one. Periods are half-open: 17:30 itself is already outside a 09:00–17:30 day.
- All arithmetic happens on Asia/Shanghai wall-clock time; every datetime going in must be
  timezone-aware (a naive one is a bug upstream and raises), every datetime coming out is aware, in
  Asia/Shanghai. China has had no daylight saving time since 1991, so a wall-clock day is always
  24 hours and the arithmetic is exact to the microsecond.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = timedelta(days=1)
MIDNIGHT = time(0, 0)

Period = tuple[timedelta, timedelta]  # (from, to) as offsets from local midnight


def parse_clock(value: str | time) -> time:
    """``"09:00"`` (or a ``time``) → ``time(9, 0)``; the form the settings use."""
    if isinstance(value, time):
        return value
    try:
        hours, minutes = str(value).strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as error:
        raise ValueError(f"not a clock time HH:MM: {value!r}") from error


def _offset(clock: time) -> timedelta:
    return timedelta(hours=clock.hour, minutes=clock.minute, seconds=clock.second)


@dataclass(frozen=True)
class WorkingHours:
    """The hours of one working day: opening, closing and an optional lunch break inside them."""

    start: time = time(9, 0)
    end: time = time(17, 30)
    lunch: tuple[time, time] | None = (time(12, 0), time(13, 30))

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"the working day must open before it closes: {self.start}–{self.end}")
        if self.lunch is not None:
            lunch_start, lunch_end = self.lunch
            if not self.start < lunch_start < lunch_end < self.end:
                raise ValueError(
                    f"the lunch break {lunch_start}–{lunch_end} must lie inside the working day "
                    f"{self.start}–{self.end}"
                )

    @classmethod
    def parse(
        cls, start: str | time, end: str | time, lunch: Iterable[str | time] | None
    ) -> WorkingHours:
        """From the settings' form: ``("09:00", "17:30", ("12:00", "13:30") or None)``."""
        lunch_times = None
        if lunch:
            lunch_start, lunch_end = lunch
            lunch_times = (parse_clock(lunch_start), parse_clock(lunch_end))
        return cls(parse_clock(start), parse_clock(end), lunch_times)

    @property
    def periods(self) -> tuple[Period, ...]:
        if self.lunch is None:
            return ((_offset(self.start), _offset(self.end)),)
        return (
            (_offset(self.start), _offset(self.lunch[0])),
            (_offset(self.lunch[1]), _offset(self.end)),
        )

    @property
    def daily(self) -> timedelta:
        """Working time in one working day (7 h for 09:00–17:30 with a 90-minute lunch)."""
        return sum((to - from_ for from_, to in self.periods), timedelta())


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("working-time arithmetic needs timezone-aware datetimes")
    return moment.astimezone(SHANGHAI)


def _split(moment: datetime) -> tuple[date, timedelta]:
    """Aware datetime → (its Shanghai date, time since that local midnight)."""
    local = _local(moment)
    day = local.date()
    return day, local.replace(tzinfo=None) - datetime.combine(day, MIDNIGHT)


def _join(day: date, offset: timedelta) -> datetime:
    return datetime.combine(day, MIDNIGHT, tzinfo=SHANGHAI) + offset


@dataclass(frozen=True)
class WorkCalendar:
    """The plain week (Monday to Friday work, Saturday and Sunday rest) and its exceptions.

    ``rest_days`` are weekdays off (public holidays and the weekdays of a 调休 bridge);
    ``extra_workdays`` are weekend days worked (调休上班). ``known_years`` are the years for which
    somebody (the chinesecalendar seed or a person) recorded exceptions; any other year is counted
    as a plain week, which is wrong around its holidays, so pages and reports can warn about it.
    """

    rest_days: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    hours: WorkingHours = field(default_factory=WorkingHours)
    known_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        both = self.rest_days & self.extra_workdays
        if both:
            raise ValueError(f"days both worked and off: {sorted(both)}")

    @classmethod
    def from_days(
        cls,
        days: Iterable[tuple[date, bool]],
        *,
        hours: WorkingHours | None = None,
    ) -> WorkCalendar:
        """From (date, is_workday) pairs, e.g. the CalendarDay rows.

        A pair that agrees with the plain week (a weekday marked as working) changes nothing, but
        still marks its year as known: a person confirmed it.
        """
        rest, extra, years = set(), set(), set()
        for day, is_workday in days:
            years.add(day.year)
            plain = day.weekday() < 5
            if plain and not is_workday:
                rest.add(day)
            elif not plain and is_workday:
                extra.add(day)
        return cls(
            rest_days=frozenset(rest),
            extra_workdays=frozenset(extra),
            hours=hours or WorkingHours(),
            known_years=frozenset(years),
        )

    # ---- days ---------------------------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        if day in self.rest_days:
            return False
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += ONE_DAY
        # Terminates: the exceptions are finite, so the plain week takes over after the last one.
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    # ---- moments ------------------------------------------------------------------------------

    def closing_time(self, day: date) -> datetime:
        """The end of the last working period of ``day`` (whether or not it is a working day)."""
        return _join(day, self.hours.periods[-1][1])

    def is_working_moment(self, moment: datetime) -> bool:
        day, offset = _split(moment)
        return self.is_workday(day) and any(a <= offset < b for a, b in self.hours.periods)

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself if the office is open then, else the next time it opens."""
        return self.add_working_time(moment, timedelta())

    # ---- arithmetic ---------------------------------------------------------------------------

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when ``duration`` of working time has passed since ``start``.

        A start outside working hours begins counting at the next opening. A duration that uses up
        a period exactly ends at that period's close (Friday 17:00 + 30 min → Friday 17:30, not
        Monday 09:00); a zero duration gives the next working moment (``next_opening``).
        """
        if duration < timedelta():
            raise ValueError("a duration of working time cannot be negative")
        day, offset = _split(start)
        remaining = duration
        periods = self.hours.periods
        while True:
            if self.is_workday(day):
                for period_start, period_end in periods:
                    if offset >= period_end:
                        continue
                    begin = max(offset, period_start)
                    available = period_end - begin
                    if remaining <= available:
                        return _join(day, begin + remaining)
                    remaining -= available
            day += ONE_DAY
            offset = timedelta()

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end); negative when ``end`` is before ``start``.

        The inverse of ``add_working_time``: ``working_time_between(s, add_working_time(s, d)) == d``.
        Use it for KPIs (time to claim, time to resolve) and to measure a 缓办 suspension that
        stops a case's clock.
        """
        if end < start:
            return -self.working_time_between(end, start)
        first_day, first_offset = _split(start)
        last_day, last_offset = _split(end)
        total = timedelta()
        periods = self.hours.periods
        day = first_day
        while day <= last_day:
            if self.is_workday(day):
                low = first_offset if day == first_day else timedelta()
                high = last_offset if day == last_day else ONE_DAY
                for period_start, period_end in periods:
                    overlap = min(period_end, high) - max(period_start, low)
                    if overlap > timedelta():
                        total += overlap
            day += ONE_DAY
        return total

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The close of the ``days``-th working day after the day of ``start``.

        Counted as the Civil Code counts periods (arts. 201 and 203): the day the period starts
        is not counted, and the period ends when business stops on its last day. So a case
        received on Monday 2025-06-09 at 10:00 with 7 working days is due Wednesday 2025-06-18 at
        17:30, whatever the hour it came in. ``days=0`` means "by the close of business": the close
        of the start's day if that is a working day not yet closed, else of the next working day.
        """
        if days < 0:
            raise ValueError("a number of working days cannot be negative")
        day, _offset_ = _split(start)
        if days == 0:
            if self.is_workday(day) and _local(start) < self.closing_time(day):
                return self.closing_time(day)
            days = 1
        for _ in range(days):
            day = self.next_workday(day)
        return self.closing_time(day)

    @staticmethod
    def add_calendar_time(start: datetime, duration: timedelta) -> datetime:
        """Plain elapsed time (for categories that count around the clock), in Asia/Shanghai."""
        return _local(start) + duration

    def deadline_after(self, start: datetime, duration: timedelta, *, working: bool) -> datetime:
        """The one function callers use: a category's ``counts_working_time`` picks the clock."""
        if working:
            return self.add_working_time(start, duration)
        return self.add_calendar_time(start, duration)


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    if calendar is not None:
        return calendar
    from gridgov.workcalendar.loader import current_calendar

    return current_calendar()


def add_working_time(
    start: datetime, duration: timedelta, *, calendar: WorkCalendar | None = None
) -> datetime:
    return _calendar(calendar).add_working_time(start, duration)


def add_working_days(
    start: datetime, days: int, *, calendar: WorkCalendar | None = None
) -> datetime:
    return _calendar(calendar).add_working_days(start, days)


def working_time_between(
    start: datetime, end: datetime, *, calendar: WorkCalendar | None = None
) -> timedelta:
    return _calendar(calendar).working_time_between(start, end)


def add_calendar_time(start: datetime, duration: timedelta) -> datetime:
    return WorkCalendar.add_calendar_time(start, duration)


def deadline_after(
    start: datetime,
    duration: timedelta,
    *,
    working: bool,
    calendar: WorkCalendar | None = None,
) -> datetime:
    """``start`` plus ``duration``, in working time when ``working`` else in calendar time."""
    if not working:
        return add_calendar_time(start, duration)
    return _calendar(calendar).add_working_time(start, duration)
