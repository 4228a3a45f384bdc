"""Bulk unlinks as the tool recorded them: each batch and, per link, what its write did.

The links themselves live in DynamoDB; these rows are what an undo needs to restore exactly
what the batch unlinked, and only while each link is still as the batch left it: the version
its write left (`version_left`), which the restore is conditioned on.
"""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lookup.domain.bulk import LeftAlone, LinkKey

_SUBJECT = re.compile(r"^bulk unlink (\d+)$")


class BulkUnlink(models.Model):
    """One lead's bulk unlink, and its undo once undone."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(_("lead"), max_length=150)
    reason = models.TextField(_("reason"))
    # A digest of the preview confirmed: the same preview sent twice is one batch. NULL (not
    # "") for a batch made without one, as unique allows many NULLs.
    preview = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    unlinked = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # Whether the items say what searches still find their customers through (read after the
    # writes; False if DynamoDB failed then).
    still_found_known = models.BooleanField(default=False)
    # Set (atomically, once) by the undo that claims the batch: a second undo finds it set.
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.CharField(max_length=150, blank=True)
    restored = models.PositiveIntegerField(default=0)
    undo_skipped = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("bulk unlink")
        ordering = ["-at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.subject

    @property
    def subject(self) -> str:
        """How audit entries name the batch (their `subject`); the admin links it here."""
        return f"bulk unlink {self.pk}"

    @staticmethod
    def id_from_subject(subject: str) -> int | None:
        found = _SUBJECT.match(subject or "")
        return int(found.group(1)) if found else None


class BulkUnlinkItem(models.Model):
    """One link of a batch: the version the preview showed, what the unlink did and, after an
    undo, what the restore did."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not written yet")
        UNLINKED = "unlinked", _("Unlinked")
        RESTORED = "restored", _("Restored")
        SKIPPED = "skipped", _("Skipped")

    batch = models.ForeignKey(BulkUnlink, on_delete=models.CASCADE, related_name="items")
    phone = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=128)
    legacy_id = models.CharField(max_length=255, blank=True)
    version_shown = models.PositiveBigIntegerField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    why = models.CharField(max_length=32, blank=True)  # a `LeftAlone` when skipped
    version_left = models.PositiveBigIntegerField(null=True, blank=True)
    # What searches still find the customer through, once unlinked: "profile +44…, order +44…".
    still_found_through = models.CharField(max_length=255, blank=True)
    undo_outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    undo_why = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.key.text}"

    @property
    def key(self) -> LinkKey:
        return LinkKey(
            phone=self.phone, customer_id=self.customer_id, legacy_id=self.legacy_id or None
        )

    @property
    def left_alone(self) -> LeftAlone | None:
        return LeftAlone(self.why) if self.why else None

    @property
    def undo_left_alone(self) -> LeftAlone | None:
        return LeftAlone(self.undo_why) if self.undo_why else None
