"""What the site already has, read in a fixed number of queries whatever the size of the file."""

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from ..models import Membership, Unit

_IN_CHUNK = 10_000  # codes or names per IN (...) list: one query up to the row limit


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _units_by_code(codes) -> dict[str, Unit]:
    found = {}
    for chunk in _chunks(codes):
        found.update({u.code: u for u in Unit.objects.filter(code__in=chunk)})
    return found


def _users_by_username(usernames) -> dict:
    User = get_user_model()
    found = {}
    for chunk in _chunks(usernames):
        found.update({u.get_username(): u for u in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": chunk})})
    return found


def _usernames_by_email(emails) -> dict[str, set[str]]:
    User = get_user_model()
    found: dict[str, set[str]] = {}
    for chunk in _chunks(emails):
        rows = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email_lower", User.USERNAME_FIELD)
        )
        for email, username in rows:
            found.setdefault(email, set()).add(username)
    return found


def _memberships(users, units) -> set[tuple[int, int, str]]:
    user_ids, unit_ids = [u.pk for u in users], [u.pk for u in units]
    if not user_ids or not unit_ids:
        return set()
    return set(
        Membership.objects.filter(user_id__in=user_ids, unit_id__in=unit_ids).values_list("user_id", "unit_id", "role")
    )
