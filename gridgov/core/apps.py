from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = _("Accounts and security")

    def ready(self) -> None:
        from django.contrib import admin
        from django.http import HttpRequest

        from gridgov.core import audit, checks  # noqa: F401  (registers audited models and checks)
        from gridgov.core.nav import register_navigation
        from gridgov.core.navigation import NavEntry, register_entry, register_module

        def is_staff(request: HttpRequest) -> bool:
            return bool(getattr(request.user, "is_staff", False))

        # The "system" module: the audit log (core.nav), then the Django admin, which is the back
        # office, reachable from the console for staff accounts only.
        register_module("system", _("System"), "system", order=90)
        register_navigation()
        register_entry("system", NavEntry(_("Back office"), "admin:index", allowed=is_staff))
        admin.site.site_header = _("gridgov back office")
        admin.site.site_title = _("gridgov back office")
        admin.site.index_title = _("Back office")
        admin.site.site_url = "/"
