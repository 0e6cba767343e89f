from django.core.management.base import BaseCommand

from kvalis.surveys.selectors import accepting_surveys
from kvalis.surveys.services import survey_pending, survey_remind


class Command(BaseCommand):
    help = (
        "E-mail a reminder to participants who have not answered an open survey "
        "(run it, e.g., weekly from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Only surveys of this project code.")

    def handle(self, *args, project: str | None = None, **options):
        surveys = accepting_surveys().select_related("project")
        if project:
            surveys = surveys.filter(project__code=project)
        total = 0
        for survey in surveys:
            refusal = survey_pending(survey)
            if refusal:
                # Opened early by a coordinator's exception: no reminder before the training ends.
                self.stdout.write(f"{survey.project.code} · {survey.title}: {refusal}")
                continue
            sent = survey_remind(survey=survey, actor=None)
            total += sent
            self.stdout.write(f"{survey.project.code} · {survey.title}: {sent}")
        self.stdout.write(self.style.SUCCESS(f"Reminders sent: {total}"))
