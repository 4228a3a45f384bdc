"""Liveness and readiness probes for load balancers and orchestrators.

* `/healthz`: the process answers. No dependency is touched, so a DynamoDB or database outage
  never makes an orchestrator restart healthy web processes.
* `/readyz`: the database and the DynamoDB table answer too, each within a couple of seconds;
  503 otherwise, naming which one failed (details go to the log, not to anonymous callers).

Readiness during a release (expand/contract migrations). The rule: a host is not ready while
the database lacks a migration *this code* ships (the schema is behind the code: pages could
fail on a missing table or column); migrations applied that this code does not know (the schema
is ahead: a newer release migrated first, or this is a rollback) do not matter. So a release
is deployed in this order, and every host passes /readyz throughout:

1. `manage.py migrate` with the new release, once, while the old hosts keep serving. Its
   migrations only expand (add tables, nullable or defaulted columns, indexes): the old code
   runs on the new schema, and stays ready (its own migrations are all applied).
2. Roll the hosts to the new code one by one: each is ready as soon as it starts.
3. What the new code no longer uses is removed (contract) by a migration of a *later* release,
   applied by that release's step 1, when no running code uses it any more.

A rollback to the previous release is step 2 with the old code, ready at once for the same
reason. The order "restart first, migrate after" would leave every restarted host unready
(schema behind its code) until the migration, so it is never needed and never documented.

Both are answered by a middleware placed first in MIDDLEWARE (see settings), before host
validation, HTTPS redirect, sessions, CSRF, authentication, audit and any rate limit: probes come
by the target's IP over plain HTTP, often, and must stay cheap.
"""

import json
import logging
from functools import cache

from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse

from lookup.repository import get_table, table_available

logger = logging.getLogger(__name__)

HEALTHZ_PATH = "/healthz"
READYZ_PATH = "/readyz"

# A database that needs longer than this for SELECT 1 is not ready to serve an agent.
DATABASE_TIMEOUT_MS = 2000


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz and /readyz (trailing slash or not) before anything else runs."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path == HEALTHZ_PATH:
            return _probe_answer(request, probe=health_live)
        if path == READYZ_PATH:
            return _probe_answer(request, probe=health_ready)
        return self.get_response(request)


def health_live() -> tuple[int, dict]:
    return 200, {"status": "ok"}


def health_ready() -> tuple[int, dict]:
    database = "unavailable"
    if database_reachable():
        database = "ok" if database_migrated() else "migrations pending"
    checks = {
        "database": database,
        "dynamodb": "ok" if directory_reachable() else "unavailable",
    }
    ready = all(state == "ok" for state in checks.values())
    return (200 if ready else 503), {"status": "ok" if ready else "unavailable", "checks": checks}


def database_reachable(*, timeout_ms: int = DATABASE_TIMEOUT_MS) -> bool:
    """Whether the relational database answers SELECT 1 (on PostgreSQL within `timeout_ms`).

    Connecting has its own limit: `connect_timeout` in DATABASE_URL (see .env.example).
    """
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with transaction.atomic():
                    # set_config(..., true): for this transaction only, whatever the binding.
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)]
                    )
                    cursor.execute("SELECT 1")
            else:
                cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Readiness: database unavailable: %s", exc)
        return False
    return True


def database_migrated() -> bool:
    """Whether every migration this code ships has been applied: a host started before
    `manage.py migrate` ran (a newer release than the database) is not ready; applied
    migrations this code does not ship (an older release than the database) are ignored."""
    try:
        applied = set(MigrationRecorder(connection).applied_migrations())
    except DatabaseError as exc:
        logger.warning("Readiness: cannot read the applied migrations: %s", exc)
        return False
    missing = _shipped_migrations() - applied
    if missing:
        logger.warning("Readiness: %d migrations not applied, e.g. %s", len(missing), min(missing))
    return not missing


@cache
def _shipped_migrations() -> frozenset[tuple[str, str]]:
    # Read from disk once per process: the code a process runs does not change under it.
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def directory_reachable() -> bool:
    """Whether the DynamoDB table answers a read (the directory's own short timeouts apply)."""
    available = table_available(get_table())
    if not available:
        logger.warning("Readiness: DynamoDB table unavailable")
    return available


def _probe_answer(request: HttpRequest, *, probe) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, HEAD"
        return response
    status, body = probe()
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if request.method == "HEAD":
        response.content = b""
    return response
