"""Open311 writes: a client's service request becomes a case (through ``case_report``), a client's
update becomes a timeline entry (through ``transition``). Nothing here bypasses the case loop.

Every check runs before anything is written, and each write runs in one transaction: a refused
request leaves nothing behind.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.geo import CRS
from gridgov.areas.models import Area
from gridgov.cases.errors import WorkflowError
from gridgov.cases.models import Case, CaseEvent, Channel
from gridgov.cases.services import case_report
from gridgov.cases.workflow import transition
from gridgov.open311 import selectors
from gridgov.open311.attributes import describe, read_attributes
from gridgov.open311.mapping import KNOWN_CLIENT_STATUSES, REOPENABLE, REOPENING_STATUSES
from gridgov.open311.models import ApiKey, ClientRequest, ClientUpdate
from gridgov.open311.params import bad, optional_datetime, optional_float
from gridgov.open311.render import Open311Error

DESCRIPTION_LIMIT = 4000
CLIENT_KEY_PREFIX = "open311:"
# Parameters that say nothing about the report itself: left out of the implicit retry key.
_NOT_CONTENT = frozenset({"api_key", "jurisdiction_id", "idempotency_key"})


@dataclass(frozen=True)
class Created:
    request: ClientRequest
    created: bool


def _text(params: Any, name: str, limit: int) -> str:
    value = str(params.get(name) or "").strip()
    if len(value) > limit:
        raise bad(
            _("%(name)s is longer than %(limit)s characters.") % {"name": name, "limit": limit}
        )
    return value


def _media_url(params: Any) -> str:
    url = _text(params, "media_url", 500)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            raise bad(_("media_url is not an http(s) address.")) from error
    return url


def _hashed(api_key: ApiKey, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join([str(api_key.pk), *parts]).encode("utf-8")).hexdigest()
    return CLIENT_KEY_PREFIX + digest[: 64 - len(CLIENT_KEY_PREFIX)]


def client_keys(api_key: ApiKey, params: Any, idempotency_key: str) -> list[str]:
    """The case ``client_key`` for this POST, then any earlier one it may repeat.

    With the client's own idempotency key (``Idempotency-Key`` header or ``idempotency_key``),
    that key decides. Without one (FixMyStreet sends none), the request's content does: the same
    client posting the same parameters on the same or the previous day (UTC) is a retry.
    """
    if idempotency_key:
        return [_hashed(api_key, "explicit", idempotency_key)]
    content = [
        f"{name}={value}"
        for name in sorted(params.keys())
        if name not in _NOT_CONTENT
        for value in params.getlist(name)
    ]
    today = timezone.now().astimezone(datetime.UTC).date()
    return [
        _hashed(api_key, "content", day.isoformat(), *content)
        for day in (today, today - datetime.timedelta(days=1))
    ]


def _title(description: str, fallback: str) -> str:
    first = next((line.strip() for line in description.splitlines() if line.strip()), "")
    if not first:
        return fallback
    return first if len(first) <= 120 else first[:119] + "…"


def _reporter_name(first: str, last: str) -> str:
    # Chinese names are written family name first, without a space.
    if first and last and all(ord(ch) > 0x2E80 for ch in first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def request_create(*, api_key: ApiKey, params: Any, idempotency_key: str = "") -> Created:
    """A POSTed service request as a case. Raises Open311Error (400 or 404)."""
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 200:
        raise bad(_("The idempotency key is longer than 200 characters."))
    code = str(params.get("service_code") or "").strip()
    if not code:
        raise bad(_("service_code is required."))
    category = selectors.service(code)
    if category is None:
        raise Open311Error(404, _("There is no service with the code %(code)s.") % {"code": code})
    keys = client_keys(api_key, params, idempotency_key)
    existing = ClientRequest.objects.filter(case__client_key__in=keys, api_key=api_key).first()
    if existing is not None:
        return Created(existing, created=False)

    lat = optional_float(params, "lat", limit=90)
    lon = optional_float(params, "long", limit=180)
    if (lat is None) != (lon is None):
        raise bad(_("lat and long go together: give both or neither."))
    address = _text(params, "address_string", 200)
    address_id = _text(params, "address_id", 32)
    area = None
    if address_id:
        area = Area.objects.filter(code=address_id, retired_at__isnull=True).first()
        if area is None:
            raise bad(_("address_id is not the code of one of our areas."))
    if lat is None and not address and area is None:
        raise bad(_("A location is required: lat and long, address_string or address_id."))
    crs = str(params.get("crs") or CRS.WGS84).strip().lower()
    if crs not in {c.value for c in CRS}:
        raise bad(_("crs is wgs84 (the default) or gcj02."))
    description = _text(params, "description", DESCRIPTION_LIMIT)
    media_url = _media_url(params)
    email = _text(params, "email", 254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError as error:
            raise bad(_("email is not an e-mail address.")) from error
    name = _reporter_name(_text(params, "first_name", 31), _text(params, "last_name", 31))
    phone = _text(params, "phone", 32)
    definition = list(category.open311_attributes.all())
    answers = read_attributes(params, definition)

    try:
        with transaction.atomic():
            reported = case_report(
                actor=api_key.user,
                channel=Channel.API,
                category=category,
                title=_title(description, category.name),
                description=description,
                lon=lon,
                lat=lat,
                crs=crs,
                area=area,
                address=address,
                reporter_name=name,
                callback_phone=phone,
                client_key=keys[0],
            )
            if not reported.created:  # the same retry arrived twice at once
                twin = ClientRequest.objects.filter(case=reported.case).first()
                if twin is None:
                    raise bad(_("The same request is being created right now; retry it."))
                return Created(twin, created=False)
            request = ClientRequest.objects.create(
                case=reported.case,
                api_key=api_key,
                token=secrets.token_urlsafe(24),
                attributes=answers,
                media_url=media_url,
                email=email,
            )
            _note_extras(reported.case, api_key, definition, answers, media_url)
    except ValidationError as error:
        raise bad(" ".join(_messages(error))) from error
    return Created(request, created=True)


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def _note_extras(
    case: Case, api_key: ApiKey, definition: list[Any], answers: dict[str, Any], media_url: str
) -> None:
    """What the case has no field for (the attributes, the client's photo link) goes on its
    timeline as an internal note, where staff read it."""
    lines = [describe(definition, answers)] if answers else []
    if media_url:
        lines.append(_("Photo sent by the client: %(url)s") % {"url": media_url})
    if not lines:
        return
    heading = _("Sent through Open311 by %(client)s") % {"client": api_key.name}
    # The client is a system, not a person: its note enters as the system's (actor None); the
    # key is on record in ClientRequest.
    transition(
        case=case, action="note", actor=None, note="\n".join([heading, *lines]), public=False
    )


def requestable_case(api_key: ApiKey, number: str) -> Case | None:
    """A case a client may add to: a listed one, or one it sent itself."""
    return (
        Case.objects.filter(number=number)
        .filter(Q(pk__in=selectors.listed_cases().values("pk")) | Q(open311__api_key=api_key))
        .first()
    )


def update_create(*, api_key: ApiKey, params: Any) -> CaseEvent:
    """A pushed update (mySociety's ``POST servicerequestupdates``) on the case's timeline.

    ``status=open`` on a closed or rated case asks to reopen it, through the workflow as the key's
    account (allowed for cases the client reported itself; otherwise, or when the workflow
    refuses, the update is kept as a comment and the status stays). Any other status is kept
    as a comment: a client cannot close or fix our case. Comments are internal notes: they
    reach staff, not the public list.
    """
    number = _text(params, "service_request_id", 64)
    if not number:
        raise bad(_("service_request_id is required."))
    status = _text(params, "status", 64).lower()
    if not status:
        raise bad(_("status is required."))
    if status not in KNOWN_CLIENT_STATUSES:
        raise bad(_("status %(status)s is not a known update status.") % {"status": status})
    description = _text(params, "description", DESCRIPTION_LIMIT)
    optional_datetime(params, "updated_datetime")  # checked; our own clock dates the entry
    media_url = _media_url(params)
    client_id = _text(params, "update_id_ext", 64) or _text(params, "update_id", 64)
    case = requestable_case(api_key, number)
    if case is None:
        raise Open311Error(404, _("There is no service request %(id)s.") % {"id": number})
    if client_id:
        known = ClientUpdate.objects.filter(api_key=api_key, client_update_id=client_id).first()
        if known is not None:
            return known.event
    reopen = status in REOPENING_STATUSES and case.status in REOPENABLE
    if not description and not media_url and not reopen:
        raise bad(_("description is required."))
    lines = [_("Update from %(client)s (Open311):") % {"client": api_key.name}]
    if description:
        lines.append(description)
    if media_url:
        lines.append(_("Photo sent by the client: %(url)s") % {"url": media_url})
    text = "\n".join(lines)
    with transaction.atomic():
        event = None
        if reopen:
            try:
                with transaction.atomic():
                    transition(case=case, action="reopen", actor=api_key.user, reason=text)
                    event = case.events.filter(action="reopen").order_by("-id").first()
            except (PermissionDenied, WorkflowError):
                event = None
        if event is None:
            transition(case=case, action="note", actor=None, note=text, public=False)
            event = case.events.filter(action="note").order_by("-id").first()
        ClientUpdate.objects.create(api_key=api_key, client_update_id=client_id, event=event)
    return event
