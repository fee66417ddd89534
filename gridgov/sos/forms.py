"""Forms of the SOS console: a device for a resident, a duty shift."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.areas.models import Area, AreaLevel
from gridgov.core.models import STAFF_ROLES, User
from gridgov.core.scoping import visible_to
from gridgov.sos.models import DutyShift
from gridgov.sos.permissions import manages_sos_at


class DeviceForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("E.g. the number printed on the device."),
    )


class DutyShiftForm(forms.ModelForm):
    class Meta:
        model = DutyShift
        fields = ["area", "user", "weekday", "date", "start_time", "end_time"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = user
        grids = visible_to(Area.objects.filter(level=AreaLevel.GRID, retired_at__isnull=True), user)
        self.fields["area"].queryset = grids.order_by("code")
        # Staff of the areas the actor manages: anyone with a staff role there.
        codes = [grid.code for grid in grids.only("code")[:2000]]
        prefixes = sorted({code[:12] for code in codes})
        staff = User.objects.filter(
            is_active=True,
            assignments__active=True,
            assignments__role__in=list(STAFF_ROLES),
        )
        if prefixes and not _everything(user):
            from django.db.models import Q

            condition = Q()
            for prefix in prefixes:
                condition |= Q(assignments__area__code__startswith=prefix)
            staff = staff.filter(condition)
        self.fields["user"].queryset = staff.distinct().order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("weekday") is not None and data.get("date"):
            raise ValidationError(_("Give a weekday or a date, not both."))
        area = data.get("area")
        if area is not None and not manages_sos_at(self.actor, area.code):
            self.add_error("area", _("You do not manage this grid."))
        if data.get("start_time") and data.get("start_time") == data.get("end_time"):
            self.add_error("end_time", _("A shift ends at another time than it starts."))
        return data


def _everything(user: Any) -> bool:
    from gridgov.core.scoping import scope_of

    return scope_of(user).everything
