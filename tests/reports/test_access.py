"""reports.access, the one gate of the pages: a report a user may not read does not exist for them (404),
one they read but may not act on is refused (403), whatever the page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports.access import Action, access_managed_round, access_report_by_id, access_rollup

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "drafter_a", "drafter_b", "reviewer", "reviewer_elsewhere", "admin"]
# Unit A's report, per role: what each action answers.
EXPECTED = {
    Action.READ: ["404", "ok", "404", "ok", "404", "ok"],
    Action.DRAFT: ["404", "ok", "404", "403", "404", "403"],
    Action.REVIEW: ["404", "403", "404", "ok", "404", "ok"],
    Action.EXPORT: ["404", "ok", "404", "ok", "404", "ok"],
    Action.EXPORT_DRAFTS: ["404", "403", "404", "ok", "404", "ok"],
}


def answer(call) -> str:
    try:
        call()
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"
    return "ok"


def user(world, role):
    return AnonymousUser() if role == "anonymous" else world.users()[role]


@pytest.mark.parametrize("action", list(Action))
def test_each_action_on_a_report_answers_as_the_pages_do(world, action):
    got = [answer(lambda r=role: access_report_by_id(user(world, r), world.report_a.pk, action)) for role in ROLES]
    assert got == EXPECTED[action]


def test_a_report_that_is_not_there_is_not_found_for_anyone(world):
    assert answer(lambda: access_report_by_id(world.admin, 10**9)) == "404"


def test_rounds_and_roll_ups(world):
    # A roll-up: of a unit the user oversees (or below it), else not found; a drafter oversees none.
    rollup = [
        answer(lambda r=role: access_rollup(user(world, r), world.round.code, world.superior.code)) for role in ROLES
    ]
    assert rollup == ["404", "404", "404", "ok", "404", "ok"]
    assert answer(lambda: access_rollup(world.reviewer, "KHONG-CO", world.superior.code)) == "404"
    # Setting a round up: administrators only (403 for the others), of the units it is organised for.
    managed = [answer(lambda r=role: access_managed_round(user(world, r), world.round.code)) for role in ROLES]
    assert managed == ["403", "403", "403", "403", "403", "ok"]
