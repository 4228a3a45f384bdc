"""A lead's hint at the unlinked links to a searched number, from the tombstones themselves.

The tombstones are read with the search's own Queries (`numbers.customers_of_number` with
`include_unlinked`), so the hint lasts as long as the tombstone, whoever wrote it and however
long ago: the audit trail's retention does not touch it. Who, when and why are the
tombstone's own attributes. Reads only.
"""

from collections.abc import Iterable, Mapping

from lookup.domain.links import CustomerProfile, PhoneLink
from lookup.domain.pages import UnlinkedLink
from lookup.phones import phone_from_e164

# A lead's search lists at most this many unlinked links of the number (the newest unlinks).
UNLINKED_SHOWN = 10


def unlinked_hinted(*, tombstones: Iterable[PhoneLink]) -> list[PhoneLink]:
    """The tombstones a hint lists: newest unlink first (unknown times last), at most
    UNLINKED_SHOWN, each link once."""
    unique = {
        (link.customer_id, link.phone, link.legacy_id): (link, link.unlink.at)
        for link in tombstones
        if link.unlink is not None
    }
    ordered = sorted(
        unique.values(),
        key=lambda entry: (entry[1] is not None, entry[1].timestamp() if entry[1] else 0.0),
        reverse=True,
    )
    return [link for link, _ in ordered[:UNLINKED_SHOWN]]


def unlinked_links(
    *, tombstones: Iterable[PhoneLink], profiles: Mapping[str, CustomerProfile]
) -> tuple[UnlinkedLink, ...]:
    """The hint's rows: each tombstone with its customer's name (None: no profile read)."""
    return tuple(
        UnlinkedLink(
            customer_id=link.customer_id,
            name=profile.name if (profile := profiles.get(link.customer_id)) else None,
            number=phone_from_e164(link.phone),
            source=link.source,
            change=link.unlink,
        )
        for link in tombstones
        if link.unlink is not None
    )
