from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = _("Accounts and security")

    def ready(self) -> None:
        from gridgov.core import audit, checks  # noqa: F401  (registers audited models and checks)
