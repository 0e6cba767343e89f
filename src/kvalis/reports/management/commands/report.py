"""`kvalis report CODE --format json|xlsx|pdf|summary [--output FILE] [--no-annex]`."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kvalis.projects.models import Project

FORMATS = ("json", "xlsx", "pdf", "summary")


class Command(BaseCommand):
    help = (
        "Write a project's report: the indicators as JSON, a workbook (XLSX), the funder's final "
        "report (PDF) or the public summary text. To standard output unless --output is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="Project code, e.g. UTENA-KT-2014.")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--no-annex",
            action="store_true",
            help="Leave the participant list out of the PDF final report.",
        )

    def handle(self, *args, code: str, format: str, output: str | None, no_annex: bool, **opts):
        from kvalis.reports.indicators import indicators_json, project_indicators

        project = Project.objects.select_related("lead", "funder").filter(code=code).first()
        if project is None:
            raise CommandError(f"No project with the code {code!r}.")
        with translation.override("lt"):
            if format == "json":
                content: bytes | str = indicators_json(project_indicators(project)) + "\n"
            elif format == "summary":
                from kvalis.reports.models import PublicSummary
                from kvalis.reports.summary import generate_summary

                stored = PublicSummary.objects.filter(project=project).first()
                if stored is not None:
                    content = f"{stored.title}\n\n{stored.text}\n"
                else:
                    generated = generate_summary(project)
                    content = f"{generated.title}\n\n{generated.text}\n"
            elif format == "xlsx":
                from kvalis.reports.exports import available_exports, export_rows, export_title
                from kvalis.reports.indicators import report_enrolments
                from kvalis.reports.outputs import report_xlsx

                enrolments = report_enrolments(project)
                sheets = {
                    export_title(kind): export_rows(kind, enrolments)
                    for kind in available_exports()
                }
                content = report_xlsx(project_indicators(project), people_sheets=sheets)
            else:
                from kvalis.reports.outputs import final_report_pdf, write_final_report_pdf

                if output:
                    # Straight to the file: the annex is rendered in parts, memory stays bounded.
                    with open(output, "wb") as file:
                        write_final_report_pdf(file, project, include_annex=not no_annex)
                    self.stderr.write(f"Written to {output}")
                    return
                content = final_report_pdf(project, include_annex=not no_annex)
        self._write(content, output)

    def _write(self, content: bytes | str, output: str | None) -> None:
        if output:
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(output, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as file:
                file.write(content)
            self.stderr.write(f"Written to {output}")
            return
        if isinstance(content, bytes):
            stream = getattr(self.stdout, "_out", sys.stdout)
            buffer = getattr(stream, "buffer", None)
            if buffer is None:
                raise CommandError("This format is binary: use --output FILE.")
            stream.flush()
            buffer.write(content)
            buffer.flush()
            return
        self.stdout.write(content, ending="")
