from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutlineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outline"
    verbose_name = _("Outline")
