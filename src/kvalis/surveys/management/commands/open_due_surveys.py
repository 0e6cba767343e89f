from django.core.management.base import BaseCommand

from kvalis.surveys.services import surveys_open_due


class Command(BaseCommand):
    help = (
        "Open (and invite participants to) every automatic survey whose last session has ended "
        "(run it, e.g., hourly from cron)."
    )

    def handle(self, *args, **options):
        opened = surveys_open_due()
        for survey in opened:
            self.stdout.write(f"{survey.project.code} · {survey.title}")
        self.stdout.write(self.style.SUCCESS(f"Surveys opened: {len(opened)}"))
