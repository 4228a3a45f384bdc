"""The order-events worker: SQS messages in, `order_event_ingest` for each, acknowledgements out.

Delivery is at least once and ingestion is idempotent, so the rules are simple:

* a message whose event was recorded (or was already recorded), or skipped (an order with no
  drop-off or account phone: a pickup, say), is deleted, in one DeleteMessageBatch per receive;
* a bad event (not JSON, missing fields, unusable phone) is logged with the reason and made
  visible again at once, so it reaches the queue's maxReceiveCount within seconds and SQS moves
  it to the dead-letter queue: never acknowledged and lost, never retried forever;
* a transient failure (DynamoDB unavailable, or anything unexpected) is left on the queue with
  an exponential backoff visibility; if it keeps failing the same redrive policy ends it in the
  dead-letter queue too;
* when DynamoDB is down (no message of a batch could be recorded, for that reason) the worker
  stops receiving and probes DynamoDB with a growing pause until it answers: every receive
  counts towards the dead-letter queue, so an outage must not spend them.

The rooms: `config` (what a run is told), `processing` (one message, one batch ingested),
`settling` (acknowledge, release for a retry, on to the dead-letter queue), `receiving` (the
batch received ahead), `stopping` (signals, the pause while DynamoDB is out), `heartbeat`,
`report` (the counts and the batch log line), `background` (the one call running beside the
loop), and `loop`, which composes them.
"""

from lookup.worker.config import RetryPolicy, WorkerConfig
from lookup.worker.loop import worker_run
from lookup.worker.report import WorkerReport
from lookup.worker.stopping import GracefulStop

__all__ = ["GracefulStop", "RetryPolicy", "WorkerConfig", "WorkerReport", "worker_run"]
