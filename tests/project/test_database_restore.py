"""The relational database's restore, rehearsed as docs/deploy.md tells operators: `pg_dump` of
the live database in custom format, `pg_restore` into a new, empty database, and the accounts,
their roles and the audit trail are all there. Runs in the PostgreSQL tier (make test-postgres,
bin/with-postgres's throwaway cluster); on SQLite there is nothing to rehearse."""

import importlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from lookup.access import roles
from lookup.models import AuditEntry


def postgres_tool(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}")) or [shutil.which(name)]
    assert found[-1], f"{name} not found: install Debian's postgresql"
    return str(found[-1])


def test_a_dump_restores_into_a_new_database_with_everything_in_it(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL tier only (make test-postgres)")
    if not Group.objects.filter(name=roles.SUPPORT_AGENT).exists():
        # An earlier transactional test flushed the tables: the roles as `migrate` makes them.
        importlib.import_module("lookup.migrations.0002_roles").create_roles(apps, None)
    agent = get_user_model().objects.create_user(username="alice.agent", password="pw-123456-x")
    agent.groups.add(Group.objects.get(name=roles.SUPPORT_AGENT))
    AuditEntry.objects.create(actor="alice.agent", user=agent, action=AuditEntry.Action.SEARCH)
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"]}
    server = ["--host", db["HOST"], "--port", str(db["PORT"]), "--username", db["USER"]]
    dump = tmp_path / "supporttool.dump"
    scratch = f"restore_drill_{uuid.uuid4().hex[:8]}"

    subprocess.run(
        [postgres_tool("pg_dump"), *server, "--format=custom", "--no-owner", "--file", dump,
         db["NAME"]],
        env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        subprocess.run(
            [postgres_tool("pg_restore"), *server, "--no-owner", "--exit-on-error",
             "--dbname", scratch, dump],
            env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        with psycopg.connect(
            host=db["HOST"],
            port=db["PORT"],
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=scratch,
        ) as restored:
            rows = restored.execute(
                "SELECT u.username, g.name, a.action FROM auth_user u "
                "JOIN auth_user_groups ug ON ug.user_id = u.id "
                "JOIN auth_group g ON g.id = ug.group_id "
                "JOIN lookup_auditentry a ON a.user_id = u.id"
            ).fetchall()
            migrations = restored.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')

    assert rows == [("alice.agent", roles.SUPPORT_AGENT, "search")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert migrations == cursor.fetchone()[0]
