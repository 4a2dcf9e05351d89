"""Validators shared by the apps' models and forms."""

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
