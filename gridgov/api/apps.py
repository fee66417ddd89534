from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "gridgov.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from gridgov.api.models import ApiToken
        from gridgov.core.audit import audited

        # Who created or revoked a token is audited; the hash and the last use are not news.
        audited(ApiToken, exclude=("key_hash", "last_used_at"))
