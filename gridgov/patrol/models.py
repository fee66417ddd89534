"""Patrols (巡查): a grid worker's walk through the grid, its route points, the cases it found.

A patrol belongs to its worker and to the grid it was started in; both scope it (the worker sees
their own patrols, community and street staff those of their areas). Points are stored in WGS-84
whatever the phone sent; a point outside the patrol's grid is kept and flagged, not refused (a
worker crosses the street to see a problem on the other side).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.scoping import ScopedQuerySet


class PatrolQuerySet(ScopedQuerySet):
    scope_area_field = "area"
    scope_owner_field = "worker"

    def open(self) -> PatrolQuerySet:
        return self.filter(ended_at__isnull=True)


class Patrol(models.Model):
    """One patrol of one grid worker: started, a route of points, ended (巡查记录)."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="patrols"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Kept up to date as points arrive, so lists and summaries never re-read every point.
    distance_m = models.FloatField(_("distance (m)"), default=0.0)
    point_count = models.PositiveIntegerField(_("route points"), default=0)
    outside_count = models.PositiveIntegerField(_("points outside the grid"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["worker", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(ended_at__isnull=True),
                name="patrol_one_open_per_worker",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="patrol_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def duration(self, now=None):  # noqa: ANN001, ANN201 - a timedelta, "now" for open patrols
        return (self.ended_at or now or timezone.now()) - self.started_at


class PatrolPointQuerySet(ScopedQuerySet):
    scope_area_field = "patrol__area"
    scope_owner_field = "patrol__worker"


class PatrolPoint(models.Model):
    """One position of a patrol's route (WGS-84), as the phone's geolocation gave it."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="points"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    outside_grid = models.BooleanField(_("outside the grid"), default=False)

    objects = PatrolPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("route point")
        verbose_name_plural = _("route points")
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["patrol", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.patrol_id} {self.lon:.6f},{self.lat:.6f}"


class PatrolCaseQuerySet(ScopedQuerySet):
    scope_area_field = "patrol__area"
    scope_owner_field = "patrol__worker"


class PatrolCase(models.Model):
    """A case reported during a patrol (巡查发现): the link, kept apart from the case itself."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="found"
    )
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="patrol_link"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PatrolCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case found on patrol")
        verbose_name_plural = _("cases found on patrol")

    def __str__(self) -> str:
        return f"{self.patrol_id} → {self.case_id}"
