"""Writes to the working calendar: a person setting one day, and the seed from chinesecalendar.

Views, the command and the demo call these. Each runs in one transaction, is audited (the model is
registered with the audit log) and drops the process's cached calendar, so deadlines computed
afterwards count in the new calendar.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridgov.core.models import Role
from gridgov.core.scoping import scope_of
from gridgov.workcalendar.loader import calendar_cache
from gridgov.workcalendar.models import CalendarDay, CalendarDaySource
from gridgov.workcalendar.official import official_exceptions

# The calendar is one for the whole deployment: only those who answer for all its deadlines edit it.
EDITOR_ROLES = frozenset({Role.ADMIN, Role.STREET_OFFICER})


def can_edit_calendar(user: Any) -> bool:
    scope = scope_of(user)
    return scope.everything or bool(scope.roles & EDITOR_ROLES)


def _drop_cached_calendar() -> None:
    # At once, so this process's next deadline already sees the change, and again after the
    # commit, in case another thread reloaded the old rows in between.
    calendar_cache.invalidate()
    transaction.on_commit(calendar_cache.invalidate)


def _locked_day(date: datetime.date) -> CalendarDay | None:
    return CalendarDay.objects.select_for_update().filter(date=date).first()


@transaction.atomic
def calendar_day_set(
    *,
    actor: Any,
    date: datetime.date,
    is_workday: bool,
    name: str,
    note: str = "",
) -> CalendarDay:
    """Make ``date`` a working day or a rest day, by hand.

    The row becomes ``source="manual"``, which the seed never overwrites. A day that breaks the
    plain week needs a name (the holiday, or "…调休上班"): it is what the calendar shows and what
    explains a deadline that moved. Setting a hand-edited day to what it already is writes
    nothing; doing so to a seeded day pins it as manual (a person confirmed it).
    """
    if not can_edit_calendar(actor):
        raise PermissionDenied(_("You may not edit the working calendar."))
    name = name.strip()
    note = note.strip()
    if is_workday != (date.weekday() < 5) and not name:
        raise ValidationError(
            {"name": _("Name the holiday or make-up working day, for example 春节.")}
        )
    day = _locked_day(date)
    if day is None:
        try:
            with transaction.atomic():
                day = CalendarDay.objects.create(
                    date=date,
                    is_workday=is_workday,
                    name=name,
                    note=note,
                    source=CalendarDaySource.MANUAL,
                    updated_by=actor,
                )
        except IntegrityError:
            # Somebody created the day at the same moment; edit their row instead.
            day = _locked_day(date)
            if day is None:
                raise
        else:
            _drop_cached_calendar()
            return day
    if (
        day.is_workday == is_workday
        and day.name == name
        and day.note == note
        and day.source == CalendarDaySource.MANUAL
    ):
        return day
    day.is_workday = is_workday
    day.name = name
    day.note = note
    day.source = CalendarDaySource.MANUAL
    day.updated_by = actor
    day.save(update_fields=["is_workday", "name", "note", "source", "updated_by", "updated_at"])
    _drop_cached_calendar()
    return day


@dataclass
class YearSeed:
    """What the seed did to one year."""

    year: int
    known: bool
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept_manual: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


@transaction.atomic
def calendar_seed(*, years: Iterable[int]) -> list[YearSeed]:
    """Fill each year's holidays and 调休 workdays from chinesecalendar; idempotent.

    Rows a person edited are left alone. Rows an earlier seed wrote that the installed package no
    longer lists (a corrected notice) are removed, so a year always matches the package apart from
    the hand edits. A year the package does not know is reported (``known=False``) and untouched.
    """
    results = []
    for year in sorted(set(years)):
        official = official_exceptions(year)
        if official is None:
            results.append(YearSeed(year=year, known=False))
            continue
        result = YearSeed(year=year, known=True)
        existing = {
            day.date: day for day in CalendarDay.objects.select_for_update().filter(date__year=year)
        }
        result.kept_manual = sum(
            1 for day in existing.values() if day.source == CalendarDaySource.MANUAL
        )
        wanted = {official_day.date: official_day for official_day in official}
        for date, official_day in wanted.items():
            day = existing.get(date)
            if day is None:
                CalendarDay.objects.create(
                    date=date,
                    is_workday=official_day.is_workday,
                    name=official_day.name,
                    source=CalendarDaySource.CHINESECALENDAR,
                )
                result.created += 1
            elif day.source == CalendarDaySource.CHINESECALENDAR and (
                day.is_workday != official_day.is_workday or day.name != official_day.name
            ):
                day.is_workday = official_day.is_workday
                day.name = official_day.name
                day.save(update_fields=["is_workday", "name", "updated_at"])
                result.updated += 1
        for date, day in existing.items():
            if date not in wanted and day.source == CalendarDaySource.CHINESECALENDAR:
                day.delete()  # one by one, so that the audit log records each removal
                result.removed += 1
        results.append(result)
    if any(result.changed for result in results):
        _drop_cached_calendar()
    return results
