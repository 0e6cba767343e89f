from django.core.management.base import BaseCommand

from kvalis.enrolment.services import quotas_release_due, reminders_send


class Command(BaseCommand):
    help = (
        "Queue reminder e-mails for confirmed participants of cohorts starting within --days "
        "days (once per enrolment), and open released quota seats to the waiting lists. "
        "Run it daily (cron or a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="How many days ahead (3).")

    def handle(self, *args, days: int, **options):
        if days < 0:
            self.stderr.write("--days must not be negative")
            return
        promoted = quotas_release_due()
        sent = reminders_send(days=days)
        self.stdout.write(f"{sent} reminders queued, {promoted} promoted from waiting lists.")
