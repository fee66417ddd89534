from django.urls import path

from gridgov.workcalendar import views

app_name = "workcalendar"

urlpatterns = [
    path("", views.calendar_current, name="current"),
    path("<int:year>/", views.calendar_year, name="year"),
]
