"""WSGI entry point for gunicorn (``gridgov serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

application = get_wsgi_application()
