"""The stack under measurement: the app's environment, gunicorn as deployed, a signed-in agent.

dynalite and moto's SQS server come from `tests.servers` (one launcher for tests and bench).
The web tier is gunicorn with the project's `gunicorn.conf.py` and production settings (DEBUG
off, the whole middleware stack, audit on, INFO logging), with only what a loopback benchmark
needs changed: plain HTTP (no HTTPS redirect; in production TLS ends at the load balancer) and
a per-person rate limit too high to refuse anything (a benchmark makes hundreds of lookups a
minute as one agent), so that the counter is still kept and its cost measured.
"""

import http.client
import logging
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from tests.servers import ServerNotStarted, free_port

ROOT = Path(__file__).resolve().parent.parent
AGENT_USERNAME = "bench-agent"
AGENT_PASSWORD = secrets.token_urlsafe(16)


def app_environment(
    *, run_dir: Path, database_url: str, queue_url: str = "", sqs: str = ""
) -> dict[str, str]:
    """The variables every process of the app runs with in a benchmark (web, worker, harness).

    The DynamoDB endpoint and table are per phase (`table_environment`).
    """
    keep = {"PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT"}
    return {
        **{name: value for name, value in os.environ.items() if name in keep},
        "DJANGO_SETTINGS_MODULE": "supporttool.settings",
        "DJANGO_ENV_FILE": os.devnull,  # a developer's .env must not point this elsewhere
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(run_dir / "static"),
        "DATABASE_URL": database_url,
        # The per-person limit counts every lookup (its cost is measured) but never refuses
        # one: a benchmark agent makes hundreds a minute.
        "RATE_LIMIT_LOOKUPS_PER_MINUTE": "1000000",
        # Ingestion is measured as configured: with the first-link legacy check (the default,
        # until `migrate_legacy_lookups` has run) or without it (LEGACY_LOOKUPS_REMAIN=false).
        "LEGACY_LOOKUPS_REMAIN": os.environ.get("LEGACY_LOOKUPS_REMAIN", "true"),
        "LOG_LEVEL": "INFO",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL_SQS": sqs,
        "ORDER_EVENTS_QUEUE_URL": queue_url,
        # Required outside DJANGO_DEBUG; each phase names its own (`table_environment`).
        "DYNAMODB_TABLE_NAME": "phone-lookup-bench",
    }


def table_environment(*, endpoint: str, table: str) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL_DYNAMODB": endpoint, "DYNAMODB_TABLE_NAME": table}


def app_use_table(*, endpoint: str, table: str) -> None:
    """Point this process's app code (already set up) at another dynalite and table."""
    from django.conf import settings

    from lookup.repository import get_table

    os.environ.update(table_environment(endpoint=endpoint, table=table))
    settings.DYNAMODB_TABLE_NAME = table
    get_table.cache_clear()


def django_prepare(env: dict[str, str]) -> None:
    """Set up Django in this process with the benchmark's settings and a migrated database
    holding one support agent."""
    os.environ.update(env)
    import django

    django.setup()
    # This process only measures: its own INFO lines (a batch, an access line of the in-process
    # counts) would drown the report. The servers and the worker log as deployed.
    logging.disable(logging.INFO)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from lookup.access import roles

    Path(env["DJANGO_STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username=AGENT_USERNAME)
    user.set_password(AGENT_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=roles.SUPPORT_AGENT))


def bench_agent():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=AGENT_USERNAME)


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@dataclass
class WebServer:
    port: int
    process: subprocess.Popen

    def workers_cpu_seconds(self) -> float:
        """CPU time of gunicorn's worker processes (the master only supervises)."""
        return sum(process_cpu_seconds(pid) for pid in process_children(self.process.pid))


@contextmanager
def gunicorn_server(*, env: dict[str, str], log: Path) -> Iterator[WebServer]:
    """gunicorn with the project's gunicorn.conf.py (2 processes of 16 threads by default)."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(port, process, log)
            yield WebServer(port=port, process=process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:]
            raise ServerNotStarted(f"gunicorn did not start: {tail}")
        time.sleep(0.1)


class AgentBrowser:
    """One keep-alive HTTP connection with a signed-in agent's cookies, like a browser tab."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {
            "Host": "127.0.0.1",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: open another, once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, *, username: str = AGENT_USERNAME, password: str = AGENT_PASSWORD) -> None:
        """Through the login form, CSRF token and all, as a person signs in."""
        status, page = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: {status}")
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        )
        status, _ = self.request("POST", "/login/", body=form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in refused: {status}")

    def close(self) -> None:
        self.connection.close()
