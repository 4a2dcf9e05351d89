# Round and Unit moved apps; the foreign keys point at the same (renamed) tables.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exports', '0002_consolidated_options'),
        ('reports', '0001_initial'),
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='exportjob',
                    name='round',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reports.round'),
                ),
                migrations.AlterField(
                    model_name='exportjob',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='units.unit'),
                ),
            ],
        ),
    ]
