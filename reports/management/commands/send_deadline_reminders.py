"""Remind drafters of open reports whose deadline is near. Run daily from cron, e.g.
0 7 * * *  cd /srv/baocao && .venv/bin/python manage.py send_deadline_reminders --days 3"""

from django.core.management.base import BaseCommand

from reports.review import deadline_reminders


class Command(BaseCommand):
    help = "Notify (in the site and by e-mail) the drafters of open reports due within --days days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args, days, **options):
        sent = deadline_reminders(days=days)
        self.stdout.write(f"{sent} reminders sent")
