from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def richtext(value):
    """Show a stored section text as HTML. It was cleaned to the editor's allow-list once, when it was
    saved (core.richtext.clean_section_html, called by every service that stores one; migration
    reports 0002 cleaned the rows stored before): cleaning it again on every page cost the province's
    section page seconds."""
    return mark_safe(value or "")
