from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolConfig(AppConfig):
    name = "gridgov.patrol"
    label = "patrol"
    verbose_name = _("Patrols and grid-worker phone pages")

    def ready(self) -> None:
        from gridgov.core.audit import audited
        from gridgov.patrol.models import Patrol
        from gridgov.patrol.nav import register_navigation

        register_navigation()
        # Points are many and say where a person walked: the patrol row is audited, not each point.
        audited(Patrol)
