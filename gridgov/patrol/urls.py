"""The grid worker's phone pages, in the ``patrol`` namespace (mounted at /w/)."""

from django.urls import path

from gridgov.patrol import views_mobile, views_patrol

app_name = "patrol"

urlpatterns = [
    path("", views_mobile.todo, name="todo"),
    path("cases/<int:pk>/", views_mobile.case_page, name="case"),
    path("cases/<int:pk>/act/<slug:name>/", views_mobile.case_act, name="act"),
    path("report/", views_mobile.report, name="report"),
    path("lookup/", views_mobile.lookup, name="lookup"),
    path("lookup/residents/<int:pk>/", views_mobile.resident_page, name="resident"),
    path("lookup/houses/<int:pk>/", views_mobile.house_page, name="house"),
    path("patrol/", views_patrol.patrol_page, name="patrol"),
    path("patrol/start/", views_patrol.start, name="start"),
    path("patrol/<int:pk>/points/", views_patrol.points, name="points"),
    path("patrol/<int:pk>/end/", views_patrol.end, name="end"),
]
