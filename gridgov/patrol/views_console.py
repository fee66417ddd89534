"""The patrol console (desktop, /patrols/): patrols and the daily summary per worker in the
user's scope, and its Excel export. Community and street staff see their areas' workers; a grid
worker sees their own grid."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridgov.cases.export import XLSX_CONTENT_TYPE
from gridgov.cases.views import case_staff_required
from gridgov.core.scoping import get_visible_or_404
from gridgov.patrol.export import summary_workbook
from gridgov.patrol.forms import SummaryFilterForm
from gridgov.patrol.models import Patrol
from gridgov.patrol.selectors import daily_summary, patrol_list


def _filters(request: HttpRequest) -> SummaryFilterForm:
    return SummaryFilterForm(request.GET or None, user=request.user, today=timezone.localdate())


@case_staff_required
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    day, area = form.chosen()
    now = timezone.now()
    patrols = list(patrol_list(request.user, day_from=day, day_to=day, area=area)[:500])
    for patrol in patrols:
        patrol.minutes = int(patrol.duration(now).total_seconds() // 60)
    rows = daily_summary(request.user, day, area=area, now=now)
    return render(
        request,
        "patrol/console.html",
        {
            "form": form,
            "day": day,
            "rows": rows,
            "patrols": patrols,
            "totals": {
                "patrols": sum(r.patrols for r in rows),
                "minutes": sum(r.duration_minutes for r in rows),
                "distance_m": round(sum(r.distance_m for r in rows)),
                "cases_found": sum(r.cases_found for r in rows),
            },
            "export_query": request.GET.urlencode(),
        },
    )


@case_staff_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    day, area = form.chosen()
    now = timezone.now()
    content = summary_workbook(
        day,
        daily_summary(request.user, day, area=area, now=now),
        patrol_list(request.user, day_from=day, day_to=day, area=area),
        now=now,
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = _("patrols-%(day)s.xlsx") % {"day": day.isoformat()}
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@case_staff_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = get_visible_or_404(
        Patrol.objects.select_related("worker", "area"), request.user, pk=pk
    )
    points = list(patrol.points.order_by("recorded_at", "id")[:2000])
    found = list(patrol.found.select_related("case", "case__category").order_by("created_at"))
    return render(
        request,
        "patrol/console_detail.html",
        {
            "patrol": patrol,
            "points": points,
            "found": found,
            "minutes": int(patrol.duration().total_seconds() // 60),
        },
    )
