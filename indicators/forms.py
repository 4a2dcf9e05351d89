from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reportsite.forms import CleanTextMixin

from .models import PREVIOUS, START, TARGET

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


class AppendixUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx) filled from the downloaded template"),
        help_text=_("At most 2 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, too_large=False, **kwargs):
        # too_large: the upload handler skipped the file while it streamed in (request.upload_too_large).
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean(self):
        if self.too_large:
            # The file was never kept, so "required" would be wrong: say why it is missing.
            self.errors.pop("file", None)
            self.add_error("file", _("The file is too large (at most 2 MB)."))
        return super().clean()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 2 MB)."))
        return upload
