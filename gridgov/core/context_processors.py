"""What every console page needs: the user's roles and areas, and the modules they may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gridgov.core.navigation import modules_for


def console(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_modules": modules_for(request)}
