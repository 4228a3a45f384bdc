"""Index changes that deploy on a live audit trail (docs/deploy.md, "Indexes on the audit trail").

On PostgreSQL an index is built with CREATE INDEX CONCURRENTLY and dropped with DROP INDEX
CONCURRENTLY, so the trail stays readable and writable while a migration runs for minutes on
tens of millions of entries; elsewhere (SQLite in development and in the tests) plainly, which
Django's own AddIndexConcurrently cannot do. Concurrent statements cannot run in a transaction:
a migration using these sets `atomic = False`.
"""

from django.db import NotSupportedError
from django.db.migrations.operations import AddIndex, AlterField


def _on_postgresql(schema_editor) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    if schema_editor.connection.in_atomic_block:
        raise NotSupportedError("Concurrent index changes need a migration with atomic = False.")
    return True


class AddIndexConcurrentlyPortable(AddIndex):
    """AddIndex, built CONCURRENTLY on PostgreSQL.

    `postgresql_columns`: the index's column list as PostgreSQL should build it, when it needs
    what the model's Index cannot say portably (`UPPER("actor") text_pattern_ops`: an operator
    class lets the index serve `LIKE 'AMELIA%'` whatever the database's collation); the model's
    state holds the plain index, and SQLite builds that.
    """

    def __init__(self, model_name, index, postgresql_columns=""):
        super().__init__(model_name, index)
        self.postgresql_columns = postgresql_columns

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        if self.postgresql_columns:
            kwargs["postgresql_columns"] = self.postgresql_columns
        return name, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if not self.postgresql_columns:
            schema_editor.add_index(model, self.index, concurrently=True)
            return
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY {quote(self.index.name)} "
            f"ON {quote(model._meta.db_table)} ({self.postgresql_columns})"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class FieldIndexRemoveConcurrently(AlterField):
    """AlterField taking a field's db_index away: on PostgreSQL its indexes (the plain one and
    the `_like` one Django adds to a text column) are dropped CONCURRENTLY."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        column = model._meta.get_field(self.name).column
        names = schema_editor._constraint_names(model, [column], index=True, primary_key=False)
        for name in sorted(names):
            schema_editor.execute(
                f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # AlterField's backwards runs its forwards with the states swapped: the index comes back
        # (plainly: undoing a deploy is not done under load).
        AlterField.database_forwards(self, app_label, schema_editor, from_state, to_state)
