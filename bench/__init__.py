"""The measuring instrument behind `make bench` (docs/performance.md).

* `run`: the command line, the sections, the order they run in;
* `dataset`: the benchmark's table at each size, loaded once and reused;
* `stack`: the app's environment, gunicorn as deployed, a signed-in agent;
* `pages`: the search and customer pages beside their raw DynamoDB calls;
* `ingestion`: order events through the worker, the ingest function and raw writes;
* `counting`: AWS requests counted with botocore's event hooks;
* `profiling`: where a page's or an event's time goes, sampled with py-spy;
* `stats`, `report`: percentiles, the printed table and the JSON.
"""
