"""Signing in: Django's model backend, reading the signed-in user and their memberships in one query."""

from django.contrib.auth.backends import ModelBackend

from .selectors import user_with_access


class AccessModelBackend(ModelBackend):
    """ModelBackend whose user (read on every request from the session) comes with the units it acts for
    (units.selectors.user_access) in the same query: one statement fewer on every signed-in page."""

    def get_user(self, user_id):
        user = user_with_access(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
