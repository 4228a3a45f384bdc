"""gunicorn for the phone lookup tool: `gunicorn -c gunicorn.conf.py` (bin/run-local does).

Threads, not one process per request: a search waits on DynamoDB, and a hung DynamoDB must hold
only the threads of the searches that need it (each gives up within about 2 s, see
DYNAMODB_READ_TIMEOUT_SECONDS) while login, the admin and every other page keep answering from
the other threads. Sized for the 2-core machines this runs on: one process per core (a crash or
a long GC pause in one leaves the other serving) with 16 threads each. The work is mostly
waiting on the network, so far more threads than cores is right; and a worker queues whatever
it accepted behind its own threads, so each needs enough for a burst of searches stuck on a hung
DynamoDB (about 2 s each) plus the sign-ins and admin pages that must not wait behind them.
Each thread keeps its database connection between requests (DATABASE_CONN_MAX_AGE, 300 s by
default), so a process holds up to GUNICORN_THREADS connections, idle threads' included.
Override with GUNICORN_WORKERS and GUNICORN_THREADS; bind with GUNICORN_BIND (default
127.0.0.1:$PORT).
"""

import os

# Wrapped to read chunked request bodies, which Django alone reads as empty (wsgi_input.py).
wsgi_app = "supporttool.wsgi"
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# A request still running after this is a bug, not a slow dependency (those time out in ~2 s).
timeout = 30
graceful_timeout = 20
# Seconds an idle client connection stays open: longer than an AWS load balancer's idle timeout
# (60 s), or the balancer may reuse a connection gunicorn just closed (an occasional 502).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# The app writes one access line per request itself, with its request id, user and duration.
accesslog = None
errorlog = "-"
# Whether a request came over HTTPS is Django's call (SECURE_PROXY_SSL_HEADER, only with
# TRUST_PROXY_HEADERS); gunicorn would otherwise believe X-Forwarded-Proto from 127.0.0.1.
forwarded_allow_ips = ""


def post_worker_init(worker) -> None:
    """Build the DynamoDB client before the first request rather than during it.

    Loading botocore's service models takes about a second of CPU; done lazily, the first
    searches of a fresh worker pay it under the GIL, together.
    """
    from lookup.repository import get_table

    get_table()
