"""The party organisation tree, kept alongside the area tree (党建引领): 街道党工委 → 社区党委 →
网格党支部 → 楼栋党小组 → 党员中心户. Members, points and indices come with the party-work issue.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.scoping import ScopedQuerySet


class PartyOrgLevel(models.TextChoices):
    STREET_WORKING_COMMITTEE = "street_committee", _("Street party working committee")
    COMMUNITY_COMMITTEE = "community_committee", _("Community party committee")
    GRID_BRANCH = "grid_branch", _("Grid party branch")
    BUILDING_GROUP = "building_group", _("Building party group")
    PARTY_HOUSEHOLD = "party_household", _("Party member household")


# Which area level each organisation level is normally attached to.
AREA_LEVEL_FOR = {
    PartyOrgLevel.STREET_WORKING_COMMITTEE: "street",
    PartyOrgLevel.COMMUNITY_COMMITTEE: "community",
    PartyOrgLevel.GRID_BRANCH: "grid",
    PartyOrgLevel.BUILDING_GROUP: "micro_grid",
    PartyOrgLevel.PARTY_HOUSEHOLD: "building",
}


class PartyOrganizationQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class PartyOrganization(models.Model):
    """A party body, linked to the area it leads."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=24, choices=PartyOrgLevel.choices)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    secretary_name = models.CharField(_("secretary"), max_length=64, blank=True)
    member_count = models.PositiveIntegerField(_("members"), default=0)

    objects = PartyOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["area__code", "level"]
        constraints = [
            models.UniqueConstraint(fields=["area", "level", "name"], name="party_org_unique")
        ]

    def __str__(self) -> str:
        return self.name
