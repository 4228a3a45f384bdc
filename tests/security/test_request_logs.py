"""Every log line of a request names it (request id, user); one access line per request; JSON."""

import json
import logging

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse

from lookup.error_pages import server_error
from lookup.logs import JsonFormatter, PlainFormatter, RequestContextFilter
from tests.api.conftest import UK_MOBILE

app_logger = logging.getLogger("lookup.test_view")


def chatty(request):
    app_logger.warning("looked at something")
    return HttpResponse("ok")


def explode(request):
    app_logger.info("about to fail")
    raise RuntimeError("boom")


urlpatterns = [
    path("chatty", chatty),
    path("explode", explode),
    path("api/v1/explode", explode),
]
handler500 = server_error


class Collect(logging.Handler):
    """What the console handler would get: records after the request-context filter."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(RequestContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def lines():
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(old_level)


@override_settings(ROOT_URLCONF="tests.security.test_request_logs")
def test_every_line_of_a_request_carries_its_id_and_user(agent_client, lines):
    response = agent_client.get("/chatty")
    request_id = response["X-Request-ID"]
    ours = [r for r in lines if r.name in ("lookup.test_view", "lookup.requests")]
    assert [r.name for r in ours] == ["lookup.test_view", "lookup.requests"]
    assert {(r.request_id, r.user) for r in ours} == {(request_id, "alice.agent")}
    access = ours[-1]
    assert (access.method, access.path, access.status) == ("GET", "/chatty", 200)
    assert access.duration_ms >= 0


@override_settings(ROOT_URLCONF="tests.security.test_request_logs")
def test_the_500_page_and_the_error_line_share_the_request_id(db, lines):
    response = Client(raise_request_exception=False).get("/explode")
    request_id = response["X-Request-ID"]
    assert response.status_code == 500
    assert f"quote reference <code>{request_id}</code>" in response.content.decode()
    error = next(r for r in lines if r.name == "django.request" and r.levelno == logging.ERROR)
    assert error.request_id == request_id and error.exc_info
    assert all(r.request_id == request_id for r in lines if r.name.startswith(("lookup", "django")))


@override_settings(ROOT_URLCONF="tests.security.test_request_logs")
def test_the_api_500_names_the_request_id(db):
    response = Client(raise_request_exception=False).get("/api/v1/explode")
    assert response["X-Request-ID"] in response.json()["error"]["message"]


def test_the_access_line_never_carries_the_query_string(agent_client, lines, moto_table):
    agent_client.get(reverse("lookup:search"), {"phone": "+447946095812", "country": "GB"})
    access = [r for r in lines if r.name == "lookup.requests"]
    assert access and all("7946" not in r.getMessage() for r in access)


def test_lines_outside_a_request_say_so(lines):
    app_logger.warning("from a management command")
    assert (lines[-1].request_id, lines[-1].user) == ("-", "-")


def test_json_lines_have_the_fields_log_collectors_need(agent_client, lines):
    agent_client.get(reverse("lookup:search"))
    access = next(r for r in lines if r.name == "lookup.requests")
    line = json.loads(JsonFormatter().format(access))
    assert line["level"] == "INFO" and line["logger"] == "lookup.requests"
    assert line["user"] == "alice.agent" and len(line["request_id"]) == 32
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00")
    assert line["message"].startswith("GET / 200 ")


def test_djangos_own_line_about_a_refused_request_carries_its_id_and_user(agent_client, lines):
    # Django writes "Not Found: /…" once the middleware has returned.
    response = agent_client.get("/no-such-page")
    assert response.status_code == 404
    line = next(r for r in lines if r.name == "django.request")
    assert line.getMessage() == "Not Found: /no-such-page"
    assert (line.request_id, line.user) == (response["X-Request-ID"], "alice.agent")


def test_a_path_cannot_write_a_forged_line_into_the_plain_log(db, lines):
    forged = "2026-11-29 17:09:00,000 INFO lookup.requests [x admin] POST /admin/ 200 1.0ms"
    Client().get(f"/x%0A{forged.replace(' ', '%20')}%0D%1B%00")
    plain = PlainFormatter(settings.LOGGING["formatters"]["plain"]["format"])
    text = "".join(plain.format(record) + "\n" for record in lines)

    assert not any(line.startswith(forged[:23]) for line in text.splitlines())
    access = next(plain.format(r) for r in lines if r.name == "lookup.requests")
    assert "/x\\x0a2026-11-29" in access and "\\x0d\\x1b\\x00" in access


def test_plain_lines_survive_hostile_text():
    record = logging.LogRecord("x", logging.WARNING, "", 0, "bad \ud800 value\n%s", ("\x00",), None)
    RequestContextFilter().filter(record)
    text = PlainFormatter("%(levelname)s [%(request_id)s] %(message)s").format(record)
    assert text == "WARNING [-] bad \\ud800 value\\x0a\\x00"
    assert text.encode("utf-8")


def test_json_lines_survive_hostile_text():
    record = logging.LogRecord("x", logging.WARNING, "", 0, "bad \ud800 value\n%s", ("\x00",), None)
    RequestContextFilter().filter(record)
    text = JsonFormatter().format(record)
    assert "\n" not in text
    assert text.encode("utf-8")  # no lone surrogate reaches the stream
    assert json.loads(text)["message"] == "bad \ud800 value\n\x00"


def test_log_format_json_is_a_setting():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent.parent
    code = (
        "import django, logging, os; os.environ['DJANGO_SETTINGS_MODULE']="
        "'supporttool.test_settings'; django.setup(); logging.getLogger('x').warning('hello')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={**os.environ, "LOG_FORMAT": "json", "DJANGO_ENV_FILE": os.devnull},
        capture_output=True,
        text=True,
        check=True,
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["message"], line["request_id"]) == ("hello", "-")


def test_an_api_calls_lines_name_the_client(client, helpdesk, moto_table, lines):
    response = client.get("/api/v1/customers", {"phone": UK_MOBILE}, headers=helpdesk.headers)
    [access] = [r for r in lines if r.name == "lookup.requests"]
    assert (access.status, access.user) == (200, "api:helpdesk-widget")
    assert access.request_id == response["X-Request-ID"]
