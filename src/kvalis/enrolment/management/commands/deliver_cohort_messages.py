from django.core.management.base import BaseCommand

from kvalis.enrolment.cohort_messages import cohort_messages_deliver_pending


class Command(BaseCommand):
    help = (
        "Deliver messages to cohorts whose background task never ran (a worker or queue lost). "
        "A message already delivered is not sent again."
    )

    def handle(self, *args, **options):
        delivered = cohort_messages_deliver_pending()
        self.stdout.write(f"{delivered} messages delivered.")
