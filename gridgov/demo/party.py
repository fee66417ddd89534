"""Demo party organisations: the street working committee down to party member households."""

from __future__ import annotations

import random

from django.db.models import Count

from gridgov.demo.loader import DemoContext, demo_step
from gridgov.demo.names import person_name
from gridgov.demo.street import STREET
from gridgov.party.models import PartyOrganization, PartyOrgLevel
from gridgov.registry.models import Resident, ResidentTag, ResidentTagKind


@demo_step("party", order=60)
def load_party(context: DemoContext) -> None:
    rng = random.Random(context.rng.random())  # noqa: S311
    areas = context.areas
    members = dict(
        ResidentTag.objects.filter(tag=ResidentTagKind.PARTY_MEMBER)
        .values_list("resident__area__code")
        .annotate(n=Count("id"))
        .values_list("resident__area__code", "n")
    )

    def count_below(code: str) -> int:
        return sum(n for area_code, n in members.items() if area_code.startswith(code))

    def upsert(level: str, name: str, area_code: str, parent: PartyOrganization | None):
        org, _created = PartyOrganization.objects.update_or_create(
            area=areas[area_code],
            level=level,
            name=name,
            defaults={
                "parent": parent,
                "secretary_name": person_name(rng),
                "member_count": count_below(area_code),
            },
        )
        return org

    street = upsert(PartyOrgLevel.STREET_WORKING_COMMITTEE, f"{STREET[1]}党工委", STREET[0], None)
    communities = sorted(
        (a for a in areas.values() if a.level == "community"), key=lambda a: a.code
    )
    for community in communities:
        committee = upsert(
            PartyOrgLevel.COMMUNITY_COMMITTEE, f"{community.name}党委", community.code, street
        )
        grids = sorted(
            (a for a in areas.values() if a.level == "grid" and a.parent_id == community.pk),
            key=lambda a: a.code,
        )
        for grid in grids:
            branch = upsert(PartyOrgLevel.GRID_BRANCH, f"{grid.name}党支部", grid.code, committee)
            micro_grids = sorted(
                (a for a in areas.values() if a.level == "micro_grid" and a.parent_id == grid.pk),
                key=lambda a: a.code,
            )
            for micro in micro_grids:
                upsert(PartyOrgLevel.BUILDING_GROUP, f"{micro.name}党小组", micro.code, branch)
    # Party member households: the homes of some members, one or two per micro-grid.
    households = (
        Resident.objects.filter(tags__tag=ResidentTagKind.PARTY_MEMBER, area__level="building")
        .select_related("area")
        .order_by("area__code", "id")
    )
    groups = {
        org.area.code: org
        for org in PartyOrganization.objects.filter(
            level=PartyOrgLevel.BUILDING_GROUP
        ).select_related("area")
    }
    chosen: dict[str, int] = {}
    for resident in households:
        micro_code = resident.area.code[:17]
        if chosen.get(micro_code, 0) >= 2 or micro_code not in groups:
            continue
        chosen[micro_code] = chosen.get(micro_code, 0) + 1
        PartyOrganization.objects.update_or_create(
            area=resident.area,
            level=PartyOrgLevel.PARTY_HOUSEHOLD,
            name=f"{resident.name}党员中心户",
            defaults={
                "parent": groups[micro_code],
                "secretary_name": resident.name,
                "member_count": 1,
            },
        )
