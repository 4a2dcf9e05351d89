from django.contrib import admin

from .models import Appendix, Indicator, IndicatorNote, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_of_measure", "kind", "rollup", "over_years", "node", "position"]
    list_filter = ["outline_version", "kind", "rollup"]
    search_fields = ["code", "name"]
    list_select_related = ["node"]
    raw_id_fields = ["node", "numerator", "denominator", "part_of"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["report", "indicator", "column", "value"]
    list_select_related = ["report__unit", "report__round", "indicator"]
    search_fields = ["report__unit__name", "indicator__code"]
    raw_id_fields = ["report", "indicator"]


admin.site.register(IndicatorNote)
admin.site.register(Appendix)
