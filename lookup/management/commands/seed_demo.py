from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lookup import demo
from lookup.domain.errors import DirectoryUnavailable
from lookup.models import ReviewItem
from lookup.repository import get_profiles, get_table
from lookup.repository.records import records_put
from lookup.services.review_scan import Checkpoint, review_scan_run
from lookup.targets import endpoint_is_aws, table_target_describe


class Command(BaseCommand):
    help = (
        "Write the deterministic demo customers and phone links (idempotent: same data each "
        "run). Local runs only: LOCAL_DEMO=true and a local DynamoDB endpoint "
        "(AWS_ENDPOINT_URL_DYNAMODB)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the demo data is already there.",
        )

    def handle(self, *args, if_empty: bool, **options) -> None:
        table = get_table()
        # 521 fake customers in a shared table other services read cannot be taken back cleanly.
        if not settings.LOCAL_DEMO:
            raise CommandError("Demo data is for local runs only (set LOCAL_DEMO=true).")
        if endpoint_is_aws(endpoint_url=table.client.meta.endpoint_url):
            raise CommandError(
                f"Refusing to write demo data to AWS ({table.client.meta.endpoint_url}): point "
                "AWS_ENDPOINT_URL_DYNAMODB at a local DynamoDB (make run's dynalite)."
            )
        self.stdout.write(f"Writing demo data to {table_target_describe(table=table)}.")
        data = demo.demo_data()
        try:
            if if_empty and get_profiles().profile_exists(customer_id=data.profiles[0].customer_id):
                self.stdout.write("Demo data already present; nothing to do.")
                self._queue_fill(only_if_empty=True)
                return
            written = records_put(
                table=table,
                profiles=data.profiles,
                links=data.links,
                design_links=data.design_links,
            )
        except DirectoryUnavailable as exc:
            raise CommandError(f"Could not write demo data: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {written} items: {len(data.profiles)} customers, "
                f"{len(data.links) + len(data.design_links)} links."
            )
        )
        self.stdout.write(
            "Numbers worth searching: "
            f"{demo.RECEPTION_DESK} (130 customers), {demo.FAMILY_PHONE} (a family phone), "
            f"{demo.SINGLE_OWNER} (one customer), {demo.LEGACY_ONLY} (legacy record), "
            f"{demo.DESIGN_RECORD} (a record in the users service's shape, last week), "
            f"{demo.REASSIGNED} (passed to another customer)."
        )
        self._queue_fill(only_if_empty=False)

    def _queue_fill(self, *, only_if_empty: bool) -> None:
        """Fill the leads' review queue as the nightly scan would, so the demo shows it."""
        if only_if_empty and ReviewItem.objects.exists():
            return
        try:
            review_scan_run(
                segments=4,
                rate=100_000,  # a local dynalite: no capacity to spare for anyone else
                page_size=1000,
                checkpoint=Checkpoint.fresh(segments=4, path=None),
            )
        except DirectoryUnavailable as exc:
            raise CommandError(f"Could not fill the review queue: {exc}") from exc
        self.stdout.write(f"Review queue filled: {ReviewItem.objects.count()} links to review.")
