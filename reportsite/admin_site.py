"""The admin site: every model registered on it gets accent-free search (core.admin_search); the
union's own models are for union administrators (reportsite.permissions), the plumbing (log-in
attempts, background task results, groups and permissions) for superusers only; a union
administrator neither sees nor edits superusers, nor gives anyone superuser status."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Permission
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.db.models.base import ModelBase
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.admin_search import FoldedSearchMixin
from core.paging import PagePaginator
from core.text import vietnamese_sort_key
from units.models import Invitation, Membership, Unit
from units.selectors import administered_units_q, administers_root

from .permissions import UNION_APPS, is_union_administrator

# Fields of the user form that grant Django permissions: superusers' business.
_SUPERUSER_FIELDS = frozenset({"is_superuser", "groups", "user_permissions"})
# Fields of a staff account that would let someone take it over (the e-mail receives "Quên mật khẩu")
# or lock its owner out: only a superuser changes them.
_STAFF_ACCOUNT_FIELDS = ("username", "email", "is_active", "is_staff")


# Django stores a permission's name in English ("Can add unit") when it migrates: say it again.
_PERMISSION_VERBS = {"add": _("Add"), "change": _("Change"), "delete": _("Delete"), "view": _("View")}


def permission_label(permission) -> str:
    """ "Đơn vị và vai trò | đơn vị | Thêm" for units.add_unit; a custom permission keeps its name."""
    verb, _sep, model = permission.codename.partition("_")
    content_type = permission.content_type
    model_class = content_type.model_class()
    if verb not in _PERMISSION_VERBS or model_class is None or model != content_type.model:
        return str(permission)
    return f"{content_type} | {_PERMISSION_VERBS[verb]}"


class PermissionLabelsMixin:
    """Permission pickers (a user's, a group's) in Vietnamese."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.remote_field.model is Permission:
            field.label_from_instance = permission_label
        return field


class SuperuserOnlyMixin:
    """A ModelAdmin that only superusers see and use: the site's plumbing."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django writes this warning in English, outside its catalogue.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


def scoped_formfield(request, admin_site, db_field, field):
    """A foreign key's choices cut to what the user may reach: the related model's own admin
    decides (a unit in the user's subtrees, an account they administer, a round organised there), so
    nobody puts an object, or a role, outside what they administer."""
    if field is None or request.user.is_superuser or not hasattr(field, "queryset"):
        return field
    related = db_field.remote_field.model
    related_admin = admin_site._registry.get(related)
    if related is Unit:
        field.queryset = field.queryset.filter(administered_units_q(request.user))
    elif _is_user_model(related) and related_admin is not None:
        # The accounts they administer, and the people already holding a role in their units (who may
        # hold others elsewhere): a unit's page lists its members, and each must stay a valid choice.
        # Correlated EXISTS, asked of the rows wanted (an autocomplete box's one chosen account): an IN
        # over the two sets made PostgreSQL build both, every account of the province, for each box.
        members = Membership.objects.filter(administered_units_q(request.user, "unit"), user=OuterRef("pk"))
        visible = related_admin.get_queryset(request).filter(pk=OuterRef("pk"))
        field.queryset = field.queryset.filter(Exists(visible) | Exists(members))
    elif related_admin is not None and not getattr(related_admin, "catalogue", False):
        field.queryset = field.queryset.filter(Exists(related_admin.get_queryset(request).filter(pk=OuterRef("pk"))))
    return field


class ScopedInlineMixin:
    """An inline's foreign keys limited as the page's (scoped_formfield)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return scoped_formfield(request, self.admin_site, db_field, field)


class ScopedAdminMixin:
    """A union model's admin for someone who is not a superuser, denying by default. The ModelAdmin
    says what an object belongs to:

    - ``unit_scope = "report__unit"``: the lookup to its unit ("" for Unit itself). The list, the
      change, delete and history pages, the actions and the search reach only objects whose unit
      lies in a subtree the user administers (units.selectors.administered_units_q); anything else
      is "not found".
    - ``catalogue = True``: shared by the whole site (outlines, indicators). Everyone reads it; only
      administrators of a top-level unit change it.

    A ModelAdmin that says neither shows nothing to anyone but superusers. (Read with getattr: this
    mixin comes before the ModelAdmin in the class, so it must not define them.)"""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or getattr(self, "catalogue", False):
            return queryset
        unit_scope = getattr(self, "unit_scope", None)
        if unit_scope is None:
            return queryset.none()
        return queryset.filter(administered_units_q(request.user, unit_scope))

    def _may_change(self, request):
        return not getattr(self, "catalogue", False) or administers_root(request.user)

    def has_add_permission(self, request, *args):
        return self._may_change(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may_change(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_change(request) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return scoped_formfield(request, self.admin_site, db_field, field)


class UserAdminMixin(ScopedInlineMixin):
    """The user pages for someone who is not a superuser: only the accounts they administer (every
    role of the account lies in their subtrees; an account with no role yet, only when they sent its
    invitation), never a superuser; no superuser status, groups or permissions in the form (only a
    superuser hands those out); a staff account's user name, e-mail and status read-only, and the
    account itself deleted by a superuser only (so nobody takes over, locks out or removes another
    administrator)."""

    change_password_form = PasswordChangeForm

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return queryset
        # The candidates come from the administered subtrees (a path range of the units' index) and the
        # invitations sent; only they are then checked for a role outside. Asked the other way round ("no
        # role outside" for every account, then "any role at all"), PostgreSQL hashed every membership of
        # the country: 0.39–0.43 s for a province's page at 120,000 units, against 0.15 s now.
        # The federation's administrator holds nearly every role: there, testing each account in name order
        # stays the quicker way (0.17 s against 0.29 s).
        administered = administered_units_q(user, "unit")
        invited = Invitation.objects.filter(sent_by=user).values("user_id")
        outside = ~Exists(Membership.objects.filter(user=OuterRef("pk")).exclude(administered))
        if administers_root(user):
            has_role = Exists(Membership.objects.filter(user=OuterRef("pk")))
            return queryset.filter(is_superuser=False).filter(outside, has_role | Q(pk__in=invited))
        inside = Membership.objects.filter(administered).values("user_id")
        return queryset.filter(is_superuser=False).filter(Q(pk__in=inside) | Q(pk__in=invited), outside)

    def has_delete_permission(self, request, obj=None):
        # A staff account (a fellow administrator's, one's own) is deleted by a superuser only.
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """The bulk "Delete" action asks here: a staff account among the chosen ones is named as what
        the user may not delete, so Django shows why and refuses the whole deletion."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not request.user.is_superuser:
            staff = sorted(user.get_username() for user in objs if user.is_staff)
            if staff:
                perms_needed = {
                    *perms_needed,
                    _("staff accounts (only a superuser deletes them): %(names)s") % {"names": ", ".join(staff)},
                }
        return deleted, counts, perms_needed, protected

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            fields += [f for f in _STAFF_ACCOUNT_FIELDS if f not in fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f not in _SUPERUSER_FIELDS]})
            for title, options in fieldsets
        ]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [f for f in filters if f not in _SUPERUSER_FIELDS]


def _is_user_model(model) -> bool:
    return model._meta.label_lower == settings.AUTH_USER_MODEL.lower()


class UnionAdminLoginForm(AdminAuthenticationForm):
    """The admin's log-in: staff, or a union administrator (the Administrator role is the access)."""

    def confirm_login_allowed(self, user):
        if is_union_administrator(user):
            return
        super().confirm_login_allowed(user)


class UnionAdminSite(admin.AdminSite):
    """Django's admin site (its titles are set in reportsite/admin.py). Open to staff (superusers'
    IT) and to every union administrator, whose access follows the Administrator role."""

    login_form = UnionAdminLoginForm

    def has_permission(self, request):
        return super().has_permission(request) or is_union_administrator(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as Django does, each ModelAdmin given the site's search and permissions, whoever
        registered it (an app of the project or a package)."""
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            super().register(model, self._admin_class_for(model, admin_class or admin.ModelAdmin), **options)

    def get_app_list(self, request, app_label=None):
        """Apps and their models in Vietnamese alphabetical order (Đ after D, not after Z)."""
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["models"].sort(key=lambda model: vietnamese_sort_key(str(model["name"])))
        return sorted(app_list, key=lambda app: vietnamese_sort_key(str(app["name"])))

    @staticmethod
    def _admin_class_for(model, admin_class):
        bases = [FoldedSearchMixin, PermissionLabelsMixin]
        if _is_user_model(model):
            bases.append(UserAdminMixin)
        elif model._meta.app_label in UNION_APPS:
            bases.append(ScopedAdminMixin)
        else:
            bases.append(SuperuserOnlyMixin)
        attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
        # A province's lists run to hundreds of thousands of rows (figures, accounts, units): no count of
        # the whole table beside the filtered one, and past 1,000 rows PostgreSQL's estimate, not a count
        # (templates/admin/pagination.html says "khoảng").
        if admin_class.paginator is Paginator:
            attrs["paginator"] = PagePaginator
        if admin_class.show_full_result_count:
            attrs["show_full_result_count"] = False
        # Inlines' foreign keys are limited like the page's (a role given on a unit's page too).
        attrs["inlines"] = [
            inline if issubclass(inline, ScopedInlineMixin) else type(inline.__name__, (ScopedInlineMixin, inline), {})
            for inline in admin_class.inlines
        ]
        if admin_class.search_fields and not admin_class.search_help_text:
            attrs["search_help_text"] = FoldedSearchMixin.folded_search_help_text
        return type(admin_class.__name__, (*bases, admin_class), attrs)
