"""Accent- and case-free search for the admin, by the dashboard's mechanism: each text column wrapped
in core.db.Folded, each typed word folded by core.text.fold, compared in the database."""

from django.contrib.admin.utils import lookup_spawns_duplicates
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from .db import Folded
from .text import fold

# Django's lookups a search field may name, and the case-free comparison each stands for.
_TEXT_LOOKUPS = {
    "contains": "contains",
    "icontains": "contains",
    "startswith": "startswith",
    "istartswith": "startswith",
    "exact": "exact",
    "iexact": "exact",
}
_PREFIXES = {"^": "startswith", "=": "exact", "@": "contains"}


def _search_words(search_term: str) -> list[str]:
    """The words of what was typed, as Django's admin splits them ("quoted phrases" stay whole)."""
    words = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            words.append(bit)
    return words


def _text_path(model, spec: str):
    """(path, comparison) when ``spec`` ends on a text column, else None (a number, a date...)."""
    comparison = "contains"
    if spec[:1] in _PREFIXES:
        comparison, spec = _PREFIXES[spec[0]], spec[1:]
    parts = spec.split(LOOKUP_SEP)
    if parts[-1] in _TEXT_LOOKUPS and len(parts) > 1:
        comparison, parts = _TEXT_LOOKUPS[parts[-1]], parts[:-1]
    opts, field = model._meta, None
    for part in parts:
        try:
            field = opts.get_field(opts.pk.name if part == "pk" else part)
        except FieldDoesNotExist:
            return None
        if hasattr(field, "path_infos"):
            opts = field.path_infos[-1].to_opts
    if not isinstance(field, (models.CharField, models.TextField)):
        return None
    return LOOKUP_SEP.join(parts), comparison


class FoldedSearchMixin:
    """A ModelAdmin whose search box ignores accents and capitals: "khu cong" finds "Khu công
    nghiệp", "dong" finds "Đông". Every word must be found in one of ``search_fields``, as in Django's
    own search; text columns are compared folded (core.db.Folded), other columns as Django does."""

    folded_search_help_text = _("Accents and capitals do not matter: “khu cong” finds “Khu công nghiệp”.")

    def get_search_results(self, request, queryset, search_term):
        search_fields = self.get_search_fields(request)
        words = _search_words(search_term)
        if not (search_fields and words):
            return queryset, False
        aliases, lookups = {}, []
        for index, spec in enumerate(map(str, search_fields)):
            text = _text_path(queryset.model, spec)
            if text is None:
                # Not a text column (a number, a date): Django's lookup on the word as typed.
                lookups.append((f"{spec.lstrip('^=@')}__icontains", False))
                continue
            path, comparison = text
            alias = f"_folded_search_{index}"
            aliases[alias] = Folded(path)
            lookups.append((f"{alias}__{comparison}", True))
        if aliases:
            queryset = queryset.alias(**aliases)
        condition = models.Q()
        for word in words:
            folded = fold(word)
            either = models.Q()
            for lookup, is_folded in lookups:
                either |= models.Q(**{lookup: folded if is_folded else word})
            condition &= either
        queryset = queryset.filter(condition)
        duplicates = any(lookup_spawns_duplicates(self.opts, str(spec).lstrip("^=@")) for spec in search_fields)
        return queryset, duplicates
