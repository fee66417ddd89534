"""Public pages, open to anyone without signing in: what a courtyard plate's QR code opens.

Deliberately narrow. The template receives a plain dict of the fields that may be public
(code, name, street-level location, a coordinate, stars, risk colour, the landlord's name masked,
the contact channel), never the model instance, so that no later template edit can reach an ID
number, a phone, a tenant or an inspection note. The response asks search engines not to index
it. Nothing here writes the session.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from gridgov.areas.models import AreaLevel
from gridgov.core.masking import mask_name
from gridgov.registry.models import Courtyard, RiskColor

# Decimal places of the public coordinate: 4 places is about 10 m, enough to find the gate.
COORDINATE_PLACES = 4


def coordinate_text(lat: float | None, lon: float | None) -> str:
    """``39.9087° N, 116.3975° E`` (WGS-84), or "" when the courtyard has no coordinate."""
    if lat is None or lon is None:
        return ""
    return _("%(lat)s° %(ns)s, %(lon)s° %(ew)s") % {
        "lat": f"{abs(lat):.{COORDINATE_PLACES}f}",
        "ns": pgettext("compass point", "N") if lat >= 0 else pgettext("compass point", "S"),
        "lon": f"{abs(lon):.{COORDINATE_PLACES}f}",
        "ew": pgettext("compass point", "E") if lon >= 0 else pgettext("compass point", "W"),
    }


@require_safe
def courtyard(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    # The one unscoped read of courtyards: the token on the plate is the permission, and only the
    # public fields below leave this function. A retired courtyard's plate leads nowhere.
    found = (
        Courtyard.objects.filter(public_token=token, retired_at__isnull=True)
        .select_related("landlord", "area")
        .first()
    )
    if found is None:
        raise Http404
    places = [
        area.name
        for area in [*found.area.ancestors(), found.area]
        if area.level in (AreaLevel.STREET, AreaLevel.COMMUNITY)
    ]
    color = found.effective_risk_color
    public = {
        "code": found.code,
        "name": found.name,
        "places": places,
        "address": found.address,
        "coordinate": coordinate_text(found.lat, found.lon),
        "stars": found.star_rating or 0,
        "color": color,
        "color_label": RiskColor(color).label,
        "landlord": mask_name(found.landlord.name) if found.landlord_id else "",
        "contact_channel": found.contact_channel,
    }
    response = render(
        request,
        "registry/public/courtyard.html",
        {"courtyard": public, "star_range": range(1, 6)},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
