"""Courtyard pages (星级院落 · 四色管控), in the ``registry`` namespace under /registry/courtyards/."""

from django.urls import path

from gridgov.registry import views_courtyards as views

urlpatterns = [
    path("", views.courtyard_list, name="courtyard_list"),
    path("inspections/due/", views.inspection_due, name="inspection_due"),
    path("<int:pk>/", views.courtyard_detail, name="courtyard_detail"),
    path("<int:pk>/inspect/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/risk/", views.risk_override, name="risk_override"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/plate.pdf", views.plate, name="plate"),
    path("items/<int:pk>/rectify/", views.item_rectify, name="item_rectify"),
    path("plates/area/<int:area_pk>.pdf", views.area_plates, name="area_plates"),
]
