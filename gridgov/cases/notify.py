"""Who hears about a step, as its follow-up (``gridgov.cases.followups``): never for a rolled-back one.

Staff get an in-app notification; reporters are told at accept, resolve and close (and reject)
through the notifications app, which picks the channel (log in the demo and tests, SMS, webhook).
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.cases.models import Case
from gridgov.core.models import Role, User

logger = logging.getLogger(__name__)

TITLES = {
    "new_assignment": lambda case: _("New case for you: %(title)s") % {"title": case.title},
    "returned": lambda case: _("Case returned: %(title)s") % {"title": case.title},
    "whistled": lambda case: _("Summoned (whistle): %(title)s") % {"title": case.title},
    "escalated": lambda case: _("Case escalated to you: %(title)s") % {"title": case.title},
    "reopened": lambda case: _("Case reopened: %(title)s") % {"title": case.title},
    "rated": lambda case: (
        _("Case rated %(rating)s: %(title)s") % {"rating": case.rating or "", "title": case.title}
    ),
    "supervised": lambda case: _("Case under supervision: %(title)s") % {"title": case.title},
    "extension_requested": lambda case: _("More time requested: %(title)s") % {"title": case.title},
    "extension_decided": lambda case: _("Decision on more time: %(title)s") % {"title": case.title},
    "overdue": lambda case: _("Overdue: %(title)s") % {"title": case.title},
}
REPORTER_KINDS = {"accepted", "rejected", "resolved", "closed"}


def assignee_users(case: Case) -> list[User]:
    if case.assignee_user_id:
        return [case.assignee_user]
    if case.assignee_area_id:
        return list(
            User.objects.filter(
                assignments__area_id=case.assignee_area_id,
                assignments__active=True,
                assignments__role__in=[
                    Role.GRID_WORKER,
                    Role.GRID_LEADER,
                    Role.COMMUNITY_SECRETARY,
                    Role.STREET_OFFICER,
                ],
                is_active=True,
            ).distinct()
        )
    return summoned_users(case)


def summoned_users(case: Case) -> list[User]:
    departments = case.summons.filter(active=True).values_list("department_id", flat=True)
    return list(
        User.objects.filter(
            assignments__department_id__in=list(departments),
            assignments__active=True,
            assignments__role=Role.DEPARTMENT_HANDLER,
            is_active=True,
        ).distinct()
    )


def dispatcher_users(case: Case) -> list[User]:
    """The secretaries and street officers over the case's place."""
    code = case.area.code
    prefixes = [code[:length] for length in (9, 12, 15) if len(code) >= length]
    return list(
        User.objects.filter(
            assignments__area__code__in=prefixes,
            assignments__active=True,
            assignments__role__in=[Role.COMMUNITY_SECRETARY, Role.STREET_OFFICER],
            is_active=True,
        ).distinct()
    )


RECIPIENTS = {
    "assignee": assignee_users,
    "summoned": summoned_users,
    "dispatchers": dispatcher_users,
}


def after_step(case: Case, notify: list[tuple[str, str]]) -> None:
    """Tell each audience of ``notify`` ((kind, audience) pairs of the step's effect)."""
    if not apps.is_installed("gridgov.notifications"):
        return
    for kind, audience in notify:
        # notify_user and notify_phone each write under their own savepoint: a failure drops
        # that one notification, never the others or the step's rollup counts.
        try:
            if audience == "reporter":
                tell_reporter(case, kind)
            else:
                tell_staff(case, kind, RECIPIENTS[audience](case))
        except Exception:  # a notification must never undo or hide the step
            logger.exception("notification %s for case %s failed", kind, case.pk)


def tell_staff(case: Case, kind: str, users: list[User]) -> None:
    from gridgov.notifications.services import notify_user

    title = TITLES.get(kind, TITLES["new_assignment"])(case)
    link = reverse("cases:detail", args=[case.pk])
    for user in users:
        notify_user(
            recipient=user, kind=kind, title=title, body=case.number, link=link, related=case
        )


def tell_reporter(case: Case, kind: str) -> None:
    """The reporter's account inbox if they have one, and their callback phone if given."""
    from gridgov.notifications.services import notify_phone, notify_user

    if kind not in REPORTER_KINDS:
        return
    messages = {
        "accepted": _("Your report %(number)s has been accepted."),
        "rejected": _("Your report %(number)s could not be accepted; see the reason online."),
        "resolved": _("Your report %(number)s has been handled."),
        "closed": _("Your report %(number)s is closed. Please rate how it was handled."),
    }
    text = messages[kind] % {"number": case.number}
    if case.reporter_user_id:
        notify_user(recipient=case.reporter_user, kind="system", title=text, body="", related=case)
    if case.callback_phone:
        notify_phone(
            phone=case.callback_phone,
            template=f"case_{kind}",
            params={"number": case.number},
            kind=kind,
        )
