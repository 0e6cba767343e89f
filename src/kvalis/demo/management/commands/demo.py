from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from kvalis.demo.data import DEMO_PASSWORD, PROJECT_CODE
from kvalis.demo.steps import STEPS
from kvalis.demo.steps.core import ADMIN_LOGIN, LOGINS
from kvalis.projects.models import Project


def final_counts() -> dict[str, int]:
    """What the demo holds once every step has run, so that two runs print the same line
    (a step's own counts are taken before later steps add to the same tables)."""
    from kvalis.attendance.models import Attendance
    from kvalis.attendance.selectors import trained_person_ids
    from kvalis.budget.models import BudgetLine, Expense
    from kvalis.certificates.models import Certificate
    from kvalis.enrolment.models import Enrolment
    from kvalis.organisations.models import Organisation
    from kvalis.people.models import Person
    from kvalis.projects.models import Cohort, Session
    from kvalis.surveys.models import SurveyResponse
    from kvalis.visits.models import Traveller

    project = Project.objects.get(code=PROJECT_CODE)
    enrolments = Enrolment.objects.filter(cohort__activity__project=project)
    return {
        "projects": Project.objects.count(),
        "organisations": Organisation.objects.count(),
        "partners": project.partners.count(),
        "people": Person.objects.count(),
        "activities": project.activities.count(),
        "cohorts": Cohort.objects.filter(activity__project=project).count(),
        "sessions": Session.objects.filter(cohort__activity__project=project).count(),
        "enrolments": enrolments.count(),
        "persons confirmed": enrolments.filter(status="confirmed")
        .values("person")
        .distinct()
        .count(),
        "waiting": enrolments.filter(status="waiting").count(),
        "cancelled": enrolments.filter(status="cancelled").count(),
        "attendance rows": Attendance.objects.filter(enrolment__in=enrolments).count(),
        "persons trained": trained_person_ids(project).count(),
        "certificates": Certificate.objects.filter(project=project).count(),
        "survey answers": SurveyResponse.objects.filter(survey__project=project).count(),
        "budget lines": BudgetLine.objects.filter(project=project).count(),
        "expenses": Expense.objects.filter(line__project=project).count(),
        "travellers and reserves": Traveller.objects.filter(
            visit__activity__project=project
        ).count(),
    }


class Command(BaseCommand):
    help = "Load the seed case (Utena, 2014) as demo data. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the demo project exists."
        )

    def handle(self, *args, if_empty: bool = False, verbosity: int = 1, **options):
        if if_empty and Project.objects.filter(code=PROJECT_CODE).exists():
            self.stdout.write(f"Demo project {PROJECT_CODE} is already loaded.")
        else:
            with transaction.atomic():
                for step in STEPS:
                    counts = import_module(f"kvalis.demo.steps.{step}").load(stdout=self.stdout)
                    if verbosity > 1:
                        details = ", ".join(f"{value} {key}" for key, value in counts.items())
                        self.stdout.write(f"  step {step}: {details}")
            if connection.vendor == "postgresql":
                # Thousands of rows have just arrived in empty tables; without statistics the
                # planner guesses, and a guess on a many-join page can take minutes.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo loaded: "
                    + ", ".join(f"{value} {key}" for key, value in final_counts().items())
                )
            )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for role, (email, *_rest) in LOGINS.items():
            self.stdout.write(f"  {role:12} {email}")
        self.stdout.write(f"  {'admin':12} {ADMIN_LOGIN} (site administrator, /admin/)")
