"""Forms of the case pages: the filters of the list (and its export) and the staff report form.

Forms only parse and present; ``services.case_report`` decides what a valid report is and its
ValidationErrors (by field, already translated) are shown on the form. Selects offer only what the
user may see (areas of their scope) or choose (active subcategories).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from gridgov.areas.geo import CRS
from gridgov.areas.models import Area, AreaLevel
from gridgov.cases.forms_actions import AreaChoiceField, active_subcategories, subcategory_choices
from gridgov.cases.guards import DISPATCHER_ROLES
from gridgov.cases.models import CaseStatus, Category, Channel, Urgency
from gridgov.cases.selectors import CaseFilters
from gridgov.core.files import INLINE_TYPES, sniff_content_type
from gridgov.core.scoping import scope_of

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILTER_LEVELS = (
    AreaLevel.CITY,
    AreaLevel.DISTRICT,
    AreaLevel.STREET,
    AreaLevel.COMMUNITY,
    AreaLevel.GRID,
)
# A case is reported at a grid or a finer cell (the locator files a point the same way).
REPORT_LEVELS = (AreaLevel.GRID, AreaLevel.MICRO_GRID, AreaLevel.BUILDING, AreaLevel.UNIT)
MAX_PHOTOS = 9


def apply_errors(form: forms.Form, error: Any) -> None:
    """Put a service's ValidationError on the form: by field when the form has the field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field_name, errors in error.message_dict.items():
        form.add_error(field_name if field_name in form.fields else None, errors)


def category_filter_choices() -> list[tuple[Any, str]]:
    """Every class followed by its subclasses (indented): filtering by a class takes them all."""
    choices: list[tuple[Any, str]] = [("", str(_("All categories")))]
    rows = Category.objects.select_related("parent").order_by("code")
    for category in rows:
        indent = "" if category.is_class else "\u2003"
        choices.append((category.pk, f"{indent}{category.code} {category.name}"))
    return choices


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), ("open", _("Open (not finished)")), *CaseStatus.choices],
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    reported_from = forms.DateField(label=_("Reported from"), required=False, widget=DATE_INPUT)
    reported_to = forms.DateField(label=_("Reported to"), required=False, widget=DATE_INPUT)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    supervised = forms.BooleanField(label=_("Supervised"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = category_filter_choices()
        area = self.fields["area"]
        # Any visible area is accepted (a link may name a micro-grid); the select offers the
        # levels down to grids.
        area.queryset = Area.objects.visible_to(user).active()  # type: ignore[attr-defined]
        offered = Area.objects.visible_to(user).active().filter(level__in=FILTER_LEVELS)
        area.widget.choices = [
            ("", _("All areas")),
            *((a.pk, area.label_from_instance(a)) for a in offered.order_by("code")),  # type: ignore[attr-defined]
        ]

    def filters(self) -> CaseFilters:
        """The valid filters; a bad value in one filter does not void the others."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return CaseFilters(
            status=data.get("status") or "",
            category=data.get("category"),
            area=data.get("area"),
            channel=data.get("channel") or "",
            overdue=bool(data.get("overdue")),
            supervised=bool(data.get("supervised")),
            reported_from=data.get("reported_from"),
            reported_to=data.get("reported_to"),
            query=data.get("q") or "",
        )


# The report form -------------------------------------------------------------------------------


class UnechoedTextInput(forms.TextInput):
    """A text input that never renders its value: a refused form does not echo a phone number."""

    def format_value(self, value: Any) -> None:
        return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once: each a raster image (by its bytes, not its name) under the limit."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if len(uploads) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(count)d photos per report."), params={"count": MAX_PHOTOS}
            )
        limit = settings.GRIDGOV_MAX_UPLOAD_BYTES
        for upload in uploads:
            if upload.size is not None and upload.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is larger than the limit of %(limit)s."),
                    params={"name": upload.name, "limit": filesizeformat(limit)},
                )
            upload.seek(0)
            head = upload.read(16)
            upload.seek(0)
            kind = sniff_content_type(head, getattr(upload, "content_type", "") or "")
            if kind not in INLINE_TYPES:
                raise forms.ValidationError(
                    _("%(name)s is not a photo (JPEG, PNG, GIF or WebP)."),
                    params={"name": upload.name},
                )
        return uploads


def may_take_hotline(user: Any) -> bool:
    """Staff of the case desk (dispatching roles) also enter hotline calls."""
    scope = scope_of(user)
    return scope.everything or bool(scope.roles & DISPATCHER_ROLES)


def may_report(user: Any) -> bool:
    """Staff with an area of their own (grid workers and up) report cases from the console."""
    scope = scope_of(user)
    return scope.everything or bool(scope.area_codes)


class CaseReportForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=[])
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    area = AreaChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Or give the location below: the case is filed in the grid that holds it."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    crs = forms.ChoiceField(
        label=_("Coordinate system"),
        choices=[(CRS.WGS84.value, _("WGS-84 (GPS)")), (CRS.GCJ02.value, _("GCJ-02 (phone maps)"))],
        initial=CRS.WGS84.value,
    )
    reporter_name = forms.CharField(
        label=_("Caller's name"),
        max_length=64,
        required=False,
        help_text=_("For a hotline call: who called."),
    )
    callback_phone = forms.CharField(
        label=_("Callback phone"),
        max_length=32,
        required=False,
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        channels = [(Channel.PATROL.value, Channel.PATROL.label)]
        if may_take_hotline(user):
            channels.append((Channel.HOTLINE.value, Channel.HOTLINE.label))
        self.fields["channel"].choices = channels
        self.fields["channel"].initial = Channel.PATROL.value
        category = self.fields["category"]
        category.queryset = active_subcategories()  # type: ignore[attr-defined]
        category.widget.choices = subcategory_choices(active_subcategories())
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).active().filter(level__in=REPORT_LEVELS).order_by("code")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lon, lat = data.get("lon"), data.get("lat")
        if (lon is None) != (lat is None):
            self.add_error("lat", _("Give both longitude and latitude, or neither."))
        elif data.get("area") is None and lon is None and not self.has_error("area"):
            self.add_error("area", _("Choose the area, or give the location."))
        return data
