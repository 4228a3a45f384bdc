"""Whatever fails under /api/v1/, the caller reads the API's JSON error, never an HTML page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from supporttool.urls import handler403
from supporttool.urls import urlpatterns as site


def refuse(request):
    raise PermissionDenied


urlpatterns = [path("api/v1/refused", refuse), *site]
__all__ = ["handler403", "urlpatterns"]  # the site's own handler, for this test's URLs


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


def test_a_foreign_host_answers_json(db):
    response = Client().get("/api/v1/customers", HTTP_HOST="scanner.example")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "bad_request"
    assert "Host header" in error["message"] and "scanner.example" not in error["message"]


def test_a_foreign_host_on_a_page_still_answers_the_html_page(db):
    response = Client().get("/", HTTP_HOST="scanner.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/customers", "/api/"])
def test_unknown_paths_answer_json(db, path):
    response = Client().get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_wrong_method_answers_json(db):
    response = Client().put("/api/v1/customers")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_a_server_error_answers_json(db, settings):
    settings.ROOT_URLCONF = "tests.security.test_request_logs"
    response = Client(raise_request_exception=False).get("/api/v1/explode")
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"


def test_a_refusal_answers_json(db, settings):
    settings.ROOT_URLCONF = "tests.api.test_errors_are_json"
    response = Client().get("/api/v1/refused")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
