"""The tool as it runs in production, for tests over HTTP: gunicorn with gunicorn.conf.py.

Its relational database is a SQLite file, or on the PostgreSQL tier (TEST_DATABASE_URL set) a
fresh PostgreSQL database, so that its workers share state the way production's do; DynamoDB is
a dynalite server. Everything listens on 127.0.0.1 on free ports and is stopped afterwards.
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent.parent
DYNALITE = ROOT / "node_modules" / ".bin" / "dynalite"
PASSWORD = "server-test-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[0]} exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listening on {port} after {timeout} s") from None
            time.sleep(0.05)


@contextmanager
def dynalite() -> Iterator[tuple[str, subprocess.Popen]]:
    """A dynalite server of this test's own (a test may stop it with SIGSTOP)."""
    port = free_port()
    process = subprocess.Popen(
        [str(DYNALITE), "--host", "127.0.0.1", "--port", str(port), "--createTableMs", "50"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def server_database(tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL for the server: a new PostgreSQL database on that tier, else SQLite."""
    test_url = os.environ.get("TEST_DATABASE_URL")
    if not test_url:
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    import psycopg

    name = f"server_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(test_url)
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Server:
    url: str
    env: dict[str, str]
    access_log: Path
    process: subprocess.Popen = field(repr=False)

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def sign_in(self, username: str, password: str = PASSWORD) -> requests.Session:
        """A browser session signed in through the login form (CSRF token and all)."""
        session = requests.Session()
        response = self.post_login(session, username, password)
        assert response.status_code == 302, response.status_code
        return session

    def post_login(
        self, session: requests.Session, username: str, password: str, path: str = "/login/"
    ) -> requests.Response:
        form = session.get(f"{self.url}{path}", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        return session.post(
            f"{self.url}{path}",
            data={"csrfmiddlewaretoken": token, "username": username, "password": password},
            headers={"Connection": "close"},
            allow_redirects=False,
            timeout=10,
        )

    def worker_pids(self) -> set[str]:
        """The gunicorn workers that answered so far (from the access log: pid first)."""
        return {line.split()[0] for line in self.access_log.read_text().splitlines() if line}


@contextmanager
def gunicorn(
    tmp_path: Path, *, dynamodb_endpoint: str, extra_args: tuple[str, ...] = (), **settings: str
) -> Iterator[Server]:
    """gunicorn with gunicorn.conf.py, migrated, with a table and accounts agent/lead/admin."""
    port = free_port()
    with server_database(tmp_path) as database_url:
        keep = {"PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT"}
        env = {
            **{k: v for k, v in os.environ.items() if k in keep},
            "DJANGO_ENV_FILE": os.devnull,
            "DJANGO_SETTINGS_MODULE": "supporttool.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
            "DATABASE_URL": database_url,
            "DYNAMODB_TABLE_NAME": f"phone-lookup-{uuid.uuid4().hex[:8]}",
            "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "LOCAL_DEMO": "true",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
            **settings,
        }
        server = Server(
            url=f"http://127.0.0.1:{port}",
            env=env,
            access_log=tmp_path / "access.log",
            process=None,  # type: ignore[arg-type]
        )
        server.manage("migrate", "--noinput", "--verbosity", "0")
        server.manage("ensure_table")
        server.manage("create_demo_users", "--password", PASSWORD)
        log = (tmp_path / "gunicorn.log").open("w")
        server.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "gunicorn.conf.py",
                "--access-logfile",
                str(server.access_log),
                "--access-logformat",
                "%(p)s %(s)s %(m)s %(U)s",
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, server.process)
            yield server
        finally:
            server.process.terminate()
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
            log.close()


def within_one_minute_window(seconds_needed: float = 20) -> None:
    """Per-minute limits reset on the minute: start a burst early enough in one."""
    second = time.time() % 60
    if second > 60 - seconds_needed:
        time.sleep(60 - second + 0.5)
