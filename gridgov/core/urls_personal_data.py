"""URLs of personal-data reveals and of the audit log, included into the ``core`` namespace:
``core:personal_data_reveal`` and ``core:audit_list``."""

from django.urls import path

from gridgov.core.views import audit, personal_data

urlpatterns = [
    path("personal-data/reveal/", personal_data.reveal, name="personal_data_reveal"),
    path("audit/", audit.audit_list, name="audit_list"),
]
