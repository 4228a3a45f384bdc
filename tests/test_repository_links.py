"""Unlink and restore in the repository, on moto and dynalite: single-item conditional writes."""

import pytest

from lookup.domain import (
    LinkAlreadyUnlinked,
    LinkChange,
    LinkChanged,
    LinkNotFound,
    LinkNotUnlinked,
    LinkSource,
)
from lookup.evidence import OrderSeen
from tests import factories as f

DESK = "+442079460018"
BY_LEO = LinkChange(at=f.NOW, by="leo.lead", reason="Number reassigned")


@pytest.fixture
def sam(directory):
    customer = f.profile(name="Sam")
    directory.records_put(profiles=[customer], links=[f.order_link(customer.customer_id, DESK)])
    return customer.customer_id


def searchable(directory) -> list[str]:
    return [m.customer_id for m in directory.customers_by_phone(phone=DESK).matches]


def test_unlink_tombstones_the_link_and_keeps_its_evidence(directory, sam):
    link = directory.link_unlink(customer_id=sam, phone=DESK, change=BY_LEO)

    assert searchable(directory) == []
    assert link.unlink == BY_LEO and link.version == 1
    [kept] = directory.customer_get(customer_id=sam).links
    assert kept.unlink == BY_LEO
    assert kept.order_count == 3 and kept.recent_order_ids == ("ord_a1", "ord_a2", "ord_a3")
    raw = directory.client.get_item(
        TableName=directory.table_name,
        Key={"pk": {"S": f"phone_user#{sam}"}, "sk": {"S": f"phone#{DESK}"}},
    )["Item"]
    assert "pk2" not in raw and "sk2" not in raw
    assert raw["unlinkedBy"] == {"S": "leo.lead"}
    assert raw["unlinkReason"] == {"S": "Number reassigned"}


def test_a_second_unlink_is_refused_with_the_first_ones_details(directory, sam):
    directory.link_unlink(customer_id=sam, phone=DESK, expected_version=0, change=BY_LEO)
    other = LinkChange(at=f.NOW, by="lia.lead", reason="Wrong customer")
    with pytest.raises(LinkAlreadyUnlinked) as refused:
        directory.link_unlink(customer_id=sam, phone=DESK, expected_version=0, change=other)
    assert refused.value.link.unlink.by == "leo.lead"
    assert directory.link_get(customer_id=sam, phone=DESK).version == 1


def test_an_unlink_based_on_an_outdated_view_is_refused(directory, sam):
    directory.order_link_record(
        order=OrderSeen(
            order_id="ord_new", customer_id=sam, phone=DESK, country="GB", created_at=f.NOW
        )
    )
    with pytest.raises(LinkChanged) as refused:
        directory.link_unlink(customer_id=sam, phone=DESK, expected_version=0, change=BY_LEO)
    assert refused.value.link.version == 1
    assert searchable(directory) == [sam]


def test_unknown_links_cannot_be_unlinked_or_restored(directory, sam):
    with pytest.raises(LinkNotFound):
        directory.link_unlink(customer_id="nobody", phone=DESK, change=BY_LEO)
    with pytest.raises(LinkNotFound):
        directory.link_restore(customer_id="nobody", phone=DESK, change=BY_LEO)
    assert not directory.client.get_item(
        TableName=directory.table_name,
        Key={"pk": {"S": "phone_user#nobody"}, "sk": {"S": f"phone#{DESK}"}},
    ).get("Item")


def test_restore_puts_the_link_back_in_search(directory, sam):
    directory.link_unlink(customer_id=sam, phone=DESK, change=BY_LEO)
    restored = directory.link_restore(
        customer_id=sam,
        phone=DESK,
        expected_version=1,
        change=LinkChange(at=f.NOW, by="leo.lead", reason="Mistake"),
    )
    assert restored.is_active and restored.restore.reason == "Mistake"
    assert searchable(directory) == [sam]
    with pytest.raises(LinkNotUnlinked):
        directory.link_restore(customer_id=sam, phone=DESK, change=BY_LEO)


def test_legacy_records_unlink_and_restore_by_their_own_key(directory):
    created = f.NOW.replace(year=2023)
    directory.records_put(links=[f.legacy_link("old", DESK, created)])
    [legacy] = directory.customer_get(customer_id="old").links
    assert legacy.source is LinkSource.LEGACY

    directory.link_unlink(
        customer_id="old", phone=DESK, legacy_id=legacy.legacy_id, expected_version=0, change=BY_LEO
    )
    assert searchable(directory) == []
    directory.link_restore(
        customer_id="old", phone=DESK, legacy_id=legacy.legacy_id, expected_version=1, change=BY_LEO
    )
    assert searchable(directory) == ["old"]


def test_an_unlink_resent_after_a_lost_response_counts_as_done(directory, sam):
    resent = {"left": 1}

    def lose_first_response(attempts, **kwargs):
        # What botocore does when a response times out: send the same request again.
        if resent["left"]:
            resent["left"] -= 1
            return 0
        return None

    directory.client.meta.events.register_first(
        "needs-retry.dynamodb.UpdateItem", lose_first_response
    )
    link = directory.link_unlink(customer_id=sam, phone=DESK, expected_version=0, change=BY_LEO)

    assert resent["left"] == 0
    assert link.unlink == BY_LEO and link.version == 1
    assert searchable(directory) == []
