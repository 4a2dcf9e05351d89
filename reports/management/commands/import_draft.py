"""python manage.py import_draft ROUND UNIT FILE.docx [--dry-run] [--leave-out-unplaced] [--as USERNAME]

For offices that send their draft by e-mail: the clerk loads it into the unit's report of the round.
The same reading, matching and write as the report page's "Nhập từ tệp Word"; every section the file
has text for takes that text (what it held is in the report's history). Text the outline has no
place for is printed; the import stops there unless --leave-out-unplaced says to leave it out.
Exits non-zero, having written nothing, on any refusal."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.richtext import plain_text
from reports import selectors, services
from reports.drafts import DISCARD, Decision, DraftRefused, compose_sections, undecided
from reports.models import Report

REASONS = {
    "before_first": gettext_lazy("before the first heading"),
    "no_box": gettext_lazy("under a heading with no box of its own"),
    "unknown_heading": gettext_lazy("under a heading the outline does not have"),
    "outline_text": gettext_lazy("the outline's own guidance"),
}


class Command(BaseCommand):
    help = "Import a report's draft from a Word file (.docx) into the unit's report of a round."

    def add_arguments(self, parser):
        parser.add_argument("round_code", help="the round's code")
        parser.add_argument("unit_code", help="the unit's code")
        parser.add_argument("file", help="the draft (.docx)")
        parser.add_argument("--dry-run", action="store_true", help="print where each part would go; write nothing")
        parser.add_argument(
            "--leave-out-unplaced", action="store_true", help="leave out the text no section was found for"
        )
        parser.add_argument("--as", dest="username", help="the account the changes are recorded under")

    def handle(
        self, *args, round_code, unit_code, file, dry_run=False, leave_out_unplaced=False, username=None, **options
    ):
        translation.activate(settings.LANGUAGE_CODE)
        report = (
            Report.objects.select_related("round", "unit").filter(round__code=round_code, unit__code=unit_code).first()
        )
        if report is None:
            raise CommandError(
                _("No report of unit %(unit)s in round %(round)s.") % {"unit": unit_code, "round": round_code}
            )
        actor = None
        if username:
            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                raise CommandError(_("No such account: %(name)s") % {"name": username})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        if path.stat().st_size > settings.UPLOAD_MAX_BYTES:
            raise CommandError(_("The file is too large (at most 2 MB)."))
        try:
            preview = selectors.draft_preview(report, path.name, path.read_bytes())
        except DraftRefused as exc:
            raise CommandError(exc.message) from None
        labels = selectors.report_outline(report).labels
        for chunk in preview["chunks"]:
            words = len(plain_text(chunk["html"]).split())
            heading = chunk["heading"] or "—"
            if chunk["key"]:
                self.stdout.write(f"{heading} → {labels.get(chunk['key'], chunk['key'])} ({chunk['score']}%, {words})")
            elif chunk["html"]:
                self.stdout.write(f"{heading} → ? {REASONS.get(chunk['reason'], chunk['reason'])} ({words})")
        for line in preview["unsupported"]:
            self.stdout.write(_("Not kept: %(what)s") % {"what": line})
        # The outline's own guidance left in its file is never the officer's text.
        targets = {c["id"]: DISCARD for c in preview["chunks"] if c["reason"] == "outline_text"}
        decision = Decision(targets=targets, modes={})
        left = undecided(preview["chunks"], decision)
        if left and leave_out_unplaced:
            decision = Decision(targets={**targets, **{c["id"]: DISCARD for c in left}}, modes={})
        current = {k: v["content"] for k, v in preview["sections"].items()}
        texts = compose_sections(preview["chunks"], decision, current)
        summary = _("%(sections)s sections to write, %(unplaced)s parts not placed.") % {
            "sections": len(texts),
            "unplaced": len(left),
        }
        self.stdout.write(summary)
        if dry_run:
            return
        if left and not leave_out_unplaced:
            raise CommandError(
                _(
                    "Nothing was written: %(count)s parts of the file have no section. Place them on the report "
                    "page, or run again with --leave-out-unplaced."
                )
                % {"count": len(left)}
            )
        try:
            saved = services.draft_import(
                report=report,
                texts=texts,
                versions={k: v["version"] for k, v in preview["sections"].items()},
                actor=actor,
            )
        except services.ReportLocked as exc:
            raise CommandError(_("Nothing was written: %(reason)s") % {"reason": exc.reason}) from None
        except services.DraftConflict as exc:
            raise CommandError(
                _("Nothing was written: section %(key)s was saved meanwhile; run the command again.") % {"key": exc.key}
            ) from None
        except ValidationError as exc:
            raise CommandError(_("Nothing was written: %(reason)s") % {"reason": " ".join(exc.messages)}) from None
        self.stdout.write(_("%(count)s sections written.") % {"count": len(saved)})
