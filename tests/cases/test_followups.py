"""The production path of a step's follow-ups (the suite otherwise runs them inline): the step
leaves them in its timeline entry's outbox column, and the worker's relay carries each out once.
"""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gridgov.cases import followups
from gridgov.cases.models import CaseEvent
from gridgov.cases.workflow import transition
from gridgov.cockpit.models import AreaDay
from gridgov.notifications.models import Delivery, Notification


@pytest.fixture
def outbox(settings):
    settings.GRIDGOV_FOLLOW_UPS_INLINE = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def counted(world, *names):
    """The grid's rollup counts, summed over its days."""
    totals = AreaDay.objects.filter(area_code=world.grid_a.code).aggregate(
        **{name: Sum(name) for name in names}
    )
    return tuple(totals[name] or 0 for name in names)


def dispatched_by_phone(world, report):
    case = report(actor=world.secretary, channel="hotline", callback_phone="13812345678")
    case = transition(case=case, action="accept", actor=world.secretary)
    return transition(case=case, action="dispatch", actor=world.secretary)


@pytest.mark.django_db
def test_a_step_leaves_its_follow_up_in_the_outbox_until_it_is_carried_out(world, report, outbox):
    case = dispatched_by_phone(world, report)
    steps = list(case.events.order_by("pk"))
    assert [event.action for event in steps] == ["report", "accept", "dispatch"]
    assert all(event.follow_up for event in steps)
    # nothing has followed yet: no counts, no inbox entry, no text, no deadline check
    assert not AreaDay.objects.exists()
    assert not Notification.objects.filter(recipient=world.worker_a).exists()
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__endswith="check_case_deadlines").exists()

    assert followups.settle_all() == 3

    assert not CaseEvent.objects.filter(follow_up__isnull=False).exists()
    assert counted(world, "reported", "filed", "dispatched") == (1, 1, 1)
    assert Notification.objects.filter(recipient=world.worker_a, kind="new_assignment").exists()
    assert Delivery.objects.filter(kind="accepted").count() == 1  # the caller is told
    check = DBTaskResult.objects.get(task_path__endswith="check_case_deadlines")
    assert check.run_after is not None and check.run_after > case.claim_due_at

    # exactly once: nothing is left to do, and doing it again changes nothing
    assert followups.settle_all() == 0
    assert all(followups.carry_out_pending(event.pk) is False for event in steps)
    assert counted(world, "dispatched") == (1,)
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_follow_ups_carried_out_in_any_order_count_the_same(world, report, outbox):
    case = dispatched_by_phone(world, report)
    case = transition(case=case, action="claim", actor=world.worker_a)
    transition(case=case, action="resolve", actor=world.worker_a, result="已清理")
    waiting = followups.pending()
    assert len(waiting) == 5
    for event_id in reversed(waiting):  # the newest first
        assert followups.carry_out_pending(event_id)
    assert counted(world, "reported", "dispatched", "resolved") == (1, 1, 1)
    assert counted(world, "status_resolved", "status_reported") == (1, 0)


@pytest.mark.django_db
def test_a_batch_with_a_bad_entry_carries_out_the_others(world, report, outbox, caplog):
    first = dispatched_by_phone(world, report)
    second = dispatched_by_phone(world, report)
    broken = first.events.get(action="accept")
    CaseEvent.objects.filter(pk=broken.pk).update(follow_up={"not": "a follow-up"})
    waiting = followups.pending()
    assert len(waiting) == 6

    assert followups.carry_out_waiting(waiting) == 5  # the batch failed, then one by one

    assert followups.pending() == [broken.pk]  # left waiting, and logged
    assert f"follow-up of timeline entry {broken.pk} failed" in caplog.text
    assert counted(world, "reported", "dispatched") == (2, 2)
    assert CaseEvent.objects.filter(case=second, follow_up__isnull=False).count() == 0


@pytest.mark.django_db
def test_a_rolled_back_step_leaves_nothing_to_follow(world, report, outbox):
    case = report()
    with pytest.raises(PermissionDenied):  # a grid worker does not accept reports
        transition(case=case, action="accept", actor=world.worker_a)
    assert followups.pending() == [case.events.get().pk]  # only the report's


@pytest.mark.django_db(transaction=True)
def test_the_worker_relay_carries_them_out_within_seconds(world, taxonomy, outbox):
    from gridgov.cases.models import Category
    from gridgov.cases.services import case_report

    _thread, stop = followups.start_relay()
    try:
        case = case_report(
            actor=world.resident,
            channel="resident",
            category=Category.objects.get(code="0101"),
            title="楼道堆放杂物",
            area=world.grid_a,
        ).case
        transition(case=case, action="accept", actor=world.secretary)
        deadline = time.monotonic() + 15
        while followups.pending_count() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert followups.pending_count() == 0
        assert counted(world, "reported", "filed") == (1, 1)
    finally:
        stop.set()
        _thread.join(timeout=5)


@pytest.mark.django_db
def test_gridgov_sweep_and_rollup_rebuild_carry_out_what_is_waiting(world, report, outbox):
    dispatched_by_phone(world, report)
    call_command("sweep")
    assert followups.pending_count() == 0
    dispatched_by_phone(world, report)
    call_command("rollup", "rebuild")  # counts each step once: not again by a late follow-up
    assert followups.pending_count() == 0
    assert counted(world, "dispatched") == (2,)


def rollup_rows() -> dict:
    """Every rollup row's nonzero counts, by table and key."""
    from gridgov.cockpit.models import TABLES, counts_of

    rows = {}
    for dimension, (model, key_column) in TABLES.items():
        keys = ["day", "area_code"] + ([key_column] if key_column else [])
        for row in model.objects.values(*keys, *counts_of(dimension)):
            counts = {name: row[name] for name in counts_of(dimension) if row[name]}
            if counts:
                rows[(dimension, *(row[key] for key in keys))] = counts
    return rows


@pytest.mark.django_db
def test_one_batch_of_different_steps_counts_what_a_rebuild_counts(world, report, outbox):
    """Reports, dispatches and resolutions in two grids, carried out in one batch: each table's
    rows change different counts, written by one statement a table."""
    dispatched_by_phone(world, report)
    resolved = transition(
        case=dispatched_by_phone(world, report), action="claim", actor=world.worker_a
    )
    transition(case=resolved, action="resolve", actor=world.worker_a, result="已清理")
    report(area=world.grid_b)
    report(area=world.grid_b, channel="hotline", actor=world.secretary)
    waiting = followups.pending()
    assert len(waiting) == 10
    assert followups.carry_out_batch(waiting) == 10
    relayed = rollup_rows()
    today = timezone.localdate()
    assert relayed[("area", today, world.grid_b.code)]["reported"] == 2
    assert relayed[("area", today, world.grid_a.code)]["resolved"] == 1
    call_command("rollup", "rebuild")
    assert rollup_rows() == relayed
