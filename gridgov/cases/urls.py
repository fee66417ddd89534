"""The workbench pages of the case loop, in the ``cases`` namespace (mounted at /cases/)."""

from django.urls import include, path

from gridgov.cases import views, views_lists, views_report

app_name = "cases"

urlpatterns = [
    path("", views_lists.case_list, name="list"),
    path("export.xlsx", views_lists.case_export, name="export"),
    path("todo/", views_lists.todo, name="todo"),
    path("dispatch/", views_lists.dispatch_console, name="dispatch"),
    path("desk/", views_lists.department_desk, name="desk"),
    path("new/", views_report.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.case_act, name="act"),
    # Figures and the monthly assessment report (owned by gridgov/cases/urls_kpis.py).
    path("kpis/", include("gridgov.cases.urls_kpis")),
]
