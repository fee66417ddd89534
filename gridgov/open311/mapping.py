"""The one place where our workflow statuses meet Open311's.

GeoReport v2 knows two statuses, ``open`` and ``closed``; mySociety's ``servicerequestupdates``
(what FixMyStreet polls) knows a few more. Every case status maps to one of each, here, and the
tests check that every status of ``CaseStatus`` is covered. A finished case (closed, rated,
rejected, merged: ``FINISHED_STATUSES``) is ``closed``; everything still moving is ``open``.
"""

from __future__ import annotations

from gridgov.cases.models import FINISHED_STATUSES, OPEN_STATUSES, CaseStatus

S = CaseStatus

# GeoReport v2 ``status``: exactly the split the case loop itself uses.
OPEN311_STATUS: dict[str, str] = {
    **{status: "open" for status in OPEN_STATUSES},
    **{status: "closed" for status in FINISHED_STATUSES},
}

# mySociety's update statuses (lower case, as mySociety's open311-adapter sends them; FixMyStreet
# reads them case-insensitively). A resolved case is still "in progress" until someone other
# than the handler has verified it on site: only then is it "fixed".
UPDATE_STATUS: dict[str, str] = {
    S.REPORTED: "open",
    S.ACCEPTED: "investigating",
    S.DISPATCHED: "action_scheduled",
    S.CLAIMED: "in_progress",
    S.RESOLVED: "in_progress",
    S.VERIFIED: "fixed",
    S.SUSPENDED: "investigating",
    S.CLOSED: "fixed",
    S.RATED: "fixed",
    S.REJECTED: "no_further_action",
    S.MERGED: "duplicate",
}

# Statuses a client may push with an update. Only "open" on a finished case changes anything
# (it asks for the case to be reopened); a client cannot close or fix our case, so the others
# are kept as comments.
REOPENING_STATUSES = frozenset({"open", "reopen"})
KNOWN_CLIENT_STATUSES = frozenset(
    {
        "open",
        "closed",
        "fixed",
        "in_progress",
        "action_scheduled",
        "investigating",
        "duplicate",
        "not_councils_responsibility",
        "no_further_action",
        "internal_referral",
        "reopen",
        "planned",
    }
)
REOPENABLE = frozenset({S.CLOSED, S.RATED})


def open311_status(status: str) -> str:
    return OPEN311_STATUS[status]


def update_status(status: str) -> str:
    return UPDATE_STATUS[status]


def statuses_for(open311: str) -> list[str]:
    """Our statuses behind one Open311 status (for the ``status`` filter)."""
    return [status for status, value in OPEN311_STATUS.items() if value == open311]
