"""The case workflow: one transition table and one function that applies a transition.

``transition()`` is the only code that changes a case's status, assignee or deadlines. In one
transaction it locks the case, checks the table (is the action allowed from this state?), the
guard (may this actor do it?) and the payload, applies the action's effects, writes the change
with a compare-and-set on ``version`` (two people acting at once cannot both win), adds the
timeline entry and the audit record, and queues notifications for after the commit.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from gridgov.areas.locator import cached_area
from gridgov.areas.models import Area
from gridgov.cases import changes, followups, guards
from gridgov.cases.effects import EFFECTS, Effect
from gridgov.cases.errors import ConcurrentChange, WorkflowError
from gridgov.cases.lookups import cached_category
from gridgov.cases.models import Case, CaseEvent, CaseStatus, EventVisibility
from gridgov.core.compiled import CompiledQuery

S = CaseStatus
OPEN_WORK = frozenset({S.DISPATCHED, S.CLAIMED})
OPEN_ANY = frozenset(
    {S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.CLAIMED, S.RESOLVED, S.VERIFIED, S.SUSPENDED}
)
BEFORE_RESOLVED = frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.CLAIMED})
ANY = frozenset(S)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    # The state after the action; None keeps the state, or lets the effect choose (claim,
    # rate, verify, resume) — the effect's choice must then be among ``targets``.
    target: str | None
    guard: Callable[[Any, Case], bool]
    requires: tuple[str, ...] = ()
    visibility: str = EventVisibility.INTERNAL
    targets: frozenset[str] = field(default_factory=frozenset)


def _t(
    action: str,
    label: str | Promise,
    sources: frozenset[str],
    target: str | None,
    guard: Callable[[Any, Case], bool],
    **kwargs: Any,
) -> Transition:
    return Transition(action, label, frozenset(sources), target, guard, **kwargs)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t(
            "accept",
            pgettext_lazy("case action", "Accept"),
            {S.REPORTED},
            S.ACCEPTED,
            guards.is_dispatcher_or_finder,
            visibility=EventVisibility.PUBLIC,
        ),
        _t(
            "reject",
            pgettext_lazy("case action", "Reject"),
            {S.REPORTED},
            S.REJECTED,
            guards.is_dispatcher,
            requires=("reason",),
            visibility=EventVisibility.PUBLIC,
        ),
        _t(
            "dispatch",
            pgettext_lazy("case action", "Dispatch"),
            {S.ACCEPTED},
            S.DISPATCHED,
            guards.is_dispatcher_or_finder,
        ),
        _t(
            "claim",
            pgettext_lazy("case action", "Claim"),
            {S.DISPATCHED, S.CLAIMED},
            None,
            guards.is_assignee,
            targets=frozenset({S.DISPATCHED, S.CLAIMED}),
        ),
        _t(
            "return",
            pgettext_lazy("case action", "Return to dispatcher"),
            OPEN_WORK,
            S.ACCEPTED,
            guards.is_assignee,
            requires=("reason",),
        ),
        _t(
            "assist_done",
            pgettext_lazy("case action", "Report our part done"),
            OPEN_WORK,
            None,
            guards.is_assignee,
        ),
        _t(
            "resolve",
            pgettext_lazy("case action", "Resolve"),
            {S.CLAIMED},
            S.RESOLVED,
            guards.is_lead_handler,
            requires=("result",),
            visibility=EventVisibility.PUBLIC,
        ),
        _t(
            "verify",
            pgettext_lazy("case action", "Verify"),
            {S.RESOLVED},
            None,
            guards.is_verifier,
            requires=("passed",),
            targets=frozenset({S.VERIFIED, S.DISPATCHED, S.CLAIMED}),
        ),
        _t(
            "close",
            pgettext_lazy("case action", "Close"),
            {S.VERIFIED},
            S.CLOSED,
            guards.is_dispatcher,
            visibility=EventVisibility.PUBLIC,
        ),
        _t(
            "rate",
            pgettext_lazy("case action", "Rate"),
            {S.CLOSED},
            None,
            guards.is_reporter_or_callback_clerk,
            requires=("rating",),
            targets=frozenset({S.RATED, S.DISPATCHED, S.CLAIMED}),
        ),
        _t(
            "reopen",
            pgettext_lazy("case action", "Reopen"),
            {S.CLOSED, S.RATED, S.RESOLVED, S.VERIFIED},
            S.DISPATCHED,
            guards.is_reporter_or_callback_clerk,
            requires=("reason",),
            visibility=EventVisibility.PUBLIC,
        ),
        _t(
            "escalate",
            pgettext_lazy("case action", "Escalate"),
            OPEN_WORK,
            S.DISPATCHED,
            guards.is_assignee,
            requires=("reason",),
        ),
        _t(
            "whistle",
            pgettext_lazy("case action", "Whistle (summon departments)"),
            {S.ACCEPTED, S.DISPATCHED, S.CLAIMED},
            S.DISPATCHED,
            guards.is_superior,
            requires=("lead",),
        ),
        _t(
            "merge",
            pgettext_lazy("case action", "Merge into another case"),
            BEFORE_RESOLVED,
            S.MERGED,
            guards.is_dispatcher,
            requires=("into",),
            visibility=EventVisibility.PUBLIC,
        ),
        _t(
            "supervise",
            pgettext_lazy("case action", "Supervise"),
            OPEN_ANY,
            None,
            guards.is_superior,
        ),
        _t(
            "unsupervise",
            pgettext_lazy("case action", "Stop supervising"),
            OPEN_ANY,
            None,
            guards.is_superior,
        ),
        _t(
            "request_extension",
            pgettext_lazy("case action", "Request more time"),
            OPEN_WORK,
            None,
            guards.is_assignee,
            requires=("duration", "reason"),
        ),
        _t(
            "decide_extension",
            pgettext_lazy("case action", "Decide on more time"),
            OPEN_WORK,
            None,
            guards.is_dispatcher,
            requires=("approve",),
        ),
        _t(
            "suspend",
            pgettext_lazy("case action", "Suspend"),
            OPEN_WORK,
            S.SUSPENDED,
            guards.is_dispatcher,
            requires=("reason",),
        ),
        _t(
            "resume",
            pgettext_lazy("case action", "Resume"),
            {S.SUSPENDED},
            None,
            guards.is_dispatcher,
            targets=frozenset({S.DISPATCHED, S.CLAIMED}),
        ),
        _t(
            "recategorize",
            pgettext_lazy("case action", "Change category"),
            BEFORE_RESOLVED,
            None,
            guards.is_dispatcher,
            requires=("category",),
            targets=frozenset(BEFORE_RESOLVED),
        ),
        _t(
            "note",
            pgettext_lazy("case action", "Add a note"),
            ANY,
            None,
            guards.is_staff_in_scope,
            requires=("note",),
        ),
    )
}


def allowed_actions(case: Case, actor: Any) -> list[Transition]:
    """The transitions this actor may take on this case now (for the case page's buttons)."""
    return [
        spec
        for spec in TRANSITIONS.values()
        if case.status in spec.sources and spec.guard(actor, case)
    ]


def transition(
    *,
    case: Case,
    action: str,
    actor: Any,
    note: str = "",
    public: bool | None = None,
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
    **payload: Any,
) -> Case:
    """Apply ``action`` to ``case`` as ``actor``; return the case as it now is.

    Raises WorkflowError (wrong state, missing or bad payload), ConcurrentChange (someone acted
    first: ``expected_version`` is the version the actor saw) or PermissionDenied. Nothing is
    changed when it raises.
    """
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise WorkflowError(_("Unknown action."))
    now = at or timezone.now()
    with transaction.atomic():
        # The category and the area come from caches: building and reading a three-table join
        # cost more than the rest of the step (and the area's polygon is never needed here).
        fresh = _locked(case.pk)
        fresh.category = cached_category(fresh.category_id)
        fresh.area = cached_area(pk=fresh.area_id) or Area.objects.defer("polygon").get(
            pk=fresh.area_id
        )
        if expected_version is not None and fresh.version != expected_version:
            raise ConcurrentChange(
                _("Somebody else changed this case a moment ago. Reload it and try again.")
            )
        if fresh.status not in spec.sources:
            raise WorkflowError(
                _("A case that is %(status)s cannot be handled with “%(action)s”.")
                % {"status": fresh.get_status_display(), "action": spec.label}
            )
        # No actor is the system applying a rule (a deadline job); people always pass themselves.
        if actor is not None and not spec.guard(actor, fresh):
            raise PermissionDenied(_("You may not do this with this case."))
        missing = [name for name in spec.requires if payload.get(name) in (None, "")]
        if action == "note" and note:
            missing = []
        if missing:
            raise WorkflowError(
                {name: [_("This is required for this action.")] for name in missing}
            )
        before = copy.copy(fresh)  # as it was, for the listeners (effects may touch ``fresh``)
        effect: Effect = EFFECTS[action](fresh, actor, payload, now)
        target = effect.target or spec.target or fresh.status
        if spec.target is None and effect.target and effect.target not in spec.targets:
            raise RuntimeError(f"{action} may not lead to {effect.target}")  # a bug, not input
        from_status = fresh.status
        if not _compare_and_set(
            fresh.pk, fresh.version, {"status": target, "updated_at": now, **effect.fields}
        ):
            raise ConcurrentChange(
                _("Somebody else changed this case a moment ago. Reload it and try again.")
            )
        # The deadlines in force at this step, and whether a claim or resolution met them, stay
        # in the timeline: figures judge each hand-off, not only the latest one.
        for name in ("claim_due_at", "resolve_due_at"):
            if effect.fields.get(name) is not None:
                effect.data[name] = effect.fields[name].isoformat()
        if action == "claim" and fresh.claim_due_at is not None:
            effect.data["on_time"] = now <= fresh.claim_due_at
        if action == "resolve" and fresh.resolve_due_at is not None:
            effect.data["on_time"] = now <= fresh.resolve_due_at
        visibility = spec.visibility
        if public is not None:
            visibility = EventVisibility.PUBLIC if public else EventVisibility.INTERNAL
        # The rollups' counts, the notifications and the deadline checks follow from the
        # timeline entry's outbox column: a committed step always has them, a rolled-back one
        # never.
        area_code = before.area.code
        follow_up = followups.follow_up(
            before=changes.snapshot(before, area_code),
            after=changes.snapshot(before, area_code, {**effect.fields, "status": target}),
            notify=effect.notify,
            deadlines=[effect.fields.get("claim_due_at"), effect.fields.get("resolve_due_at")],
        )
        event = CaseEvent.objects.create(
            case=fresh,
            action=action,
            from_status=from_status,
            to_status=target,
            actor=actor if getattr(actor, "pk", None) else None,
            at=now,
            visibility=visibility,
            note=note or payload.get("reason", "") or payload.get("result", "") or "",
            data=effect.data,
            follow_up=followups.outbox(follow_up),
        )
        for after in effect.after_save:
            after(event)
        if target != from_status:
            _fire_reply_templates(fresh, target, actor, now)
        _audit(fresh, action, from_status, target, effect, actor)
        # The row now holds what we wrote: apply it to the locked copy instead of reading again.
        result = fresh
        for name, value in effect.fields.items():
            setattr(result, name, value)
        result.status, result.version, result.updated_at = target, fresh.version + 1, now
        followups.followed(event, follow_up)
    return result


def _compare_and_set(pk: int, version: int, values: dict[str, Any]) -> bool:
    """Write ``values`` (field name → value) and the next version if the row is still at
    ``version``. Written as SQL for the same reason as ``_locked``: the ORM's update() cost
    twice the rest of a step; each value is still prepared by its model field."""
    quote = connection.ops.quote_name
    assignments = [f"{quote('version')} = {quote('version')} + 1"]
    params: list[Any] = []
    for name, value in values.items():
        model_field = Case._meta.get_field(name)
        if model_field.is_relation:
            value = getattr(value, "pk", value)
        assignments.append(f"{quote(model_field.column)} = %s")
        params.append(model_field.get_db_prep_save(value, connection))
    table = quote(Case._meta.db_table)
    sql = f"UPDATE {table} SET {', '.join(assignments)} WHERE id = %s AND version = %s"  # noqa: S608 (names from the model) # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk, version])
        return cursor.rowcount == 1


# The case's row, locked until the transaction ends (``FOR UPDATE`` on PostgreSQL; SQLite's
# writers take turns anyway); compiled once per connection (gridgov.core.compiled): compiling it
# for the case's forty columns cost three times as much as running it, in every step.
_LOCKED_CASE: CompiledQuery[Case] = CompiledQuery(
    lambda p: Case.objects.select_for_update(of=("self",)).filter(pk=p("pk", int))
)


def _locked(pk: int) -> Case:
    case = _LOCKED_CASE.first(pk=pk)
    if case is None:
        raise Case.DoesNotExist(f"case {pk}")
    return case


def _fire_reply_templates(case: Case, status: str, actor: Any, now: datetime.datetime) -> None:
    """Reply templates (常用回复) set to fire on this state become the reporter's update."""
    from gridgov.cases.replies import firing_on

    for pk, text in firing_on(status, case.category_id, case.category.parent_id):
        CaseEvent.objects.create(
            case=case,
            action="reply",
            from_status=status,
            to_status=status,
            actor=actor if getattr(actor, "pk", None) else None,
            at=now,
            visibility=EventVisibility.PUBLIC,
            note=text,
            data={"template": pk},
        )


def _audit(case: Case, action: str, before: str, after: str, effect: Effect, actor: Any) -> None:
    from auditlog.models import LogEntry

    changes: dict[str, list[str]] = {"action": ["", action]}
    if before != after:
        changes["status"] = [before, after]
    for name, value in effect.fields.items():
        changes[name] = ["", str(value)]
    LogEntry.objects.log_create(
        case,
        action=LogEntry.Action.UPDATE,
        changes=changes,
        actor=actor if getattr(actor, "pk", None) else None,
        force_log=True,
    )
