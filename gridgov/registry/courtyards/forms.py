"""Forms of the courtyard pages: they parse what was typed; the services validate and write.

A ``ValidationError`` raised by a service is put back on the form with ``add_service_errors``, so
that its message appears next to the field it concerns and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.registry.courtyards import checklist
from gridgov.registry.courtyards.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from gridgov.registry.models import RiskColor

PASSED = "pass"
FAILED = "fail"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def add_service_errors(
    form: forms.Form, error: ValidationError, field_names: dict[str, str] | None = None
) -> None:
    """Attach a service's errors to the form: by field where the form has it, else on top."""
    field_names = field_names or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = field_names.get(name, name)
        form.add_error(target if target in form.fields else None, messages)


def result_field(code: str) -> str:
    return f"result_{code}"


def note_field(code: str) -> str:
    return f"note_{code}"


class InspectionForm(forms.Form):
    """The inspection against the checklist: pass or fail for every item, an optional note."""

    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible to staff only. Do not write ID numbers or phone numbers here."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspected_on"].initial = timezone.localdate()
        for item in checklist.CHECKLIST:
            self.fields[result_field(item.code)] = forms.ChoiceField(
                label=item.label,
                choices=[(PASSED, _("Passed")), (FAILED, _("Failed"))],
                widget=forms.RadioSelect,
                help_text=item.help,
                error_messages={"required": _("Mark this item as passed or failed.")},
            )
            self.fields[note_field(item.code)] = forms.CharField(
                label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH
            )

    def items(self) -> list[dict[str, Any]]:
        """The checklist rows for the template: item, its result field and its note field."""
        return [
            {
                "item": item,
                "result": self[result_field(item.code)],
                "note": self[note_field(item.code)],
            }
            for item in checklist.CHECKLIST
        ]

    def results(self) -> dict[str, tuple[bool, str]]:
        data = self.cleaned_data
        return {
            item.code: (
                data[result_field(item.code)] == PASSED,
                data.get(note_field(item.code), ""),
            )
            for item in checklist.CHECKLIST
        }

    def service_field_names(self) -> dict[str, str]:
        return {item.code: result_field(item.code) for item in checklist.CHECKLIST}


class RectifyForm(forms.Form):
    on = forms.DateField(label=_("Rectified on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class RiskOverrideForm(forms.Form):
    color = forms.ChoiceField(
        label=_("Risk colour"),
        choices=[("", _("Use the colour the rule gives")), *RiskColor.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("Required to set a colour; kept in the audit log."),
    )


class RateForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        choices=[("", _("No rating")), *((n, str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        required=False,  # the service says that a reason is required, in its own words
        help_text=_("Why this rating; kept in the audit log."),
    )
