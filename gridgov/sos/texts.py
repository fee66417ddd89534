"""The text message SOS sends to a resident's emergency contacts, added to the notification
app's templates at start-up (its wording lives in this app's catalogue)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

SOS_ALERT = "sos_alert"
TEXTS = {
    SOS_ALERT: gettext_noop(
        "SOS: %(name)s pressed the help button at %(time)s. The community has been told and "
        "help is on the way (case %(case)s)."
    ),
}


def register_texts() -> None:
    from gridgov.notifications.texts import PHONE_TEXTS

    for key, text in TEXTS.items():
        PHONE_TEXTS.setdefault(key, text)
