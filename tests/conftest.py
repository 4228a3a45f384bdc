"""Shared fixtures: DynamoDB on moto in-process, or on a real dynalite server over HTTP.

The `table` fixture is parametrized over both backends, so every repository test also runs
against dynalite (the contract tier, marker `dynalite`) and no moto leniency hides a bug.
"""

import importlib
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import botocore.loaders
import botocore.session
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from moto import mock_aws
from moto.core.base_backend import BackendDict
from moto.core.model_instances import reset_model_data
from moto.core.models import MockAWS

from lookup.access import roles
from lookup.repository import Table, get_table
from lookup.repository.records import records_put
from lookup.repository.schema import table_definition, table_ensure
from tests import factories
from tests.servers import ServerNotStarted, dynalite_server

# Records every AWS call and the component making it, for the IAM proof (tests/infra).
pytest_plugins = ["tests.aws_recorder"]


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
    monkeypatch.setattr("lookup.selectors.policy.utc_now", lambda: factories.NOW)
    monkeypatch.setattr("lookup.services.links.utc_now", lambda: factories.NOW)


# Every boto3 client of the process reads botocore's service models from one loader.
# `dynamodb_client()` makes a new boto3 session per client, and each session's own loader parsed
# the JSON models again: 0.1 s of CPU for every test that gets a table (most of a view test's
# set-up). The models are read-only files, so sharing their parsed copy changes nothing a test
# sees; each test still gets its own mock, table, session, credentials and client.
_LOADERS: dict[str | None, botocore.loaders.Loader] = {}
_create_loader = botocore.session.create_loader


def _shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
    if search_path_string not in _LOADERS:
        _LOADERS[search_path_string] = _create_loader(search_path_string)
    return _LOADERS[search_path_string]


botocore.session.create_loader = _shared_loader


def pytest_collection_finish(session):
    """After `--collect-only`, load what the first moto table needs: `make mutants` forks each
    mutant's run from a process that only collected the tests, so each inherits it loaded."""
    if session.config.option.collectonly:
        with mock_aws():
            boto3.session.Session().client("dynamodb", region_name="eu-west-1").list_tables()


@pytest.fixture(autouse=True)
def _aws_test_environment(monkeypatch):
    """Fake credentials and no endpoint overrides, so nothing can reach a real AWS account."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in {"AWS_PROFILE", "AWS_SESSION_TOKEN"}:
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    get_table.cache_clear()
    yield
    get_table.cache_clear()


@pytest.fixture(scope="session")
def dynalite_endpoint() -> Iterator[str]:
    """A dynalite server (in memory) for the whole session; missing dynalite is a failure."""
    try:
        with dynalite_server() as endpoint:
            yield endpoint
    except ServerNotStarted as exc:
        pytest.fail(str(exc))


class _MotoAcrossTests:
    """One `mock_aws()` for a run of consecutive tests on a moto table, emptied before each.

    Starting and stopping moto for every test cost as much as the rest of a view test's
    set-up. Each test still starts from no AWS data at all (every service's, as a new
    `mock_aws()` would) and gets its own client and table; the mock is stopped before any test
    that asked for no moto table, so those run without moto as before.
    """

    mock: MockAWS | None = None

    @classmethod
    def emptied(cls) -> None:
        if cls.mock is None:
            cls.mock = mock_aws()
            cls.mock.start()
        else:
            BackendDict.reset()
            reset_model_data()

    @classmethod
    def stop(cls) -> None:
        if cls.mock is not None:
            cls.mock.stop()
            cls.mock = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    params = getattr(item, "callspec", None) and item.callspec.params
    if "moto_table" not in item.fixturenames and (params or {}).get("table") != "moto":
        _MotoAcrossTests.stop()


def pytest_sessionfinish(session):
    _MotoAcrossTests.stop()


@contextmanager
def _table_on(backend: str, request, settings, monkeypatch) -> Iterator[Table]:
    settings.DYNAMODB_TABLE_NAME = f"phone-lookup-{uuid.uuid4().hex[:12]}"
    if backend == "moto":
        _MotoAcrossTests.emptied()
        get_table.cache_clear()
        table = get_table()
        # moto creates a table ACTIVE: table_ensure's waiting is for real servers.
        table.client.create_table(
            **table_definition(table_name=table.name, index_name=table.index_name)
        )
        yield table
    else:
        monkeypatch.setenv(
            "AWS_ENDPOINT_URL_DYNAMODB", request.getfixturevalue("dynalite_endpoint")
        )
        get_table.cache_clear()
        table = get_table()
        table_ensure(table=table)
        try:
            yield table
        finally:
            table.client.delete_table(TableName=table.name)
    get_table.cache_clear()


@pytest.fixture(params=["moto", pytest.param("dynalite", marks=pytest.mark.dynalite)])
def table(request, settings, monkeypatch) -> Iterator[Table]:
    """An empty table on each backend; the app's own `get_table()` returns the same one."""
    with _table_on(request.param, request, settings, monkeypatch) as table:
        yield table


@pytest.fixture
def moto_table(request, settings, monkeypatch) -> Iterator[Table]:
    """An empty table on moto only, for view tests where the backend is not the point."""
    with _table_on("moto", request, settings, monkeypatch) as table:
        yield table


@pytest.fixture
def dynalite_table(request, settings, monkeypatch) -> Iterator[Table]:
    with _table_on("dynalite", request, settings, monkeypatch) as table:
        yield table


@pytest.fixture
def shared_number(moto_table):
    """Two customers on one UK mobile (`factories.UK_MOBILE`): Harry has it on his profile,
    Lucia typed it on her orders."""
    owner = factories.profile(name="Harry Evans", email="harry@example.com", country="GB")
    orderer = factories.profile(name="Lucia Pérez", email="lucia@example.com", country="MX")
    records_put(
        table=moto_table,
        profiles=[owner, orderer],
        links=[
            factories.profile_link(owner.customer_id, factories.UK_MOBILE),
            factories.order_link(orderer.customer_id, factories.UK_MOBILE),
        ],
    )
    return owner, orderer


class RequestLog:
    """The DynamoDB operations a client sent, in order."""

    def __init__(self) -> None:
        self.operations: list[str] = []
        self.numbers_queried: list[str] = []  # the phone index partitions Queries read

    def __call__(self, model, **kwargs) -> None:
        self.operations.append(model.name)

    def parameters_seen(self, params, model, **kwargs) -> None:
        partition = params.get("ExpressionAttributeValues", {}).get(":pk2", {})
        if model.name == "Query" and "S" in partition:
            self.numbers_queried.append(partition["S"].removeprefix("phone#"))

    @property
    def counts(self) -> Counter:
        return Counter(self.operations)


@contextmanager
def count_requests(table: Table) -> Iterator[RequestLog]:
    log = RequestLog()
    events = table.client.meta.events
    events.register("before-call.dynamodb", log)
    events.register("before-parameter-build.dynamodb", log.parameters_seen)
    try:
        yield log
    finally:
        events.unregister("before-call.dynamodb", log)
        events.unregister("before-parameter-build.dynamodb", log.parameters_seen)


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
