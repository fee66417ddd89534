"""Demo working calendar: last year, this year and next, from chinesecalendar where it knows them."""

from __future__ import annotations

from django.utils import timezone

from gridgov.demo.loader import DemoContext, demo_step
from gridgov.workcalendar.services import calendar_seed


@demo_step("calendar", order=15)
def load_calendar(context: DemoContext) -> None:
    # The same service as ``gridgov calendar_seed``: a year the package does not know stays a
    # plain week, as it would in a real deployment, and the calendar page says so.
    this_year = timezone.localdate().year
    calendar_seed(years=range(this_year - 1, this_year + 2))
