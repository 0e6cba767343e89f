from django.core.management.base import BaseCommand

from kvalis.surveys.services import survey_results_publish_due


class Command(BaseCommand):
    help = (
        "Publish the survey results that are due (batches of at least five answers, at most "
        "one a day) and record yesterday's answers in the audit log as daily counts "
        "(run it daily from cron)."
    )

    def handle(self, *args, **options):
        batches = survey_results_publish_due()
        for batch in batches:
            self.stdout.write(
                f"{batch.survey.project.code} · {batch.survey.title}: {batch.responses}"
            )
        self.stdout.write(self.style.SUCCESS(f"Batches of results published: {len(batches)}"))
