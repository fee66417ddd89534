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
