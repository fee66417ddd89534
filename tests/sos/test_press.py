"""An SOS press from a device: the case goes at once to whoever answers the grid, the contacts get
a text, a further press joins the open case, a bad token creates nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gridgov.cases.models import Case, CaseStatus
from gridgov.cases.workflow import transition
from gridgov.core.models import RoleAssignment
from gridgov.notifications.models import Delivery, Notification
from gridgov.sos import services
from gridgov.sos.models import DutyShift, SosPress
from gridgov.sos.services import device_revoke, sos_press, sos_sweep

pytestmark = pytest.mark.django_db


def test_a_press_creates_an_emergency_case_assigned_to_the_grid_worker_and_tells_the_contacts(
    world, device, press_with
):
    response = press_with(device.token, {"press_id": "p-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["case"])
    assert body["linked"] is False and body["case_status"] == "dispatched"
    assert case.channel == "sos" and case.urgency == "emergency"
    assert case.category.code == "1104" and case.category.parent.name == "紧急求助"
    assert case.status == CaseStatus.DISPATCHED
    assert case.assignee_user == world.worker_a  # nobody on duty: the grid's own worker
    assert case.assignee_area == world.grid_a
    assert case.reporter_name == "王秀英" and case.address == "东湖路8号3单元201"
    # The claim deadline is the SOS one (5 minutes), not the category's.
    assert case.claim_due_at - case.dispatched_at == datetime.timedelta(seconds=300)
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["report", "accept", "dispatch"]
    assert all(e.actor_id is None for e in case.events.all())  # the system did it
    texts = Delivery.objects.filter(template="sos_alert")
    assert sorted(d.phone for d in texts) == ["13911112222", "13933334444"]
    assert texts.first().payload["case"] == case.number
    assert Notification.objects.filter(recipient=world.worker_a, related_id=str(case.pk)).exists()
    press = SosPress.objects.get()
    assert press.case == case and press.device == device and press.client_id == "p-1"
    device.refresh_from_db()
    assert device.last_seen_at is not None


def test_the_person_on_duty_gets_it_before_the_grid_worker(world, device, press_with):
    now = timezone.localtime()
    DutyShift.objects.create(
        area=world.grid_a,
        user=world.worker_b,
        weekday=now.weekday(),
        # an hour either side, within the day (a shift may not cross midnight)
        start_time=(now - datetime.timedelta(hours=1)).time() if now.hour else datetime.time(0),
        end_time=(
            (now + datetime.timedelta(hours=1)).time()
            if now.hour < 23
            else datetime.time(23, 59, 59)
        ),
    )
    response = press_with(device.token)
    case = Case.objects.get(number=response.json()["case"])
    assert case.assignee_user == world.worker_b
    assert "值班" in case.events.get(action="dispatch").note


def test_a_dated_shift_wins_and_an_overnight_shift_runs_past_midnight(world, elder):
    from gridgov.sos.duty import on_duty

    tz = timezone.get_current_timezone()
    monday_night = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=tz)  # a Monday
    tuesday_early = datetime.datetime(2026, 3, 3, 1, 0, tzinfo=tz)
    DutyShift.objects.create(
        area=world.grid_a,
        user=world.worker_a,
        weekday=0,
        start_time=datetime.time(22, 0),
        end_time=datetime.time(6, 0),
    )
    assert on_duty(world.grid_a, monday_night) == world.worker_a
    assert on_duty(world.grid_a, tuesday_early) == world.worker_a
    assert on_duty(world.grid_a, tuesday_early + datetime.timedelta(hours=6)) is None
    DutyShift.objects.create(
        area=world.grid_a,
        user=world.worker_b,
        date=datetime.date(2026, 3, 2),
        start_time=datetime.time(20, 0),
        end_time=datetime.time(23, 59),
    )
    assert on_duty(world.grid_a, monday_night) == world.worker_b


def test_with_no_grid_worker_the_case_waits_in_the_grids_queue(world, device, press_with):
    RoleAssignment.objects.filter(user=world.worker_a).update(active=False)
    response = press_with(device.token)
    case = Case.objects.get(number=response.json()["case"])
    assert case.assignee_user is None and case.assignee_area == world.grid_a
    assert case.status == CaseStatus.DISPATCHED


def test_a_second_press_while_open_is_linked_to_the_same_case(world, device, press_with):
    first = press_with(device.token).json()
    second = press_with(device.token)
    assert second.status_code == 201
    assert second.json()["case"] == first["case"] and second.json()["linked"] is True
    assert Case.objects.count() == 1 and SosPress.objects.count() == 2
    case = Case.objects.get()
    again = case.events.get(action="sos_pressed_again")
    assert again.actor is None and again.visibility == "public"
    assert again.to_status == again.from_status == CaseStatus.DISPATCHED
    # The worker hears of it too; the contacts were told once.
    assert Notification.objects.filter(recipient=world.worker_a).count() == 2
    assert Delivery.objects.filter(template="sos_alert").count() == 2  # two contacts, once


def test_a_press_after_the_case_was_resolved_is_a_new_emergency(world, device, press_with):
    first = Case.objects.get(number=press_with(device.token).json()["case"])
    first = transition(case=first, action="claim", actor=world.worker_a)
    transition(case=first, action="resolve", actor=world.worker_a, result="已上门，老人无恙。")
    second = press_with(device.token).json()
    assert second["case"] != first.number and second["linked"] is False
    assert Case.objects.count() == 2


def test_the_same_press_sent_again_is_one_press(device, press_with):
    first = press_with(device.token, {"press_id": "retry-1"})
    again = press_with(device.token, {"press_id": "retry-1"})
    assert again.status_code == 200 and again.json()["repeated"] is True
    assert again.json()["press"] == first.json()["press"]
    assert SosPress.objects.count() == 1 and Case.objects.count() == 1


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [
        (None, 401, "device_token_missing"),
        ("sos_not-a-token", 401, "device_token_invalid"),
        ("garbage", 401, "device_token_invalid"),
    ],
)
def test_a_missing_or_unknown_token_is_refused_and_creates_nothing(
    device, press_with, token, status, code
):
    response = press_with(token)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"] and response.json()["message_en"]
    assert SosPress.objects.count() == 0 and Case.objects.count() == 0


def test_a_revoked_device_is_refused_and_creates_nothing(device, press_with):
    device_revoke(device=device)
    response = press_with(device.token)
    assert response.status_code == 403
    assert response.json()["code"] == "device_revoked"
    assert "撤销" in response.json()["message"]
    assert SosPress.objects.count() == 0 and Case.objects.count() == 0


def test_a_malformed_body_or_a_get_is_refused(device, press_with, client):
    assert press_with(device.token, raw=b"{not json").json()["code"] == "bad_request"
    assert press_with(device.token, {"press_id": 5}).json()["code"] == "bad_press_id"
    response = client.get("/sos/device/press/", HTTP_X_DEVICE_TOKEN=device.token)
    assert response.status_code == 405
    assert SosPress.objects.count() == 0


def test_a_fault_keeps_the_press_and_the_sweep_makes_its_case(
    world, device, press_with, monkeypatch
):
    def broken():
        raise LookupError("the SOS category was switched off")

    monkeypatch.setattr(services, "sos_category", broken)
    response = press_with(device.token)
    assert response.status_code == 202 and response.json()["case"] is None
    press = SosPress.objects.get()
    assert press.case is None and "LookupError" in press.error
    assert Case.objects.count() == 0
    monkeypatch.undo()
    assert sos_sweep() == 1
    press.refresh_from_db()
    assert press.case is not None and press.case.assignee_user == world.worker_a
    assert press.error == ""
    assert sos_sweep() == 0  # idempotent


def test_the_press_for_a_resident_without_contacts_or_phone_still_makes_its_case(world, taxonomy):
    from gridgov.registry.models import Resident

    resident = Resident.objects.create(area=world.grid_b, name="赵大爷")
    pressed = sos_press(resident=resident)
    assert pressed.case is not None and pressed.case.assignee_user == world.worker_b
    assert pressed.case.callback_phone == ""
