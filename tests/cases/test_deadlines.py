"""Deadline jobs: queued at the deadline, surviving a worker restart, idempotent, and repaired
by the sweep."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gridgov.cases.deadlines import Light, light
from gridgov.cases.jobs import check_case, deadline_sweep
from gridgov.cases.models import Case, CaseStatus
from gridgov.cases.workflow import transition

pytestmark = pytest.mark.django_db(transaction=True)

HOUR = datetime.timedelta(hours=1)


def dispatched_at(world, report, when, **fields):
    case = report(**fields)
    case = transition(case=case, action="accept", actor=world.secretary, at=when)
    return transition(case=case, action="dispatch", actor=world.secretary, at=when)


def test_dispatch_queues_one_check_for_the_next_deadline_which_queues_the_one_after(
    world, report, lift
):
    case = dispatched_at(world, report, timezone.now() - 2 * HOUR, category=lift)
    queued = DBTaskResult.objects.filter(task_path__endswith="check_case_deadlines")
    assert [r.run_after for r in queued] == [case.claim_due_at + datetime.timedelta(seconds=5)]
    case = transition(case=case, action="claim", actor=world.secretary)
    DBTaskResult.objects.all().delete()
    from gridgov.cases.jobs import check_case_deadlines

    check_case_deadlines.call(case.pk)  # the claim check ran: the resolve check is queued next
    assert [r.run_after for r in DBTaskResult.objects.all()] == [
        case.resolve_due_at + datetime.timedelta(seconds=5)
    ]


def test_an_unclaimed_case_escalates_by_rule_when_its_job_runs_after_a_restart(world, report, lift):
    # Dispatched 3 hours ago: its one-hour claim deadline has passed with nobody claiming.
    case = dispatched_at(world, report, timezone.now() - 3 * HOUR, category=lift)
    assert case.assignee_area == world.community1
    assert DBTaskResult.objects.filter(status="READY").exists()
    # The worker that queued it is gone; a new worker process takes the queue from the database.
    call_command("db_worker", batch=True, interval=0)
    case = Case.objects.get(pk=case.pk)
    assert case.assignee_area == world.street and case.escalation_level == 1
    escalation = case.events.get(action="escalate")
    assert escalation.actor is None  # the system, by rule
    assert case.status == CaseStatus.DISPATCHED


def test_an_overdue_case_is_marked_once_and_the_sweep_changes_nothing_twice(world, report, lift):
    case = dispatched_at(world, report, timezone.now() - 30 * HOUR, category=lift)
    case = transition(case=case, action="claim", actor=world.secretary)
    now = timezone.now()
    assert light(case, now) == Light.RED
    assert "overdue" in check_case(case.pk, now)
    assert check_case(case.pk, now) == []  # a second run (or a second worker) does nothing
    assert deadline_sweep(now) == 0
    assert Case.objects.get(pk=case.pk).overdue_notified_at is not None


def test_the_sweep_repairs_a_missed_job(world, report, lift):
    case = dispatched_at(world, report, timezone.now() - 3 * HOUR, category=lift)
    DBTaskResult.objects.all().delete()  # the queued jobs were lost
    assert deadline_sweep() == 1
    assert Case.objects.get(pk=case.pk).assignee_area == world.street


def test_a_whistled_department_late_to_report_in_is_flagged(world, report):
    case = dispatched_at(world, report, timezone.now() - 2 * HOUR)
    case = transition(
        case=case,
        action="whistle",
        actor=world.officer,
        lead=world.department,
        at=timezone.now() - HOUR,
    )
    done = check_case(case.pk)
    assert f"summons-late:{world.department.pk}" in done
    assert check_case(case.pk) == []


def test_colours_turn_yellow_then_red(world, report, lift):
    start = timezone.now()
    case = dispatched_at(world, report, start, category=lift)
    case = transition(case=case, action="claim", actor=world.secretary, at=start)
    assert light(case, start + HOUR) == Light.GREEN
    assert light(case, start + 20 * HOUR) == Light.YELLOW  # past 80 % of 24 hours
    assert light(case, start + 25 * HOUR) == Light.RED
