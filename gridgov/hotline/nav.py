"""The hotline entry in the console navigation (beside SOS, under "Channels")."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.core.navigation import NavEntry, register_entry, register_module


def may_take_calls(request: HttpRequest) -> bool:
    from gridgov.hotline.permissions import is_operator

    return is_operator(request.user)


def register_navigation() -> None:
    register_module("channels", _("Channels"), "alert", order=15)
    register_entry("channels", NavEntry(_("Hotline entry"), "hotline:new", allowed=may_take_calls))
    register_entry(
        "channels", NavEntry(_("Hotline import (12345)"), "hotline:imports", allowed=may_take_calls)
    )
