"""Background work of the enrolment app. Jobs take ids, reload, and call a service."""

from django.tasks import task


@task()
def deliver_cohort_message(*, message_id: int) -> None:
    from kvalis.enrolment.cohort_messages import cohort_message_deliver

    cohort_message_deliver(message_id=message_id)
