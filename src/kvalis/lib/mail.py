"""E-mail as subject / text / HTML template triplets, in the recipient's language, sent as a
background task after the surrounding transaction commits, from a row of the outbox
(`kvalis.outbox`) written in that transaction: a task that dies is made up for by
`kvalis send_pending_mail`.

Templates: `<name>_subject.txt`, `<name>.txt`, `<name>.html` (e.g. "enrolment/emails/confirmed").
The subject and the text part are plain text, rendered without HTML escaping (a name like
O'Brien stays O'Brien, not O&#x27;Brien); only the HTML part is escaped.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation


def render_plain_text(template_name: str, context: dict) -> str:
    """Render a template with autoescaping off, includes too: for text that is not HTML."""
    template = get_template(template_name)
    return template.template.render(Context(context, autoescape=False))


def render_mail(*, template: str, context: dict, language: str = "lt") -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_plain_text(f"{template}_subject.txt", context).split())
        text = render_plain_text(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return subject, text, html


def send_rendered(
    *, to: list[str], subject: str, text: str, html: str, attachments: list | None = None
) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    message.send()


# Tasks enqueued before the outbox existed still name this one; new mail goes through the outbox.
@task()
def send_mail_task(*, to: list[str], template: str, context: dict, language: str = "lt") -> None:
    subject, text, html = render_mail(template=template, context=context, language=language)
    send_rendered(to=to, subject=subject, text=text, html=html)


def queue_mail(*, to: str | list[str], template: str, context: dict, language: str = "lt") -> None:
    """Send after commit, as a task. `context` must be JSON-serialisable (ids, strings).

    The message is written to the outbox in the caller's transaction: it is sent only if that
    transaction commits, and by `send_pending_mail` if the task's worker dies before sending it.
    """
    # Imported here: the outbox renders and sends with the functions above.
    from kvalis.outbox.services import outbox_message_create

    recipients = [to] if isinstance(to, str) else list(to)
    outbox_message_create(to=recipients, template=template, context=context, language=language)
