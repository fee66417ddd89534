"""``{% masked obj "phone" %}``: the masked value, and a reveal button for those who may use it.

The button posts (htmx) to ``core:personal_data_reveal``, which checks the permission and the
scope again and writes the audit record; the tag only decides whether to offer the button.
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gridgov.core.fields import EncryptedField
from gridgov.core.personal_data import may_reveal, revealable_field

register = template.Library()


@register.simple_tag(takes_context=True)
def masked(context: template.Context, obj: models.Model | None, field_name: str) -> SafeString:
    if obj is None:
        return format_html("")
    field = obj._meta.get_field(field_name)
    if not isinstance(field, EncryptedField):
        raise template.TemplateSyntaxError(f"{field_name} is not an encrypted field")
    text = field.masked(obj)
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if not text or not _offer_reveal(user, obj, field_name):
        return format_html('<span class="masked">{}</span>', text)
    values = json.dumps({"model": obj._meta.label_lower, "pk": str(obj.pk), "field": field_name})
    return format_html(
        '<span class="masked">{text} <button type="button" class="reveal-button" '
        'hx-post="{url}" hx-vals="{values}" hx-target="closest .masked" hx-swap="outerHTML" '
        'title="{title}">{label}</button></span>',
        text=text,
        url=reverse("core:personal_data_reveal"),
        values=values,
        title=_("Show in full (the reveal is logged)"),
        label=_("Reveal"),
    )


def _offer_reveal(user: Any, obj: models.Model, field_name: str) -> bool:
    try:
        revealable_field(type(obj), field_name)
    except Http404:  # not on the allow-list: no button
        return False
    return may_reveal(user, type(obj))
