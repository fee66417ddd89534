"""Pages of residents, houses, landlords and tenancies, in the ``registry`` namespace (see
registry/urls.py): ``registry:resident_list``, ``registry:house_list``, ``registry:landlord_list``,
``registry:rental_list`` and their details and forms."""

from django.urls import path

from gridgov.registry import views_houses, views_people

urlpatterns = [
    path("residents/", views_people.resident_list, name="resident_list"),
    path("residents/new/", views_people.resident_create_view, name="resident_create"),
    path("residents/<int:pk>/", views_people.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views_people.resident_edit, name="resident_edit"),
    path(
        "residents/<int:pk>/move-out/",
        views_people.resident_move_out_view,
        name="resident_move_out",
    ),
    path("residents/<int:pk>/contacts/new/", views_people.contact_add, name="contact_add"),
    path(
        "residents/<int:pk>/contacts/<int:contact_pk>/remove/",
        views_people.contact_remove,
        name="contact_remove",
    ),
    path("houses/", views_houses.house_list_view, name="house_list"),
    path("houses/new/", views_houses.house_create_view, name="house_create"),
    path("houses/<int:pk>/", views_houses.house_detail, name="house_detail"),
    path("houses/<int:pk>/edit/", views_houses.house_edit, name="house_edit"),
    path("landlords/", views_houses.landlord_list_view, name="landlord_list"),
    path("landlords/<int:pk>/", views_houses.landlord_detail, name="landlord_detail"),
    path("tenancies/", views_houses.rental_list_view, name="rental_list"),
    path("tenancies/new/", views_houses.rental_create, name="rental_create"),
    path("tenancies/<int:pk>/end/", views_houses.rental_end_view, name="rental_end"),
]
