"""Deadlines of a case: from its category and urgency, in working or calendar time.

For categories that count working time a duration's days are working days and its remainder
working hours ("7 days" means seven working days); around-the-clock categories (emergencies,
utilities) count calendar time. The working calendar lives in gridgov.workcalendar.
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.conf import settings

from gridgov.cases.models import Case, Category, Channel, Urgency

EMERGENCY_CLAIM = datetime.timedelta(minutes=10)
EMERGENCY_RESOLVE = datetime.timedelta(hours=2)


class Light(StrEnum):
    """The colour of a deadline: green on time, yellow nearly due, red overdue."""

    NONE = "none"
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


def after(
    start: datetime.datetime, duration: datetime.timedelta, *, working: bool
) -> datetime.datetime:
    """``start`` plus ``duration``, counting working time if ``working``."""
    if not working:
        return start + duration
    from gridgov.workcalendar.arithmetic import add_working_days, add_working_time
    from gridgov.workcalendar.loader import current_calendar

    calendar = current_calendar()
    moment = add_working_days(start, duration.days, calendar=calendar) if duration.days else start
    remainder = datetime.timedelta(seconds=duration.seconds)
    return add_working_time(moment, remainder, calendar=calendar) if remainder else moment


def shift(
    moment: datetime.datetime, duration: datetime.timedelta, *, working: bool
) -> datetime.datetime:
    """``moment`` moved by a measured duration (working hours if ``working``): a suspension's
    pause, unlike a category's "7 days", is time that passed, not a count of days."""
    if not working:
        return moment + duration
    from gridgov.workcalendar.arithmetic import add_working_time

    return add_working_time(moment, duration)


def between(
    start: datetime.datetime, end: datetime.datetime, *, working: bool
) -> datetime.timedelta:
    if not working:
        return end - start
    from gridgov.workcalendar.arithmetic import working_time_between

    return working_time_between(start, end)


def durations(
    category: Category, urgency: str
) -> tuple[datetime.timedelta, datetime.timedelta, bool]:
    """(claim within, resolve within, counts working time) for a category and urgency."""
    if urgency == Urgency.EMERGENCY:
        return EMERGENCY_CLAIM, EMERGENCY_RESOLVE, False
    resolve = (
        category.resolve_within_urgent if urgency == Urgency.URGENT else category.resolve_within
    )
    return category.claim_within, resolve, category.working_time


def durations_of(case: Case) -> tuple[datetime.timedelta, datetime.timedelta, bool]:
    """A case's own deadlines: its category's and urgency's, except that an SOS press (一键通)
    must be claimed within ``GRIDGOV_SOS_CLAIM_SECONDS`` (5 minutes) at every level, so that an
    unanswered SOS escalates grid → community → street by the ordinary rule within minutes."""
    claim, resolve, working_time = durations(case.category, case.urgency)
    if case.channel == Channel.SOS:
        seconds = int(getattr(settings, "GRIDGOV_SOS_CLAIM_SECONDS", 300))
        claim = datetime.timedelta(seconds=max(seconds, 1))
    return claim, resolve, working_time


def working(case: Case) -> bool:
    return durations(case.category, case.urgency)[2]


def light(case: Case, now: datetime.datetime) -> Light:
    """Yellow once ``GRIDGOV_DEADLINE_WARNING_SHARE`` of the time to resolve has passed."""
    due = case.resolve_due_at if case.claimed_at else case.claim_due_at or case.resolve_due_at
    if due is None or not case.is_open or case.status == "suspended":
        return Light.NONE
    if now > due:
        return Light.RED
    start = case.dispatched_at or case.reported_at
    share = float(getattr(settings, "GRIDGOV_DEADLINE_WARNING_SHARE", 0.8))
    total = (due - start).total_seconds()
    if total > 0 and (now - start).total_seconds() >= share * total:
        return Light.YELLOW
    return Light.GREEN
