"""Rotating DJANGO_SECRET_KEY with DJANGO_SECRET_KEY_FALLBACKS, as docs/deploy.md tells operators.

What the key signs here: sessions (and the session's proof of the password it was opened with)
and the HTTP API's pagination cursors. A rotation with the old key as a fallback must sign
nobody out and break no paging client; without it, both end.
"""

import secrets

import pytest
from django.test import Client
from django.urls import reverse

from lookup.api.queries import cursor_decode, cursor_encode
from lookup.domain.errors import InvalidField
from lookup.phones import phone_normalize
from tests.security.test_production_settings import (
    documented_production_environment,
    run,
    settings_value,
)

OLD_KEY = secrets.token_urlsafe(50)
NEW_KEY = secrets.token_urlsafe(50)


@pytest.fixture
def signed_in_with_the_old_key(settings, agent, moto_table) -> Client:
    """Alice signed in before the rotation: her session is signed with the old key."""
    settings.SECRET_KEY = OLD_KEY
    settings.SECRET_KEY_FALLBACKS = []
    browser = Client()
    browser.force_login(agent)
    assert browser.get(reverse("lookup:search")).status_code == 200
    return browser


def test_with_the_old_key_as_fallback_nobody_is_signed_out(signed_in_with_the_old_key, settings):
    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]

    response = signed_in_with_the_old_key.get(reverse("lookup:search"))

    assert response.status_code == 200


def test_without_the_fallback_every_session_ends(signed_in_with_the_old_key, settings):
    settings.SECRET_KEY = NEW_KEY

    response = signed_in_with_the_old_key.get(reverse("lookup:search"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_used_during_the_rotation_outlives_the_fallback(
    signed_in_with_the_old_key, settings
):
    """Each request re-signs the session with the new key: once the fallback goes, whoever
    worked meanwhile is still signed in (the runbook's reason to keep it for a session's life)."""
    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    assert signed_in_with_the_old_key.get(reverse("lookup:search")).status_code == 200

    settings.SECRET_KEY_FALLBACKS = []

    assert signed_in_with_the_old_key.get(reverse("lookup:search")).status_code == 200


def test_during_a_rolling_restart_hosts_of_either_step_accept_each_others_sessions(
    signed_in_with_the_old_key, settings
):
    """The runbook's first step makes the new key a fallback everywhere; the second swaps the
    two. While the load balancer sends Alice to hosts of either step in turn, she stays signed
    in: each accepts what the other signed."""
    hosts = [
        {"SECRET_KEY": OLD_KEY, "SECRET_KEY_FALLBACKS": [NEW_KEY]},  # step 1 done
        {"SECRET_KEY": NEW_KEY, "SECRET_KEY_FALLBACKS": [OLD_KEY]},  # step 2 done
    ]
    for host in hosts * 2:
        settings.SECRET_KEY = host["SECRET_KEY"]
        settings.SECRET_KEY_FALLBACKS = host["SECRET_KEY_FALLBACKS"]
        assert signed_in_with_the_old_key.get(reverse("lookup:search")).status_code == 200


def test_an_api_cursor_issued_before_the_rotation_still_pages(settings):
    phone = phone_normalize(raw="+447700900123", region="GB")
    settings.SECRET_KEY = OLD_KEY
    cursor = cursor_encode(phone=phone, page=2, page_size=10)

    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    assert cursor_decode(cursor=cursor, phone=phone) == (2, 10)

    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(InvalidField):
        cursor_decode(cursor=cursor, phone=phone)


def test_the_fallbacks_come_from_the_environment_comma_separated():
    env = documented_production_environment()
    env["DJANGO_SECRET_KEY_FALLBACKS"] = f"{OLD_KEY},{NEW_KEY}"

    assert settings_value("SECRET_KEY_FALLBACKS", **env) == repr([OLD_KEY, NEW_KEY])
    env.pop("DJANGO_SECRET_KEY_FALLBACKS")
    assert settings_value("SECRET_KEY_FALLBACKS", **env) == "[]"


def test_check_deploy_stays_clean_with_the_old_key_as_fallback():
    env = {**documented_production_environment(), "DJANGO_SECRET_KEY_FALLBACKS": OLD_KEY}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_flags_a_weak_fallback():
    """Django's own check (security.W025): a guessable old key is as bad as a guessable key."""
    env = {**documented_production_environment(), "DJANGO_SECRET_KEY_FALLBACKS": "old-key"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode != 0
    assert "security.W025" in result.stderr
