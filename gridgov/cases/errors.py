"""Errors of the case workflow: refused with a reason, nothing changed."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class WorkflowError(ValidationError):
    """An action that the table does not allow now (wrong state, missing reason…)."""


class ConcurrentChange(WorkflowError):
    """Somebody else changed the case first; the page the actor acted on was stale."""
