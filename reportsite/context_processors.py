from reports.models import Notification


def csp_nonce(request):
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def notifications(request):
    """How many notifications the user has not read, for the menu: one small query per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
