"""The operator's form for a call (or one transferred order) and the upload form of a sheet."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.areas.models import Area, AreaLevel
from gridgov.cases.models import Category, Urgency
from gridgov.core.scoping import visible_to

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.code} {obj.parent.name if obj.parent_id else ''}/{obj.name}"


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


class HotlineCaseForm(forms.Form):
    order_number = forms.CharField(
        label=gettext_lazy("Hotline work-order number"),
        max_length=58,
        required=False,
        help_text=gettext_lazy("For a 12345 transfer; the same number is never filed twice."),
    )
    caller_phone = forms.CharField(label=gettext_lazy("Caller's number"), max_length=20)
    caller_name = forms.CharField(
        label=gettext_lazy("Caller's name"), max_length=64, required=False
    )
    category = CategoryChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.none())
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    area = AreaChoiceField(label=gettext_lazy("Area"), queryset=Area.objects.none())
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("A few words; left empty, the start of the description."),
    )
    description = forms.CharField(
        label=gettext_lazy("What the caller reports"), widget=forms.Textarea
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            Category.objects.filter(active=True, parent__isnull=False)
            .select_related("parent")
            .order_by("code")
        )
        self.fields["area"].queryset = visible_to(
            Area.objects.filter(
                retired_at__isnull=True,
                level__in=[AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID],
            ),
            user,
        ).order_by("code")


class HotlineImportForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=[
            ("apply_valid", gettext_lazy("File the valid rows")),
            ("all_or_nothing", gettext_lazy("All or nothing")),
            ("dry_run", gettext_lazy("Check only")),
        ],
        initial="apply_valid",
    )
    file = forms.FileField(label=gettext_lazy("Excel file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED_SUFFIXES):
            raise ValidationError(_("Upload an Excel workbook (.xlsx)."))
        return upload
