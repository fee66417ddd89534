"""The working calendar's exceptions to the plain week, one row per day (see docs/calendar.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDaySource(models.TextChoices):
    CHINESECALENDAR = "chinesecalendar", _("Official calendar (chinesecalendar)")
    MANUAL = "manual", _("Edited by hand")


class CalendarDay(models.Model):
    """A day whose status is set explicitly: a holiday on a weekday, a 调休 weekend workday, or a
    day a person edited.

    The plain rule (Monday to Friday work, Saturday and Sunday rest) needs no rows, so a year
    without rows counts as a plain week. Rows from the chinesecalendar seed may be replaced by a
    later seed; rows a person edited (``source="manual"``) never are. A manual row may agree with
    the plain rule (a holiday turned back into a working day): it stays, so that reseeding cannot
    undo the person's decision. Write only through ``gridgov.workcalendar.services``.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(
        _("name"), max_length=64, blank=True, help_text=_("For example 春节 or 国庆节调休上班.")
    )
    note = models.CharField(
        _("reason for the change"),
        max_length=200,
        blank=True,
        help_text=_("For example the State Council notice that sets the year's holidays."),
    )
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=CalendarDaySource.choices,
        default=CalendarDaySource.MANUAL,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Also the version the calendar caches compare (count and latest change), so it must move on
    # every write: services save with ``update_fields`` that include it.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}".strip()

    @property
    def is_plain_workday(self) -> bool:
        """What the plain week says about this day (Monday to Friday work)."""
        return self.date.weekday() < 5
