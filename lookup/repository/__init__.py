"""The DynamoDB repository: the only code that knows items, keys and boto3.

Everything it returns is a domain dataclass from `lookup.domain`; storage failures are raised as
`DirectoryUnavailable`.
"""

from lookup.repository.directory import PhoneDirectory, get_directory

__all__ = ["PhoneDirectory", "get_directory"]
