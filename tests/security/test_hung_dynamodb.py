"""A hung DynamoDB costs one request, not the site.

gunicorn runs exactly as configured (gunicorn.conf.py: 2 gthread workers); dynalite is stopped
with SIGSTOP, so connections are accepted and never answered, the worst kind of outage.
"""

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.security.servers import dynalite, gunicorn

pytestmark = [pytest.mark.server, pytest.mark.database]

SEARCHES = 10


def timed_get(url: str, **kwargs) -> tuple[int, float]:
    started = time.monotonic()
    response = requests.get(url, timeout=30, allow_redirects=False, **kwargs)
    return response.status_code, time.monotonic() - started


def test_searches_give_up_within_seconds_and_other_pages_keep_answering(tmp_path):
    with (
        dynalite() as (endpoint, dynalite_process),
        gunicorn(tmp_path, dynamodb_endpoint=endpoint) as server,
    ):
        cookies = server.sign_in("agent").cookies
        search = f"{server.url}/?phone=%2B442079460018&country=GB"
        assert timed_get(search, cookies=cookies)[0] == 200

        dynalite_process.send_signal(signal.SIGSTOP)
        with ThreadPoolExecutor(max_workers=SEARCHES + 2) as pool:
            searches = [pool.submit(timed_get, search, cookies=cookies) for _ in range(SEARCHES)]
            time.sleep(0.3)  # the searches are now waiting on DynamoDB
            login = pool.submit(timed_get, f"{server.url}/login/")
            admin_login = pool.submit(timed_get, f"{server.url}/admin/login/")
            login_status, login_seconds = login.result()
            admin_status, admin_seconds = admin_login.result()
            results = [future.result() for future in searches]

        # The admin's login address leads to the tool's sign-in page: a redirect, answered at once.
        assert (login_status, admin_status) == (200, 302)
        assert login_seconds < 1.0 and admin_seconds < 1.0, (login_seconds, admin_seconds)
        assert [status for status, _ in results] == [503] * SEARCHES
        # Budget: two attempts of at most 0.6 s and a jittered backoff of up to 1 s, plus the page;
        # the margin is for the shared 2-core machine this runs on.
        seconds = sorted(round(s, 2) for _, s in results)
        slowest = seconds[-1]
        assert seconds[len(seconds) // 2] < 2.0 and slowest < 3.0, seconds
        print(
            f"login {login_seconds:.2f} s, admin {admin_seconds:.2f} s, searches <= {slowest:.2f} s"
        )

        dynalite_process.send_signal(signal.SIGCONT)
        assert timed_get(search, cookies=cookies)[0] == 200  # and back once DynamoDB is
