"""The one transition SOS adds to the case workflow: "pressed again".

A press while the resident's last SOS case is still open is not a new case: it is a line on that
case's timeline, written by ``workflow.transition`` like every other (compare-and-set, audit
record). Only the system takes it (its guard refuses every person), so it never shows as a button.
Registered into the workflow's table at start-up, so the case app needs no SOS knowledge.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import pgettext_lazy

from gridgov.cases.effects import EFFECTS, Effect
from gridgov.cases.models import Case, EventVisibility
from gridgov.cases.workflow import OPEN_ANY, TRANSITIONS, Transition

PRESSED_AGAIN = "sos_pressed_again"


def system_only(actor: Any, case: Case) -> bool:
    """No person takes this action; the system does (``actor=None`` skips guards)."""
    return False


def pressed_again(
    case: Case, actor: Any, payload: dict[str, Any], now: datetime.datetime
) -> Effect:
    return Effect(data={"press": str(payload.get("press") or ""), "source": payload.get("source")})


def register_transitions() -> None:
    TRANSITIONS.setdefault(
        PRESSED_AGAIN,
        Transition(
            PRESSED_AGAIN,
            pgettext_lazy("case action", "SOS pressed again"),
            OPEN_ANY,
            None,
            system_only,
            visibility=EventVisibility.PUBLIC,
        ),
    )
    EFFECTS.setdefault(PRESSED_AGAIN, pressed_again)
