"""The review queue page: a lead's list of links to review with their evidence, filtered by
reason, country and age; agents refused, anonymous sent to sign in, every look audited."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse

from lookup.models import AuditEntry, ReviewItem, ReviewScan
from lookup.services.review import review_numbers_refresh
from tests import factories as f
from tests.factories import NOW
from tests.lookups import store

UK = "+447946095812"
BR = "+5511912345678"
URL = reverse("lookup:review")


def _span(customer: str, phone: str, *, first: int, last: int, orders: int = 3):
    return f.order_link(
        customer,
        phone,
        first_seen=NOW - timedelta(days=first),
        last_seen=NOW - timedelta(days=last),
        order_count=orders,
    )


@pytest.fixture
def queue(moto_table, db):
    store(
        moto_table,
        profiles=[
            f.profile("cust-ana", name="Ana Old-Owner"),
            f.profile("cust-ben", name="Ben Newcomer"),
            f.profile("cust-caio", name="Caio Quiet", country="BR"),
        ],
        links=[
            _span("cust-ana", UK, first=700, last=200, orders=4),  # superseded by Ben
            _span("cust-ben", UK, first=100, last=2, orders=7),
            _span("cust-caio", BR, first=1500, last=800, orders=2),  # possibly stale
        ],
    )
    review_numbers_refresh(phones=[UK, BR])
    assert ReviewItem.objects.count() == 2


def _rows(response) -> list[str]:
    return [row.item.customer_id for row in response.context["review"].rows]


def test_a_lead_sees_each_link_to_review_with_its_evidence(lead_client, queue):
    response = lead_client.get(URL)

    assert response.status_code == 200
    assert _rows(response) == ["cust-ana", "cust-caio"]  # superseded first
    page = response.content.decode()
    assert "Ana Old-Owner" in page and "Caio Quiet" in page
    since = (NOW - timedelta(days=100)).strftime("%-d %b %Y")
    assert re.search(rf"Since <time[^>]*>{since}</time> this number is used by another", page)
    # The newer customer, named and linked, with their own evidence.
    assert "Ben Newcomer" in page
    assert reverse("lookup:customer", args=["cust-ben"]) in page
    assert reverse("lookup:customer", args=["cust-ana"]) in page
    # Each row carries the link's identity (the bulk unlink's selection reads it).
    ana = ReviewItem.objects.get(customer_id="cust-ana")
    assert (
        f'data-customer-id="cust-ana" data-phone="{UK}" data-legacy-id="" '
        f'data-version="{ana.version}"'
    ) in page
    counts = response.context["review"].counts
    assert counts == {"superseded": 1, "possibly_stale": 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"reason": "superseded"}, ["cust-ana"]),
        ({"reason": "possibly_stale"}, ["cust-caio"]),
        ({"country": "BR"}, ["cust-caio"]),
        ({"unseen_days": "500"}, ["cust-caio"]),
        (
            {"seen_before": (NOW - timedelta(days=150)).date().isoformat()},
            ["cust-ana", "cust-caio"],
        ),
        ({"seen_before": (NOW - timedelta(days=300)).date().isoformat()}, ["cust-caio"]),
    ],
)
def test_the_filters_narrow_the_queue(lead_client, queue, query, expected):
    response = lead_client.get(URL, query)

    assert _rows(response) == expected


def test_the_filter_reads_every_matching_row_for_a_bulk_action(queue):
    from lookup.review_filter import ReviewFilter

    chosen = ReviewFilter({"reason": "superseded"}, countries=["GB", "BR"])

    assert [row.customer_id for row in chosen.items()] == ["cust-ana"]


def test_a_bad_filter_value_is_named_and_the_rest_still_applies(lead_client, queue):
    response = lead_client.get(URL, {"unseen_days": "-3", "reason": "possibly_stale"})

    assert response.status_code == 200
    assert response.context["form"].errors["unseen_days"]
    assert _rows(response) == ["cust-caio"]


def test_every_look_at_the_queue_is_on_the_audit_trail(lead_client, lead, queue):
    lead_client.get(URL, {"reason": "superseded"})

    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVIEW_VIEWED)
    assert (entry.user, entry.result_count) == (lead, 1)
    assert "cust-ana" in entry.reason and "reason superseded" in entry.reason


def test_an_agent_is_refused(agent_client, queue):
    response = agent_client.get(URL)

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVIEW_VIEWED).exists()


def test_anonymous_is_sent_to_sign_in(client, queue):
    response = client.get(URL)

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_top_bar_offers_the_queue_to_leads_only(lead_client, agent_client, moto_table):
    assert URL in lead_client.get(reverse("lookup:search")).content.decode()
    assert URL not in agent_client.get(reverse("lookup:search")).content.decode()


def test_an_empty_queue_says_how_it_is_filled_and_when_it_was_last_scanned(lead_client, moto_table):
    page = lead_client.get(URL).content.decode()
    assert "No scan of the whole directory has filled it yet." in page
    assert "review_scan" in page

    ReviewScan.objects.create(
        started_at=NOW, finished_at=NOW, items=10, numbers=3, rows=0, consumed=1.0
    )
    page = lead_client.get(URL).content.decode()
    assert "The whole directory was last scanned" in page


@pytest.mark.parametrize(
    ("zone", "hour", "listed"),
    [
        # 01:00 UTC is 22:00 the day before in São Paulo: seen before the day there.
        ("America/Sao_Paulo", 1, True),
        # 20:00 UTC the day before is 05:00 on the day in Tokyo: not seen before it there.
        ("Asia/Tokyo", -4, False),
    ],
)
def test_last_seen_before_a_day_cuts_at_midnight_in_the_desks_time_zone(
    lead_client, moto_table, db, settings, zone, hour, listed
):
    settings.TIME_ZONE = zone
    day = (NOW - timedelta(days=500)).date()
    last_seen = datetime.combine(day, time(), UTC) + timedelta(hours=hour)
    store(
        moto_table,
        links=[f.order_link("cust-dora", UK, first_seen=last_seen, last_seen=last_seen)],
    )
    review_numbers_refresh(phones=[UK])

    response = lead_client.get(URL, {"seen_before": day.isoformat()})

    assert _rows(response) == (["cust-dora"] if listed else [])
