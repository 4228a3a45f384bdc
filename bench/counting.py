"""Counting the AWS requests a piece of code makes, with botocore's own event hooks.

`before-send.<service>.<operation>` fires once per HTTP request a client is about to send
(retries included): what costs a round trip, and what DynamoDB or SQS bill.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager


class RequestCounter:
    """Requests per operation ("dynamodb:Query") sent by the clients it is attached to."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._clients: list = []

    def attach(self, client) -> None:
        service = client.meta.service_model.service_name
        client.meta.events.register(f"before-send.{service}", self._seen)
        self._clients.append(client)

    def detach(self) -> None:
        for client in self._clients:
            service = client.meta.service_model.service_name
            client.meta.events.unregister(f"before-send.{service}", self._seen)
        self._clients.clear()

    def _seen(self, event_name: str, **kwargs) -> None:
        _, service, operation = event_name.split(".", 2)  # "before-send.dynamodb.Query"
        self.counts[f"{service}:{operation}"] += 1
        return None  # go on and send it

    def total(self, prefix: str = "") -> int:
        return sum(n for name, n in self.counts.items() if name.startswith(prefix))

    def reset(self) -> None:
        self.counts.clear()


@contextmanager
def requests_counted(*clients) -> Iterator[RequestCounter]:
    counter = RequestCounter()
    for client in clients:
        counter.attach(client)
    try:
        yield counter
    finally:
        counter.detach()
