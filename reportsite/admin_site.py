"""The admin site: every model registered on it gets accent-free search (core.admin_search); the
union's own models are for union administrators (reportsite.permissions), the plumbing (log-in
attempts, background task results, groups and permissions) for superusers only; a union
administrator neither sees nor edits superusers, nor gives anyone superuser status."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Permission
from django.db.models.base import ModelBase
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.admin_search import FoldedSearchMixin
from core.text import vietnamese_sort_key

from .permissions import UNION_APPS

# Fields of the user form that grant Django permissions: superusers' business.
_SUPERUSER_FIELDS = frozenset({"is_superuser", "groups", "user_permissions"})


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


class UserAdminMixin:
    """The user pages for someone who is not a superuser: no superuser accounts in the list, no
    superuser status, groups or permissions in the form (only a superuser hands those out)."""

    change_password_form = PasswordChangeForm

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

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


class UnionAdminSite(admin.AdminSite):
    """Django's admin site (its titles are set in reportsite/admin.py)."""

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
        elif model._meta.app_label not in UNION_APPS:
            bases.append(SuperuserOnlyMixin)
        attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
        if admin_class.search_fields and not admin_class.search_help_text:
            attrs["search_help_text"] = FoldedSearchMixin.folded_search_help_text
        return type(admin_class.__name__, (*bases, admin_class), attrs)
