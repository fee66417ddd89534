"""Forms of the people and houses pages: filters of the lists, and the edit forms.

Edit forms only parse and present: the rules live in ``resident_clean`` / ``house_clean`` and the
services, whose ValidationErrors (by field, already translated) are shown on the form.

Personal identifiers are never echoed back into the page: the ID number and phone inputs render
empty (with the masked current value as placeholder on an edit), so neither a re-rendered form
nor an edit page carries them in plain text.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.areas.models import CODE_LENGTH, Area, AreaLevel
from gridgov.core.identifiers import normalise_phone
from gridgov.registry.models import (
    Courtyard,
    DocumentType,
    House,
    HouseUse,
    ResidenceType,
    Resident,
    ResidentTagKind,
    Sex,
)
from gridgov.registry.selectors import _ID_NUMBER, _PHONE  # the selector's own test of a query
from gridgov.registry.services import ResidentData, resident_clean
from gridgov.registry.services_houses import HouseData, house_clean
from gridgov.registry.services_rentals import RentalStatus

# Levels a resident or a house is filed under (a grid and the cells below it).
FILING_LEVELS = (AreaLevel.GRID, AreaLevel.MICRO_GRID, AreaLevel.BUILDING, AreaLevel.UNIT)
# Levels offered in the list filters (finer cells are reached by the search box).
FILTER_LEVELS = (
    AreaLevel.CITY,
    AreaLevel.DISTRICT,
    AreaLevel.STREET,
    AreaLevel.COMMUNITY,
    AreaLevel.GRID,
)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnechoedTextInput(forms.TextInput):
    """A text input that never renders its value: for ID numbers and phones."""

    def format_value(self, value: Any) -> None:
        return None


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


def identifier_query(query: str) -> str:
    """``"id_number"`` or ``"phone"`` when the search text is one (as ``resident_list`` decides,
    so the same text takes the blind-index path there), else ``""``.

    Such a search is posted, never put in a URL: a query string lands in access logs, browser
    history and Referer headers.
    """
    compact = (query or "").strip().replace(" ", "")
    if not compact:
        return ""
    if _ID_NUMBER.match(compact):
        return "id_number"
    if _PHONE.match(normalise_phone(compact).replace("-", "")):
        return "phone"
    return ""


def filter_areas(user: Any) -> QuerySet[Area]:
    return Area.objects.visible_to(user).active().filter(level__in=FILTER_LEVELS).order_by("code")


def filing_areas(user: Any, *, keep: Area | None = None) -> QuerySet[Area]:
    """Visible grids and the cells below them; plus ``keep`` (the record's current area, which an
    import may have filed higher up) so that an edit does not silently move the record."""
    condition = Q(level__in=FILING_LEVELS)
    if keep is not None:
        condition |= Q(pk=keep.pk)
    return Area.objects.visible_to(user).active().filter(condition).order_by("code")


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field when the form has the field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field_name, errors in error.message_dict.items():
        form.add_error(field_name if field_name in form.fields else None, errors)


# Filters ---------------------------------------------------------------------------------------


class _ScopedFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    area = AreaChoiceField(
        label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=_("All areas")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        # Any visible area is accepted (the area page links here with a micro-grid, say); the
        # select offers the levels down to grids, plus the chosen area.
        field.queryset = Area.objects.visible_to(user).active()  # type: ignore[attr-defined]
        offered = list(filter_areas(user))
        chosen = self.value("area", None)
        if chosen is not None and chosen not in offered:
            offered.append(chosen)
        field.widget.choices = [  # type: ignore[attr-defined]
            ("", field.empty_label),  # type: ignore[attr-defined]
            *((area.pk, field.label_from_instance(area)) for area in offered),  # type: ignore[attr-defined]
        ]

    def value(self, name: str, default: Any = "") -> Any:
        """The cleaned value of one filter; a bad value in another filter does not void it."""
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get(name) or default


class ResidentFilterForm(_ScopedFilterForm):
    tag = forms.ChoiceField(
        label=_("Tag"), required=False, choices=[("", _("All tags")), *ResidentTagKind.choices]
    )
    residence_type = forms.ChoiceField(
        label=_("Residence type"),
        required=False,
        choices=[("", _("All residence types")), *ResidenceType.choices],
    )
    moved_out = forms.BooleanField(label=_("Include moved-out"), required=False)


class HouseFilterForm(_ScopedFilterForm):
    use = forms.ChoiceField(
        label=_("Use"), required=False, choices=[("", _("All uses")), *HouseUse.choices]
    )


class LandlordFilterForm(_ScopedFilterForm):
    pass


class RentalFilterForm(_ScopedFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All tenancies")),
            (RentalStatus.ACTIVE, _("Active")),
            (RentalStatus.ENDING, _("Ending within 30 days")),
            (RentalStatus.ENDED, _("Ended")),
            (RentalStatus.UPCOMING, _("Not started yet")),
        ],
    )


# Residents -------------------------------------------------------------------------------------


class ResidentForm(forms.Form):
    """Create or edit a resident; ``cleaned_data['data']`` is the ResidentData to write."""

    name = forms.CharField(label=_("Name"), max_length=64)
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none())
    house = forms.ModelChoiceField(label=_("House"), queryset=House.objects.none(), required=False)
    document_type = forms.ChoiceField(
        label=_("Document type"), choices=DocumentType.choices, initial=DocumentType.ID_CARD
    )
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=32,
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("Sex and birth date are taken from a resident ID card number."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("Not stated")), *Sex.choices]
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE_INPUT)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=32,
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    residence_type = forms.ChoiceField(
        label=_("Residence type"), choices=ResidenceType.choices, initial=ResidenceType.REGISTERED
    )
    household_address = forms.CharField(
        label=_("Household register address"), required=False, max_length=200
    )
    address = forms.CharField(label=_("Current address"), required=False, max_length=200)
    tags = forms.MultipleChoiceField(
        label=_("Tags"),
        required=False,
        choices=ResidentTagKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    clear_id_number = forms.BooleanField(label=_("Remove the ID number"), required=False)
    clear_phone = forms.BooleanField(label=_("Remove the phone number"), required=False)

    def __init__(
        self,
        *args: Any,
        user: Any,
        resident: Resident | None = None,
        house_area: Area | None = None,
        **kwargs: Any,
    ) -> None:
        self.resident = resident
        if resident is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": resident.name,
                "area": resident.area_id,
                "house": resident.house_id,
                "document_type": resident.document_type,
                "sex": resident.sex,
                "birth_date": resident.birth_date,
                "residence_type": resident.residence_type,
                "household_address": resident.household_address,
                "address": resident.address,
                "tags": [tag.tag for tag in resident.tags.all()],
                "notes": resident.notes,
            }
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = filing_areas(  # type: ignore[attr-defined]
            user, keep=resident.area if resident is not None else None
        )
        # Houses are offered within one area's subtree (a grid holds hundreds, a city millions):
        # the resident's own area on an edit, the area or house the page came from on a create.
        context_area = resident.area if resident is not None else house_area
        if context_area is None:
            del self.fields["house"]
        else:
            self.fields["house"].queryset = (  # type: ignore[attr-defined]
                House.objects.visible_to(user)
                .filter(area__code__startswith=_grid_code(context_area))
                .order_by("address")
            )
        if resident is None:
            del self.fields["clear_id_number"]
            del self.fields["clear_phone"]
        else:
            id_field = Resident._meta.get_field("id_number")
            phone_field = Resident._meta.get_field("phone")
            if resident.id_number:
                self.fields["id_number"].widget.attrs["placeholder"] = id_field.masked(resident)  # type: ignore[attr-defined]
                self.fields["id_number"].help_text = _("Leave empty to keep the current number.")
            else:
                del self.fields["clear_id_number"]
            if resident.phone:
                self.fields["phone"].widget.attrs["placeholder"] = phone_field.masked(resident)  # type: ignore[attr-defined]
                self.fields["phone"].help_text = _("Leave empty to keep the current number.")
            else:
                del self.fields["clear_phone"]

    def _kept(self, name: str) -> str:
        """The typed value, or on an edit the current one unless the user asked to remove it."""
        typed = (self.cleaned_data.get(name) or "").strip()
        if typed or self.resident is None or self.cleaned_data.get(f"clear_{name}"):
            return typed
        return getattr(self.resident, name) or ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            cleaned["data"] = resident_clean(
                name=cleaned["name"],
                area=cleaned.get("area"),
                id_number=self._kept("id_number"),
                phone=self._kept("phone"),
                document_type=cleaned["document_type"],
                residence_type=cleaned["residence_type"],
                household_address=cleaned.get("household_address", ""),
                address=cleaned.get("address", ""),
                tags=cleaned.get("tags") or [],
                notes=cleaned.get("notes", ""),
                sex=cleaned.get("sex", ""),
                birth_date=cleaned.get("birth_date"),
            )
        except ValidationError as error:
            apply_errors(self, error)
            return cleaned
        house = cleaned.get("house")
        area = cleaned["area"]
        if house is not None and not (
            house.area.code.startswith(area.code) or area.code.startswith(house.area.code)
        ):
            self.add_error("house", _("The house is not in the resident's area."))
        return cleaned

    @property
    def resident_data(self) -> ResidentData:
        return self.cleaned_data["data"]


def _grid_code(area: Area) -> str:
    """The code of the grid an area lies in (or the area's own code above grid level)."""
    grid_length = CODE_LENGTH[AreaLevel.GRID]
    return area.code[:grid_length] if len(area.code) > grid_length else area.code


class MoveOutForm(forms.Form):
    moved_out_at = forms.DateField(label=_("Moved out on"), widget=DATE_INPUT)

    def clean_moved_out_at(self) -> datetime.date:
        day = self.cleaned_data["moved_out_at"]
        if day > timezone.localdate():
            raise ValidationError(_("The date is in the future."))
        return day


class EmergencyContactForm(forms.Form):
    """Parsed here, validated by ``emergency_contact_add`` (its errors land on these fields)."""

    name = forms.CharField(label=_("Name"), max_length=64)
    relation = forms.CharField(label=_("Relation"), required=False, max_length=32)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )


# Houses and tenancies --------------------------------------------------------------------------


class HouseForm(forms.Form):
    """Create or edit a house; ``cleaned_data['data']`` is the HouseData to write."""

    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200)
    building = forms.CharField(label=_("Building"), required=False, max_length=32)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=16)
    room = forms.CharField(label=_("Room"), required=False, max_length=16)
    use = forms.ChoiceField(label=_("Use"), choices=HouseUse.choices)
    floor_area = forms.DecimalField(
        label=_("Floor area (m²)"), required=False, max_digits=8, decimal_places=2
    )
    owner_name = forms.CharField(label=_("Owner name"), required=False, max_length=64)

    def __init__(self, *args: Any, user: Any, house: House | None = None, **kwargs: Any) -> None:
        self.house = house
        if house is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "area": house.area_id,
                "address": house.address,
                "building": house.building,
                "unit": house.unit,
                "room": house.room,
                "use": house.use,
                "floor_area": house.floor_area,
                "owner_name": house.owner_name,
            }
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = filing_areas(  # type: ignore[attr-defined]
            user, keep=house.area if house is not None else None
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            cleaned["data"] = house_clean(
                area=cleaned.get("area"),
                address=cleaned["address"],
                use=cleaned["use"],
                building=cleaned.get("building", ""),
                unit=cleaned.get("unit", ""),
                room=cleaned.get("room", ""),
                floor_area=cleaned.get("floor_area"),
                owner=self.house.owner if self.house is not None else None,
                owner_name=cleaned.get("owner_name", ""),
            )
        except ValidationError as error:
            apply_errors(self, error)
        return cleaned

    @property
    def house_data(self) -> HouseData:
        return self.cleaned_data["data"]


class RentalForm(forms.Form):
    """Register a tenancy for one resident (chosen before the form is shown)."""

    courtyard = forms.ModelChoiceField(
        label=_("Courtyard"), queryset=Courtyard.objects.none(), required=False
    )
    house = forms.ModelChoiceField(label=_("House"), queryset=House.objects.none(), required=False)
    room = forms.CharField(label=_("Room"), required=False, max_length=16)
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["courtyard"].queryset = (  # type: ignore[attr-defined]
            Courtyard.objects.visible_to(user).filter(retired_at__isnull=True).order_by("code")
        )
        # Houses that are let (a rented house, or a commercial one let to a shop keeper).
        self.fields["house"].queryset = (  # type: ignore[attr-defined]
            House.objects.visible_to(user)
            .filter(use__in=[HouseUse.RENTED, HouseUse.COMMERCIAL])
            .order_by("address")
        )


class RentalEndForm(forms.Form):
    end_date = forms.DateField(label=_("Last day of the tenancy"), widget=DATE_INPUT)
