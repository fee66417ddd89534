"""Imports started from the web (一张表采集): the uploaded sheet, the mode, progress and the result.

The job is run by a background task (``registry/tasks.py``), which updates the counts as batches
are written, so the page polls and shows a progress bar that survives a refresh.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core.scoping import ScopedQuerySet


class ImportKind(models.TextChoices):
    AREAS = "areas", _("Areas")
    RESIDENTS = "residents", _("Residents")
    HOUSES = "houses", _("Houses")
    COURTYARDS = "courtyards", _("Courtyards")


class ImportMode(models.TextChoices):
    APPLY_VALID = "apply_valid", _("Apply the valid rows")
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    DRY_RUN = "dry_run", _("Check only")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("import status", "Failed")


class ImportStage(models.TextChoices):
    VALIDATE = "validate", _("Checking rows")
    APPLY = "apply", _("Writing rows")


class ImportJobQuerySet(ScopedQuerySet):
    # A job belongs to the person who uploaded it (the file may hold rows outside any area).
    scope_owner_field = "created_by"


class ImportJob(models.Model):
    """One upload of an exchange sheet and what became of it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    mode = models.CharField(
        _("mode"), max_length=16, choices=ImportMode.choices, default=ImportMode.APPLY_VALID
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ImportStatus.choices,
        default=ImportStatus.QUEUED,
        db_index=True,
    )
    stage = models.CharField(
        _("stage"), max_length=8, choices=ImportStage.choices, default=ImportStage.VALIDATE
    )
    upload = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("uploaded file"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("result file"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    created = models.PositiveIntegerField(_("added"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    applied = models.BooleanField(_("written to the register"), default=False)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return min(100, int(100 * self.processed / self.total)) if self.total else 0
