"""SOS services: devices (register, revoke, authenticate) and the press.

``sos_press`` records the press and makes its case in one transaction: the case is reported
through ``case_report`` (channel sos, urgency emergency), accepted and dispatched at once as the
system through ``workflow.transition`` to whoever answers the resident's grid now (the duty roster,
else the grid's worker, else the grid's queue), and the resident's emergency contacts get a text.
A press while the resident's last SOS case is still open is added to that case instead. If the
case cannot be made (a fault, not bad input: a device press has no input to be wrong), the press
is still kept, without a case, and the sweep makes the case later: a press is never lost.

Escalation needs nothing here: an SOS case's claim deadline is ``GRIDGOV_SOS_CLAIM_SECONDS``
(``cases.deadlines``), and the case loop's deadline job escalates an unclaimed case by rule,
grid → community → street, each step with the same short deadline.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.areas.models import Area, AreaLevel
from gridgov.cases.models import Case, CaseStatus, Category, Channel, Urgency
from gridgov.cases.routing import area_at
from gridgov.core.fields import lookup_index
from gridgov.core.identifiers import validate_phone
from gridgov.core.models import Role, RoleAssignment, User
from gridgov.registry.models import Resident
from gridgov.sos.duty import responder
from gridgov.sos.models import PressSource, SosDevice, SosPress
from gridgov.sos.texts import SOS_ALERT
from gridgov.sos.workflow import PRESSED_AGAIN

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "sos_"  # noqa: S105 (a prefix, not a secret) # nosec B105
DEFAULT_CATEGORY = "1104"  # 紧急求助 / 一键通求助
# Still waiting for help: once resolved, a new press is a new emergency, not the same one.
STILL_OPEN = frozenset(
    {
        CaseStatus.REPORTED,
        CaseStatus.ACCEPTED,
        CaseStatus.DISPATCHED,
        CaseStatus.CLAIMED,
        CaseStatus.SUSPENDED,
    }
)


# --- devices ------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def device_create(
    *, resident: Resident, label: str = "", actor: Any = None
) -> tuple[SosDevice, str]:
    """Register a device for ``resident``; returns it and its token, which is never shown again."""
    label = (label or "").strip()
    if len(label) > 64:
        raise ValidationError({"label": [_("The label is longer than 64 characters.")]})
    if resident.moved_out_at is not None:
        raise ValidationError({"resident": [_("This resident has moved out.")]})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = SosDevice.objects.create(
        resident=resident,
        label=label,
        token_hash=hash_token(token),
        token_hint=token[:10],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return device, token


@transaction.atomic
def device_revoke(*, device: SosDevice, actor: Any = None) -> SosDevice:
    """Revoke a (lost) device: its token stops working at once. Revoking twice changes nothing."""
    now = timezone.now()
    SosDevice.objects.filter(pk=device.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor if getattr(actor, "pk", None) else None
    )
    device.refresh_from_db()
    return device


def device_by_token(token: str) -> SosDevice | None:
    """The device holding ``token`` (revoked ones too: the caller tells them apart), or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return (
        SosDevice.objects.select_related("resident", "resident__area")
        .filter(token_hash=hash_token(token))
        .first()
    )


# --- residents on the phone page ----------------------------------------------------------------


def resident_of(user: Any) -> Resident | None:
    """The registered resident a signed-in person is, matched on the phone number (the number
    they sign in with); None when the register has no match."""
    phone = getattr(user, "phone", "") if getattr(user, "is_authenticated", False) else ""
    if not phone:
        return None
    # Blind indexes differ per model and column: look the number up as a resident's phone.
    return (
        Resident.objects.filter(
            phone_index=lookup_index(Resident, "phone", phone), moved_out_at__isnull=True
        )
        .select_related("area", "house")
        .order_by("id")
        .first()
    )


def home_area_of(user: Any) -> Area | None:
    """Where a signed-in resident lives, by their resident role (for a person not in the register)."""
    assignment = (
        RoleAssignment.objects.filter(
            user=user, role=Role.RESIDENT, active=True, area__isnull=False
        )
        .select_related("area")
        .order_by("id")
        .first()
    )
    return assignment.area if assignment else None


# --- pressing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pressed:
    press: SosPress
    case: Case | None
    linked: bool  # added to the resident's open SOS case
    repeated: bool = False  # the device sent the same press again (a retry): nothing new


def sos_category() -> Category:
    code = getattr(settings, "GRIDGOV_SOS_CATEGORY", DEFAULT_CATEGORY)
    category = Category.objects.filter(code=code, active=True, parent__isnull=False).first()
    if category is None:  # edited taxonomy: any active subclass of 紧急求助
        category = (
            Category.objects.filter(parent__code=code[:2], active=True).order_by("code").first()
        )
    if category is None:
        raise LookupError(f"no active SOS category (GRIDGOV_SOS_CATEGORY={code})")
    return category


def sos_press(
    *,
    device: SosDevice | None = None,
    resident: Resident | None = None,
    user: User | None = None,
    client_id: str = "",
    at: Any = None,
) -> Pressed:
    """Record one press and see that it has a case (a new one, or the open one it adds to)."""
    now = at or timezone.now()
    if device is not None:
        resident = device.resident
    area = resident.area if resident is not None else home_area_of(user)
    if area is None:
        raise ValidationError(
            _("We do not know where you live: ask your community to register you.")
        )
    client_id = (client_id or "")[:64]
    if device is not None and client_id:
        earlier = SosPress.objects.filter(device=device, client_id=client_id).first()
        if earlier is not None:
            return Pressed(earlier, earlier.case, earlier.linked, repeated=True)
    fields = {
        "source": PressSource.DEVICE if device is not None else PressSource.PAGE,
        "device": device,
        "resident": resident,
        "user": user if getattr(user, "pk", None) else None,
        "area": area,
        "client_id": client_id if device is not None else "",
        "received_at": now,
    }
    try:
        with transaction.atomic():
            press = SosPress.objects.create(**fields)
            case, linked = _case_for(press, now)
            SosPress.objects.filter(pk=press.pk).update(case=case, linked=linked)
            press.case, press.linked = case, linked
            if device is not None:
                SosDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        return Pressed(press, case, linked)
    except IntegrityError:
        # The same press arrived twice at once (a device retrying fast): the first one stands.
        earlier = SosPress.objects.filter(device=device, client_id=client_id).first()
        if earlier is None:
            raise
        return Pressed(earlier, earlier.case, earlier.linked, repeated=True)
    except Exception as error:  # a fault must not lose the press: keep it, the sweep retries
        logger.exception("SOS press kept without a case; the sweep will retry")
        with transaction.atomic():
            press = SosPress.objects.create(
                **fields, error=f"{type(error).__name__}: {error}"[:300]
            )
            if device is not None:
                SosDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        return Pressed(press, None, False)


def _last_open_case(press: SosPress) -> Case | None:
    presses = SosPress.objects.exclude(pk=press.pk).filter(case__isnull=False)
    if press.resident_id is not None:
        presses = presses.filter(resident_id=press.resident_id)
    elif press.user_id is not None:
        presses = presses.filter(user_id=press.user_id, resident__isnull=True)
    else:
        return None
    last = presses.select_related("case").order_by("-received_at", "-id").first()
    if last is None or last.case.status not in STILL_OPEN:
        return None
    return last.case


def _case_for(press: SosPress, now: Any) -> tuple[Case, bool]:
    from gridgov.cases.jobs import schedule
    from gridgov.cases.workflow import transition

    open_case = _last_open_case(press)
    if open_case is not None:
        with translation.override(settings.LANGUAGE_CODE):
            note = _("The SOS button was pressed again.")
        case = transition(
            case=open_case,
            action=PRESSED_AGAIN,
            actor=None,
            note=note,
            at=now,
            press=press.uid,
            source=press.source,
        )
        # A press must not delay the escalation: make sure a deadline check is queued.
        transaction.on_commit(lambda: schedule(case.pk, [case.claim_due_at]))
        transaction.on_commit(lambda: _tell_again(case))
        return case, True
    return _new_case(press, now), False


def _new_case(press: SosPress, now: Any) -> Case:
    from gridgov.cases.services import case_report
    from gridgov.cases.workflow import transition

    resident = press.resident
    name = resident.name if resident else getattr(press.user, "display_name", "")
    address = ""
    phone = ""
    if resident is not None:
        address = resident.address or (resident.house.address if resident.house_id else "")
        try:
            phone = validate_phone(resident.phone) if resident.phone else ""
        except ValidationError:
            phone = ""
    grid = _dispatch_area(press.area)
    answer = responder(grid, now)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("SOS: %(name)s needs help") % {"name": name}
        source = press.get_source_display()
        description = _("%(name)s pressed the SOS button (%(source)s). Call or visit at once.") % {
            "name": name,
            "source": source,
        }
        how = {
            "duty": _("to the person on duty"),
            "grid_worker": _("to the grid's grid worker (nobody on duty)"),
            "queue": _("to the grid's queue (no grid worker)"),
        }[answer.how]
    case = case_report(
        actor=press.user,
        channel=Channel.SOS,
        category=sos_category(),
        title=title[:120],
        description=description,
        urgency=Urgency.EMERGENCY,
        area=press.area,
        address=address[:200],
        reporter_name=name[:64],
        callback_phone=phone,
        client_key=f"sos-{press.uid}",
        at=now,
    ).case
    case = transition(case=case, action="accept", actor=None, at=now)
    dispatch: dict[str, Any] = {"area": grid}
    if answer.user is not None:
        dispatch["user"] = answer.user
    case = transition(case=case, action="dispatch", actor=None, at=now, note=how, **dispatch)
    if resident is not None:
        _tell_contacts(resident, case, now)
    return case


def _dispatch_area(area: Area) -> Area:
    """The grid holding the resident's home (or the community or street when no grid does)."""
    for level in (AreaLevel.GRID, AreaLevel.COMMUNITY, AreaLevel.STREET):
        found = area_at(area, level)
        if found is not None:
            return found
    return area


def _tell_contacts(resident: Resident, case: Case, now: Any) -> int:
    """A text to each emergency contact; a contact without a mobile number is skipped (logged)."""
    from gridgov.notifications.services import notify_phone

    told = 0
    for contact in resident.emergency_contacts.all():
        if not contact.phone:
            continue
        try:
            notify_phone(
                phone=contact.phone,
                template=SOS_ALERT,
                params={"name": resident.name, "time": now, "case": case.number},
                kind="sos",
            )
            told += 1
        except ValidationError:
            logger.warning("SOS case %s: an emergency contact has no mobile number", case.pk)
    return told


def _tell_again(case: Case) -> None:
    """The people the case is with hear of every further press."""
    from gridgov.cases.notify import assignee_users
    from gridgov.notifications.services import notify_user

    try:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("SOS pressed again: %(title)s") % {"title": case.title}
        for user in assignee_users(case):
            notify_user(
                recipient=user,
                kind="new_assignment",
                title=title,
                body=case.number,
                link=f"/cases/{case.pk}/",
                related=case,
            )
    except Exception:  # a notification must not fail a committed press
        logger.exception("notification of a repeated SOS press failed (case %s)", case.pk)


def sos_sweep() -> int:
    """Make the cases of presses kept without one (a fault at press time). Idempotent: the case's
    client key is the press's uid, and a press gets its case in the same transaction."""
    repaired = 0
    for press in SosPress.objects.filter(case__isnull=True).select_related(
        "resident", "resident__area", "resident__house", "user", "area"
    ):
        try:
            with transaction.atomic():
                locked = SosPress.objects.select_for_update().get(pk=press.pk)
                if locked.case_id is not None:
                    continue
                case, linked = _case_for(press, timezone.now())
                SosPress.objects.filter(pk=press.pk).update(case=case, linked=linked, error="")
            repaired += 1
        except Exception as error:
            logger.exception("SOS press %s still has no case", press.pk)
            SosPress.objects.filter(pk=press.pk).update(
                error=f"{type(error).__name__}: {error}"[:300]
            )
    return repaired
