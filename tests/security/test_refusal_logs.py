"""A refused request is one log line: no traceback for a 403, a foreign Host is a WARNING."""

import logging

import pytest
from django.conf import settings
from django.test import Client

from lookup.logs import PlainFormatter, RequestContextFilter


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(RequestContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def written():
    """What the console would print for each record of the request, as the plain format."""
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    plain = PlainFormatter(settings.LOGGING["formatters"]["plain"]["format"])
    yield lambda: [(record, plain.format(record)) for record in handler.records]
    root.removeHandler(handler)


def test_a_403_is_one_line_without_a_traceback(client, newcomer, written):
    client.force_login(newcomer)
    assert client.get("/").status_code == 403
    django_lines = [(r, text) for r, text in written() if r.name.startswith("django")]
    ((record, text),) = django_lines
    assert record.levelname == "WARNING"
    assert "Forbidden (Permission denied): /" in text
    assert "\n" not in text and "Traceback" not in text


def test_a_foreign_host_is_a_warning_without_a_traceback(db, written):
    response = Client().get("/", HTTP_HOST="scanner.example")
    assert response.status_code == 400
    ((record, text),) = [(r, t) for r, t in written() if r.name.startswith("django")]
    assert record.name == "django.security.DisallowedHost"
    assert record.levelno == logging.WARNING and " WARNING " in text
    assert "Invalid HTTP_HOST header: 'scanner.example'" in text
    assert "\n" not in text


def test_a_server_error_keeps_its_traceback(db, written, settings):
    # Only refusals lose the traceback: a 5xx needs it.
    settings.ROOT_URLCONF = "tests.security.test_request_logs"
    Client(raise_request_exception=False).get("/explode")
    (error,) = [r for r, _ in written() if r.name == "django.request"]
    assert error.levelno == logging.ERROR and error.exc_info
