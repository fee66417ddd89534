"""Listeners told of every write to a case, inside the transaction of the write.

``case_report`` and ``workflow.transition`` call ``case_reported`` / ``case_changed`` after they
write; other apps (the cockpit's rollups) register with ``listen`` in their ``AppConfig.ready``.
A listener must be cheap (it runs in every transition) and may not change the case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_reported: list[Callable[[Any], None]] = []
_changed: list[Callable[..., None]] = []


def listen(*, reported: Callable[[Any], None], changed: Callable[..., None]) -> None:
    if reported not in _reported:
        _reported.append(reported)
    if changed not in _changed:
        _changed.append(changed)


def case_reported(case: Any) -> None:
    """A case was created (state "reported", its first timeline entry written)."""
    for listener in _reported:
        listener(case)


def case_changed(*, before: Any, changes: Mapping[str, Any], event: Any) -> None:
    """A transition wrote ``changes`` (field → value, status included) over ``before`` (the case
    as it was, area loaded) and added the timeline entry ``event``."""
    for listener in _changed:
        listener(before=before, changes=changes, event=event)
