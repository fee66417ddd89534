"""Forms of the area pages; validation of the tree itself is in services.py."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.areas.models import GridType

MAX_POLYGON_BYTES = 2 * 1024 * 1024


class PolygonField(forms.CharField):
    """GeoJSON pasted into a text box, or uploaded as a .geojson file (the file wins)."""

    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "mono"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "GeoJSON Polygon or MultiPolygon in WGS-84 longitude/latitude. Leave empty for none."
            ),
        )
        super().__init__(**kwargs)


class AreaEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    grid_type = forms.ChoiceField(label=_("Grid type"), choices=GridType.choices)
    polygon = PolygonField(label=_("Boundary"))
    polygon_file = forms.FileField(label=_("or upload a .geojson file"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("polygon_file")
        if upload:
            if upload.size > MAX_POLYGON_BYTES:
                raise forms.ValidationError(_("The boundary file is larger than 2 MB."))
            try:
                data["polygon"] = json.loads(upload.read().decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise forms.ValidationError(_("The boundary file is not GeoJSON.")) from error
        return data


class AreaCreateForm(AreaEditForm):
    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=24,
        help_text=_("Leave empty to take the next free code under the parent."),
    )


class AreaMoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("New parent"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents
