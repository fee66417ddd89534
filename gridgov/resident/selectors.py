"""Reads of the resident pages: my reports, the timeline a reporter may see, open cases nearby,
and the public list of a community.

A resident's own reports come through the scoping function (residents own what they reported);
cases they follow ("me too") through their follower rows. Nearby cases and the public list show
other people's cases, so they show only what anyone may see: never a sensitive category, never a
hidden case, never a redacted photo, never who reported or handled it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gridgov.areas.geo import CRS, to_wgs84
from gridgov.areas.models import Area, AreaLevel
from gridgov.cases.models import (
    OPEN_STATUSES,
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseFollower,
    CaseStatus,
    EventVisibility,
)
from gridgov.cases.workflow import TRANSITIONS
from gridgov.core.logging import redact
from gridgov.resident import conf

EARTH_RADIUS_M = 6_371_000.0
# Statuses the public may see: accepted by the desk (a fresh report is not yet checked), not
# refused, not folded into another case.
PUBLIC_STATUSES = frozenset(CaseStatus) - {
    CaseStatus.REPORTED,
    CaseStatus.REJECTED,
    CaseStatus.MERGED,
}
# What a reporter reads for each timeline line: the step, never the person who took it.
RESIDENT_LABELS: dict[str, Any] = {
    "report": gettext_lazy("Your report was received"),
    "accept": pgettext_lazy("resident timeline", "Accepted"),
    "reject": gettext_lazy("Not accepted"),
    "resolve": gettext_lazy("Handled"),
    "close": gettext_lazy("Closed"),
    "rate": gettext_lazy("Rated"),
    "reopen": gettext_lazy("Reopened"),
    "merge": gettext_lazy("Merged with a report of the same problem"),
    "reply": gettext_lazy("Message from the staff"),
    "me_too": gettext_lazy("Another resident reported the same problem"),
    "note": gettext_lazy("Update"),
}


def my_cases(user: Any) -> QuerySet[Case]:
    """Cases ``user`` reported (through the scoping function) or follows after a "me too"."""
    own = Case.objects.visible_to(user).filter(reporter_user=user).values("pk")
    followed = CaseFollower.objects.filter(user=user).values("case_id")
    return Case.objects.filter(Q(pk__in=own) | Q(pk__in=followed)).select_related(
        "category", "area"
    )


def resident_timeline(case: Case) -> list[dict[str, Any]]:
    """The public lines of the timeline, with the step and the note, never the staff's names."""
    rows = []
    events = case.events.filter(visibility=EventVisibility.PUBLIC).order_by("at", "id")
    for event in events:
        label = RESIDENT_LABELS.get(event.action)
        if label is None:
            spec = TRANSITIONS.get(event.action)
            label = spec.label if spec else _("Update")
        rows.append(
            {
                "at": event.at,
                "action": event.action,
                "label": label,
                "status": CaseStatus(event.to_status).label if event.to_status else "",
                # A staff note may name a colleague or a phone: numbers are masked, and the
                # reporter's rating comment is their own words.
                "note": redact(event.note) if event.action != "rate" else event.note,
                "photos": [a for a in event.attachments.all() if not a.redacted],
            }
        )
    return rows


def resident_photos(case: Case) -> QuerySet[CaseAttachment]:
    """Photos of the case a reporter may see: before and after, not redacted."""
    return case.attachments.filter(
        redacted=False, kind__in=[AttachmentKind.BEFORE, AttachmentKind.AFTER]
    ).select_related("file")


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine): plenty for a few hundred metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class NearbyCase:
    case: Case
    metres: int

    @property
    def title(self) -> str:
        return redact(self.case.title)


def nearby_open_cases(
    *, lon: float, lat: float, crs: str = CRS.WGS84, category: Any = None, limit: int = 5
) -> list[NearbyCase]:
    """Open, non-sensitive, not hidden cases of ``category`` within the "me too" distance."""
    wlon, wlat = (float(v) for v in to_wgs84(lon, lat, crs))
    radius = conf.nearby_metres()
    d_lat = radius / 111_320.0
    d_lon = radius / (111_320.0 * max(math.cos(math.radians(wlat)), 0.01))
    rows = Case.objects.filter(
        status__in=OPEN_STATUSES,
        hidden=False,
        category__sensitive=False,
        lat__range=(wlat - d_lat, wlat + d_lat),
        lon__range=(wlon - d_lon, wlon + d_lon),
    ).select_related("category")
    if category is not None:
        rows = rows.filter(category=category)
    found = []
    for case in rows.order_by("-reported_at")[:200]:
        metres = distance_m(wlon, wlat, case.lon, case.lat)
        if metres <= radius:
            found.append(NearbyCase(case, round(metres)))
    found.sort(key=lambda item: item.metres)
    return found[:limit]


def publicly_visible() -> QuerySet[Case]:
    """Cases anyone may see: public, not hidden, not sensitive, past intake."""
    return (
        Case.objects.filter(
            public=True,
            hidden=False,
            category__sensitive=False,
            status__in=PUBLIC_STATUSES,
        )
        .select_related("category", "area")
        .order_by("-reported_at", "-id")
    )


def public_cases(community: Area) -> QuerySet[Case]:
    """The community's cases anyone may see."""
    return publicly_visible().filter(area__code__startswith=community.code)


def public_photos(case: Case) -> QuerySet[CaseAttachment]:
    return case.attachments.filter(
        redacted=False, kind__in=[AttachmentKind.BEFORE, AttachmentKind.AFTER]
    ).select_related("file")


def public_case_row(case: Case) -> dict[str, Any]:
    """What the public list shows of a case: no reporter, no handler, no phone, masked text."""
    return {
        "uid": str(case.uid),
        "number": case.number,
        "title": redact(case.title),
        "category": case.category.name,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "place": case.area.name,
        "reported_at": case.reported_at,
        # Four decimals (about 10 m): enough for a map, not a doorstep.
        "lon": round(case.lon, 4) if case.lon is not None else None,
        "lat": round(case.lat, 4) if case.lat is not None else None,
    }


def communities() -> QuerySet[Area]:
    return Area.objects.filter(level=AreaLevel.COMMUNITY, retired_at__isnull=True).order_by("code")


def public_timeline(case: Case) -> list[dict[str, Any]]:
    """Steps only (no notes: they may speak of people), for the public page of a case."""
    events = (
        CaseEvent.objects.filter(case=case, visibility=EventVisibility.PUBLIC)
        .exclude(action__in=["me_too", "rate", "reply"])
        .order_by("at", "id")
    )
    return [{"at": e.at, "label": RESIDENT_LABELS.get(e.action) or e.action} for e in events]
