"""Migration 0009 builds the audit trail's indexes as a deploy needs: CONCURRENTLY on PostgreSQL
(outside a transaction, the trail writable meanwhile), plainly on SQLite; and undoes them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

NEW = {
    "audit_user_at",
    "audit_action_at",
    "audit_request_id",
    "audit_actor_upper",
    "audit_subject_upper",
}


def _indexes() -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "lookup_auditentry")
    return {name: info for name, info in found.items() if info["index"] and not info["primary_key"]}


def _single_column(indexes: dict[str, dict], column: str) -> list[str]:
    return [name for name, info in indexes.items() if info["columns"] == [column]]


def _migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("lookup", target)])


@pytest.mark.django_db(transaction=True)
def test_the_indexes_are_built_and_the_superseded_ones_dropped_both_ways():
    try:
        _migrate("0008_audit_password_set_action")
        before = _indexes()
        assert not NEW & set(before)
        assert _single_column(before, "actor") and _single_column(before, "action")

        _migrate("0009_audit_trail_indexes")
        after = _indexes()
        assert set(after) >= NEW
        # (action, at) and the UPPER indexes replace the single-column ones.
        for column in ("action", "actor", "subject"):
            assert _single_column(after, column) == []
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisvalid "
                    "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE i.indrelid = 'lookup_auditentry'::regclass"
                )
                definitions = {name: (sql, valid) for name, sql, valid in cursor.fetchall()}
            assert all(valid for _, valid in definitions.values())
            actor = definitions["audit_actor_upper"][0]
            # What `actor__istartswith` asks: UPPER(actor::text) LIKE 'AMELIA%', any collation.
            assert "upper((actor)::text) text_pattern_ops" in actor
    finally:
        # Back to the latest, whatever its name, as the other tests expect.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("lookup")[0][1])
