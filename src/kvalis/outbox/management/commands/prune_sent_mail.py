from django.core.management.base import BaseCommand

from kvalis.outbox.services import outbox_prune


class Command(BaseCommand):
    help = (
        "Delete outbox rows of e-mails sent more than 30 days ago: they hold addresses "
        "(run it weekly from cron)."
    )

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"Sent e-mails deleted: {outbox_prune()}"))
