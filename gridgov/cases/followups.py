"""What follows a step (a report or a transition): the rollups' counts, the notifications and
the checks of the deadlines it set.

A step writes what it owns (the case, its timeline entry, its audit record), and its timeline
entry carries what follows in its ``follow_up`` column (an outbox riding on a row the step writes
anyway): the case's counted columns before and after the step, whom to tell, which deadlines to
check. The relay that runs in every ``gridgov worker`` carries each one out and clears it in one
transaction, so each follow-up happens exactly once (several workers lock entries, skipping
those another has taken), within about a second of the commit. A step thus
never waits for, or fails because of, a notification or a rollup row; and nothing is lost
between the commit and a queue, as the outbox commits with the step. ``gridgov sweep`` and
``gridgov rollup rebuild`` carry out whatever is left (no worker was running).

``GRIDGOV_FOLLOW_UPS_INLINE`` carries them out inside the step's transaction instead: the test
suite (which looks at inboxes and rollups right after a step) uses it.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Iterable

from django.conf import settings
from django.db import close_old_connections, transaction

from gridgov.cases import changes
from gridgov.cases.models import Case, CaseEvent

logger = logging.getLogger(__name__)


def inline() -> bool:
    return bool(getattr(settings, "GRIDGOV_FOLLOW_UPS_INLINE", False))


def follow_up(
    *,
    before: dict | None,
    after: dict,
    notify: Iterable[tuple[str, str]] = (),
    deadlines: Iterable[datetime.datetime | None] = (),
) -> dict:
    """What follows a step: the rollup counts (from the snapshots ``before`` and ``after``),
    ``notify`` ((kind, audience) pairs) and the checks of the ``deadlines`` the step set.
    Give it to ``outbox`` for the timeline entry's ``follow_up``, then call ``followed``."""
    return {
        "before": before,
        "after": after,
        "notify": [list(item) for item in notify],
        "deadlines": [moment.isoformat() for moment in deadlines if moment is not None],
    }


def outbox(payload: dict) -> dict | None:
    """The value of the new timeline entry's ``follow_up`` column."""
    return None if inline() else payload


def followed(event: CaseEvent, payload: dict) -> None:
    """Called right after the timeline entry is written, in the step's transaction."""
    if inline():
        carry_out(event, payload)


def carry_out(event: CaseEvent, payload: dict) -> None:
    changes.step_followed(event=event, before=payload["before"], after=payload["after"])
    if payload.get("deadlines"):
        from gridgov.cases.jobs import schedule

        schedule(event.case_id, [changes.moment(value) for value in payload["deadlines"]])
    if payload["notify"]:
        from gridgov.cases.notify import after_step

        case = Case.objects.select_related("category", "area").get(pk=event.case_id)
        # Whom to tell is whoever the step assigned, even if a later step has moved it on.
        after = payload["after"]
        case.assignee_user_id = after["assignee_user_id"]
        case.assignee_area_id = after["assignee_area_id"]
        case.assignee_department_id = after["assignee_department_id"]
        case.rating = after["rating"]
        after_step(case, [tuple(item) for item in payload["notify"]])


def pending(limit: int | None = None) -> list[int]:
    """Timeline entries whose follow-up is waiting, oldest first (the first ``limit``)."""
    waiting = (
        CaseEvent.objects.filter(follow_up__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(waiting[:limit] if limit else waiting)


def carry_out_pending(event_id: int) -> bool:
    """Carry out the follow-up of one step if it is waiting and no other worker holds it."""
    with transaction.atomic():
        event = (
            CaseEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, follow_up__isnull=False)
            .first()
        )
        if event is None:
            return False
        carry_out(event, event.follow_up)
        CaseEvent.objects.filter(pk=event_id).update(follow_up=None)
    return True


def relay(stop: threading.Event, *, interval: float = 0.5, batch: int = 200) -> None:
    """Carry out waiting follow-ups, oldest first, until ``stop`` is set (a worker's thread)."""
    while not stop.is_set():
        waiting: list[int] = []
        try:
            waiting = pending(batch)
            for event_id in waiting:
                if stop.is_set():
                    break
                try:
                    carry_out_pending(event_id)
                except Exception:  # one bad entry must not stop the rest; it stays waiting
                    logger.exception("follow-up of timeline entry %s failed", event_id)
        except Exception:  # the database is away: try again later
            logger.exception("follow-up relay could not read the outbox")
        finally:
            close_old_connections()
        if len(waiting) < batch:
            stop.wait(interval)


def start_relay() -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=relay, args=(stop,), name="follow-up-relay", daemon=True)
    thread.start()
    return thread, stop


def settle_all() -> int:
    """Carry out every waiting follow-up now (``gridgov sweep``, before a rollup rebuild)."""
    done = 0
    for event_id in pending():
        try:
            done += carry_out_pending(event_id)
        except Exception:  # it stays waiting, and is logged
            logger.exception("follow-up of timeline entry %s failed", event_id)
    return done


def pending_count() -> int:
    return CaseEvent.objects.filter(follow_up__isnull=False).count()
