"""Reading Open311 parameters: every malformed value is a 400 with the parameter's name."""

from __future__ import annotations

import datetime
import math

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from gridgov.open311.render import Open311Error


def bad(message: str) -> Open311Error:
    return Open311Error(400, message)


def optional_datetime(params: dict[str, str], name: str) -> datetime.datetime | None:
    """A W3C/ISO 8601 date and time; without a zone it is local time (Asia/Shanghai), a bare date
    is its first moment."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "T", 1) if "T" not in raw else raw)
        if value is None:
            day = parse_date(raw)
            if day is not None:
                value = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        value = None
    if value is None:
        raise bad(
            _("%(name)s is not a date and time (for example 2026-03-01T08:00:00+08:00).")
            % {"name": name}
        )
    if not 1900 <= value.year <= 2999:  # far dates overflow on their way to UTC
        raise bad(_("%(name)s is out of range.") % {"name": name})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def optional_int(
    params: dict[str, str], name: str, *, default: int, minimum: int, maximum: int
) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        raise bad(
            _("%(name)s must be a whole number from %(minimum)s to %(maximum)s.")
            % {"name": name, "minimum": minimum, "maximum": maximum}
        )
    return value


def optional_float(params: dict[str, str], name: str, *, limit: float) -> float | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise bad(
            _("%(name)s must be a number from -%(limit)s to %(limit)s.")
            % {"name": name, "limit": int(limit)}
        )
    return value


def comma_list(params: dict[str, str], name: str) -> list[str]:
    return [part.strip() for part in (params.get(name) or "").split(",") if part.strip()]


def w3c(moment: datetime.datetime | None) -> str | None:
    """A datetime as the specification writes it: W3C format, with its zone (Asia/Shanghai)."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()
