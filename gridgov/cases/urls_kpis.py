"""URLs of the figures page and the monthly assessment report.

No ``app_name`` here: the patterns take the namespace of whatever includes them. They belong in
``gridgov/cases/urls.py`` as ``path("kpis/", include("gridgov.cases.urls_kpis"))``, which makes
them ``cases:kpis`` and ``cases:kpis_report``. Until then gridgov/urls.py mounts them at
/cases/kpis/ without a namespace (a second "cases" namespace would hide one of the two from
``reverse``); ``views_kpis.kpi_url`` reverses them wherever they are mounted.
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
