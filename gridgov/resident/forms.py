"""Forms of the resident pages. They parse and present; the services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.areas.geo import CRS
from gridgov.cases.forms import PhotosField, UnechoedTextInput
from gridgov.cases.forms_actions import active_subcategories
from gridgov.cases.models import Category


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=UnechoedTextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "13800000000"}
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


def category_choices() -> list[tuple[Any, Any]]:
    """Subcategories grouped by class, names only (residents do not need the codes)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for category in (
        active_subcategories()
        .select_related("parent")
        .order_by("parent__order", "parent__code", "order", "code")
    ):
        groups.setdefault(category.parent.name if category.parent else "", []).append(
            (category.pk, category.name)
        )
    return [("", _("Choose what kind of problem it is")), *groups.items()]


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("For example: the stairwell is full of boxes")}
        ),
    )
    category = forms.ModelChoiceField(
        label=_("Kind of problem"), queryset=Category.objects.none(), required=False
    )
    photos = PhotosField(label=_("Photos"))
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    crs = forms.ChoiceField(
        label=_("Coordinates from"),
        choices=[
            (CRS.WGS84.value, _("GPS (WGS-84)")),
            (CRS.GCJ02.value, _("A phone map app (GCJ-02)")),
        ],
        initial=CRS.WGS84.value,
        required=False,
    )
    address = forms.CharField(
        label=_("Where exactly?"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Building, unit, landmark")}),
    )
    callback_phone = forms.CharField(
        label=_("Phone to call you back"),
        max_length=20,
        required=False,
        widget=UnechoedTextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    public = forms.BooleanField(
        label=_("The community may see this problem on its public list (never who reported it)"),
        required=False,
        initial=True,
    )
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, signed_in: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        category = self.fields["category"]
        category.queryset = active_subcategories()  # type: ignore[attr-defined]
        category.widget.choices = category_choices()
        if not self.is_bound:
            self.initial["client_key"] = uuid.uuid4().hex
        if not signed_in:
            self.fields["callback_phone"].required = True
            self.fields["callback_phone"].help_text = _(
                "You are not signed in: we need a number to call you back."
            )
        else:
            self.fields["callback_phone"].help_text = _("Leave empty to use your own number.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("lon") is None) != (data.get("lat") is None):
            raise forms.ValidationError(
                _("The location is incomplete. Locate again or pick it on the map.")
            )
        return data


class MeTooForm(forms.Form):
    note = forms.CharField(
        label=_("Anything to add?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField(label=_("Photos"))
    phone = forms.CharField(
        label=_("Phone to keep you informed"),
        max_length=20,
        required=False,
        widget=UnechoedTextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FixedForm(forms.Form):
    fixed = forms.TypedChoiceField(
        choices=[("yes", _("Yes, it is fixed")), ("no", _("No, it is not fixed"))],
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
