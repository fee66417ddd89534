"""The audit log in the console: who did what, when, to which object, from which address.

Read-only, for users with ``auditlog.view_logentry`` (superusers have it). Personal data appears
only masked: encrypted fields are recorded as ``******`` in the first place (core.audit).
"""

from __future__ import annotations

import datetime
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

VIEW_PERMISSION = "auditlog.view_logentry"
PAGE_SIZE = 50


def may_view_audit_log(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(VIEW_PERMISSION))
    )


def _object_type_choices() -> list[tuple[str, str]]:
    types = [ContentType.objects.get_for_model(model) for model in auditlog.get_models()] + [
        ContentType.objects.get_for_model(LogEntry)
    ]
    return [("", _("Any"))] + sorted(
        ((str(ct.pk), f"{ct.app_label}.{ct.model}") for ct in types), key=lambda c: c[1]
    )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor (username)"), required=False, max_length=150)
    action = forms.TypedChoiceField(
        label=_("Action"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *LogEntry.Action.choices],
    )
    object_type = forms.TypedChoiceField(
        label=_("Object type"), required=False, coerce=int, empty_value=None
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=255)
    remote_addr = forms.GenericIPAddressField(label=_("IP address"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = _object_type_choices()  # type: ignore[attr-defined]

    def filter(self, queryset: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
        data = self.cleaned_data
        if data.get("actor"):
            queryset = queryset.filter(actor__username__icontains=data["actor"])
        if data.get("action") is not None:
            queryset = queryset.filter(action=data["action"])
        if data.get("object_type") is not None:
            queryset = queryset.filter(content_type_id=data["object_type"])
        if data.get("object_id"):
            queryset = queryset.filter(object_pk=data["object_id"])
        if data.get("remote_addr"):
            queryset = queryset.filter(remote_addr=data["remote_addr"])
        # Dates are days in the deployment's time zone (Asia/Shanghai), the ends included.
        if data.get("date_from"):
            queryset = queryset.filter(timestamp__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            next_day = data["date_to"] + datetime.timedelta(days=1)
            queryset = queryset.filter(timestamp__lt=_start_of(next_day))
        return queryset


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not may_view_audit_log(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
