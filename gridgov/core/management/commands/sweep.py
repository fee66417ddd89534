"""``gridgov sweep``: the daily sweeps that repair what the calendar changes without any write
(case deadlines whose queued check was missed; courtyard tenant counts and colours; "is it
fixed?" questions to reporters that are due). Idempotent:
run it from a systemd timer or cron once a day, or twice, or after a restart.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the idempotent sweeps (case deadlines; courtyard tenants and risk colours)."

    def handle(self, *args: Any, **options: Any) -> None:
        from gridgov.cases.followups import settle_all
        from gridgov.cases.jobs import deadline_sweep
        from gridgov.core.tasks import orphaned_tasks_requeue
        from gridgov.notifications.services import deliveries_requeue
        from gridgov.registry.courtyards.services import courtyard_risk_sweep
        from gridgov.resident.jobs import fixed_check_sweep
        from gridgov.sos.services import sos_sweep

        self.stdout.write(f"tasks of dead workers: {orphaned_tasks_requeue()} queued again")
        self.stdout.write(f"sos: {sos_sweep()} presses given their case")
        self.stdout.write(f"cases: {settle_all()} follow-ups carried out")
        self.stdout.write(f"cases: {deadline_sweep()} changed")
        self.stdout.write(f"deliveries: {deliveries_requeue()} queued again")
        self.stdout.write(f"courtyards: {courtyard_risk_sweep()} changed")
        self.stdout.write(f"residents asked whether it is fixed: {fixed_check_sweep()}")
