"""The review queue's store (`ReviewItem`): this tool's own table of the live links a lead
should look at, kept by `lookup.services.review` (docs/architecture.md, "The review queue").

One row per queued link; the DynamoDB table stays the truth, a row says what the rule made of
the link when it was last evaluated (`evaluated_at`, at `version`). Imported by `lookup.models`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lookup.domain.review import ReviewReason


class ReviewItem(models.Model):
    class Reason(models.TextChoices):
        SUPERSEDED = ReviewReason.SUPERSEDED.value, _("Passed to another customer")
        POSSIBLY_STALE = ReviewReason.POSSIBLY_STALE.value, _("Possibly stale")

    customer_id = models.CharField(max_length=128)
    phone = models.CharField(max_length=64, help_text=_("E.164 as stored"))
    # The legacy record's id ("" for a UserPhoneLookUp): "" rather than NULL so the link's
    # identity can be unique in SQL, where NULLs never collide.
    legacy_id = models.CharField(max_length=128, blank=True, default="")
    source = models.CharField(max_length=16)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    # The queue's order, superseded first (`ReviewReason.rank`); kept beside `reason` so one
    # index serves the page's default order.
    rank = models.PositiveSmallIntegerField()
    first_seen = models.DateTimeField(null=True, blank=True)
    # The latest evidence of the link: last seen, else first seen (`PhoneLink.seen`).
    last_seen = models.DateTimeField(null=True, blank=True)
    order_count = models.PositiveIntegerField(null=True, blank=True)
    # The link's country, else the number's region: the page's country filter.
    country = models.CharField(max_length=2, blank=True)
    superseded_since = models.DateTimeField(null=True, blank=True)
    superseded_by = models.CharField(max_length=128, blank=True)
    superseder_first_seen = models.DateTimeField(null=True, blank=True)
    superseder_last_seen = models.DateTimeField(null=True, blank=True)
    superseder_order_count = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveBigIntegerField(default=0)
    evaluated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("review queue item")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["phone", "customer_id", "legacy_id"], name="review_item_link"
            ),
        ]
        indexes = [
            # The page's order, unfiltered and by reason (rank is the reason).
            models.Index(fields=["rank", "last_seen", "id"], name="review_rank_seen"),
            models.Index(fields=["country", "rank", "last_seen"], name="review_country_rank"),
            # A scan's end removes the rows it did not confirm.
            models.Index(fields=["evaluated_at"], name="review_evaluated_at"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.phone} {self.reason}"


class ReviewScan(models.Model):
    """One complete `review_scan`: when the whole table was last read into the queue (the
    page's empty state says so) and what it found."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(db_index=True)
    items = models.PositiveBigIntegerField()
    numbers = models.PositiveBigIntegerField()
    rows = models.PositiveIntegerField(help_text=_("rows in the queue when it finished"))
    consumed = models.FloatField(help_text=_("read capacity units"))

    class Meta:
        verbose_name = _("review queue scan")
        default_permissions = ()
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"scan finished {self.finished_at:%Y-%m-%d %H:%M}"
