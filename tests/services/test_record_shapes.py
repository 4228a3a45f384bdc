"""Every item shape the tool reads, written raw as its writer writes it, through search, the
customer page, unlink, restore and the next order on that link (docs/architecture.md, "Every
item shape").

The users service's existing code writes a UserPhoneLookUp with only the design's keys,
`cognitoId`, `phoneNumber` and the `createdAt` of the order that created it: most of the table
on day one. Such a record is an ordinary current link, dated by that `createdAt`.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from lookup.domain import LinkChange
from lookup.domain.decisions import LinkDecision
from lookup.domain.evidence import LinkOutcome, OrderSeen
from lookup.domain.links import LinkSource
from lookup.domain.times import format_timestamp
from lookup.phones import phone_from_e164
from lookup.repository.dynamo import serialize
from lookup.selectors.numbers import customers_of_number
from lookup.services.ingestion import order_link_record
from tests import factories as f
from tests.lookups import decide, details, found, search, store, stored_link, tombstone

DESK = "+442079460018"
SEARCH = reverse("lookup:search")
WEEK_AGO = f.NOW - timedelta(days=7)
RESTORE = LinkDecision.RESTORE


def put_raw(table, item: dict) -> None:
    table.client.put_item(TableName=table.name, Item=serialize(item))


def raw_item(table, pk: str, sk: str) -> dict:
    return table.get({"pk": pk, "sk": sk})


def design_record(customer_id: str, phone: str = DESK, created=WEEK_AGO) -> dict:
    """A UserPhoneLookUp exactly as the design's record-creation endpoint writes it."""
    return {
        "pk": f"phone_user#{customer_id}",
        "sk": f"phone#{phone}",
        "pk2": f"phone#{phone}",
        "sk2": f"phone_user#{customer_id}",
        "cognitoId": customer_id,
        "phoneNumber": phone,
        "createdAt": format_timestamp(created),
    }


def order(customer_id: str, order_id: str, created) -> OrderSeen:
    return OrderSeen(
        order_id=order_id, customer_id=customer_id, phone=DESK, country="GB", created_at=created
    )


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


@pytest.fixture
def dana(table):
    """Dana's only link to the desk number is a design-shaped record from last week."""
    dana = f.profile("cust-dana", name="Dana Scully")
    store(table, profiles=[dana])
    put_raw(table, design_record(dana.customer_id))
    return dana


def test_a_design_record_is_a_current_order_link_dated_by_its_creation(dana):
    [link] = [row.link for row in details(dana.customer_id).links]
    assert link.source is LinkSource.ORDER
    assert (link.first_seen, link.last_seen, link.order_count) == (WEEK_AGO, WEEK_AGO, None)
    [match] = search(DESK).matches
    assert match.customer_id == dana.customer_id and not match.possibly_stale
    assert match.orders.last_at == WEEK_AGO


@pytest.mark.django_db
def test_a_design_record_ranks_among_current_customers_by_its_date(table, dana):
    older = f.profile("cust-older")
    store(
        table,
        profiles=[older],
        links=[f.order_link(older.customer_id, DESK, last_seen=f.NOW - timedelta(days=30))],
    )
    assert found(DESK) == [dana.customer_id, older.customer_id]


def test_a_single_design_record_match_opens_the_customer(agent_client, dana):
    response = agent_client.get(SEARCH, {"phone": "020 7946 0018", "country": "GB", "open": "1"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("lookup:customer", args=[dana.customer_id]))
    page = agent_client.get(response.url).content.decode()
    assert "possibly stale" not in page
    assert "13 Nov 2026" in page  # first and last seen: the record's createdAt


def test_a_design_record_is_unlinked_and_restored_keeping_what_its_writer_stored(
    table, lead_client, dana
):
    unlink = reverse("lookup:unlink", args=[dana.customer_id, DESK])
    response = lead_client.post(unlink, {"reason": "number_reassigned", "version": 0})
    assert response.status_code == 302
    assert found(DESK) == []
    item = raw_item(table, f"phone_user#{dana.customer_id}", f"phone#{DESK}")
    assert item["pk2"] == f"unlinked#phone#{DESK}"
    assert item["createdAt"] == format_timestamp(WEEK_AGO)

    restore = reverse("lookup:restore", args=[dana.customer_id, DESK])
    version = stored_link(dana.customer_id, DESK).version
    response = lead_client.post(restore, {"reason": "Unlinked by mistake", "version": version})
    assert response.status_code == 302
    assert found(DESK) == [dana.customer_id]


def test_the_next_order_upgrades_a_design_record_in_place(table, dana):
    assert order_link_record(
        order=order(dana.customer_id, "ord_new", f.NOW - timedelta(days=1))
    ) is (LinkOutcome.UPDATED)
    link = stored_link(dana.customer_id, DESK)
    assert (link.order_count, link.first_seen, link.last_seen) == (
        2,  # the order that created the record, and this one
        WEEK_AGO,
        f.NOW - timedelta(days=1),
    )
    item = raw_item(table, f"phone_user#{dana.customer_id}", f"phone#{DESK}")
    assert item["createdAt"] == format_timestamp(WEEK_AGO)  # the writer's attribute kept
    assert item["ordersMarked"] is True
    # The order that created the record, delivered now (a backfill), is not counted again.
    assert order_link_record(order=order(dana.customer_id, "ord_first", WEEK_AGO)) is (
        LinkOutcome.UPDATED
    )
    assert stored_link(dana.customer_id, DESK).order_count == 2
    # And the rest of its history newest first: each counted once.
    for days in (8, 9, 10):
        order_link_record(
            order=order(dana.customer_id, f"ord_{days}", f.NOW - timedelta(days=days))
        )
    for days in (10, 9, 8):
        order_link_record(
            order=order(dana.customer_id, f"ord_{days}", f.NOW - timedelta(days=days))
        )
    link = stored_link(dana.customer_id, DESK)
    assert (link.order_count, link.first_seen) == (5, f.NOW - timedelta(days=10))


def test_an_order_before_the_unlink_of_a_design_record_does_not_resurrect_it(table, dana):
    tombstone(
        customer_id=dana.customer_id,
        phone=DESK,
        change=LinkChange(at=f.NOW - timedelta(days=2), by="leo.lead", reason="Reassigned"),
    )
    outcome = order_link_record(order=order(dana.customer_id, "late", f.NOW - timedelta(days=3)))
    assert outcome is LinkOutcome.KEPT_UNLINKED
    assert found(DESK) == []
    outcome = order_link_record(order=order(dana.customer_id, "fresh", f.NOW - timedelta(days=1)))
    assert outcome is LinkOutcome.RELINKED
    assert found(DESK) == [dana.customer_id]
    assert stored_link(dana.customer_id, DESK).order_count == 3


def test_a_link_counted_by_earlier_code_keeps_its_count_when_upgraded(table):
    """This tool's own records from before order markers: count and recent orders known."""
    sam = f.profile("cust-sam")
    counted = f.order_link(
        sam.customer_id,
        DESK,
        order_count=14,
        last_seen=f.NOW - timedelta(days=10),
        recent_orders=f.recent(
            *(f"ord_{n}" for n in range(10)), last_seen=f.NOW - timedelta(days=10)
        ),
        version=9,
    )
    store(table, profiles=[sam], links=[counted])
    # A recent order redelivered, then a new one.
    order_link_record(order=order(sam.customer_id, "ord_3", f.NOW - timedelta(days=13)))
    assert stored_link(sam.customer_id, DESK).order_count == 14
    order_link_record(order=order(sam.customer_id, "ord_new", f.NOW - timedelta(days=1)))
    link = stored_link(sam.customer_id, DESK)
    assert (link.order_count, link.recent_order_ids[0]) == (15, "ord_new")


def test_a_legacy_record_and_a_profile_phone_through_search_and_the_next_order(table):
    """The legacy `createdAt#` record and the users service's profile phone stay what they are;
    an order on the number adds this tool's own link beside them."""
    lee = f.profile("cust-lee")
    store(
        table,
        profiles=[lee],
        links=[
            f.legacy_link(lee.customer_id, DESK, f.NOW - timedelta(days=20)),
            f.profile_link(lee.customer_id, DESK),
        ],
    )
    [match] = search(DESK).matches
    assert match.sources == (LinkSource.PROFILE, LinkSource.LEGACY)
    order_link_record(order=order(lee.customer_id, "ord_1", f.NOW - timedelta(days=1)))
    sources = sorted(row.link.source for row in details(lee.customer_id).links)
    assert sources == sorted([LinkSource.PROFILE, LinkSource.ORDER, LinkSource.LEGACY])
    assert stored_link(lee.customer_id, DESK).order_count == 1


def test_a_tombstone_any_writer_put_is_hinted_to_leads_and_restored_by_them(table, lead):
    """Another writer's tombstones, in the shape docs/architecture.md gives them: the record
    with its pk2 in the number's `unlinked#` partition and who, when and why."""
    crm, old = f.profile("cust-crm", name="Cora Rahm"), f.profile("cust-old", name="Olu Dede")
    store(table, profiles=[crm, old])
    put_raw(
        table,
        {
            **design_record(crm.customer_id),
            "pk2": f"unlinked#phone#{DESK}",
            "unlinkedAt": format_timestamp(f.NOW - timedelta(days=1)),
            "unlinkedBy": "crm-sync",
            "unlinkReason": "customer asked",
        },
    )
    created = format_timestamp(f.NOW - timedelta(days=400))
    put_raw(
        table,
        {
            "pk": f"phone_user#{old.customer_id}",
            "sk": f"createdAt#{created}",
            "pk2": f"unlinked#phone#{DESK}",
            "sk2": f"createdAt#{created}",
            "cognitoId": old.customer_id,
            "phoneNumber": DESK,
            "createdAt": created,
            "unlinkedAt": format_timestamp(f.NOW - timedelta(days=30)),
            "unlinkedBy": "old-tool",
        },
    )

    def hinted() -> list[tuple[str, str | None, str | None]]:
        page = customers_of_number(
            number=phone_from_e164(DESK), page_size=25, include_unlinked=True
        )
        return [(hint.customer_id, hint.name, hint.change.by) for hint in page.unlinked]

    assert found(DESK) == []  # no search finds a tombstone
    assert search(DESK).unlinked == ()  # nor shows it to an agent
    assert hinted() == [
        (crm.customer_id, "Cora Rahm", "crm-sync"),  # newest unlink first
        (old.customer_id, "Olu Dede", "old-tool"),
    ]

    decide(RESTORE, customer_id=crm.customer_id, phone=DESK, by=lead, reason="Still theirs")
    assert found(DESK) == [crm.customer_id]
    assert raw_item(table, f"phone_user#{crm.customer_id}", f"phone#{DESK}")["pk2"] == (
        f"phone#{DESK}"
    )
    assert hinted() == [(old.customer_id, "Olu Dede", "old-tool")]
    decide(
        RESTORE,
        customer_id=old.customer_id,
        phone=DESK,
        by=lead,
        reason="Still theirs",
        legacy_id=created,
    )
    assert sorted(found(DESK)) == sorted([crm.customer_id, old.customer_id])
    assert hinted() == []
