"""Settings for the test suite: the production settings with test-only secrets and fast hashing.

The relational database is SQLite in memory, unless TEST_DATABASE_URL names another one: the
PostgreSQL tier (`make test-postgres`) runs the database-touching tests again on PostgreSQL,
the production database. pytest-django creates and drops its own `test_<name>` database there.
"""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdefghijkl"
)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DYNAMODB_TABLE_NAME", "phone-lookup-test")

from supporttool.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if os.environ.get("TEST_DATABASE_URL"):
    DATABASES["default"] = env.db("TEST_DATABASE_URL")  # noqa: F405
else:
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The test client and live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
# Most ingestion tests run without the relational database (the worker's, the backfill's):
# the tests of the review queue turn its ingestion hook on (tests/review).
REVIEW_QUEUE_ON_INGEST = False
