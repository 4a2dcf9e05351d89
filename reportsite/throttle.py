"""Login throttling (django-axes): which address a request comes from, and the lock of an address
that guesses over many accounts."""

import ipaddress
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.db.models import Count
from django.utils import timezone


def client_ip(request) -> str:
    """The client's address: the one header the documented proxy sets (CLIENT_IP_HEADER, X-Real-IP
    in production), else the connection's. X-Forwarded-For is never read: anyone can send it."""
    header = getattr(settings, "CLIENT_IP_HEADER", None)
    remote = request.META.get("REMOTE_ADDR", "")
    if header:
        value = request.META.get(header, "").strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
    return remote


def address_is_locked(ip_address: str) -> bool:
    """True when this address failed on LOGIN_ADDRESS_ACCOUNTS different accounts or more within
    LOGIN_ADDRESS_WINDOW_MINUTES: guessing spread over accounts, which the per-account lock never
    sees. Each account counts once however often it failed, so the typos of the people of an office
    behind one address (each on their own account, which locks on its own) do not add up to it."""
    if not ip_address:
        return False
    since = timezone.now() - timedelta(minutes=settings.LOGIN_ADDRESS_WINDOW_MINUTES)
    failed = AccessFailureLog.objects.filter(ip_address=ip_address, attempt_time__gte=since, locked_out=False)
    return failed.aggregate(accounts=Count("username", distinct=True))["accounts"] >= settings.LOGIN_ADDRESS_ACCOUNTS


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler, plus the address lock. An account locks only for the address that
    failed on it (AXES_LOCKOUT_PARAMETERS), so an office behind one address is not locked out by
    one person's typos, and a stranger cannot lock the owner out."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return address_is_locked(getattr(request, "axes_ip_address", None) or client_ip(request))

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # Axes answers with its lock-out page only when the request is marked; its own mark covers
        # the account lock, this one the address lock.
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and address_is_locked(getattr(request, "axes_ip_address", None) or client_ip(request))
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials
