"""Notifying people: the in-app inbox, text messages to phones, and the webhook.

The case loop and the sign-in pages call these; nothing else writes notifications or deliveries.

- ``notify_user`` writes an inbox entry (and, when the webhook channel is on, queues its copy).
- ``notify_phone`` queues a text message. Sending happens in the ``deliver`` task, enqueued with
  ``transaction.on_commit``: a write that rolls back sends nothing.
- ``delivery_attempt`` (what the task runs) claims the delivery with a conditional UPDATE, so two
  workers, a repeated task or a sweep never send one message twice while the first attempt is under
  way, and a delivery already sent or failed is skipped. Failures are retried with exponential
  backoff up to GRIDGOV_NOTIFY_MAX_ATTEMPTS.
- ``deliveries_requeue`` is the idempotent sweep: it enqueues deliveries whose retry is due (on task
  backends that cannot defer) and any whose first enqueue was lost (a crash right after commit).
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from gridgov.core.audit import FULL_MASK
from gridgov.core.identifiers import normalise_phone
from gridgov.core.logging import redact
from gridgov.core.tasks import enqueue_with_transaction
from gridgov.notifications.backends import (
    DeliveryFailed,
    OutgoingMessage,
    backend_name_for,
    get_backend,
)
from gridgov.notifications.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
    NotificationKind,
)
from gridgov.notifications.texts import (
    PHONE_TEXTS,
    SECRET_PARAMS,
    render,
    render_phone_text,
)

__all__ = [
    "deliveries_requeue",
    "delivery_attempt",
    "mark_all_read",
    "mark_read",
    "notify_phone",
    "notify_user",
    "render",
    "unread_count",
]

logger = logging.getLogger("gridgov.notifications")

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_SECONDS = 30
MAX_RETRY_DELAY = datetime.timedelta(hours=1)
# How long an attempt holds its claim. Longer than any backend's timeout (5-10 s): a worker that
# dies mid-attempt releases the delivery to the sweep after this, never while it may still send.
ATTEMPT_LEASE = datetime.timedelta(minutes=2)
# A queued delivery never tried this long after its creation lost its enqueue: the sweep sends it.
LOST_AFTER = datetime.timedelta(minutes=1)
TITLE_LENGTH = Notification._meta.get_field("title").max_length
LAST_ERROR_LENGTH = Delivery._meta.get_field("last_error").max_length
# Text messages go to mobile numbers only (landlines cannot receive them).
_MOBILE_LENGTH = 11


# --- the inbox ------------------------------------------------------------------------------------


def _checked_link(link: str) -> str:
    # An inbox entry links inside the site only: a link elsewhere would be a phishing vector.
    link = (link or "").strip()
    if link and not (
        link.startswith("/")
        and not link.startswith("//")
        and url_has_allowed_host_and_scheme(link, allowed_hosts=set())
    ):
        raise ValueError(f"a notification links to a path inside the site, not {link!r}")
    return link


def _shortened(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


@transaction.atomic
def notify_user(
    *,
    recipient: Any,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    related: models.Model | None = None,
) -> Notification:
    """Put a message in ``recipient``'s inbox; title and body are already in their language.

    ID numbers and phones in the texts are masked: an inbox is shown on screens in offices.
    When the webhook channel is on, a copy is queued for it (sent after commit).
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        title=_shortened(redact(title.strip()), TITLE_LENGTH),
        body=redact(body.strip()),
        link=_checked_link(link),
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "",
    )
    if backend_name_for(DeliveryChannel.WEBHOOK) is not None:
        _queue_webhook_copy(notification)
    return notification


def _queue_webhook_copy(notification: Notification) -> Delivery:
    related = ""
    if notification.related_type_id:
        content_type = ContentType.objects.get_for_id(notification.related_type_id)
        related = f"{content_type.app_label}.{content_type.model}:{notification.related_id}"
    url = getattr(settings, "GRIDGOV_WEBHOOK_URL", "") or ""
    parts = urlsplit(url)
    delivery = Delivery.objects.create(
        channel=DeliveryChannel.WEBHOOK,
        endpoint=urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))[:300],
        template="notification",
        kind=notification.kind,
        notification=notification,
        payload={
            "notification": notification.pk,
            # The account's stable uid: usernames can be phone numbers.
            "recipient": str(notification.recipient.uid),
            "title": notification.title,
            "body": notification.body,
            "link": notification.link,
            "related": related,
            "created_at": notification.created_at.isoformat(),
        },
    )
    _enqueue(delivery.pk)
    return delivery


def mark_read(*, user: Any, notification_ids: Iterable[int]) -> int:
    """Mark these of ``user``'s notifications read; ids of other inboxes are ignored."""
    ids = [int(pk) for pk in notification_ids]
    if not ids:
        return 0
    return (
        Notification.objects.for_user(user)
        .unread()
        .filter(pk__in=ids)
        .update(read_at=timezone.now())
    )


def mark_all_read(*, user: Any) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def unread_count(user: Any) -> int:
    return Notification.objects.for_user(user).unread().count()


# --- text messages --------------------------------------------------------------------------------


def _checked_mobile(phone: str) -> str:
    number = normalise_phone(phone or "")
    if not (len(number) == _MOBILE_LENGTH and number.isdigit() and number[0] == "1"):
        raise ValidationError(_("Text messages need an 11-digit mobile number."))
    return number


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return str(value)
    return value


def _split_params(template: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the database may hold in clear, what is sealed): secrets (a sign-in code) and any
    value holding an ID number or a phone are sealed, and shown masked in the clear part."""
    secret_names = SECRET_PARAMS.get(template, frozenset())
    public: dict[str, Any] = {}
    sealed: dict[str, Any] = {}
    for key, raw in params.items():
        value = _json_value(raw)
        if key in secret_names:
            public[key], sealed[key] = FULL_MASK, value
            continue
        masked = redact(value) if isinstance(value, str) else value
        if masked != value:
            public[key], sealed[key] = masked, value
        else:
            public[key] = value
    return public, sealed


@transaction.atomic
def notify_phone(*, phone: str, template: str, params: dict[str, Any], kind: str) -> Delivery:
    """Queue a text message from ``template`` (a key of ``texts.PHONE_TEXTS``) to a mobile number.

    ``kind`` says what it is about (a notification kind, "case_feedback", "sign_in") for the record.
    Sent after commit by the ``deliver`` task through the backend configured for "sms"; with the
    channel off, the delivery is recorded as failed and nothing is sent.
    """
    if template not in PHONE_TEXTS:
        raise ValueError(f"unknown text message template {template!r}")
    number = _checked_mobile(phone)
    public, sealed = _split_params(template, params)
    delivery = Delivery(
        channel=DeliveryChannel.SMS,
        phone=number,
        template=template,
        kind=kind[:32],
        payload=public,
        secret_params=json.dumps(sealed, ensure_ascii=False) if sealed else "",
    )
    if backend_name_for(DeliveryChannel.SMS) is None:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = "no backend is configured for text messages"
        delivery.secret_params = ""  # nosec B105 # clears the stored parameters: an empty string, no password
        delivery.save()
        logger.warning("delivery %s not sent: text messages are off", delivery.uid)
        return delivery
    delivery.save()
    _enqueue(delivery.pk)
    return delivery


# --- sending --------------------------------------------------------------------------------------


def max_attempts() -> int:
    return max(1, int(getattr(settings, "GRIDGOV_NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def retry_delay(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, 4 min… after the 1st, 2nd, 3rd… failed attempt; at most an hour."""
    base = float(getattr(settings, "GRIDGOV_NOTIFY_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
    return min(datetime.timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_RETRY_DELAY)


def _enqueue(delivery_id: int, *, run_after: datetime.datetime | None = None) -> None:
    from gridgov.notifications.tasks import deliver

    task = deliver
    if run_after is not None:
        if not deliver.get_backend().supports_defer:
            return  # the immediate backend cannot wait: deliveries_requeue enqueues it when due
        task = deliver.using(run_after=run_after)
    # In the write's transaction with the database queue; after the commit (robust) with Redis:
    # a queue that is down must not fail the write that notified; the delivery stays queued and
    # the sweep enqueues it again.
    enqueue_with_transaction(lambda: task.enqueue(delivery_id))


def _outgoing(delivery: Delivery) -> OutgoingMessage:
    params = dict(delivery.payload)
    if delivery.secret_params:
        params.update(json.loads(delivery.secret_params))
    if delivery.channel == DeliveryChannel.SMS:
        text = (
            render_phone_text(delivery.template, params) if delivery.template in PHONE_TEXTS else ""
        )
    else:
        text = f"{params.get('title', '')}\n{params.get('body', '')}".strip()
    return OutgoingMessage(
        delivery_uid=str(delivery.uid),
        channel=delivery.channel,
        kind=delivery.kind,
        template=delivery.template,
        params=params,
        secret_names=SECRET_PARAMS.get(delivery.template, frozenset()),
        phone=delivery.phone if delivery.channel == DeliveryChannel.SMS else "",
        text=text,
    )


def _claim(delivery_id: int) -> bool:
    """Take the delivery for one attempt, or learn that it is sent, failed or already being tried."""
    now = timezone.now()
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(attempts=F("attempts") + 1, next_attempt_at=now + ATTEMPT_LEASE)
    )


def _failed(delivery: Delivery, backend: str, error: str, *, permanent: bool) -> str:
    error = redact(error)[:LAST_ERROR_LENGTH]
    still_queued = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED)
    if permanent or delivery.attempts >= max_attempts():
        still_queued.update(
            status=DeliveryStatus.FAILED,
            backend=backend,
            last_error=error,
            next_attempt_at=None,
            secret_params="",  # nosec B106 # clears the stored parameters: an empty string, no password
        )
        logger.warning(
            "delivery %s failed after %d attempt(s): %s", delivery.uid, delivery.attempts, error
        )
        return "failed"
    next_attempt = timezone.now() + retry_delay(delivery.attempts)
    still_queued.update(backend=backend, last_error=error, next_attempt_at=next_attempt)
    logger.info(
        "delivery %s attempt %d failed, retrying: %s", delivery.uid, delivery.attempts, error
    )
    _enqueue(delivery.pk, run_after=next_attempt)
    return "retry"


def delivery_attempt(*, delivery_id: int) -> str:
    """One attempt to send a delivery: "sent", "retry", "failed", or "skipped" (already sent,
    failed for good, not yet due, or being tried by another worker). Safe to run any number of times.
    """
    if not _claim(delivery_id):
        return "skipped"
    delivery = Delivery.objects.get(pk=delivery_id)
    backend_name = backend_name_for(delivery.channel)
    if backend_name is None:
        return _failed(delivery, "", "the channel is off", permanent=True)
    try:
        get_backend(backend_name).send(_outgoing(delivery))
    except DeliveryFailed as error:
        return _failed(delivery, backend_name, str(error), permanent=error.permanent)
    except Exception as error:
        # An adapter's bug must not keep the delivery claimed: record it and retry (bounded).
        logger.exception("delivery %s: backend %s raised", delivery.uid, backend_name)
        return _failed(
            delivery, backend_name, f"unexpected {type(error).__name__}", permanent=False
        )
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENT,
        backend=backend_name,
        sent_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
        secret_params="",  # nosec B106 # clears the stored parameters: an empty string, no password
    )
    return "sent"


def deliveries_requeue(*, now: datetime.datetime | None = None, limit: int = 1000) -> int:
    """Enqueue queued deliveries that are due (a retry's time has come, an attempt's lease ran
    out, or the first enqueue was lost). Idempotent: the claim in ``delivery_attempt`` makes a
    delivery enqueued twice send once. Returns how many were enqueued."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED)
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lte=now - LOST_AFTER)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        _enqueue(delivery_id)
    return len(due)
