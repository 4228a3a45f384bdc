"""Features that read the audit trail as data. Reads only.

What they show lasts only as long as the trail keeps its entries (`prune_audit`,
AUDIT_RETENTION_DAYS): a pruned entry is a search no longer listed. (The unlinked hint reads
the tombstones in DynamoDB instead: `selectors.unlinked`.)
"""

from django.contrib.auth.base_user import AbstractBaseUser

from lookup.domain.pages import RecentSearch
from lookup.models import AuditEntry
from lookup.phones import phone_from_e164


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
