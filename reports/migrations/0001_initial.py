# Models moved here from outline and indicators: the state takes them over as they are (same tables, same rows), then
# each table is renamed to this app's name. Nothing is copied; a deployed site upgrades with migrate.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


NEW_APP = 'reports'
# The models that move here, by the app they come from.
MOVED = {'outline': ['report', 'extensionrequest', 'returnrequest', 'returnitem', 'round', 'sectiontext', 'submission', 'notification', 'comment', 'auditentry'], 'indicators': ['appendix', 'indicatorvalue', 'indicatornote']}


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
        ('indicators', '0003_verbose_names'),
        ('outline', '0009_backfill_printed'),
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Report',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('not_started', 'Not started'), ('drafting', 'Drafting'), ('submitted', 'Submitted'), ('returned', 'Returned'), ('approved', 'Approved')], default='not_started', max_length=20)),
                        ('congress_number', models.CharField(blank=True, max_length=20, verbose_name='congress number')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('extended_until', models.DateField(blank=True, help_text='A later deadline for this report only.', null=True, verbose_name='extended until')),
                        ('doc_number', models.CharField(blank=True, help_text='e.g. 15/BC-CĐCS', max_length=40, verbose_name='document number')),
                        ('place', models.CharField(blank=True, help_text='e.g. Bình An', max_length=80, verbose_name='place')),
                        ('signer_name', models.CharField(blank=True, max_length=120, verbose_name='signed by')),
                        ('signing_authority', models.CharField(blank=True, choices=[('TM. BAN CHẤP HÀNH', 'TM. BAN CHẤP HÀNH'), ('TM. BAN THƯỜNG VỤ', 'TM. BAN THƯỜNG VỤ'), ('KT. CHỦ TỊCH', 'KT. CHỦ TỊCH (a vice-chair signs for the chair)'), ('', 'None (the chair signs in their own name)')], default='TM. BAN CHẤP HÀNH', max_length=30, verbose_name='signing authority')),
                        ('signer_title', models.CharField(default='CHỦ TỊCH', max_length=60, verbose_name="signer's position")),
                        ('filed', models.CharField(blank=True, default='VT', help_text='Printed as “- Lưu: VT, …”.', max_length=120, verbose_name='filed (Lưu)')),
                        ('recipients', models.TextField(blank=True, help_text='One per line; the “Lưu:” line is set in its own box below.', max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='recipients')),
                        ('printed', models.JSONField(blank=True, default=dict, editable=False, verbose_name='as printed on submission')),
                        ('approved_at', models.DateTimeField(blank=True, null=True)),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='units.unit')),
                    ],
                    options={
                        'verbose_name': 'report',
                        'verbose_name_plural': 'reports',
                        'db_table': 'outline_report',
                    },
                ),
                migrations.CreateModel(
                    name='ExtensionRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('requested_at', models.DateTimeField(auto_now_add=True)),
                        ('status', models.CharField(choices=[('pending', 'Waiting'), ('granted', 'Granted'), ('refused', 'Refused')], default='pending', max_length=10)),
                        ('until', models.DateField(blank=True, null=True, verbose_name='until')),
                        ('decision_note', models.TextField(blank=True, verbose_name='answer')),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='extensions', to='reports.report')),
                    ],
                    options={
                        'ordering': ['-requested_at'],
                        'db_table': 'outline_extensionrequest',
                    },
                ),
                migrations.CreateModel(
                    name='Appendix',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(default=0)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='appendix', to='reports.report')),
                    ],
                    options={
                        'verbose_name': 'appendix',
                        'verbose_name_plural': 'appendices',
                        'db_table': 'indicators_appendix',
                    },
                ),
                migrations.CreateModel(
                    name='ReturnRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('note', models.TextField(verbose_name='overall note')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('closed_at', models.DateTimeField(blank=True, help_text='When the unit resubmitted.', null=True)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='returns', to='reports.report')),
                    ],
                    options={
                        'ordering': ['-created_at'],
                        'db_table': 'outline_returnrequest',
                    },
                ),
                migrations.CreateModel(
                    name='ReturnItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('node_key', models.CharField(max_length=60)),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('answer', models.TextField(blank=True, verbose_name='answer')),
                        ('is_done', models.BooleanField(default=False, verbose_name='done')),
                        ('answered_at', models.DateTimeField(blank=True, null=True)),
                        ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='reports.returnrequest')),
                    ],
                    options={
                        'ordering': ['pk'],
                        'db_table': 'outline_returnitem',
                    },
                ),
                migrations.CreateModel(
                    name='Round',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=255, verbose_name='name')),
                        ('term_start_year', models.PositiveSmallIntegerField(verbose_name='term starts')),
                        ('term_end_year', models.PositiveSmallIntegerField(verbose_name='term ends')),
                        ('data_years', models.JSONField(default=list, verbose_name='data years')),
                        ('cutoff_date', models.DateField(verbose_name='figures up to')),
                        ('deadline', models.DateField(verbose_name='deadline')),
                        ('header_line', models.CharField(blank=True, default='', help_text="Empty: the national motto, as the union's rules require (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc). Fill it only to print another heading instead.", max_length=120, verbose_name='heading on the right of the Word file')),
                        ('opened_at', models.DateTimeField(blank=True, null=True, verbose_name='opened at')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('organising_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='organised_rounds', to='units.unit', verbose_name='organising unit')),
                        ('outline_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='outline.outlineversion', verbose_name='outline version')),
                        ('superior_outline_version', models.ForeignKey(blank=True, help_text="The same outline worded for a superior union's own report (no “CĐCS” before its name). Its headings and summary line are printed in place of the outline's; it must have the same items.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outline.outlineversion', verbose_name='outline version for superior unions')),
                    ],
                    options={
                        'verbose_name': 'reporting round',
                        'verbose_name_plural': 'reporting rounds',
                        'ordering': ['-deadline', 'code'],
                        'db_table': 'outline_round',
                    },
                ),
                migrations.AddField(
                    model_name='report',
                    name='round',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='reports.round'),
                ),
                migrations.CreateModel(
                    name='SectionText',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('content', models.TextField(blank=True)),
                        ('is_done', models.BooleanField(default=False)),
                        ('version', models.PositiveIntegerField(default=0)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('node', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outline.outlinenode')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sections', to='reports.report')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'outline_sectiontext',
                    },
                ),
                migrations.CreateModel(
                    name='Submission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveIntegerField()),
                        ('submitted_at', models.DateTimeField()),
                        ('sections', models.JSONField(help_text='Node key → the HTML submitted.')),
                        ('figures', models.JSONField(blank=True, default=dict, help_text='Indicator code → column → the figure submitted, as text.')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='reports.report')),
                        ('submitted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'submission',
                        'verbose_name_plural': 'submissions',
                        'ordering': ['report', 'number'],
                        'db_table': 'outline_submission',
                    },
                ),
                migrations.AddField(
                    model_name='returnrequest',
                    name='submission',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reports.submission'),
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=20)),
                        ('message', models.TextField()),
                        ('url', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('key', models.CharField(blank=True, help_text='Set for reminders so each is sent once.', max_length=120)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reports.report')),
                    ],
                    options={
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['user', 'read_at'], name='outline_not_user_id_1e5f4f_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('key', ''), _negated=True), fields=('user', 'key'), name='notification_once_per_key')],
                        'db_table': 'outline_notification',
                    },
                ),
                migrations.CreateModel(
                    name='IndicatorValue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('column', models.CharField(max_length=10)),
                        ('value', models.DecimalField(decimal_places=4, max_digits=20)),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='values', to='indicators.indicator')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicator_values', to='reports.report')),
                    ],
                    options={
                        'verbose_name': 'figure',
                        'verbose_name_plural': 'figures',
                        'constraints': [models.UniqueConstraint(fields=('report', 'indicator', 'column'), name='indicator_value_once')],
                        'db_table': 'indicators_indicatorvalue',
                    },
                ),
                migrations.CreateModel(
                    name='IndicatorNote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('explanation', models.TextField(blank=True, verbose_name='explanation of the warning')),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='notes', to='indicators.indicator')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicator_notes', to='reports.report')),
                    ],
                    options={
                        'verbose_name': 'note on a figure',
                        'verbose_name_plural': 'notes on figures',
                        'constraints': [models.UniqueConstraint(fields=('report', 'indicator'), name='indicator_note_once')],
                        'db_table': 'indicators_indicatornote',
                    },
                ),
                migrations.CreateModel(
                    name='Comment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('anchor', models.CharField(help_text='section:<outline key>, indicator:<code> or report', max_length=80)),
                        ('body', models.TextField()),
                        ('visibility', models.CharField(choices=[('unit', 'Comment (seen by the unit)'), ('internal', 'Internal note (reviewers only)')], default='unit', max_length=10)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replies', to='reports.comment')),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='reports.report')),
                    ],
                    options={
                        'ordering': ['created_at', 'pk'],
                        'indexes': [models.Index(fields=['report', 'anchor'], name='outline_com_report__f6b0fd_idx')],
                        'db_table': 'outline_comment',
                    },
                ),
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('section', 'Section text'), ('figure', 'Figure'), ('note', 'Figure note'), ('status', 'Status'), ('comment', 'Comment'), ('deadline', 'Deadline')], max_length=10)),
                        ('target', models.CharField(help_text='Outline key, indicator code and column…', max_length=80)),
                        ('old', models.TextField(blank=True)),
                        ('new', models.TextField(blank=True)),
                        ('at', models.DateTimeField()),
                        ('visibility', models.CharField(choices=[('unit', 'Comment (seen by the unit)'), ('internal', 'Internal note (reviewers only)')], default='unit', max_length=10)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit', to='reports.report')),
                    ],
                    options={
                        'ordering': ['-at', '-pk'],
                        'indexes': [models.Index(fields=['report', 'kind', 'target'], name='outline_aud_report__506e1c_idx')],
                        'db_table': 'outline_auditentry',
                    },
                ),
                migrations.AddConstraint(
                    model_name='report',
                    constraint=models.UniqueConstraint(fields=('round', 'unit'), name='report_one_per_unit'),
                ),
                migrations.AddConstraint(
                    model_name='sectiontext',
                    constraint=models.UniqueConstraint(fields=('report', 'node'), name='section_text_once'),
                ),
                migrations.AddConstraint(
                    model_name='submission',
                    constraint=models.UniqueConstraint(fields=('report', 'number'), name='submission_number'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
        migrations.AlterModelTable(
            name='Report',
            table=None,
        ),
        migrations.AlterModelTable(
            name='ExtensionRequest',
            table=None,
        ),
        migrations.AlterModelTable(
            name='Appendix',
            table=None,
        ),
        migrations.AlterModelTable(
            name='ReturnRequest',
            table=None,
        ),
        migrations.AlterModelTable(
            name='ReturnItem',
            table=None,
        ),
        migrations.AlterModelTable(
            name='Round',
            table=None,
        ),
        migrations.AlterModelTable(
            name='SectionText',
            table=None,
        ),
        migrations.AlterModelTable(
            name='Submission',
            table=None,
        ),
        migrations.AlterModelTable(
            name='Notification',
            table=None,
        ),
        migrations.AlterModelTable(
            name='IndicatorValue',
            table=None,
        ),
        migrations.AlterModelTable(
            name='IndicatorNote',
            table=None,
        ),
        migrations.AlterModelTable(
            name='Comment',
            table=None,
        ),
        migrations.AlterModelTable(
            name='AuditEntry',
            table=None,
        ),
        # Indexes named after the old tables take this app's names, as makemigrations would give them.
        migrations.RenameIndex(
            model_name='notification',
            new_name='reports_not_user_id_000928_idx',
            old_name='outline_not_user_id_1e5f4f_idx',
        ),
        migrations.RenameIndex(
            model_name='comment',
            new_name='reports_com_report__58dd69_idx',
            old_name='outline_com_report__f6b0fd_idx',
        ),
        migrations.RenameIndex(
            model_name='auditentry',
            new_name='reports_aud_report__cbeb18_idx',
            old_name='outline_aud_report__506e1c_idx',
        ),
    ]
