"""Registry pages. Each sub-domain keeps its own URL module; names are in the ``registry`` namespace."""

from django.urls import include, path

app_name = "registry"

urlpatterns = [
    path("", include("gridgov.registry.urls_people")),
    path("courtyards/", include("gridgov.registry.urls_courtyards")),
    path("imports/", include("gridgov.registry.urls_imports")),
]
