"""Text messages and the webhook: what is sent, what is stored, retries, idempotency, rollback."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gridgov.core.logging import RedactPersonalData
from gridgov.notifications.models import Delivery, DeliveryStatus, NotificationKind
from gridgov.notifications.services import (
    deliveries_requeue,
    delivery_attempt,
    notify_phone,
    notify_user,
)
from gridgov.notifications.tasks import deliver
from tests.notifications.fakes import AlwaysBusy

PHONE = "13812345678"
OTHER_PHONE = "13900001111"
CODE = "493817"


def log_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "gridgov.notifications"]


def accepted(phone: str = PHONE, **params) -> Delivery:
    return notify_phone(
        phone=phone,
        template="case_accepted",
        params={"case": "C20260115-0007", **params},
        kind="case_feedback",
    )


def raw_row(delivery: Delivery) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_delivery WHERE id = %s", [delivery.pk])
        return repr(cursor.fetchone())


def signed(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- the log backend (the default) ----------------------------------------------------------------


def test_log_backend_writes_one_line_with_the_phone_masked(
    db, immediate_tasks, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="gridgov.notifications")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = accepted(phone="+86 138-1234-5678")
    lines = log_lines(caplog)
    assert len(lines) == 1
    entry = json.loads(lines[0].removeprefix("notification "))
    assert entry["to"] == "138****5678"
    assert entry["template"] == "case_accepted"
    assert entry["params"] == {"case": "C20260115-0007"}
    assert "C20260115-0007" in entry["text"]
    assert PHONE not in caplog.text
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.backend) == (DeliveryStatus.SENT, 1, "log")
    assert delivery.sent_at is not None
    # The phone is encrypted at rest and still findable through its blind index.
    assert PHONE not in raw_row(delivery) and "5678" not in raw_row(delivery)
    assert delivery.phone == PHONE


def test_sign_in_codes_are_sealed_in_the_database_and_masked_in_the_log(
    db, database_tasks, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="gridgov.notifications")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = notify_phone(
            phone=PHONE,
            template="sign_in_code",
            params={"code": CODE, "minutes": 5},
            kind="sign_in",
        )
    assert delivery.payload == {"code": "******", "minutes": 5}
    assert CODE not in raw_row(delivery)
    assert delivery_attempt(delivery_id=delivery.pk) == "sent"
    assert CODE not in caplog.text and "******" in caplog.text
    delivery.refresh_from_db()
    assert delivery.secret_params == ""  # nothing left to decrypt once sent


def test_a_developer_may_see_codes_in_the_log(
    db, settings, immediate_tasks, caplog, django_capture_on_commit_callbacks
):
    settings.GRIDGOV_NOTIFY_LOG_SECRETS = True
    caplog.set_level(logging.INFO, logger="gridgov.notifications")
    with django_capture_on_commit_callbacks(execute=True):
        notify_phone(
            phone=PHONE,
            template="sign_in_code",
            params={"code": CODE, "minutes": 5},
            kind="sign_in",
        )
    assert CODE in caplog.text and PHONE not in caplog.text


def test_a_phone_in_the_parameters_is_stored_masked(db, database_tasks):
    delivery = accepted(worker=f"王网格员 {OTHER_PHONE}")
    assert delivery.payload["worker"] == "王网格员 139****1111"
    assert OTHER_PHONE not in raw_row(delivery)


def test_only_mobile_numbers_and_known_templates_are_accepted(db, database_tasks):
    for phone in ("010-12345678", "12345", ""):
        with pytest.raises(ValidationError):
            accepted(phone=phone)
    with pytest.raises(ValueError):
        notify_phone(phone=PHONE, template="no_such_template", params={}, kind="x")
    assert not Delivery.objects.exists()


def test_with_text_messages_off_the_delivery_is_recorded_as_failed(db, settings, database_tasks):
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": None}
    delivery = notify_phone(
        phone=PHONE, template="sign_in_code", params={"code": CODE}, kind="sign_in"
    )
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.secret_params == "" and CODE not in raw_row(delivery)
    assert not DBTaskResult.objects.exists()


# --- the webhook ------------------------------------------------------------------------------------


@pytest.fixture
def webhook(settings, fake_server):
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": "log", "webhook": "webhook"}
    settings.GRIDGOV_WEBHOOK_URL = fake_server.url + "/hooks/gridgov?token=t0ken"
    settings.GRIDGOV_WEBHOOK_SECRET = "webhook-secret"
    return fake_server


def test_webhook_receives_a_signed_copy_of_each_notification(
    world, immediate_tasks, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify_user(
            recipient=world.worker_a,
            kind=NotificationKind.NEW_ASSIGNMENT,
            title="New case: C-7",
            body="Case C-7 was assigned to you.",
            link="/areas/",
            related=world.grid_a,
        )
    assert len(webhook.received) == 1
    request = webhook.received[0]
    assert request.path == "/hooks/gridgov?token=t0ken"
    assert request.headers["X-Gridgov-Signature"] == signed("webhook-secret", request.body)
    body = json.loads(request.body)
    delivery = Delivery.objects.get()
    assert request.headers["X-Gridgov-Delivery"] == body["delivery"] == str(delivery.uid)
    assert body["channel"] == "webhook" and body["kind"] == "new_assignment"
    assert body["params"]["notification"] == notification.pk
    assert body["params"]["recipient"] == str(world.worker_a.uid)
    assert body["params"]["title"] == "New case: C-7"
    assert body["params"]["related"] == f"areas.area:{world.grid_a.pk}"
    assert "phone" not in body
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.notification == notification
    assert delivery.endpoint == webhook.url + "/hooks/gridgov"  # no token kept in the database


def test_a_tampered_body_does_not_verify(
    world, immediate_tasks, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_user(recipient=world.worker_a, kind="system", title="Hello", body="")
    request = webhook.received[0]
    tampered = request.body.replace(b"Hello", b"Hullo")
    assert request.headers["X-Gridgov-Signature"] != signed("webhook-secret", tampered)
    assert request.headers["X-Gridgov-Signature"] != signed("other-secret", request.body)


def test_without_the_webhook_notifications_stay_in_the_inbox(world, immediate_tasks):
    notify_user(recipient=world.worker_a, kind="system", title="Hello", body="")
    assert not Delivery.objects.exists()


def test_webhook_without_a_secret_fails_for_good_without_posting(
    world, settings, immediate_tasks, webhook, django_capture_on_commit_callbacks
):
    settings.GRIDGOV_WEBHOOK_SECRET = ""
    with django_capture_on_commit_callbacks(execute=True):
        notify_user(recipient=world.worker_a, kind="system", title="Hello", body="")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert not webhook.received


# --- the SMS gateway adapter ------------------------------------------------------------------------


@pytest.fixture
def gateway(settings, fake_server):
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": "sms", "webhook": None}
    settings.GRIDGOV_SMS_GATEWAY = {
        "url": fake_server.url + "/sms/send",
        "account": "street-001",
        "key": "gateway-key",
        "sign_name": "和平街道",
        "templates": {"case_accepted": "SMS_100001", "sign_in_code": "SMS_100009"},
    }
    return fake_server


def test_sms_adapter_sends_the_request_a_gateway_expects(
    db, immediate_tasks, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = notify_phone(
            phone="138 1234 5678",
            template="sign_in_code",
            params={"code": CODE, "minutes": 5},
            kind="sign_in",
        )
    assert len(gateway.received) == 1
    request = gateway.received[0]
    assert request.path == "/sms/send"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.headers["X-Gridgov-Signature"] == signed("gateway-key", request.body)
    body = json.loads(request.body)
    assert body["account"] == "street-001"
    assert body["phone"] == PHONE
    assert body["sign_name"] == "和平街道"
    assert body["template_id"] == "SMS_100009"
    assert body["params"] == {"code": CODE, "minutes": "5"}  # the real code, as strings
    assert body["out_id"] == str(delivery.uid)
    assert isinstance(body["timestamp"], int) and body["nonce"]
    assert b"gateway-key" not in request.body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.backend) == (DeliveryStatus.SENT, "sms")


def test_a_refusing_gateway_is_retried_and_its_answer_recorded(
    db, immediate_tasks, gateway, django_capture_on_commit_callbacks
):
    gateway.answer = b'{"code": "isv.BUSINESS_LIMIT_CONTROL", "message": "busy"}'
    with django_capture_on_commit_callbacks(execute=True):
        delivery = accepted()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "isv.BUSINESS_LIMIT_CONTROL" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()


def test_a_template_without_a_gateway_id_fails_for_good_without_a_request(
    db, immediate_tasks, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = notify_phone(
            phone=PHONE, template="case_closed", params={"case": "C-1"}, kind="case_feedback"
        )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "case_closed" in delivery.last_error
    assert not gateway.received


def test_a_client_error_is_not_retried(
    db, immediate_tasks, gateway, django_capture_on_commit_callbacks
):
    gateway.status = 400
    with django_capture_on_commit_callbacks(execute=True):
        delivery = accepted()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.FAILED,
        1,
        "HTTP 400",
    )


# --- retries ----------------------------------------------------------------------------------------


def test_retries_until_the_limit_then_fails(
    db, settings, immediate_tasks, gateway, django_capture_on_commit_callbacks
):
    # The immediate backend cannot defer: each retry waits for the sweep (no wait here).
    settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS = 3
    settings.GRIDGOV_NOTIFY_RETRY_SECONDS = 0
    gateway.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        delivery = accepted()
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            deliveries_requeue()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.FAILED,
        3,
        "HTTP 503",
    )
    assert len(gateway.received) == 3
    assert delivery.secret_params == "" and delivery.next_attempt_at is None
    assert deliveries_requeue() == 0


def test_a_retry_succeeds_when_the_gateway_recovers(
    db, settings, immediate_tasks, gateway, django_capture_on_commit_callbacks
):
    settings.GRIDGOV_NOTIFY_RETRY_SECONDS = 0
    gateway.status = 502
    with django_capture_on_commit_callbacks(execute=True):
        delivery = accepted()
    gateway.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_requeue() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")


def test_retries_are_deferred_with_backoff_on_a_backend_that_can_wait(
    db, settings, database_tasks, django_capture_on_commit_callbacks
):
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": "tests.notifications.fakes.AlwaysBusy"}
    with django_capture_on_commit_callbacks(execute=True):
        delivery = accepted()
    first = DBTaskResult.objects.get()
    assert first.task_path == "gridgov.notifications.tasks.deliver"
    assert first.args_kwargs["args"] == [delivery.pk]
    delays = []
    for _attempt in range(3):
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            assert delivery_attempt(delivery_id=delivery.pk) == "retry"
        retry = DBTaskResult.objects.order_by("-enqueued_at").first()
        delays.append(round((retry.run_after - before).total_seconds()))
        # Not due yet: a worker that picks it early, or a sweep, does nothing.
        assert delivery_attempt(delivery_id=delivery.pk) == "skipped"
        assert deliveries_requeue() == 0
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delays == [30, 60, 120]
    assert len(AlwaysBusy.calls) == 3


def test_an_adapter_that_crashes_is_retried_and_its_error_kept_without_the_phone(
    db, settings, database_tasks, caplog
):
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": "tests.notifications.fakes.Broken"}
    delivery = accepted()
    assert delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.last_error == "unexpected RuntimeError"
    assert delivery.status == DeliveryStatus.QUEUED
    # The traceback names the phone; the platform's log filter masks it on every handler.
    record = next(r for r in caplog.records if r.exc_info)
    assert RedactPersonalData().filter(record)
    formatted = logging.Formatter().format(record)
    assert "138****5678" in formatted and PHONE not in formatted


# --- idempotency and transactions -------------------------------------------------------------------


def test_running_the_task_twice_sends_once(db, database_tasks, caplog):
    caplog.set_level(logging.INFO, logger="gridgov.notifications")
    delivery = accepted()
    assert deliver.call(delivery.pk) == "sent"
    assert deliver.call(delivery.pk) == "skipped"
    assert len(log_lines(caplog)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_an_attempt_under_way_is_not_taken_by_a_second_worker(db, database_tasks, caplog):
    caplog.set_level(logging.INFO, logger="gridgov.notifications")
    delivery = accepted()
    # A first worker claimed it a moment ago and is still sending.
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=1, next_attempt_at=timezone.now() + datetime.timedelta(minutes=2)
    )
    assert delivery_attempt(delivery_id=delivery.pk) == "skipped"
    assert not log_lines(caplog)


def test_the_sweep_sends_a_delivery_whose_enqueue_was_lost(
    db, immediate_tasks, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="gridgov.notifications")
    # Created without running the on-commit enqueue: as if the process died right after commit.
    delivery = accepted()
    assert deliveries_requeue() == 0  # too fresh: its own enqueue may still be on its way
    later = timezone.now() + datetime.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_requeue(now=later) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(log_lines(caplog)) == 1


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_write_rolls_back(immediate_tasks, caplog):
    caplog.set_level(logging.INFO, logger="gridgov.notifications")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        accepted()
        raise Boom
    assert not Delivery.objects.exists()
    assert not log_lines(caplog)
    # The same write committed sends once.
    with transaction.atomic():
        delivery = accepted()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(log_lines(caplog)) == 1


# --- the back office --------------------------------------------------------------------------------


def test_back_office_lists_deliveries_with_the_phone_masked_and_read_only(world, login):
    delivery = notify_phone(
        phone=PHONE, template="sign_in_code", params={"code": CODE}, kind="sign_in"
    )
    client = login(world.admin)
    listing = client.get("/admin/notifications/delivery/").content.decode()
    assert "138****5678" in listing and PHONE not in listing
    detail = client.get(f"/admin/notifications/delivery/{delivery.pk}/change/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert PHONE not in html and CODE not in html
    assert 'name="_save"' not in html
