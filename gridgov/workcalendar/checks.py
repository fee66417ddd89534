"""A mistyped working-hours setting is caught at start-up, not at the first case's deadline."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register


@register("gridgov")
def check_working_hours(app_configs: Any, **kwargs: Any) -> list[Error]:
    from gridgov.workcalendar.loader import working_hours

    try:
        working_hours()
    except (TypeError, ValueError) as error:
        return [
            Error(
                f"GRIDGOV_WORKDAY_START, GRIDGOV_WORKDAY_END or GRIDGOV_LUNCH is invalid: {error}",
                hint='Write clock times as "HH:MM"; GRIDGOV_LUNCH is a pair of them or None.',
                id="gridgov.E030",
            )
        ]
    return []
