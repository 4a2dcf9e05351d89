"""Writes on rounds: their fields (and what an open round may no longer change), opening one."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.text import nfc

from .. import totals
from ..jobs import round_open_chunk
from ..models import IndicatorValue, Round
from ..tasks import send_round_open_mails

log = logging.getLogger(__name__)


ROUND_FIELDS = (
    "code",
    "name",
    "outline_version",
    "superior_outline_version",
    "organising_unit",
    "term_start_year",
    "term_end_year",
    "data_years",
    "previous_term",
    "cutoff_date",
    "deadline",
    "event_wording",
    "header_line",
)


# What an opened round's reports are built on: the outline (and with it the indicator catalogue that
# holds their figures) and the units that have a report. Changing them would strand what was written.
ROUND_LOCKED_WHEN_OPEN = ("outline_version", "superior_outline_version", "organising_unit")


def _pk(value):
    return getattr(value, "pk", value) or None


def round_change_errors(*, round: Round | None, data: dict) -> dict[str, list[str]]:
    """What ``data`` may not change in the stored ``round`` (None: a new round, nothing), by field.
    Once opened, its outline versions and organising unit stay; a data year that has figures in any
    report stays among the data years, and inside the term."""
    if round is None or round.pk is None:
        return {}
    stored = Round.objects.filter(pk=round.pk).first()
    if stored is None:
        return {}
    errors: dict[str, list[str]] = {}
    if stored.opened_at is not None:
        for name in ROUND_LOCKED_WHEN_OPEN:
            if name in data and _pk(data[name]) != getattr(stored, f"{name}_id"):
                errors[name] = [_("The round is open and its reports are built on this: it can no longer be changed.")]
    with_figures = dict(
        IndicatorValue.objects.filter(report__round=stored, column__in=[str(y) for y in stored.data_years or []])
        .values_list("column")
        .annotate(reports=Count("report", distinct=True))
        .values_list("column", "reports")
    )
    if not with_figures:
        return errors
    years = {int(y) for y in data.get("data_years", stored.data_years) or [] if str(y).isdigit()}
    start = _year_or_none(data.get("term_start_year", stored.term_start_year))
    end = _year_or_none(data.get("term_end_year", stored.term_end_year))
    for column, count in sorted(with_figures.items()):
        year = int(column)
        words = ngettext(
            "Figures for %(year)d have been typed in %(count)d report: ",
            "Figures for %(year)d have been typed in %(count)d reports: ",
            count,
        ) % {"year": year, "count": count}
        if year not in years:
            errors.setdefault("data_years", []).append(words + _("the year cannot be removed."))
        if start and year < start:
            errors.setdefault("term_start_year", []).append(words + _("the term must include it."))
        if end and year > end:
            errors.setdefault("term_end_year", []).append(words + _("the term must include it."))
    return errors


def _year_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def round_save(*, round: Round | None = None, data: dict, actor) -> Round:
    """Create a round (``round`` None) or change one from ``data`` (the fields of ROUND_FIELDS that it
    holds). Texts are stored NFC and trimmed, data years as sorted distinct integers. Raises
    ValidationError (by field) when the round breaks a rule: years outside the term, a term backwards,
    or a change that would strand what its reports hold (see ``round_change_errors``)."""
    if round is not None and round.pk is not None:
        # Two administrators editing the same round at once: the second checks against the first's result.
        Round.objects.select_for_update().filter(pk=round.pk).first()
    errors = round_change_errors(round=round, data=data)
    round_ = round or Round()
    for name in ROUND_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            value = nfc(value).strip()
        if name == "data_years":
            value = sorted({int(y) for y in value or []})
        setattr(round_, name, value)
    try:
        round_.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise ValidationError(errors)
    created = round_.pk is None
    round_.save()
    log.info("round %s %s by %s", round_.code, "created" if created else "changed", actor)
    return round_


@transaction.atomic
def round_open(*, round: Round, actor=None, tell_drafters: bool = True) -> int:
    """Create one report for every unit from the organising unit down: each grassroots union's,
    and each superior union's own (which draws on its units'). Returns how many were created.
    Safe to run again: units that already have a report are left alone. Inactive units get none.
    With ``tell_drafters``, the drafters of each new report are told in the site, and by e-mail from
    a background task queued once the transaction commits. All in the caller's request: the demo, the
    scale builder and the tests; the site's page starts ``round_open_start`` instead."""
    after, created, mailed = 0, 0, []
    while True:
        last, _count, new, told = round_open_chunk(round, after=after, tell_drafters=tell_drafters)
        if last is None:
            break
        after, created, mailed = last, created + len(new), mailed + told
    totals.rebuild(round)
    if round.opened_at is None:
        round.opened_at = timezone.now()
        round.save(update_fields=["opened_at"])
    # Thousands of e-mails do not belong in the request that opens the round: the background worker
    # sends them, once the reports and notifications are committed (nothing goes if they are not).
    # Robust: the round is open whatever happens to the queue; a failure to queue is logged.
    if mailed:
        transaction.on_commit(lambda: send_round_open_mails.enqueue(report_ids=mailed), robust=True)
    log.info("round %s opened by %s: %d reports created", round.code, actor, created)
    return created
