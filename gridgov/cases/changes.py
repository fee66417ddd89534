"""Listeners told of every step of a case (its report and each transition).

``case_report`` and ``workflow.transition`` describe each step with two snapshots of the case's
counted columns, before and after (``snapshot``: plain JSON, so that the description can wait in
the follow-up outbox, ``gridgov.cases.followups``), and the listeners (the cockpit's rollups,
registered with ``listen`` in their ``AppConfig.ready``) are called when the step is followed up:
after its commit, or inside it when follow-ups run inline. A listener may not change the case.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

# The columns of a case that figures and notifications depend on (foreign keys by id).
COUNTED = (
    "category_id",
    "channel",
    "assignee_user_id",
    "assignee_area_id",
    "assignee_department_id",
    "status",
    "supervised",
    "reported_at",
    "claimed_at",
    "claim_due_at",
    "resolved_at",
    "resolve_due_at",
    "closed_at",
    "rating",
    "reopen_count",
)
MOMENTS = frozenset(
    {"reported_at", "claimed_at", "claim_due_at", "resolved_at", "resolve_due_at", "closed_at"}
)

_followed: list[Callable[..., None]] = []
# A listener's way of taking many steps at once (the relay's batches), by its single one: it
# works out what to write and returns a function that writes it.
_prepare_many: dict[Callable[..., None], Callable[..., Callable[[], None]]] = {}


def listen(
    *,
    followed: Callable[..., None],
    prepare_many: Callable[..., Callable[[], None]] | None = None,
) -> None:
    """``followed(event=, before=, after=)``: ``event`` is the step's timeline entry, ``before``
    and ``after`` the case's snapshots around it (``before`` is None for a report).
    ``prepare_many(steps)``, optional, for a list of ``(event, before, after)``: reads what it
    needs and returns a function that writes, with the same result as one ``followed`` per step.
    It may run outside the transaction that writes (it must read only history, which no step
    changes)."""
    if followed not in _followed:
        _followed.append(followed)
    if prepare_many is not None:
        _prepare_many[followed] = prepare_many


def snapshot(case: Any, area_code: str, changes: Mapping[str, Any] | None = None) -> dict:
    """The counted columns of ``case`` with ``changes`` (field name → value, foreign keys as
    instances or ids) applied, as JSON values."""
    changes = changes or {}
    values: dict[str, Any] = {"area_code": area_code}
    for column in COUNTED:
        name = column.removesuffix("_id")
        if name != column and name in changes:
            value = getattr(changes[name], "pk", changes[name])
        elif column in changes:
            value = changes[column]
        else:
            value = getattr(case, column)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        values[column] = value
    return values


def moment(value: str | None) -> datetime.datetime | None:
    """A moment of a snapshot back as a datetime."""
    return datetime.datetime.fromisoformat(value) if value else None


def prepare_steps(steps: list[tuple[Any, dict | None, dict]]) -> Callable[[], None]:
    """What every listener will write for ``steps`` ((event, before, after) each), worked out
    now; call the result to write it."""
    writers: list[Callable[[], None]] = []
    for listener in _followed:
        prepare = _prepare_many.get(listener)
        if prepare is not None:
            writers.append(prepare(steps))
        else:
            writers.append(
                lambda listener=listener: [
                    listener(event=event, before=before, after=after)
                    for event, before, after in steps
                ]
            )

    def write() -> None:
        for writer in writers:
            writer()

    return write
