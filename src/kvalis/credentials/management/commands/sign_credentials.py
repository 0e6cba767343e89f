from django.core.management.base import BaseCommand

from kvalis.credentials import services


class Command(BaseCommand):
    help = (
        "Create and sign the Open Badges credentials of certificates issued before credentials "
        "existed (otherwise each is signed on its first download)."
    )

    def handle(self, *args, **options):
        count = services.credentials_backfill()
        self.stdout.write(f"{count} credentials signed")
