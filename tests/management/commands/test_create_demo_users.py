import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command


def test_refused_outside_local_demo(db, settings):
    settings.LOCAL_DEMO = False
    with pytest.raises(CommandError, match="local runs only"):
        call_command("create_demo_users", "--password", "pw-123456")


def test_creates_the_three_accounts_once_with_their_roles(db, settings):
    settings.LOCAL_DEMO = True
    call_command("create_demo_users", "--password", "first-pass-1")
    call_command("create_demo_users", "--password", "second-pass-2")

    agent = authenticate(username="agent", password="first-pass-1")
    lead = authenticate(username="lead", password="first-pass-1")
    admin = authenticate(username="admin", password="first-pass-1")
    assert agent.has_perm("lookup.search_phone") and not agent.has_perm("lookup.unlink_phone")
    assert lead.has_perm("lookup.unlink_phone")
    assert admin.is_staff and admin.has_perm("lookup.view_auditentry")
    assert not admin.has_perm("lookup.unlink_phone")
