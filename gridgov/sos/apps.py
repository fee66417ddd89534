from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SosConfig(AppConfig):
    name = "gridgov.sos"
    label = "sos"
    verbose_name = _("One-button SOS")

    def ready(self) -> None:
        from gridgov.core.audit import audited
        from gridgov.sos import models
        from gridgov.sos.nav import register_navigation
        from gridgov.sos.texts import register_texts
        from gridgov.sos.workflow import register_transitions

        register_navigation()
        register_texts()
        register_transitions()
        for model in (models.SosDevice, models.DutyShift):
            audited(model)
