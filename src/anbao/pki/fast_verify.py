"""The signature service's busiest route, answered ahead of Django's middleware.

The health information system verifies a signature for every signed record it stores. Through
the full stack (fourteen middleware, URL resolution, DRF's dispatch) a verification costs
several times the SM2 verification itself. This WSGI wrapper answers
``POST /api/signatures/verify/`` from a bearer-token client whose token is live and whose role
may verify, with the same validation (``pki.api.verify_answer``), the same service and the
same answer and error bodies as ``pki.api.SignatureVerify``. Everything else goes to Django
unchanged: other routes, sessions (cookies), and every refusal of the token or of the request
body, so that the answers, audit records and headers of those cases come from the one place.
"""

from __future__ import annotations

import functools
import io
import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.utils import translation

PATH = "/api/signatures/verify/"
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
log = logging.getLogger(__name__)
HEADERS = [
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Vary", "Accept-Language"),
]
Answer = tuple[int, dict[str, Any]]
SERVER_ERROR: Answer = (
    500,
    {"error": {"code": "server_error", "message": "Internal server error."}},
)


class FastVerify:
    """WSGI middleware: answer the verification route itself when it can, else pass on."""

    def __init__(self, django_app: WSGIApp) -> None:
        self.django_app = django_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not _candidate(environ):
            return self.django_app(environ, start_response)
        # As Django's handler: its receivers drop a database connection that broke or
        # outlived CONN_MAX_AGE (and tests can disconnect them, as Django's test client does).
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            answer = _answer(environ)
        except Exception:  # never a traceback to the caller; the log keeps it
            log.exception("signature verification failed unexpectedly")
            answer = SERVER_ERROR
        finally:
            signals.request_finished.send(sender=self.__class__)
        if answer is None:
            return self.django_app(environ, start_response)
        status, body = answer
        content = json.dumps(body, ensure_ascii=False).encode()
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [
                *HEADERS,
                ("Content-Language", translation.get_language()),
                ("Content-Length", str(len(content))),
            ],
        )
        return [content]


def _candidate(environ: dict[str, Any]) -> bool:
    return (
        environ.get("PATH_INFO") == PATH
        and environ.get("REQUEST_METHOD") == "POST"
        and environ.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
        and "HTTP_COOKIE" not in environ
    )


def _answer(environ: dict[str, Any]) -> Answer | None:
    """The status and body, or None to let Django answer (the input is left for it to read)."""
    from anbao.accounts.core import Capability
    from anbao.accounts.models import APIToken

    token = APIToken.lookup(environ["HTTP_AUTHORIZATION"][7:].strip(), read_only=True)
    if token is None or not token.user.is_active or not token.user.can(Capability.SIGNATURE_VERIFY):
        return None
    request = WSGIRequest(environ)
    try:
        request.get_host()
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except (DisallowedHost, ValueError):
        return None
    if size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return None
    if request.content_type != "application/json":
        return None
    body = request.body
    environ["wsgi.input"] = io.BytesIO(body)  # Django reads it again if it answers
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    # Activated for this thread as LocaleMiddleware would; Django's requests set their own.
    language = _language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
    if translation.get_language() != language:
        translation.activate(language)
    return _respond(data, token.user)


@functools.lru_cache(maxsize=64)
def _language(accept_language: str) -> str:
    """The site language for an Accept-Language header (no cookie, no URL prefix here)."""
    from types import SimpleNamespace

    asked = SimpleNamespace(
        COOKIES={}, META={"HTTP_ACCEPT_LANGUAGE": accept_language}, path_info=PATH
    )
    return translation.get_language_from_request(asked)  # type: ignore[arg-type]


def _respond(data: dict[str, Any], user: Any) -> Answer:
    from anbao import errors
    from anbao.api.errors import error_body
    from anbao.pki.api import verify_answer

    try:
        return 200, verify_answer(data, user)
    except errors.Error as exc:
        return exc.http_status, error_body(exc.code, exc.message, **exc.details)
