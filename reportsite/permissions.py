"""Who administers the union's data in the admin: the Administrator role, not Django permissions."""

from django.contrib.auth.backends import BaseBackend

from units.models import Role
from units.selectors import user_access

# The apps that hold the union's own data. Everything else registered in the admin (log-in attempts,
# background task results, groups and permissions, sessions) is the site's plumbing: superusers only.
UNION_APPS = frozenset({"units", "outline", "indicators", "reports", "exports"})
# Union administrators manage people too; groups and permissions stay with superusers.
USER_PERMISSIONS = frozenset({"auth.view_user", "auth.add_user", "auth.change_user", "auth.delete_user"})


def is_union_administrator(user) -> bool:
    """An active staff member who holds the Administrator role on a unit (user_access, cached)."""
    return bool(user.is_active and user.is_staff and Role.ADMIN in user_access(user).roles)


class UnionAdministratorBackend(BaseBackend):
    """Gives a union administrator every permission on the union's apps and on user accounts, so
    that making someone an administrator is one role on a unit (and "Staff status"), never a list
    of Django permissions. Authenticates nobody; ModelBackend still answers for everyone else."""

    def has_perm(self, user_obj, perm, obj=None):
        if not is_union_administrator(user_obj):
            return False
        return perm.split(".", 1)[0] in UNION_APPS or perm in USER_PERMISSIONS

    def has_module_perms(self, user_obj, app_label):
        if not is_union_administrator(user_obj):
            return False
        return app_label in UNION_APPS or app_label == "auth"
