"""What every console page needs: the user's roles and areas, and the modules they may open.

Everything here is lazy: nothing is queried unless the template reads it. That matters for the
503 page, which is rendered while the database is down, and for pages that never show the shell.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gridgov.core.navigation import modules_for


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _nav_modules(request: HttpRequest) -> list[dict[str, Any]]:
    """The user's modules, with the entry of the current page marked ``active``."""
    if not _signed_in(request):
        return []
    modules = modules_for(request)
    # The entry whose URL is the longest prefix of the current path is the current one, so that
    # /areas/12/ keeps "Area tree" (/areas/) highlighted. The workbench (/) is never a prefix match.
    path = request.path
    best = ""
    for module in modules:
        for entry in module["entries"]:
            url = str(entry["url"])
            if (path == url or (url != "/" and path.startswith(url))) and len(url) > len(best):
                best = url
    for module in modules:
        module["active"] = False
        for entry in module["entries"]:
            entry["active"] = bool(best) and entry["url"] == best
            module["active"] = module["active"] or entry["active"]
    return modules


def _my_assignments(request: HttpRequest) -> list[Any]:
    """The user's active role assignments with their area or department, in one query."""
    if not _signed_in(request):
        return []
    return list(
        request.user.assignments.filter(active=True)
        .select_related("area", "department")
        .order_by("role", "area__code", "department__name")
    )


def console(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_modules": SimpleLazyObject(lambda: _nav_modules(request)),
        "my_assignments": SimpleLazyObject(lambda: _my_assignments(request)),
    }
