"""The calendar page: a year's month grids; a day is changed through ``calendar_day_set``."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.workcalendar.forms import CalendarDayForm
from gridgov.workcalendar.models import CalendarDay
from gridgov.workcalendar.official import known_years
from gridgov.workcalendar.selectors import FIRST_YEAR, LAST_YEAR, year_calendar
from gridgov.workcalendar.services import calendar_day_set, can_edit_calendar


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_calendar(request.user):
        raise PermissionDenied


@login_required
def calendar_current(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    return redirect("workcalendar:year", timezone.localdate().year)


def _selected_day(value: str | None, year: int) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if day.year == year else None


def _form_for(day: datetime.date, row: CalendarDay | None, year: int) -> CalendarDayForm:
    is_workday = row.is_workday if row else day.weekday() < 5
    return CalendarDayForm(
        initial={
            "date": day,
            "is_workday": "0" if is_workday else "1",  # the page offers the opposite
            "name": row.name if row else "",
        },
        year=year,
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    _require_editor(request)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    form = None
    selected = None
    if request.method == "POST":
        form = CalendarDayForm(request.POST, year=year)
        if form.is_valid():
            data = form.cleaned_data
            try:
                calendar_day_set(
                    actor=request.user,
                    date=data["date"],
                    is_workday=data["is_workday"],
                    name=data["name"],
                    note=data["note"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                day = date_format(data["date"], "DATE_FORMAT")
                if data["is_workday"]:
                    message = _("%(day)s is now a working day.") % {"day": day}
                else:
                    message = _("%(day)s is now a rest day.") % {"day": day}
                messages.success(request, message)
                url = reverse("workcalendar:year", args=[year])
                return redirect(f"{url}#month-{data['date'].month}")
        selected = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
    else:
        selected = _selected_day(request.GET.get("day"), year)
    calendar = year_calendar(year)
    selected_row = next((row for row in calendar.rows if row.date == selected), None)
    if form is None and selected is not None:
        form = _form_for(selected, selected_row, year)
    return render(
        request,
        "workcalendar/year.html",
        {
            "calendar": calendar,
            "year": year,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < LAST_YEAR else None,
            "official_year": year in known_years(),
            "form": form,
            "selected": selected,
            "selected_row": selected_row,
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )
