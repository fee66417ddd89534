"""Daily rollups of the case loop: the counts every cockpit figure is made of.

One row per local day (Asia/Shanghai) and finest area (the case's own area code, rolled up to
streets and communities by code prefix), and per category, channel or lead department within
that area; the category, channel and department rows again per street, for the wide reads. A row holds the counts of ``gridgov.cases.kpis.COUNTS`` for the cases whose cohort
moment falls on that day (reported, first hand-off, last rating, deadline, resolution, closing:
see docs/kpis.md), so a period's figures are a SUM over its days, and
``kpis.figures_from_counts`` turns them into the same figures ``kpis.kpis_for`` gives from the raw
cases. ``gridgov.cockpit.maintain`` keeps them current in the transaction of each change;
``gridgov rollup rebuild`` recomputes them from the cases and their timelines.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.cases.kpis import COUNTS
from gridgov.cases.models import CaseStatus

# Counts that are sums of seconds (the rest are numbers of cases).
SECONDS = frozenset({"claim_seconds", "resolve_seconds", "close_seconds"})
# The reported cohort by the status each case has now ("cases today by status"), and how many
# of them are supervised (督办).
STATUS_COUNTS = tuple(f"status_{status}" for status in CaseStatus.values)
EXTRA_COUNTS = (*STATUS_COUNTS, "supervised")
ROLLUP_COUNTS = (*COUNTS, *EXTRA_COUNTS)
# Reports by hour of the day, kept on the area rollup only.
HOUR_COUNTS = tuple(f"hour_{hour:02d}" for hour in range(24))


def _count_fields() -> dict[str, models.Field]:
    fields: dict[str, models.Field] = {}
    for name in ROLLUP_COUNTS:
        fields[name] = (
            models.FloatField(default=0) if name in SECONDS else models.IntegerField(default=0)
        )
    return fields


class RollupCounts(models.Model):
    """The counts shared by every rollup (see ``ROLLUP_COUNTS``)."""

    day = models.DateField(_("day"))
    area_code = models.CharField(_("area code"), max_length=32)

    class Meta:
        abstract = True


for _name, _field in _count_fields().items():
    RollupCounts.add_to_class(_name, _field)


class AreaDay(RollupCounts):
    """The counts of one finest area on one day, with reports by hour of the day."""

    class Meta:
        verbose_name = _("daily area rollup")
        verbose_name_plural = _("daily area rollups")
        constraints = [
            models.UniqueConstraint(fields=["day", "area_code"], name="cockpit_areaday_key")
        ]
        indexes = [models.Index(fields=["area_code", "day"], name="cockpit_areaday_area")]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code}"


for _hour in HOUR_COUNTS:
    AreaDay.add_to_class(_hour, models.IntegerField(default=0))


class CategoryDay(RollupCounts):
    """The counts of one category (subclass) in one finest area on one day."""

    category_id = models.IntegerField(_("category"))

    class Meta:
        verbose_name = _("daily category rollup")
        verbose_name_plural = _("daily category rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area_code", "category_id"], name="cockpit_categoryday_key"
            )
        ]
        indexes = [models.Index(fields=["area_code", "day"], name="cockpit_categoryday_area")]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code} {self.category_id}"


class ChannelDay(RollupCounts):
    """The counts of one channel (resident, patrol, hotline…) in one finest area on one day."""

    channel = models.CharField(_("channel"), max_length=16)

    class Meta:
        verbose_name = _("daily channel rollup")
        verbose_name_plural = _("daily channel rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area_code", "channel"], name="cockpit_channelday_key"
            )
        ]
        indexes = [models.Index(fields=["area_code", "day"], name="cockpit_channelday_area")]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code} {self.channel}"


class DepartmentDay(RollupCounts):
    """The counts of the cases one department leads (``assignee_department``), per area and day."""

    department_id = models.IntegerField(_("department"))

    class Meta:
        verbose_name = _("daily department rollup")
        verbose_name_plural = _("daily department rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area_code", "department_id"], name="cockpit_departmentday_key"
            )
        ]
        indexes = [
            models.Index(fields=["area_code", "day"], name="cockpit_departmentday_area"),
            models.Index(fields=["department_id", "day"], name="cockpit_departmentday_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code} {self.department_id}"


class AreaStreetDay(RollupCounts):
    """``AreaDay`` summed to the street (``area_code`` is the street's code), hours included."""

    class Meta:
        verbose_name = _("daily area rollup by street")
        verbose_name_plural = _("daily area rollups by street")
        constraints = [
            models.UniqueConstraint(fields=["day", "area_code"], name="cockpit_areastreet_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code}"


for _hour in HOUR_COUNTS:
    AreaStreetDay.add_to_class(_hour, models.IntegerField(default=0))


class CategoryStreetDay(RollupCounts):
    """``CategoryDay`` summed to the street (``area_code`` is the street's code)."""

    category_id = models.IntegerField(_("category"))

    class Meta:
        verbose_name = _("daily category rollup by street")
        verbose_name_plural = _("daily category rollups by street")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area_code", "category_id"], name="cockpit_categorystreet_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code} {self.category_id}"


class ChannelStreetDay(RollupCounts):
    """``ChannelDay`` summed to the street (``area_code`` is the street's code)."""

    channel = models.CharField(_("channel"), max_length=16)

    class Meta:
        verbose_name = _("daily channel rollup by street")
        verbose_name_plural = _("daily channel rollups by street")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area_code", "channel"], name="cockpit_channelstreet_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code} {self.channel}"


class DepartmentStreetDay(RollupCounts):
    """``DepartmentDay`` summed to the street (``area_code`` is the street's code)."""

    department_id = models.IntegerField(_("department"))

    class Meta:
        verbose_name = _("daily department rollup by street")
        verbose_name_plural = _("daily department rollups by street")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area_code", "department_id"], name="cockpit_departmentstreet_key"
            )
        ]
        indexes = [
            models.Index(fields=["department_id", "day"], name="cockpit_departmentstreet_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code} {self.department_id}"


# dimension → (model, the key column beside day and area_code, or None for the area rollup)
TABLES: dict[str, tuple[type[RollupCounts], str | None]] = {
    "area": (AreaDay, None),
    "category": (CategoryDay, "category_id"),
    "channel": (ChannelDay, "channel"),
    "department": (DepartmentDay, "department_id"),
    "area_street": (AreaStreetDay, None),
    "category_street": (CategoryStreetDay, "category_id"),
    "channel_street": (ChannelStreetDay, "channel"),
    "department_street": (DepartmentStreetDay, "department_id"),
}
# The length of a street's code: the rows of the "_street" tables carry it as their area code.
# A city's month is 875,000 category rows by grid (10,000,000 cases) and 32,000 by street, and
# 59,000 area rows against 1,100: the streets and everything wider read these; communities and
# grids read the finest rows.
STREET_CODE = 9
BY_STREET = {
    "area": "area_street",
    "category": "category_street",
    "channel": "channel_street",
    "department": "department_street",
}


def counts_of(dimension: str) -> tuple[str, ...]:
    """The count columns of a dimension's table: the area tables (no key) count hours too."""
    return (*ROLLUP_COUNTS, *HOUR_COUNTS) if TABLES[dimension][1] is None else ROLLUP_COUNTS
