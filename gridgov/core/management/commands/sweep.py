"""``gridgov sweep``: the daily sweeps that repair what the calendar changes without any write
(courtyard tenant counts and colours today; case deadlines when the case loop lands). Idempotent:
run it from a systemd timer or cron once a day, or twice, or after a restart.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the daily idempotent sweeps (courtyard tenants and risk colours)."

    def handle(self, *args: Any, **options: Any) -> None:
        from gridgov.registry.courtyards.services import courtyard_risk_sweep

        changed = courtyard_risk_sweep()
        self.stdout.write(f"courtyards: {changed} changed")
