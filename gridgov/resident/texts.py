"""Text messages of the resident pages, registered with the notifications app at start-up.

Kept here (not in gridgov/notifications/texts.py) so that their wording and translation live
in this app's catalogue; ``notify_phone`` accepts any template registered in ``PHONE_TEXTS``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, gettext_noop

FIXED_CHECK = "case_fixed_check"

TEXTS = {
    FIXED_CHECK: gettext_noop(
        "Your report %(case)s was closed a few days ago. Is the problem fixed? "
        "Answer on the resident page, or call us back."
    ),
}

# Timeline lines this app writes, as the staff case page names them.
STAFF_EVENT_LABELS = {
    "me_too": gettext_lazy("Me too (another resident)"),
    "hide": gettext_lazy("Hidden from the public list"),
    "unhide": gettext_lazy("Shown on the public list again"),
    "redact_photo": gettext_lazy("Photo redacted"),
    "unredact_photo": gettext_lazy("Photo shown again"),
    "fixed_check": gettext_lazy("Reporter answered “is it fixed?”"),
}


def register() -> None:
    from gridgov.cases.views import EVENT_LABELS
    from gridgov.notifications.texts import PHONE_TEXTS

    for key, text in TEXTS.items():
        PHONE_TEXTS.setdefault(key, text)
    for action, label in STAFF_EVENT_LABELS.items():
        EVENT_LABELS.setdefault(action, label)
