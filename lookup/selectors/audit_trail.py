"""Features that read the audit trail as data. Reads only.

What they show lasts only as long as the trail keeps its entries (`prune_audit`,
AUDIT_RETENTION_DAYS): a pruned entry is a search no longer listed, an unlink no longer hinted.

`unlinked_of_number` is a stopgap: unlinked links are tombstones in DynamoDB, and the review
queue (issue 20) will find them there instead of through the trail's unlink entries.
"""

from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.base_user import AbstractBaseUser

from lookup.domain.pages import RecentSearch, SearchPage, UnlinkedLink
from lookup.models import AuditEntry
from lookup.phones import phone_from_e164
from lookup.repository import get_links

# A lead's search reads at most this many unlinked customers of the number (the newest unlinks).
UNLINKED_SHOWN = 10
_UNLINKED_READERS = 4


def unlinked_of_number(*, results: SearchPage) -> tuple[UnlinkedLink, ...]:
    """The unlinked links to a searched number (or its other forms), for a lead's hint.

    Unlinked links are out of the phone index by design, so no search finds them; the audit
    trail's unlink entries name the customers (one indexed query in the relational database),
    and each customer's profile and links are read (the customer page's two Queries, at most
    UNLINKED_SHOWN customers, a few at a time) to show only links still unlinked, with who, when
    and why as stored. An unlink made outside this tool (the older tool, another
    service) left no entry and is not listed, nor one whose entry was pruned. Costs nothing in
    DynamoDB when the trail has no unlink of the number.
    """
    phones = [results.number.e164, *(eq.e164 for eq in results.equivalents)]
    unlinked_ids = (
        AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK, phone__in=phones)
        .order_by("-at", "-id")
        .values_list("customer_id", flat=True)[: UNLINKED_SHOWN * 5]
    )
    customers = list(dict.fromkeys(unlinked_ids))[:UNLINKED_SHOWN]
    if not customers:
        return ()
    # Customers read concurrently: botocore's client is thread-safe, and no thread touches the
    # relational database.
    with ThreadPoolExecutor(max_workers=min(len(customers), _UNLINKED_READERS)) as pool:
        read = pool.map(
            lambda customer_id: get_links().links_of_customer(customer_id=customer_id), customers
        )
        stored = list(zip(customers, read, strict=True))
    found: list[UnlinkedLink] = []
    for customer_id, read_links in stored:
        profile = read_links.profile
        for link in read_links.links:
            if link.phone in phones and link.unlink is not None:
                found.append(
                    UnlinkedLink(
                        customer_id=customer_id,
                        name=profile.name if profile else None,
                        number=phone_from_e164(link.phone),
                        source=link.source,
                        change=link.unlink,
                    )
                )
    return tuple(found)


def searches_recent(*, user: AbstractBaseUser, limit: int = 10) -> tuple[RecentSearch, ...]:
    """The person's own last `limit` searched numbers, newest first, each number once: one
    query on the audit trail (its (user, action, time) index).

    Read from the trail's search entries, so it lists what the trail still holds: searches
    older than AUDIT_RETENTION_DAYS are gone once `prune_audit` has run, the newer ones stay."""
    entries = (
        AuditEntry.objects.filter(user=user, action=AuditEntry.Action.SEARCH)
        .order_by("-at", "-id")
        .values_list("phone", "result_count", "at")[: limit * 5]
    )
    recent: dict[str, RecentSearch] = {}
    for phone, customers, at in entries:
        if phone and phone not in recent and len(recent) < limit:
            recent[phone] = RecentSearch(number=phone_from_e164(phone), customers=customers, at=at)
    return tuple(recent.values())
