from django.urls import path

from gridgov.areas import views, views_manage

app_name = "areas"

urlpatterns = [
    path("", views.area_list, name="list"),
    path("<int:area_id>/", views.area_detail, name="detail"),
    path("<int:area_id>/add/", views_manage.area_create_view, name="create"),
    path("<int:area_id>/edit/", views_manage.area_edit_view, name="edit"),
    path("<int:area_id>/move/", views_manage.area_move_view, name="move"),
    path("<int:area_id>/retire/", views_manage.area_retire_view, name="retire"),
    path("map/", views.area_map, name="map"),
    path("map/data/", views.area_map_data, name="map_data"),
]
