"""Writing records as the other services write them: the demo data and the tests' fixtures."""

from collections.abc import Iterable

from lookup.domain.links import CustomerProfile, PhoneLink
from lookup.repository.dynamo import Table, storage_errors_as_unavailable
from lookup.repository.items import link_to_item, profile_to_item


@storage_errors_as_unavailable
def records_put(
    *, table: Table, profiles: Iterable[CustomerProfile] = (), links: Iterable[PhoneLink] = ()
) -> int:
    """Write profiles and links with plain batched puts; returns the number of items."""
    items = [profile_to_item(profile) for profile in profiles]
    items += [link_to_item(link) for link in links]
    table.batch_put(items)
    return len(items)
