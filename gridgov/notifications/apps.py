from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "gridgov.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Neither Notification nor Delivery is audited (see the models' docstring).
        from gridgov.core.navigation import NavEntry, register_entry, register_module

        register_module("inbox", _("Inbox"), "alert", order=5)
        register_entry("inbox", NavEntry(_("Notifications"), "notifications:inbox"))
