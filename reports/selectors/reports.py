"""The reports a user reads, and who writes, reviews and exports them."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from core.db import Folded, Vietnamese
from core.text import fold, vietnamese_sort_key
from units.models import Role
from units.selectors import user_access

from ..models import (
    ExtensionRequest,
    Notification,
    Report,
    SectionText,
)


def reports_for_user(user, round=None, *, query: str = ""):
    """Reports the user may read (in ``round`` only, if given; whose unit's name or code holds ``query``,
    accents and capitals aside), with round and unit joined and each report's written sections
    (``written_count``), as a queryset the database sorts, counts and pages: units in Vietnamese order
    (newest round first when no round is given). The count is a subquery, so PostgreSQL works it out
    only for the rows of the page, and a page of a round reads the units' name index in order."""
    visible = Report.objects.visible_to(user)
    if round is not None:
        visible = visible.filter(round=round)
    if query:
        needle = fold(query)
        visible = visible.alias(folded_name=Folded("unit__name"), folded_code=Folded("unit__code")).filter(
            Q(folded_name__contains=needle) | Q(folded_code__contains=needle)
        )
    written = (
        SectionText.objects.filter(report=OuterRef("pk"))
        .exclude(content="")
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    # One report per unit and round: (name, unit) orders a round's reports totally, and is the order
    # of the index units 0002 made, which PostgreSQL walks for the first page instead of sorting.
    order = [Vietnamese("unit__name"), "unit_id"]
    if round is None:
        order = ["-round__deadline", "round__code", *order]
    return (
        visible.select_related("round", "unit")
        .annotate(written_count=Coalesce(Subquery(written, output_field=IntegerField()), 0))
        .order_by(*order)
    )


def report_for_user(user, pk):
    """One report the user may read, or Report.DoesNotExist."""
    return Report.objects.visible_to(user).select_related("round", "unit").get(pk=pk)


def report_page_report(user, pk):
    """The report page's report: as report_for_user, with whether a request for more time waits for an
    answer (``has_pending_extension``), the unit's superior (what the outline's blanks name: the cached
    body's key) and how many notifications ``user`` has not read (``unread_notifications``, for the
    menu) in the same query: a page served from its cache reads the session, the user and this row.
    A merged unit's successor is read apart, for the few pages that name it."""
    return (
        Report.objects.visible_to(user)
        .select_related("round", "unit", "unit__parent")
        .annotate(has_pending_extension=_pending_extension(), unread_notifications=unread_count(user))
        .get(pk=pk)
    )


# The two small subqueries of the report page's query, written out: built with the ORM (Exists, a
# Subquery over a COUNT), compiling them took 1.4 ms of the 8.5 ms a cached page takes, every time. They
# name the report table itself, its alias in an outer query: report_page_report must stay a top-level
# get(), never a subquery (where Django would rename the table U0).
def _pending_extension() -> RawSQL:
    q = connection.ops.quote_name
    requests, reports = q(ExtensionRequest._meta.db_table), q(Report._meta.db_table)
    report_fk = q(ExtensionRequest._meta.get_field("report").column)
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {requests} WHERE {requests}.{report_fk} = {reports}.{q(Report._meta.pk.column)} "
        f"AND {requests}.{q('status')} = %s)",
        ["pending"],
        output_field=BooleanField(),
    )


def unread_count(user) -> RawSQL:
    """How many notifications ``user`` has not read, as an expression to annotate a page's main query
    with (``reportsite.context_processors.notifications`` then asks nothing more)."""
    q = connection.ops.quote_name
    table = q(Notification._meta.db_table)
    user_fk = q(Notification._meta.get_field("user").column)
    return RawSQL(
        f"SELECT COUNT(*) FROM {table} WHERE {table}.{user_fk} = %s AND {table}.{q('read_at')} IS NULL",
        [user.pk],
        output_field=IntegerField(),
    )


def predecessor_reports(user, report) -> list[Report]:
    """The reports of the units merged into ``report``'s unit (at any remove: ``Unit.heir``), which the
    unit's page links to as "Tiền thân", newest round first, units in Vietnamese order. One query, and
    none for a unit that was not formed by a merger."""
    if not report.unit.formed_by_merger:
        return []
    reports = list(
        Report.objects.visible_to(user)
        .filter(unit__heir_id=report.unit_id)
        .select_related("round", "unit")
        .order_by("-round__deadline", "round__code")
    )
    rounds = {r.round_id: i for i, r in reversed(list(enumerate(reports)))}
    return sorted(reports, key=lambda r: (rounds[r.round_id], vietnamese_sort_key(r.unit.name)))


def can_edit(user, report) -> bool:
    """Whether the user writes this report's unit (drafter); says nothing about its status."""
    return report.unit_id in {unit.pk for unit in user_access(user).drafter_units}


def reviewers_of(report):
    """Users who review the report: reviewers and admins of its unit's ancestors."""

    return (
        get_user_model()
        .objects.filter(
            memberships__unit_id__in=report.unit.ancestor_ids(),
            memberships__role__in=[Role.REVIEWER, Role.ADMIN],
            is_active=True,
        )
        .distinct()
    )


def drafters_of(report):

    return (
        get_user_model()
        .objects.filter(memberships__unit_id=report.unit_id, memberships__role=Role.DRAFTER, is_active=True)
        .distinct()
    )


def can_export_consolidated(user, report) -> bool:
    """Reviewers and admins at the unit or above it, and the unit's own drafters."""
    access = user_access(user)
    if access.is_superuser or can_edit(user, report):
        return True
    return any(report.unit.is_within(unit) for unit in access.overseen_units)


def can_export_drafts(user, report) -> bool:
    """Drafts (reports not submitted) go into a consolidated file only for the reviewers and admins
    above the units, who read them on the site: not for the unit's own drafters."""
    access = user_access(user)
    if access.is_superuser:
        return True
    return any(report.unit.is_within(unit) for unit in access.overseen_units)
