"""WSGI entry point for gunicorn (``gridgov serve``); each worker process imports it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

application = get_wsgi_application()

from gridgov.core.loaded import freeze_loaded  # noqa: E402 (needs the settings loaded above)

freeze_loaded()
