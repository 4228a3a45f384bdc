from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lookup.queue import QueueUnavailable, queue_client, queues_ensure
from lookup.targets import queue_target_describe


class Command(BaseCommand):
    help = (
        "Create the order-events queue (ORDER_EVENTS_QUEUE_URL) and its dead-letter queue with "
        "a redrive policy if missing. For local runs and tests: in production the queues are "
        "infrastructure."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--max-receive-count",
            type=int,
            default=None,
            help="Receives before a message moves to the dead-letter queue "
            "(default ORDER_EVENTS_MAX_RECEIVE_COUNT).",
        )

    def handle(self, *args, max_receive_count, **options) -> None:
        url = settings.ORDER_EVENTS_QUEUE_URL
        if not url:
            raise CommandError("Set ORDER_EVENTS_QUEUE_URL: its last segment names the queue.")
        receives = (
            settings.ORDER_EVENTS_MAX_RECEIVE_COUNT
            if max_receive_count is None
            else max_receive_count
        )
        if not 1 <= receives <= 1000:
            raise CommandError("The max receive count must be between 1 and 1000.")
        client = queue_client()
        self.stdout.write(f"Ensuring {queue_target_describe(client=client, url=url)}.")
        try:
            actions, dlq_url = queues_ensure(
                client=client,
                url=url,
                max_receive_count=receives,
                visibility_timeout=settings.ORDER_EVENTS_VISIBILITY_TIMEOUT,
            )
        except (QueueUnavailable, ValueError) as exc:
            raise CommandError(f"Could not ensure the queues: {exc}") from exc
        for action in actions:
            self.stdout.write(self.style.SUCCESS(action))
        if not actions:
            self.stdout.write(f"Queue {url} and its dead-letter queue {dlq_url} are in place.")
