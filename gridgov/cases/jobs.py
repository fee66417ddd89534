"""Deadline jobs (healthchecks' ``alert_after`` + ``sendalerts``): indexed deadline columns, an
idempotent check per case queued for the moment a deadline passes, and a sweep that repairs
anything missed (a worker that was down, a job lost).

- A case not claimed by its claim deadline escalates one level by rule (grid → community →
  street), as the system, and its assignee and superiors are told.
- A case not resolved by its resolve deadline is marked overdue once (``overdue_notified_at``):
  its assignee and the dispatchers over it are told.
- A summoned department that has not reported in by its deadline is told once, and so is the street.

Every step is a conditional UPDATE (or a transition with compare-and-set): running a check twice,
or two workers at once, changes nothing the second time.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gridgov.cases.errors import WorkflowError
from gridgov.cases.models import Case, CaseStatus, CaseSummons
from gridgov.cases.routing import next_level

logger = logging.getLogger(__name__)


def escalate_unclaimed() -> bool:
    return bool(getattr(settings, "GRIDGOV_ESCALATE_UNCLAIMED", True))


def check_case(case_id: int, now: datetime.datetime | None = None) -> list[str]:
    """Apply the deadline rules to one case; returns what it did (for logs and tests)."""
    from gridgov.cases.notify import assignee_users, dispatcher_users
    from gridgov.cases.workflow import transition

    now = now or timezone.now()
    done: list[str] = []
    case = Case.objects.select_related("category", "area").filter(pk=case_id).first()
    if case is None or case.status not in (CaseStatus.DISPATCHED, CaseStatus.CLAIMED):
        return done
    if (
        case.status == CaseStatus.DISPATCHED
        and case.claimed_at is None
        and case.claim_due_at is not None
        and case.claim_due_at <= now
        and not case.whistled
        and escalate_unclaimed()
        and next_level(case) is not None
    ):
        try:
            transition(
                case=case,
                action="escalate",
                actor=None,
                reason=_("Not claimed by the claim deadline: escalated by rule."),
                expected_version=case.version,
                at=now,
            )
            done.append("escalated")
        except WorkflowError:
            pass  # someone acted first, or it could not go higher: the next check sees it
        case = Case.objects.select_related("category", "area").get(pk=case_id)
    if (
        case.resolve_due_at is not None
        and case.resolve_due_at <= now
        and case.status in (CaseStatus.DISPATCHED, CaseStatus.CLAIMED)
    ):
        # The mark and the notifications commit together: a worker killed between the two can
        # leave neither a case marked overdue whose people were never told, nor a second telling.
        with transaction.atomic():
            marked = Case.objects.filter(pk=case.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            )
            if marked:
                users = {u.pk: u for u in assignee_users(case) + dispatcher_users(case)}
                _tell(case, "overdue", list(users.values()))
        if marked:
            done.append("overdue")
    for summons in CaseSummons.objects.filter(
        case=case,
        active=True,
        claimed_at__isnull=True,
        claim_due_at__lte=now,
        overdue_notified_at__isnull=True,
    ):
        with transaction.atomic():
            marked = CaseSummons.objects.filter(
                pk=summons.pk, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now)
            if marked:
                _tell(case, "overdue", dispatcher_users(case))
        if marked:
            done.append(f"summons-late:{summons.department_id}")
    return done


def _tell(case: Case, kind: str, users: list) -> None:
    from django.apps import apps

    if not apps.is_installed("gridgov.notifications"):
        return
    from gridgov.cases.notify import tell_staff

    try:
        with transaction.atomic():  # a savepoint: a failing notification undoes only itself
            tell_staff(case, kind, users)
    except Exception:  # a failed notification must not fail the deadline job
        logger.exception("overdue notification for case %s failed", case.pk)


@task()
def check_case_deadlines(case_id: int) -> list[str]:
    """Queued for the moment the next deadline passes (see ``schedule``); survives worker
    restarts because the queue is the database (or Redis). It queues itself again for the
    case's next deadline, so a case has one pending check at a time."""
    now = timezone.now()
    done = check_case(case_id, now)
    case = (
        Case.objects.filter(pk=case_id)
        .values("status", "resolve_due_at", "overdue_notified_at")
        .first()
    )
    if (
        case
        and case["status"] in (CaseStatus.DISPATCHED, CaseStatus.CLAIMED)
        and case["resolve_due_at"] is not None
        and case["resolve_due_at"] > now
        and case["overdue_notified_at"] is None
    ):
        schedule(case_id, [case["resolve_due_at"]])
    return done


def schedule(case_id: int, moments: list[datetime.datetime | None]) -> None:
    """Queue one check for the earliest of the deadline ``moments`` (a few seconds after it)."""
    pending = [m for m in moments if m is not None]
    if not pending:
        return
    try:
        check_case_deadlines.using(run_after=min(pending) + datetime.timedelta(seconds=5)).enqueue(
            case_id
        )
    except Exception:  # the sweep repairs a check that could not be queued
        logger.exception("could not queue the deadline check of case %s", case_id)


def deadline_sweep(now: datetime.datetime | None = None) -> int:
    """Check every open case whose deadline passed (the repair for anything missed)."""
    now = now or timezone.now()
    due = (
        Case.objects.filter(status__in=[CaseStatus.DISPATCHED, CaseStatus.CLAIMED])
        .filter(_claim_passed(now) | _resolve_passed(now) | _summons_late(now))
        .values_list("pk", flat=True)
    )
    changed = 0
    for case_id in list(due):
        if check_case(case_id, now):
            changed += 1
    return changed


def _claim_passed(now: datetime.datetime) -> Q:
    return Q(claimed_at__isnull=True, claim_due_at__lte=now, whistled=False, status="dispatched")


def _resolve_passed(now: datetime.datetime) -> Q:
    return Q(resolve_due_at__lte=now, overdue_notified_at__isnull=True)


def _summons_late(now: datetime.datetime) -> Q:
    return Q(
        Exists(
            CaseSummons.objects.filter(
                case=OuterRef("pk"),
                active=True,
                claimed_at__isnull=True,
                claim_due_at__lte=now,
                overdue_notified_at__isnull=True,
            )
        )
    )
