from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "gridgov.hotline"
    label = "hotline"
    verbose_name = _("Hotline entry")

    def ready(self) -> None:
        from gridgov.hotline.nav import register_navigation

        register_navigation()
