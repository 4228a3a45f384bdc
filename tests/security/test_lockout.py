"""Sign-in lockout: per account and per client address, audited, with a page saying when."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse

from lookup.models import AuditEntry

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
PASSWORD = "alice.agent-password-1"  # tests/conftest.py's personas


def sign_in(browser: Client, username: str, password: str, url: str = LOGIN):
    return browser.post(url, {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302 and "/login/" not in response["Location"]


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(agent):
    browser = Client()
    for _ in range(4):
        assert sign_in(browser, "alice.agent", "guess").status_code == 200  # the form again
    assert sign_in(browser, "alice.agent", "guess").status_code == 429  # the fifth locks
    locked = sign_in(browser, "alice.agent", PASSWORD)
    assert locked.status_code == 429
    assert not signed_in(locked)
    page = locked.content.decode()
    assert "Sign-in locked" in page and "try again at" in page
    assert "in about 15 minutes" in page
    assert 899 <= int(locked["Retry-After"]) <= 900
    assert "_auth_user_id" not in browser.session


def test_failures_and_the_lockout_are_on_the_audit_trail(agent):
    browser = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(6):
        sign_in(browser, "alice.agent", "guess")
    failed = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).order_by("id")
    assert [e.reason for e in failed] == ["wrong username or password"] * 5 + [
        "refused: locked after too many failed sign-ins"
    ]
    assert {(e.subject, e.actor, e.client_address) for e in failed} == {
        ("alice.agent", "anonymous", "192.0.2.10")
    }
    lockout = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_LOCKED_OUT)
    assert lockout.subject == "alice.agent"
    assert "5 failed sign-ins for this account" in lockout.reason
    assert "password" not in lockout.reason.replace("wrong", "")  # never the password tried
    assert "guess" not in "".join(e.reason + e.path for e in AuditEntry.objects.all())


def test_the_admin_has_no_sign_in_form_of_its_own_to_guess_at(admin_user):
    browser = Client()
    for _ in range(5):
        # The admin's login address leads to the tool's one sign-in page; nothing is checked.
        response = sign_in(browser, "ada.admin", "guess", ADMIN_LOGIN)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    for _ in range(5):
        sign_in(browser, "ada.admin", "guess")
    response = sign_in(browser, "ada.admin", "ada.admin-password-1")
    assert response.status_code == 429
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.LOGIN_FAILED, subject="ada.admin", path=LOGIN
    ).exists()
    assert not AuditEntry.objects.filter(path=ADMIN_LOGIN).exists()  # nothing was tried there


def test_the_lock_ends_after_the_cool_off(agent):
    browser = Client()
    for _ in range(5):
        sign_in(browser, "alice.agent", "guess")
    assert sign_in(browser, "alice.agent", PASSWORD).status_code == 429
    # Fifteen minutes and a second later (moving the failures back in time).
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=15, seconds=1)
        attempt.save()
    assert signed_in(sign_in(browser, "alice.agent", PASSWORD))


def test_four_typos_then_the_right_password_work_and_start_the_count_again(agent):
    browser = Client()
    for _ in range(4):
        sign_in(browser, "alice.agent", "typo")
    assert signed_in(sign_in(browser, "alice.agent", PASSWORD))
    assert not AccessAttempt.objects.exists()


def test_an_address_trying_many_accounts_is_locked_for_all_of_them(agent, lead, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    sprayer = Client(REMOTE_ADDR="198.51.100.66")
    for n in range(6):
        sign_in(sprayer, f"someone{n}", "Summer2026!")
    assert sign_in(sprayer, "leo.lead", "leo.lead-password-1").status_code == 429
    # Leo from elsewhere, and accounts locked by nobody, are unaffected.
    assert signed_in(sign_in(Client(REMOTE_ADDR="192.0.2.20"), "leo.lead", "leo.lead-password-1"))


def test_a_few_typos_on_a_shared_office_address_lock_nobody_else(agent, lead):
    office = "192.0.2.30"
    for n in range(4):
        sign_in(Client(REMOTE_ADDR=office), f"colleague{n}", "typo")
        sign_in(Client(REMOTE_ADDR=office), f"colleague{n}", "typo")
    # 8 failures from the office: under the address limit (20), each account under its own (5).
    assert signed_in(sign_in(Client(REMOTE_ADDR=office), "leo.lead", "leo.lead-password-1"))


@pytest.mark.parametrize("trusted", [True, False])
def test_behind_a_proxy_the_lock_follows_the_callers_address_only_when_trusted(
    agent, lead, settings, trusted
):
    settings.TRUST_PROXY_HEADERS = trusted
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    balancer = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(3):
        sign_in(balancer, f"x{n}", "guess", LOGIN)
        balancer.defaults["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"  # from the second call on
    balancer.defaults["HTTP_X_FORWARDED_FOR"] = "203.0.113.10"
    response = sign_in(balancer, "leo.lead", "leo.lead-password-1")
    # Trusted: another caller, not locked. Untrusted: everyone shares the balancer's address.
    assert signed_in(response) is trusted


def test_each_lockout_is_one_audit_entry_and_one_warning(agent, lead, caplog):
    def lockouts() -> list[tuple[str, str]]:
        entries = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_LOCKED_OUT)
        return list(entries.order_by("id").values_list("subject", "client_address"))

    office = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(8):  # locked at the fifth; three more refusals while it lasts
        sign_in(office, "alice.agent", "guess")
    assert lockouts() == [("alice.agent", "192.0.2.10")]
    warnings = [r.getMessage() for r in caplog.records if "Sign-in locked" in r.getMessage()]
    assert warnings == ["Sign-in locked for 'alice.agent' after repeated failures"]

    # Another account locked from the same address, the same account tried from elsewhere.
    for _ in range(5):
        sign_in(office, "leo.lead", "guess")
    sign_in(Client(REMOTE_ADDR="192.0.2.99"), "alice.agent", PASSWORD)
    assert lockouts() == [
        ("alice.agent", "192.0.2.10"),
        ("leo.lead", "192.0.2.10"),
        ("alice.agent", "192.0.2.99"),
    ]

    # Long after the first lockout ended, a new one is a new entry.
    AuditEntry.objects.update(at=F("at") - timedelta(minutes=16))
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    for _ in range(5):
        sign_in(office, "alice.agent", "guess")
    assert lockouts()[-1] == ("alice.agent", "192.0.2.10") and len(lockouts()) == 4


def test_with_limits_of_one_the_first_wrong_password_locks_and_not_before(agent, settings):
    settings.AXES_FAILURE_LIMIT = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 1
    assert signed_in(sign_in(Client(REMOTE_ADDR="192.0.2.40"), "alice.agent", PASSWORD))

    browser = Client(REMOTE_ADDR="192.0.2.41")
    assert sign_in(browser, "alice.agent", "guess").status_code == 429
    assert sign_in(browser, "alice.agent", PASSWORD).status_code == 429
