from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kvalis.people.retention import retention_apply, retention_plan


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today wants a date as YYYY-MM-DD, not {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Apply the organisations' retention periods: pseudonymise participants whose projects "
        "ended long enough ago, delete applications never confirmed, survey participation "
        "records and old audit entries. Idempotent; run it daily from cron. --dry-run lists "
        "what it would do and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")
        parser.add_argument("--today", type=_day, help="Act as on this day (YYYY-MM-DD).")

    def handle(self, *args, dry_run: bool = False, today: date | None = None, **options):
        plan = retention_plan(today=today)
        counts = plan.counts
        if dry_run:
            self.stdout.write(f"Dry run for {plan.today.isoformat()}: nothing is changed.")
            self._list(plan)
        else:
            counts = retention_apply(today=plan.today)
        self.stdout.write(
            self.style.SUCCESS(
                f"People pseudonymised: {counts['people']}; "
                f"unconfirmed applications deleted: {counts['applications']}; "
                f"survey participation records deleted: {counts['participations']}; "
                f"audit entries deleted: {counts['audit_entries']}."
                if not dry_run
                else f"Would pseudonymise {counts['people']} people, delete "
                f"{counts['applications']} unconfirmed applications, "
                f"{counts['participations']} survey participation records and "
                f"{counts['audit_entries']} audit entries."
            )
        )

    def _list(self, plan) -> None:
        for person in plan.people:
            self.stdout.write(f"  person {person.pk} (last project ended {person.last_end})")
        for enrolment in plan.applications:
            self.stdout.write(
                f"  application {enrolment.pk} of {enrolment.created_at:%Y-%m-%d} "
                f"(project {enrolment.cohort.activity.project.code})"
            )
        for participation in plan.participations:
            self.stdout.write(
                f"  survey participation {participation.pk} "
                f"(survey {participation.survey_id}, closed {participation.survey.closes_on})"
            )
        for entry in plan.audit_entries.only("pk", "created_at", "action").iterator():
            self.stdout.write(f"  audit entry {entry.pk} of {entry.created_at:%Y-%m-%d}")
