from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentConfig(AppConfig):
    """Residents' phone pages (居民端 H5): sign-in by code, reports, my reports, public list."""

    name = "gridgov.resident"
    label = "resident"
    verbose_name = _("Resident phone pages")

    def ready(self) -> None:
        from gridgov.resident import texts

        texts.register()
