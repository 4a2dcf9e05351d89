from functools import cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

from reports.models import Notification

# What every page's frame (base.html) links to: the same on every request of a process, so worked out
# once per address prefix, URL configuration and static address rather than on every page (15 reversals and look-ups
# in the static files' manifest: 0.4 ms of the 8 ms a cached report page takes).
_FRAME_URLS = {
    "home": "home",
    "guide": "guide",
    "reports": "reports:report_list",
    "notifications": "reports:notification_list",
    "admin": "admin:index",
    "password_change": "password_change",
    "logout": "logout",
}
_FRAME_STATIC = {
    "bootstrap_css": "vendor/bootstrap/css/bootstrap.min.css",
    "icons_css": "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "site_css": "css/site.css",
    "favicon": "favicon.svg",
    "bootstrap_js": "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "site_js": "js/site.js",
}


@cache
def _frame(prefix: str, urlconf: str, static_url: str) -> dict[str, str]:
    return {
        **{key: reverse(name) for key, name in _FRAME_URLS.items()},
        **{key: static(path) for key, path in _FRAME_STATIC.items()},
    }


def frame(request):
    """The addresses the frame of every page links to (``frame.home``, ``frame.bootstrap_css``…)."""
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    return {"frame": _frame(get_script_prefix(), urlconf, settings.STATIC_URL)}


def csp_nonce(request):
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def notifications(request):
    """How many notifications the user has not read, for the menu: one small query per page, unless the
    page's own query brought the figure (``request.unread_notifications``, set by the report page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if (unread := getattr(request, "unread_notifications", None)) is not None:
        return {"unread_notifications": unread}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
