import json
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lookup.domain.errors import InvalidField
from lookup.domain.evidence import OrderSkipped
from lookup.domain.times import format_timestamp, utc_now
from lookup.events import ACCOUNT_PHONE_FIELD, EVENT_TYPE, order_event_parse
from lookup.queue import OrderEventQueue, QueueUnavailable, queue_client
from lookup.targets import queue_target_describe


class Command(BaseCommand):
    help = (
        "Publish a sample order-committed event to the order-events queue, as the order "
        "service would, so you can watch the link appear in the tool."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customer", required=True, help="The customer's cognitoId.")
        parser.add_argument(
            "--phone", default=None, help="Drop-off phone, in any format the order form takes."
        )
        parser.add_argument(
            "--pickup",
            action="store_true",
            help="An order without delivery (pickup, dine-in, drive-through): no drop-off "
            "phone. It links --account-phone if given, else the worker skips it.",
        )
        parser.add_argument(
            "--account-phone",
            default=None,
            help="The customer's account phone (order.customer.phoneNumber), linked when the "
            "order has no drop-off phone.",
        )
        parser.add_argument(
            "--country", required=True, help="The order's country (ISO 3166 alpha-2), e.g. GB."
        )
        parser.add_argument("--order-id", default=None, help="Default: a new ord_… id.")
        parser.add_argument(
            "--created-at", default=None, help="Order creation time, ISO 8601 (default now)."
        )
        parser.add_argument(
            "--sns", action="store_true", help="Wrap the event in an SNS notification envelope."
        )
        parser.add_argument(
            "--allow-invalid",
            action="store_true",
            help="Publish even if the event is invalid (to watch it reach the dead-letter queue).",
        )

    def handle(self, *args, **options) -> None:
        url = settings.ORDER_EVENTS_QUEUE_URL
        if not url:
            raise CommandError("No queue: set ORDER_EVENTS_QUEUE_URL.")
        if options["pickup"] and options["phone"] is not None:
            raise CommandError("A --pickup order has no drop-off phone: leave out --phone.")
        if not options["pickup"] and options["phone"] is None:
            raise CommandError(
                "Give --phone (the drop-off phone), or --pickup for an order without delivery."
            )
        now = format_timestamp(utc_now())
        order_id = options["order_id"] or f"ord_{uuid.uuid4().hex[:16]}"
        order = {
            "id": order_id,
            "customerId": options["customer"],
            "country": options["country"],
            "createdAt": options["created_at"] or now,
        }
        if not options["pickup"]:
            order["delivery"] = {"dropoff": {"phoneNumber": options["phone"]}}
        if options["account_phone"] is not None:
            order["customer"] = {"phoneNumber": options["account_phone"]}
        event = {
            "type": EVENT_TYPE,
            "id": f"evt_{uuid.uuid4().hex[:16]}",
            "occurredAt": now,
            "order": order,
        }
        what = ""
        try:
            parsed = order_event_parse(event)
        except InvalidField as exc:
            if not options["allow_invalid"]:
                raise CommandError(f"Invalid event, not published: {exc}") from exc
            self.stderr.write(f"Publishing an invalid event on purpose: {exc}")
        else:
            if isinstance(parsed, OrderSkipped):
                what = f" with no phone to link ({parsed.reason}: the worker skips it)"
            elif parsed.phone_field == ACCOUNT_PHONE_FIELD:
                what = f" with account phone {parsed.phone}"
            else:
                what = f" with drop-off phone {parsed.phone}"
        body = json.dumps(event)
        if options["sns"]:
            body = json.dumps(
                {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": "arn:aws:sns:local:000000000000:order-events",
                    "Message": body,
                    "Timestamp": now,
                }
            )
        client = queue_client()
        self.stdout.write(f"Publishing to {queue_target_describe(client=client, url=url)}.")
        try:
            message_id = OrderEventQueue(client=client, url=url).event_send(body=body)
        except QueueUnavailable as exc:
            raise CommandError(f"Could not publish to {url}: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Published order {order_id} of customer {options['customer']}{what} "
                f"as message {message_id}."
            )
        )
