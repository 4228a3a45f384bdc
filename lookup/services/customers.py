"""Opening a customer: the customer page and the unlink/restore confirmations show customer
data, so each opening is recorded in the audit trail. The reads are the selectors'."""

from dataclasses import dataclass

from lookup.audit import AuditContext, audit_write
from lookup.domain.pages import CustomerDetails, LinkRow
from lookup.models import AuditEntry
from lookup.selectors.customers import customer_details, link_of_customer


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """A customer page as asked: whose, which page of numbers, the number searched."""

    customer_id: str
    # Unlinked numbers are history, for those who may restore them.
    include_unlinked: bool
    searched: str | None = None  # E.164: pinned first, highlighted
    page: int = 1


@dataclass(frozen=True, slots=True)
class LinkQuery:
    """One order-derived link of a customer: to `phone`, or the legacy record `legacy_id`."""

    customer_id: str
    phone: str
    legacy_id: str | None = None


def customer_open(*, query: CustomerQuery, audit: AuditContext) -> CustomerDetails:
    """`customer_details`, recorded in the audit trail once the customer is found."""
    details = customer_details(
        customer_id=query.customer_id,
        include_unlinked=query.include_unlinked,
        searched=query.searched,
        page=query.page,
    )
    audit_write(audit=audit, action=AuditEntry.Action.CUSTOMER_VIEW, customer_id=query.customer_id)
    return details


def link_open(
    *, query: LinkQuery, audit: AuditContext, page: str
) -> tuple[CustomerDetails, LinkRow] | None:
    """`link_of_customer` for a page that shows it (`page`: the unlink or restore confirmation,
    with the customer's name, id and orders), recorded in the audit trail as a view of the
    customer."""
    found = link_of_customer(
        customer_id=query.customer_id, phone=query.phone, legacy_id=query.legacy_id
    )
    if found is not None:
        audit_write(
            audit=audit,
            action=AuditEntry.Action.CUSTOMER_VIEW,
            customer_id=query.customer_id,
            phone=query.phone,
            reason=page,
        )
    return found
