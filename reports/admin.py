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
    unit_scope = "organising_unit"  # reportsite.admin_site.ScopedAdminMixin
    list_display = ["code", "name", "organising_unit", "deadline", "opened_at"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["organising_unit"]
    readonly_fields = ["opened_at"]
    actions = ["open_round"]

    def save_model(self, request, obj, form, change):
        # Through the service, as the site's page does: the same checks (an opened round's outline and
        # unit stay, years with figures stay), texts stored NFC, and who did it logged.
        services.round_save(round=obj, data=form.cleaned_data, actor=request.user)

    @admin.action(description=_("Open the round: create a report for every CĐCS below"))
    def open_round(self, request, queryset):
        for round_ in queryset:
            created = services.round_open(round=round_, actor=request.user)  # tells the drafters too
            self.message_user(
                request,
                ngettext(
                    "%(round)s: %(count)d report created; its drafters are told by e-mail in the background.",
                    "%(round)s: %(count)d reports created; their drafters are told by e-mail in the background.",
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


class ReportRoundFilter(admin.RelatedOnlyFieldListFilter):
    """Only the rounds of the reports listed (an administrator's own), as Django's "related only" filter,
    but asked round by round, each a LIMIT 1 that stops at the first report found through an index:
    a DISTINCT, or one EXISTS over every round, made PostgreSQL read or hash the country's reports. One
    query per round (a few a year), none per report."""

    def field_choices(self, field, request, model_admin):
        listed = model_admin.get_queryset(request)
        rounds = Round.objects.order_by("-deadline", "code")
        return [(r.pk, str(r)) for r in rounds if listed.filter(round=r).exists()]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    unit_scope = "unit"
    list_display = ["unit", "round", "status", "updated_at", "submitted_at"]
    # Only the rounds of the reports listed (an administrator's own): not every round's name.
    list_filter = [("round", ReportRoundFilter), "status"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit", "round"]
    # In tree order: PostgreSQL walks the units' path index from the administrator's subtree and stops
    # after a page. Django's default (newest first) walked the whole country backwards to find a
    # province whose reports were made first (0.9 s at 121,059 units; this: 25 ms).
    ordering = ["unit__path", "round_id", "pk"]
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

    # Reports are made by opening a round (its unit and round are read-only here, so an added
    # report could never be saved).
    def has_add_permission(self, request):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the site's own pages (submitting, the appendix page), which check what they keep and
    record who did it; an edit here would skip both. The admin may read them."""

    unit_scope = "report__unit"
    # In tree order, read from the units' path index within the administrator's subtree (as ReportAdmin):
    # newest first walked 13.6 million figures backwards to reach a province made early (36 s).
    ordering = ["report__unit__path", "report_id", "pk"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["report", "number", "submitted_at", "submitted_by"]
    list_select_related = ["report__unit", "report__round", "submitted_by"]
    readonly_fields = ["report", "number", "submitted_at", "submitted_by", "sections"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ["report", "indicator", "column", "value"]
    list_select_related = ["report__unit", "report__round", "indicator"]
    search_fields = ["report__unit__name", "indicator__code"]
    raw_id_fields = ["report", "indicator"]
    # Figures also keep the roll-up's stored totals (reports.totals): only the appendix page writes them.


@admin.register(IndicatorNote)
class IndicatorNoteAdmin(ReadOnlyAdmin):
    list_display = ["report", "indicator", "note", "explanation"]
    list_select_related = ["report__unit", "report__round", "indicator"]
    search_fields = ["report__unit__name", "indicator__code", "note", "explanation"]


@admin.register(Appendix)
class AppendixAdmin(ReadOnlyAdmin):
    list_display = ["report", "version", "updated_at", "updated_by"]
    list_select_related = ["report__unit", "report__round", "updated_by"]
    search_fields = ["report__unit__name", "report__unit__code"]


# The unit admin with the reorganisation pages (merge, move, deactivate), which keep this layer right.
from . import reorganisation_admin  # noqa: E402, F401
