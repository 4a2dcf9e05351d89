"""Form helpers every app's forms use: text read as it will be stored, lengths said in Vietnamese."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .text import format_number, nfc


class ReadableMaxLength(MaxLengthValidator):
    """Django's length check, said with both numbers in Vietnamese format (5.000, not 5000)."""

    message = _("At most %(limit)s characters; this has %(length)s. Shorten it: nothing has been saved yet.")

    def __call__(self, value):
        if len(value) > self.limit_value:
            raise ValidationError(
                self.message,
                code="max_length",
                params={"limit": format_number(self.limit_value), "length": format_number(len(value))},
            )


class CleanTextMixin:
    """Text fields are read as they will be stored: NFC, control characters (NUL and friends)
    dropped, before validation. A NUL then never reaches Django's English "Null characters are not
    allowed", and lengths count what is kept. Length limits are said with both numbers."""

    def full_clean(self):
        # Here, not in __init__: forms add fields of their own after it (the grid's cells, a
        # return's reasons).
        for form_field in self.fields.values():
            if isinstance(form_field, forms.CharField) and form_field.max_length:
                form_field.validators = [v for v in form_field.validators if not isinstance(v, MaxLengthValidator)] + [
                    ReadableMaxLength(form_field.max_length)
                ]
        if self.is_bound:
            data = self.data.copy()
            for name, form_field in self.fields.items():
                if not isinstance(form_field, forms.CharField) or name not in data:
                    continue
                if hasattr(data, "setlist"):
                    data.setlist(name, [nfc(v) if isinstance(v, str) else v for v in data.getlist(name)])
                elif isinstance(data[name], str):
                    data[name] = nfc(data[name])
            self.data = data
        super().full_clean()


def error_summary(form, labels: dict[str, str] | None = None) -> list[tuple[str | None, str]]:
    """Every error of a bound form for the summary at the top of its page, in the form's order: (the id
    of the field to link to, or None, and the words, named by ``labels`` or the field's label)."""
    rows = [(None, str(error)) for error in form.non_field_errors()]
    for name in form.fields:
        for error in form.errors.get(name, []):
            label = (labels or {}).get(name) or form[name].label
            rows.append((form[name].id_for_label, f"{label}: {error}"))
    return rows


def add_validation_errors(form, exc) -> None:
    """A service's ValidationError onto the form that sent it: each error on its field when the form
    has one, else above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def upload_too_large() -> str:
    """The words for a file over the upload limit (settings.UPLOAD_MAX_BYTES), in MB."""
    return _("The file is too large (at most %(size)s MB).") % {
        "size": format_number(settings.UPLOAD_MAX_BYTES / (1024 * 1024))
    }


class UploadSizeMixin:
    """A form whose upload field is ``file``: a file over the limit is refused in words, whether the upload
    handler dropped it while it streamed in (``too_large``, from request.upload_too_large) or it came whole."""

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean(self):
        if self.too_large:
            # The file was never kept, so "required" would be wrong: say why it is missing.
            self.errors.pop("file", None)
            self.add_error("file", upload_too_large())
        return super().clean()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(upload_too_large())
        return upload
