"""Import and export pages, included at /registry/imports/ in the ``registry`` namespace."""

from django.urls import path

from gridgov.registry import views_imports as views

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("templates/<slug:kind>/", views.import_template, name="import_template"),
    path("export/<slug:kind>/", views.export, name="export"),
    path("<int:job_id>/", views.import_detail, name="import_detail"),
    path("<int:job_id>/progress/", views.import_progress, name="import_progress"),
    path("<int:job_id>/result/", views.import_result, name="import_result"),
]
