from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from kvalis.demo.data import DEMO_PASSWORD, PROJECT_CODE
from kvalis.demo.steps import STEPS
from kvalis.demo.steps.core import LOGINS
from kvalis.projects.models import Project


class Command(BaseCommand):
    help = "Load the seed case (Utena, 2014) as demo data. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the demo project exists."
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Project.objects.filter(code=PROJECT_CODE).exists():
            self.stdout.write(f"Demo project {PROJECT_CODE} is already loaded.")
        else:
            counts: dict[str, int] = {}
            with transaction.atomic():
                for step in STEPS:
                    counts.update(
                        import_module(f"kvalis.demo.steps.{step}").load(stdout=self.stdout)
                    )
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo loaded: " + ", ".join(f"{value} {key}" for key, value in counts.items())
                )
            )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for role, (email, *_rest) in LOGINS.items():
            self.stdout.write(f"  {role:12} {email}")
