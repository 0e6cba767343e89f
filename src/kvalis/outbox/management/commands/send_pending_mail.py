from django.core.management.base import BaseCommand

from kvalis.outbox.services import outbox_send_pending


class Command(BaseCommand):
    help = (
        "Send queued e-mails that no worker is sending: their task failed or its worker died "
        "(run it every few minutes from cron; a message is never sent twice by it)."
    )

    def handle(self, *args, **options):
        sent, failed = outbox_send_pending()
        self.stdout.write(self.style.SUCCESS(f"E-mails sent: {sent}"))
        if failed:
            self.stdout.write(self.style.WARNING(f"Failed, left for the next run: {failed}"))
