"""What each workflow action does besides changing the status.

An effect reads the locked case and the payload, validates what it needs, creates related rows
(summonses, links, followers) and returns the case fields to write; ``workflow.transition`` writes
them with the status in one compare-and-set. Effects never save the case themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.dateparse import parse_duration
from django.utils.translation import gettext as _

from gridgov.cases import deadlines, routing
from gridgov.cases.errors import WorkflowError
from gridgov.cases.models import (
    AttachmentKind,
    Case,
    CaseFollower,
    CaseLink,
    CaseStatus,
    CaseSummons,
    Category,
    HandlingLevel,
    LinkKind,
    SummonsRole,
)
from gridgov.core.models import Department, User

S = CaseStatus


@dataclass
class Effect:
    fields: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    target: str | None = None
    after_save: list[Callable[[Any], None]] = field(default_factory=list)
    # (notification kind, recipients): sent after the commit by gridgov.cases.notify.
    notify: list[tuple[str, str]] = field(default_factory=list)


EffectFunction = Callable[[Case, Any, dict[str, Any], datetime.datetime], Effect]
EFFECTS: dict[str, EffectFunction] = {}


def effect(action: str) -> Callable[[EffectFunction], EffectFunction]:
    def register(function: EffectFunction) -> EffectFunction:
        EFFECTS[action] = function
        return function

    return register


def _fail(field_name: str, message: str) -> None:
    raise WorkflowError({field_name: [message]})


def _deadlines(case: Case, now: datetime.datetime) -> dict[str, Any]:
    claim, resolve, working = deadlines.durations_of(case)
    return {
        "dispatched_at": now,
        "claim_due_at": deadlines.after(now, claim, working=working),
        "resolve_due_at": deadlines.after(now, resolve, working=working),
        "claimed_at": None,
        "overdue_notified_at": None,
    }


def _assign(case: Case, assignee: routing.Assignee, now: datetime.datetime) -> dict[str, Any]:
    """Fields that hand the case to an area queue, a person or a department (lead summons)."""
    if case.dispatched_at is not None:  # summonses exist only after a first hand-off
        case.summons.filter(active=True).update(active=False)
    fields: dict[str, Any] = {
        "assignee_user": None,
        "assignee_area": assignee.area,
        "assignee_department": assignee.department,
        "handling_level": assignee.level,
        "whistled": False,
        **_deadlines(case, now),
    }
    if assignee.department is not None:
        CaseSummons.objects.create(
            case=case,
            department=assignee.department,
            role=SummonsRole.LEAD,
            summoned_at=now,
            claim_due_at=fields["claim_due_at"],
        )
    return fields


# --- intake ------------------------------------------------------------------------------------


@effect("accept")
def accept(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    return Effect(notify=[("accepted", "reporter")])


@effect("reject")
def reject(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    return Effect(fields={"closed_at": now}, notify=[("rejected", "reporter")])


@effect("dispatch")
def dispatch(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    """To a person, an area queue or a department; without one, to the category's default.

    A grid worker who found the case on patrol and is no dispatcher (``guards.is_finder``)
    dispatches it only to themselves, in their grid's queue, whatever the payload says.
    """
    from gridgov.cases.guards import is_dispatcher

    if actor is not None and not is_dispatcher(actor, case):
        grid = routing.area_at(case.area, routing.LEVEL_OF[HandlingLevel.GRID])
        payload = {**payload, "area": grid, "user": actor, "department": None}
    assignee = _assignee_from(payload) or routing.suggest(case)
    if assignee is None:
        _fail("assignee", _("No assignee could be found for this case; choose one."))
    fields = _assign(case, assignee, now)
    if isinstance(payload.get("user"), User):
        fields["assignee_user"] = payload["user"]
    return Effect(
        fields=fields,
        data={"assignee": _describe(assignee, payload.get("user"))},
        notify=[("new_assignment", "assignee")],
    )


def _assignee_from(payload: dict[str, Any]) -> routing.Assignee | None:
    if isinstance(payload.get("department"), Department):
        return routing.Assignee(level=HandlingLevel.DEPARTMENT, department=payload["department"])
    area = payload.get("area")
    if area is not None:
        level = {
            "grid": HandlingLevel.GRID,
            "micro_grid": HandlingLevel.GRID,
            "community": HandlingLevel.COMMUNITY,
            "street": HandlingLevel.STREET,
        }.get(area.level)
        if level is None:
            _fail("area", _("Cases are dispatched to a grid, a community or a street."))
        return routing.Assignee(level=level, area=area)
    user = payload.get("user")
    if isinstance(user, User):
        return routing.Assignee(level=payload.get("level") or HandlingLevel.GRID)
    return None


def _describe(assignee: routing.Assignee, user: Any = None) -> dict[str, Any]:
    return {
        "level": assignee.level,
        "area": assignee.area.code if assignee.area else None,
        "department": assignee.department.pk if assignee.department else None,
        "user": user.pk if isinstance(user, User) else None,
    }


# --- handling ----------------------------------------------------------------------------------


@effect("claim")
def claim(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    from gridgov.cases.guards import own_summons

    summons = own_summons(actor, case) if case.summons.filter(active=True).exists() else None
    if summons is not None:
        if summons.claimed_at is not None:
            _fail("claim", _("Your department has already reported in."))
        summons.claimed_at, summons.claimed_by = now, actor
        summons.save(update_fields=["claimed_at", "claimed_by"])
        if summons.role == SummonsRole.ASSIST:
            return Effect(data={"department": summons.department_id, "role": "assist"})
        return Effect(
            fields={"claimed_at": now},
            target=S.CLAIMED,
            data={"department": summons.department_id, "role": "lead"},
        )
    if case.status == S.CLAIMED:
        _fail("claim", _("This case has already been claimed."))
    fields: dict[str, Any] = {"claimed_at": now}
    if case.assignee_user_id is None:
        fields["assignee_user"] = actor  # the worker who claims an area queue's case takes it
    return Effect(fields=fields, target=S.CLAIMED)


@effect("return")
def return_(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    case.summons.filter(active=True).update(active=False)
    return Effect(
        fields={
            "assignee_user": None,
            "assignee_area": None,
            "assignee_department": None,
            "claim_due_at": None,
            "resolve_due_at": None,
            "claimed_at": None,
            "whistled": False,
        },
        notify=[("returned", "dispatchers")],
    )


@effect("assist_done")
def assist_done(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    from gridgov.cases.guards import own_summons

    summons = own_summons(actor, case)
    if summons is None or summons.role != SummonsRole.ASSIST:
        _fail("assist_done", _("Only an assisting department reports its part done."))
    if summons.claimed_at is None:
        _fail("assist_done", _("Report in (claim) first."))
    summons.done_at, summons.done_note = now, payload.get("reason", "") or payload.get("note", "")
    summons.save(update_fields=["done_at", "done_note"])
    return Effect(data={"department": summons.department_id})


@effect("resolve")
def resolve(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    waiting = case.summons.filter(active=True, role=SummonsRole.ASSIST, done_at__isnull=True)
    if waiting.exists():
        names = ", ".join(str(s.department) for s in waiting.select_related("department"))
        _fail(
            "result",
            _("Assisting departments have not reported their part yet: %(names)s")
            % {"names": names},
        )
    photos = list(payload.get("photos") or [])
    # Photos of the site before the work, when the handler takes them only now (the phone page).
    before = list(payload.get("photos_before") or [])
    return Effect(
        fields={"resolved_at": now, "resolved_by": actor, "result": payload["result"]},
        notify=[("resolved", "reporter")],
        after_save=[
            lambda event: _attach(case, event, before, AttachmentKind.BEFORE),
            lambda event: _attach(case, event, photos, AttachmentKind.AFTER),
        ],
        data={"photos": len(photos) + len(before)} if photos or before else {},
    )


def _attach(case: Case, event: Any, photos: list[Any], kind: str) -> None:
    from gridgov.cases.models import CaseAttachment

    for photo in photos:
        CaseAttachment.objects.create(case=case, event=event, file=photo, kind=kind)
    if photos:
        from gridgov.core.models import StoredFile

        StoredFile.objects.filter(pk__in=[p.pk for p in photos], area__isnull=True).update(
            area=case.area
        )


@effect("verify")
def verify(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    passed = payload["passed"] in (True, "true", "1", "yes", "on")
    if passed:
        return Effect(target=S.VERIFIED, data={"passed": True})
    if not payload.get("reason"):
        _fail("reason", _("Say what is not fixed."))
    return _rework(case, now, data={"passed": False})


def _rework(case: Case, now: datetime.datetime, data: dict[str, Any]) -> Effect:
    """Back to the same handler (返工) with a fresh deadline to resolve."""
    fields = _deadlines(case, now)
    fields["claimed_at"] = now if case.claimed_at else None
    fields.update(
        {
            "reopen_count": case.reopen_count + 1,
            "resolved_at": None,
            "closed_at": None,
            "result": "",
        }
    )
    target = S.CLAIMED if case.claimed_at else S.DISPATCHED
    return Effect(fields=fields, target=target, data=data, notify=[("reopened", "assignee")])


@effect("close")
def close(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    return Effect(
        fields={"closed_at": now},
        notify=[("closed", "reporter")],
        after_save=[lambda event: _ask_if_fixed_later(case.pk, now)],
    )


def _ask_if_fixed_later(case_id: int, closed_at: datetime.datetime) -> None:
    """The resident pages ask the reporter "is it fixed?" some days after closing."""
    from django.apps import apps
    from django.db import transaction

    if apps.is_installed("gridgov.resident"):
        from gridgov.resident.jobs import schedule

        transaction.on_commit(lambda: schedule(case_id, closed_at))


@effect("rate")
def rate(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    try:
        rating = int(payload["rating"])
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        _fail("rating", _("Give a rating from 1 to 5."))
    fields = {"rating": rating, "rating_comment": payload.get("comment", "")}
    data = {"rating": rating, "on_behalf": actor.pk != case.reporter_user_id}
    if rating <= 2:
        # An unhappy reporter reopens the case: back to its handler, the rating kept.
        rework = _rework(case, now, data=data)
        rework.fields.update(fields)
        rework.notify.append(("rated", "assignee"))
        return rework
    return Effect(fields=fields, target=S.RATED, data=data, notify=[("rated", "assignee")])


@effect("reopen")
def reopen(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    effect_ = _rework(case, now, data={"by_reporter": actor.pk == case.reporter_user_id})
    effect_.target = None  # the table's target: dispatched
    effect_.fields["claimed_at"] = None
    return effect_


# --- escalation and summoning ------------------------------------------------------------------


@effect("escalate")
def escalate(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    """Grid → community → street ("网格呼叫、街镇处置"); past the street, whistle departments."""
    assignee = routing.next_level(case)
    if assignee is None:
        _fail(
            "reason", _("This case is at the street already; the street may whistle departments.")
        )
    fields = _assign(case, assignee, now)
    fields["escalation_level"] = case.escalation_level + 1
    return Effect(
        fields=fields,
        data={"to": _describe(assignee)},
        notify=[("escalated", "assignee")],
    )


@effect("whistle")
def whistle(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    """The street summons one lead and several assisting departments; each must report in."""
    from django.conf import settings

    lead: Department = payload["lead"]
    assisting: list[Department] = [d for d in payload.get("assisting") or [] if d.pk != lead.pk]
    within = datetime.timedelta(minutes=int(getattr(settings, "GRIDGOV_WHISTLE_MINUTES", 30)))
    case.summons.filter(active=True).update(active=False)
    for department, role in [(lead, SummonsRole.LEAD)] + [
        (d, SummonsRole.ASSIST) for d in assisting
    ]:
        CaseSummons.objects.create(
            case=case, department=department, role=role, summoned_at=now, claim_due_at=now + within
        )
    fields = _deadlines(case, now)
    fields["claim_due_at"] = now + within
    fields.update(
        {
            "assignee_user": None,
            "assignee_area": None,
            "assignee_department": lead,
            "handling_level": HandlingLevel.DEPARTMENT,
            "whistled": True,
        }
    )
    return Effect(
        fields=fields,
        data={"lead": lead.pk, "assisting": [d.pk for d in assisting]},
        notify=[("whistled", "summoned")],
    )


# --- merging, supervision, time ----------------------------------------------------------------


@effect("merge")
def merge(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    from gridgov.cases.guards import can_see

    into: Case = payload["into"]
    if into.pk == case.pk:
        _fail("into", _("A case cannot be merged into itself."))
    if not into.is_open or into.status == S.MERGED:
        _fail("into", _("Merge into an open case."))
    if not can_see(actor, into):
        _fail("into", _("That case is not in your areas."))
    CaseLink.objects.get_or_create(from_case=case, to_case=into, kind=LinkKind.DUPLICATE)
    # The reporter (and anyone following) follows the surviving case from now on.
    followers = list(case.followers.all())
    if case.reporter_user_id and not any(f.user_id == case.reporter_user_id for f in followers):
        CaseFollower.objects.create(case=into, user_id=case.reporter_user_id)
    for follower in followers:
        CaseFollower.objects.create(case=into, user_id=follower.user_id, phone=follower.phone)
    if case.callback_phone:
        CaseFollower.objects.create(case=into, phone=case.callback_phone)
    case.summons.filter(active=True).update(active=False)
    return Effect(fields={"merged_into": into, "closed_at": now}, data={"into": into.pk})


@effect("supervise")
def supervise(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    if case.supervised:
        _fail("supervise", _("This case is already supervised."))
    return Effect(fields={"supervised": True}, notify=[("supervised", "assignee")])


@effect("unsupervise")
def unsupervise(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    if not case.supervised:
        _fail("unsupervise", _("This case is not supervised."))
    return Effect(fields={"supervised": False})


def _duration(value: Any) -> datetime.timedelta:
    if isinstance(value, datetime.timedelta):
        duration = value
    elif isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        duration = datetime.timedelta(days=int(value))  # a number means days (working days)
    else:
        duration = parse_duration(str(value)) if value else None
    if (
        duration is None
        or duration <= datetime.timedelta(0)
        or duration > datetime.timedelta(days=90)
    ):
        _fail("duration", _("Ask for between one hour and 90 days."))
    return duration


@effect("request_extension")
def request_extension(
    case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime
) -> Effect:
    if case.extension_requested:
        _fail("duration", _("An extension is already waiting for a decision."))
    duration = _duration(payload["duration"])
    return Effect(
        fields={"extension_requested": duration, "extension_reason": payload["reason"]},
        data={"duration": str(duration)},
        notify=[("extension_requested", "dispatchers")],
    )


@effect("decide_extension")
def decide_extension(
    case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime
) -> Effect:
    if not case.extension_requested:
        _fail("approve", _("No extension has been requested."))
    approve = payload["approve"] in (True, "true", "1", "yes", "on")
    fields: dict[str, Any] = {"extension_requested": None, "extension_reason": ""}
    data: dict[str, Any] = {"approved": approve, "duration": str(case.extension_requested)}
    if approve and case.resolve_due_at:
        fields["resolve_due_at"] = deadlines.after(
            case.resolve_due_at, case.extension_requested, working=deadlines.working(case)
        )
        fields["overdue_notified_at"] = None
    return Effect(fields=fields, data=data, notify=[("extension_decided", "assignee")])


@effect("suspend")
def suspend(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    return Effect(fields={"suspended_at": now, "suspended_from": case.status})


@effect("resume")
def resume(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    """The clock stood still while suspended: the deadlines move by the time it waited."""
    working = deadlines.working(case)
    paused = deadlines.between(case.suspended_at or now, now, working=working)
    fields: dict[str, Any] = {"suspended_at": None, "suspended_from": ""}
    for name in ("claim_due_at", "resolve_due_at"):
        due = getattr(case, name)
        if due is not None and paused > datetime.timedelta(0):
            # ``paused`` is measured working time, not a count of working days.
            fields[name] = deadlines.shift(due, paused, working=working)
    return Effect(
        fields=fields,
        target=case.suspended_from or S.DISPATCHED,
        data={"paused_seconds": int(paused.total_seconds())},
    )


@effect("recategorize")
def recategorize(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    """A new category re-routes a case already in someone's hands."""
    category = payload["category"]
    if not isinstance(category, Category) or category.is_class or not category.active:
        _fail("category", _("Choose an active subcategory."))
    if category.pk == case.category_id:
        _fail("category", _("The case is in this category already."))
    case.category = category
    fields: dict[str, Any] = {"category": category}
    target = None
    data: dict[str, Any] = {"category": category.code}
    if case.status in (S.DISPATCHED, S.CLAIMED):
        assignee = routing.suggest(case)
        if assignee is not None:
            fields.update(_assign(case, assignee, now))
            target = S.DISPATCHED
            data["assignee"] = _describe(assignee)  # the new level, for the figures
    return Effect(
        fields=fields,
        target=target,
        data=data,
        notify=[("new_assignment", "assignee")] if target else [],
    )


@effect("note")
def note(case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime) -> Effect:
    """A note, with photos when the handler records the site (before the work, or along it)."""
    photos = list(payload.get("photos") or [])
    if not photos:
        return Effect()
    kind = payload.get("photo_kind")
    kind = kind if kind in AttachmentKind.values else AttachmentKind.OTHER
    return Effect(
        after_save=[lambda event: _attach(case, event, photos, kind)],
        data={"photos": len(photos), "photo_kind": kind},
    )
