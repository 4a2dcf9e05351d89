# The models moved to reports: they leave this app's state only; their tables and rows are now reports's.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0003_verbose_names'),
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='indicatornote',
                    name='indicator',
                ),
                migrations.RemoveField(
                    model_name='indicatornote',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='indicatorvalue',
                    name='indicator',
                ),
                migrations.RemoveField(
                    model_name='indicatorvalue',
                    name='report',
                ),
                migrations.DeleteModel(
                    name='Appendix',
                ),
                migrations.DeleteModel(
                    name='IndicatorNote',
                ),
                migrations.DeleteModel(
                    name='IndicatorValue',
                ),
            ],
        ),
    ]
