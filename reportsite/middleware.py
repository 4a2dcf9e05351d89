import secrets

from django.utils.cache import add_never_cache_headers

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
