"""One page of a long list, as the database gives it: the Paginator asks for a count and one slice, never
for the whole list; the links keep the page's other parameters (a search, a filter, a sort)."""

import json
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

PAGE_PARAMETER = "trang"


@dataclass
class Paged:
    page: Page
    numbers: list  # page numbers and Paginator.ELLIPSIS, for the links
    query: str  # the request's other parameters, urlencoded, for the links

    def __iter__(self):
        return iter(self.page)

    def __len__(self):
        return len(self.page)

    def __bool__(self):
        return self.page.paginator.count > 0


class EstimatedCountPaginator(Paginator):
    """A Paginator for lists that may hold hundreds of thousands of rows (a province's reports and texts,
    the admin's figures and accounts): it counts exactly up to ``exact_up_to`` rows (a count over a
    LIMITed subquery, so it never reads more), and past that, on PostgreSQL, takes the planner's
    estimate of the rows (EXPLAIN: no row read) and says so (``estimated``), for the page to write
    "khoảng". The last pages of such a list may be a little off; nobody pages that far, they search."""

    exact_up_to = 10_000
    estimated = False

    @cached_property
    def count(self) -> int:
        items = self.object_list
        if isinstance(items, QuerySet):
            count, self.estimated = bounded_count(items, self.exact_up_to)
            return count
        if hasattr(items, "paged_count"):  # a list made of several querysets (reports.selectors.MarkedFirst)
            count, self.estimated = items.paged_count(self.exact_up_to)
            return count
        return super().count


def bounded_count(items: QuerySet, exact_up_to: int) -> tuple[int, bool]:
    """How many rows ``items`` holds, and whether that is an estimate: exact up to ``exact_up_to`` (a
    count over a LIMITed subquery), past that PostgreSQL's plan's estimate (never below the bound)."""
    bounded = items.order_by()[: exact_up_to + 1].count()
    if bounded <= exact_up_to:
        return bounded, False
    if connections[items.db].vendor != "postgresql":
        return items.count(), False
    return max(planned_rows(items), bounded), True


class PagePaginator(EstimatedCountPaginator):
    """The site's own long lists: exact up to 1,000 rows (a few milliseconds at any size), estimated past."""

    exact_up_to = 1_000


def planned_rows(queryset) -> int:
    """PostgreSQL's estimate of the rows ``queryset`` would return, from its plan (no row is read)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def paginate(request, items, per_page: int, *, paginator_class=PagePaginator) -> Paged:
    """Page ``?trang=N`` of ``items`` (a queryset sorted by the database, or anything with count() and
    slicing); a page number out of range or not a number gives the last or the first page."""
    page = paginator_class(items, per_page).get_page(request.GET.get(PAGE_PARAMETER))
    params = request.GET.copy()
    params.pop(PAGE_PARAMETER, None)
    return Paged(
        page=page,
        numbers=list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        query=params.urlencode(),
    )
