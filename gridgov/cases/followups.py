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
from collections.abc import Callable, Iterable

from auditlog.models import LogEntry
from django.conf import settings
from django.db import close_old_connections, connection, transaction

from gridgov.cases import changes
from gridgov.cases.audit import report_audit_entries
from gridgov.cases.models import Case, CaseEvent
from gridgov.core.compiled import insert_many

logger = logging.getLogger(__name__)
# Follow-ups carried out per transaction by the relay, and how often it looks for them. On SQLite
# a batch holds the one write lock that every report waits for: small batches, looked for often,
# keep that under ten milliseconds. PostgreSQL locks only the batch's own rows, and a batch's
# statements cost about the same for 25 steps as for 100 (the rollup rows they share are written
# once): 0.85 ms of CPU a step in batches of 100 against 1.5 ms in batches of 25, on 2 cores,
# when chosen (the writes batched since cost about 0.4 ms a step in batches of 100).
BATCH = 25


def rhythm() -> tuple[int, float]:
    """(steps per batch, seconds between looks) of the relay on this database."""
    return (BATCH, 0.1) if connection.vendor == "sqlite" else (100, 0.3)


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
    """Carry out one step's follow-up now (inline, in the step's own transaction)."""
    # Inline, the report's own case object is at hand, numbered.
    known = {event.case_id: event.case} if CaseEvent.case.is_cached(event) else None
    steps = [(event, payload)]
    _write(*_prepare(steps, known), steps)


def _tell_and_schedule(event: CaseEvent, payload: dict) -> None:
    """The deadline checks and notifications of one step (the rollups and a report's audit
    entry are written apart)."""
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
    return carry_out_batch([event_id]) == 1


def carry_out_batch(event_ids: Iterable[int]) -> int:
    """Carry out the follow-ups of these steps that are waiting and that no other worker holds;
    returns how many. What to write is worked out first, outside the transaction (on SQLite the
    one write lock would make every report wait for it): the rollup counts of all the steps summed
    (one UPSERT per rollup row, not one per step) and the reports' audit entries (one INSERT).
    Then one transaction takes the entries still waiting, writes, tells and clears. Any failure
    rolls the whole batch back."""
    events = list(
        CaseEvent.objects.filter(pk__in=list(event_ids), follow_up__isnull=False).order_by("pk")
    )
    if not events:
        return 0
    write, entries = _prepare([(event, event.follow_up) for event in events])
    with transaction.atomic():
        held = set(
            CaseEvent.objects.select_for_update(skip_locked=True)
            .filter(pk__in=[event.pk for event in events], follow_up__isnull=False)
            .values_list("pk", flat=True)
        )
        if len(held) < len(events):  # another worker took some meanwhile: work out the rest again
            events = [event for event in events if event.pk in held]
            if not events:
                return 0
            write, entries = _prepare([(event, event.follow_up) for event in events])
        _write(write, entries, [(event, event.follow_up) for event in events])
        CaseEvent.objects.filter(pk__in=[event.pk for event in events]).update(follow_up=None)
    return len(events)


Steps = list[tuple[CaseEvent, dict]]  # (timeline entry, its follow-up)


def _prepare(
    steps: Steps, cases: dict[int, Case] | None = None
) -> tuple[Callable[[], None], list[LogEntry]]:
    """What the steps' follow-ups write, worked out (reads only): the listeners' writer (the
    rollup counts summed) and the reports' unsaved audit entries."""
    write = changes.prepare_steps(
        [(event, payload["before"], payload["after"]) for event, payload in steps]
    )
    entries = report_audit_entries(
        ((event.case_id, payload["audit"]) for event, payload in steps if payload.get("audit")),
        cases,
    )
    return write, entries


def _write(write: Callable[[], None], entries: list[LogEntry], steps: Steps) -> None:
    write()
    insert_many(entries)
    for event, payload in steps:
        _tell_and_schedule(event, payload)


def carry_out_waiting(event_ids: list[int], *, chunk: int = BATCH) -> int:
    """Carry out these follow-ups in batches; a batch that fails is done again step by step, so
    that one bad entry (logged, left waiting) holds up no other."""
    done = 0
    for start in range(0, len(event_ids), chunk):
        part = event_ids[start : start + chunk]
        try:
            done += carry_out_batch(part)
        except Exception:
            logger.warning("a batch of follow-ups failed; carrying them out one by one")
            for event_id in part:
                try:
                    done += carry_out_pending(event_id)
                except Exception:  # it stays waiting, and is logged
                    logger.exception("follow-up of timeline entry %s failed", event_id)
    return done


def relay(stop: threading.Event, *, interval: float | None = None, batch: int = 500) -> None:
    """Carry out waiting follow-ups, oldest first, until ``stop`` is set (a worker's thread);
    ``interval`` between looks when none wait (the database's ``rhythm`` if not given)."""
    chunk, every = rhythm()
    interval = every if interval is None else interval
    while not stop.is_set():
        waiting: list[int] = []
        try:
            waiting = pending(batch)
            for start in range(0, len(waiting), chunk):
                if stop.is_set():
                    break
                carry_out_waiting(waiting[start : start + chunk], chunk=chunk)
        except Exception:  # the database is away: try again later
            logger.exception("follow-up relay could not read the outbox")
        finally:
            close_old_connections()
        if len(waiting) < batch:
            stop.wait(interval)
    # The thread's own connection: a stopped relay holds no database session.
    connection.close()


def start_relay() -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=relay, args=(stop,), name="follow-up-relay", daemon=True)
    thread.start()
    return thread, stop


def settle_all() -> int:
    """Carry out every waiting follow-up now (``gridgov sweep``, before a rollup rebuild)."""
    return carry_out_waiting(pending(), chunk=rhythm()[0])


def pending_count() -> int:
    return CaseEvent.objects.filter(follow_up__isnull=False).count()
