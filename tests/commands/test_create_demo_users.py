import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command


def test_refused_outside_local_demo(db, settings):
    settings.LOCAL_DEMO = False
    with pytest.raises(CommandError, match="local runs only"):
        call_command("create_demo_users", "--password", "pw-123456")


def test_creates_the_three_accounts_once(db, settings):
    settings.LOCAL_DEMO = True
    call_command("create_demo_users", "--password", "first-pass-1")
    call_command("create_demo_users", "--password", "second-pass-2")
    for username in ("agent", "lead", "admin"):
        assert authenticate(username=username, password="first-pass-1") is not None
    assert authenticate(username="admin", password="first-pass-1").is_superuser
