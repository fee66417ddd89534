"""What one case adds to the rollups: its counts, by cohort day.

The same definitions as ``gridgov.cases.kpis.count_groups`` (docs/kpis.md), written for one case
in Python: a case belongs to the reported cohort on the day of ``reported_at``, the dispatched
cohort on the day of its first hand-off, the rated cohort on the day of its last rating, the due
cohort on the day of its deadline, the resolved and closed cohorts on the days of its resolution
and closing. Maintaining the rollups is then arithmetic: when a case changes, its old
contribution is taken off and its new one added.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from gridgov.cases.kpis import CLOSED, LEVELS, NOT_DUE
from gridgov.cases.models import CaseStatus, HandlingLevel
from gridgov.cockpit.models import STREET_CODE

S = CaseStatus
HANDOFF_ACTIONS = ("dispatch", "escalate", "whistle")


@dataclass(frozen=True)
class CaseState:
    """The columns of a case the counts depend on (and the keys of its rollup rows)."""

    area_code: str
    category_id: int
    channel: str
    department_id: int | None
    status: str
    supervised: bool
    reported_at: datetime.datetime
    claimed_at: datetime.datetime | None
    claim_due_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    resolve_due_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    rating: int | None
    reopen_count: int

    @classmethod
    def of(cls, case: Any, area_code: str, changes: Mapping[str, Any] | None = None) -> CaseState:
        """The state of ``case`` (a Case), with ``changes`` (field name → value) applied."""
        changes = changes or {}

        def value(name: str) -> Any:
            return changes[name] if name in changes else getattr(case, name)

        def key(name: str) -> Any:
            if name in changes:
                related = changes[name]
                return getattr(related, "pk", related)
            return getattr(case, f"{name}_id")

        return cls(
            area_code=area_code,
            category_id=key("category"),
            channel=value("channel"),
            department_id=key("assignee_department"),
            status=value("status"),
            supervised=bool(value("supervised")),
            reported_at=value("reported_at"),
            claimed_at=value("claimed_at"),
            claim_due_at=value("claim_due_at"),
            resolved_at=value("resolved_at"),
            resolve_due_at=value("resolve_due_at"),
            closed_at=value("closed_at"),
            rating=value("rating"),
            reopen_count=value("reopen_count") or 0,
        )

    @classmethod
    def from_snapshot(cls, values: Mapping[str, Any]) -> CaseState:
        """The state from a snapshot of ``gridgov.cases.changes.snapshot``."""
        from gridgov.cases.changes import moment

        return cls(
            area_code=values["area_code"],
            category_id=values["category_id"],
            channel=values["channel"],
            department_id=values["assignee_department_id"],
            status=values["status"],
            supervised=bool(values["supervised"]),
            reported_at=moment(values["reported_at"]),
            claimed_at=moment(values["claimed_at"]),
            claim_due_at=moment(values["claim_due_at"]),
            resolved_at=moment(values["resolved_at"]),
            resolve_due_at=moment(values["resolve_due_at"]),
            closed_at=moment(values["closed_at"]),
            rating=values["rating"],
            reopen_count=values["reopen_count"] or 0,
        )


# The case's columns a ``CaseState`` is made of, in its fields' order (for ``values_list``).
STATE_COLUMNS = (
    "area__code",
    "category_id",
    "channel",
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


@dataclass(frozen=True)
class TimelineFacts:
    """What the counts read from the timeline (the same look-ups as ``kpis._per_case``)."""

    handoff_at: datetime.datetime | None = None  # first entry from accepted to dispatched
    first_claim_at: datetime.datetime | None = None  # first claim from dispatched to claimed
    first_claim_on_time: bool = False  # that claim met the deadline then in force
    accepted: bool = False
    returned: bool = False
    extended: bool = False  # an approved extension
    rated_at: datetime.datetime | None = None  # the last rating
    # (at, level) of every hand-off: the level at resolution is the last one not after it.
    handoffs: tuple[tuple[datetime.datetime, str | None], ...] = ()

    def level_at(self, moment: datetime.datetime | None) -> str | None:
        if moment is None:
            return None
        level = None
        for at, handoff_level in self.handoffs:
            if at <= moment:
                level = handoff_level
        return level


def _handoff_level(action: str, data: Mapping[str, Any]) -> str | None:
    if action == "whistle":
        return HandlingLevel.DEPARTMENT.value
    if action == "escalate":
        return (data.get("to") or {}).get("level")
    return (data.get("assignee") or {}).get("level")


def timeline_facts(events: Iterable[tuple[str, str, str, datetime.datetime, Any]]) -> TimelineFacts:
    """Facts from timeline entries ``(action, from_status, to_status, at, data)`` in (at, id) order."""
    handoff_at = first_claim_at = rated_at = None
    accepted = returned = extended = first_claim_on_time = False
    handoffs: list[tuple[datetime.datetime, str | None]] = []
    for action, from_status, to_status, at, data in events:
        data = data or {}
        if handoff_at is None and from_status == S.ACCEPTED and to_status == S.DISPATCHED:
            handoff_at = at
        if (
            first_claim_at is None
            and action == "claim"
            and from_status == S.DISPATCHED
            and to_status == S.CLAIMED
        ):
            first_claim_at = at
            first_claim_on_time = data.get("on_time") is True
        if action == "accept":
            accepted = True
        elif action == "return":
            returned = True
        elif action == "decide_extension" and data.get("approved") is True:
            extended = True
        elif action == "rate":
            rated_at = at
        if action in HANDOFF_ACTIONS or (action == "recategorize" and "assignee" in data):
            handoffs.append((at, _handoff_level(action, data)))
    return TimelineFacts(
        handoff_at=handoff_at,
        first_claim_at=first_claim_at,
        first_claim_on_time=first_claim_on_time,
        accepted=accepted,
        returned=returned,
        extended=extended,
        rated_at=rated_at,
        handoffs=tuple(handoffs),
    )


def local_day(moment: datetime.datetime) -> datetime.date:
    # The default zone directly (not the request's current one): rollup days are the
    # deployment's days, and astimezone is the cheapest way there (the rebuild calls it millions
    # of times).
    return moment.astimezone(timezone.get_default_timezone()).date()


def contributions(state: CaseState, facts: TimelineFacts) -> dict[datetime.date, dict[str, float]]:
    """day → counts this case adds to its rows (only the non-zero ones)."""
    days: dict[datetime.date, dict[str, float]] = defaultdict(dict)

    def add(moment: datetime.datetime, name: str, value: float = 1) -> None:
        if value:
            row = days[local_day(moment)]
            row[name] = row.get(name, 0) + value

    status = state.status
    # reported
    reported = state.reported_at
    add(reported, "reported")
    add(reported, f"status_{status}")
    add(reported, f"hour_{reported.astimezone(timezone.get_default_timezone()).hour:02d}")
    if state.supervised:
        add(reported, "supervised")
    if status == S.MERGED:
        add(reported, "merged")
    elif facts.accepted:
        add(reported, "filed")
    # dispatched (first hand-off)
    handoff = facts.handoff_at
    if handoff is not None:
        add(handoff, "dispatched")
        add(handoff, "responded", facts.first_claim_on_time)
        add(handoff, "accurate", not facts.returned)
        add(handoff, "resolved", state.resolved_at is not None)
        add(handoff, "extended", facts.extended)
        if facts.first_claim_at is not None:
            add(handoff, "claimed")
            add(handoff, "claim_seconds", (facts.first_claim_at - handoff).total_seconds())
    # rated (last rating)
    if facts.rated_at is not None and state.rating is not None:
        add(facts.rated_at, "rated")
        add(facts.rated_at, "rated_resolved", state.rating >= 3)
        add(facts.rated_at, "satisfied", state.rating >= 4)
    # due (deadline to resolve), less suspended and merged cases
    due = state.resolve_due_at
    if due is not None and status not in NOT_DUE:
        closed_now = status in CLOSED
        add(due, "due")
        if state.resolved_at is not None:
            add(due, "on_time_resolved", state.resolved_at <= due)
        add(due, "closed", closed_now)
        if closed_now and state.closed_at is not None:
            add(due, "closed_on_time", state.closed_at <= due)
        add(due, "reopened", state.reopen_count > 0)
    # resolved and closed (times from the first hand-off)
    if handoff is not None and state.resolved_at is not None:
        add(state.resolved_at, "resolved_in_period")
        add(state.resolved_at, "resolve_seconds", (state.resolved_at - handoff).total_seconds())
        level = facts.level_at(state.resolved_at)
        if level in LEVELS:
            add(state.resolved_at, f"level_{level}")
    if handoff is not None and state.closed_at is not None and status in CLOSED:
        add(state.closed_at, "closed_in_period")
        add(state.closed_at, "close_seconds", (state.closed_at - handoff).total_seconds())
    return dict(days)


def row_keys(state: CaseState) -> dict[str, Any]:
    """dimension → the key of this case's row in that dimension's rollup (None: no row)."""
    return {
        "area": None,
        "category": state.category_id,
        "channel": state.channel,
        "department": state.department_id,
        "area_street": None,
        "category_street": state.category_id,
        "channel_street": state.channel,
        "department_street": state.department_id,
    }


Delta = dict[tuple[str, Any, datetime.date, str], dict[str, float]]


def add_into(into: Delta, state: CaseState, facts: TimelineFacts, sign: int = 1) -> Delta:
    """Add (sign 1) or take off (sign -1) the case's contribution to ``into``:
    (dimension, key, day, area code) → counts."""
    days = contributions(state, facts)
    street = state.area_code[:STREET_CODE]
    for dimension, key in row_keys(state).items():
        if key is None and dimension.startswith("department"):
            continue  # no lead department: nothing to rank
        area_code = street if dimension.endswith("_street") else state.area_code
        for day, counts in days.items():
            row = into.setdefault((dimension, key, day, area_code), {})
            for name, value in counts.items():
                row[name] = row.get(name, 0) + sign * value
    return into
