"""E-mail as subject / text / HTML template triplets, in the recipient's language, sent as a
background task after the surrounding transaction commits, from a row of the outbox
(`kvalis.outbox`) written in that transaction: a task that dies is made up for by
`kvalis send_pending_mail`.

Templates: `<name>_subject.txt`, `<name>.txt`, `<name>.html` (e.g. "enrolment/emails/confirmed").
The subject and the text part are plain text, rendered without HTML escaping (a name like
O'Brien stays O'Brien, not O&#x27;Brien); only the HTML part is escaped.
"""

import base64
import email.contentmanager
import email.headerregistry
import email.policy

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation


class _HeaderClasses(email.headerregistry.HeaderRegistry):
    """The standard header registry, its classes made once per header name: the standard one
    makes a new class for every header it parses (about 18 µs each, some 37 per message with a
    PDF attached, so a fifth of the making of a certificate's e-mail)."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(key)
        return made


class _Content(email.contentmanager.ContentManager):
    """The standard content manager, but bytes (an attachment) are base64-encoded by
    `base64.encodebytes`: lines of 76 characters, each ending in a newline, which is what the
    standard manager writes for a policy's 78-character lines, without a string made per line
    (a 50 KB PDF: 0.63 → 0.38 ms)."""

    def get_content(self, msg, *args, **kw):
        return email.contentmanager.raw_data_manager.get_content(msg, *args, **kw)

    def set_content(self, msg, obj, *args, **kw):
        standard = email.contentmanager.raw_data_manager
        quick = (
            isinstance(obj, bytes)
            and kw.get("cte", "base64") == "base64"
            and msg.policy.max_line_length == 78
        )
        if not quick:
            return standard.set_content(msg, obj, *args, **kw)
        standard.set_content(msg, b"", *args, **kw)  # the headers, as the standard way sets them
        msg.set_payload(base64.encodebytes(obj).decode("ascii"))


# The standard policies Django builds messages with (`default` for the outbox in tests,
# `SMTP` for sending), each with the caching registry and the quick base64; others are used
# as given.
_POLICIES = {
    id(policy): policy.clone(header_factory=_HeaderClasses(), content_manager=_Content())
    for policy in (email.policy.default, email.policy.SMTP, email.policy.SMTPUTF8)
}


class Message(EmailMultiAlternatives):
    """Django's message with alternatives, its MIME built with the caching header registry and
    the quick base64: the same headers and the same bytes, made faster (a cohort's certificates
    are e-mailed a thousand at a time)."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=_POLICIES.get(id(policy), policy))


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
    message = Message(subject=subject, body=text, to=to)
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
