from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin, UploadSizeMixin

from .reading import MAX_CHARS

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]*$",
    _("Use lower-case letters without accents, digits and hyphens, e.g. gnk-cdcs-2023-2028."),
)


class OutlineFileForm(UploadSizeMixin, forms.Form):
    """The outline file: plain text or Word."""

    file = forms.FileField(
        label=_("Outline file (.txt or .docx)"),
        help_text=_("A text file in UTF-8 or a Word file (.docx); at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,text/plain"}),
    )


class OutlinePublishForm(CleanTextMixin, forms.Form):
    """The outline's text as read from the file, corrected by hand, and the new version's code and name."""

    text = forms.CharField(
        label=_("Text of the outline"),
        help_text=_(
            "One line per heading, item or guidance bullet, as in the file. Correct a number here (for "
            "example “3.” for a repeated “2.”) and press “Check again”."
        ),
        max_length=MAX_CHARS,
        strip=False,
        widget=forms.Textarea(
            # One line of the box per line of the outline, so that "Dòng 32" is the 32nd line there too.
            attrs={"rows": 18, "spellcheck": "false", "wrap": "off", "class": "font-monospace small"}
        ),
    )
    code = forms.CharField(
        label=_("Code of the new version"),
        max_length=60,
        required=False,
        validators=[code_validator],
        help_text=_("Unique, e.g. gnk-cdcs-2023-2028."),
    )
    name = forms.CharField(
        label=_("Name of the new version"),
        max_length=255,
        required=False,
        help_text=_("As the round setup shows it, e.g. Đề cương báo cáo giữa nhiệm kỳ 2023–2028."),
    )

    base = forms.CharField(required=False, widget=forms.HiddenInput, max_length=60)

    def clean_text(self):
        # Browsers send a text box's lines ended by CR LF: the outline's lines end by LF, as the file's.
        return self.cleaned_data["text"].replace("\r\n", "\n").replace("\r", "\n")

    def require_code_and_name(self) -> bool:
        """Publishing needs both; checking the text does not."""
        ok = True
        for name in ("code", "name"):
            if name in self.errors:
                ok = False
            elif not self.cleaned_data.get(name, "").strip():
                self.add_error(name, _("This field is required to publish."))
                ok = False
        return ok


class OutlineDraftForm(CleanTextMixin, forms.Form):
    """A new draft: the code and name of the version it will be published as."""

    code = forms.CharField(
        label=_("Code of the new version"),
        max_length=60,
        validators=[code_validator],
        help_text=_("Unique, e.g. gnk-cdcs-2023-2028."),
    )
    name = forms.CharField(
        label=_("Name of the new version"),
        max_length=255,
        help_text=_(
            "With its term, e.g. Đề cương báo cáo giữa nhiệm kỳ 2025–2030: the years outside it are pointed out."
        ),
    )


class OutlineDraftTextForm(CleanTextMixin, forms.Form):
    """The whole draft as one text ("Sửa dạng văn bản"), for those who prefer it."""

    text = forms.CharField(
        label=_("Text of the outline"),
        help_text=_("One line per heading, item or guidance bullet, as in an outline file."),
        max_length=MAX_CHARS,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 24, "spellcheck": "false", "wrap": "off", "class": "font-monospace small"}
        ),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean_text(self):
        return self.cleaned_data["text"].replace("\r\n", "\n").replace("\r", "\n")


class OutlineLineForm(CleanTextMixin, forms.Form):
    """One line of a draft in the structured editor: its words, and what to do with it (the button
    pressed: save, up, down, delete, add)."""

    ACTIONS = ("save", "up", "down", "delete", "add")

    words = forms.CharField(label=_("Words of the line"), max_length=2_000, required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], required=False, widget=forms.HiddenInput)
    add = forms.ChoiceField(
        label=_("Add"),
        required=False,
        choices=[
            ("after", _("a line like this one, after it")),
            ("section", _("a section at the end of this part")),
            ("item", _("an item at the end of this section")),
            ("guidance", _("a guidance bullet under this heading")),
        ],
    )
    new_words = forms.CharField(label=_("Words of the new line"), max_length=2_000, required=False)

    def __init__(self, *args, add_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add"].choices = [c for c in self.fields["add"].choices if c[0] in add_choices]
