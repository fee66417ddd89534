"""Resident pages: list with search and filters, detail with change history, create, edit,
move out, and emergency contacts.

Thin: parse the request (forms), call the scoped selectors and the services, render. Every object
is fetched through ``get_visible_or_404`` (outside the user's scope it does not exist: 404); a
visible object the user may not write answers 403 before anything is parsed or saved.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.areas.models import Area
from gridgov.core.fields import EncryptedField
from gridgov.core.masking import mask
from gridgov.core.models import STAFF_ROLES
from gridgov.core.scoping import get_visible_or_404, scope_of
from gridgov.registry import selectors
from gridgov.registry.forms_people import (
    EmergencyContactForm,
    MoveOutForm,
    ResidentFilterForm,
    ResidentForm,
    apply_errors,
    identifier_query,
)
from gridgov.registry.models import EmergencyContact, House, Resident, ResidentTag
from gridgov.registry.services import (
    REGISTRY_WRITERS,
    can_write_registry,
    resident_create,
    resident_move_out,
    resident_update,
)
from gridgov.registry.services_contacts import emergency_contact_add, emergency_contact_remove
from gridgov.registry.services_houses import resident_assign_house

PAGE_SIZE = 50
HISTORY_LIMIT = 100


def registry_staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and working in the staff console: residents (who also hold an area through
    their own role) never open the registry pages."""

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scope = scope_of(request.user)
        if not (scope.everything or scope.roles & STAFF_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def may_write_somewhere(user: Any) -> bool:
    """Whether to offer "new …" buttons (the service checks the chosen area again)."""
    scope = scope_of(user)
    return scope.everything or bool(scope.area_codes and scope.roles & REGISTRY_WRITERS)


def require_writer(user: Any, area: Area) -> None:
    if not can_write_registry(user, area):
        raise PermissionDenied


# Lists and detail ------------------------------------------------------------------------------


@registry_staff_required
@require_http_methods(["GET", "POST"])
def resident_list(request: HttpRequest) -> HttpResponse:
    """The filter form is posted. A search by name or address is redirected to a GET address
    (bookmarkable, paginated); a search by ID number or phone is answered in the POST response
    itself, so that the identifier never appears in a URL (see ``identifier_query``)."""
    data = request.POST if request.method == "POST" else request.GET
    form = ResidentFilterForm(data, user=request.user)
    query = form.value("q")
    identifier = identifier_query(query)
    if request.method == "POST" and not identifier:
        params = {name: data.get(name) for name in form.fields if data.get(name)}
        return redirect(f"{request.path}?{urlencode(params)}" if params else request.path)
    residents = selectors.resident_list(
        request.user,
        query=query,
        area=form.value("area", None),
        tag=form.value("tag"),
        residence_type=form.value("residence_type"),
        include_moved_out=bool(form.value("moved_out", False)),
    ).prefetch_related("tags")
    page = Paginator(residents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/people/resident_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(data.get(key) for key in form.fields),
            "may_create": may_write_somewhere(request.user),
            "identifier_kind": identifier,
            "identifier_masked": mask(query.replace(" ", ""), identifier) if identifier else "",
        },
    )


@registry_staff_required
@require_GET
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_visible_or_404(
        Resident.objects.select_related("area", "house", "house__area"), request.user, pk=pk
    )
    visible = Resident.objects.visible_to(request.user)
    guardian = visible.filter(pk=resident.guardian_id).first() if resident.guardian_id else None
    return render(
        request,
        "registry/people/resident_detail.html",
        {
            "resident": resident,
            "tags": list(resident.tags.all()),
            "contacts": list(resident.emergency_contacts.order_by("id")),
            "tenancies": list(
                resident.tenancies.select_related("courtyard", "house").order_by("-start_date")
            ),
            "guardian": guardian,
            "wards": list(visible.filter(guardian=resident).select_related("area")),
            "history": resident_history(resident),
            "may_write": can_write_registry(request.user, resident.area),
        },
    )


# History ---------------------------------------------------------------------------------------

_ACTION_LABELS = {
    LogEntry.Action.CREATE: gettext_lazy("Created"),
    LogEntry.Action.UPDATE: gettext_lazy("Changed"),
    LogEntry.Action.DELETE: gettext_lazy("Deleted"),
    LogEntry.Action.ACCESS: gettext_lazy("Revealed"),
}

# Bookkeeping columns that say nothing to a reader of the history.
_HISTORY_SKIPPED = {"id", "uid", "created_at", "updated_at"}


def resident_history(resident: Resident) -> list[dict[str, Any]]:
    """The audit trail of a resident, its tags and its emergency contacts, newest first.

    Tags and contacts are found through the resident's id inside the recorded changes (their own
    rows may be deleted by now). Encrypted fields are recorded fully masked by ``core.audit``
    and shown here only as "changed".
    """
    types = ContentType.objects.get_for_models(Resident, ResidentTag, EmergencyContact)
    key = str(resident.pk)
    entries = list(
        LogEntry.objects.filter(
            Q(content_type=types[Resident], object_pk=key)
            | (
                Q(
                    content_type__in=[types[ResidentTag], types[EmergencyContact]],
                    timestamp__gte=resident.created_at,
                )
                & (Q(changes__resident__0=key) | Q(changes__resident__1=key))
            )
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:HISTORY_LIMIT]
    )
    area_ids = {
        value
        for entry in entries
        if entry.content_type_id == types[Resident].pk
        for value in (entry.changes or {}).get("area", [])
        if value and str(value).isdigit()
    }
    area_names = {str(pk): area.name for pk, area in Area.objects.in_bulk(list(area_ids)).items()}
    by_type = {ct.pk: model for model, ct in types.items()}
    return [_history_row(entry, by_type[entry.content_type_id], area_names) for entry in entries]


def _history_row(entry: LogEntry, model: type, area_names: dict[str, str]) -> dict[str, Any]:
    actor = entry.actor.display_name if entry.actor else (entry.actor_email or "")
    changes = entry.changes or {}
    row: dict[str, Any] = {
        "timestamp": entry.timestamp,
        "actor": actor,
        "action": entry.action,
        "action_label": _ACTION_LABELS.get(entry.action, entry.get_action_display()),
        "subject": "",
        "fields": [],
    }
    if entry.action == LogEntry.Action.ACCESS:
        what = (entry.additional_data or {}).get("revealed_field", "")
        row["subject"] = _("Revealed in full: %(field)s") % {"field": _field_label(model, what)}
        return row
    if model is ResidentTag:
        tag_value = _pick(changes.get("tag"), entry.action)
        label = dict(ResidentTag._meta.get_field("tag").choices).get(tag_value, tag_value)
        if entry.action == LogEntry.Action.CREATE:
            row["subject"] = _("Tag added: %(tag)s") % {"tag": label}
        elif entry.action == LogEntry.Action.DELETE:
            row["subject"] = _("Tag removed: %(tag)s") % {"tag": label}
        else:
            row["subject"] = _("Tag changed: %(tag)s") % {"tag": label}
        return row
    if model is EmergencyContact:
        if entry.action == LogEntry.Action.CREATE:
            row["subject"] = _("Emergency contact added: %(name)s") % {"name": entry.object_repr}
        elif entry.action == LogEntry.Action.DELETE:
            row["subject"] = _("Emergency contact removed: %(name)s") % {"name": entry.object_repr}
        else:
            row["subject"] = _("Emergency contact changed: %(name)s") % {"name": entry.object_repr}
        row["fields"] = _field_changes(EmergencyContact, changes, {}, entry.action)
        return row
    row["fields"] = _field_changes(Resident, changes, area_names, entry.action)
    return row


def _pick(values: Any, action: int) -> str:
    if not isinstance(values, list | tuple) or len(values) != 2:
        return ""
    value = values[0] if action == LogEntry.Action.DELETE else values[1]
    return "" if value in (None, "None") else str(value)


def _field_label(model: type, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field removed since the entry was written
        return name


def _field_changes(
    model: type, changes: dict[str, Any], area_names: dict[str, str], action: int
) -> list[dict[str, Any]]:
    """One row per changed field: label and, where safe to show, old and new values."""
    concrete = {field.name: field for field in model._meta.concrete_fields}
    rows = []
    for name, values in changes.items():
        field = concrete.get(name)
        if field is None or name in _HISTORY_SKIPPED or name == "resident":
            continue
        if not isinstance(values, list | tuple) or len(values) != 2:
            continue
        old, new = ("" if v in (None, "None") else str(v) for v in values)
        if action == LogEntry.Action.CREATE and not new:
            continue  # an empty field of a new record is not news
        row: dict[str, Any] = {"label": str(field.verbose_name), "old": "", "new": ""}
        if isinstance(field, EncryptedField) or (field.is_relation and name != "area"):
            row["masked"] = True  # shown as "changed" only
        elif name == "area":
            row["old"], row["new"] = area_names.get(old, old), area_names.get(new, new)
        else:
            choices = dict(field.choices or ())
            old_label, new_label = choices.get(old, old), choices.get(new, new)
            row["old"], row["new"] = (str(v)[:80] for v in (old_label, new_label))
        rows.append(row)
    return rows


# Writes ----------------------------------------------------------------------------------------


def _house_from_query(request: HttpRequest) -> House | None:
    pk = request.GET.get("house") or request.POST.get("from_house")
    if not pk:
        return None
    return get_visible_or_404(House.objects.select_related("area"), request.user, pk=pk)


@registry_staff_required
@require_http_methods(["GET", "POST"])
def resident_create_view(request: HttpRequest) -> HttpResponse:
    if not may_write_somewhere(request.user):
        raise PermissionDenied
    house = _house_from_query(request)
    initial: dict[str, Any] = {}
    if house is not None:
        initial = {"house": house.pk, "area": house.area_id, "address": house.address}
    form = ResidentForm(
        request.POST or None,
        user=request.user,
        house_area=house.area if house else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                resident = resident_create(actor=request.user, data=form.resident_data)
                if form.cleaned_data.get("house") is not None:
                    resident_assign_house(
                        actor=request.user, resident=resident, house=form.cleaned_data["house"]
                    )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The resident was registered."))
            return redirect("registry:resident_detail", pk=resident.pk)
    return render(
        request,
        "registry/people/resident_form.html",
        {"form": form, "resident": None, "from_house": house},
    )


@registry_staff_required
@require_http_methods(["GET", "POST"])
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_visible_or_404(Resident.objects.select_related("area"), request.user, pk=pk)
    require_writer(request.user, resident.area)
    form = ResidentForm(request.POST or None, user=request.user, resident=resident)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                resident = resident_update(
                    actor=request.user, resident=resident, data=form.resident_data
                )
                if "house" in form.fields:
                    resident_assign_house(
                        actor=request.user, resident=resident, house=form.cleaned_data["house"]
                    )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("registry:resident_detail", pk=resident.pk)
    return render(
        request, "registry/people/resident_form.html", {"form": form, "resident": resident}
    )


@registry_staff_required
@require_http_methods(["GET", "POST"])
def resident_move_out_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_visible_or_404(Resident.objects.select_related("area"), request.user, pk=pk)
    require_writer(request.user, resident.area)
    form = MoveOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resident_move_out(
            actor=request.user, resident=resident, on=form.cleaned_data["moved_out_at"]
        )
        messages.success(request, _("The resident is recorded as moved out."))
        return redirect("registry:resident_detail", pk=resident.pk)
    return render(
        request, "registry/people/resident_move_out.html", {"form": form, "resident": resident}
    )


@registry_staff_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_visible_or_404(Resident.objects.select_related("area"), request.user, pk=pk)
    require_writer(request.user, resident.area)
    form = EmergencyContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            emergency_contact_add(
                actor=request.user,
                resident=resident,
                name=form.cleaned_data["name"],
                relation=form.cleaned_data["relation"],
                phone=form.cleaned_data["phone"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The emergency contact was added."))
            return redirect("registry:resident_detail", pk=resident.pk)
    return render(
        request, "registry/people/contact_form.html", {"form": form, "resident": resident}
    )


@registry_staff_required
@require_POST
def contact_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    contact = get_visible_or_404(
        EmergencyContact.objects.select_related("resident__area"),
        request.user,
        pk=contact_pk,
        resident_id=pk,
    )
    require_writer(request.user, contact.resident.area)
    emergency_contact_remove(actor=request.user, contact=contact)
    messages.success(request, _("The emergency contact was removed."))
    return redirect("registry:resident_detail", pk=pk)
