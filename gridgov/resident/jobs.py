"""The "is it fixed?" question, asked of the reporter some days after a case closed.

Like the case deadlines (gridgov/cases/jobs.py): closing a case queues ``ask_if_fixed`` for the
moment the question is due (django-tasks: the database queue, or Redis), and ``fixed_check_sweep``
(run by ``gridgov sweep``) asks whatever a lost or late job missed. Asking is idempotent: one
question per closing (a unique row), so a job and the sweep racing ask once.
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from gridgov.cases.models import Case, CaseStatus
from gridgov.resident import conf
from gridgov.resident.models import FixedCheck
from gridgov.resident.texts import FIXED_CHECK

logger = logging.getLogger(__name__)

ASKED_STATUSES = (CaseStatus.CLOSED, CaseStatus.RATED)


def _due(now: datetime.datetime):
    """Closed cases with somebody to ask, closed long enough ago, not yet asked about this closing."""
    return Case.objects.filter(
        status__in=ASKED_STATUSES,
        closed_at__isnull=False,
        closed_at__lte=now - conf.fixed_check_delay(),
    ).exclude(reporter_user__isnull=True, callback_phone_index="")


def ask(case: Case, now: datetime.datetime | None = None) -> FixedCheck | None:
    """Ask the reporter of ``case`` "is it fixed?" once for its last closing; None if not due."""
    now = now or timezone.now()
    case = _due(now).filter(pk=case.pk).select_related("reporter_user").first()
    if case is None:
        return None
    if FixedCheck.objects.filter(case=case, closed_at=case.closed_at).exists():
        return None
    try:
        with transaction.atomic():
            check = FixedCheck.objects.create(case=case, closed_at=case.closed_at, asked_at=now)
            transaction.on_commit(lambda: _tell(case), robust=True)
    except IntegrityError:
        return None  # another worker asked a moment ago
    return check


def _tell(case: Case) -> None:
    from gridgov.notifications.services import notify_phone, notify_user
    from gridgov.notifications.texts import language_of

    if case.reporter_user_id:
        # In the reporter's language, not in whatever the thread running the job has active.
        with translation.override(language_of(case.reporter_user)):
            title = _("Is the problem of your report %(number)s fixed?") % {"number": case.number}
        notify_user(
            recipient=case.reporter_user,
            kind="system",
            title=title,
            body=case.title,
            link=reverse("resident:case", args=[case.pk]),
            related=case,
        )
    phone = case.callback_phone or (case.reporter_user.phone if case.reporter_user_id else "")
    if phone:
        try:
            notify_phone(
                phone=phone,
                template=FIXED_CHECK,
                params={"case": case.number},
                kind="case_feedback",
            )
        except Exception:  # a landline cannot get a text; the page still asks
            logger.info("no text message for the fixed check of case %s", case.pk)


def fixed_check_sweep(now: datetime.datetime | None = None) -> int:
    """Ask every reporter whose question is due and not yet asked; returns how many were asked."""
    now = now or timezone.now()
    asked = 0
    for case in _due(now).only("pk"):
        if ask(case, now) is not None:
            asked += 1
    return asked


@task()
def ask_if_fixed(case_id: int) -> bool:
    """Queued at closing for the moment the question is due."""
    case = Case.objects.filter(pk=case_id).first()
    return case is not None and ask(case) is not None


def schedule(case_id: int, closed_at: datetime.datetime) -> None:
    """Queue the question for ``closed_at`` plus the configured days (the sweep repairs a miss)."""
    try:
        ask_if_fixed.using(run_after=closed_at + conf.fixed_check_delay()).enqueue(case_id)
    except Exception:
        logger.exception("could not queue the fixed check of case %s", case_id)
