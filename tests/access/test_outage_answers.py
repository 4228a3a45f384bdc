"""A DynamoDB outage is answered in one place: the page for people, JSON for the API, each with
Retry-After and one log line naming the request and what failed."""

from django.urls import reverse

SEARCH = reverse("lookup:search")


def test_a_pages_outage_log_line_names_the_request_and_what_failed(
    agent_client, monkeypatch, caplog
):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")

    response = agent_client.get(SEARCH, {"phone": "+447700900461", "country": "GB"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    [line] = [r.getMessage() for r in caplog.records if "directory unavailable" in r.getMessage()]
    assert line.startswith(f"Phone directory unavailable (request {response['X-Request-ID']}): ")
    assert "127.0.0.1:9" in line
