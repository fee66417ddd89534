"""The core app's console entries. Called once from ``CoreConfig.ready``."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.core.navigation import NavEntry, register_entry, register_module


def _may_view_audit_log(request: HttpRequest) -> bool:
    from gridgov.core.views.audit import may_view_audit_log

    return may_view_audit_log(getattr(request, "user", None))


def register_navigation() -> None:
    # The icon set of gridgov_ui draws the "system" icon (an unknown name would draw a dot).
    register_module("system", _("System"), "system", order=90)
    register_entry(
        "system", NavEntry(_("Audit log"), "core:audit_list", allowed=_may_view_audit_log)
    )
