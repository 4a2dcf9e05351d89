"""The file's columns, their headers in Vietnamese and English, and how a cell's text is read."""

import re
import unicodedata

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import fold, nfc
from core.workbook import WorkbookLimits

from ..models import Role

# A province's list: up to a few thousand units, a few people each. The sheet part is about 400
# bytes a row; 20,000 rows read in a few seconds.
IMPORT_LIMITS = WorkbookLimits(
    max_uncompressed=32 * 1024 * 1024,
    max_part_bytes=16 * 1024 * 1024,
    max_rows=20_000,
    max_strings=20_000 * 12,  # a text in each of the template's ten columns, and a couple more
)
# Levels of the unit tree, the top one included: Unit.path (1,000 characters) holds that many ids.
MAX_LEVELS = 30

# (key, header) in the template's order. The headers are the union's own words.
COLUMNS = [
    ("code", gettext_lazy("Unit code")),
    ("name", gettext_lazy("Unit name")),
    ("kind", gettext_lazy("Kind")),
    ("parent", gettext_lazy("Parent unit code")),
    ("is_grassroots", gettext_lazy("Grassroots union (CĐCS)")),
    ("congress_number", gettext_lazy("Congress number")),
    ("username", gettext_lazy("User name")),
    ("full_name", gettext_lazy("Full name")),
    ("email", gettext_lazy("E-mail")),
    ("role", gettext_lazy("Role")),
]
KEYS = [key for key, _label in COLUMNS]
YES, NO = gettext_lazy("Yes"), gettext_lazy("No")
ACTIONS = {
    "created": gettext_lazy("Created"),
    "changed": gettext_lazy("Changed"),
    "moved": gettext_lazy("Moved"),
    "unchanged": gettext_lazy("Unchanged"),
}
_YES = {"co", "c", "x", "yes", "y", "1", "true", "dung"}
_NO = {"khong", "k", "no", "n", "0", "false", "sai", ""}
_SPACES = re.compile(r"\s+")


def _labels(label) -> set[str]:
    """A label's folded forms in Vietnamese and in English, whole and before any "(…)"."""
    forms = set()
    for language in ("vi", "en"):
        with translation.override(language):
            text = fold(str(label)).strip()
        forms.add(text)
        forms.add(text.split("(")[0].strip())
    return forms


def _role_names() -> dict[str, str]:
    names = {}
    for value, label in Role.choices:
        names[value] = value
        for form in _labels(label):
            names[form] = value
    return names


def role_label(role: str) -> str:
    """The role as the template and the preview write it ("Người soạn")."""
    return str(Role(role).label).split("(")[0].strip()


def role_can(role: str) -> str:
    """What a role lets its holder do in the unit, from their first log-in: the import preview says it."""
    return {
        Role.DRAFTER: _("writes and submits the unit's report, answers the comments"),
        Role.REVIEWER: _("reads, comments on, returns and approves the reports of the units below; writes nothing"),
        Role.ADMIN: _(
            "opens the administration at once (no staff access to tick): units, people and roles, rounds, "
            "outlines, imports and exports, for this unit and every unit below it"
        ),
    }[Role(role)]


# --- The template ---------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def _name(value) -> str:
    return _SPACES.sub(" ", _text(value))


def split_name(full_name: str) -> tuple[str, str]:
    """ "Nguyễn Thị Lan" -> ("Nguyễn Thị", "Lan"): family and middle names, then the given name."""
    parts = full_name.split()
    if len(parts) <= 1:
        return "", full_name
    return " ".join(parts[:-1]), parts[-1]


def _full_name(user) -> str:
    return _SPACES.sub(" ", nfc(f"{user.last_name} {user.first_name}")).strip()


def _same_name(a: str, b: str) -> bool:
    return unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()
