"""Services: every write, and the audit entry that goes with it.

* `search`: the searches the pages and the API run, each recorded (`search_record`,
  `readings_record`);
* `customers`: opening a customer page or an unlink/restore confirmation, recorded
  (`customer_open`, `link_open`);
* `links`: the read -> rule -> conditional-save loop every link write goes through, and the
  staff decisions (`link_decide`: unlink or restore);
* `ingestion`: order events -> links (`order_event_ingest`, used by the worker, the API and the
  backfill);
* `migration`: legacy lookup records -> current links (`legacy_migrate`, `legacy_plan`).

Reads live in `lookup.selectors`, which write nothing.
"""
