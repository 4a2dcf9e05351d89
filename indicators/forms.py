from django import forms
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin
from outline.forms import code_validator
from outline.models import OutlineVersion

from .selectors import versions_with_catalogue


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        count = getattr(obj, "indicator_total", None)
        label = f"{obj.name} ({obj.code})"
        return f"{label} – {count} chỉ tiêu" if count else label


class CatalogueCopyForm(CleanTextMixin, forms.Form):
    source = VersionChoiceField(
        label=_("Copy the catalogue of"),
        queryset=OutlineVersion.objects.none(),
        help_text=_("The outline version an earlier round used: its catalogue is copied, never changed."),
    )
    target = VersionChoiceField(
        label=_("Into"),
        queryset=OutlineVersion.objects.none(),
        required=False,
        empty_label=_("A new version with the same outline (fill in its code and name)"),
        help_text=_("Or an outline version without indicators yet, such as one just uploaded."),
    )
    code = forms.CharField(
        label=_("Code of the new version"), max_length=60, required=False, validators=[code_validator]
    )
    name = forms.CharField(label=_("Name of the new version"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = versions_with_catalogue()
        self.fields["target"].queryset = (
            OutlineVersion.objects.annotate(indicator_total=Count("indicators"))
            .filter(indicator_total=0)
            .order_by("-pk")
        )

    def clean(self):
        data = super().clean()
        if not data.get("target"):
            for name in ("code", "name"):
                if not (data.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, _("Needed for a new version."))
        return data
