from django.tasks import task

from kvalis.outbox.services import outbox_message_send


@task()
def send_outbox_message_task(*, message_id: int) -> None:
    outbox_message_send(message_id=message_id)
