"""Cases taken by phone or transferred from a city hotline (12345 转办).

One service for the operator page and the sheet import: ``hotline_case_create`` checks that the
operator takes calls for the area, then files the case through ``case_report`` (channel hotline,
the caller's number as the encrypted callback phone, the operator as its clerk). A hotline work
order's number is the case's client key, so the same order twice is one case.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from gridgov.areas.models import Area
from gridgov.cases.models import Category, Channel, Urgency
from gridgov.cases.services import Reported, case_report
from gridgov.core.models import RoleAssignment
from gridgov.hotline.permissions import DISPATCHER_ROLES, operates_at

ORDER_PREFIX = "12345:"
ORDER_MAX = 64 - len(ORDER_PREFIX)


def order_key(order_number: str) -> str | None:
    """The case's client key for a hotline work order (None for a call without one)."""
    order_number = (order_number or "").strip()
    return f"{ORDER_PREFIX}{order_number}" if order_number else None


def default_area(actor: Any) -> Area | None:
    """Where an order without a place goes: the operator's own (outermost) desk area."""
    assignment = (
        RoleAssignment.objects.filter(
            user=actor, active=True, role__in=list(DISPATCHER_ROLES), area__isnull=False
        )
        .select_related("area")
        .order_by("area__code")
        .first()
    )
    return assignment.area if assignment else None


def hotline_case_create(
    *,
    actor: Any,
    category: Category,
    description: str,
    caller_phone: str,
    area: Area | None,
    caller_name: str = "",
    order_number: str = "",
    title: str = "",
    urgency: str = Urgency.NORMAL,
    address: str = "",
    called_at: datetime.datetime | None = None,
    notes: str = "",
) -> Reported:
    """File one hotline case; raises ValidationError (bad input) or PermissionDenied (an area the
    operator does not take calls for). The same work order again returns its case."""
    errors: dict[str, list[str]] = {}
    order_number = (order_number or "").strip()
    if len(order_number) > ORDER_MAX:
        errors["order_number"] = [
            _("The work-order number is longer than %(n)d characters.") % {"n": ORDER_MAX}
        ]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Write down what the caller reports.")]
    if not (caller_phone or "").strip():
        errors["callback_phone"] = [_("The caller's number is required.")]
    area = area or default_area(actor)
    if area is None:
        errors["area"] = [_("Choose the area the case belongs to.")]
    if errors:
        raise ValidationError(errors)
    assert area is not None
    if not operates_at(actor, area.code):
        raise PermissionDenied(_("You do not take calls for this area."))
    text = description
    if notes:
        text = f"{description}\n\n{notes}"
    return case_report(
        actor=actor,
        channel=Channel.HOTLINE,
        category=category,
        title=(title or "").strip() or _short(description),
        description=text,
        urgency=urgency,
        area=area,
        address=address,
        reporter_name=caller_name,
        callback_phone=caller_phone,
        client_key=order_key(order_number),
        at=called_at,
    )


def _short(text: str, length: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1] + "…"
