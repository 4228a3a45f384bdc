"""An unexpected error is JSON for API callers and the HTML page for people."""

from django.test import Client, override_settings
from django.urls import path

from lookup.error_pages import server_error


def explode(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/explode", explode), path("explode", explode)]
handler500 = server_error


@override_settings(ROOT_URLCONF="tests.api.test_server_error")
def test_crash_under_api_is_a_json_500(db):
    response = Client(raise_request_exception=False).get("/api/v1/explode")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


@override_settings(ROOT_URLCONF="tests.api.test_server_error")
def test_crash_on_a_page_is_the_html_500(db):
    response = Client(raise_request_exception=False).get("/explode")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "boom" not in response.content.decode()
