from django import template

register = template.Library()


@register.filter
def person(user):
    """A person's name in Vietnamese order (họ, tên đệm, tên), or their user name."""
    if user is None:
        return ""
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def abs_value(value):
    return abs(value)
