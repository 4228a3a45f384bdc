"""The audit trail: every access to customer data is attributable, and admins can read it."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lookup.models import AuditEntry
from tests import factories as f
from tests.lookups import store

DESK = "+442079460018"
CHANGELIST = reverse("admin:lookup_auditentry_changelist")
EXPORT = reverse("admin:lookup_auditentry_export")


@pytest.fixture
def desk(moto_table):
    people = [f.profile(name=name) for name in ("Sam", "Kim", "Lou")]
    store(moto_table, profiles=people, links=[f.order_link(p.customer_id, DESK) for p in people])
    return people


def test_a_search_records_who_what_and_how_many(agent_client, agent, desk, settings):
    settings.TRUST_PROXY_HEADERS = True
    settings.REQUEST_ID_HEADER = "X-Request-ID"  # a proxy that sets its own (nginx)
    agent_client.get(
        reverse("lookup:search"),
        {"phone": "020 7946 0018", "country": "GB"},
        HTTP_X_REQUEST_ID="req-abc-12345",
        HTTP_X_FORWARDED_FOR="10.1.2.3",
    )
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.SEARCH
    assert (entry.user, entry.actor) == (agent, "alice.agent")
    assert (entry.phone, entry.result_count) == (DESK, 3)
    assert (entry.client_address, entry.request_id) == ("10.1.2.3", "req-abc-12345")
    assert entry.at > timezone.now() - timedelta(minutes=1)


def test_an_invalid_search_touches_no_customer_data_and_is_not_recorded(agent_client, desk):
    agent_client.get(reverse("lookup:search"), {"phone": "nope", "country": "GB"})
    assert not AuditEntry.objects.exists()


def test_a_customer_page_view_is_recorded(agent_client, desk):
    sam = desk[0]
    agent_client.get(reverse("lookup:customer", args=[sam.customer_id]))
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.customer_id) == (AuditEntry.Action.CUSTOMER_VIEW, sam.customer_id)


def test_proxy_headers_are_used_only_when_trusted_and_only_the_proxys_part(
    agent_client, desk, settings
):
    sam = desk[0]
    url = reverse("lookup:customer", args=[sam.customer_id])
    spoofed = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9", "HTTP_X_REQUEST_ID": "chosen-id-1"}
    agent_client.get(url, **spoofed)
    settings.TRUST_PROXY_HEADERS = True
    agent_client.get(url, **spoofed)  # behind an ALB: the client's X-Request-ID is not the id
    settings.REQUEST_ID_HEADER = "X-Request-ID"
    agent_client.get(url, **spoofed)  # behind a proxy that sets it itself
    agent_client.get(url, HTTP_X_FORWARDED_FOR="not-an-address")
    untrusted, trusted_address, trusted_id, garbage = AuditEntry.objects.order_by("id")
    assert (untrusted.client_address, untrusted.request_id != "chosen-id-1") == ("127.0.0.1", True)
    assert (trusted_address.client_address, trusted_address.request_id != "chosen-id-1") == (
        "203.0.113.9",
        True,
    )
    assert trusted_id.request_id == "chosen-id-1"
    assert garbage.client_address == "127.0.0.1"


def test_refusals_with_absurd_urls_are_still_recorded(agent_client, desk):
    url = reverse("lookup:unlink", args=["c" * 300, "+44" + "1" * 60])
    assert agent_client.get(url).status_code == 403
    entry = AuditEntry.objects.get()
    assert entry.customer_id == "c" * 128 and len(entry.phone) == 32


def test_admin_filters_the_trail_by_action_user_number_and_customer(
    admin_client_, agent_client, lead_client, desk
):
    sam, kim, _ = desk
    agent_client.get(reverse("lookup:search"), {"phone": DESK, "country": "GB"})
    agent_client.get(reverse("lookup:customer", args=[sam.customer_id]))
    lead_client.get(reverse("lookup:customer", args=[kim.customer_id]))

    def listed(**query) -> list[AuditEntry]:
        response = admin_client_.get(CHANGELIST, query)
        assert response.status_code == 200
        return list(response.context["cl"].result_list)

    assert len(listed()) == 3
    assert [e.action for e in listed(action="search")] == ["search"]
    assert {e.actor for e in listed(user__id__exact=str(_user_id("leo.lead")))} == {"leo.lead"}
    assert [e.action for e in listed(q=DESK)] == ["search"]
    assert [e.customer_id for e in listed(q=kim.customer_id)] == [kim.customer_id]
    today = timezone.now().date()
    assert len(listed(at__gte=f"{today}T00:00:00+00:00")) == 3
    assert listed(at__lt=f"{today - timedelta(days=3)}T00:00:00+00:00") == []


def test_entries_cannot_be_added_changed_or_deleted_in_the_admin(admin_client_, agent_client, desk):
    agent_client.get(reverse("lookup:customer", args=[desk[0].customer_id]))
    entry = AuditEntry.objects.get()
    change = reverse("admin:lookup_auditentry_change", args=[entry.pk])
    delete = reverse("admin:lookup_auditentry_delete", args=[entry.pk])

    page = admin_client_.get(change).content.decode()
    assert 'name="_save"' not in page  # view-only
    assert admin_client_.post(change, {"reason": "edited"}).status_code == 403
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client_.get(reverse("admin:lookup_auditentry_add")).status_code == 403
    response = admin_client_.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk]}
    )
    assert AuditEntry.objects.filter(pk=entry.pk, reason="").exists()
    assert response.status_code in (200, 302)


def test_admin_exports_the_filtered_view_as_csv(admin_client_, agent_client, desk):
    agent_client.get(reverse("lookup:search"), {"phone": DESK, "country": "GB"})
    for person in desk:
        agent_client.get(reverse("lookup:customer", args=[person.customer_id]))

    listing = admin_client_.get(CHANGELIST, {"action": "customer_view"}).content.decode()
    assert f"{EXPORT}?action=customer_view" in listing

    response = admin_client_.get(EXPORT, {"action": "customer_view"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == [
        "Time (UTC)",
        "User or API client",
        "Action",
        "Action (label)",
        "Phone (E.164)",
    ]
    assert len(rows) == 1 + 3
    assert {row[5] for row in rows[1:]} == {p.customer_id for p in desk}
    assert all(row[1] == "alice.agent" and row[2] == "customer_view" for row in rows[1:])
    assert {row[3] for row in rows[1:]} == {"Customer viewed"}
    export = AuditEntry.objects.get(action=AuditEntry.Action.AUDIT_EXPORT)
    assert (export.actor, export.result_count) == ("ada.admin", 3)
    assert export.reason == "filters: action=customer_view"


def test_csv_export_defuses_spreadsheet_formulas(admin_client_, lead):
    AuditEntry.objects.create(
        actor="leo.lead",
        user=lead,
        action=AuditEntry.Action.UNLINK,
        phone=DESK,
        reason='=HYPERLINK("http://evil")',
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(admin_client_.get(EXPORT).streaming_content).decode("utf-8-sig"))
        )
    )
    assert rows[1][4] == DESK
    assert rows[1][7] == '\'=HYPERLINK("http://evil")'


def test_agents_cannot_read_or_export_the_trail(agent_client, desk):
    assert agent_client.get(CHANGELIST).status_code == 302
    assert agent_client.get(EXPORT).status_code == 302


def test_prune_removes_entries_past_retention(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = AuditEntry.objects.create(
        actor="x", action=AuditEntry.Action.SEARCH, at=timezone.now() - timedelta(days=31)
    )
    recent = AuditEntry.objects.create(
        actor="x", action=AuditEntry.Action.SEARCH, at=timezone.now() - timedelta(days=29)
    )
    out = io.StringIO()
    call_command("prune_audit", "--dry-run", stdout=out)
    assert "1 entries" in out.getvalue() and AuditEntry.objects.count() == 2
    call_command("prune_audit", stdout=out)
    assert list(AuditEntry.objects.all()) == [recent]
    assert not AuditEntry.objects.filter(pk=old.pk).exists()


def _user_id(username: str) -> int:
    return get_user_model().objects.get(username=username).pk


def test_an_admin_cannot_grant_superuser_or_touch_a_superuser(admin_client_, agent):
    html = admin_client_.get(reverse("admin:auth_user_change", args=[agent.pk])).content
    assert b'name="is_superuser"' not in html and b'name="groups"' in html
    root = get_user_model().objects.create_superuser("root", password="root-password-1")
    root_page = admin_client_.get(reverse("admin:auth_user_change", args=[root.pk]))
    assert b'name="_save"' not in root_page.content  # view only
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    response = admin_client_.post(
        password_url, {"password1": "Taken-over-123", "password2": "Taken-over-123"}
    )
    assert response.status_code == 403
    assert Client().login(username="root", password="root-password-1")


def test_admin_creates_an_account_gives_it_a_role_and_deactivates_it(admin_client_):
    response = admin_client_.post(
        reverse("admin:auth_user_add"),
        {
            "username": "new.agent",
            "password1": "Very-long-pass-9",
            "password2": "Very-long-pass-9",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="new.agent")
    change_url = reverse("admin:auth_user_change", args=[user.pk])
    form = admin_client_.get(change_url).context["adminform"].form
    offered = {group.name for group in form.fields["groups"].queryset}
    assert offered == {"Support agent", "Support lead", "Admin"}
    agent_role = Group.objects.get(name="Support agent")

    def save(**changes):
        data = {
            "username": "new.agent",
            "is_active": "on",
            "groups": [agent_role.pk],
            "date_joined_0": "2026-11-01",
            "date_joined_1": "09:00:00",
            **changes,
        }
        return admin_client_.post(change_url, {k: v for k, v in data.items() if v is not None})

    assert save().status_code == 302
    browser = Client()
    assert browser.login(username="new.agent", password="Very-long-pass-9")
    assert browser.get(reverse("lookup:search")).status_code == 200

    assert save(is_active=None).status_code == 302  # untick "Active"
    assert browser.get(reverse("lookup:search")).status_code == 302


def test_the_trail_is_searchable_by_a_number_in_any_format(admin_client_, agent_client, desk):
    agent_client.get(reverse("lookup:search"), {"phone": DESK, "country": "GB"})
    response = admin_client_.get(CHANGELIST, {"q": "020 7946 0018"})
    assert [e.phone for e in response.context["cl"].result_list] == [DESK]


def test_export_with_a_filter_it_cannot_apply_goes_back_to_the_list(admin_client_):
    response = admin_client_.get(EXPORT, {"at__gte": "not-a-date"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize(
    "reason",
    [
        ';=HYPERLINK("http://evil")',
        'wrong customer,=HYPERLINK("http://evil")',
        "ok|+cmd",
        "tab\t=1+1",
        "a; @SUM(1)",
    ],
)
def test_csv_export_defuses_formulas_after_a_separator_too(admin_client_, lead, reason):
    AuditEntry.objects.create(
        actor="leo.lead", user=lead, action=AuditEntry.Action.UNLINK, phone=DESK, reason=reason
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(admin_client_.get(EXPORT).streaming_content).decode("utf-8-sig"))
        )
    )
    cell = rows[1][7]
    assert rows[1][4] == DESK  # plain E.164 numbers stay readable
    assert cell.startswith("'")
    # Whatever separator a spreadsheet splits the cell on, no piece starts a formula.
    for separator in ";,\t|":
        for piece in cell.split(separator):
            assert piece.lstrip(" ")[:1] not in ("=", "+", "-", "@"), (cell, piece)


def test_plain_text_with_separators_is_left_alone(admin_client_, lead):
    AuditEntry.objects.create(
        actor="leo.lead",
        user=lead,
        action=AuditEntry.Action.UNLINK,
        reason="number reassigned; customer called, confirmed",
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(admin_client_.get(EXPORT).streaming_content).decode("utf-8-sig"))
        )
    )
    assert rows[1][7] == "number reassigned; customer called, confirmed"


def _account_entries(action):
    return list(AuditEntry.objects.filter(action=action).values_list("actor", "subject", "reason"))


def test_account_creation_activation_and_staff_changes_are_audited(admin_client_):
    admin_client_.post(
        reverse("admin:auth_user_add"),
        {
            "username": "new.agent",
            "password1": "Very-long-pass-9",
            "password2": "Very-long-pass-9",
            "usable_password": "true",
        },
    )
    user = get_user_model().objects.get(username="new.agent")
    change_url = reverse("admin:auth_user_change", args=[user.pk])
    base = {"username": "new.agent", "date_joined_0": "2026-11-01", "date_joined_1": "09:00:00"}
    admin_client_.post(change_url, {**base, "is_active": "on"})  # nothing changes
    admin_client_.post(change_url, base)  # untick Active
    admin_client_.post(change_url, {**base, "is_active": "on", "is_staff": "on"})

    A = AuditEntry.Action
    assert _account_entries(A.ACCOUNT_CREATED) == [("ada.admin", "new.agent", "")]
    assert _account_entries(A.ACCOUNT_DEACTIVATED) == [("ada.admin", "new.agent", "")]
    assert _account_entries(A.ACCOUNT_ACTIVATED) == [("ada.admin", "new.agent", "")]
    assert _account_entries(A.STAFF_STATUS_CHANGED) == [
        ("ada.admin", "new.agent", "staff status granted")
    ]
    # The trail is searchable by the account concerned.
    listing = admin_client_.get(CHANGELIST, {"q": "new.agent"})
    assert len(listing.context["cl"].result_list) == 4


def test_api_key_issue_revoke_regenerate_and_scopes_are_audited(admin_client_):
    from lookup.models import ApiClient

    admin_client_.post(
        reverse("admin:lookup_apiclient_add"), {"name": "order-service", "scopes": ["links:write"]}
    )
    client = ApiClient.objects.get(name="order-service")
    change_url = reverse("admin:lookup_apiclient_change", args=[client.pk])
    admin_client_.post(change_url, {"name": "order-service", "scopes": ["links:write"]})  # revoke
    admin_client_.post(
        change_url,
        {"name": "order-service", "scopes": ["links:write", "customers:read"], "is_active": "on"},
    )
    admin_client_.post(
        reverse("admin:lookup_apiclient_changelist"),
        {"action": "regenerate_key", "_selected_action": [client.pk]},
    )

    A = AuditEntry.Action
    assert _account_entries(A.API_CLIENT_CREATED) == [
        ("ada.admin", "order-service", "scopes: links:write")
    ]
    assert _account_entries(A.API_KEY_REVOKED) == [("ada.admin", "order-service", "")]
    assert _account_entries(A.API_KEY_REACTIVATED) == [("ada.admin", "order-service", "")]
    assert _account_entries(A.API_CLIENT_SCOPES_CHANGED) == [
        ("ada.admin", "order-service", "from links:write to links:write, customers:read")
    ]
    assert _account_entries(A.API_KEY_REGENERATED) == [("ada.admin", "order-service", "")]
    # The admin acted, not the client: no entry is attributed to the API client.
    assert not AuditEntry.objects.filter(api_client__isnull=False).exists()


def test_a_narrowed_search_of_a_renumbered_number_says_both_on_record(agent_client, moto_table):
    """An auditor reading the entry learns the filter and the other form that was searched too,
    each in its own words."""
    ana, bruno = f.profile(name="Ana Souza", country="BR"), f.profile(name="Bruno Lima")
    store(
        moto_table,
        profiles=[ana, bruno],
        links=[
            f.profile_link(ana.customer_id, "+5511987654321"),
            f.legacy_link(bruno.customer_id, "+551187654321"),
        ],
    )
    agent_client.get(
        reverse("lookup:search"), {"phone": "(11) 98765-4321", "country": "BR", "filter": "ana"}
    )
    entry = AuditEntry.objects.get()
    assert (entry.phone, entry.result_count) == ("+5511987654321", 2)
    assert entry.reason == "narrowed to “ana”; also searched as +551187654321"


def test_each_entry_names_only_what_its_request_touched(agent_client, desk):
    """A search names its number and no customer; a customer page its customer and no number:
    an auditor filtering by customer or number finds exactly the requests that touched it."""
    agent_client.get(reverse("lookup:search"), {"phone": "020 7946 0018", "country": "GB"})
    agent_client.get(reverse("lookup:customer", args=[desk[0].customer_id]))
    search, view = AuditEntry.objects.order_by("id")
    assert (search.phone, search.customer_id, search.subject) == (DESK, "", "")
    assert (view.phone, view.customer_id, view.subject) == ("", desk[0].customer_id, "")
