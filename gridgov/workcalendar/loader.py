"""The process-wide working calendar, loaded once and reloaded when the calendar days change.

Like the area locator: each process keeps one ``WorkCalendar`` and checks, at most once every
``RECHECK_SECONDS``, a cheap fingerprint of the ``CalendarDay`` rows (their count and latest
change). The calendar services also drop the local copy when they write, so the process that made
an edit sees it at once and every other process within a minute; no shared cache is needed.
The working hours come from settings (``GRIDGOV_WORKDAY_START``, ``GRIDGOV_WORKDAY_END``,
``GRIDGOV_LUNCH``) and are compared on every call, so ``override_settings`` in tests just works.
"""

from __future__ import annotations

import threading
import time as clock
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from gridgov.workcalendar.arithmetic import WorkCalendar, WorkingHours
from gridgov.workcalendar.models import CalendarDay

RECHECK_SECONDS = 60.0

DEFAULT_WORKDAY_START = "09:00"
DEFAULT_WORKDAY_END = "17:30"
# Government offices usually close 12:00–13:30; None counts the lunch hour as working time.
DEFAULT_LUNCH: tuple[str, str] | None = ("12:00", "13:30")


def _hours_settings() -> tuple[Any, Any, Any]:
    lunch = getattr(settings, "GRIDGOV_LUNCH", DEFAULT_LUNCH)
    return (
        getattr(settings, "GRIDGOV_WORKDAY_START", DEFAULT_WORKDAY_START),
        getattr(settings, "GRIDGOV_WORKDAY_END", DEFAULT_WORKDAY_END),
        tuple(lunch) if lunch else None,
    )


def working_hours() -> WorkingHours:
    """The working hours the settings name (defaults: 09:00–17:30, lunch 12:00–13:30)."""
    return WorkingHours.parse(*_hours_settings())


def load_calendar() -> WorkCalendar:
    """A fresh calendar from the database (one query). Prefer ``current_calendar()``."""
    return WorkCalendar.from_days(
        CalendarDay.objects.values_list("date", "is_workday"), hours=working_hours()
    )


class CalendarCache:
    """Thread-safe holder of the process's calendar."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calendar: WorkCalendar | None = None
        self._fingerprint: tuple | None = None
        self._hours_key: tuple | None = None
        self._checked_at = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._calendar = None
            self._fingerprint = None

    @staticmethod
    def _current_fingerprint() -> tuple:
        stats = CalendarDay.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
        return (stats["count"], stats["changed"])

    def get(self) -> WorkCalendar:
        now = clock.monotonic()
        hours_key = _hours_settings()
        with self._lock:
            fresh = now - self._checked_at < RECHECK_SECONDS
            if self._calendar is not None and hours_key == self._hours_key and fresh:
                return self._calendar
            fingerprint = self._current_fingerprint()
            if (
                self._calendar is None
                or fingerprint != self._fingerprint
                or hours_key != self._hours_key
            ):
                self._calendar = load_calendar()
                self._fingerprint = fingerprint
                self._hours_key = hours_key
            self._checked_at = now
            return self._calendar


calendar_cache = CalendarCache()


def current_calendar() -> WorkCalendar:
    """The calendar deadlines count in: at most a minute behind an edit made in another process."""
    return calendar_cache.get()
