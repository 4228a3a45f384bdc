"""The rate counters (`access.rates`) when two processes count the same identity at once.

Each gunicorn worker counts in the shared database: the first request of a minute may find no
counter, and another worker may open it before this one does.
"""

from datetime import timedelta

from django.utils import timezone

from lookup.access import rates
from lookup.models import RateCounter


def test_a_request_racing_another_process_for_the_minutes_first_counter_is_counted_after_it(
    db, monkeypatch
):
    real_increment = rates._counter_increment
    calls = []

    def increment_while_another_worker_opens_the_window(key: str) -> int | None:
        count = real_increment(key)
        if not calls:
            # Between this worker's UPDATE (no row yet) and its INSERT, another worker's first
            # request of the minute inserts the counter.
            RateCounter.objects.create(
                key=key, count=1, expires_at=timezone.now() + timedelta(minutes=1)
            )
        calls.append(key)
        return count

    monkeypatch.setattr(
        rates, "_counter_increment", increment_while_another_worker_opens_the_window
    )

    decision = rates.rate_hit(scope="lookups", identity="user:7", limit=1)

    # The other worker's request was the one allowed: this one is the second and is refused.
    assert decision.count == 2
    assert not decision.allowed
    assert RateCounter.objects.get().count == 2
