"""One-button SOS (一键通, seed 001): devices bound to registered residents, every press, and the
duty roster that says who answers a grid's SOS at a given moment.

A device authenticates with a token of its own; only the token's SHA-256 is stored (the token is
256 random bits, so a plain hash is enough: nothing to guess, nothing to brute-force). A lost
device is revoked, never deleted, so its past presses keep their source.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.scoping import ScopedQuerySet


class SosDeviceQuerySet(ScopedQuerySet):
    scope_area_field = "resident__area"

    def active(self) -> SosDeviceQuerySet:
        return self.filter(revoked_at__isnull=True)


class SosDevice(models.Model):
    """An SOS button (一键通) given to a registered resident, typically elderly living alone."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="sos_devices",
    )
    label = models.CharField(_("label"), max_length=64, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, to tell devices apart on a list (never enough to use it).
    token_hint = models.CharField(_("token starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    objects = SosDeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("SOS device")
        verbose_name_plural = _("SOS devices")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label or self.token_hint} · {self.resident_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class PressSource(models.TextChoices):
    DEVICE = "device", _("Device")
    PAGE = "page", _("Phone page")


class SosPressQuerySet(ScopedQuerySet):
    scope_area_field = "area"
    scope_owner_field = "user"


class SosPress(models.Model):
    """One press of the button. Recorded with its case in one transaction; a press whose case
    could not be made is still kept (``case`` empty) and the sweep makes the case later."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=8, choices=PressSource.choices)
    device = models.ForeignKey(
        SosDevice,
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presses",
    )
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sos_presses",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pressed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    # The device's own id of the press: a retry after a lost answer is the same press.
    client_id = models.CharField(_("press id (device)"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sos_presses",
    )
    linked = models.BooleanField(
        _("pressed again"),
        default=False,
        help_text=_("Pressed while the last SOS case was still open: added to that case."),
    )
    error = models.CharField(_("error"), max_length=300, blank=True)

    objects = SosPressQuerySet.as_manager()

    class Meta:
        verbose_name = _("SOS press")
        verbose_name_plural = _("SOS presses")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "client_id"],
                condition=~Q(client_id=""),
                name="sos_press_unique_client_id_per_device",
            )
        ]
        indexes = [models.Index(fields=["resident", "received_at"])]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} {self.source}"


class DutyShiftQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class DutyShift(models.Model):
    """Who answers a grid's SOS calls (值班表): every week on a weekday, or on one date.

    A shift ending at or before its start runs past midnight. A dated shift wins over the weekly
    ones of that day; with no shift in force the grid's grid worker answers.
    """

    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="duty_shifts",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on duty"),
        on_delete=models.CASCADE,
        related_name="duty_shifts",
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        null=True,
        blank=True,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
        help_text=_("Every week on this day; leave empty with no date for every day."),
    )
    date = models.DateField(_("date"), null=True, blank=True)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["area__code", "date", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(date__isnull=True),
                name="duty_shift_weekday_or_date",
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__lte=6),
                name="duty_shift_weekday_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.user_id} {self.start_time}-{self.end_time}"

    @property
    def overnight(self) -> bool:
        return self.end_time <= self.start_time
