"""Forms of the grid-worker phone pages. They parse; the workflow and the services decide.

Photos are checked by their bytes (``cases.forms.PhotosField``: a raster image under the upload
limit) before anything is stored; the phone resizes them first (static/patrol/photos.js).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.areas.geo import CRS
from gridgov.areas.models import Area
from gridgov.cases.forms import REPORT_LEVELS, PhotosField
from gridgov.cases.forms_actions import (
    ACTION_FORMS,
    ActionForm,
    ResolveForm,
    active_subcategories,
    subcategory_choices,
)
from gridgov.cases.models import AttachmentKind, Case

PHOTO_ATTRS = {
    "accept": "image/*",
    "capture": "environment",
    "data-resize": "",
    "class": "photo-input",
}


def photo_field(label: Any, *, required: bool = False) -> PhotosField:
    field = PhotosField(label=label, required=required)
    field.widget.attrs.update(PHOTO_ATTRS)
    return field


class HandleForm(ActionForm):
    """处置中: what the worker found on site, with the photos taken before the work."""

    text_label = _("What you found on site")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs.pop("required", None)  # the photos say enough

    def add_fields(self) -> None:
        self.fields["photos"] = photo_field(_("Photos before the work"), required=True)

    def transition_kwargs(self) -> dict[str, Any]:
        kwargs = super().transition_kwargs()
        kwargs["note"] = kwargs.get("note") or str(_("Photos of the site before the work"))
        kwargs["photo_kind"] = AttachmentKind.BEFORE
        return kwargs


class MobileResolveForm(ResolveForm):
    """处置完成: the result, with photos after the work (and before, if none were sent yet)."""

    def add_fields(self) -> None:
        self.fields["photos_before"] = photo_field(_("Photos before the work"))
        self.fields["photos"] = photo_field(_("Photos after the work"))


# The actions offered on the phone, in the order of the work. "handle" is the workflow's "note"
# with photos of the site before the work.
MOBILE_ACTIONS: dict[str, tuple[str, type[ActionForm]]] = {
    "claim": ("claim", ACTION_FORMS["claim"]),
    "handle": ("note", HandleForm),
    "resolve": ("resolve", MobileResolveForm),
    "escalate": ("escalate", ACTION_FORMS["escalate"]),
    "return": ("return", ACTION_FORMS["return"]),
}
# Photo fields of each form: uploads that become StoredFiles before the transition.
PHOTO_FIELDS = ("photos", "photos_before")


def mobile_form(
    name: str, *, case: Case, user: Any, data: Any = None, files: Any = None
) -> ActionForm:
    action, form_class = MOBILE_ACTIONS[name]
    return form_class(data, files, case=case, user=user, action=action, prefix=name)


class QuickReportForm(forms.Form):
    """A problem found on patrol: what, where (the phone's position or one of the own areas)."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=active_subcategories())
    title = forms.CharField(label=_("What is wrong, in a few words"), max_length=120)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    crs = forms.ChoiceField(
        choices=[(c.value, c.value) for c in CRS],
        initial=CRS.WGS84.value,
        required=False,
        widget=forms.HiddenInput,
    )
    photos = photo_field(_("Photos"))
    # One key per opened form: a report sent twice (a double tap, a retry) files one case.
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = subcategory_choices(active_subcategories())
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).active().filter(level__in=REPORT_LEVELS).order_by("code")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_point = data.get("lon") is not None and data.get("lat") is not None
        if not has_point and not data.get("area"):
            raise forms.ValidationError(
                _("Use the phone's location or choose the area where the problem is.")
            )
        return data


class SummaryFilterForm(forms.Form):
    """The console's day and area."""

    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user)
            .active()
            .filter(level__in=("street", "community", "grid"))
            .order_by("code")
        )

    def chosen(self) -> tuple[datetime.date, Area | None]:
        if not self.is_valid():
            return self.today, None
        return self.cleaned_data.get("day") or self.today, self.cleaned_data.get("area")


class LookupForm(forms.Form):
    """A name, an address, or an exact phone or ID number (posted: never in a URL)."""

    q = forms.CharField(label=_("Name, address, phone or ID number"), max_length=64)
