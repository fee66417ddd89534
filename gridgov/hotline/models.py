"""What the hotline app keeps of its own: each import of a 12345 transfer sheet and its result.
The cases themselves are ordinary cases (channel hotline); the caller's number is their
encrypted callback phone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.scoping import ScopedQuerySet


class HotlineImportQuerySet(ScopedQuerySet):
    # The sheet holds callers' numbers: only the operator who uploaded it sees the record.
    scope_owner_field = "created_by"


class HotlineImport(models.Model):
    """One upload of a 12345 transfer sheet: the mode, the counts and the result workbook."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=200)
    mode = models.CharField(_("mode"), max_length=16)
    processed = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("cases filed"), default=0)
    unchanged = models.PositiveIntegerField(_("filed before"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    applied = models.BooleanField(_("written"), default=False)
    result = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("result file"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = HotlineImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("hotline import")
        verbose_name_plural = _("hotline imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
