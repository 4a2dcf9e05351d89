"""Validators shared by the apps' models and imports."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .converters import CodeConverter

# What a code may hold: exactly what a URL's <code:...> accepts (core.converters.CodeConverter), so
# every stored code can be written into an address such as tong-hop/<round>/<unit>/.
CODE_PATTERN = CodeConverter.regex

validate_code = RegexValidator(
    regex=rf"\A{CODE_PATTERN}\Z",
    message=_("A code cannot contain a slash (/) or control characters (such as a line break or a tab)."),
    code="invalid_code",
)
