"""`kvalis rebuild_indicators [CODE ...]`: recompute maintained indicator figures from raw data."""

import time

from django.core.management.base import BaseCommand, CommandError

from kvalis.projects.models import Project


class Command(BaseCommand):
    help = (
        "Recompute the maintained indicator figures (one row per enrolment) of the given projects, "
        "or of every project, from raw attendance; afterwards their reports read the stored rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="Project codes (all projects when omitted).")

    def handle(self, *args, codes: list[str], **options):
        from kvalis.reports.figures import rebuild

        projects = Project.objects.order_by("code")
        if codes:
            codes = [code.strip().upper() for code in codes]
            projects = projects.filter(code__in=codes)
            missing = sorted(set(codes) - set(projects.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"No project with the code {', '.join(missing)}.")
        for project in projects:
            started = time.perf_counter()
            rows = rebuild(project)
            self.stdout.write(
                f"{project.code}: {rows} enrolment rows in {time.perf_counter() - started:.2f} s"
            )
