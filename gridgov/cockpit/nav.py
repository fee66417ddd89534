"""The cockpit's entries in the console navigation. Called once from ``CockpitConfig.ready``."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.core.navigation import NavEntry, register_entry, register_module
from gridgov.core.scoping import scope_of


def may_see_cockpit(request: HttpRequest) -> bool:
    """Staff with an area or a department; residents have no cockpit."""
    scope = scope_of(request.user)
    return scope.everything or bool(scope.area_codes or scope.department_ids)


def register_navigation() -> None:
    register_module("cockpit", _("Cockpit"), "cockpit", order=5)
    for label, url_name in (
        (_("Overview"), "cockpit:overview"),
        (_("Case map"), "cockpit:map"),
        (_("Charts"), "cockpit:charts"),
        (_("Wall screen"), "cockpit:wall"),
    ):
        register_entry("cockpit", NavEntry(label, url_name, allowed=may_see_cockpit))
