from django.urls import path

from gridgov.hotline import views

app_name = "hotline"

urlpatterns = [
    path("", views.new, name="new"),
    path("imports/", views.imports, name="imports"),
    path("imports/template/", views.template, name="template"),
    path("imports/<int:record_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:record_id>/result/", views.import_result, name="import_result"),
]
