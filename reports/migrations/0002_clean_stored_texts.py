"""Every stored text cleaned to today's allow-list, once: pages and files no longer clean on the way out."""

from django.db import migrations

from core.richtext import sanitize_html


def clean_stored_texts(apps, schema_editor):
    SectionText = apps.get_model("reports", "SectionText")
    Submission = apps.get_model("reports", "Submission")
    changed = []
    for section in SectionText.objects.only("pk", "content").iterator(chunk_size=1000):
        cleaned = sanitize_html(section.content)
        if cleaned != section.content:
            section.content = cleaned
            changed.append(section)
        if len(changed) >= 500:
            SectionText.objects.bulk_update(changed, ["content"])
            changed = []
    SectionText.objects.bulk_update(changed, ["content"])
    changed = []
    for submission in Submission.objects.only("pk", "sections").iterator(chunk_size=200):
        sections = submission.sections or {}
        cleaned = {key: sanitize_html(value) if isinstance(value, str) else value for key, value in sections.items()}
        if cleaned != sections:
            submission.sections = cleaned
            changed.append(submission)
        if len(changed) >= 100:
            Submission.objects.bulk_update(changed, ["sections"])
            changed = []
    Submission.objects.bulk_update(changed, ["sections"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(clean_stored_texts, migrations.RunPython.noop, elidable=True)]
