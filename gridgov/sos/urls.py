from django.urls import path

from gridgov.sos import views, views_device

app_name = "sos"

urlpatterns = [
    path("", views.button, name="button"),
    path("press/", views.press, name="press"),
    path("status/<uuid:uid>/", views.status, name="status"),
    path("device/press/", views_device.press, name="device_press"),
    path("console/", views.console, name="console"),
    path("console/residents/<int:resident_id>/device/", views.device_new, name="device_new"),
    path("console/devices/<uuid:uid>/revoke/", views.device_revoke_view, name="device_revoke"),
    path("console/duty/", views.duty, name="duty"),
    path("console/duty/<int:shift_id>/delete/", views.duty_delete, name="duty_delete"),
]
