"""Path converters shared by the apps' URLs (importing this module registers them)."""

from django.urls import register_converter
from django.urls.converters import StringConverter


class CodeConverter(StringConverter):
    """A round's or a unit's code in a path. Codes never hold control characters, and PostgreSQL
    refuses a NUL in a query (a server error, /theo-doi/R%00/): such a path is simply not found."""

    regex = r"[^/\x00-\x1f\x7f]+"


register_converter(CodeConverter, "code")
