"""The permission matrix: every URL x anonymous / no role / agent / lead / admin.

Refused POSTs must leave DynamoDB exactly as it was.
"""

import pytest
from django.test import Client
from django.urls import reverse

from lookup.domain import LinkChange
from lookup.models import AuditEntry
from tests import factories as f
from tests.lookups import store, tombstone

DESK = "+442079460018"
PERSONAS = ["anonymous", "newcomer", "agent", "lead", "admin"]
OK, REDIRECT, FORBIDDEN = 200, 302, 403

# (name, method, url builder, form data, expected status per persona in PERSONAS order)
MATRIX = [
    (
        "search page",
        "get",
        lambda sam, kim: reverse("lookup:search"),
        None,
        [REDIRECT, FORBIDDEN, OK, OK, OK],
    ),
    (
        "search results",
        "get",
        lambda sam, kim: reverse("lookup:search") + f"?phone={DESK}&country=GB",
        None,
        [REDIRECT, FORBIDDEN, OK, OK, OK],
    ),
    (
        "customer page",
        "get",
        lambda sam, kim: reverse("lookup:customer", args=[sam]),
        None,
        [REDIRECT, FORBIDDEN, OK, OK, OK],
    ),
    (
        "unlink confirmation",
        "get",
        lambda sam, kim: reverse("lookup:unlink", args=[sam, DESK]),
        None,
        [REDIRECT, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN],
    ),
    (
        "unlink",
        "post",
        lambda sam, kim: reverse("lookup:unlink", args=[sam, DESK]),
        {"reason": "wrong_customer", "version": 0},
        [REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN],
    ),
    (
        "restore confirmation",
        "get",
        lambda sam, kim: reverse("lookup:restore", args=[kim, DESK]),
        None,
        [REDIRECT, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN],
    ),
    (
        "restore",
        "post",
        lambda sam, kim: reverse("lookup:restore", args=[kim, DESK]),
        {"reason": "customer confirmed", "version": 1},
        [REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN],
    ),
    (
        "admin index",
        "get",
        lambda sam, kim: reverse("admin:index"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK],
    ),
    (
        "audit trail",
        "get",
        lambda sam, kim: reverse("admin:lookup_auditentry_changelist"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK],
    ),
    (
        "audit export",
        "get",
        lambda sam, kim: reverse("admin:lookup_auditentry_export"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK],
    ),
    (
        "audit add",
        "get",
        lambda sam, kim: reverse("admin:lookup_auditentry_add"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, FORBIDDEN],
    ),
    (
        "accounts",
        "get",
        lambda sam, kim: reverse("admin:auth_user_changelist"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK],
    ),
]

CASES = [
    pytest.param(name, method, url, data, persona, expected[index], id=f"{name}-{persona}")
    for name, method, url, data, expected in MATRIX
    for index, persona in enumerate(PERSONAS)
]


def table_snapshot(table) -> list[str]:
    return sorted(map(repr, table.client.scan(TableName=table.name)["Items"]))


@pytest.fixture
def two_links(moto_table):
    """Sam is linked to the desk number; Kim was unlinked from it."""
    sam, kim = f.profile(name="Sam"), f.profile(name="Kim")
    store(
        moto_table,
        profiles=[sam, kim],
        links=[f.order_link(sam.customer_id, DESK), f.order_link(kim.customer_id, DESK)],
    )
    tombstone(
        customer_id=kim.customer_id,
        phone=DESK,
        change=LinkChange(at=f.NOW, by="someone", reason="test"),
    )
    return sam.customer_id, kim.customer_id


@pytest.mark.parametrize(("name", "method", "url", "data", "persona", "expected"), CASES)
def test_permission_matrix(
    request, db, moto_table, two_links, name, method, url, data, persona, expected
):
    browser = Client()
    if persona != "anonymous":
        user = request.getfixturevalue("admin_user" if persona == "admin" else persona)
        browser.force_login(user)
    before = table_snapshot(moto_table)

    response = getattr(browser, method)(url(*two_links), data or {})

    assert response.status_code == expected
    if persona == "anonymous":
        assert "/login/" in response["Location"]
    if method == "post" and expected != REDIRECT or persona == "anonymous":
        assert table_snapshot(moto_table) == before
    if expected == FORBIDDEN and not name.startswith("audit add"):
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.PERMISSION_DENIED, user__username=user.username
        ).exists()


# --- Who may change whose access, and the audit trail of it ---------------------------------------


def _change_form(user, *, roles: list[str], **flags) -> dict:
    from django.contrib.auth.models import Group

    return {
        "username": user.username,
        "groups": [Group.objects.get(name=name).pk for name in roles],
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
        **{flag: "on" for flag, on in flags.items() if on},
    }


def _roles(user) -> set[str]:
    user.refresh_from_db()
    return set(user.groups.values_list("name", flat=True))


# (editor, target, roles posted, whether the change happens)
ROLE_CHANGES = [
    ("admin", "agent", ["Support lead"], True),
    ("admin", "admin", ["Admin", "Support lead"], False),  # not their own
    ("superuser", "admin", ["Admin", "Support lead"], True),
    ("lead", "agent", ["Support lead"], False),
    ("agent", "agent", ["Support lead"], False),
    ("newcomer", "agent", ["Support lead"], False),
    ("anonymous", "agent", ["Support lead"], False),
]


@pytest.mark.parametrize(
    ("editor", "target", "posted", "changes"),
    ROLE_CHANGES,
    ids=[f"{e}-changes-{t}" for e, t, _, _ in ROLE_CHANGES],
)
def test_role_changes_matrix_and_their_audit(
    request, db, django_user_model, editor, target, posted, changes
):
    people = {"admin": "admin_user", "agent": "agent", "lead": "lead", "newcomer": "newcomer"}
    target_user = request.getfixturevalue(people[target])
    browser = Client()
    if editor == "superuser":
        browser.force_login(django_user_model.objects.create_superuser("root", password="r-1"))
    elif editor != "anonymous":
        browser.force_login(request.getfixturevalue(people[editor]))
    before = _roles(target_user)

    browser.post(
        reverse("admin:auth_user_change", args=[target_user.pk]),
        _change_form(target_user, roles=posted, is_active=True, is_staff=target_user.is_staff),
    )

    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ROLES_CHANGED)
    if changes:
        assert _roles(target_user) == set(posted)
        entry = entries.get()
        assert entry.subject == target_user.username
        assert entry.actor == ("root" if editor == "superuser" else "ada.admin")
        added = sorted(set(posted) - before)
        removed = sorted(before - set(posted))
        assert entry.reason.startswith(
            "; ".join([f"added {r}" for r in added] + [f"removed {r}" for r in removed])
        )
    else:
        assert _roles(target_user) == before
        assert not entries.exists()


def test_a_password_an_admin_sets_for_someone_is_on_the_audit_trail(admin_client_, lead):
    # Whoever sets a lead's password can sign in as the lead: the trail says who did.
    new_password = "a-new-password-for-the-lead-1"
    response = admin_client_.post(
        reverse("admin:auth_user_password_change", args=[lead.pk]),
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.check_password(new_password)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD_SET)
    assert (entry.actor, entry.subject) == ("ada.admin", lead.username)
    assert entry.reason == "password set"


def test_a_refused_password_form_is_not_audited(admin_client_, lead):
    admin_client_.post(
        reverse("admin:auth_user_password_change", args=[lead.pk]),
        {"password1": "one-password-123", "password2": "other-one-456", "usable_password": "true"},
    )
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_SET).exists()


def test_an_admin_cannot_deactivate_or_unstaff_themselves(admin_client_, admin_user):
    page = admin_client_.get(reverse("admin:auth_user_change", args=[admin_user.pk]))
    html = page.content.decode()
    for field in ("is_active", "is_staff", "groups", "is_superuser"):
        assert f'name="{field}"' not in html  # shown read-only
    admin_client_.post(
        reverse("admin:auth_user_change", args=[admin_user.pk]),
        _change_form(admin_user, roles=[]),  # no groups, inactive, not staff: all ignored
    )
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.is_staff
    assert _roles(admin_user) == {"Admin"}
