"""The moderation panel on the staff case page: ``{% load resident_moderation %}{% moderation_panel case %}``."""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.resident.moderation import may_moderate

register = template.Library()


@register.inclusion_tag("resident/_moderation.html", takes_context=True)
def moderation_panel(context: dict[str, Any], case: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = user is not None and may_moderate(user, case)
    return {
        "case": case,
        "allowed": allowed,
        "photos": list(case.attachments.select_related("file").order_by("id")) if allowed else [],
        "csrf_token": context.get("csrf_token"),
    }
