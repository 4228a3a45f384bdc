"""Log lines that say which request they belong to: request id and user, plain or JSON.

`lookup.middleware.RequestIdMiddleware` puts the request id (and, once known, the user or API
client) in a context variable for the duration of the request; the `RequestContextFilter` on the
console handler copies them onto every record, whichever logger wrote it - Django's own 500
report included. `LOG_FORMAT=json` writes one JSON object per line for log collectors.
"""

import contextvars
import json
import logging
import os
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime


@dataclass(frozen=True)
class RequestContext:
    request_id: str = "-"
    user: str = "-"


_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "lookup_request_context",
    default=RequestContext(),  # noqa: B039 - frozen, so sharing the default is safe
)


def request_context_begin(*, request_id: str) -> contextvars.Token:
    return _context.set(RequestContext(request_id=request_id))


def request_context_user(*, user: str) -> None:
    """Name who is making the request, once authentication has said so."""
    _context.set(replace(_context.get(), user=user))


def request_context_end(token: contextvars.Token) -> None:
    # gunicorn's threads serve one request after another: nothing may leak into the next one.
    _context.reset(token)


def request_context_current() -> RequestContext:
    return _context.get()


def request_context_keep(request) -> None:
    """Leave the request's context on the request itself, for the lines written about it after
    the middleware is done with it."""
    request.log_context = _context.get()


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        if context.request_id == "-":
            # Django logs every 4xx and 5xx response ("Not Found: /x") once the middleware
            # has returned, with the request attached.
            context = getattr(getattr(record, "request", None), "log_context", context)
        record.request_id = getattr(record, "request_id", context.request_id)
        record.user = getattr(record, "user", context.user)
        return True


# Control characters (C0, DEL, C1) and the Unicode line separators, written out: a path or a
# value from a request must not start a line of its own in a plain log (forged log lines).
_CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))} | {
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


class PlainFormatter(logging.Formatter):
    """The human-readable line, one line per record whatever the message holds; a traceback
    still follows on lines of its own."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record).translate(_CONTROL_ESCAPES)
        # A lone surrogate cannot be written to a UTF-8 stream: written out too.
        return line.encode("utf-8", "backslashreplace").decode("utf-8")


# Attributes every LogRecord has; anything else was passed with `extra=` and belongs in the line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, user and extras."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "user": getattr(record, "user", "-"),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in line:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        # ASCII escapes: a lone surrogate from hostile input cannot break the log stream.
        return json.dumps(line, default=str)


class RefusedRequestFilter(logging.Filter):
    """Django's line about a request refused with a 4xx ("Forbidden (Permission denied): /"),
    as one line: the traceback of a refusal is the framework's, never news. A `Host` header
    the tool does not serve is a WARNING: scanners send them all day, and ERROR pages someone.

    On the loggers Django writes those lines to (`django.request`,
    `django.security.DisallowedHost`), so every handler gets the line as written here.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            if record.name == "django.security.DisallowedHost" and record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def startup_failure_write(*, error: BaseException, stream=None) -> None:
    """Report a failure to start before logging is configured (settings refused, a secret not
    readable) as one ERROR log line on stderr: JSON with LOG_FORMAT=json, so the alarms' metric
    filters count it like any other error instead of ignoring a plain traceback.

    LOG_FORMAT comes from the environment, where the settings file's values are by then too
    (`environ.Env.read_env` runs first thing in the settings).
    """
    record = logging.LogRecord(
        "supporttool.startup", logging.ERROR, __file__, 0, "Start-up failed: %s", (error,), None
    )
    record.request_id = record.user = "-"
    if os.environ.get("LOG_FORMAT") == "json":
        formatter: logging.Formatter = JsonFormatter()
    else:
        formatter = PlainFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    (stream or sys.stderr).write(formatter.format(record) + "\n")
