"""A link's version: the repository's alone, checked one way and bumped by every write.

The domain never sets a version. A write that read the item first is conditioned on the
version it read (`version_condition`) and stores the next one (`version_after`); a write that
did not read it (an order added in one write, an unlink or restore as of no particular version)
adds one to whatever is stored (`version_bump`).
"""

from lookup.repository.dynamo import Condition, Update
from lookup.repository.schema import PK, VERSION


def version_condition(version: int | None) -> Condition:
    """The item is as it was read: absent (None), written before versions existed (0), or at
    the version read. Every read-then-write of this project is guarded by it."""
    if version is None:
        return Condition(f"attribute_not_exists({PK})")
    if version == 0:
        return Condition(f"attribute_exists({PK}) AND attribute_not_exists({VERSION})")
    return Condition(f"{VERSION} = :expected", {":expected": version})


def version_after(version: int | None) -> int:
    """The version a write conditioned on `version_condition(version)` stores."""
    return (version or 0) + 1


def version_bump(update: Update) -> Update:
    """Add one to the stored version (0 when absent) in the same UpdateItem."""
    stored = update.name(VERSION)
    return update.set_to(VERSION, f"if_not_exists({stored}, {update.value(0)}) + {update.value(1)}")
