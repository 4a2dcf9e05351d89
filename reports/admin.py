from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .forms import RoundAdminForm
from .models import Appendix, IndicatorNote, IndicatorValue, Report, Round, SectionText, Submission


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    # Data years as boxes ticked from the term, not a JSON box; the site's own page
    # (reports:round_list) does the same with the opening step and its confirmation.
    form = RoundAdminForm
    list_display = ["code", "name", "organising_unit", "deadline", "opened_at"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["organising_unit"]
    readonly_fields = ["opened_at"]
    actions = ["open_round"]

    @admin.action(description=_("Open the round: create a report for every CĐCS below"))
    def open_round(self, request, queryset):
        for round_ in queryset:
            created = services.round_open(round=round_, actor=request.user)  # tells the drafters too
            self.message_user(
                request,
                ngettext(
                    "%(round)s: %(count)d report created.",
                    "%(round)s: %(count)d reports created.",
                    created,
                )
                % {"round": round_, "count": created},
                messages.SUCCESS,
            )


class SectionTextInline(admin.TabularInline):
    model = SectionText
    fields = ["node", "version", "is_done", "updated_at", "updated_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["unit", "round", "status", "updated_at", "submitted_at"]
    list_filter = ["round", "status"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit", "round"]
    readonly_fields = ["round", "unit", "status", "submitted_at", "approved_at", "approved_by"]
    fields = [
        "round",
        "unit",
        "status",
        "congress_number",
        "extended_until",
        "doc_number",
        "place",
        "signer_name",
        "signer_title",
        "recipients",
        "submitted_at",
        "approved_at",
        "approved_by",
    ]
    inlines = [SectionTextInline]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["report", "number", "submitted_at", "submitted_by"]
    list_select_related = ["report__unit", "report__round", "submitted_by"]
    readonly_fields = ["report", "number", "submitted_at", "submitted_by", "sections"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["report", "indicator", "column", "value"]
    list_select_related = ["report__unit", "report__round", "indicator"]
    search_fields = ["report__unit__name", "indicator__code"]
    raw_id_fields = ["report", "indicator"]

    # Figures are typed on the appendix page, which checks them and keeps the roll-up's stored totals
    # (reports.totals); an edit here would skip both. The admin may read them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(IndicatorNote)
admin.site.register(Appendix)
