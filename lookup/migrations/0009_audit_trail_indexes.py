"""The audit trail's indexes for a year of entries: each filter and search of the admin's list
in newest-first order (docs/performance.md, "The audit trail").

Built CONCURRENTLY on PostgreSQL, so the trail stays writable while they build (minutes at tens
of millions of entries: docs/deploy.md, "Indexes on the audit trail"); the indexes they
supersede are dropped only after, CONCURRENTLY too.
"""

from django.db import migrations, models
from django.db.models.functions import Upper

from lookup.migration_operations import AddIndexConcurrentlyPortable, FieldIndexRemoveConcurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE / DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("lookup", "0008_audit_password_set_action"),
    ]

    operations = [
        AddIndexConcurrentlyPortable(
            model_name="auditentry",
            index=models.Index(fields=["user", "-at"], name="audit_user_at"),
        ),
        AddIndexConcurrentlyPortable(
            model_name="auditentry",
            index=models.Index(fields=["action", "-at"], name="audit_action_at"),
        ),
        AddIndexConcurrentlyPortable(
            model_name="auditentry",
            index=models.Index(fields=["request_id"], name="audit_request_id"),
        ),
        AddIndexConcurrentlyPortable(
            model_name="auditentry",
            index=models.Index(Upper("actor"), name="audit_actor_upper"),
            postgresql_columns='UPPER("actor") text_pattern_ops',
        ),
        AddIndexConcurrentlyPortable(
            model_name="auditentry",
            index=models.Index(Upper("subject"), name="audit_subject_upper"),
            postgresql_columns='UPPER("subject") text_pattern_ops',
        ),
        # The planner's statistics of UPPER(actor) and UPPER(subject) are gathered only by an
        # ANALYZE after their indexes exist; until then it guesses, and may read a name's entries
        # along the time index instead. Reads a sample; reads and writes go on meanwhile.
        migrations.RunSQL("ANALYZE lookup_auditentry", migrations.RunSQL.noop, elidable=True),
        # Superseded: (action, at) serves what `action` did; the UPPER indexes serve the names.
        FieldIndexRemoveConcurrently(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("search", "Search by phone"),
                    ("customer_view", "Customer viewed"),
                    ("unlink", "Link unlinked"),
                    ("restore", "Link restored"),
                    ("permission_denied", "Permission denied"),
                    ("api_link", "API: link from order"),
                    ("api_search", "API: customers by phone"),
                    ("audit_export", "Audit trail exported"),
                    ("login", "Signed in"),
                    ("login_refused", "Sign-in refused"),
                    ("rate_limited", "Rate limit reached"),
                    ("login_failed", "Login failed"),
                    ("login_locked_out", "Login locked out"),
                    ("account_created", "Account created"),
                    ("account_activated", "Account activated"),
                    ("account_deactivated", "Account deactivated"),
                    ("account_deleted", "Account deleted"),
                    ("roles_changed", "Roles changed"),
                    ("staff_status_changed", "Staff status changed"),
                    ("password_set", "Password set by an admin"),
                    ("api_client_created", "API client created (key issued)"),
                    ("api_key_regenerated", "API key regenerated"),
                    ("api_key_revoked", "API key revoked"),
                    ("api_key_reactivated", "API key reactivated"),
                    ("api_client_scopes_changed", "API client scopes changed"),
                ],
                max_length=32,
            ),
        ),
        FieldIndexRemoveConcurrently(
            model_name="auditentry",
            name="actor",
            field=models.CharField(
                help_text="Username or API client name at the time.",
                max_length=150,
                verbose_name="user or client",
            ),
        ),
        FieldIndexRemoveConcurrently(
            model_name="auditentry",
            name="subject",
            field=models.CharField(
                blank=True,
                help_text="The account or API client an access-management entry is about; the "
                "username tried, for a failed login.",
                max_length=150,
                verbose_name="account or client",
            ),
        ),
    ]
