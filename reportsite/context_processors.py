from reports.models import Notification


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
