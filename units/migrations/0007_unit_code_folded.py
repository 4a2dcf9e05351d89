"""Unit codes in one folded form (core.validators.fold_code) and a unique index on the upper-cased code.

Before the index, the stored codes are checked (units.codes.code_report): units whose codes differ only
by case, accents or Đ/D stop the upgrade with their list and what to do (nothing changed, an error in
words instead of the database's IntegrityError); every other code is written in its folded form, and
codes that cannot be folded are listed and left as they are."""

import django.db.models.functions.text
from django.core.management.base import CommandError
from django.db import migrations, models

import core.validators
from units.codes import code_report


def fold_codes(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    report = code_report(Unit.objects.order_by("pk").values_list("pk", "code", "name"))
    if report.twins:
        raise CommandError(report.twins_text())
    for pk, _old, new in report.renames:
        Unit.objects.filter(pk=pk).update(code=new)
    if report.renames:
        print(report.renames_text())
    if report.unfoldable:
        print(report.unfoldable_text())


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0006_unit_code_validator"),
    ]

    operations = [
        migrations.RunPython(fold_codes, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="unit",
            name="code",
            field=models.CharField(
                error_messages={"unique": "A unit with this code exists already."},
                max_length=40,
                unique=True,
                validators=[core.validators.validate_unit_code],
                verbose_name="code",
            ),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Upper("code"),
                name="unit_code_folded_unique",
                violation_error_message="A unit with this code exists already.",
            ),
        ),
    ]
