"""Template helpers of the people and houses pages: ``{% load registry %}``.

- ``{% area_people_summary area %}``: live counts of an area's subtree (households, residents,
  courtyards) with links into the lists; for the area detail page.
- ``{{ resident.birth_date|age }}``: whole years today (Asia/Shanghai).
- ``{{ resident|masked_field:"phone" }}``: the masked value alone, without a reveal button (for
  dense lists; detail pages use ``{% masked obj "phone" %}`` from ``personal_data``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gridgov.core.fields import EncryptedField
from gridgov.registry.selectors import area_counts

register = template.Library()


@register.filter
def age(birth_date: datetime.date | None) -> int | str:
    """Age in whole years on today's date; empty when the birth date is unknown."""
    if not birth_date:
        return ""
    today = timezone.localdate()
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


@register.filter
def masked_field(obj: models.Model | None, field_name: str) -> str:
    if obj is None:
        return ""
    field = obj._meta.get_field(field_name)
    if not isinstance(field, EncryptedField):
        raise template.TemplateSyntaxError(f"{field_name} is not an encrypted field")
    return field.masked(obj)


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page that has not landed yet: no link
        return ""


@register.inclusion_tag("registry/people/_area_summary.html")
def area_people_summary(area: Any) -> dict[str, Any]:
    """Counts for ``area``'s subtree (three grouped queries, see ``area_counts``). The caller has
    already checked that the user sees ``area``; its whole subtree is then in scope."""
    counts = area_counts([area])[area.pk]
    query = f"?area={area.pk}"
    resident_url = _url("registry:resident_list")
    house_url = _url("registry:house_list")
    courtyard_url = _url("registry:courtyard_list")
    return {
        "area": area,
        "counts": counts,
        "resident_url": resident_url + query if resident_url else "",
        "house_url": house_url + query if house_url else "",
        "courtyard_url": courtyard_url + query if courtyard_url else "",
    }
