"""`kvalis prune_report_exports`: delete prepared report downloads whose time is up."""

from django.core.management.base import BaseCommand

from kvalis.reports.services import export_jobs_prune


class Command(BaseCommand):
    help = (
        "Delete the report files prepared in the background (final reports, exports) that are "
        "older than their keeping time (24 hours), with their records. Run it hourly."
    )

    def handle(self, *args, **options):
        count = export_jobs_prune()
        self.stdout.write(f"{count} prepared downloads deleted.")
