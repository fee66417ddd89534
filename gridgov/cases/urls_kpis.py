"""URLs of the figures page and the monthly assessment report.

No ``app_name`` here: gridgov/cases/urls.py includes these as ``path("kpis/", include(...))``,
which makes them ``cases:kpis`` and ``cases:kpis_report``.
"""

from django.urls import path, re_path

from gridgov.cases import views_kpis

urlpatterns = [
    path("", views_kpis.kpi_page, name="kpis"),
    re_path(
        r"^report/(?P<street_id>[0-9]+)/(?P<month>[0-9]{4}-[0-9]{2})\.(?P<fmt>xlsx|pdf)$",
        views_kpis.kpi_report,
        name="kpis_report",
    ),
]
