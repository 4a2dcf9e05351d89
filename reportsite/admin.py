"""The admin site's own words; each app registers its models in its admin.py."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Mid-term report administration")
admin.site.site_title = _("Mid-term reports")
admin.site.index_title = _("Administration")
