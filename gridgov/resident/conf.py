"""The resident pages' settings, with their defaults (settings.py reads them from the environment)."""

from __future__ import annotations

import datetime

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def code_lifetime() -> datetime.timedelta:
    return datetime.timedelta(minutes=_int("GRIDGOV_RESIDENT_CODE_MINUTES", 5))


def code_attempts() -> int:
    return max(1, _int("GRIDGOV_RESIDENT_CODE_ATTEMPTS", 5))


def codes_per_phone_hour() -> int:
    return _int("GRIDGOV_RESIDENT_CODES_PER_PHONE_HOUR", 5)


def codes_per_address_hour() -> int:
    return _int("GRIDGOV_RESIDENT_CODES_PER_ADDRESS_HOUR", 20)


def code_interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=_int("GRIDGOV_RESIDENT_CODE_INTERVAL_SECONDS", 60))


def reopen_window() -> datetime.timedelta:
    return datetime.timedelta(days=_int("GRIDGOV_RESIDENT_REOPEN_DAYS", 7))


def fixed_check_delay() -> datetime.timedelta:
    return datetime.timedelta(days=_int("GRIDGOV_RESIDENT_FIXED_CHECK_DAYS", 3))


def nearby_metres() -> int:
    return _int("GRIDGOV_RESIDENT_NEARBY_METRES", 250)
