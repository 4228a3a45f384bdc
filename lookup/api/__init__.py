"""The synchronous HTTP API other services call (docs/api.md, served OpenAPI document).

JSON in and out, authenticated with per-client API keys (`lookup.models.ApiClient`), never with
session cookies - which is why its views are exempt from CSRF while the pages are not.
"""
