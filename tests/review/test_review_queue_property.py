"""The issue's property: for any history of orders over a few numbers and customers, the queue
the ingestion path keeps and the queue a full scan builds from nothing are the same set, and
both are what the rule says of the links the history makes (a model built from the history
alone, not from storage)."""

import itertools
from collections import defaultdict
from datetime import timedelta

from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lookup.domain.links import LinkSource, PhoneLink
from lookup.domain.ranking import Freshness
from lookup.domain.review import number_review_entries
from lookup.models import ReviewItem
from lookup.services.ingestion import order_event_ingest
from tests.factories import NOW
from tests.ingestion.conftest import order_event
from tests.review.conftest import queued

_examples = itertools.count()
POLICY = Freshness.at(NOW, stale_after_days=365)

orders = st.lists(
    st.tuples(
        st.integers(0, 3),  # customer
        st.integers(0, 2),  # number
        st.integers(1, 900),  # days ago
    ),
    min_size=1,
    max_size=12,
)


def _model(history, *, customer_of, number_of) -> set:
    days = defaultdict(list)
    for customer, number, days_ago in history:
        days[(customer, number)].append(NOW - timedelta(days=days_ago))
    by_number = defaultdict(list)
    for (customer, number), moments in days.items():
        by_number[number].append(
            PhoneLink(
                customer_id=customer_of(customer),
                phone=number_of(number),
                source=LinkSource.ORDER,
                first_seen=min(moments),
                last_seen=max(moments),
                order_count=len(set(moments)),
            )
        )
    return {
        (entry.link.customer_id, entry.link.phone, "", entry.reason.value)
        for links in by_number.values()
        for entry in number_review_entries(number_links=links, freshness=POLICY)
    }


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=orders)
def test_the_worker_and_a_full_scan_keep_the_same_queue_as_the_model(
    moto_table, review_on, history
):
    example = next(_examples)
    ReviewItem.objects.all().delete()

    def customer_of(index: int) -> str:
        return f"cust-{example}-{index}"

    def number_of(index: int) -> str:
        return f"+4477009{example:03d}{index:02d}"

    for customer, number, days_ago in history:
        order_event_ingest(
            event=order_event(
                customer=customer_of(customer),
                phone=number_of(number),
                # Two orders on one day are one order delivered twice: same id, same moment.
                order_id=f"ord-{example}-{customer}-{number}-{days_ago}",
                created_at=NOW - timedelta(days=days_ago),
            )
        )
    after_worker = queued()

    ReviewItem.objects.all().delete()
    call_command("review_scan", "--no-progress", "--segments", "1", "--page-size", "7")
    # The scan reads the whole table, earlier examples' numbers too: compare this example's.
    after_scan = {row for row in queued() if row[0].startswith(f"cust-{example}-")}

    model = _model(history, customer_of=customer_of, number_of=number_of)
    assert after_worker == after_scan == model
