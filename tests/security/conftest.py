"""Fixtures for the security tests: the API's machine personas, shared with tests/api."""

from tests.api.conftest import helpdesk, order_service, retired_service  # noqa: F401
