"""Reporting a case: every channel (pages, phone pages, SOS, hotline, API, Open311) calls
``case_report``. Later steps go through ``gridgov.cases.workflow.transition``.
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.geo import CRS
from gridgov.areas.locator import cached_area, locator
from gridgov.areas.models import Area, AreaLevel
from gridgov.cases import changes, followups
from gridgov.cases.audit import report_audit
from gridgov.cases.models import (
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseFollower,
    CaseNumberCounter,
    CaseStatus,
    Category,
    Channel,
    EventVisibility,
    Urgency,
)
from gridgov.core.compiled import CompiledQuery, NewRow, insert, insert_together
from gridgov.core.identifiers import validate_phone
from gridgov.core.models import StoredFile

# Every report with a client key asks first whether the key is taken (compiled once).
_CASE_OF_KEY = CompiledQuery(
    lambda p: Case.objects.filter(client_key=p("client_key")).order_by().values_list("pk")[:1]
)


# Django's choices build their list of values at each call.
_CHANNELS = frozenset(Channel.values)
_URGENCIES = frozenset(Urgency.values)
_CRSES = frozenset(c.value for c in CRS)


@dataclass(frozen=True)
class Reported:
    case: Case
    created: bool  # False when the client's idempotency key named an existing case


def _place(
    *, lon: float | None, lat: float | None, crs: str, area: Area | None
) -> tuple[Area | None, float | None, float | None, bool]:
    """(area, WGS-84 lon, lat, outside every grid) for a reported place."""
    if lon is None or lat is None:
        return area, None, None, False
    location = locator.locate(lon, lat, crs)
    found = None
    if location.area is not None:
        found = cached_area(pk=location.area.id) or (
            Area.objects.defer("polygon").filter(pk=location.area.id).first()
        )
    if location.in_grid and found is not None:
        return found, location.lon, location.lat, False
    return found or area, location.lon, location.lat, True


def _fallback_street() -> Area | None:
    """A point outside every area still lands somewhere: the street's dispatch queue (the only
    street of a one-street deployment, else the first one)."""
    return (
        Area.objects.filter(level=AreaLevel.STREET, retired_at__isnull=True)
        .order_by("code")
        .first()
    )


def _highest_sequence_sql() -> str:
    """The highest sequence number among the day's cases (0 if none), as SQL taking the first
    and last possible number of the day: also counts numbers not given by the counter (imports,
    seeds), so that the counter starts above them."""
    quote = connection.ops.quote_name
    return (
        f"COALESCE((SELECT CAST(SUBSTR(MAX({quote('number')}), 9) AS INTEGER) "  # noqa: S608 # nosec B608
        f"FROM {quote(Case._meta.db_table)} WHERE {quote('number')} BETWEEN %s AND %s), 0)"
    )


def _next_number(now: datetime.datetime) -> str:
    """The day's next case number, from the day's counter row (one UPSERT, see
    ``CaseNumberCounter``). Rolled back with the report, so no number is skipped."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        # The day's row exists for every report but its first: step it without looking at cases.
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE day = %s RETURNING last",  # noqa: S608 # nosec B608
            [day],
        )
        row = cursor.fetchone()
    return f"{day}{row[0]:06d}" if row is not None else _first_number_of_day(day)


def _counter_step_sql() -> str:
    """The day's counter stepped, or made for the day's first report above any number written
    without it (two at once: the second steps the first's row). Parameters: the day, and the
    day's first and last possible numbers; it returns the day and its new last number."""
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    return (
        f"INSERT INTO {table} (day, last) VALUES (%s, {_highest_sequence_sql()} + 1) "  # noqa: S608 # nosec B608
        f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING day, last"
    )


def _day_params(day: str) -> list[str]:
    return [day, f"{day}000000", f"{day}999999"]


def _first_number_of_day(day: str) -> str:
    """The day's counter row made (two at once: the second steps the first's row)."""
    with connection.cursor() as cursor:
        cursor.execute(_counter_step_sql(), _day_params(day))
        row = cursor.fetchone()
    return f"{day}{row[1]:06d}"


def _write_numbered(case: Case, event: CaseEvent, follower: CaseFollower | None, now) -> None:
    """PostgreSQL: the case, numbered from the day's counter, its first timeline entry and its
    follower in one statement (``insert_together``): one round trip, and in autocommit a
    transaction by itself, which holds the day's counter row only while it runs."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    step = f"step AS ({_counter_step_sql()})"
    number = "(SELECT day || LPAD(last::text, GREATEST(6, LENGTH(last::text)), '0') FROM step)"
    rows = [
        NewRow(case, sql={"number": number}),
        NewRow(event, sql={"case": "{row_0}"}),
    ]
    if follower is not None:
        rows.append(NewRow(follower, sql={"case": "{row_0}"}))
    with disable_auditlog():  # its entry is the follow-up's (gridgov.cases.audit)
        insert_together(rows, before=step, before_params=_day_params(day))
    # The rows were given the case's id, not the case itself.
    event.case = case
    if follower is not None:
        follower.case = case


def _resync_number_counter(now: datetime.datetime) -> None:
    """After a number turned out taken (a case written without the counter): raise the counter to
    the day's highest number."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    highest = _highest_sequence_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = {highest} WHERE day = %s AND last < {highest}",  # noqa: S608 # nosec B608
            [f"{day}000000", f"{day}999999", day, f"{day}000000", f"{day}999999"],
        )


def case_report(
    *,
    actor: Any,
    channel: str,
    category: Category,
    title: str,
    description: str = "",
    urgency: str = Urgency.NORMAL,
    lon: float | None = None,
    lat: float | None = None,
    crs: str = CRS.WGS84,
    area: Area | None = None,
    address: str = "",
    reporter_name: str = "",
    anonymous: bool = False,
    callback_phone: str = "",
    client_key: str | None = None,
    photos: list[StoredFile] | tuple[StoredFile, ...] = (),
    at: datetime.datetime | None = None,
    public: bool = False,
) -> Reported:
    """Create a case in state "reported", located and timestamped, with its first timeline line.

    The same ``client_key`` twice gives the same case (``created=False``), never a second one.
    ``public``: the reporter agrees that the community's public list may show it.
    """
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if channel not in _CHANNELS:
        fail("channel", _("Unknown channel."))
    if not isinstance(category, Category) or category.is_class or not category.active:
        fail("category", _("Choose an active subcategory."))
    title = (title or "").strip()
    if not title:
        fail("title", _("Say in a few words what the problem is."))
    elif len(title) > 120:
        fail("title", _("The title is longer than 120 characters."))
    address, reporter_name = (address or "").strip(), (reporter_name or "").strip()
    # The pages and the API bound these too; a caller that does not gets the same answer.
    if len(address) > 200:
        fail("address", _("The address is longer than 200 characters."))
    if len(reporter_name) > 64:
        fail("reporter_name", _("The name is longer than 64 characters."))
    if urgency not in _URGENCIES:
        fail("urgency", _("Unknown urgency."))
    if crs not in _CRSES:
        fail("crs", _("Coordinates are WGS-84 or GCJ-02."))
    phone = ""
    if callback_phone:
        try:
            phone = validate_phone(callback_phone)
        except ValidationError as error:
            fail("callback_phone", error.messages[0])
    # Staff taking a call or a hotline transfer enter the case for somebody else: they are its
    # clerk (created_by), not its reporter, who is the caller with the callback phone.
    on_behalf = channel in (Channel.HOTLINE, Channel.API) and bool(callback_phone)
    reporter_user = (
        actor
        if getattr(actor, "is_authenticated", False) and not anonymous and not on_behalf
        else None
    )
    # An SOS device press has no one to type a number: the device is bound to a registered
    # resident, whose contacts the SOS service notifies.
    if reporter_user is None and not phone and channel != Channel.SOS:
        fail("callback_phone", _("An anonymous report needs a phone number to call back."))
    if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        fail("location", _("The location is not a longitude and latitude."))
    if errors:
        # A retry answers with the case its first request made, even if the data would no
        # longer pass. Keys are otherwise checked by the INSERT itself (the unique key, below):
        # asking first cost every report a statement for the rare retry.
        existing_pk = _CASE_OF_KEY.rows(client_key=client_key) if client_key else None
        if existing_pk:
            return Reported(Case.objects.get(pk=existing_pk[0][0]), created=False)
        raise ValidationError(errors)

    place, wgs_lon, wgs_lat, outside = _place(lon=lon, lat=lat, crs=crs, area=area)
    if place is None:
        place, outside = _fallback_street(), True
    if place is None:
        raise ValidationError({"location": [_("No area is set up yet to receive cases.")]})
    now = at or timezone.now()
    # SQLite's writers take turns for the whole transaction anyway: number the case as it is
    # written. On PostgreSQL the case, its number, timeline entry and follower are one statement
    # (``_write_numbered``), and a transaction only when more follows in it.
    at_once = connection.vendor == "postgresql"
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    for _attempt in range(5):
        # Every row is built before the transaction: on SQLite the transaction holds the one
        # write lock, which every other report waits for.
        case = Case(
            number="",  # given as it is written
            channel=channel,
            client_key=client_key or None,
            category=category,
            title=title,
            description=(description or "").strip(),
            urgency=urgency,
            lon=wgs_lon,
            lat=wgs_lat,
            address=address,
            area=place,
            outside_grids=outside,
            reporter_user=reporter_user,
            reporter_name=reporter_name,
            anonymous=anonymous or reporter_user is None,
            callback_phone=phone,
            status=CaseStatus.REPORTED,
            public=public,
            reported_at=now,
            created_by=created_by,
        )
        follow_up = followups.follow_up(before=None, after=changes.snapshot(case, place.code))
        # Its audit entry too, with the case's number, once the case is numbered.
        follow_up["audit"] = report_audit(case, at=now)
        event = CaseEvent(
            case=case,
            action="report",
            to_status=CaseStatus.REPORTED,
            actor=created_by,
            at=now,
            visibility=EventVisibility.PUBLIC,
            data={"channel": channel, "outside_grids": outside},
            follow_up=followups.outbox(follow_up),
        )
        follower = CaseFollower(case=case, user=reporter_user) if reporter_user else None
        more = bool(photos) or followups.inline() or connection.in_atomic_block
        try:
            with transaction.atomic() if not at_once or more else nullcontext():
                if at_once:
                    _write_numbered(case, event, follower, now)
                else:
                    case.number = _next_number(now)
                    with disable_auditlog():  # its entry is the follow-up's (gridgov.cases.audit)
                        insert(case)
                    insert(event)
                    if follower is not None:
                        insert(follower)
                for photo in photos:
                    CaseAttachment.objects.create(
                        case=case, event=event, file=photo, kind=AttachmentKind.BEFORE
                    )
                # Photos uploaded before the place was known belong to the case's area from now
                # on, so that whoever may see the case may see them (the scoped download).
                if photos:
                    StoredFile.objects.filter(
                        pk__in=[photo.pk for photo in photos], area__isnull=True
                    ).update(area=place)
                followups.followed(event, follow_up)
            return Reported(case, created=True)
        except IntegrityError:
            # The same client key arrived twice at once (the other report won), or the number
            # was taken by a case written without the counter: look again.
            if client_key:
                existing = Case.objects.filter(client_key=client_key).first()
                if existing is not None:
                    return Reported(existing, created=False)
            _resync_number_counter(now)
            continue
    raise RuntimeError("could not number the case after 5 attempts")
