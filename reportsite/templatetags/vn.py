from django import template

register = template.Library()


@register.filter
def person(user):
    """A person's name in Vietnamese order (họ, tên đệm, tên), or their user name."""
    if user is None:
        return ""
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()
