"""A new audit action is a line in `AuditEntry.Action`, not a migration copying every action."""

import pytest
from django.core.management import call_command

from lookup.models import AuditEntry, LanguagePreference


@pytest.mark.django_db
def test_adding_an_audit_action_needs_no_migration(monkeypatch):
    field = AuditEntry._meta.get_field("action")
    monkeypatch.setattr(field, "choices", [*field.choices, ("new_action", "A new action")])

    # Exits with an error ("Changes detected") when the models need a migration.
    call_command("makemigrations", "lookup", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_adding_a_language_needs_no_migration(monkeypatch):
    field = LanguagePreference._meta.get_field("language")
    monkeypatch.setattr(field, "choices", [*field.choices, ("it", "Italiano")])

    call_command("makemigrations", "lookup", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_the_actions_still_label_and_validate_entries():
    entry = AuditEntry(actor="alice.agent", action=AuditEntry.Action.CUSTOMER_VIEW)
    assert entry.get_action_display() == "Customer viewed"

    entry.action = "no_such_action"
    with pytest.raises(Exception, match="not a valid choice"):
        entry.full_clean()
