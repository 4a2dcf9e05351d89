from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from core.text import nfc


class LoginForm(AuthenticationForm):
    # Not CleanTextMixin: a password is checked exactly as typed.
    error_messages = {
        "invalid_login": _("The user name or password is not right. Check them (capital letters count) and try again."),
        "inactive": _("This account has been disabled. Ask your union's administrator."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets the user name's max_length after the field is built, so it is not
        # checked: a longer name went on to authenticate() and to Axes' record of the failed attempt,
        # whose column holds 255 characters (a server error on PostgreSQL).
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))

    def full_clean(self):
        # A user name is read as stored (no NUL or other control characters); the password exactly
        # as typed.
        if self.is_bound and "username" in self.data:
            self.data = self.data.copy()
            self.data["username"] = nfc(self.data.get("username", ""))
        super().full_clean()
