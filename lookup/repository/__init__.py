"""The DynamoDB repository: the only code that knows items, keys and boto3.

* `schema`: key builders, attribute names, the table's definition and `table_ensure`;
* `dynamo`: the client, error translation, paging, batch retries, conditional writes;
* `links` / `profiles`: small reads and single-item writes returning domain dataclasses;
* `tombstones`: unlinked links in their `unlinked#phone#` index partitions (a number's, for a
  lead's hint; the older ones moved there);
* `records`: plain writes as other services make them (demo data, tests).

It imports no rule module: what a write means is decided by `lookup.domain` and orchestrated
by `lookup.services`. Storage failures are raised as the domain's `DirectoryUnavailable`.
"""

from lookup.repository.dynamo import Table, get_table, table_available
from lookup.repository.links import LegacyRecord, LinkRepository
from lookup.repository.profiles import ProfileRepository
from lookup.repository.tombstones import TombstoneRepository


def get_links() -> LinkRepository:
    return LinkRepository(get_table())


def get_profiles() -> ProfileRepository:
    return ProfileRepository(get_table())


def get_tombstones() -> TombstoneRepository:
    return TombstoneRepository(get_table())


__all__ = [
    "LegacyRecord",
    "LinkRepository",
    "ProfileRepository",
    "Table",
    "TombstoneRepository",
    "get_links",
    "get_profiles",
    "get_tombstones",
    "get_table",
    "table_available",
]
