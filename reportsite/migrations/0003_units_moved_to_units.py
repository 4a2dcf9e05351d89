# The models moved to units: they leave this app's state only; their tables and rows are now units's.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exports', '0003_moved_foreign_keys'),
        ('outline', '0010_reports_moved_to_reports'),
        ('reportsite', '0002_document_format'),
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='unit',
                    name='parent',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
                migrations.DeleteModel(
                    name='Unit',
                ),
            ],
        ),
    ]
