"""Who answers an SOS in a grid right now: the person on duty, else the grid's grid worker,
else nobody in person (the grid's queue, which every worker of the grid sees)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.core.models import GridWorkerKind, Role, RoleAssignment, User
from gridgov.sos.models import DutyShift


class Answerer:
    """How the responder was found (kept in the press's case timeline)."""

    DUTY = "duty"
    GRID_WORKER = "grid_worker"
    QUEUE = "queue"


@dataclass(frozen=True)
class Responder:
    user: User | None
    how: str


def _shifts_at(area: Area, moment: datetime.datetime) -> list[DutyShift]:
    local = timezone.localtime(moment)
    today, time = local.date(), local.time()
    yesterday = today - datetime.timedelta(days=1)

    def day(date: datetime.date) -> Q:
        return (
            Q(date=date)
            | Q(date__isnull=True, weekday=date.weekday())
            | Q(date__isnull=True, weekday__isnull=True)
        )

    candidates = DutyShift.objects.filter(area=area, user__is_active=True).filter(
        day(today) | day(yesterday)
    )
    found: list[tuple[int, int, DutyShift]] = []
    for shift in candidates.select_related("user"):
        for date, rank in ((today, 0), (yesterday, 1)):
            applies = shift.date == date or (
                shift.date is None and shift.weekday in (None, date.weekday())
            )
            if not applies:
                continue
            if date == today:
                inside = (
                    time >= shift.start_time
                    if shift.overnight
                    else shift.start_time <= time < shift.end_time
                )
            else:  # yesterday's overnight shift still running after midnight
                inside = shift.overnight and time < shift.end_time
            if inside:
                # A dated shift wins over the weekly ones; then the one that started last.
                found.append((0 if shift.date else 1, rank, shift))
                break
    found.sort(key=lambda item: (item[0], item[1], -_minutes(item[2].start_time)))
    return [shift for _dated, _rank, shift in found]


def _minutes(time: datetime.time) -> int:
    return time.hour * 60 + time.minute


def on_duty(area: Area, moment: datetime.datetime | None = None) -> User | None:
    """The person on duty in ``area`` at ``moment`` (now), or None."""
    shifts = _shifts_at(area, moment or timezone.now())
    return shifts[0].user if shifts else None


def responsible_worker(area: Area) -> User | None:
    """The grid's own grid worker (a full-time one first), as the area tree's roles say."""
    assignment = (
        RoleAssignment.objects.filter(
            area=area, role=Role.GRID_WORKER, active=True, user__is_active=True
        )
        .annotate(
            rank=Case(
                When(worker_kind=GridWorkerKind.FULL_TIME, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .select_related("user")
        .order_by("rank", "id")
        .first()
    )
    return assignment.user if assignment else None


def responder(area: Area, moment: datetime.datetime | None = None) -> Responder:
    user = on_duty(area, moment)
    if user is not None:
        return Responder(user, Answerer.DUTY)
    user = responsible_worker(area)
    if user is not None:
        return Responder(user, Answerer.GRID_WORKER)
    return Responder(None, Answerer.QUEUE)
