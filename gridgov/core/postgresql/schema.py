"""Django's PostgreSQL schema editor, without the ``LIKE`` index of exact-match columns.

Fields marked ``exact_match_only`` (``gridgov.core.fields.ExactCharField`` and the blind indexes)
are only compared whole, so their ``varchar_pattern_ops`` index would be written by every insert
and read by no query. A case report wrote four of them (the callback phone's and the follower's
blind indexes, the client key, the timeline entry's action): four of the 27 index entries it adds.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.backends.postgresql import schema


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def _create_like_index_sql(self, model: Any, field: Any) -> Any:
        if getattr(field, "exact_match_only", False):
            return None
        return super()._create_like_index_sql(model, field)


def _pattern_indexed(apps: Any, app_label: str) -> list[tuple[Any, Any]]:
    return [
        (model, field)
        for model in apps.get_app_config(app_label).get_models()
        for field in model._meta.local_fields
        if getattr(field, "exact_match_only", False) and (field.db_index or field.unique)
    ]


def drop_pattern_indexes(app_label: str) -> migrations.RunPython:
    """A migration step that drops the ``LIKE`` indexes an app's exact-match columns got before
    this backend left them out (databases created earlier); elsewhere it does nothing."""

    def forward(apps: Any, editor: Any) -> None:
        if editor.connection.vendor != "postgresql":
            return
        for model, field in _pattern_indexed(apps, app_label):
            name = editor._create_index_name(model._meta.db_table, [field.column], suffix="_like")
            editor.execute(editor._delete_index_sql(model, name))  # DROP INDEX IF EXISTS

    def backward(apps: Any, editor: Any) -> None:
        if editor.connection.vendor != "postgresql":
            return
        for model, field in _pattern_indexed(apps, app_label):
            editor.execute(schema.DatabaseSchemaEditor._create_like_index_sql(editor, model, field))

    return migrations.RunPython(forward, backward, elidable=True)
