from django.urls import path

from gridgov.party import views

app_name = "party"

urlpatterns = [path("", views.party_tree, name="tree")]
