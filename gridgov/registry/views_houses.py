"""House, landlord and tenancy pages. Thin, like views_people: forms parse, the scoped selectors
and the services decide, the templates show; out-of-scope objects are 404, unwritable ones 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.core.scoping import get_visible_or_404
from gridgov.registry import selectors
from gridgov.registry.forms_people import (
    HouseFilterForm,
    HouseForm,
    LandlordFilterForm,
    RentalEndForm,
    RentalFilterForm,
    RentalForm,
    apply_errors,
    identifier_query,
)
from gridgov.registry.models import House, Landlord, RentalRegistration, Resident
from gridgov.registry.services import can_write_registry
from gridgov.registry.services_houses import (
    house_create,
    house_list,
    house_residents,
    house_update,
    landlord_courtyards,
    landlord_list,
)
from gridgov.registry.services_rentals import (
    rental_end,
    rental_list,
    rental_register,
    rental_status,
)
from gridgov.registry.views_people import (
    PAGE_SIZE,
    may_write_somewhere,
    registry_staff_required,
    require_writer,
)


def _filtered(request: HttpRequest, form: Any) -> bool:
    return any(request.GET.get(key) for key in form.fields)


# Houses ----------------------------------------------------------------------------------------


@registry_staff_required
@require_GET
def house_list_view(request: HttpRequest) -> HttpResponse:
    form = HouseFilterForm(request.GET, user=request.user)
    houses = house_list(
        request.user, query=form.value("q"), use=form.value("use"), area=form.value("area", None)
    )
    page = Paginator(houses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/people/house_list.html",
        {
            "form": form,
            "page": page,
            "filtered": _filtered(request, form),
            "may_create": may_write_somewhere(request.user),
        },
    )


@registry_staff_required
@require_GET
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    house = get_visible_or_404(House.objects.select_related("area", "owner"), request.user, pk=pk)
    owner_visible = (
        house.owner_id is not None
        and Resident.objects.visible_to(request.user).filter(pk=house.owner_id).exists()
    )
    tenancies = list(
        RentalRegistration.objects.visible_to(request.user)
        .filter(house=house)
        .select_related("resident")
        .order_by("-start_date")
    )
    today = timezone.localdate()
    for tenancy in tenancies:
        tenancy.status = rental_status(tenancy, today)
    return render(
        request,
        "registry/people/house_detail.html",
        {
            "house": house,
            "owner_visible": owner_visible,
            "residents": list(house_residents(request.user, house)),
            "tenancies": tenancies,
            "may_write": can_write_registry(request.user, house.area),
        },
    )


@registry_staff_required
@require_http_methods(["GET", "POST"])
def house_create_view(request: HttpRequest) -> HttpResponse:
    if not may_write_somewhere(request.user):
        raise PermissionDenied
    form = HouseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            house = house_create(actor=request.user, data=form.house_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The house was registered."))
            return redirect("registry:house_detail", pk=house.pk)
    return render(request, "registry/people/house_form.html", {"form": form, "house": None})


@registry_staff_required
@require_http_methods(["GET", "POST"])
def house_edit(request: HttpRequest, pk: int) -> HttpResponse:
    house = get_visible_or_404(House.objects.select_related("area", "owner"), request.user, pk=pk)
    require_writer(request.user, house.area)
    form = HouseForm(request.POST or None, user=request.user, house=house)
    if request.method == "POST" and form.is_valid():
        try:
            house = house_update(actor=request.user, house=house, data=form.house_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("registry:house_detail", pk=house.pk)
    return render(request, "registry/people/house_form.html", {"form": form, "house": house})


# Landlords -------------------------------------------------------------------------------------


@registry_staff_required
@require_GET
def landlord_list_view(request: HttpRequest) -> HttpResponse:
    form = LandlordFilterForm(request.GET, user=request.user)
    landlords = landlord_list(request.user, query=form.value("q"), area=form.value("area", None))
    page = Paginator(landlords, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/people/landlord_list.html",
        {"form": form, "page": page, "filtered": _filtered(request, form)},
    )


@registry_staff_required
@require_GET
def landlord_detail(request: HttpRequest, pk: int) -> HttpResponse:
    landlord = get_visible_or_404(
        Landlord.objects.select_related("area", "resident"), request.user, pk=pk
    )
    resident_visible = (
        landlord.resident_id is not None
        and Resident.objects.visible_to(request.user).filter(pk=landlord.resident_id).exists()
    )
    return render(
        request,
        "registry/people/landlord_detail.html",
        {
            "landlord": landlord,
            "resident_visible": resident_visible,
            "courtyards": list(landlord_courtyards(request.user, landlord)),
        },
    )


# Tenancies -------------------------------------------------------------------------------------


@registry_staff_required
@require_GET
def rental_list_view(request: HttpRequest) -> HttpResponse:
    form = RentalFilterForm(request.GET, user=request.user)
    today = timezone.localdate()
    rentals = rental_list(
        request.user,
        status=form.value("status"),
        query=form.value("q"),
        area=form.value("area", None),
        today=today,
    )
    page = Paginator(rentals, PAGE_SIZE).get_page(request.GET.get("page"))
    for tenancy in page.object_list:
        tenancy.status = rental_status(tenancy, today)
    return render(
        request,
        "registry/people/rental_list.html",
        {
            "form": form,
            "page": page,
            "filtered": _filtered(request, form),
            "may_create": may_write_somewhere(request.user),
        },
    )


@registry_staff_required
@require_http_methods(["GET", "POST"])
def rental_create(request: HttpRequest) -> HttpResponse:
    """Step 1 (no ``resident``): find the tenant with the resident search. Step 2: the form."""
    if not may_write_somewhere(request.user):
        raise PermissionDenied
    resident_pk = request.GET.get("resident") or request.POST.get("resident")
    if not resident_pk:
        # Posted, like the resident list's search: an ID number or phone stays out of URLs.
        query = (request.POST.get("q") or request.GET.get("q") or "").strip()
        candidates = list(selectors.resident_list(request.user, query=query)[:20]) if query else []
        return render(
            request,
            "registry/people/rental_pick_resident.html",
            {"q": query, "echo_q": not identifier_query(query), "candidates": candidates},
        )
    resident = get_visible_or_404(
        Resident.objects.select_related("area"), request.user, pk=resident_pk
    )
    form = RentalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            rental_register(
                actor=request.user,
                resident=resident,
                courtyard=form.cleaned_data.get("courtyard"),
                house=form.cleaned_data.get("house"),
                room=form.cleaned_data.get("room", ""),
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data.get("end_date"),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The tenancy was registered."))
            return redirect("registry:rental_list")
    return render(request, "registry/people/rental_form.html", {"form": form, "resident": resident})


@registry_staff_required
@require_http_methods(["GET", "POST"])
def rental_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_visible_or_404(
        RentalRegistration.objects.select_related("resident", "courtyard", "house", "area"),
        request.user,
        pk=pk,
    )
    require_writer(request.user, registration.area)
    form = RentalEndForm(request.POST or None, initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            rental_end(
                actor=request.user, registration=registration, on=form.cleaned_data["end_date"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The tenancy was ended."))
            return redirect("registry:rental_list")
    return render(
        request,
        "registry/people/rental_end.html",
        {"form": form, "registration": registration},
    )
