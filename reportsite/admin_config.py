from django.apps import apps
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

# Packages' apps whose names are English plain strings (not through gettext): what the admin calls them.
APP_NAMES = {
    "axes": _("Log-in attempts"),
    "django_tasks_database": _("Background tasks"),
}


class UnionAdminConfig(AdminConfig):
    """Django's admin with the site of reportsite.admin_site (union administrators see the union's
    models, in Vietnamese, searched without accents; the plumbing is for superusers)."""

    default_site = "reportsite.admin_site.UnionAdminSite"

    def ready(self):
        super().ready()
        for label, name in APP_NAMES.items():
            if label in apps.app_configs:
                apps.app_configs[label].verbose_name = name
