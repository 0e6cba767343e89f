from django.core.management.base import BaseCommand

from kvalis.surveys.services import survey_template_default_ensure


class Command(BaseCommand):
    help = "Create the built-in Lithuanian evaluation questionnaire if it does not exist yet."

    def handle(self, *args, **options):
        template = survey_template_default_ensure()
        self.stdout.write(
            self.style.SUCCESS(f"{template.title}: {template.questions.count()} questions")
        )
