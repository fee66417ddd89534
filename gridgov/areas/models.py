"""The one tree of places: city → district → street → community → grid → micro-grid → building → unit.

Levels are data, not one model per level (NetBox's nested groups). Each node's ``code`` follows the
unit-grid code of GB/T 30428.1 and starts with its parent's code, so a subtree is a code prefix:
that is what the scoping function filters on.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.scoping import ScopedQuerySet


class AreaLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    MICRO_GRID = "micro_grid", _("Micro-grid")
    BUILDING = "building", _("Building or courtyard")
    UNIT = "unit", _("Unit")


# Digits of the full code at each level: county code 6 (GB/T 2260) + street 3 + community 3 +
# grid 3 (GB/T 30428.1), extended with micro-grid 2, building 5 and unit 2.
CODE_LENGTH = {
    AreaLevel.CITY: 4,
    AreaLevel.DISTRICT: 6,
    AreaLevel.STREET: 9,
    AreaLevel.COMMUNITY: 12,
    AreaLevel.GRID: 15,
    AreaLevel.MICRO_GRID: 17,
    AreaLevel.BUILDING: 22,
    AreaLevel.UNIT: 24,
}
LEVEL_ORDER = list(CODE_LENGTH)


class GridType(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive grid")
    PARK = "park", _("Dedicated grid: park")
    MARKET = "market", _("Dedicated grid: market")
    ENTERPRISE = "enterprise", _("Dedicated grid: enterprise")
    OFFICE = "office", _("Dedicated grid: office building")
    SCHOOL = "school", _("Dedicated grid: school")


class AreaQuerySet(ScopedQuerySet):
    scope_area_field = ""  # an Area is scoped by its own code

    def active(self) -> AreaQuerySet:
        return self.filter(retired_at__isnull=True)


class Area(models.Model):
    """A node of the place hierarchy (行政区划 / 网格): every scoped object hangs off one."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices)
    code = models.CharField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=100)
    grid_type = models.CharField(
        _("grid type"),
        max_length=16,
        choices=GridType.choices,
        default=GridType.COMPREHENSIVE,
    )
    polygon = models.JSONField(_("polygon (GeoJSON, WGS-84)"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_in_parent")
        ]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        expected = CODE_LENGTH.get(self.level)
        if expected and (len(self.code) != expected or not self.code.isdigit()):
            raise ValidationError(
                {"code": _("A code at this level has %(n)d digits.") % {"n": expected}}
            )
        if self.parent_id is not None:
            if not self.code.startswith(self.parent.code):
                raise ValidationError({"code": _("A code must start with its parent's code.")})
            if LEVEL_ORDER.index(self.level) <= LEVEL_ORDER.index(self.parent.level):
                raise ValidationError({"level": _("A child must be below its parent's level.")})

    def ancestors(self) -> list[Area]:
        """Root first, self excluded, in one query (codes are prefixes of the own code)."""
        prefixes = [self.code[:n] for n in CODE_LENGTH.values() if n < len(self.code)]
        return list(Area.objects.filter(code__in=prefixes).order_by("code"))

    def is_within(self, other: Area) -> bool:
        return self.code.startswith(other.code)
