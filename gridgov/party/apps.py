from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "gridgov.party"
    label = "party"
    verbose_name = _("Party organisation")

    def ready(self) -> None:
        from gridgov.core.audit import audited
        from gridgov.party.models import PartyOrganization

        audited(PartyOrganization)

        from gridgov.core.navigation import NavEntry, register_entry, register_module

        register_module("party", _("Party building"), "party", order=40)
        register_entry("party", NavEntry(_("Party organisations"), "party:tree"))
