from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "gridgov.areas"
    label = "areas"
    verbose_name = _("Areas and grids")

    def ready(self) -> None:
        from gridgov.core.navigation import NavEntry, register_entry, register_module

        register_module("grid", _("Grids"), "grid", order=20)
        register_entry("grid", NavEntry(_("Area tree"), "areas:list"))
        register_entry("grid", NavEntry(_("Grid map"), "areas:map"))
