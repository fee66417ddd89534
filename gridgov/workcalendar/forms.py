from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.workcalendar.models import CalendarDay


class CalendarDayForm(forms.Form):
    """One day's new status; the page preselects the opposite of what the day is now."""

    date = forms.DateField(widget=forms.HiddenInput)
    is_workday = forms.TypedChoiceField(
        label=_("The day becomes"),
        choices=[("1", _("a working day")), ("0", _("a rest day"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=CalendarDay._meta.get_field("name").max_length,
        required=False,
        help_text=_("The holiday or make-up working day, for example 春节 or 国庆节调休上班."),
    )
    note = forms.CharField(
        label=_("Reason for the change"),
        max_length=CalendarDay._meta.get_field("note").max_length,
        required=False,
        help_text=_("For example the State Council notice that sets the year's holidays."),
    )

    def __init__(self, *args, year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date.year != self.year:
            raise forms.ValidationError(_("The day is not in this year."))
        return date
