"""Per-minute counters for the rate limits (`rate_limits`), in the relational database.

Every web process on every host counts against the same limit: the counters are rows of
`RateCounter` (one per identity and minute), incremented with a single UPDATE, which is atomic on
SQLite and PostgreSQL alike. Per-process memory would let two gunicorn workers each grant the
full limit.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from lookup.access.answers import retry_seconds
from lookup.models import RateCounter

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateDecision:
    """One request's place in its identity's current window."""

    count: int  # requests in this window, this one included
    limit: int
    resets_at: datetime

    @property
    def allowed(self) -> bool:
        return self.limit <= 0 or self.count <= self.limit

    @property
    def first_refusal(self) -> bool:
        """The one refusal per window worth an audit entry."""
        return self.limit > 0 and self.count == self.limit + 1

    def retry_after(self, *, now: datetime | None = None) -> int:
        """Whole seconds until the window ends (at least 1, as Retry-After wants)."""
        return retry_seconds(until=self.resets_at, now=now)


def rate_hit(
    *, scope: str, identity: str, limit: int, window: int = WINDOW_SECONDS
) -> RateDecision:
    """Count one request of `identity` in `scope` and say whether it is within `limit` for the
    current `window` (seconds)."""
    now = timezone.now()
    key, resets_at = _window_key(scope=scope, identity=identity, now=now, window=window)
    if limit <= 0:
        return RateDecision(count=0, limit=limit, resets_at=resets_at)
    count = _counter_increment(key)
    if count is None:  # the identity's first request of this window
        with transaction.atomic():
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, count=1, expires_at=resets_at)
                count = 1
            except IntegrityError:  # another process opened the window first
                count = _counter_increment(key)
            # Once per identity and minute: cheap, and keeps the table to the active windows.
            RateCounter.objects.filter(expires_at__lt=now).delete()
    return RateDecision(count=count or 1, limit=limit, resets_at=resets_at)


def _counter_increment(key: str) -> int | None:
    """Add one to the window's counter and read it back in one atomic statement (SQLite and
    PostgreSQL both return the row an UPDATE wrote): exactly this request's place, whoever
    counts at the same time. None when the window has no counter yet."""
    table, count, key_column = (
        connection.ops.quote_name(name) for name in (RateCounter._meta.db_table, "count", "key")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {count} = {count} + 1 WHERE {key_column} = %s "  # noqa: S608
            f"RETURNING {count}",
            [key],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def rate_peek(*, scope: str, identity: str, limit: int) -> RateDecision:
    """The window's count so far, without counting this request."""
    key, resets_at = _window_key(scope=scope, identity=identity, now=timezone.now())
    count = RateCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0
    return RateDecision(count=count, limit=limit, resets_at=resets_at)


def _window_key(
    *, scope: str, identity: str, now: datetime, window: int = WINDOW_SECONDS
) -> tuple[str, datetime]:
    number = int(now.timestamp()) // window
    resets_at = datetime.fromtimestamp((number + 1) * window, tz=UTC)
    # Identities are usernames, addresses and ids: hashed, so any of them fits the column.
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{scope}:{digest}:{number}", resets_at
