from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from gridgov.cases.models import Case, CaseSummons, Category
        from gridgov.cases.nav import register_navigation
        from gridgov.core.audit import audited

        register_navigation()
        import gridgov.cases.lookups  # noqa: F401 (its signal handlers keep the cache fresh)
        import gridgov.cases.replies  # noqa: F401 (same)

        # Case status changes are audited by the workflow itself (one entry per transition, with
        # the action's name); the row-level audit still records edits made elsewhere.
        from gridgov.cases.map_figures import register_figures

        register_figures()
        audited(Case)
        audited(Category)
        audited(CaseSummons)
