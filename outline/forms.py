from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField

from reportsite.richtext import EDITOR_EXTENSIONS, sanitize_html
from reportsite.text import format_number, nfc


class SectionForm(forms.Form):
    """The text of one section. Cleaning is the same allow-list the service enforces."""

    content = ProseEditorFormField(
        label=_("Content"),
        required=False,
        extensions=EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
    )
    is_done = forms.BooleanField(label=_("This section is finished"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

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

    def full_clean(self):
        # NUL bytes and control characters would break the database: drop them before validation.
        if self.is_bound and "content" in self.data:
            self.data = self.data.copy()
            self.data["content"] = nfc(self.data.get("content", ""))
        super().full_clean()
