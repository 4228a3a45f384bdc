"""Reading the table: search and customer details through the repository, run on moto and on
dynalite (see the `table` fixture)."""

from datetime import timedelta

import boto3
import pytest
from botocore.config import Config

from lookup.domain import CustomerNotFound, DirectoryUnavailable, LinkSource
from lookup.repository import LinkRepository, Table
from lookup.repository.schema import table_ensure
from tests import factories as f
from tests.conftest import count_requests
from tests.lookups import details, links_of, search, store

DESK = "+442079460018"
FAMILY = "+5511912345678"


def test_search_finds_every_kind_of_link_with_profiles(table):
    owner, orderer, legacy = f.profile(name="Ana Souza"), f.profile(), f.profile()
    store(
        table,
        profiles=[owner, orderer, legacy],
        links=[
            f.profile_link(owner.customer_id, FAMILY),
            f.order_link(owner.customer_id, FAMILY),
            f.order_link(orderer.customer_id, FAMILY),
            f.legacy_link(legacy.customer_id, FAMILY),
            f.order_link(orderer.customer_id, DESK),  # another number: not a match
        ],
    )

    page = search(FAMILY)

    assert page.total == 3
    by_id = {match.customer_id: match for match in page.matches}
    assert by_id[owner.customer_id].profile.name == "Ana Souza"
    assert by_id[owner.customer_id].sources == (LinkSource.PROFILE, LinkSource.ORDER)
    assert by_id[orderer.customer_id].sources == (LinkSource.ORDER,)
    assert by_id[legacy.customer_id].sources == (LinkSource.LEGACY,)
    assert all(link.phone == FAMILY for match in page.matches for link in match.links)


def test_search_for_an_unknown_number_is_empty(table):
    page = search(DESK)
    assert (page.total, page.matches, page.num_pages) == (0, (), 1)


def test_profile_owners_come_first_then_most_recently_seen(table):
    stale, recent, owner = f.profile(), f.profile(), f.profile()
    store(
        table,
        profiles=[stale, recent, owner],
        links=[
            f.order_link(stale.customer_id, DESK, last_seen=f.NOW - timedelta(days=500)),
            f.order_link(recent.customer_id, DESK, last_seen=f.NOW - timedelta(days=1)),
            f.profile_link(owner.customer_id, DESK),
        ],
    )
    page = search(DESK)
    assert [m.customer_id for m in page.matches] == [
        owner.customer_id,
        recent.customer_id,
        stale.customer_id,
    ]


@pytest.mark.parametrize("matches", [1, 10, 100])
def test_search_is_two_requests_however_many_customers_match(table, matches):
    customers = [f.profile() for _ in range(matches)]
    store(
        table,
        profiles=customers,
        links=[f.order_link(c.customer_id, DESK) for c in customers]
        + [f.profile_link(c.customer_id, DESK) for c in customers[: matches // 2]],
    )
    with count_requests(table) as log:
        page = search(DESK, page_size=100)
    assert len(page.matches) == matches
    assert all(match.profile is not None for match in page.matches)
    assert log.operations == ["Query", "BatchGetItem"]


def test_pages_cover_every_customer_exactly_once(table):
    customers = [f.profile() for _ in range(130)]
    store(table, profiles=customers, links=[f.order_link(c.customer_id, DESK) for c in customers])
    seen = []
    for number in (1, 2, 3):
        page = search(DESK, page=number, page_size=50)
        assert page.total == 130 and page.num_pages == 3
        seen += [match.customer_id for match in page.matches]
    assert len(seen) == 130
    assert set(seen) == {c.customer_id for c in customers}
    past_the_end = search(DESK, page=9, page_size=50)
    assert past_the_end.page == 3


def test_throttled_profile_lookups_are_retried_until_complete(table):
    customers = [f.profile() for _ in range(6)]
    store(table, profiles=customers, links=[f.order_link(c.customer_id, DESK) for c in customers])
    throttled = {"left": 2}

    def throttle_half(parsed, **kwargs):
        # What DynamoDB does under load: answer part of the batch, return the rest unprocessed.
        if throttled["left"] and parsed.get("Responses", {}).get(table.name):
            throttled["left"] -= 1
            items = parsed["Responses"][table.name]
            kept, deferred = items[: len(items) // 2], items[len(items) // 2 :]
            parsed["Responses"][table.name] = kept
            parsed["UnprocessedKeys"] = {
                table.name: {"Keys": [{"pk": i["pk"], "sk": i["sk"]} for i in deferred]}
            }

    table.client.meta.events.register("after-call.dynamodb.BatchGetItem", throttle_half)
    page = search(DESK)
    assert throttled["left"] == 0
    assert sorted(m.profile.customer_id for m in page.matches) == sorted(
        c.customer_id for c in customers
    )


def test_customer_details_hold_profile_and_every_linked_number(table):
    customer, other = f.profile(name="Bea Lima", country="br"), f.profile()
    store(
        table,
        profiles=[customer, other],
        links=[
            f.profile_link(customer.customer_id, FAMILY, verified=False),
            f.order_link(customer.customer_id, DESK, recent_orders=f.recent("ord_9", "ord_8")),
            f.legacy_link(customer.customer_id, "+4930123456"),
            f.order_link(other.customer_id, "+4930999999"),
        ],
    )
    customer_page = details(customer.customer_id)
    assert customer_page.profile.name == "Bea Lima"
    assert customer_page.profile.country == "BR"
    linked = [row.link for row in customer_page.links]
    assert {(link.phone, link.source) for link in linked} == {
        (FAMILY, LinkSource.PROFILE),
        (DESK, LinkSource.ORDER),
        ("+4930123456", LinkSource.LEGACY),
    }
    order = next(link for link in linked if link.source is LinkSource.ORDER)
    assert order.recent_order_ids == ("ord_9", "ord_8")
    assert order.order_count == 3
    assert order.first_seen < order.last_seen
    assert next(link for link in linked if link.source is LinkSource.PROFILE).verified is False


def test_unknown_customer_is_not_found(table):
    with pytest.raises(CustomerNotFound):
        details("nobody")


def test_links_without_a_profile_are_still_shown(table):
    store(table, links=[f.order_link("ghost", DESK)])
    assert details("ghost").profile is None
    [match] = search(DESK).matches
    assert (match.customer_id, match.profile) == ("ghost", None)


def test_items_written_by_other_services_with_missing_attributes_are_read(table):
    client, name = table.client, table.name
    client.put_item(TableName=name, Item={"pk": {"S": "user#sparse"}, "sk": {"S": "profile"}})
    client.put_item(
        TableName=name,
        Item={
            "pk": {"S": "user#sparse"},
            "sk": {"S": f"phone#{DESK}"},
            "pk2": {"S": f"phone#{DESK}"},
            "sk2": {"S": "user#sparse"},
        },
    )
    client.put_item(
        TableName=name,
        Item={
            "pk": {"S": "phone_user#sparse"},
            "sk": {"S": "createdAt#not-a-date"},
            "pk2": {"S": f"phone#{DESK}"},
            "sk2": {"S": "createdAt#not-a-date"},
            "phoneNumber": {"S": DESK},
        },
    )
    sparse = details("sparse")
    assert sparse.profile.name is None and sparse.profile.created_at is None
    assert {row.link.source for row in sparse.links} == {LinkSource.PROFILE, LinkSource.LEGACY}
    assert all(row.link.first_seen is None for row in sparse.links)
    assert search(DESK).matches[0].customer_id == "sparse"


def test_records_use_the_shared_key_schema_exactly(table):
    store(
        table,
        profiles=[f.profile("c1")],
        links=[
            f.profile_link("c1", DESK),
            f.order_link("c1", FAMILY),
            f.legacy_link("c1", "+4930123456", created=f.NOW),
        ],
    )
    rows = table.client.scan(TableName=table.name)["Items"]
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


def test_ensure_table_is_a_no_op_when_the_table_exists(table):
    description = table.client.describe_table(TableName=table.name)["Table"]
    assert [i["IndexName"] for i in description["GlobalSecondaryIndexes"]] == [table.index_name]
    assert table_ensure(table=table) == []


def test_an_unreachable_dynamodb_is_reported_as_unavailable():
    client = boto3.client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:9",
        config=Config(connect_timeout=0.5, retries={"max_attempts": 1}),
    )
    broken = LinkRepository(Table(client=client, name="phone-lookup", index_name="gsi1"))
    with pytest.raises(DirectoryUnavailable):
        broken.links_of_number(phone=DESK)


def test_a_missing_table_is_unavailable_and_logged_as_an_error_not_an_outage(table, caplog):
    misconfigured = LinkRepository(
        Table(client=table.client, name="no-such-table", index_name=table.index_name)
    )
    with pytest.raises(DirectoryUnavailable):
        misconfigured.links_of_number(phone=DESK)
    [record] = [r for r in caplog.records if "DynamoDB call" in r.getMessage()]
    assert record.levelname == "ERROR" and "ResourceNotFoundException" in record.getMessage()


def test_results_spread_over_several_query_pages_are_all_read(table):
    table.query_page_limit = 2  # DynamoDB pages at 1 MB; force it on a small partition
    customers = [f.profile() for _ in range(7)]
    store(
        table,
        profiles=customers,
        links=[f.order_link(c.customer_id, DESK) for c in customers]
        + [f.profile_link(c.customer_id, DESK) for c in customers[:3]]
        + [f.order_link(customers[0].customer_id, f"+4477009000{n:02d}") for n in range(4)],
    )
    page = search(DESK)
    assert page.total == 7
    assert sum(len(match.links) for match in page.matches) == 10
    assert len(links_of(customers[0].customer_id)) == 6


def test_a_number_and_its_other_form_are_searched_together_in_three_requests(table):
    new_form, old_form = "+5511987654321", "+551187654321"  # the ninth digit and before it
    ana, bruno = f.profile(name="Ana"), f.profile(name="Bruno")
    store(
        table,
        profiles=[ana, bruno],
        links=[
            f.profile_link(ana.customer_id, new_form),
            f.order_link(bruno.customer_id, old_form),
        ],
    )
    with count_requests(table) as log:
        page = search(new_form)
    assert log.counts == {"Query": 2, "BatchGetItem": 1}
    assert sorted(log.numbers_queried) == sorted([new_form, old_form])
    by_id = {match.customer_id: match for match in page.matches}
    assert by_id[ana.customer_id].matched_as == ()
    [via] = by_id[bruno.customer_id].matched_as
    assert (via.e164, via.label) == (old_form, "the number before the ninth digit")
    assert [eq.e164 for eq in page.equivalents] == [old_form]


def test_a_search_reads_each_links_newest_order_only(table):
    busy = f.profile()
    orders = f.recent(*(f"ord_{n}" for n in range(10)))  # newest first
    store(
        table, profiles=[busy], links=[f.order_link(busy.customer_id, DESK, recent_orders=orders)]
    )

    [link] = LinkRepository(table).links_of_number(phone=DESK)

    assert link.recent_order_ids == ("ord_0",)  # the rest of the list is never sent
    assert (link.order_count, link.last_seen) == (3, f.NOW - timedelta(days=10))
    [match] = search(DESK).matches
    assert match.orders.last_id == "ord_0"
