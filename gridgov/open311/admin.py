"""Back office for Open311: service attributes are edited here; keys are created by the command
(the key is printed once) and only listed and revoked here; what clients sent is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.masking import mask_text
from gridgov.open311.models import ApiKey, ClientRequest, ServiceAttribute


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ("category", "order", "code", "datatype", "required", "description")
    list_filter = ("datatype", "required")
    search_fields = ("code", "description", "category__code", "category__name")
    autocomplete_fields = ()
    ordering = ("category__code", "order", "code")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    readonly_fields = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # `gridgov open311 key create NAME` prints the key; a form could not

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(ClientRequest)
class ClientRequestAdmin(admin.ModelAdmin):
    list_display = ("case", "api_key", "created_at")
    list_filter = ("api_key",)
    search_fields = ("case__number",)
    fields = ("case", "api_key", "token", "attributes", "media_url", "masked_email", "created_at")
    readonly_fields = fields

    @admin.display(description=_("e-mail"))
    def masked_email(self, obj: ClientRequest) -> str:
        return mask_text(obj.email)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
