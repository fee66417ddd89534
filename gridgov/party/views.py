"""The party organisation tree beside the area tree."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.party.models import PartyOrganization, PartyOrgLevel

DEPTH = {level: index for index, level in enumerate(PartyOrgLevel.values)}


@login_required
def party_tree(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    organizations = PartyOrganization.objects.visible_to(request.user).select_related("area")
    if level in PartyOrgLevel.values:
        organizations = organizations.filter(level=level)
    else:
        # The whole tree would list every party household; they are shown when asked for.
        organizations = organizations.exclude(level=PartyOrgLevel.PARTY_HOUSEHOLD)
    rows = sorted(organizations, key=lambda org: (org.area.code, DEPTH[org.level], org.name))
    for org in rows:
        org.depth = DEPTH[org.level]
    return render(
        request,
        "party/tree.html",
        {"organizations": rows, "levels": PartyOrgLevel.choices, "level": level},
    )
