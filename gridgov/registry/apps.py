from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "gridgov.registry"
    label = "registry"
    verbose_name = _("People and houses")

    def ready(self) -> None:
        from gridgov.core.audit import audited
        from gridgov.registry import models
        from gridgov.registry.map_figures import register_figures
        from gridgov.registry.nav import register_navigation

        register_navigation()
        register_figures()

        from gridgov.core.personal_data import register_revealable

        register_revealable(models.Resident, "id_number", "phone")
        register_revealable(models.EmergencyContact, "phone")
        register_revealable(models.Landlord, "id_number", "phone")

        for model in (
            models.House,
            models.Resident,
            models.ResidentTag,
            models.EmergencyContact,
            models.Landlord,
            models.Courtyard,
            models.RentalRegistration,
            models.Inspection,
            models.InspectionItem,
        ):
            audited(model)
