"""The case loop's entries in the console navigation. Called once from ``CasesConfig.ready``."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import STAFF_ROLES
from gridgov.core.navigation import NavEntry, register_entry, register_module
from gridgov.core.scoping import scope_of


def _is_staff(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.everything or bool(scope.roles & STAFF_ROLES)


def _is_dispatcher(request: HttpRequest) -> bool:
    from gridgov.cases.guards import DISPATCHER_ROLES

    scope = scope_of(request.user)
    return scope.everything or bool(scope.area_codes and scope.roles & DISPATCHER_ROLES)


def _is_department_handler(request: HttpRequest) -> bool:
    return bool(scope_of(request.user).department_ids)


def _may_report(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.everything or bool(scope.area_codes and scope.roles & STAFF_ROLES)


def register_navigation() -> None:
    register_module("cases", _("Cases"), "cases", order=10)
    for label, url_name, allowed in (
        (_("To-do"), "cases:todo", _is_staff),
        (_("Dispatch"), "cases:dispatch", _is_dispatcher),
        (_("Department desk"), "cases:desk", _is_department_handler),
        (_("All cases"), "cases:list", _is_staff),
        (_("New case"), "cases:new", _may_report),
        (_("Figures and rankings"), "cases:kpis", _may_report),
    ):
        register_entry("cases", NavEntry(label, url_name, allowed=allowed))
