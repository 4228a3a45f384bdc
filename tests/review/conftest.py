"""The review queue's tests: its ingestion hook on (the test settings turn it off for the
ingestion tests that run without the relational database)."""

import pytest

from lookup.models import ReviewItem


@pytest.fixture
def review_on(settings, db):
    settings.REVIEW_QUEUE_ON_INGEST = True


def queued() -> set[tuple[str, str, str, str]]:
    """The queue as (customer, number, legacy record, reason) rows."""
    return set(ReviewItem.objects.values_list("customer_id", "phone", "legacy_id", "reason"))
