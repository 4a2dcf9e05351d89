"""Site-wide pages that are not part of an app's work."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A form sent with an expired or missing security token: said in Vietnamese, in the site's
    own page, with what to do next (Django's own page is English and technical)."""
    return render(request, "403_csrf.html", status=403)
