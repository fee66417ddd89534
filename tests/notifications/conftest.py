from __future__ import annotations

import pytest

from tests.notifications.fakes import AlwaysBusy, FakeServer


@pytest.fixture
def immediate_tasks(settings):
    # django-tasks drops its backends when TASKS changes (a setting_changed receiver).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def fake_server():
    server = FakeServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _default_notification_settings(settings):
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": "log", "webhook": None}
    settings.GRIDGOV_NOTIFY_LOG_SECRETS = False
    settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS = 5
    settings.GRIDGOV_NOTIFY_RETRY_SECONDS = 30
    AlwaysBusy.calls.clear()
