from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField

from core.forms import CleanTextMixin, UploadSizeMixin, error_summary
from core.richtext import EDITOR_EXTENSIONS, check_html_limits, clean_section_html
from core.text import format_number
from core.validators import validate_code
from indicators.models import PREVIOUS, START, TARGET

from .models import TERM_YEARS_MAX, PreviousTerm, Report, Round
from .selectors import units_for_rounds
from .services import ROUND_FIELDS, ROUND_LOCKED_WHEN_OPEN, round_change_errors


class SectionForm(CleanTextMixin, forms.Form):
    """The text of one section. Cleaning is the same allow-list the service enforces."""

    content = ProseEditorFormField(
        label=_("Content"),
        required=False,
        extensions=EDITOR_EXTENSIONS,
        # The cheap limits (size, nesting, elements) run first: only what passes them is parsed.
        sanitize=clean_section_html,
    )
    is_done = forms.BooleanField(label=_("This section is finished"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # Set by the page when it puts back text kept in the browser: the text the box then started from.
    base_content = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # The page puts the editor media (with its CSP nonce) in <head> itself.
        self.helper.include_media = False

    def clean_content(self):
        content = self.cleaned_data["content"]
        limit = settings.SECTION_MAX_CHARS
        if len(content) > limit:
            raise forms.ValidationError(
                _(
                    "The text is too long (%(length)s characters; at most %(limit)s). "
                    "Split it or shorten it; nothing has been saved yet."
                ),
                params={"length": format_number(len(content)), "limit": format_number(limit)},
            )
        return content

    def clean_base_content(self):
        value = self.cleaned_data["base_content"]
        check_html_limits(value)
        return value


class ReturnForm(CleanTextMixin, forms.Form):
    """Trả lại: tick the sections to rework, a reason for each, and an overall note."""

    note = forms.CharField(
        label=_("Overall note to the unit"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        # Said whole: what is missing and what to write (Django's "This field is required" says neither).
        error_messages={
            "required": _(
                "Write an overall note to the unit: they read it first, with the sections to rework, before they "
                "resubmit. What you ticked and wrote below is kept."
            )
        },
    )
    due = forms.DateField(
        label=_("Resubmit by"),
        required=False,
        error_messages={"invalid": _("Write the date as dd/mm/yyyy, e.g. 15/08/2026, or leave it empty.")},
        help_text=_("dd/mm/yyyy. Leave empty to keep the current deadline."),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )

    def __init__(self, *args, nodes, headings, **kwargs):
        super().__init__(*args, **kwargs)
        self.node_fields = []
        for node in nodes:
            tick, reason = f"tick_{node.key}", f"reason_{node.key}"
            self.fields[tick] = forms.BooleanField(label=headings[node.key], required=False)
            self.fields[reason] = forms.CharField(
                label=_("What to rework"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.node_fields.append((node, self[tick], self[reason]))

    def clean(self):
        data = super().clean()
        for _node, tick, reason in self.node_fields:
            if data.get(tick.name) and not (data.get(reason.name) or "").strip():
                self.add_error(reason.name, _("Say what needs reworking in this section."))
        return data

    def error_summary(self):
        """The errors for the top of the page, a section's by its heading."""
        return error_summary(self, {reason.name: tick.label for _node, tick, reason in self.node_fields})

    def items(self):
        """Sections ticked, and sections given a reason without the tick: a reason is never dropped."""
        return [
            (node.key, self.cleaned_data[reason.name])
            for node, tick, reason in self.node_fields
            if self.cleaned_data.get(tick.name) or (self.cleaned_data.get(reason.name) or "").strip()
        ]


class ReasonForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class CommentForm(CleanTextMixin, forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    anchor = forms.CharField(widget=forms.HiddenInput, max_length=80)
    visibility = forms.ChoiceField(
        label=_("Who sees it"),
        choices=[
            ("unit", _("Comment (Góp ý): the unit sees it")),
            ("internal", _("Internal note (Ghi chú nội bộ)")),
        ],
        initial="unit",
        required=False,
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AnswerForm(CleanTextMixin, forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    done = forms.BooleanField(label=_("Done"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("done") and not (data.get("answer") or "").strip():
            raise forms.ValidationError(_("Write an answer, or tick “Done”."))
        return data


class ExtensionRequestForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why more time is needed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ExtensionDecisionForm(CleanTextMixin, forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("grant", _("Grant")), ("refuse", _("Refuse"))])
    until = forms.DateField(
        label=_("New deadline"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    note = forms.CharField(label=_("Answer to the unit"), required=False, max_length=5000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "grant" and not data.get("until"):
            self.add_error("until", _("Give the new deadline."))
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the request is refused."))
        return data


class DocumentInfoForm(CleanTextMixin, forms.ModelForm):
    """What the Word document prints in its header and closing block.

    CleanTextMixin checks what will be stored (NFC, control characters dropped), as the service
    stores it: a title of control characters alone passed "required" here, then was blank in the
    service (a server error); a name typed decomposed (NFD) counted every accent against the limit."""

    class Meta:
        model = Report
        fields = ["doc_number", "place", "signing_authority", "signer_title", "signer_name", "recipients", "filed"]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The details a report cannot be submitted without carry the star the required position has:
        # they may be saved empty while the number is awaited, so the star says "needed to submit"
        # (the page says so above the form), not "refused now".
        for name in Report.REQUIRED_DOCUMENT_FIELDS:
            field = self.fields[name]
            field.label = format_html('{}<span class="asteriskField">*</span>', capfirst(field.label))

    def clean(self):
        data = super().clean()
        # "KT. CHỦ TỊCH" is a vice-chair signing for the chair: the position printed under it is theirs.
        title = (data.get("signer_title") or "").strip().upper()
        if data.get("signing_authority") == "KT. CHỦ TỊCH" and title in ("", "CHỦ TỊCH"):
            self.add_error(
                "signer_title",
                _("Signing “KT. CHỦ TỊCH” is a vice-chair signing for the chair: write their position (PHÓ CHỦ TỊCH)."),
            )
        return data


# A note or explanation over the catalogue's limit is still read, so that the service can say how
# long it is and the grid keep it in its box; this bound only stops absurd bodies.
NOTE_READ_LIMIT = 20_000


def cell_name(indicator_id, column):
    return f"v-{indicator_id}-{column}"


class AppendixForm(CleanTextMixin, forms.Form):
    """The grid: one text field per typed cell (checked by the service, so nothing typed is lost),
    a note and an explanation per row, and the version it was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, indicators, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.columns = [TARGET, START, *(str(y) for y in years), PREVIOUS]
        for indicator in indicators:
            if not indicator.is_computed:
                for column in self.columns:
                    self.fields[cell_name(indicator.pk, column)] = forms.CharField(required=False, max_length=60)
            self.fields[f"note-{indicator.pk}"] = forms.CharField(required=False, max_length=NOTE_READ_LIMIT)
            self.fields[f"expl-{indicator.pk}"] = forms.CharField(required=False, max_length=NOTE_READ_LIMIT)

    def cells(self):
        """Only the cells that were sent: an autosave of part of the grid clears nothing else."""
        return {
            (i.pk, c): self.cleaned_data[cell_name(i.pk, c)]
            for i in self.indicators
            if not i.is_computed
            for c in self.columns
            if cell_name(i.pk, c) in self.data
        }

    def notes(self):
        """{indicator id: (note, explanation)}, None for a field that was not sent."""

        def sent(name):
            return self.cleaned_data[name] if name in self.data else None

        return {
            i.pk: (sent(f"note-{i.pk}"), sent(f"expl-{i.pk}"))
            for i in self.indicators
            if f"note-{i.pk}" in self.data or f"expl-{i.pk}" in self.data
        }


class AppendixUploadForm(UploadSizeMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx) filled from the downloaded template"),
        help_text=_("At most 2 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class DraftUploadForm(UploadSizeMixin, forms.Form):
    file = forms.FileField(
        label=_("Word file (.docx) of the report's draft"),
        help_text=_("At most 2 MB. Nothing is saved before you have seen where each part of the file goes."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
    )


class YearsField(forms.TypedMultipleChoiceField):
    """Data years as boxes to tick. Any year is taken here: whether it lies inside the term is the
    round's own rule (Round.clean), said there with the year and the term in words."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("error_messages", {"invalid_choice": _("“%(value)s” is not a year.")})
        super().__init__(**kwargs)

    def valid_value(self, value):
        return str(value).isdigit() and len(str(value)) == 4


def _year(value) -> int | None:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2200 else None


class RoundYearsMixin:
    """Offers each year of the term as a data-year box: the term as typed on a form sent back, else
    the round's, else the initial one. Years ticked outside that term stay ticked (nothing typed is
    lost) and the round's rule says what is wrong with them."""

    def clean_data_years(self):
        return sorted(set(self.cleaned_data["data_years"]))

    def clean(self):
        cleaned = super().clean()
        # Said on the form, before saving: an opened round's foundations, and years that hold figures.
        for name, errors in round_change_errors(round=self.instance, data=cleaned).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)
        return cleaned

    def _setup_round_fields(self):
        """A code fit for addresses; once the round is open, what its reports are built on is shown
        but cannot be changed (a disabled field keeps the stored value whatever is sent)."""
        self.fields["code"].validators.append(validate_code)
        # A form sent without the choice (a page opened before it existed) keeps what the round had.
        self.fields["previous_term"].required = False
        if self.instance.pk and self.instance.opened_at:
            for name in ROUND_LOCKED_WHEN_OPEN:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "The round is open and its reports are built on this: it can no longer be changed."
                )

    def clean_previous_term(self):
        return self.cleaned_data.get("previous_term") or self.instance.previous_term or PreviousTerm.SAME_PERIOD

    def _setup_years(self):
        if not self.instance.pk and not self.is_bound:
            # A new round: a five-year term around now, its first three years ticked, to be changed.
            start = timezone.localdate().year - 3
            self.initial.setdefault("term_start_year", start)
            self.initial.setdefault("term_end_year", start + 5)
            self.initial.setdefault("data_years", [start, start + 1, start + 2])
        field = self.fields["data_years"]
        prefix = self.add_prefix
        if self.is_bound:
            start, end = _year(self.data.get(prefix("term_start_year"))), _year(self.data.get(prefix("term_end_year")))
            ticked = [y for y in (_year(v) for v in self.data.getlist(prefix("data_years"))) if y]
        else:
            start = _year(self.initial.get("term_start_year", self.instance.term_start_year))
            end = _year(self.initial.get("term_end_year", self.instance.term_end_year))
            ticked = [
                y for y in (_year(v) for v in self.initial.get("data_years") or self.instance.data_years or []) if y
            ]
        years = set(ticked)
        if start and end and 0 < end - start <= TERM_YEARS_MAX:
            years.update(range(start, end + 1))
        field.choices = [(y, str(y)) for y in sorted(years)]


class RoundAdminForm(RoundYearsMixin, CleanTextMixin, forms.ModelForm):
    """The admin's round form: data years as boxes (no JSON), errors in words."""

    data_years = YearsField(
        label=capfirst(_("data years")), help_text=_("Tick the years whose figures the appendix asks for.")
    )

    class Meta:
        model = Round
        fields = list(ROUND_FIELDS)  # what round_save writes

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_years()
        self._setup_round_fields()


DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


class RoundForm(RoundYearsMixin, CleanTextMixin, forms.ModelForm):
    """Set up a reporting round on one page: outline, organising unit, term, data years from the
    term, cut-off date, deadline, and how the event that passed the resolution is called."""

    data_years = YearsField(
        label=capfirst(_("data years")),
        help_text=_("Tick the years whose figures the appendix asks for. They are the years of the term above."),
    )
    cutoff_date = forms.DateField(label=capfirst(_("figures up to")), widget=DATE_WIDGET, help_text=_("dd/mm/yyyy"))
    deadline = forms.DateField(label=capfirst(_("deadline")), widget=DATE_WIDGET, help_text=_("dd/mm/yyyy"))

    class Meta:
        model = Round
        fields = list(ROUND_FIELDS)  # what round_save writes
        widgets = {
            "term_start_year": forms.NumberInput(attrs={"min": 1900, "max": 2200, "data-term": "start"}),
            "term_end_year": forms.NumberInput(attrs={"min": 1900, "max": 2200, "data-term": "end"}),
            "event_wording": forms.RadioSelect,
            "previous_term": forms.RadioSelect,
        }
        help_texts = {"code": _("Short, without spaces, e.g. GNK-2023-2028. It appears in addresses and file names.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organising_unit"].queryset = units_for_rounds(user)
        self.fields["organising_unit"].label_from_instance = lambda unit: f"{unit.name} ({unit.code})"
        for name in ("term_start_year", "term_end_year"):
            self.fields[name].min_value, self.fields[name].max_value = 1900, 2200
            self.fields[name].widget.attrs["min"] = 1900
        self._setup_years()
        self._setup_round_fields()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("code", css_class="col-md-4"), Column("name", css_class="col-md-8")),
            "outline_version",
            "superior_outline_version",
            "organising_unit",
            Row(
                Column("term_start_year", css_class="col-6 col-md-3"),
                Column("term_end_year", css_class="col-6 col-md-3"),
            ),
            InlineCheckboxes("data_years"),
            InlineRadios("previous_term"),
            Row(Column("cutoff_date", css_class="col-6 col-md-3"), Column("deadline", css_class="col-6 col-md-3")),
            InlineRadios("event_wording"),
            "header_line",
        )

    def error_summary(self):
        return error_summary(self)
