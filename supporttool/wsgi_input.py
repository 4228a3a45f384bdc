"""Request bodies sent without a length (`Transfer-Encoding: chunked`), as Django can read them.

Django reads exactly CONTENT_LENGTH bytes of a request body, and a chunked request has none: its
body would read as empty (an order event POSTed by a streaming HTTP client arrived as "not a JSON
object", which the API tells clients never to retry). A server that decodes the chunks itself and
ends the input at the last one says so with `wsgi.input_terminated` (gunicorn does); then the body
is read here, at most one byte past Django's DATA_UPLOAD_MAX_MEMORY_SIZE, and handed on with its
length. A body over the limit arrives with a length over the limit, so Django refuses it exactly
as it refuses one whose Content-Length says so (the API's 413 `too_large`); the rest of it is
never read into memory.
"""

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

_CHUNK = 64 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def terminated_input_application(application: WSGIApp) -> WSGIApp:
    """`application` reading bodies of unknown length from servers that end the input."""

    def wrapper(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if _body_without_length(environ):
            body = _read(environ["wsgi.input"], limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        return application(environ, start_response)

    return wrapper


def _body_without_length(environ: dict[str, Any]) -> bool:
    # Only with the server's word that reading to the end stops at the body's end: without it a
    # read would wait on the client's next request (or its keep-alive silence).
    return (
        bool(environ.get("wsgi.input_terminated"))
        and not environ.get("CONTENT_LENGTH")
        and bool(environ.get("HTTP_TRANSFER_ENCODING"))
    )


def _read(stream: Any, *, limit: int | None) -> bytes:
    """The stream to its end, or its first `limit + 1` bytes: enough to know it is too large."""
    wanted = None if limit is None else limit + 1
    parts: list[bytes] = []
    size = 0
    while wanted is None or size < wanted:
        part = stream.read(_CHUNK if wanted is None else min(_CHUNK, wanted - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)
