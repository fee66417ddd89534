"""Public, sessionless pages (namespace ``public``): what a courtyard plate's QR code opens.
They show no personal data and are not indexed by search engines."""

from django.urls import path

from gridgov.registry import views_public

app_name = "public"

urlpatterns = [
    path("courtyards/<uuid:token>/", views_public.courtyard, name="courtyard"),
]
