"""An SOS nobody claims escalates by rule: after the SOS claim time to the community, after the
same time again to the street, through the case loop's deadline jobs (a database queue that a
restarted worker picks up) and, for a lost job, the sweep."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from gridgov.cases.models import Case, CaseStatus, HandlingLevel
from gridgov.cases.workflow import transition
from gridgov.sos.services import sos_press

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _short_sos_deadline(settings):
    settings.GRIDGOV_SOS_CLAIM_SECONDS = 60
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    """A fresh worker process: it knows nothing but the queue in the database."""
    call_command("db_worker", batch=True, interval=0)


def test_unclaimed_sos_escalates_to_the_community_then_the_street_across_worker_restarts(
    world, elder
):
    start = timezone.now()
    with freeze_time(start):
        case = sos_press(resident=elder).case
    assert case.claim_due_at == start + datetime.timedelta(seconds=60)
    assert DBTaskResult.objects.filter(task_path__endswith="check_case_deadlines").exists()

    with freeze_time(start + datetime.timedelta(seconds=30)):
        run_worker()  # not yet due: nothing happens
    assert Case.objects.get(pk=case.pk).handling_level == HandlingLevel.GRID

    with freeze_time(start + datetime.timedelta(seconds=70)):
        run_worker()
    case = Case.objects.get(pk=case.pk)
    assert case.handling_level == HandlingLevel.COMMUNITY
    assert case.assignee_area == world.community1 and case.assignee_user is None
    assert case.status == CaseStatus.DISPATCHED and case.escalation_level == 1
    first = case.events.get(action="escalate")
    assert first.actor is None
    # The community has the same short time to claim.
    assert case.claim_due_at - first.at == datetime.timedelta(seconds=60)

    with freeze_time(start + datetime.timedelta(seconds=140)):
        run_worker()  # another worker again: the next check was queued in the database
    case = Case.objects.get(pk=case.pk)
    assert case.handling_level == HandlingLevel.STREET
    assert case.assignee_area == world.street and case.escalation_level == 2

    with freeze_time(start + datetime.timedelta(seconds=300)):
        run_worker()  # at the street: the chain ends, no further escalation
    assert Case.objects.get(pk=case.pk).escalation_level == 2


def test_a_claimed_sos_does_not_escalate(world, elder):
    start = timezone.now()
    with freeze_time(start):
        case = sos_press(resident=elder).case
    with freeze_time(start + datetime.timedelta(seconds=20)):
        transition(case=case, action="claim", actor=world.worker_a)
    with freeze_time(start + datetime.timedelta(seconds=90)):
        run_worker()
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.CLAIMED and case.escalation_level == 0


def test_the_sweep_escalates_an_sos_whose_job_was_lost(world, elder):
    start = timezone.now()
    with freeze_time(start):
        case = sos_press(resident=elder).case
    DBTaskResult.objects.all().delete()  # the queued check was lost
    with freeze_time(start + datetime.timedelta(seconds=90)):
        call_command("sweep")
    case = Case.objects.get(pk=case.pk)
    assert case.handling_level == HandlingLevel.COMMUNITY


def test_a_repeated_press_does_not_hold_back_the_escalation(world, elder):
    start = timezone.now()
    with freeze_time(start):
        case = sos_press(resident=elder).case
    with freeze_time(start + datetime.timedelta(seconds=40)):
        assert sos_press(resident=elder).linked
    with freeze_time(start + datetime.timedelta(seconds=70)):
        run_worker()
    assert Case.objects.get(pk=case.pk).handling_level == HandlingLevel.COMMUNITY
