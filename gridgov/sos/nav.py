"""SOS in the console navigation (devices, presses, duty roster) for the people who manage it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.core.navigation import NavEntry, register_entry, register_module


def may_manage(request: HttpRequest) -> bool:
    from gridgov.sos.permissions import manages_sos

    return manages_sos(request.user)


def register_navigation() -> None:
    register_module("channels", _("Channels"), "alert", order=15)
    register_entry(
        "channels", NavEntry(_("SOS devices and presses"), "sos:console", allowed=may_manage)
    )
    register_entry("channels", NavEntry(_("Duty roster"), "sos:duty", allowed=may_manage))
