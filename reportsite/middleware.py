import secrets

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
