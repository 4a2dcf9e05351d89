from django import template

from exports.selectors import can_export_drafts as _can_export_drafts

register = template.Library()


@register.simple_tag(takes_context=True)
def can_export_drafts(context, report) -> bool:
    """Whether the signed-in user may put other units' drafts in a consolidated file."""
    return _can_export_drafts(context["request"].user, report)
