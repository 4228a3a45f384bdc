"""Settings for the phone lookup support tool.

Every value comes from the environment (optionally a `.env` file next to manage.py) through one
`environ.Env`; `.env.example` documents each variable. Each setting is assigned once, and no list
is changed after it is declared. The rules a value must follow are Django system checks
(supporttool/checks.py); the last lines run them once so that a process refuses to start
half-configured (gunicorn runs no system checks): with DJANGO_DEBUG off (the default) the secret
key and allowed hosts are required.
AWS endpoints, region and credentials are deliberately absent: boto3 reads botocore's own
variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS, AWS_DEFAULT_REGION, ...).
"""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import environ

from supporttool import vault
from supporttool.checks import settings_refuse_invalid

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Values already in the environment win over the file.
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Secrets may live in AWS Secrets Manager or SSM Parameter Store instead of the environment:
# the *_SECRET_ARN settings name them, and win over the plain variables (supporttool/vault.py).
# Production's key and hosts have no default (supporttool.E001, E002).
SECRET_KEY_SECRET_ARN = env.str("DJANGO_SECRET_KEY_SECRET_ARN", default="")
if SECRET_KEY_SECRET_ARN:
    SECRET_KEY = vault.secret_read(
        setting="DJANGO_SECRET_KEY_SECRET_ARN",
        reference=SECRET_KEY_SECRET_ARN,
        key="DJANGO_SECRET_KEY",
    )
elif DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-development-key")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
if DEBUG:
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
else:
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# --- Rotating the secret key: docs/deploy.md, "Rotating the secret key" -------------------------
# Previous keys, comma-separated: what they signed (sessions, API result cursors) is still
# accepted while everything new is signed with DJANGO_SECRET_KEY, so a rotation signs nobody out.
# Remove them once the sessions they signed have ended (SESSION_ABSOLUTE_TIMEOUT_HOURS).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "lookup",
    # The API's admin (API clients) is registered by its app's admin module.
    "lookup.api.apps.ApiConfig",
    "supporttool.apps.SupportToolConfig",
]

# Sites allowed to show the tool in a frame (a helpdesk's side panel), as origins:
# https://acme.zendesk.com. Empty (the default): no site may frame it (X-Frame-Options: DENY and
# frame-ancestors 'none'). Set: Content-Security-Policy frame-ancestors lists exactly these, and
# X-Frame-Options (which cannot name a site) is not sent.
EMBED_ALLOWED_ORIGINS = env.list("EMBED_ALLOWED_ORIGINS", default=[])
_frame_options = (
    [] if EMBED_ALLOWED_ORIGINS else ["django.middleware.clickjacking.XFrameOptionsMiddleware"]
)

MIDDLEWARE = [
    # First: /healthz and /readyz answer before every other middleware (lookup/health.py): load
    # balancers probe by the target's IP (no allowed host) over plain HTTP (before any HTTPS
    # redirect), and a probe needs no session, request id, audit entry or rate limit.
    "lookup.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lookup.middleware.RequestIdMiddleware",
    "lookup.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the cookie a sign-in or the language menu sets, else Accept-Language,
    # else LANGUAGE_CODE (lookup/languages/choice.py); the API is English. Reads no table.
    "lookup.languages.middleware.DeskLocaleMiddleware",
    "lookup.languages.choice.SignInLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lookup.middleware.RequestUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lookup.middleware.SessionLifetimeMiddleware",
    # After CSRF: a single sign-on session is checked with the provider at an interval.
    "lookup.sso.middleware.SsoSessionCheckMiddleware",
    *_frame_options,
    "lookup.middleware.DirectoryUnavailableMiddleware",
    # Last: turns a sign-in refused by the lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "supporttool.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lookup.context_processors.desk",
            ],
        },
    },
]

WSGI_APPLICATION = "supporttool.wsgi.application"

_database = env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
# The credentials (RDS's secret: username and password, maybe host, port, dbname) or a whole
# DATABASE_URL from the vault; DATABASE_URL then gives the address and the TLS options.
DATABASE_SECRET_ARN = env.str("DATABASE_SECRET_ARN", default="")
if DATABASE_SECRET_ARN:
    _database = vault.database_with_secret(
        database=_database,
        secret=vault.secret_read(setting="DATABASE_SECRET_ARN", reference=DATABASE_SECRET_ARN),
        setting="DATABASE_SECRET_ARN",
    )
# SQLite with several web processes (make run): transactions take the write lock when they
# begin, so concurrent writers (the audit trail, the rate counters, the lockout records) wait
# their turn instead of failing "database is locked". Write-ahead logging lets pages read while
# another process writes, and commits without a sync of the whole file each time (the audit
# entry of every search is a commit).
_sqlite_options = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {
    "default": {
        **_database,
        **(
            {"OPTIONS": {**_database.get("OPTIONS", {}), **_sqlite_options}}
            if _database["ENGINE"] == "django.db.backends.sqlite3"
            else {}
        ),
        # Keep each thread's database connection between requests (checked before reuse):
        # opening one (TCP, authentication, a new PostgreSQL backend) cost more than the rest of
        # a page's SQL. Each web process holds at most one per thread (GUNICORN_THREADS).
        "CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=300),
        "CONN_HEALTH_CHECKS": True,
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "lookup:search"
LOGOUT_REDIRECT_URL = "login"

# The language of a page for someone who chose none and whose browser asks for none the desk
# speaks (docs/languages.md, "Which language"); one of LANGUAGES, or a regional variant of one.
LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="en-us")
# Times Django formats itself (the admin) are written as the desk writes them (supporttool/formats).
FORMAT_MODULE_PATH = ["supporttool.formats"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
# The desk's languages (docs/languages.md), each named in itself as a language menu shows it.
# European Portuguese is "pt", Django's own code for it (its bundled catalogues are pt-PT):
# a browser asking for pt-PT gets it, one asking for pt-BR gets Brazilian Portuguese.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("pt-br", "Português (Brasil)"),
    ("pt", "Português (Portugal)"),
    ("fr", "Français"),
    ("de", "Deutsch"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
# Counts in the reader's separators: "1,234" in English, "1.234" in German, "1 234" in French.
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Messages can carry a freshly issued API key: keep them server-side, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Customer data: a link from another site must not arrive signed in (and act in the agent's
# name), so Strict. Inside another site's frame the browser withholds SameSite=Strict and Lax
# cookies, so an embedded tool could not keep anyone signed in: embedding a site that is not ours
# (another registrable domain) needs SameSite=None, which browsers accept only on Secure (HTTPS)
# cookies (supporttool.E012), and then applies to the CSRF cookie too. A helpdesk on a sibling
# subdomain (helpdesk.example.com framing support.example.com) is the same site and can keep
# Strict.
SESSION_COOKIE_SAMESITE = env.str(
    "SESSION_COOKIE_SAMESITE", default="None" if EMBED_ALLOWED_ORIGINS else "Strict"
)
if SESSION_COOKIE_SAMESITE == "None":
    CSRF_COOKIE_SAMESITE = "None"
# The language cookie carries the person's choice from sign-in to sign-in on this browser (set
# from their account at each sign-in): a year, sent where the session cookie is.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "None" if SESSION_COOKIE_SAMESITE == "None" else "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Phone lookup --------------------------------------------------------------------------------

# The single DynamoDB table shared with the users and order services (DESIGN.md section 3).
# No default outside DJANGO_DEBUG: a default would be production's own name, so a command run
# with admin credentials and no endpoint override would write to the shared table.
DYNAMODB_TABLE_NAME = env.str("DYNAMODB_TABLE_NAME", default="phone-lookup" if DEBUG else "")
DYNAMODB_INDEX_NAME = env.str("DYNAMODB_INDEX_NAME", default="gsi1")

# Region used to read a number typed without an international prefix, until the agent has
# searched (then their last search's country), and for links that name no country.
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="GB").upper()
# The countries the business works in: listed first in the country box, and tried when a number
# typed in national format finds nobody in the chosen country ("did you mean").
PHONE_REGIONS = [code.upper() for code in env.list("PHONE_REGIONS", default=["GB"])]

# Allows `create_demo_users` (known passwords): for local runs only, never in production.
LOCAL_DEMO = env.bool("LOCAL_DEMO", default=False)

# Customers per page of search results; one BatchGetItem fetches a page, so at most 100.
SEARCH_PAGE_SIZE = max(1, min(env.int("SEARCH_PAGE_SIZE", default=25), 100))

# Numbers per page of a customer page: an operator's account can collect thousands, and the
# page's size and rendering must not grow with them.
CUSTOMER_NUMBERS_PAGE_SIZE = max(1, min(env.int("CUSTOMER_NUMBERS_PAGE_SIZE", default=25), 500))
# An account linked to at least this many numbers is flagged "probably shared" (an operator or a
# call centre placing orders for many callers); 0 never flags one.
SHARED_ACCOUNT_NUMBERS_THRESHOLD = max(0, env.int("SHARED_ACCOUNT_NUMBERS_THRESHOLD", default=50))

# Whether legacy lookup records (the older one-customer-per-phone design) may still be in the
# table: then a first link reads the customer's legacy records (one Query) in case a lead's
# unlink of one already decided the order. Turn off once `migrate_legacy_lookups` reports that
# none remain: a first link is then one write.
LEGACY_LOOKUPS_REMAIN = env.bool("LEGACY_LOOKUPS_REMAIN", default=True)

# Order-derived links not seen on any order for this long are flagged "possibly stale".
STALE_LINK_AFTER_DAYS = env.int("STALE_LINK_AFTER_DAYS", default=365)
# The most links one bulk unlink takes (lookup/services/bulk.py): a preview of more holds the
# first this many, says how many more match, and leaves them for the next action.
BULK_UNLINK_MAX_LINKS = env.int("BULK_UNLINK_MAX_LINKS", default=500)

# Whether recording an order keeps the review queue current (lookup.services.review): a first
# link on a number costs one Query more, any other order one SQL query. Off, only the nightly
# `manage.py review_scan` and the leads' unlinks and restores keep it.
REVIEW_QUEUE_ON_INGEST = env.bool("REVIEW_QUEUE_ON_INGEST", default=True)

# Audit entries older than this are removed by `manage.py prune_audit`.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=400)
# Behind a load balancer that appends the caller's address to X-Forwarded-For and sets
# X-Forwarded-Proto, trust those headers (the right-most X-Forwarded-For entry, the one the
# proxy added). Off: REMOTE_ADDR, whatever the client sends.
TRUST_PROXY_HEADERS = env.bool("TRUST_PROXY_HEADERS", default=False)
# A request-id header the proxy always sets itself, overwriting any the client sent (nginx
# `proxy_set_header X-Request-ID $request_id;`), to share one id between its logs and ours.
# Empty (the default): the app makes its own ids. An AWS load balancer passes X-Request-ID
# through from the client, so do not name it there.
REQUEST_ID_HEADER = env.str("REQUEST_ID_HEADER", default="")

# --- Order events (SQS): docs/ingestion.md ---
# The queue `consume_order_events` reads and `publish_order_event` writes to (full SQS URL).
ORDER_EVENTS_QUEUE_URL = env.str("ORDER_EVENTS_QUEUE_URL", default="")
# Long-poll wait of each receive (SQS allows 0-20 seconds).
ORDER_EVENTS_WAIT_SECONDS = max(0, min(env.int("ORDER_EVENTS_WAIT_SECONDS", default=20), 20))
# A message failing for a transient reason (DynamoDB unavailable) is retried after
# base * 2**(receives - 1) seconds, capped at the maximum (SQS allows up to 12 hours).
ORDER_EVENTS_RETRY_BASE_SECONDS = env.int("ORDER_EVENTS_RETRY_BASE_SECONDS", default=10)
ORDER_EVENTS_RETRY_MAX_SECONDS = min(env.int("ORDER_EVENTS_RETRY_MAX_SECONDS", default=900), 43200)
# `ensure_queues` only: receives before SQS moves a message to the dead-letter queue, and the
# queue's visibility timeout (longer than a batch takes, shorter than an acceptable delay).
ORDER_EVENTS_MAX_RECEIVE_COUNT = env.int("ORDER_EVENTS_MAX_RECEIVE_COUNT", default=5)
ORDER_EVENTS_VISIBILITY_TIMEOUT = env.int("ORDER_EVENTS_VISIBILITY_TIMEOUT", default=60)
# Each worker process logs `worker heartbeat` this often, idle or not: the liveness alarm counts
# those lines (lookup/worker/heartbeat.py).
WORKER_HEARTBEAT_SECONDS = max(1, env.int("WORKER_HEARTBEAT_SECONDS", default=60))

# --- Single sign-on (OpenID Connect): docs/sso.md ------------------------------------------------
# Off by default (local runs sign in with passwords). On, the login page offers the company's
# identity provider; each sign-in creates or updates the account and sets its roles from the
# provider's groups claim (lookup/sso/).
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
# Off once SSO works in production: the login form makes way for the SSO button and no password
# is accepted by the web app at all (break-glass access: docs/sso.md).
PASSWORD_LOGIN_ENABLED = env.bool("PASSWORD_LOGIN_ENABLED", default=True)
# Shown on the button: "Sign in with <name>".
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your company account")
# The client registered at the provider, and the provider's endpoints (from its discovery
# document, <issuer>/.well-known/openid-configuration).
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_CLIENT_SECRET_ARN = env.str("OIDC_RP_CLIENT_SECRET_ARN", default="")
if OIDC_RP_CLIENT_SECRET_ARN:
    OIDC_RP_CLIENT_SECRET = vault.secret_read(
        setting="OIDC_RP_CLIENT_SECRET_ARN",
        reference=OIDC_RP_CLIENT_SECRET_ARN,
        key="OIDC_RP_CLIENT_SECRET",
    )
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
# Optional: without it the claims come from the ID token alone (Azure AD's groups are only there).
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
# client_secret_basic instead of client_secret_post at the token endpoint.
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("OIDC_TOKEN_USE_BASIC_AUTH", default=False)
# Seconds for each request to the provider (token, userinfo, JWKS); the library waits forever
# without one.
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT_SECONDS", default=5.0)
# Which claim names the account, which claim lists the groups, and which groups grant each role
# (comma-separated; a group in several lists grants several roles). No mapped group: refused.
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_AGENT_GROUPS = env.list("OIDC_AGENT_GROUPS", default=[])
OIDC_LEAD_GROUPS = env.list("OIDC_LEAD_GROUPS", default=[])
OIDC_ADMIN_GROUPS = env.list("OIDC_ADMIN_GROUPS", default=[])
# A single sign-on session is confirmed with the provider this often (silently, prompt=none):
# someone the provider signed out, or whose groups no longer grant a role, loses access by then.
OIDC_SESSION_CHECK_INTERVAL = 60 * env.int("OIDC_SESSION_CHECK_MINUTES", default=15)
# Protocol choices, not knobs: authorization code flow with state, nonce and PKCE (S256).
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_VERIFY_SSL = True

# Without password login only the SSO backend remains (SSO must then be on: supporttool.E005),
# so no password is checked anywhere (the Django admin's login included) and sessions opened
# with a password end.
AUTHENTICATION_BACKENDS = [
    # First: a locked account or address is refused before any other check (see below).
    "lookup.access.lockout.LockoutBackend",
    # Permissions only: a user's and their roles' in one query (lookup/access/permissions.py).
    "lookup.access.permissions.RolePermissionsBackend",
    *(["lookup.sso.backend.RoleMappingOIDCBackend"] if OIDC_ENABLED else []),
    *(["django.contrib.auth.backends.ModelBackend"] if PASSWORD_LOGIN_ENABLED else []),
]

# --- Transport security, Content-Security-Policy, sessions --------------------------------------
# Production is HTTPS only. Behind a TLS-terminating proxy keep both on with TRUST_PROXY_HEADERS
# (the app then reads X-Forwarded-Proto); turn one off only where the proxy does that job itself.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# Only a proxy we trust may tell us the original request was HTTPS; otherwise any client could.
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# `check --deploy` warns about choices made on purpose, so silence exactly those: HSTS or the
# redirect turned off for a proxy that does them, and preload (a decision for the owner of the
# whole domain, who submits it to browsers' lists, not for this app).
SILENCED_SYSTEM_CHECKS = [
    *(["security.W004"] if not DEBUG and SECURE_HSTS_SECONDS == 0 else []),
    *(["security.W008"] if not DEBUG and not SECURE_SSL_REDIRECT else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]

# No inline script or style anywhere (the admin included): injected markup cannot run or restyle
# the page. frame-ancestors repeats X_FRAME_OPTIONS for browsers that only read CSP.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": list(EMBED_ALLOWED_ORIGINS) or ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Sessions end after SESSION_IDLE_TIMEOUT_MINUTES without a request (to the minute: the expiry is
# renewed by a save at most once a minute) and SESSION_ABSOLUTE_TIMEOUT_HOURS after sign-in
# however active (lookup.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 60 * env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_ABSOLUTE_TIMEOUT = 3600 * env.int("SESSION_ABSOLUTE_TIMEOUT_HOURS", default=12)

# --- DynamoDB client budget (lookup/repository/dynamo.py dynamodb_client) ---
# Tight, so that a hung DynamoDB gives the 503 page within about 2 s and frees the web thread:
# each call makes at most DYNAMODB_MAX_ATTEMPTS attempts in all (the first included), each of at
# most the two timeouts, with botocore's short jittered backoff between them (measured: 1.3-2.6 s
# for a search against a stopped DynamoDB). Batch jobs may run with more generous values.
DYNAMODB_CONNECT_TIMEOUT_SECONDS = env.float("DYNAMODB_CONNECT_TIMEOUT_SECONDS", default=0.5)
DYNAMODB_READ_TIMEOUT_SECONDS = env.float("DYNAMODB_READ_TIMEOUT_SECONDS", default=0.6)
DYNAMODB_MAX_ATTEMPTS = max(1, env.int("DYNAMODB_MAX_ATTEMPTS", default=2))

# --- Privacy ---
# Search results show customers' emails masked (j•••n@example.com); the customer page, each view
# of which is audited, shows them whole. False shows them whole in results too.
MASK_EMAILS_IN_RESULTS = env.bool("MASK_EMAILS_IN_RESULTS", default=True)

# --- Abuse limits: lookup/access/rate_limits.py and lookup/access/lockout.py ------------------
# Per minute, counted in the database so that every process and host shares them; 0 turns a
# limit off. A person's searches by number and customer pages together:
RATE_LIMIT_LOOKUPS_PER_MINUTE = env.int("RATE_LIMIT_LOOKUPS_PER_MINUTE", default=30)
# An API client's calls (the order service's synchronous path must fit: the queue has no limit).
RATE_LIMIT_API_CALLS_PER_MINUTE = env.int("RATE_LIMIT_API_CALLS_PER_MINUTE", default=600)
# Invalid API keys from one client address; past it the address's API calls are refused.
RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE = env.int(
    "RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE", default=10
)
# A lead's bulk unlinks and their undos together, per hour (not minute: each is up to
# BULK_UNLINK_MAX_LINKS writes).
BULK_UNLINKS_PER_HOUR = env.int("BULK_UNLINKS_PER_HOUR", default=10)
# Sign-in lockout (django-axes, state in the database): an account after LOGIN_FAILURE_LIMIT
# failures, a client address after LOGIN_ADDRESS_FAILURE_LIMIT (for any accounts), both within
# and for LOGIN_COOLOFF_MINUTES; every further failure during a lockout restarts it.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
# (AUTHENTICATION_BACKENDS, with single sign-on above, puts the lockout backend first.)
AXES_ENABLED = LOGIN_FAILURE_LIMIT > 0
AXES_FAILURE_LIMIT = max(LOGIN_FAILURE_LIMIT, 1)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "lookup.access.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "lookup.access.lockout.login_client_address"
AXES_LOCKOUT_CALLABLE = "lookup.access.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Sign-ins are on the audit trail already; axes keeps only the failures it counts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# --- Logging -------------------------------------------------------------------------------------
# Every line carries the request id and user of the request it was written in (lookup/logs.py).
# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request_id, user, and
# for the access log method, path, status, duration_ms).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "lookup.logs.RequestContextFilter"},
        "refused_request": {"()": "lookup.logs.RefusedRequestFilter"},
    },
    "formatters": {
        "plain": {
            "()": "lookup.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s",
        },
        "json": {"()": "lookup.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        # One line per request (lookup.middleware.RequestIdMiddleware); WARNING silences it.
        "lookup.requests": {"level": env.str("ACCESS_LOG_LEVEL", default="INFO")},
        # Its own warnings repeat what the audit trail records.
        "axes": {"level": "ERROR"},
        # A refused request (4xx) is one line, a foreign Host a WARNING (lookup.logs).
        "django.request": {"filters": ["refused_request"]},
        "django.security.DisallowedHost": {"filters": ["refused_request"]},
    },
}

# --- The agent's desk: results, customer page, embedding (lookup/views.py, templates/) ----------
# Every page shows times in TIME_ZONE (DJANGO_TIME_ZONE above, an IANA zone: supporttool.E008), in
# one format with the zone named ("20 Nov 2026, 14:05 CET"): one zone for the whole desk, set
# where it works.

# A search started from a search box (or a screen-pop link with open=1) that finds exactly one
# current customer opens that customer's page directly, saying so; false always lists results.
AUTO_OPEN_SINGLE_MATCH = env.bool("AUTO_OPEN_SINGLE_MATCH", default=True)
# Page sizes offered over results, besides SEARCH_PAGE_SIZE (one BatchGetItem each: at most 100).
SEARCH_PAGE_SIZES = [25, 50, 100]

# Order ids on the customer page link to the order tool when set: a URL with {order_id} in it,
# e.g. https://orders.example/{order_id}. Empty: order ids are text with a copy button.
ORDER_URL_TEMPLATE = env.str("ORDER_URL_TEMPLATE", default="")

# (EMBED_ALLOWED_ORIGINS, the sites that may frame the tool, is read above the middleware.)

# Last: a process refuses to start on any setting the system checks call an error.
settings_refuse_invalid(
    SimpleNamespace(**{name: value for name, value in globals().items() if name.isupper()})
)
