# Models moved here from reportsite: the state takes them over as they are (same tables, same rows), then
# each table is renamed to this app's name. Nothing is copied; a deployed site upgrades with migrate.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


NEW_APP = 'units'
# The models that move here, by the app they come from.
MOVED = {'reportsite': ['unit', 'membership']}


def _relabel(ContentType, old_app, new_app, models):
    moving = ContentType.objects.filter(app_label=old_app, model__in=models)
    ContentType.objects.filter(app_label=new_app, model__in=moving.values_list("model", flat=True)).delete()
    moving.update(app_label=new_app)


def move_content_types(apps, schema_editor):
    """Permissions and admin history follow the models: their content types change app, not id.

    A content type under the new name exists already only if some `migrate` run after the code changed
    stopped short of this migration (post_migrate creates types for every installed model). Such a type
    is younger than the old one and gives way to it; the old one keeps its id, permissions and log."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, models in MOVED.items():
        _relabel(ContentType, old_app, NEW_APP, models)


def move_content_types_back(apps, schema_editor):
    """Going back (migrate to an earlier release): the content types return to the apps they came from."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, models in MOVED.items():
        _relabel(ContentType, NEW_APP, old_app, models)


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('reportsite', '0002_document_format'),
        # Every migration written while the tables had their old names runs before they are renamed.
        ('outline', '0009_backfill_printed'),
        ('indicators', '0003_verbose_names'),
        ('exports', '0002_consolidated_options'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Unit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=255, verbose_name='name')),
                        ('kind', models.CharField(help_text='Free text: LĐLĐ tỉnh, công đoàn cấp trên trực tiếp cơ sở, CĐCS…', max_length=120, verbose_name='kind')),
                        ('is_grassroots', models.BooleanField(default=False, help_text='A grassroots union gets a report when a round opens.', verbose_name='grassroots union (CĐCS)')),
                        ('congress_number', models.CharField(blank=True, help_text='The number of its current congress, e.g. V. Restarts after a merger.', max_length=20, verbose_name='congress number')),
                        ('path', models.CharField(db_index=True, default='', editable=False, max_length=1000)),
                        ('doc_prefix', models.CharField(blank=True, help_text='What follows the number in “Số: 15/BC-CĐCS”. Empty: BC-CĐCS for a grassroots union, BC-CĐ otherwise.', max_length=40, verbose_name='document number suffix')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='units.unit', verbose_name='parent unit')),
                    ],
                    options={
                        'verbose_name': 'unit',
                        'verbose_name_plural': 'units',
                        'ordering': ['path'],
                        'db_table': 'reportsite_unit',
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('drafter', 'Drafter (cán bộ CĐCS)'), ('reviewer', 'Reviewer (cán bộ công đoàn cấp trên)'), ('admin', 'Administrator')], max_length=20, verbose_name='role')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='units.unit', verbose_name='unit')),
                    ],
                    options={
                        'verbose_name': 'membership',
                        'verbose_name_plural': 'memberships',
                        'db_table': 'reportsite_membership',
                    },
                ),
                migrations.AddIndex(
                    model_name='unit',
                    index=models.Index(fields=['path'], name='unit_path_prefix', opclasses=['varchar_pattern_ops']),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(fields=('user', 'unit', 'role'), name='membership_unique_role'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
        migrations.AlterModelTable(
            name='Unit',
            table=None,
        ),
        migrations.AlterModelTable(
            name='Membership',
            table=None,
        ),
    ]
