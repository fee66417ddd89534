from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from gridgov.api import main as api_v1
from gridgov.core.views import errors

urlpatterns = [
    path("", include("gridgov.core.urls")),
    path("areas/", include("gridgov.areas.urls")),
    path("registry/", include("gridgov.registry.urls")),
    path("party/", include("gridgov.party.urls")),
    path("cases/", include("gridgov.cases.urls")),
    # The grid worker's phone pages and the patrol console (gridgov/patrol).
    path("w/", include("gridgov.patrol.urls")),
    path("patrols/", include("gridgov.patrol.urls_console")),
    path("cockpit/", include("gridgov.cockpit.urls")),
    path("inbox/", include("gridgov.notifications.urls")),
    # Residents' phone pages (sign-in by code, reports, my reports, the public list).
    path("m/", include("gridgov.resident.urls")),
    path("calendar/", include("gridgov.workcalendar.urls")),
    # Open311 GeoReport v2 for outside clients (FixMyStreet, city apps): public cases only.
    path("open311/v2/", include("gridgov.open311.urls")),
    path("sos/", include("gridgov.sos.urls")),
    path("hotline/", include("gridgov.hotline.urls")),
    path("api/v1/", api_v1.urls()),
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
