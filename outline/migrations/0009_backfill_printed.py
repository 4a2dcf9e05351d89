"""Reports submitted before the printed fields were kept: keep them now, as they print today, so that
a later renaming no longer rewrites them (the best record there is of what was signed)."""

from django.db import migrations


def _number(report):
    number = report.doc_number.strip()
    unit = report.unit
    suffix = unit.doc_prefix or ("BC-CĐCS" if unit.is_grassroots else "BC-CĐ")
    if not number:
        return f"…/{suffix}"
    return number if "/" in number else f"{number}/{suffix}"


def backfill(apps, schema_editor):
    Report = apps.get_model("outline", "Report")
    reports = Report.objects.filter(status__in=["submitted", "approved"], printed={}).select_related(
        "unit", "unit__parent", "round"
    )
    for report in reports.iterator(chunk_size=500):
        unit, parent = report.unit, report.unit.parent
        fill = unit.name + (f" lần thứ {report.congress_number}" if report.congress_number else "")
        recipients = [line.strip().rstrip(";") for line in (report.recipients or "").splitlines() if line.strip()]
        report.printed = {
            "superior": parent.name if parent else "",
            "unit": unit.name,
            "heading": report.round.header_line,
            "number": _number(report),
            "place": report.place,
            "signing_authority": report.signing_authority,
            "signer_title": report.signer_title,
            "signer_name": report.signer_name,
            "recipients": recipients or ([parent.name] if parent else []),
            "filed": report.filed,
            "fill": f"{fill}, nhiệm kỳ {report.round.term_start_year}–{report.round.term_end_year}",
        }
        report.save(update_fields=["printed"])


class Migration(migrations.Migration):
    dependencies = [("outline", "0008_recipients_hint")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
