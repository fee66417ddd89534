"""The public list and map of a community's cases: no sign-in, no personal data.

Only cases whose reporter agreed (``public``), not hidden by moderation, not of a sensitive
category and past intake; only photos not redacted; never a reporter, handler, phone or note.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from gridgov.areas.models import AreaLevel
from gridgov.cases.models import Case, CaseAttachment
from gridgov.resident import selectors
from gridgov.resident.views_common import photo_response


def _community(pk: int):
    return get_object_or_404(selectors.communities(), pk=pk, level=AreaLevel.COMMUNITY)


@require_GET
def communities(request: HttpRequest) -> HttpResponse:
    return render(
        request, "resident/public_communities.html", {"communities": selectors.communities()}
    )


@require_GET
def community(request: HttpRequest, pk: int) -> HttpResponse:
    area = _community(pk)
    page = Paginator(selectors.public_cases(area), 20).get_page(request.GET.get("page"))
    rows = [selectors.public_case_row(case) for case in page.object_list]
    return render(
        request,
        "resident/public_community.html",
        {"community": area, "page": page, "rows": rows},
    )


@require_GET
def community_geojson(request: HttpRequest, pk: int) -> JsonResponse:
    area = _community(pk)
    features = []
    for case in selectors.public_cases(area).filter(lon__isnull=False)[:500]:
        row = selectors.public_case_row(case)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": {
                    "uid": row["uid"],
                    "title": row["title"],
                    "category": row["category"],
                    "status": row["status"],
                    "status_label": row["status_label"],
                },
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _public_case(uid: str) -> Case:
    try:
        return selectors.publicly_visible().get(uid=uid)
    except (Case.DoesNotExist, ValueError) as error:
        raise Http404 from error


@require_GET
def public_case(request: HttpRequest, uid: str) -> HttpResponse:
    case = _public_case(str(uid))
    return render(
        request,
        "resident/public_case.html",
        {
            "row": selectors.public_case_row(case),
            "timeline": selectors.public_timeline(case),
            "photos": list(selectors.public_photos(case)),
        },
    )


@require_GET
def public_photo(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = get_object_or_404(
        CaseAttachment.objects.select_related("file", "case", "case__area"),
        pk=attachment_id,
        redacted=False,
    )
    _public_case(str(attachment.case.uid))
    if attachment.kind not in ("before", "after"):
        raise Http404
    return photo_response(attachment, public=True)
