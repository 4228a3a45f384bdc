"""Limits hold across processes: two gunicorn workers share one count (in the database).

Sync workers here, so that concurrent requests are spread over both processes (a busy sync
worker accepts nothing else); the access log shows which worker answered each request.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.security.servers import gunicorn, within_one_minute_window

pytestmark = [pytest.mark.server, pytest.mark.database]

TWO_PROCESSES = ("--worker-class", "sync", "--workers", "2")
SEARCH = "/?phone=%2B442079460018&country=GB"


def fire(requests_to_send, *, concurrency: int = 4) -> list[int]:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return [
            response.status_code for response in pool.map(lambda send: send(), requests_to_send)
        ]


@pytest.fixture(scope="module")
def server(tmp_path_factory, dynalite_endpoint):
    with gunicorn(
        tmp_path_factory.mktemp("shared-state"),
        dynamodb_endpoint=dynalite_endpoint,
        extra_args=TWO_PROCESSES,
        RATE_LIMIT_LOOKUPS_PER_MINUTE="6",
        LOGIN_FAILURE_LIMIT="3",
        RATE_LIMIT_API_CALLS_PER_MINUTE="5",
    ) as server:
        yield server


def test_the_lookup_limit_is_one_count_for_both_workers(server):
    cookies = server.sign_in("agent").cookies
    within_one_minute_window()
    server.access_log.write_text("")  # gunicorn appends: what follows is this burst's

    def search():
        # A new connection each time: either worker may take it.
        return requests.get(
            server.url + SEARCH, cookies=cookies, headers={"Connection": "close"}, timeout=10
        )

    statuses = fire([search] * 16)
    assert statuses.count(200) == 6  # per-process counting would have let up to 12 through
    assert statuses.count(429) == 10
    # Should one worker have taken the whole burst (the kernel's choice, under load), more
    # searches in the same minute until both answered: every one of them refused.
    for _ in range(40):
        if len(server.worker_pids()) == 2:
            break
        assert search().status_code == 429
    assert len(server.worker_pids()) == 2  # both processes answered


def test_a_lockout_on_one_worker_holds_on_the_other(server):
    server.access_log.write_text("")

    def wrong_password():
        return server.post_login(requests.Session(), "lead", "not-the-password")

    statuses = fire([wrong_password] * 6)
    assert statuses.count(429) >= 3  # the third failure locks, whichever worker saw it
    # The right password, on whichever worker: still locked. The kernel hands connections to
    # the workers as it likes (under load one may take a burst), so try until both answered.
    for attempt in range(40):
        right = server.post_login(requests.Session(), "lead", "server-test-password-1")
        assert right.status_code == 429
        if attempt >= 3 and len(server.worker_pids()) == 2:
            break
    assert len(server.worker_pids()) == 2  # both processes answered


def test_an_api_clients_limit_is_one_count_for_both_workers(server):
    key = server.manage(
        "shell",
        "-c",
        "from lookup.models import ApiClient\n"
        "c = ApiClient(name='helpdesk', scopes=['customers:read'])\n"
        "k = c.issue_key(); c.save(); print(k)",
    ).split()[-1]
    within_one_minute_window()
    server.access_log.write_text("")

    def call():
        return requests.get(
            f"{server.url}/api/v1/customers",
            params={"phone": "+442079460018", "region": "GB"},
            headers={"Authorization": f"Bearer {key}", "Connection": "close"},
            timeout=10,
        )

    statuses = fire([call] * 12)
    assert statuses.count(200) == 5
    assert statuses.count(429) == 7
    assert len(server.worker_pids()) == 2  # both processes answered
