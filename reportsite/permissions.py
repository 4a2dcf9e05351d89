"""Who administers the union's data in the admin: the Administrator role, not Django permissions."""

from django.contrib.auth.backends import BaseBackend

from units.models import Role
from units.selectors import administers_root, user_access

# The apps that hold the union's own data. Everything else registered in the admin (log-in attempts,
# background task results, groups and permissions, sessions) is the site's plumbing: superusers only.
UNION_APPS = frozenset({"units", "outline", "indicators", "reports", "exports"})
# Union administrators manage people too; groups and permissions stay with superusers.
USER_PERMISSIONS = frozenset({"auth.view_user", "auth.add_user", "auth.change_user", "auth.delete_user"})
# The site-wide catalogues (outlines, indicators): every union administrator reads them; only an
# administrator of a top-level unit adds, changes or deletes (the admin, the upload and copy pages).
CATALOGUE_APPS = frozenset({"outline", "indicators"})


def is_union_administrator(user) -> bool:
    """An active user who holds the Administrator role on a unit (user_access, cached). The role is
    the whole of it: an administrator imported or added works at once, with no "staff status" to tick
    (which stays Django's, for superusers' IT staff)."""
    return bool(user.is_active and Role.ADMIN in user_access(user).roles)


class UnionAdministratorBackend(BaseBackend):
    """Gives a union administrator every permission on the union's apps and on user accounts, so
    that making someone an administrator is one role on a unit, never a list
    of Django permissions (changing the site-wide catalogues: administrators of a top-level unit).
    Authenticates nobody; ModelBackend still answers for everyone else."""

    def has_perm(self, user_obj, perm, obj=None):
        if not is_union_administrator(user_obj):
            return False
        app_label, _dot, codename = perm.partition(".")
        if app_label in CATALOGUE_APPS and not codename.startswith("view_"):
            return administers_root(user_obj)
        # What they may reach of the rest is limited to their units by the admin's querysets
        # (reportsite.admin_site.ScopedAdminMixin), the same rule as the site's pages.
        return app_label in UNION_APPS or perm in USER_PERMISSIONS

    def has_module_perms(self, user_obj, app_label):
        if not is_union_administrator(user_obj):
            return False
        return app_label in UNION_APPS or app_label == "auth"
