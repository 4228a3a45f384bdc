"""ISO 8601 timestamps as the table stores them: UTC, second precision, `Z` suffix."""

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
