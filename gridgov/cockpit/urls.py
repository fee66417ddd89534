"""The cockpit's pages, in the ``cockpit`` namespace (mounted at /cockpit/)."""

from django.urls import path

from gridgov.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("wall/", views.wall_page, name="wall"),
    path("wall/panel/", views.wall_panel, name="wall_panel"),
    path("charts/", views.charts_page, name="charts"),
    path("charts/<slug:key>.json", views.chart_data, name="chart_data"),
    path("charts/<slug:key>.xlsx", views.chart_xlsx, name="chart_xlsx"),
    path("map/", views.map_page, name="map"),
    path("map/points/", views.map_points, name="map_points"),
]
