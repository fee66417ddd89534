"""References a client names by code (an area, a category) turned into rows, through the scoping
function. A reference the caller cannot see is answered like one that does not exist: a field
error (422) naming the field, never a hint that it exists elsewhere."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gridgov.api.errors import INVALID_INPUT, ApiError, render
from gridgov.areas.models import Area

UNKNOWN_AREA = _("No area with this code in your areas.")


def field_error(name: str, message: Any) -> ApiError:
    return ApiError(
        422, "invalid_input", INVALID_INPUT, details={"fields": {name: [render(message)]}}
    )


def visible_area(user: Any, code: str | None, field: str = "area") -> Area | None:
    if not code:
        return None
    area = Area.objects.visible_to(user).filter(code=code).first()
    if area is None:
        raise field_error(field, UNKNOWN_AREA)
    return area
