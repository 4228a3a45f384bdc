"""Request bodies sent with `Transfer-Encoding: chunked`, over HTTP to gunicorn as configured.

Many HTTP clients stream a body without a length; Django alone reads such a body as empty. The
server must read it, and refuse one over the size limit as it refuses a Content-Length one.
"""

import json
from collections.abc import Iterator

import pytest
import requests

from tests.api.conftest import order_event
from tests.security.servers import gunicorn

pytestmark = [pytest.mark.server, pytest.mark.database]

LINKS = "/api/v1/phone-links"
LIMIT = 2_621_440  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which the settings leave as it is


@pytest.fixture(scope="module")
def server(tmp_path_factory, dynalite_endpoint):
    with gunicorn(
        tmp_path_factory.mktemp("chunked"), dynamodb_endpoint=dynalite_endpoint
    ) as server:
        yield server


def _key(server, name: str, scope: str) -> str:
    return server.manage(
        "shell",
        "-c",
        "from lookup.models import ApiClient\n"
        f"c = ApiClient(name={name!r}, scopes=[{scope!r}])\n"
        "k = c.issue_key(); c.save(); print(k)",
    ).split()[-1]


def _chunks(body: bytes, size: int = 7) -> Iterator[bytes]:
    # A generator makes requests send the body chunked, with no Content-Length.
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _post(server, key: str, data) -> requests.Response:
    return requests.post(
        f"{server.url}{LINKS}",
        data=data,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        timeout=30,
    )


def test_a_chunked_order_event_is_accepted_and_links_the_number(server):
    writer = _key(server, "order-service", "links:write")
    reader = _key(server, "helpdesk", "customers:read")
    event = order_event(customerId="cust-streamed", id="ord_chunked_1")
    body = json.dumps(event).encode()

    sent = []

    def chunks():
        for chunk in _chunks(body):
            sent.append(chunk)
            yield chunk

    response = _post(server, writer, chunks())
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in response.request.headers
    assert len(sent) > 1
    assert response.status_code == 201, response.text
    assert response.json()["customerId"] == "cust-streamed"

    found = requests.get(
        f"{server.url}/api/v1/customers",
        params={"phone": "(11) 91234-5678", "region": "BR"},
        headers={"Authorization": f"Bearer {reader}"},
        timeout=10,
    )
    assert found.status_code == 200
    assert [c["customerId"] for c in found.json()["customers"]] == ["cust-streamed"]


def test_a_chunked_body_over_the_limit_is_refused_like_a_measured_one(server):
    writer = _key(server, "order-service-2", "links:write")
    huge = b'{"padding": "' + b"x" * LIMIT + b'"}'
    measured = _post(server, writer, huge)
    streamed = _post(server, writer, _chunks(huge, size=64 * 1024))
    assert streamed.request.headers.get("Transfer-Encoding") == "chunked"
    assert measured.status_code == streamed.status_code == 413
    assert streamed.json() == measured.json()
    assert streamed.json()["error"]["code"] == "too_large"

    # A body within the limit is read whole: the event itself then decides (not an order event).
    under = _post(server, writer, _chunks(b'{"padding": "' + b"x" * 1000 + b'"}', size=100))
    assert under.status_code == 400
    assert under.json()["error"]["field"] == "type"
