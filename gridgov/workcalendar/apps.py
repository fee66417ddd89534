from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkCalendarConfig(AppConfig):
    name = "gridgov.workcalendar"
    label = "workcalendar"
    verbose_name = _("Working calendar")

    def ready(self) -> None:
        from gridgov.core.audit import audited
        from gridgov.workcalendar import checks  # noqa: F401  (registers the settings check)
        from gridgov.workcalendar.models import CalendarDay
        from gridgov.workcalendar.nav import register_navigation

        audited(CalendarDay)
        register_navigation()
