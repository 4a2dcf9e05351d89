import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# A dotted blank in the outline ("CĐCS………..", "ĐẠI HỘI ..............") to be filled from
# the unit and the round. Three dots alone are an ordinary ellipsis ("nước...") and stay.
BLANK_RE = re.compile(r"\s*(?:…[.…]*|\.{5,}[.…]*)")


class OutlineVersionManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class OutlineVersion(models.Model):
    """One version of the outline (đề cương), e.g. the seed's for the 2018–2023 term."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    source_text = models.TextField(_("source text"), help_text=_("The outline file this version was generated from."))

    objects = OutlineVersionManager()

    class Meta:
        verbose_name = _("outline version")
        verbose_name_plural = _("outline versions")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class OutlineDraft(models.Model):
    """An outline being written in the site: a published version's text copied, edited part by part
    (or as one text), previewed, compared with the version it came from and published as a new
    ``OutlineVersion``. Once published it is kept, read-only, as the record of where that version came
    from. ``revision`` grows with every save, so an edit made on a page that is out of date is refused
    rather than written over another's."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    base = models.ForeignKey(
        OutlineVersion,
        verbose_name=_("made from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drafts",
    )
    text = models.TextField(_("text"))
    revision = models.PositiveIntegerField(_("revision"), default=1)
    published_version = models.ForeignKey(
        OutlineVersion,
        verbose_name=_("published as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("outline draft")
        verbose_name_plural = _("outline drafts")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class NodeKind(models.TextChoices):
    TITLE = "title", _("Title")
    SUMMARY = "summary", _("Summary line")
    PART = "part", _("Part")
    PART_HEADING = "part_heading", _("Part heading")
    SECTION = "section", _("Section")
    ITEM = "item", _("Item")
    GUIDANCE = "guidance", _("Guidance")
    NOTE = "note", _("Note")
    CLOSING = "closing", _("Closing note")


class OutlineNodeManager(models.Manager):
    def get_by_natural_key(self, version_code, key):
        return self.get(version__code=version_code, key=key)


class OutlineNode(models.Model):
    """A line of the outline, placed in its tree. ``raw`` is the source line byte for byte."""

    version = models.ForeignKey(
        OutlineVersion, verbose_name=_("outline version"), on_delete=models.CASCADE, related_name="nodes"
    )
    key = models.CharField(
        _("line key"), max_length=60, help_text=_("Stable id within the version, e.g. p1.II.3 or p1.II.3.g2.")
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent line"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NodeKind.choices)
    number = models.CharField(_("number"), max_length=10, blank=True)
    text = models.TextField(_("text"), help_text=_("The line without its number or bullet."))
    raw = models.TextField(_("source line"), help_text=_("The source line exactly as in the outline file."))
    line_no = models.PositiveIntegerField(_("line number"), help_text=_("0-based line in the source file."))
    position = models.PositiveIntegerField(_("position"), help_text=_("Order in the outline."))
    is_writable = models.BooleanField(_("writable"), default=False, help_text=_("Has a text box in the report."))
    is_required = models.BooleanField(_("required"), default=False, help_text=_("Must be written to submit."))

    objects = OutlineNodeManager()

    class Meta:
        verbose_name = _("outline line")
        verbose_name_plural = _("outline lines")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="outline_node_key"),
        ]

    def __str__(self):
        return self.heading

    def natural_key(self):
        return (self.version.code, self.key)

    natural_key.dependencies = ["outline.outlineversion"]

    @property
    def heading(self):
        """The heading as the outline prints it: number and text, nothing trimmed inside."""
        return f"{self.number}. {self.text}" if self.number else self.text

    def heading_filled(self, fill: str) -> str:
        return fill_blanks(self.heading, fill)

    def label(self, fill: str, parent: "OutlineNode | None") -> str:
        """The heading with its section's numeral, for lists where items of several sections meet
        ("II.1. Nâng cao…" rather than two different "1."); the documents keep the outline's own."""
        heading = self.heading_filled(fill)
        if self.kind == NodeKind.ITEM and parent is not None:
            if parent.kind == NodeKind.SECTION:
                return f"{parent.number}.{heading}"
            if parent.kind == NodeKind.PART:
                return f"{parent.text.capitalize()} – {heading}"
        return heading

    def text_filled(self, fill: str) -> str:
        return fill_blanks(self.text, fill)


_GRASSROOTS_PREFIX = re.compile(r"^(công đoàn cơ sở|cđcs)\s+", re.IGNORECASE)

CONGRESS = "Đại hội"
# "Đại hội" just before a blank ("Nghị quyết Đại hội CĐCS……", "NGHỊ QUYẾT ĐẠI HỘI ……"): the body of the
# unit whose resolution is evaluated, which a round may call otherwise ("Hội nghị đại biểu"). Other
# mentions ("Đại hội IX Công đoàn huyện") name someone else's congress and stay.
_EVENT_BEFORE_BLANK = re.compile(r"(Đại hội|ĐẠI HỘI)(?=(?:\s+CĐCS)?" + BLANK_RE.pattern + ")")


# The round's and the unit's facts an outline names by placeholder ("{nhiem_ky}") rather than types,
# so that one outline is right for every term, unit and level it is sent to: name → what it means.
PLACEHOLDERS = {
    "nhiem_ky": _("the term, e.g. 2025–2030"),
    "nam_dau_nhiem_ky": _("the first year of the term"),
    "nam_cuoi_nhiem_ky": _("the last year of the term"),
    "nam_so_lieu": _("the data years, e.g. 2025, 2026 và 2027"),
    "so_nam_so_lieu": _("how many data years"),
    "ngay_chot_so_lieu": _("the date the figures run to, dd/mm/yyyy"),
    "don_vi": _("the unit's name"),
    "cap_tren": _("the name of the unit's superior union"),
    "dai_hoi_cap_tren": _("the superior union's congress, e.g. Đại hội Công đoàn tỉnh … lần thứ XI"),
    "dai_hoi": _("how the round calls the unit's own congress (Đại hội, Hội nghị đại biểu)"),
}
PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")


def placeholders_unknown(text: str) -> list[str]:
    """The placeholders in ``text`` that the site does not fill (a typing mistake), in order, once each."""
    return list(dict.fromkeys(name for name in PLACEHOLDER_RE.findall(text) if name not in PLACEHOLDERS))


def years_in_words(years) -> str:
    """2018, 2019 và 2020."""
    years = [str(y) for y in years or []]
    return " và ".join([", ".join(years[:-1]), years[-1]]) if len(years) > 1 else "".join(years)


class BlankFill(str):
    """What fills the outline's blanks (the unit, its congress number, the term), carrying how the
    event before them is called: "Đại hội" (the outline's own word, changing nothing) or another,
    and the values of the outline's placeholders (``PLACEHOLDERS``)."""

    event: str = CONGRESS
    values: dict

    def __new__(cls, value: str, event: str = CONGRESS, values: dict | None = None):
        fill = super().__new__(cls, value)
        fill.event = event or CONGRESS
        fill.values = dict(values or {})
        return fill

    @property
    def key(self) -> str:
        """Everything that changes what the outline prints, as one string (for cache keys)."""
        values = "|".join(f"{k}={v}" for k, v in sorted(self.values.items()))
        return f"{self}|{self.event}|{values}"


def blank_fill(fields: dict) -> BlankFill:
    """The fill of a document's printed fields ("fill", and "event" and "values" where they were stored)."""
    return BlankFill(fields["fill"], fields.get("event") or CONGRESS, fields.get("values"))


def fill_placeholders(text: str, values: dict, *, capitals: bool = False) -> str:
    """``text`` with each known placeholder replaced by its value (capitals in a capital heading);
    one without a value stays as typed, so that a missing fact shows rather than vanishes."""

    def replace(match):
        value = values.get(match.group(1))
        if value is None:
            return match.group(0)
        return str(value).upper() if capitals else str(value)

    return PLACEHOLDER_RE.sub(replace, text)


def fill_blanks(text: str, fill: str) -> str:
    """Replace the outline's dotted blanks by ``fill`` and its placeholders by the fill's values;
    capitals stay capitals in capital headings.

    After "CĐCS" the unit's own "Công đoàn cơ sở" prefix is dropped, so the line does not say it twice.
    """
    if not fill:
        return text
    event = getattr(fill, "event", CONGRESS)
    if event != CONGRESS:
        text = _EVENT_BEFORE_BLANK.sub(lambda m: event.upper() if m.group(1).isupper() else event, text)
    letters = [c for c in PLACEHOLDER_RE.sub("", BLANK_RE.sub("", text)) if c.isalpha()]
    capitals = bool(letters) and all(c.isupper() for c in letters)
    values = getattr(fill, "values", None)
    if values and "{" in text:
        text = fill_placeholders(text, values, capitals=capitals)

    def replace(match):
        value = fill
        if text[: match.start()].rstrip().upper().endswith("CĐCS"):
            value = _GRASSROOTS_PREFIX.sub("", value)
        return " " + (value.upper() if capitals else value)

    return BLANK_RE.sub(replace, text)
