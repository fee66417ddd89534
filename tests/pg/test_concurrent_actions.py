"""Two people acting on the same case at the same moment: exactly one wins, on a real server."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from gridgov.cases.models import Case, CaseEvent, Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.cases.workflow import transition
from gridgov.core.models import Role
from tests.factories import UserFactory, assign

pytestmark = [pytest.mark.pg, pytest.mark.django_db(transaction=True)]


def test_two_workers_claiming_at_once_cannot_both_win(world):
    load_default_taxonomy(Category)
    hallway = Category.objects.get(code="0101")
    second = UserFactory(username="worker_a2")
    assign(second, Role.GRID_WORKER, world.grid_a)
    case = case_report(
        actor=world.resident,
        channel="resident",
        category=hallway,
        title="楼道杂物",
        area=world.grid_a,
    ).case
    case = transition(case=case, action="accept", actor=world.secretary)
    case = transition(case=case, action="dispatch", actor=world.secretary)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim(user) -> None:
        try:
            barrier.wait()
            transition(case=Case.objects.get(pk=case.pk), action="claim", actor=user)
            outcomes.append("won")
        except (ValidationError, PermissionDenied) as error:
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (world.worker_a, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # The loser waited on the row lock, then found the case claimed by the winner: refused
    # (not the assignee any more, or the wrong state), never a second claim.
    assert sorted(outcomes)[1] == "won" and outcomes.count("won") == 1, outcomes
    assert CaseEvent.objects.filter(case=case, action="claim").count() == 1
    assert Case.objects.get(pk=case.pk).status == "claimed"
