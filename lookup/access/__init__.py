"""The access layer: who is calling, whether they may, how often, and how a refusal is answered.

Pages (`lookup.views`) and the API (`lookup.api`) import it; it imports the audit writer, the
models, the log context and Django, never a view nor `lookup.api` (docs/architecture.md).

* `identity` - the client address and the request's user;
* `roles`, `permissions` - the roles, the one decorator a page names its permission with (it
  marks, enforces and audits), the permissions backend;
* `rates`, `rate_limits` - the per-minute counters and the one rate-limit factory;
* `lockout` - sign-in lockout (django-axes) wired to the tool;
* `api_keys`, `api_calls` - API keys on requests, and `api_view`, the API's guards composed;
* `answers` - every refusal's answer: the 429 and 503 as a page for people or the API's JSON
  error for services, with one retry formula.
"""
