"""Deliveries in the back office, read-only: what was sent, through which backend, and why an
attempt failed. Phones are shown masked; a reveal goes through the personal-data pages."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "template",
        "kind",
        "phone_masked",
        "status",
        "attempts",
        "backend",
        "sent_at",
    )
    list_filter = ("status", "channel", "template")
    exclude = ("phone", "phone_index", "secret_params")
    readonly_fields = (
        "uid",
        "channel",
        "phone_masked",
        "endpoint",
        "template",
        "kind",
        "payload",
        "notification",
        "status",
        "backend",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    )

    @admin.display(description=_("phone"))
    def phone_masked(self, obj: Delivery) -> str:
        return Delivery._meta.get_field("phone").masked(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False
