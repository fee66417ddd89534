"""The grid worker's to-do and case page on the phone: colours, order, claim, photos, resolve,
escalate, return; a stale page and a bad photo change nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import translation

from gridgov.cases.models import AttachmentKind, Case, CaseAttachment, CaseStatus
from gridgov.cases.workflow import transition
from gridgov.core.models import StoredFile
from tests.patrol.conftest import not_a_photo, png

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_todo_lists_the_workers_cases_nearest_deadline_first_with_colours(world, dispatched, login):
    # The category gives 2 hours to claim: dispatched 3 h ago is overdue (red), 1 h 50 min
    # ago is past 80 % of the time (yellow), just now is on time (green).
    green = dispatched(ago=datetime.timedelta(minutes=1), title="刚派来的")
    red = dispatched(ago=3 * HOUR, title="超时的")
    yellow = dispatched(ago=datetime.timedelta(minutes=110), title="快到期的")
    other_grid = dispatched(title="别的网格", area=world.grid_b)

    body = login(world.worker_a).get("/w/").content.decode()

    order = [int(pk) for pk in re.findall(r'<li class="w-card[^"]*" data-case="(\d+)"', body)]
    assert order == [red.pk, yellow.pk, green.pk]
    lights = re.findall(r'data-case="\d+" data-light="(\w+)"', body)
    assert lights == ["red", "yellow", "green"]
    assert other_grid.title not in body
    assert 'class="w-red"' in body and 'class="w-yellow"' in body
    assert body.count("data-claim") == 3  # each waits to be claimed


def test_the_to_do_is_for_signed_in_staff(world, login):
    from django.test import Client

    assert Client().get("/w/").status_code == 302  # to the sign-in page
    assert login(world.resident).get("/w/").status_code == 403


def test_claim_from_the_to_do_then_before_photo_then_resolve_with_after_photo(
    world, dispatched, login
):
    case = dispatched()
    client = login(world.worker_a)

    response = client.post(
        f"/w/cases/{case.pk}/act/claim/", {"claim-expected_version": case.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLAIMED and case.assignee_user == world.worker_a

    page = client.get(f"/w/cases/{case.pk}/").content.decode()
    assert 'data-action="handle"' in page and 'data-action="resolve"' in page
    assert 'data-action="escalate"' in page and 'data-action="return"' in page
    assert 'data-action="claim"' not in page

    response = client.post(
        f"/w/cases/{case.pk}/act/handle/",
        {"handle-expected_version": case.version, "handle-photos": png("before.png")},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    response = client.post(
        f"/w/cases/{case.pk}/act/resolve/",
        {
            "resolve-expected_version": case.version,
            "resolve-text": "杂物已清理，楼道畅通",
            "resolve-photos": png("after.png", colour=(30, 160, 60)),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert case.result == "杂物已清理，楼道畅通"
    assert case.resolved_by == world.worker_a
    kinds = sorted(CaseAttachment.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [AttachmentKind.AFTER, AttachmentKind.BEFORE]
    # The photos now belong to the case's area: whoever may see the case may see them.
    assert set(StoredFile.objects.values_list("area_id", flat=True)) == {world.grid_a.pk}
    page = client.get(f"/w/cases/{case.pk}/").content.decode()
    assert 'data-photos="before"' in page and 'data-photos="after"' in page
    assert 'data-status="resolved"' in page


def test_a_stale_page_gets_a_clear_message_and_changes_nothing(world, dispatched, login):
    case = dispatched()
    stale_version = case.version
    # Somebody else (the grid leader's desk, say) acts first: the case moves on.
    transition(case=case, action="claim", actor=world.worker_a)
    client = login(world.worker_a)
    response = client.post(
        f"/w/cases/{case.pk}/act/resolve/",
        {"resolve-expected_version": stale_version, "resolve-text": "已处理"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    message = zh("Somebody else changed this case a moment ago. Reload it and try again.")
    assert message != "Somebody else changed this case a moment ago. Reload it and try again."
    assert message in body
    case.refresh_from_db()
    assert case.status == CaseStatus.CLAIMED and case.result == ""


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_changes(world, dispatched, login):
    case = dispatched()
    case = transition(case=case, action="claim", actor=world.worker_a)
    client = login(world.worker_a)
    response = client.post(
        f"/w/cases/{case.pk}/act/resolve/",
        {
            "resolve-expected_version": case.version,
            "resolve-text": "已处理",
            "resolve-photos": not_a_photo("after.jpg"),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "after.jpg" in body
        and zh("Nothing was changed. Please correct the fields marked below.") in body
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLAIMED
    assert not CaseAttachment.objects.exists() and not StoredFile.objects.exists()


def test_resolving_needs_a_result(world, dispatched, login):
    case = transition(case=dispatched(), action="claim", actor=world.worker_a)
    response = login(world.worker_a).post(
        f"/w/cases/{case.pk}/act/resolve/",
        {"resolve-expected_version": case.version, "resolve-text": ""},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.CLAIMED


def test_escalate_sends_it_to_the_community_and_off_the_workers_list(world, dispatched, login):
    case = transition(case=dispatched(), action="claim", actor=world.worker_a)
    client = login(world.worker_a)
    response = client.post(
        f"/w/cases/{case.pk}/act/escalate/",
        {"escalate-expected_version": case.version, "escalate-text": "涉及多个楼栋，需社区协调"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert case.assignee_area == world.community1 and case.assignee_user is None
    assert case.title not in client.get("/w/").content.decode()


def test_return_sends_it_back_to_the_dispatcher(world, dispatched, login):
    case = dispatched()
    response = login(world.worker_a).post(
        f"/w/cases/{case.pk}/act/return/",
        {"return-expected_version": case.version, "return-text": "不属于本网格"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.assignee_area is None


def test_another_grids_case_does_not_exist_for_the_worker(world, dispatched, login):
    case = dispatched(area=world.grid_b)
    client = login(world.worker_a)
    assert client.get(f"/w/cases/{case.pk}/").status_code == 404
    response = client.post(f"/w/cases/{case.pk}/act/claim/", {"claim-expected_version": 2})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED


def test_an_action_the_worker_may_not_take_is_refused(world, dispatched, login):
    case = dispatched()
    # Not claimed yet: resolving is not among the allowed actions.
    response = login(world.worker_a).post(
        f"/w/cases/{case.pk}/act/resolve/",
        {"resolve-expected_version": case.version, "resolve-text": "已处理"},
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DISPATCHED
    assert login(world.worker_a).post(f"/w/cases/{case.pk}/act/verify/").status_code == 404


def test_only_the_worker_who_claimed_it_adds_photos_of_the_work(world, dispatched, login):
    case = transition(case=dispatched(), action="claim", actor=world.worker_a)
    response = login(world.secretary).post(
        f"/w/cases/{case.pk}/act/handle/",
        {"handle-expected_version": case.version, "handle-photos": png()},
    )
    assert response.status_code == 403
    assert not CaseAttachment.objects.exists() and not StoredFile.objects.exists()
