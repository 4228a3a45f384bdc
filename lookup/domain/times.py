"""Moments as the table stores them (ISO 8601, UTC, to the second, `Z`) and as rules fold them."""

from collections.abc import Iterable
from datetime import UTC, datetime


def parse_timestamp(value: object) -> datetime | None:
    """Read a stored timestamp tolerantly: None for missing or unreadable values."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def earliest(*moments: datetime | None) -> datetime | None:
    """The earliest known moment; None when none is known."""
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None


def latest(*moments: datetime | None) -> datetime | None:
    """The latest known moment; None when none is known."""
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def latest_of(moments: Iterable[datetime | None]) -> datetime | None:
    return latest(*moments)
