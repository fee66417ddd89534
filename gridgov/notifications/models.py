"""A staff user's inbox (``Notification``) and the outgoing messages sent through a backend
(``Delivery``: text messages to phones, posts to the configured webhook).

Neither model is in the audit log: notifications are written many times an hour and are not
domain data (the case timeline is the record of what happened), and a delivery is a copy of a
message whose cause is audited where it happened. docs/notifications.md says what is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core.fields import BlindIndexField, EncryptedField


class NotificationKind(models.TextChoices):
    NEW_ASSIGNMENT = "new_assignment", _("New assignment")
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")
    RETURNED = "returned", _("Returned")
    WHISTLED = "whistled", _("Summoned")
    ESCALATED = "escalated", _("Escalated")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened")
    SUPERVISED = "supervised", _("Supervised")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    SYSTEM = "system", _("System")


class NotificationQuerySet(models.QuerySet):
    """Inboxes are personal: every read of notifications goes through ``for_user``."""

    def for_user(self, user: Any) -> NotificationQuerySet:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message in a user's in-app inbox: a case assigned, overdue, returned, rated…"""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    # A path inside the site (checked by the service): an inbox never links elsewhere.
    link = models.CharField(_("link"), max_length=500, blank=True)
    related_type = models.ForeignKey(
        ContentType,
        verbose_name=_("related type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Text, so that integer and UUID keys both fit.
    related_id = models.CharField(_("related object"), max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox and the unread badge: one recipient, unread first, newest first.
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class DeliveryChannel(models.TextChoices):
    """Where a message goes. Which backend carries it is configuration (GRIDGOV_NOTIFY_BACKENDS)."""

    SMS = "sms", _("Text message")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    # In context: "Failed" alone is already an inspection result (不合格) in the catalogue.
    QUEUED = "queued", pgettext_lazy("delivery status", "Queued")
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")


class Delivery(models.Model):
    """One outgoing message and its sending attempts: a text message to a phone (a reporter's
    feedback, a sign-in code) or the copy of a notification posted to the configured webhook."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=DeliveryChannel.choices)
    # The phone of a text message, encrypted and bound to this row; empty for the webhook.
    phone = EncryptedField(_("phone"), kind="phone", blind_index="phone_index")
    phone_index = BlindIndexField()
    # The webhook's address without its query string (which may carry a token), for the record;
    # sending always uses the configured address.
    endpoint = models.CharField(_("endpoint"), max_length=300, blank=True)
    template = models.CharField(_("template"), max_length=64)
    kind = models.CharField(_("kind"), max_length=32)
    # Template parameters with ID numbers and phones masked; secrets (sign-in codes) are not here.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # Parameters that must not be readable in the database (a sign-in code), encrypted; emptied
    # once the delivery is sent or has failed for good.
    secret_params = EncryptedField(_("secret parameters"), kind="text")
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
    )
    # The backend that made the last attempt ("log", "webhook", "sms" or a dotted path).
    backend = models.CharField(_("backend"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # Not before this time may a worker claim the delivery: the lease of the attempt under way,
    # or the backoff before the next one. Swept by ``deliveries_requeue``.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} · {self.template} · {self.status}"
