from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from gridgov.core.views import errors

urlpatterns = [
    path("", include("gridgov.core.urls")),
    path("areas/", include("gridgov.areas.urls")),
    path("registry/", include("gridgov.registry.urls")),
    path("party/", include("gridgov.party.urls")),
    path("cases/", include("gridgov.cases.urls")),
    path("cockpit/", include("gridgov.cockpit.urls")),
    path("inbox/", include("gridgov.notifications.urls")),
    path("calendar/", include("gridgov.workcalendar.urls")),
    # Public, sessionless pages (the courtyard plate's QR code points here): no personal data.
    path("public/", include("gridgov.registry.urls_public")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
