"""Relational records: roles' permissions, the audit trail and the API clients.

Customer data itself lives in DynamoDB (see `lookup.repository`); these tables hold who may do
what and who did what.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PhoneLookupAccess(models.Model):
    """Holder of the tool's permissions; no table (roles are groups carrying these)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("search_phone", "Can search customers by phone"),
            ("view_customer", "Can view a customer's details and linked numbers"),
            ("unlink_phone", "Can unlink and restore order-derived phone links"),
        ]

    def __str__(self) -> str:
        return "Phone lookup access"


class ApiClient(models.Model):
    """A machine client (e.g. the order service) calling the HTTP API with its own key.

    Keys look like `plk_<prefix>_<secret>`: the prefix finds the client, only a SHA-256 of the
    secret is stored (it is 256 random bits, so a fast hash is enough), and the full key is
    shown once, when created.
    """

    class Scope(models.TextChoices):
        LINKS_WRITE = "links:write", _("links:write - create phone links from orders")
        CUSTOMERS_READ = "customers:read", _("customers:read - find customers by phone")

    KEY_PREFIX = "plk"

    name = models.CharField(max_length=100, unique=True)
    scopes = models.JSONField(default=list, help_text=_("Which endpoints the client may call."))
    key_prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(default=True, help_text=_("Untick to revoke the key at once."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def issue_key(self) -> str:
        """Give the client a new key (replacing any old one); returns the only plain copy."""
        self.key_prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        self.key_hash = _digest(secret)
        return f"{self.KEY_PREFIX}_{self.key_prefix}_{secret}"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @classmethod
    def authenticate(cls, raw_key: str) -> "ApiClient | None":
        """The active client owning `raw_key`, or None."""
        parts = (raw_key or "").split("_", 2)
        if len(parts) != 3 or parts[0] != cls.KEY_PREFIX:
            return None
        client = cls.objects.filter(key_prefix=parts[1], is_active=True).first()
        if client is None or not hmac.compare_digest(client.key_hash, _digest(parts[2])):
            return None
        return client


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ChoicesOutOfMigrationsField(models.CharField):
    """A CharField whose choices (the audit actions, the desk's languages) stay out of
    migrations.

    Choices are no part of the database column, yet Django records them in every migration
    touching the field, so each new audit action used to copy the whole list into a new
    migration (and each new language would have). At run time the field keeps them: labels on
    the admin's list, filter and export, and validation.
    """

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, "django.db.models.CharField", args, kwargs


class AuditEntry(models.Model):
    """One access to customer data, one change, or one refused attempt. Never edited."""

    class Action(models.TextChoices):
        SEARCH = "search", _("Search by phone")
        CUSTOMER_VIEW = "customer_view", _("Customer viewed")
        UNLINK = "unlink", _("Link unlinked")
        RESTORE = "restore", _("Link restored")
        PERMISSION_DENIED = "permission_denied", _("Permission denied")
        API_LINK = "api_link", _("API: link from order")
        API_SEARCH = "api_search", _("API: customers by phone")
        AUDIT_EXPORT = "audit_export", _("Audit trail exported")
        LOGIN = "login", _("Signed in")
        LOGIN_REFUSED = "login_refused", _("Sign-in refused")
        # Abuse controls (lookup.access.rate_limits, lookup.access.lockout).
        RATE_LIMITED = "rate_limited", _("Rate limit reached")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOGIN_LOCKED_OUT = "login_locked_out", _("Login locked out")
        # Access management in the admin: the subject is the account or API client changed.
        ACCOUNT_CREATED = "account_created", _("Account created")
        ACCOUNT_ACTIVATED = "account_activated", _("Account activated")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
        ACCOUNT_DELETED = "account_deleted", _("Account deleted")
        ROLES_CHANGED = "roles_changed", _("Roles changed")
        STAFF_STATUS_CHANGED = "staff_status_changed", _("Staff status changed")
        PASSWORD_SET = "password_set", _("Password set by an admin")
        API_CLIENT_CREATED = "api_client_created", _("API client created (key issued)")
        API_KEY_REGENERATED = "api_key_regenerated", _("API key regenerated")
        API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
        API_KEY_REACTIVATED = "api_key_reactivated", _("API key reactivated")
        API_CLIENT_SCOPES_CHANGED = "api_client_scopes_changed", _("API client scopes changed")
        # A lead's bulk unlink and its undo (lookup.services.bulk): the subject names the batch.
        BULK_PREVIEW = "bulk_preview", _("Bulk unlink previewed")
        BULK_UNLINK = "bulk_unlink", _("Bulk unlink")
        BULK_UNDO = "bulk_undo", _("Bulk unlink undone")
        BULK_VIEWED = "bulk_viewed", _("Bulk unlink viewed")
        REVIEW_VIEWED = "review_viewed", _("Review queue viewed")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    api_client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor = models.CharField(
        _("user or client"),
        max_length=150,
        help_text=_("Username or API client name at the time."),
    )
    action = ChoicesOutOfMigrationsField(max_length=32, choices=Action.choices)
    phone = models.CharField(max_length=32, blank=True, db_index=True, help_text="E.164")
    customer_id = models.CharField(max_length=128, blank=True, db_index=True)
    subject = models.CharField(
        _("account or client"),
        max_length=150,
        blank=True,
        help_text=_(
            "The account or API client an access-management entry is about; the username "
            "tried, for a failed login."
        ),
    )
    result_count = models.PositiveIntegerField(_("customers matched"), null=True, blank=True)
    reason = models.TextField(blank=True)
    path = models.CharField(max_length=500, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        # The admin's list reads the newest entries first, filtered or searched: each index
        # below serves one filter or one kind of search in that order, so a page of a year's
        # trail reads a page of entries (docs/performance.md, "The audit trail"). Built
        # CONCURRENTLY on PostgreSQL (lookup.migration_operations).
        indexes = [
            # A person's own latest entries of one kind: their recent searches on the search
            # page, and whether another page of a search is already on record.
            models.Index(fields=["user", "action", "-at"], name="audit_user_action_at"),
            models.Index(fields=["user", "-at"], name="audit_user_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["request_id"], name="audit_request_id"),
            # A name typed in the search, any case, whole or its beginning (text_pattern_ops on
            # PostgreSQL, for LIKE 'AMELIA%' in any collation).
            models.Index(Upper("actor"), name="audit_actor_upper"),
            models.Index(Upper("subject"), name="audit_subject_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.get_action_display()}"


class RateCounter(models.Model):
    """How often one identity did one kind of thing in one time window (`lookup.access.rates`).

    A table rather than a per-process cache so that every web process on every host counts
    against the same limit; increments are single UPDATEs, atomic on SQLite and PostgreSQL.
    """

    key = models.CharField(max_length=255, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate counter")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class LanguagePreference(models.Model):
    """The language a person chose from the top bar's menu (docs/languages.md), kept with their
    account so it follows them to any browser: applied at each sign-in, read nowhere else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="language_preference",
    )
    language = ChoicesOutOfMigrationsField(_("language"), max_length=8, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("language preference")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


# Bulk unlinks have a module of their own; imported here so that Django registers them.
from lookup.bulk_models import BulkUnlink, BulkUnlinkItem  # noqa: E402, F401

# The review queue's store lives in its own module; imported here so Django finds the model.
from lookup.review_models import ReviewItem, ReviewScan  # noqa: E402, F401
