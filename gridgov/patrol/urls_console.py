"""The patrol console for community and street staff, in the ``patrols`` namespace (/patrols/)."""

from django.urls import path

from gridgov.patrol import views_console

app_name = "patrols"

urlpatterns = [
    path("", views_console.console, name="console"),
    path("export.xlsx", views_console.export, name="export"),
    path("<int:pk>/", views_console.detail, name="detail"),
]
