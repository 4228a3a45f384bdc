"""The admin as the people running access and audits use it: the audit trail found by a number
however it is written and by the start of a customer id, and staff status that follows the
Admin role."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from lookup.access import roles
from lookup.models import AuditEntry

CHANGELIST = reverse("admin:lookup_auditentry_changelist")
FAMILY = "+5511912345678"  # +55 11 91234-5678
BR_NEW, BR_OLD = "+5511987654321", "+551187654321"


def entry(**fields) -> AuditEntry:
    return AuditEntry.objects.create(actor="alice.agent", action=AuditEntry.Action.SEARCH, **fields)


def listed(client, term: str) -> list[AuditEntry]:
    response = client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "typed", ["(11) 91234-5678", "11 91234 5678", "+55 11 91234-5678", "0055 11 91234 5678"]
)
def test_the_trail_finds_a_number_typed_as_a_search_reads_it(admin_client_, settings, typed):
    # The admin's own country is the UK: a Brazilian number in national format is read the
    # way a search reads it, through the business's other countries.
    settings.DEFAULT_PHONE_REGION = "GB"
    settings.PHONE_REGIONS = ["GB", "BR"]
    wanted = entry(phone=FAMILY)
    entry(phone="+442079460018")
    assert listed(admin_client_, typed) == [wanted]


def test_the_trail_finds_a_number_under_its_other_form(admin_client_, settings):
    settings.PHONE_REGIONS = ["GB", "BR"]
    old, new = entry(phone=BR_OLD), entry(phone=BR_NEW)
    assert {e.pk for e in listed(admin_client_, "+55 11 98765-4321")} == {old.pk, new.pk}


def test_the_trail_finds_a_customer_by_the_start_of_the_id(admin_client_):
    wanted = entry(customer_id="3f2a9c1e-7b44-4aec-88ab-1241b7ead811")
    entry(customer_id="9b0c77d2-11aa-4c2e-9f00-5e5e5e5e5e5e")
    entry(customer_id="x-3f2a9c1e")  # the prefix elsewhere in the id is not a match
    assert listed(admin_client_, "3f2a9c1e") == [wanted]
    assert listed(admin_client_, "3f2a9c1e-7b44-4aec-88ab-1241b7ead811") == [wanted]


def test_words_are_not_read_as_numbers(admin_client_):
    named = entry(subject="nina.newcomer")
    entry(phone=FAMILY)
    assert listed(admin_client_, "nina.newcomer") == [named]


def test_customer_ids_stay_on_one_line_in_the_list(admin_client_):
    entry(customer_id="3f2a9c1e-7b44-4aec-88ab-1241b7ead811")
    entry(customer_id="c" * 128)  # as long as the column allows
    html = admin_client_.get(CHANGELIST).content.decode()
    assert '<link rel="stylesheet" href="/static/lookup/admin.css">' in html
    assert '<td class="field-customer">3f2a9c1e-7b44-4aec-88ab-1241b7ead811</td>' in html
    assert f'<td class="field-customer">{"c" * 39}…</td>' in html  # a stored oddity, cut


# --- staff status follows the Admin role ---------------------------------------------------------


@pytest.fixture
def sam(db):
    return get_user_model().objects.create_user("sam.support", password="sam-password-1")


def save_roles(client, user, *role_names: str, **flags):
    """Save the account's change form with these roles, its flags as the form shows them
    unless given."""
    shown = {"is_staff": user.is_staff, "is_superuser": user.is_superuser, **flags}
    data = {
        "username": user.username,
        "is_active": "on",
        "groups": [Group.objects.get(name=name).pk for name in role_names],
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
        **{flag: "on" for flag, on in shown.items() if on},
    }
    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    return user


def staff_entries() -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.STAFF_STATUS_CHANGED)
    return list(entries.order_by("id").values_list("subject", "reason"))


def test_the_admin_role_gives_staff_status_and_taking_it_away_removes_it(admin_client_, sam):
    assert save_roles(admin_client_, sam, roles.ADMIN).is_staff
    # The new admin can open the admin at once: nobody had to tick "staff status".
    assert admin_client_.get(reverse("admin:index")).status_code == 200
    assert not save_roles(admin_client_, sam, roles.SUPPORT_AGENT).is_staff
    assert staff_entries() == [
        ("sam.support", "staff status granted with the Admin role"),
        ("sam.support", "staff status removed with the Admin role"),
    ]


def test_a_superuser_keeps_staff_status_without_the_role(client, db):
    root = get_user_model().objects.create_superuser("root", password="root-password-1")
    client.force_login(root)
    other = get_user_model().objects.create_superuser("root.two", password="root-password-2")
    save_roles(client, other, roles.ADMIN)
    assert save_roles(client, other).is_staff
    assert staff_entries() == []


def test_staff_ticked_by_hand_without_the_role_is_left_alone(admin_client_, sam):
    assert save_roles(admin_client_, sam, roles.SUPPORT_AGENT, is_staff=True).is_staff
    assert save_roles(admin_client_, sam, roles.SUPPORT_LEAD, is_staff=True).is_staff


def test_keeping_the_admin_role_keeps_staff_status(admin_client_, sam):
    save_roles(admin_client_, sam, roles.ADMIN)
    # Staff unticked while the role stays: the role wins, and says so.
    assert save_roles(admin_client_, sam, roles.ADMIN, is_staff=False).is_staff
    assert staff_entries()[-1] == ("sam.support", "staff status granted with the Admin role")


def test_the_csv_opens_in_a_spreadsheet_with_accents_and_labels_intact(admin_client_):
    AuditEntry.objects.create(
        actor="joão.pérez", action=AuditEntry.Action.SEARCH, reason="número reasignado"
    )
    response = admin_client_.get(reverse("admin:lookup_auditentry_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    # Excel reads a CSV as UTF-8 only when it starts with the byte-order mark.
    assert body.startswith("\ufeff".encode())
    header, row = body.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("Time (UTC),User or API client,Action,Action (label),")
    assert ",joão.pérez,search,Search by phone," in row
    assert "número reasignado" in row


def test_admin_times_read_as_the_desk_writes_them(admin_client_, settings):
    settings.TIME_ZONE = "UTC"
    at = timezone.make_aware(datetime(2026, 12, 6, 17, 51), UTC)
    listed_entry = entry()
    AuditEntry.objects.filter(pk=listed_entry.pk).update(at=at)

    listing = re.sub(r"<[^>]+>", "", admin_client_.get(CHANGELIST).content.decode())
    assert "6 Dec 2026, 17:51 UTC" in listing
    assert "p.m." not in listing and "Dec. 6" not in listing
    page = admin_client_.get(reverse("admin:lookup_auditentry_change", args=[listed_entry.pk]))
    assert "6 Dec 2026, 17:51 UTC" in page.content.decode()
