"""Site-wide pages that are not part of an app's work."""

import hashlib
from urllib.parse import urlsplit

from axes.utils import reset as reset_attempts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from units.invitations import invitation_accept, invitation_tokens, users_invite, valid_days

from .throttle import client_ip


def csrf_failure(request, reason=""):
    """A form sent with an expired or missing security token: said in Vietnamese, in the site's
    own page, with what to do next (Django's own page is English and technical)."""
    return render(request, "403_csrf.html", status=403)


RESETS_PER_ADDRESS = 3  # reset mails to one e-mail address in an hour
RESETS_PER_CLIENT = 20  # reset requests from one client address in an hour


def _under_limit(key: str, limit: int) -> bool:
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        return True


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset with two changes: the link points at SITE_URL (never at whatever
    Host header the request carried), and the mails are capped per e-mail address and per client,
    so the form cannot flood someone's mailbox. Over the cap the answer is the same page, unsent."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        by_address = "password-reset:address:" + hashlib.sha256(email.encode()).hexdigest()
        by_client = f"password-reset:client:{client_ip(self.request)}"
        if _under_limit(by_client, RESETS_PER_CLIENT) and _under_limit(by_address, RESETS_PER_ADDRESS):
            site = urlsplit(settings.SITE_URL)
            # What Django's own form_valid does, with the link on SITE_URL.
            form.save(
                domain_override=site.netloc,
                use_https=site.scheme == "https",
                token_generator=self.token_generator,
                from_email=self.from_email,
                email_template_name=self.email_template_name,
                subject_template_name=self.subject_template_name,
                request=self.request,
                html_email_template_name=self.html_email_template_name,
                extra_email_context=self.extra_email_context,
            )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the e-mailed link also lifts a log-in pause on the account:
    whoever holds the mailbox is its owner, and the page then says they can log in."""

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_attempts(username=form.user.get_username())
        return response


RESENDS_PER_ACCOUNT = 3  # new invitation links one account may ask for in an hour


@method_decorator(login_not_required, name="dispatch")
class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation's link: the person chooses their own password (Django's validators), is
    logged in and lands on the usual first page. A link used before, replaced or expired gets a
    page saying which, in Vietnamese; an expired one offers to send a new link to the account's
    own e-mail address."""

    token_generator = invitation_tokens
    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "units.backends.AccessModelBackend"
    success_url = reverse_lazy("home")

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and "resend" in request.POST:
            return self.resend(request, kwargs["uidb64"], kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def _state(self, user, token):
        if token == self.reset_url_token:
            token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN)
        return self.token_generator.state(user, token)

    def resend(self, request, uidb64, token):
        user = self.get_user(uidb64)
        # Only the holder of a genuine, expired link may ask: the new one goes to the same mailbox.
        if self._state(user, token) == "expired":
            if _under_limit(f"invitation-resend:{user.pk}", RESENDS_PER_ACCOUNT):
                users_invite(users=[user], actor=None, resend=True)
            return render(request, "registration/invitation_resent.html")
        self.validlink = False
        self.user = user
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["valid_days"] = valid_days()
        context["invited_user"] = self.user
        if not context.get("validlink"):
            context["state"] = self._state(self.user, self.kwargs.get("token"))
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        invitation_accept(user=form.user)
        reset_attempts(username=form.user.get_username())
        messages.success(self.request, _("Your password is set. Welcome!"))
        return response


@login_not_required
@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico wherever a page names no icon (the admin did, a file download, an
    error page): the site's icon, never a 404 in the console."""
    # Not permanent: the icon's address carries its content's hash, which changes with the icon.
    return HttpResponseRedirect(static("favicon.svg"))


@login_not_required
@require_safe
def guide(request):
    """Hướng dẫn sử dụng: what each role does, step by step, with pictures of the pages. Open to anyone,
    so that the log-in page can point to it."""
    return render(request, "guide.html")
