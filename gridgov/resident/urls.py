"""Residents' phone pages, mounted at /m/ (namespace ``resident``)."""

from django.urls import path

from gridgov.resident import views_auth, views_mine, views_moderation, views_public, views_report

app_name = "resident"

urlpatterns = [
    path("", views_mine.home, name="home"),
    path("login/", views_auth.login_phone, name="login"),
    path("login/code/", views_auth.login_code, name="login_code"),
    path("report/", views_report.report, name="report"),
    path("report/suggest/", views_report.suggest_category, name="suggest"),
    path("report/nearby/", views_report.nearby, name="nearby"),
    path("report/thanks/<uuid:uid>/", views_report.thanks, name="thanks"),
    path("report/grids.json", views_report.grids_geojson, name="grids"),
    path("cases/<int:pk>/me-too/", views_report.me_too, name="me_too"),
    path("mine/", views_mine.mine, name="mine"),
    path("mine/<int:pk>/", views_mine.case, name="case"),
    path("mine/<int:pk>/rate/", views_mine.rate, name="rate"),
    path("mine/<int:pk>/reopen/", views_mine.reopen, name="reopen"),
    path("mine/<int:pk>/fixed/", views_mine.fixed, name="fixed"),
    path("photos/<int:attachment_id>/", views_mine.photo, name="photo"),
    path("public/", views_public.communities, name="public"),
    path("public/<int:pk>/", views_public.community, name="public_community"),
    path("public/<int:pk>/cases.geojson", views_public.community_geojson, name="public_geojson"),
    path("public/cases/<uuid:uid>/", views_public.public_case, name="public_case"),
    path("public/photos/<int:attachment_id>/", views_public.public_photo, name="public_photo"),
    path("moderate/cases/<int:pk>/hide/", views_moderation.case_hide, name="moderate_hide"),
    path(
        "moderate/photos/<int:attachment_id>/redact/",
        views_moderation.photo_redact,
        name="moderate_redact",
    ),
]
