"""TL_KT_LDTT (the share of direct workers among those rewarded) divides two flows that add up over
the years: its result is Σ numerators ÷ Σ denominators over 2018–2020, not 2020 alone. The catalogue
row said "latest", so Excel used 2020 while the page used the three years (101,5 against 97,2%)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code="TL_KT_LDTT", over_years="latest").update(over_years="sum")


def backwards(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code="TL_KT_LDTT", over_years="sum").update(over_years="latest")


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
