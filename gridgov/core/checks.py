"""System checks that ``gridgov check --deploy`` runs on top of Django's own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_profile(app_configs: Any, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    if not settings.PRODUCTION:
        problems.append(
            Warning(
                "GRIDGOV_PROFILE is not 'production'.",
                hint="Set GRIDGOV_PROFILE=production for a deployment (docs/deploy.md).",
                id="gridgov.W001",
            )
        )
    if settings.PRODUCTION and settings.DEBUG:
        problems.append(Error("DEBUG is on in the production profile.", id="gridgov.E001"))
    if settings.PRODUCTION and "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        problems.append(
            Warning(
                "The production profile runs on SQLite.",
                hint="SQLite is for pilots and single offices; use PostgreSQL (DATABASE_URL).",
                id="gridgov.W002",
            )
        )
    return problems
