"""The errors the domain raises; views and the API turn each into a clear message."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lookup.domain.links import PhoneLink


class InvalidField(ValueError):
    """Input from outside cannot be used; `field` names it (a dotted path into an event, a
    query parameter) and `message` says why, for a person or a calling service."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DirectoryError(Exception):
    """Base of the errors reading or changing the phone directory raises."""


class DirectoryUnavailable(DirectoryError):
    """DynamoDB could not be reached or refused the request; try again later."""


class CustomerNotFound(DirectoryError):
    """No profile and no link exist for this customer id."""


class LinkNotFound(DirectoryError):
    """No order-derived link exists for this customer and number."""


class LinkRefused(DirectoryError):
    """An unlink or restore that cannot apply to the link as it is now (`link`)."""

    def __init__(self, link: "PhoneLink", message: str) -> None:
        super().__init__(message)
        self.link = link


class LinkAlreadyUnlinked(LinkRefused):
    """The link was unlinked already (by someone else, or by an earlier click)."""

    def __init__(self, link: "PhoneLink") -> None:
        super().__init__(link, f"{link.phone} is already unlinked from {link.customer_id}")


class LinkNotUnlinked(LinkRefused):
    """A restore was asked for a link that is live (restored already, or re-linked by an order)."""

    def __init__(self, link: "PhoneLink") -> None:
        super().__init__(link, f"{link.phone} is linked to {link.customer_id}")


class LinkChanged(LinkRefused):
    """The link changed since the page that asked for this change was shown."""

    def __init__(self, link: "PhoneLink") -> None:
        super().__init__(link, f"{link.phone} of {link.customer_id} changed meanwhile")


class WriteRefused(DirectoryError):
    """A conditional write found the item other than it expected (changed or written since it
    was read, or already there): nothing was written. Every write of the repository reports a
    refusal this way; services decide what it means. `current` is the link as it is now when
    the write read it (`current_known`; None then means it does not exist)."""

    def __init__(self, current: "PhoneLink | None" = None, *, current_known: bool = False) -> None:
        super().__init__("the item is not as the write expected")
        self.current = current
        self.current_known = current_known
