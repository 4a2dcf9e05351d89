"""Validators shared by the apps' models and forms."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .converters import CodeConverter

# A code appears in addresses (/dot-bao-cao/<code>/...): it must be what the path converter accepts,
# or every page that links to it fails when building the link.
CODE_PATTERN = CodeConverter.regex

validate_code = RegexValidator(
    rf"\A(?:{CODE_PATTERN})\Z",
    message=_("A code cannot contain a slash (/) or control characters: it appears in addresses."),
    code="invalid_code",
)


# --- Unit codes: one folded ASCII form ---
# A unit's code is how files, addresses and people name it: two codes that look alike must be one code.
# Folded: capitals, Đ as D, accents dropped (NFKD also turns full-width and compatibility letters into
# theirs); what remains must be A–Z, 0–9 or - _ . — a Cyrillic "С", a zero-width space or a space is
# refused, never guessed.
UNIT_CODE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
_D_STROKE = str.maketrans({"Đ": "D", "đ": "D", "Ð": "D", "ð": "D"})


def fold_code(value: str) -> str:
    """The one form of a unit code (" px-dụp " becomes "PX-DUP"; "CS 01" is refused for its space).
    Raises ValidationError naming the first character it cannot take, where, and why."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if not text:
        raise ValidationError(_("The unit code is empty."), code="unit_code")
    validate_code(text)  # no slash, no control character: the code appears in addresses
    text = unicodedata.normalize("NFKD", text.translate(_D_STROKE))
    text = "".join(c for c in text if not unicodedata.combining(c))
    for position, char in enumerate(text, 1):
        if char.isascii() and char.upper() in UNIT_CODE_CHARACTERS:
            continue
        params = {"char": char, "codepoint": f"U+{ord(char):04X}", "position": position}
        if char.isspace() or not char.isprintable() or unicodedata.category(char) in {"Cf", "Zs", "Zl", "Zp"}:
            message = _(
                "A unit code cannot hold spaces or invisible characters (%(codepoint)s at position %(position)s)."
            )
        elif char.isalpha():
            message = _(
                "“%(char)s” (%(codepoint)s) at position %(position)s is not one of the Latin letters A–Z: a unit "
                "code holds only the letters A–Z, digits and - _ ."
            )
        else:
            message = _(
                "“%(char)s” (%(codepoint)s) at position %(position)s cannot be in a unit code: it holds only the "
                "letters A–Z, digits and - _ ."
            )
        raise ValidationError(message, code="unit_code", params=params)
    return text.upper()


def validate_unit_code(value: str) -> None:
    """A stored unit code is in its folded form (fold_code)."""
    folded = fold_code(value)
    if folded != value:
        raise ValidationError(
            _("Write the unit code as %(code)s: capitals, no accents, Đ as D."),
            code="unit_code_folded",
            params={"code": folded},
        )
