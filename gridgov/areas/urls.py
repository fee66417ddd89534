from django.urls import path

from gridgov.areas import views

app_name = "areas"

urlpatterns = [
    path("", views.area_list, name="list"),
    path("<int:area_id>/", views.area_detail, name="detail"),
    path("map/", views.area_map, name="map"),
    path("map/data/", views.area_map_data, name="map_data"),
]
