"""Writing records as the other services write them: the demo data and the tests' fixtures."""

from collections.abc import Iterable

from lookup.domain.links import CustomerProfile, PhoneLink
from lookup.domain.times import format_timestamp
from lookup.repository import schema
from lookup.repository.dynamo import Table, storage_errors_as_unavailable
from lookup.repository.items import link_to_item, profile_to_item


@storage_errors_as_unavailable
def records_put(
    *,
    table: Table,
    profiles: Iterable[CustomerProfile] = (),
    links: Iterable[PhoneLink] = (),
    design_links: Iterable[PhoneLink] = (),
) -> int:
    """Write profiles and links with plain batched puts; returns the number of items.

    `design_links` are order links written as the users service's existing code writes a
    UserPhoneLookUp: the keys, `cognitoId`, `phoneNumber` and the `createdAt` (the link's first
    seen) of the order that created it, nothing else.
    """
    items = [profile_to_item(profile) for profile in profiles]
    items += [link_to_item(link) for link in links]
    items += [
        {
            **schema.lookup_key(link.customer_id, link.phone),
            **schema.lookup_index_keys(link.customer_id, link.phone),
            schema.COGNITO_ID: link.customer_id,
            schema.PHONE_NUMBER: link.phone,
            schema.CREATED_AT: format_timestamp(link.first_seen),
        }
        for link in design_links
    ]
    table.batch_put(items)
    return len(items)
