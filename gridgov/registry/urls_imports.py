"""Placeholder until its pages land; see registry/urls.py."""

urlpatterns: list = []
