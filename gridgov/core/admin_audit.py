"""The audit log in Django's admin: readable by those allowed, changeable by nobody.

auditlog's own admin already refuses add and change, but lets a delete through when the admin
cascades from another object; here nothing deletes an entry, superusers included, and the bulk
"delete selected" action is gone. Entries leave the database only through ``gridgov
audit_archive``, which writes them to a checksummed file first. Import this module from the core
app's ``admin.py`` (after auditlog's admin has registered itself, which Django's autodiscovery does
because auditlog comes before gridgov.core in INSTALLED_APPS).
"""

from __future__ import annotations

from typing import Any

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyLogEntryAdmin(LogEntryAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def install(site: admin.AdminSite = admin.site) -> None:
    """Replace whatever admin LogEntry has on ``site`` by the read-only one (idempotent)."""
    if site.is_registered(LogEntry):
        if isinstance(site._registry[LogEntry], ReadOnlyLogEntryAdmin):
            return
        site.unregister(LogEntry)
    site.register(LogEntry, ReadOnlyLogEntryAdmin)


install()
