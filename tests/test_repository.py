"""Repository behaviour, run on moto and on dynalite (see the `directory` fixture)."""

from datetime import timedelta

import boto3
import pytest
from botocore.config import Config

from lookup.domain import CustomerNotFound, DirectoryUnavailable, LinkSource
from lookup.repository import PhoneDirectory
from tests import factories as f
from tests.conftest import count_requests

DESK = "+442079460018"
FAMILY = "+5511912345678"


def test_search_finds_every_kind_of_link_with_profiles(directory):
    owner, orderer, legacy = f.profile(name="Ana Souza"), f.profile(), f.profile()
    directory.records_put(
        profiles=[owner, orderer, legacy],
        links=[
            f.profile_link(owner.customer_id, FAMILY),
            f.order_link(owner.customer_id, FAMILY),
            f.order_link(orderer.customer_id, FAMILY),
            f.legacy_link(legacy.customer_id, FAMILY),
            f.order_link(orderer.customer_id, DESK),  # another number: not a match
        ],
    )

    page = directory.customers_by_phone(phone=FAMILY)

    assert page.total == 3
    by_id = {match.customer_id: match for match in page.matches}
    assert by_id[owner.customer_id].profile.name == "Ana Souza"
    assert by_id[owner.customer_id].sources == (LinkSource.PROFILE, LinkSource.ORDER)
    assert by_id[orderer.customer_id].sources == (LinkSource.ORDER,)
    assert by_id[legacy.customer_id].sources == (LinkSource.LEGACY,)
    assert all(link.phone == FAMILY for match in page.matches for link in match.links)


def test_search_for_an_unknown_number_is_empty(directory):
    page = directory.customers_by_phone(phone=DESK)
    assert (page.total, page.matches, page.num_pages) == (0, (), 1)


def test_profile_owners_come_first_then_most_recently_seen(directory):
    stale, recent, owner = f.profile(), f.profile(), f.profile()
    directory.records_put(
        profiles=[stale, recent, owner],
        links=[
            f.order_link(stale.customer_id, DESK, last_seen=f.NOW - timedelta(days=500)),
            f.order_link(recent.customer_id, DESK, last_seen=f.NOW - timedelta(days=1)),
            f.profile_link(owner.customer_id, DESK),
        ],
    )
    page = directory.customers_by_phone(phone=DESK)
    assert [m.customer_id for m in page.matches] == [
        owner.customer_id,
        recent.customer_id,
        stale.customer_id,
    ]


@pytest.mark.parametrize("matches", [1, 10, 100])
def test_search_is_two_requests_however_many_customers_match(directory, matches):
    customers = [f.profile() for _ in range(matches)]
    directory.records_put(
        profiles=customers,
        links=[f.order_link(c.customer_id, DESK) for c in customers]
        + [f.profile_link(c.customer_id, DESK) for c in customers[: matches // 2]],
    )
    with count_requests(directory) as log:
        page = directory.customers_by_phone(phone=DESK, page_size=100)
    assert len(page.matches) == matches
    assert all(match.profile is not None for match in page.matches)
    assert log.operations == ["Query", "BatchGetItem"]


def test_pages_cover_every_customer_exactly_once(directory):
    customers = [f.profile() for _ in range(130)]
    directory.records_put(
        profiles=customers, links=[f.order_link(c.customer_id, DESK) for c in customers]
    )
    seen = []
    for number in (1, 2, 3):
        page = directory.customers_by_phone(phone=DESK, page=number, page_size=50)
        assert page.total == 130 and page.num_pages == 3
        seen += [match.customer_id for match in page.matches]
    assert len(seen) == 130
    assert set(seen) == {c.customer_id for c in customers}
    past_the_end = directory.customers_by_phone(phone=DESK, page=9, page_size=50)
    assert past_the_end.page == 3


def test_throttled_profile_lookups_are_retried_until_complete(directory):
    customers = [f.profile() for _ in range(6)]
    directory.records_put(
        profiles=customers, links=[f.order_link(c.customer_id, DESK) for c in customers]
    )
    throttled = {"left": 2}

    def throttle_half(parsed, **kwargs):
        # What DynamoDB does under load: answer part of the batch, return the rest unprocessed.
        if throttled["left"] and parsed.get("Responses", {}).get(directory.table_name):
            throttled["left"] -= 1
            items = parsed["Responses"][directory.table_name]
            kept, deferred = items[: len(items) // 2], items[len(items) // 2 :]
            parsed["Responses"][directory.table_name] = kept
            parsed["UnprocessedKeys"] = {
                directory.table_name: {"Keys": [{"pk": i["pk"], "sk": i["sk"]} for i in deferred]}
            }

    directory.client.meta.events.register("after-call.dynamodb.BatchGetItem", throttle_half)
    page = directory.customers_by_phone(phone=DESK)
    assert throttled["left"] == 0
    assert sorted(m.profile.customer_id for m in page.matches) == sorted(
        c.customer_id for c in customers
    )


def test_customer_details_hold_profile_and_every_linked_number(directory):
    customer, other = f.profile(name="Bea Lima", country="br"), f.profile()
    directory.records_put(
        profiles=[customer, other],
        links=[
            f.profile_link(customer.customer_id, FAMILY, verified=False),
            f.order_link(customer.customer_id, DESK, recent_orders=f.recent("ord_9", "ord_8")),
            f.legacy_link(customer.customer_id, "+4930123456"),
            f.order_link(other.customer_id, "+4930999999"),
        ],
    )
    details = directory.customer_get(customer_id=customer.customer_id)
    assert details.profile.name == "Bea Lima"
    assert details.profile.country == "BR"
    assert {(link.phone, link.source) for link in details.links} == {
        (FAMILY, LinkSource.PROFILE),
        (DESK, LinkSource.ORDER),
        ("+4930123456", LinkSource.LEGACY),
    }
    order = next(link for link in details.links if link.source is LinkSource.ORDER)
    assert order.recent_order_ids == ("ord_9", "ord_8")
    assert order.order_count == 3
    assert order.first_seen < order.last_seen
    assert (
        next(link for link in details.links if link.source is LinkSource.PROFILE).verified is False
    )


def test_unknown_customer_is_not_found(directory):
    with pytest.raises(CustomerNotFound):
        directory.customer_get(customer_id="nobody")


def test_links_without_a_profile_are_still_shown(directory):
    directory.records_put(links=[f.order_link("ghost", DESK)])
    assert directory.customer_get(customer_id="ghost").profile is None
    [match] = directory.customers_by_phone(phone=DESK).matches
    assert (match.customer_id, match.profile) == ("ghost", None)


def test_items_written_by_other_services_with_missing_attributes_are_read(directory):
    client, table = directory.client, directory.table_name
    client.put_item(TableName=table, Item={"pk": {"S": "user#sparse"}, "sk": {"S": "profile"}})
    client.put_item(
        TableName=table,
        Item={
            "pk": {"S": "user#sparse"},
            "sk": {"S": f"phone#{DESK}"},
            "pk2": {"S": f"phone#{DESK}"},
            "sk2": {"S": "user#sparse"},
        },
    )
    client.put_item(
        TableName=table,
        Item={
            "pk": {"S": "phone_user#sparse"},
            "sk": {"S": "createdAt#not-a-date"},
            "pk2": {"S": f"phone#{DESK}"},
            "sk2": {"S": "createdAt#not-a-date"},
            "phoneNumber": {"S": DESK},
        },
    )
    details = directory.customer_get(customer_id="sparse")
    assert details.profile.name is None and details.profile.created_at is None
    assert {link.source for link in details.links} == {LinkSource.PROFILE, LinkSource.LEGACY}
    assert all(link.first_seen is None for link in details.links)
    assert directory.customers_by_phone(phone=DESK).matches[0].customer_id == "sparse"


def test_records_use_the_shared_key_schema_exactly(directory):
    directory.records_put(
        profiles=[f.profile("c1")],
        links=[
            f.profile_link("c1", DESK),
            f.order_link("c1", FAMILY),
            f.legacy_link("c1", "+4930123456", created=f.NOW),
        ],
    )
    rows = directory.client.scan(TableName=directory.table_name)["Items"]
    keys = {
        tuple(row.get(name, {}).get("S") for name in ("pk", "sk", "pk2", "sk2")) for row in rows
    }
    assert keys == {
        ("user#c1", "profile", None, None),
        ("user#c1", f"phone#{DESK}", f"phone#{DESK}", "user#c1"),
        ("phone_user#c1", f"phone#{FAMILY}", f"phone#{FAMILY}", "phone_user#c1"),
        (
            "phone_user#c1",
            "createdAt#2026-11-20T12:00:00Z",
            "phone#+4930123456",
            "createdAt#2026-11-20T12:00:00Z",
        ),
    }


def test_ensure_table_is_a_no_op_when_the_table_exists(directory):
    description = directory.client.describe_table(TableName=directory.table_name)["Table"]
    assert [i["IndexName"] for i in description["GlobalSecondaryIndexes"]] == [directory.index_name]
    assert directory.table_ensure() == []


def test_an_unreachable_dynamodb_is_reported_as_unavailable():
    client = boto3.client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:9",
        config=Config(connect_timeout=0.5, retries={"max_attempts": 1}),
    )
    broken = PhoneDirectory(client=client, table_name="phone-lookup", index_name="gsi1")
    with pytest.raises(DirectoryUnavailable):
        broken.customers_by_phone(phone=DESK)


def test_a_missing_table_is_unavailable_and_logged_as_an_error_not_an_outage(directory, caplog):
    misconfigured = PhoneDirectory(
        client=directory.client, table_name="no-such-table", index_name=directory.index_name
    )
    with pytest.raises(DirectoryUnavailable):
        misconfigured.customers_by_phone(phone=DESK)
    [record] = [r for r in caplog.records if "DynamoDB call" in r.getMessage()]
    assert record.levelname == "ERROR" and "ResourceNotFoundException" in record.getMessage()


def test_results_spread_over_several_query_pages_are_all_read(directory):
    directory.query_page_limit = 2  # DynamoDB pages at 1 MB; force it on a small partition
    customers = [f.profile() for _ in range(7)]
    directory.records_put(
        profiles=customers,
        links=[f.order_link(c.customer_id, DESK) for c in customers]
        + [f.profile_link(c.customer_id, DESK) for c in customers[:3]]
        + [f.order_link(customers[0].customer_id, f"+4477009000{n:02d}") for n in range(4)],
    )
    page = directory.customers_by_phone(phone=DESK)
    assert page.total == 7
    assert sum(len(match.links) for match in page.matches) == 10
    assert len(directory.customer_get(customer_id=customers[0].customer_id).links) == 6
