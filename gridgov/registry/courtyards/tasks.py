"""Background jobs of courtyard safety (django-tasks).

``courtyard_risk_sweep_task`` recounts the tenants of courtyards whose tenancies started or ended
and re-derives the colour of courtyards whose open rectification items passed their deadline
overnight (a severe item past its deadline turns a courtyard red without any write). It is idempotent, so a scheduler may run it daily, or twice, or after a restart.
"""

from __future__ import annotations

from django_tasks import task

from gridgov.registry.courtyards.services import courtyard_risk_sweep


@task()
def courtyard_risk_sweep_task() -> int:
    return courtyard_risk_sweep()
