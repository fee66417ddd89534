"""Reading ``attribute[code]`` (and ``attribute[code][]`` for several values) against the service
definition of a category. Attributes the definition does not know are ignored, as the
specification allows; a missing required one or a wrong value is a 400."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from gridgov.open311.models import Datatype, ServiceAttribute
from gridgov.open311.params import bad, optional_datetime, w3c

VALUE_LIMIT = 2000


def _values(params: Any, code: str) -> list[str]:
    found: list[str] = []
    for name in (f"attribute[{code}]", f"attribute[{code}][]"):
        getter = getattr(params, "getlist", None)
        raw = getter(name) if getter else ([params[name]] if name in params else [])
        found.extend(str(value).strip() for value in raw)
    return [value for value in found if value]


def read_attributes(params: Any, attributes: list[ServiceAttribute]) -> dict[str, Any]:
    """The attribute values of a request, checked: ``{code: value or [values]}``."""
    answers: dict[str, Any] = {}
    for attribute in attributes:
        if not attribute.variable:
            continue
        values = _values(params, attribute.code)
        label = {"code": attribute.code}
        if not values:
            if attribute.required:
                raise bad(_("The attribute %(code)s is required for this service.") % label)
            continue
        if any(len(value) > VALUE_LIMIT for value in values):
            raise bad(_("The attribute %(code)s is too long.") % label)
        if attribute.datatype == Datatype.MULTI:
            unknown = [value for value in values if value not in attribute.value_keys()]
            if unknown:
                raise bad(_("The attribute %(code)s has a value that is not in its list.") % label)
            answers[attribute.code] = list(dict.fromkeys(values))
            continue
        if len(values) > 1:
            raise bad(_("The attribute %(code)s takes one value.") % label)
        value = values[0]
        if attribute.datatype == Datatype.SINGLE and value not in attribute.value_keys():
            raise bad(_("The attribute %(code)s has a value that is not in its list.") % label)
        if attribute.datatype == Datatype.NUMBER:
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise bad(_("The attribute %(code)s must be a number.") % label)
        if attribute.datatype == Datatype.DATETIME:
            value = w3c(optional_datetime({attribute.code: value}, attribute.code)) or value
        answers[attribute.code] = value
    return answers


def describe(attributes: list[ServiceAttribute], answers: dict[str, Any]) -> str:
    """The answers as lines for the case's timeline, in the definition's words."""
    lines = []
    for attribute in attributes:
        if attribute.code not in answers:
            continue
        names = {item["key"]: item["name"] for item in attribute.values or []}
        value = answers[attribute.code]
        shown = (
            "、".join(names.get(v, v) for v in value)
            if isinstance(value, list)
            else names.get(value, value)
        )
        lines.append(f"{attribute.description}: {shown}")
    return "\n".join(lines)
