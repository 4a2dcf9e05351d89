import secrets

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# No inline script may run. The only inline <script> the site writes is the editor's import map
# (JSON, not code), which carries the per-request nonce. Inline style attributes are allowed
# because the editor and Bootstrap's progress bars set them.
_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", _POLICY.format(nonce=request.csp_nonce))
        return response


class PrivatePagesMiddleware:
    """Pages and files made for a signed-in user are theirs alone: no browser history cache, no
    shared proxy, keeps a copy (a report read on an office computer stays on the server). Responses
    that say how they may be cached (the static translation catalogue) keep their own rule."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            add_never_cache_headers(response)
        return response


# How long a writer told "busy" waits before trying again; the editor's autosave follows Retry-After.
BUSY_RETRY_SECONDS = 5
# PostgreSQL's answers for a lock not had within lock_timeout, a deadlock's loser, a serialization
# failure: the same situation as SQLite's "database is locked", as safe to try again (all rolled back).
_RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}


def is_lock_timeout(exc: BaseException) -> bool:
    """True when the database refused a write only because another held the lock past the wait (SQLite's
    "database is locked" once busy_timeout runs out, PostgreSQL's lock and serialization failures)."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "pgcode", None) in _RETRYABLE_SQLSTATES:  # psycopg2
        return True
    message = str(exc).lower()
    return "database is locked" in message or "database table is locked" in message


class DatabaseBusyMiddleware:
    """A write that waited its whole turn for the database (SQLite on a busy machine) is answered 503 with
    Retry-After, in Vietnamese, never as a server error: the transaction rolled back, so nothing was half
    written and the same request may simply be sent again. The editor's autosave gets JSON and tries again
    by itself (static/js/section_edit.js); a form gets a page saying to go back and save again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_lock_timeout(exception):
            return None
        if request.headers.get("X-Autosave") == "1" or "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse(
                {
                    "error": _(
                        "The server is busy: not saved yet. What you typed stays on this page, which will "
                        "try again in a few seconds."
                    ),
                    "retry_after": BUSY_RETRY_SECONDS,
                },
                status=503,
            )
        else:
            # A page of its own, like 500.html: nothing on it asks the busy database anything.
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response
