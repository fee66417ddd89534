"""The registry in the back office: lists with masked identifiers; editing goes through the
console's pages (which validate through the services), so most fields are read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.registry.models import Courtyard, House, Landlord, RentalRegistration, Resident


class MaskedMixin:
    """Shows encrypted identifiers masked and never offers them as inputs."""

    @admin.display(description=_("ID number"))
    def id_number_masked(self, obj):  # noqa: ANN001, ANN201
        return obj._meta.get_field("id_number").masked(obj)

    @admin.display(description=_("phone"))
    def phone_masked(self, obj):  # noqa: ANN001, ANN201
        return obj._meta.get_field("phone").masked(obj)


@admin.register(Resident)
class ResidentAdmin(MaskedMixin, admin.ModelAdmin):
    list_display = ("name", "id_number_masked", "phone_masked", "residence_type", "area")
    list_filter = ("residence_type", "sex")
    search_fields = ("name", "address", "area__code")
    exclude = ("id_number", "id_number_index", "phone", "phone_index")
    readonly_fields = ("id_number_masked", "phone_masked", "sex", "birth_date")
    raw_id_fields = ("area", "house", "guardian")


@admin.register(Landlord)
class LandlordAdmin(MaskedMixin, admin.ModelAdmin):
    list_display = ("name", "id_number_masked", "phone_masked", "area")
    search_fields = ("name", "area__code")
    exclude = ("id_number", "id_number_index", "phone", "phone_index")
    readonly_fields = ("id_number_masked", "phone_masked")
    raw_id_fields = ("area", "resident")


@admin.register(House)
class HouseAdmin(admin.ModelAdmin):
    list_display = ("address", "use", "area")
    list_filter = ("use",)
    search_fields = ("address", "area__code")
    raw_id_fields = ("area", "owner")


@admin.register(Courtyard)
class CourtyardAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "risk_color", "risk_override", "star_rating", "area")
    list_filter = ("risk_color", "star_rating")
    search_fields = ("code", "name", "address")
    raw_id_fields = ("area", "landlord")
    readonly_fields = ("risk_color", "tenant_count", "last_inspected_on", "next_inspection_due")


@admin.register(RentalRegistration)
class RentalRegistrationAdmin(admin.ModelAdmin):
    list_display = ("resident", "courtyard", "house", "start_date", "end_date")
    raw_id_fields = ("area", "resident", "courtyard", "house", "registered_by")
