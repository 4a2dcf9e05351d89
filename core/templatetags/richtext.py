from django import template
from django.utils.safestring import mark_safe

from core.richtext import sanitize_html

register = template.Library()


@register.filter
def richtext(value):
    """Show a stored section text as HTML, cleaned again on the way out to the same allow-list."""
    return mark_safe(sanitize_html(value or ""))
