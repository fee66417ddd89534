"""A problem found on patrol: reported through case_report (channel patrol), taken on by the
finder through accept → dispatch → claim when it is a grid matter of their own grid."""

from __future__ import annotations

import pytest

from gridgov.cases.models import Case, CaseStatus, Channel
from gridgov.cases.services import case_report
from gridgov.cases.workflow import allowed_actions, transition
from gridgov.core.models import StoredFile
from gridgov.patrol.models import PatrolCase
from gridgov.patrol.services import patrol_start
from tests.patrol.conftest import not_a_photo, png

pytestmark = pytest.mark.django_db


def post_report(client, category, **fields):
    data = {"category": category.pk, "title": "楼道堆放纸箱", "client_key": fields.pop("key", "")}
    data.update(fields)
    return client.post("/w/report/", data)


def test_a_grid_matter_of_the_own_grid_is_assigned_to_and_claimed_by_the_finder(
    grids, hallway, login
):
    world = grids
    response = post_report(
        login(world.worker_a), hallway, lon="120.005", lat="30.005", photos=png("scene.png")
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/w/cases/{case.pk}/"
    assert case.channel == Channel.PATROL and case.area == world.grid_a
    assert case.status == CaseStatus.CLAIMED
    assert case.assignee_user == world.worker_a and case.assignee_area == world.grid_a
    assert case.reporter_user == world.worker_a
    actions = list(case.events.order_by("at", "id").values_list("action", "actor"))
    assert actions == [
        ("report", world.worker_a.pk),
        ("accept", world.worker_a.pk),
        ("dispatch", world.worker_a.pk),
        ("claim", world.worker_a.pk),
    ]
    dispatch = case.events.get(action="dispatch")
    assert dispatch.data["assignee"]["level"] == "grid"  # "小事不出网格" counts it
    assert case.attachments.get().kind == "before"
    # And it is on the finder's to-do at once.
    assert case.title in login(world.worker_a).get("/w/").content.decode()


def test_a_community_matter_waits_for_dispatch(grids, lift, login):
    world = grids
    response = post_report(login(world.worker_a), lift, area=world.grid_a.pk, title="电梯停运")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == CaseStatus.REPORTED and case.assignee_user is None
    assert case.channel == Channel.PATROL


def test_a_point_in_another_grid_is_not_taken_on(grids, hallway, login):
    world = grids
    post_report(login(world.worker_a), hallway, lon="120.015", lat="30.005")
    case = Case.objects.get()
    assert case.area == world.grid_b
    assert case.status == CaseStatus.REPORTED and case.assignee_user is None


def test_a_case_reported_during_a_patrol_is_linked_to_it(grids, hallway, login):
    world = grids
    patrol, _created = patrol_start(worker=world.worker_a)
    post_report(login(world.worker_a), hallway, lon="120.005", lat="30.005")
    assert PatrolCase.objects.get().patrol == patrol


def test_the_same_report_sent_twice_files_one_case(grids, hallway, login):
    world = grids
    client = login(world.worker_a)
    for _attempt in range(2):
        assert post_report(client, hallway, area=world.grid_a.pk, key="k-1").status_code == 302
    assert Case.objects.count() == 1


def test_a_bad_photo_or_no_place_creates_nothing(grids, hallway, login):
    world = grids
    client = login(world.worker_a)
    response = post_report(client, hallway, area=world.grid_a.pk, photos=not_a_photo())
    assert response.status_code == 400
    response = post_report(client, hallway)  # neither a position nor an area
    assert response.status_code == 400
    assert "请" in response.content.decode()  # the reason, in Chinese
    assert not Case.objects.exists() and not StoredFile.objects.exists()


def test_only_the_finder_may_take_it_on_and_only_for_themselves(grids, hallway, login):
    world = grids
    case = case_report(
        actor=world.worker_a,
        channel="patrol",
        category=hallway,
        title="楼道杂物",
        area=world.grid_a,
    ).case
    assert {"accept", "dispatch"} & {
        s.action for s in allowed_actions(case, world.worker_b)
    } == set()
    # A resident's report is not the worker's to accept.
    other = case_report(
        actor=world.resident, channel="resident", category=hallway, title="杂物", area=world.grid_a
    ).case
    assert "accept" not in {s.action for s in allowed_actions(other, world.worker_a)}
    # The finder dispatching "to worker B" still gets it themselves.
    case = transition(case=case, action="accept", actor=world.worker_a)
    case = transition(case=case, action="dispatch", actor=world.worker_a, user=world.worker_b)
    assert case.assignee_user == world.worker_a and case.assignee_area == world.grid_a
    # The secretary, a dispatcher, still dispatches where she likes.
    third = case_report(
        actor=world.worker_a, channel="patrol", category=hallway, title="又一处", area=world.grid_a
    ).case
    third = transition(case=third, action="accept", actor=world.secretary)
    third = transition(case=third, action="dispatch", actor=world.secretary, user=world.worker_b)
    assert third.assignee_user == world.worker_b
