"""Standard wording of notifications and text messages, with English msgids, rendered in the
recipient's language.

Callers may write their own (already translated) title and body; these helpers keep the common
ones alike everywhere::

    title, body = render(NotificationKind.OVERDUE, recipient=user, case=case.number,
                         deadline=case.resolve_by)
    notify_user(recipient=user, kind=NotificationKind.OVERDUE, title=title, body=body, ...)

A missing context value shows as "—" rather than failing the write that notifies. Datetimes are
shown in Asia/Shanghai as ``2026-01-15 17:30``.
"""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gridgov.notifications.models import NotificationKind

MISSING = "—"


class Rendered(NamedTuple):
    title: str
    body: str


# kind → (title, body): msgids only, translated at render time in the recipient's language.
NOTIFICATION_TEXTS: dict[str, tuple[str, str]] = {
    NotificationKind.NEW_ASSIGNMENT: (
        gettext_noop("New case: %(case)s"),
        gettext_noop("Case %(case)s was assigned to you. Claim it by %(deadline)s."),
    ),
    NotificationKind.OVERDUE: (
        gettext_noop("Case %(case)s is overdue"),
        gettext_noop("The deadline of case %(case)s passed at %(deadline)s."),
    ),
    NotificationKind.DUE_SOON: (
        gettext_noop("Case %(case)s is due soon"),
        gettext_noop("Case %(case)s is due at %(deadline)s."),
    ),
    NotificationKind.RETURNED: (
        gettext_noop("Case %(case)s was returned"),
        gettext_noop("%(actor)s returned case %(case)s: %(reason)s"),
    ),
    NotificationKind.WHISTLED: (
        gettext_noop("Summoned to case %(case)s"),
        gettext_noop("The street summoned you to case %(case)s. Report in by %(deadline)s."),
    ),
    NotificationKind.ESCALATED: (
        gettext_noop("Case %(case)s was escalated"),
        gettext_noop("Case %(case)s was escalated to %(level)s."),
    ),
    NotificationKind.RATED: (
        gettext_noop("Case %(case)s was rated %(rating)s"),
        gettext_noop("The reporter rated case %(case)s %(rating)s out of 5."),
    ),
    NotificationKind.REOPENED: (
        gettext_noop("Case %(case)s was reopened"),
        gettext_noop("Case %(case)s was reopened: %(reason)s"),
    ),
    NotificationKind.SUPERVISED: (
        gettext_noop("Case %(case)s is supervised"),
        gettext_noop("%(actor)s put case %(case)s under supervision."),
    ),
    NotificationKind.EXTENSION_REQUESTED: (
        gettext_noop("Extension requested for case %(case)s"),
        gettext_noop("%(actor)s asks to extend case %(case)s to %(deadline)s: %(reason)s"),
    ),
}
# The decision is part of the sentence (word order differs between languages).
EXTENSION_APPROVED = (
    gettext_noop("Extension of case %(case)s approved"),
    gettext_noop("The extension of case %(case)s was approved; the new deadline is %(deadline)s."),
)
EXTENSION_REFUSED = (
    gettext_noop("Extension of case %(case)s refused"),
    gettext_noop("The extension of case %(case)s was refused; the deadline stays %(deadline)s."),
)

# Text messages to phones: template key → wording. The gateway sends its own approved template
# (GRIDGOV_SMS_GATEWAY["templates"]); this wording is what the log shows and what the approved
# template should say. Parameters named in SECRET_PARAMS are sealed in the database.
PHONE_TEXTS: dict[str, str] = {
    "case_accepted": gettext_noop("Your report %(case)s was accepted. We will keep you informed."),
    "case_rejected": gettext_noop(
        "Your report %(case)s could not be accepted. The reason is on the report's page."
    ),
    "case_resolved": gettext_noop("Your report %(case)s was resolved. Please rate how we did."),
    "case_closed": gettext_noop("Your report %(case)s is closed. Thank you for telling us."),
    "sign_in_code": gettext_noop(
        "Your sign-in code is %(code)s. It expires in %(minutes)s minutes. Never share it."
    ),
}
SECRET_PARAMS: dict[str, frozenset[str]] = {"sign_in_code": frozenset({"code"})}


class _Context(dict):
    def __missing__(self, key: str) -> str:
        return MISSING


def language_of(recipient: Any) -> str:
    """The recipient's language. Users have no language of their own yet: the site's."""
    return getattr(recipient, "language", "") or settings.LANGUAGE_CODE


def _shown(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if value is None or value == "":
        return MISSING
    return value


def _format(msgid: str, context: dict[str, Any]) -> str:
    return _(msgid) % _Context({key: _shown(value) for key, value in context.items()})


def render(kind: str, *, recipient: Any = None, **context: Any) -> Rendered:
    """Title and body of a standard notification of ``kind``, in the recipient's language.

    ``extension_decided`` takes ``approved=True/False``; ``system`` takes ``title`` and ``message``.
    """
    if kind == NotificationKind.SYSTEM:
        # Announcements are written by people, already in their language: nothing to translate.
        return Rendered(str(context.get("title", "")), str(context.get("message", "")))
    if kind == NotificationKind.EXTENSION_DECIDED:
        title, body = EXTENSION_APPROVED if context.pop("approved", False) else EXTENSION_REFUSED
    else:
        title, body = NOTIFICATION_TEXTS[kind]
    with translation.override(language_of(recipient)):
        return Rendered(_format(title, context), _format(body, context))


def render_phone_text(template: str, params: dict[str, Any], *, language: str = "") -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _format(PHONE_TEXTS[template], params)
