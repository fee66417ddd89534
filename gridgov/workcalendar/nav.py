"""The calendar's entry in the console navigation, under "System"."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.core.navigation import NavEntry, register_entry


def _may_edit(request: HttpRequest) -> bool:
    from gridgov.workcalendar.services import can_edit_calendar

    return can_edit_calendar(getattr(request, "user", None))


def register_navigation() -> None:
    # The "system" module is registered by the core app, which comes first in INSTALLED_APPS.
    register_entry(
        "system", NavEntry(_("Working calendar"), "workcalendar:current", allowed=_may_edit)
    )
