"""The reports layer's background jobs (units.jobs.BulkJob), what each does in chunks, and how it says
what came of it: opening a round on the whole tree, recalculating a round's roll-up totals, and a large
units import (the same work as the admin's import, with its totals). The tasks that run them are in
``reports.tasks``; the services that start them in ``reports.services``.

Each is safe to run again and safe when its worker dies: a chunk is one transaction (its reports, their
notifications and the job's progress commit together or not at all), and what exists already is skipped,
so the same action started again finishes the work without doubling anything."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.text import format_number
from core.workbook import WorkbookRefused
from units import imports as unit_imports
from units.invitations import invite_chunks
from units.jobs import JobRefused
from units.models import Membership, Role, Unit

from . import totals
from .models import Report, Round
from .notify import invite_the_uninvited, mail_notifications, notify_each
from .reorganisation import units_import_apply

log = logging.getLogger(__name__)

OPEN_CHUNK = 1000  # units per transaction when opening a round: a second or so at a time


# --- Opening a round ---


def round_open_chunk(round: Round, *, after: int, size: int = OPEN_CHUNK, tell_drafters: bool = True):
    """In the caller's transaction: the reports of the next ``size`` active units of the round's tree
    (by id, after ``after``) that have none yet, and their drafters' in-site notifications. Returns
    (the last unit id seen or None when none is left, how many units were seen, the new reports, the
    ids of the new reports whose drafters have an e-mail address)."""
    units = list(
        Unit.objects.subtree_of(round.organising_unit)
        .filter(is_active=True, pk__gt=after)
        .order_by("pk")
        .values_list("pk", "congress_number")[:size]
    )
    if not units:
        return None, 0, [], []
    existing = set(
        Report.objects.filter(round=round, unit_id__in=[pk for pk, _number in units]).values_list("unit_id", flat=True)
    )
    new = [Report(round=round, unit_id=pk, congress_number=number) for pk, number in units if pk not in existing]
    Report.objects.bulk_create(new, batch_size=1000)
    mailed = tell_drafters_of(round, new) if tell_drafters and new else []
    return units[-1][0], len(units), new, mailed


def tell_drafters_of(round: Round, reports: list[Report]) -> list[int]:
    """One in-site notification per drafter of each new report: which round, the deadline, the link.
    Returns the ids of the reports with a drafter to e-mail (the e-mails are the caller's to send)."""
    by_unit = {report.unit_id: report for report in reports}
    if any(report.pk is None for report in reports):
        # A database that does not return the new ids: read them back, one query.
        by_unit = {r.unit_id: r for r in Report.objects.filter(round=round, unit_id__in=list(by_unit))}
    memberships = Membership.objects.filter(
        unit_id__in=list(by_unit), role=Role.DRAFTER, user__is_active=True
    ).select_related("user")
    message = _(
        "The reporting round “%(round)s” is open: your unit's report is ready to be written. Deadline: %(date)s."
    ) % {"round": round.name, "date": formats.date_format(round.deadline, "d/m/Y")}
    entries = [
        (m.user, by_unit[m.unit_id], message, reverse("reports:report_detail", args=[by_unit[m.unit_id].pk]))
        for m in memberships
    ]
    notify_each(entries, kind="round_open")
    return sorted({report.pk for user, report, _message, _url in entries if user.email})


def _job_round(job) -> Round:
    round_ = Round.objects.select_related("organising_unit").filter(pk=job.params.get("round")).first()
    if round_ is None:
        raise JobRefused(_("The round no longer exists: nothing was done."))
    return round_


def round_open_work(job, step) -> str:
    """Open the job's round: its reports in chunks of OPEN_CHUNK units (the round's row locked in each,
    so two openings at once take turns and never make a report twice), the drafters told in the site
    with each chunk and by e-mail once it is committed; then the totals and the opening date."""
    round_ = _job_round(job)
    total = Unit.objects.subtree_of(round_.organising_unit).filter(is_active=True).count()
    after = seen = created = mails = 0
    step.advance(done=0, total=total)
    while True:
        with transaction.atomic():
            Round.objects.select_for_update().filter(pk=round_.pk).first()
            last, count, new, mailed = round_open_chunk(round_, after=after)
            if last is None:
                break
            after, seen, created = last, seen + count, created + len(new)
            step.advance(done=seen, total=max(total, seen), state={"created": created})
        if mailed:
            # After the commit: those told are told for good; invited first, as the round's task does.
            invite_the_uninvited(report_ids=mailed)
            mails += mail_notifications(kind="round_open", report_ids=mailed)
    with transaction.atomic():
        totals.rebuild(round_)
        if round_.opened_at is None:
            Round.objects.filter(pk=round_.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    log.info("round %s opened by %s (job %s): %d reports created", round_.code, job.created_by, job.pk, created)
    existing = seen - created
    if not created:
        return _("Every unit already had its report in the round “%(round)s”: nothing was created.") % {
            "round": round_.name
        }
    lines = [
        ngettext(
            "The round “%(round)s” is open: %(count)s report was created.",
            "The round “%(round)s” is open: %(count)s reports were created.",
            created,
        )
        % {"round": round_.name, "count": format_number(created)},
        ngettext(
            "%(count)s unit already had its report.",
            "%(count)s units already had their report.",
            existing,
        )
        % {"count": format_number(existing)}
        if existing
        else "",
        ngettext(
            "%(count)s e-mail was sent to the drafters.",
            "%(count)s e-mails were sent to the drafters.",
            mails,
        )
        % {"count": format_number(mails)},
    ]
    return "\n".join(line for line in lines if line)


# --- Recalculating a round's totals ---


def rebuild_totals_work(job, step) -> str:
    """Make the round's stored roll-up totals again from its reports' figures (one transaction)."""
    round_ = _job_round(job)
    count = Report.objects.filter(round=round_).count()
    step.advance(done=0, total=count)
    with transaction.atomic():
        totals.rebuild(round_)
        step.advance(done=count)
    return ngettext(
        "The roll-up totals of the round “%(round)s” were recalculated from %(count)s report.",
        "The roll-up totals of the round “%(round)s” were recalculated from %(count)s reports.",
        count,
    ) % {"round": round_.name, "count": format_number(count)}


# --- A large units import ---


def units_import_work(job, step) -> str:
    """Import the kept file of the job (its starter's upload, by its SHA-256) as the admin's import does,
    all or nothing, the roll-up totals made again; then, if asked, invite the new accounts in chunks.
    A second run changes nothing more: what the file makes exists by then."""
    actor = job.created_by
    digest = job.params.get("digest", "")
    data = unit_imports.kept_upload(actor, digest)
    if data is None:
        raise JobRefused(_("The uploaded file is no longer kept: nothing was imported. Upload it again."))
    step.advance(done=0, total=1)
    try:
        plan = units_import_apply(data=data, actor=actor)
    except WorkbookRefused as exc:
        raise JobRefused(str(exc.message)) from None
    except unit_imports.ImportInvalid as exc:
        errors = [str(error) for error in exc.plan.errors[:20]]
        raise JobRefused(
            "\n".join(
                [_("Nothing was imported: the file has errors now (something changed since the preview)."), *errors]
            )
        ) from None
    unit_imports.forget_upload(actor, digest)
    step.advance(done=1, total=1)
    counts = plan.counts
    lines = [
        _(
            "Imported: %(created)s units created, %(changed)s changed, %(moved)s moved; "
            "%(new_users)s new accounts, %(new_roles)s new roles."
        )
        % counts
    ]
    new_usernames = sorted({p.username for p in plan.people if p.new_user})
    if new_usernames and job.params.get("invite"):
        User = get_user_model()
        ids = list(
            User.objects.filter(**{f"{User.USERNAME_FIELD}__in": new_usernames})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        lines.append(invite_chunks(job, step, ids, resend=False))
    elif new_usernames:
        lines.append(
            _(
                "The new accounts are not invited yet: their drafters get their invitations when a "
                "round opens for their unit; anyone else from the account list "
                "(“Send the invitation to choose a password”)."
            )
        )
    return "\n".join(lines)
