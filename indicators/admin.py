from django.contrib import admin

from .models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    # The whole site's: read by every administrator, changed by those of a top-level unit
    # (reportsite.admin_site.ScopedAdminMixin).
    catalogue = True
    list_display = [
        "code",
        "name",
        "unit_of_measure",
        "kind",
        "rollup",
        "over_years",
        "superior_only",
        "node",
        "position",
    ]
    list_filter = ["outline_version", "superior_only", "kind", "rollup"]
    search_fields = ["code", "name"]
    list_select_related = ["node"]
    raw_id_fields = ["node", "numerator", "denominator", "part_of"]
