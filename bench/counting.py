"""Counting the AWS requests a piece of code makes, with botocore's own event hooks.

`before-send.<service>.<operation>` fires once per HTTP request a client is about to send
(retries included): what costs a round trip, and what DynamoDB or SQS bill.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

# DynamoDB operations that report the capacity they consumed when asked to.
_CAPACITY_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
    }
)
_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})


class RequestCounter:
    """Requests per operation ("dynamodb:Query") sent by the clients it is attached to, and,
    with `capacity`, the read and write capacity units DynamoDB says they consumed (each
    request asks for `ReturnConsumedCapacity: TOTAL`; the answer is the service's own)."""

    def __init__(self, *, capacity: bool = False) -> None:
        self.counts: Counter[str] = Counter()
        self.read_units = 0.0
        self.write_units = 0.0
        self._capacity = capacity
        self._clients: list = []

    def attach(self, client) -> None:
        service = client.meta.service_model.service_name
        client.meta.events.register(f"before-send.{service}", self._seen)
        if self._capacity and service == "dynamodb":
            client.meta.events.register("before-parameter-build.dynamodb", self._ask_capacity)
            client.meta.events.register("after-call.dynamodb", self._consumed)
        self._clients.append(client)

    def detach(self) -> None:
        for client in self._clients:
            service = client.meta.service_model.service_name
            client.meta.events.unregister(f"before-send.{service}", self._seen)
            if self._capacity and service == "dynamodb":
                client.meta.events.unregister("before-parameter-build.dynamodb", self._ask_capacity)
                client.meta.events.unregister("after-call.dynamodb", self._consumed)
        self._clients.clear()

    def _ask_capacity(self, params, model, **kwargs) -> None:
        if model.name in _CAPACITY_OPERATIONS:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _consumed(self, http_response, parsed, model, **kwargs) -> None:
        consumed = parsed.get("ConsumedCapacity") or []
        if isinstance(consumed, dict):
            consumed = [consumed]
        units = sum(float(entry.get("CapacityUnits", 0)) for entry in consumed)
        if not units and model.name in _WRITES and "Error" in parsed:
            # A refused conditional write is billed too (1 unit for a small item), but its
            # error answer carries no capacity: count what DynamoDB bills.
            units = 1.0
        if model.name in _WRITES:
            self.write_units += units
        else:
            self.read_units += units

    def _seen(self, event_name: str, **kwargs) -> None:
        _, service, operation = event_name.split(".", 2)  # "before-send.dynamodb.Query"
        self.counts[f"{service}:{operation}"] += 1
        return None  # go on and send it

    def total(self, prefix: str = "") -> int:
        return sum(n for name, n in self.counts.items() if name.startswith(prefix))

    def reset(self) -> None:
        self.counts.clear()
        self.read_units = self.write_units = 0.0


@contextmanager
def requests_counted(*clients, capacity: bool = False) -> Iterator[RequestCounter]:
    counter = RequestCounter(capacity=capacity)
    for client in clients:
        counter.attach(client)
    try:
        yield counter
    finally:
        counter.detach()
