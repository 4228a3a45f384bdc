"""Shared fixtures: DynamoDB on moto in-process, or on a real dynalite server over HTTP.

The `directory` fixture is parametrized over both backends, so every repository test also runs
against dynalite (the contract tier, marker `dynalite`) and no moto leniency hides a bug.
"""

import importlib
import os
import socket
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from moto import mock_aws

from lookup import roles
from lookup.repository import PhoneDirectory, get_directory
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
DYNALITE = ROOT / "node_modules" / ".bin" / "dynalite"


_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def pytest_collection_modifyitems(items):
    """Mark browser tests and run them last: Playwright keeps an event loop running after them.

    Tests that use the relational database are marked `database`: the PostgreSQL tier
    (`make test-postgres`) runs exactly those a second time.
    """
    for item in items:
        if "browser" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.browser)
        if _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker(
            "django_db"
        ):
            item.add_marker(pytest.mark.database)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _stale_threshold_on_the_test_calendar(monkeypatch):
    """Test data is dated around factories.NOW; judge staleness from that day, not today's."""
    monkeypatch.setattr("lookup.selectors.utc_now", lambda: factories.NOW)


@pytest.fixture(autouse=True)
def _aws_test_environment(monkeypatch):
    """Fake credentials and no endpoint overrides, so nothing can reach a real AWS account."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in {"AWS_PROFILE", "AWS_SESSION_TOKEN"}:
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    get_directory.cache_clear()
    yield
    get_directory.cache_clear()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def dynalite_endpoint() -> Iterator[str]:
    """A dynalite server (in memory) for the whole session; missing dynalite is a failure."""
    if not DYNALITE.exists():
        pytest.fail("dynalite is not installed: run `npm ci` (make test does it).")
    port = _free_port()
    process = subprocess.Popen(
        [
            str(DYNALITE),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--createTableMs",
            "50",
            "--deleteTableMs",
            "0",
            "--updateTableMs",
            "50",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"dynalite did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@contextmanager
def _directory_on(backend: str, request, settings, monkeypatch) -> Iterator[PhoneDirectory]:
    settings.DYNAMODB_TABLE_NAME = f"phone-lookup-{uuid.uuid4().hex[:12]}"
    if backend == "moto":
        with mock_aws():
            get_directory.cache_clear()
            directory = get_directory()
            directory.table_ensure()
            yield directory
    else:
        monkeypatch.setenv(
            "AWS_ENDPOINT_URL_DYNAMODB", request.getfixturevalue("dynalite_endpoint")
        )
        get_directory.cache_clear()
        directory = get_directory()
        directory.table_ensure()
        try:
            yield directory
        finally:
            directory.client.delete_table(TableName=directory.table_name)
    get_directory.cache_clear()


@pytest.fixture(params=["moto", pytest.param("dynalite", marks=pytest.mark.dynalite)])
def directory(request, settings, monkeypatch) -> Iterator[PhoneDirectory]:
    """An empty table on each backend; the app's own `get_directory()` returns the same one."""
    with _directory_on(request.param, request, settings, monkeypatch) as directory:
        yield directory


@pytest.fixture
def moto_directory(request, settings, monkeypatch) -> Iterator[PhoneDirectory]:
    """An empty table on moto only, for view tests where the backend is not the point."""
    with _directory_on("moto", request, settings, monkeypatch) as directory:
        yield directory


@pytest.fixture
def dynalite_directory(request, settings, monkeypatch) -> Iterator[PhoneDirectory]:
    with _directory_on("dynalite", request, settings, monkeypatch) as directory:
        yield directory


class RequestLog:
    """The DynamoDB operations a client sent, in order."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def __call__(self, model, **kwargs) -> None:
        self.operations.append(model.name)

    @property
    def counts(self) -> Counter:
        return Counter(self.operations)


@contextmanager
def count_requests(directory: PhoneDirectory) -> Iterator[RequestLog]:
    log = RequestLog()
    events = directory.client.meta.events
    events.register("before-call.dynamodb", log)
    try:
        yield log
    finally:
        events.unregister("before-call.dynamodb", log)


# --- personas ------------------------------------------------------------------------------------
# Named people with the roles the data migration creates; tests read like the support floor.


def _person(username: str, *, role: str | None, is_staff: bool = False):
    user = get_user_model().objects.create_user(
        username, password=f"{username}-password-1", is_staff=is_staff
    )
    if role:
        if not Group.objects.filter(name=role).exists():
            # A transactional (browser) test flushed the tables; put the roles back as
            # `migrate` creates them.
            importlib.import_module("lookup.migrations.0002_roles").create_roles(apps, None)
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def agent(db):
    """Alice answers calls: she can search and view customers."""
    return _person("alice.agent", role=roles.SUPPORT_AGENT)


@pytest.fixture
def lead(db):
    """Leo leads a support team: he can also unlink and restore links."""
    return _person("leo.lead", role=roles.SUPPORT_LEAD)


@pytest.fixture
def admin_user(db):
    """Ada runs access control and reads the audit trail."""
    return _person("ada.admin", role=roles.ADMIN, is_staff=True)


@pytest.fixture
def newcomer(db):
    """Nina has an account but no role yet."""
    return _person("nina.newcomer", role=None)


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def agent_client(agent) -> Client:
    return _signed_in(agent)


@pytest.fixture
def lead_client(lead) -> Client:
    return _signed_in(lead)


@pytest.fixture
def admin_client_(admin_user) -> Client:
    """Signed in as Ada (an Admin by role, not a superuser like pytest-django's admin_client)."""
    return _signed_in(admin_user)
