from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is not right. Check them (capital letters count) and try again."),
        "inactive": _("This account has been disabled. Ask your union's administrator."),
    }
