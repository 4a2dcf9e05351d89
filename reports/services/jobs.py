"""Starting the reports layer's background jobs (units.jobs.BulkJob, the work in reports.jobs): each
records the job and queues its task once the transaction commits; the page that started it answers at
once with the job's page."""

from django.urls import reverse

from units.jobs import bulk_job_start
from units.models import BulkJob, BulkJobKind

from ..models import Round
from ..tasks import run_rebuild_totals, run_round_open, run_units_import


def round_open_start(*, round: Round, actor) -> BulkJob:
    """Open ``round`` in the background (``reports.jobs.round_open_work``): its reports for the whole
    tree, its drafters told, its totals. Returns the job, whose page follows it."""
    return bulk_job_start(
        kind=BulkJobKind.ROUND_OPEN,
        actor=actor,
        task=run_round_open,
        unit=round.organising_unit,
        title=round.name,
        params={"round": round.pk},
        again_url=reverse("reports:round_open", args=[round.code]),
    )


def round_rebuild_totals_start(*, round: Round, actor) -> BulkJob:
    """Recalculate ``round``'s roll-up totals in the background, as a person asked, with a page to follow."""
    return bulk_job_start(
        kind=BulkJobKind.REBUILD_TOTALS,
        actor=actor,
        task=run_rebuild_totals,
        unit=round.organising_unit,
        title=round.name,
        params={"round": round.pk},
        again_url=reverse("reports:round_edit", args=[round.code]),
    )


def units_import_start(*, digest: str, actor, invite: bool) -> BulkJob:
    """Import the units file ``actor`` uploaded (kept under its SHA-256 ``digest``) in the background,
    as the admin's import does with its totals (``reports.jobs.units_import_work``); ``invite``: the
    new accounts are invited once it is done."""
    return bulk_job_start(
        kind=BulkJobKind.UNITS_IMPORT,
        actor=actor,
        task=run_units_import,
        params={"digest": digest, "invite": invite},
        again_url=reverse("admin:units_unit_import"),
    )
