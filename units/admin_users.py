"""Accounts in the admin, by invitation: an administrator adds a person (name, e-mail, user name),
never a password; the person gets an e-mail to choose one. "Gửi thư mời đặt mật khẩu" sends it
again to the selected accounts that have not set a password yet."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.text import format_number, nfc

from .invitations import users_invite
from .jobs import bulk_job_start
from .models import BulkJobKind, Invitation
from .tasks import run_invitations

User = get_user_model()


class InvitedUserCreationForm(forms.ModelForm):
    """A new account: who it is and where the invitation goes; no password."""

    class Meta:
        model = User
        fields = ["username", "last_name", "first_name", "email"]
        help_texts = {"last_name": gettext_lazy("Family and middle names, e.g. Nguyễn Thị.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = gettext_lazy("The invitation to choose a password is sent here.")

    def clean(self):
        data = super().clean()
        for name in ("username", "last_name", "first_name", "email"):
            if isinstance(data.get(name), str):
                data[name] = nfc(data[name]).strip()
        email = data.get("email")
        # One address, one account (as the Excel import requires): the invitation and "Forgot your
        # password?" must reach one person.
        if email and User.objects.filter(email__iexact=email).exists():
            self.add_error("email", _("This e-mail address is already used by another account."))
        return data


class InvitedUserChangeForm(UserChangeForm):
    def clean_email(self):
        email = self.cleaned_data.get("email")
        # The same rule as for a new account, checked only when the address is changed.
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and "email" in self.changed_data and others.exists():
            raise forms.ValidationError(_("This e-mail address is already used by another account."))
        return email

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].help_text = _(
                "Nobody types a password for someone else: each person chooses theirs through the "
                "invitation e-mail or “Forgot your password?”."
            )


class InvitationInline(admin.TabularInline):
    model = Invitation
    fk_name = "user"
    extra = 0
    fields = ["sent_at", "sent_by", "accepted_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvitedUserAdmin(UserAdmin):
    add_form = InvitedUserCreationForm
    form = InvitedUserChangeForm
    add_form_template = "admin/change_form.html"
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "last_name", "first_name", "email")}),)
    list_display = ("username", "email", "last_name", "first_name", "is_staff", "invitation")
    inlines = [InvitationInline]
    actions = ["send_invitations"]

    def get_queryset(self, request):
        # A subquery, worked out only for the rows of the page: a GROUP BY over every account would read
        # all of a province's thousands before showing the first hundred.
        last = Invitation.objects.filter(user=OuterRef("pk")).order_by("-sent_at").values("sent_at")[:1]
        return super().get_queryset(request).annotate(last_invited=Subquery(last))

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description=gettext_lazy("Invitation"))
    def invitation(self, obj):
        if not obj.password.startswith(UNUSABLE_PASSWORD_PREFIX):
            return _("Has a password")
        last = getattr(obj, "last_invited", None)
        if last is None:
            return _("Not invited yet")
        return _("Invited on %(date)s") % {"date": formats.date_format(timezone.localtime(last), "d/m/Y")}

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        result = users_invite(users=[obj], actor=request.user)
        if result.sent:
            messages.success(
                request, _("An invitation to choose a password was sent to %(email)s.") % {"email": obj.email}
            )

    @admin.action(description=gettext_lazy("Send the invitation to choose a password"))
    def send_invitations(self, request, queryset):
        """In the background (thousands of e-mails do not fit in a request): the page of the job says
        how many were sent and to whom not, and why."""
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        job = bulk_job_start(
            kind=BulkJobKind.INVITE,
            actor=request.user,
            task=run_invitations,
            title=ngettext("%(count)s account selected", "%(count)s accounts selected", len(ids))
            % {"count": format_number(len(ids))},
            params={"users": ids, "resend": True},
            again_url=reverse("admin:auth_user_changelist"),
        )
        return redirect("units:job_detail", pk=job.pk)

    def user_change_password(self, request, id, form_url=""):
        # Nobody types a password for someone else: the owner sets it through an invitation.
        messages.info(
            request,
            _(
                "Nobody types a password for someone else: each person chooses theirs through the "
                "invitation e-mail or “Forgot your password?”."
            ),
        )
        return redirect("admin:auth_user_change", id)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, InvitedUserAdmin)
