from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "gridgov.cockpit"
    label = "cockpit"
    verbose_name = _("Cockpit")

    def ready(self) -> None:
        from gridgov.cases import changes
        from gridgov.cockpit import maintain
        from gridgov.cockpit.map_figures import register_figures
        from gridgov.cockpit.nav import register_navigation

        # The rollups count every step of a case as its follow-up (gridgov.cases.followups).
        changes.listen(followed=maintain.step_followed, prepare_many=maintain.prepare_steps)
        register_navigation()
        register_figures()
