"""`order_event_ingest` on both backends: what an agent would later see for the events it got."""

from datetime import timedelta

import pytest

from lookup.domain import InvalidField, LinkChange
from lookup.domain.evidence import LinkOutcome
from lookup.services.ingestion import order_event_ingest
from tests import factories as f
from tests.factories import NOW
from tests.ingestion.conftest import order_event
from tests.lookups import links_of, search, store, stored_link, tombstone

PHONE = "+447946095812"


def link_of(table, customer="cust-ana", phone=PHONE):
    return stored_link(customer, phone)


def test_an_order_makes_its_dropoff_phone_find_the_customer(table):
    result = order_event_ingest(event=order_event(phone="07946 095812", country="GB"))

    assert result.outcome is LinkOutcome.CREATED
    page = search(PHONE)
    assert [match.customer_id for match in page.matches] == ["cust-ana"]
    link = link_of(table)
    assert link.first_seen == link.last_seen == NOW
    assert link.order_count == 1 and link.country == "GB"


def test_a_redelivered_event_changes_nothing(table):
    event = order_event(order_id="ord_1")
    order_event_ingest(event=event)
    before = link_of(table)

    assert order_event_ingest(event=event).outcome is LinkOutcome.ALREADY_RECORDED
    assert order_event_ingest(event=dict(event, id="evt_other")).outcome is (
        LinkOutcome.ALREADY_RECORDED
    )
    assert link_of(table) == before
    assert search(PHONE).total == 1


def test_an_older_event_arriving_late_keeps_first_and_last_seen_right(table):
    newer = order_event(order_id="ord_new", created_at=NOW)
    older = order_event(order_id="ord_old", created_at=NOW - timedelta(days=30))

    order_event_ingest(event=newer)
    assert order_event_ingest(event=older).outcome is LinkOutcome.UPDATED

    link = link_of(table)
    assert link.first_seen == NOW - timedelta(days=30)
    assert link.last_seen == NOW
    assert link.order_count == 2
    assert link.recent_order_ids == ("ord_new", "ord_old")  # newest first


def test_a_replay_after_an_unlink_does_not_resurrect_the_link(table):
    order_event_ingest(event=order_event(order_id="ord_1", created_at=NOW - timedelta(days=5)))
    tombstone(
        customer_id="cust-ana",
        phone=PHONE,
        change=LinkChange(at=NOW, by="leo.lead", reason="Reception desk, not hers"),
    )
    # A late delivery of an order placed before the unlink, new to the link or replayed.
    late = order_event(order_id="ord_2", created_at=NOW - timedelta(days=1))
    assert order_event_ingest(event=late).outcome is LinkOutcome.KEPT_UNLINKED
    replay = order_event(order_id="ord_1", created_at=NOW - timedelta(days=5))
    assert order_event_ingest(event=replay).outcome is LinkOutcome.ALREADY_RECORDED

    assert search(PHONE).total == 0
    assert link_of(table).unlink.reason == "Reception desk, not hers"


def test_an_order_placed_after_the_unlink_links_the_number_again(table):
    order_event_ingest(event=order_event(order_id="ord_1", created_at=NOW - timedelta(days=5)))
    tombstone(
        customer_id="cust-ana",
        phone=PHONE,
        change=LinkChange(at=NOW - timedelta(days=2), by="leo.lead", reason="Old number"),
    )

    newer = order_event(order_id="ord_2", created_at=NOW)
    assert order_event_ingest(event=newer).outcome is LinkOutcome.RELINKED

    assert [m.customer_id for m in search(PHONE).matches] == ["cust-ana"]
    link = link_of(table)
    assert link.is_active and link.last_seen == NOW
    assert link.restore.by == "order ord_2"


def legacy_unlink(table, legacy) -> None:
    """A lead unlinks a legacy record, two days ago."""
    tombstone(
        customer_id=legacy.customer_id,
        phone=legacy.phone,
        legacy_id=legacy.legacy_id,
        change=LinkChange(at=NOW - timedelta(days=2), by="leo.lead", reason="Number reassigned"),
    )


@pytest.mark.parametrize(
    "stored_as",
    [PHONE, "+44 7946 095812"],  # old code did not always store clean E.164
    ids=["e164", "unclean"],
)
def test_an_unlinked_legacy_record_is_not_brought_back_by_an_older_order(table, stored_as):
    # The number was only known from the old design's record, and a lead unlinked it there.
    store(table, links=[f.legacy_link("cust-ana", stored_as, NOW - timedelta(days=900))])
    [legacy] = links_of("cust-ana")
    legacy_unlink(table, legacy)

    backfilled = order_event(order_id="ord_old", created_at=NOW - timedelta(days=30))
    assert order_event_ingest(event=backfilled).outcome is LinkOutcome.KEPT_UNLINKED
    assert search(PHONE).total == 0

    fresh = order_event(order_id="ord_new", created_at=NOW)
    assert order_event_ingest(event=fresh).outcome is LinkOutcome.CREATED
    assert [m.customer_id for m in search(PHONE).matches] == ["cust-ana"]


def test_a_live_legacy_record_of_the_number_lets_an_older_order_link(table):
    store(
        table,
        links=[
            f.legacy_link("cust-ana", PHONE, NOW - timedelta(days=900)),
            f.legacy_link("cust-ana", PHONE, NOW - timedelta(days=800)),
        ],
    )
    older, _ = sorted(links_of("cust-ana"), key=lambda link: link.first_seen)
    legacy_unlink(table, older)

    backfilled = order_event(order_id="ord_old", created_at=NOW - timedelta(days=30))
    assert order_event_ingest(event=backfilled).outcome is LinkOutcome.CREATED
    assert link_of(table).is_active


def test_the_same_number_typed_differently_is_one_link(table):
    order_event_ingest(event=order_event(order_id="ord_1", phone="07946 095812", country="GB"))
    order_event_ingest(event=order_event(order_id="ord_2", phone="+44 7946 095812", country="FR"))
    order_event_ingest(event=order_event(order_id="ord_3", phone="0044 7946-095812", country="US"))

    assert link_of(table).order_count == 3
    assert search(PHONE).total == 1


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("call me maybe", "letters"),
        ("12", "too short"),
        ("+44 7946 0958 1234 5678", "too long"),
    ],
)
def test_an_unusable_phone_is_rejected_with_the_reason_and_writes_nothing(table, phone, reason):
    with pytest.raises(InvalidField) as caught:
        order_event_ingest(event=order_event(phone=phone))

    assert caught.value.field == "order.delivery.dropoff.phoneNumber"
    assert reason in caught.value.message
    assert table.client.scan(TableName=table.name)["Count"] == 0


def test_order_times_are_kept_in_utc_to_the_second_so_replays_are_not_counted_twice(table):
    from lookup.domain.evidence import MAX_RECENT_ORDERS

    first = order_event(order_id="ord_first", created_at=NOW - timedelta(days=60))
    first["order"]["createdAt"] = (NOW - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%S.750+00:00")
    order_event_ingest(event=first)
    assert link_of(table).first_seen == NOW - timedelta(days=60)

    for day in range(MAX_RECENT_ORDERS):  # pushes the first order out of the recent window
        order_event_ingest(
            event=order_event(order_id=f"ord_{day}", created_at=NOW - timedelta(days=day))
        )
    counted = link_of(table).order_count

    assert order_event_ingest(event=first).outcome is LinkOutcome.ALREADY_RECORDED
    assert link_of(table).order_count == counted == MAX_RECENT_ORDERS + 1


def test_a_time_with_an_offset_is_read_in_utc(table):
    event = order_event()
    event["order"]["createdAt"] = (NOW + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S+03:00")
    order_event_ingest(event=event)
    assert link_of(table).first_seen == NOW


@pytest.mark.parametrize(
    ("typed", "country", "stored_as"),
    [
        ("(11) 8765-4321", "BR", "+5511987654321"),  # an 8-digit mobile gains its ninth digit
        ("+52 1 55 1234 5678", "MX", "+525512345678"),  # the old mobile 1 goes
        ("+54 351 555-1234", "AR", "+543515551234"),  # both Argentine forms are valid: kept
        ("(11) 3333-4444", "BR", "+551133334444"),  # a landline: no ninth digit
    ],
)
def test_new_links_are_keyed_by_the_current_form_only_where_certain(
    table, typed, country, stored_as
):
    result = order_event_ingest(event=order_event(customer="cust-br", phone=typed, country=country))
    assert result.order.phone == stored_as
    assert [link.phone for link in links_of("cust-br")] == [stored_as]
