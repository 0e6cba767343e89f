"""Background work for certificates. Jobs take ids, reload, and call services."""

from django.db import transaction
from django.tasks import task

from kvalis.certificates.models import Certificate
from kvalis.certificates.pdf import hours_text
from kvalis.certificates.selectors import mailable
from kvalis.lib.mail import render_mail


@task()
def run_certificate_batch(*, batch_id: int) -> None:
    from kvalis.certificates.services import certificate_batch_run

    certificate_batch_run(batch_id=batch_id)


@task()
def deliver_certificates(*, certificate_ids: list[int]) -> None:
    """Render (one WeasyPrint run for all) and e-mail freshly issued certificates."""
    from kvalis.certificates.services import certificate_render_pdfs

    certificates = list(Certificate.objects.filter(pk__in=certificate_ids))
    certificate_render_pdfs(certificates=certificates)
    transaction.on_commit(lambda: mail_certificates.enqueue(certificate_ids=certificate_ids))


@task()
def mail_certificates(*, certificate_ids: list[int]) -> None:
    """E-mail participants their certificates, each PDF attached, over one connection."""
    from django.core.mail import EmailMultiAlternatives, mailers
    from django.urls import reverse

    from kvalis.certificates.services import certificate_pdf_bytes

    messages = []
    for certificate in mailable(Certificate.objects.filter(pk__in=certificate_ids)).select_related(
        "person__user"
    ):
        user = certificate.person.user
        language = (user.language if user else "") or "lt"
        context = {
            "name": certificate.participant_name,
            "number": certificate.number,
            "activity": certificate.data.get("activity_title", ""),
            "hours": hours_text(certificate.hours),
            "my_url": reverse("certificates:my_certificates"),
            "verify_url": reverse("certificates:verify", args=[certificate.verification_code]),
        }
        subject, text, html = render_mail(
            template="certificates/emails/issued", context=context, language=language
        )
        message = EmailMultiAlternatives(subject=subject, body=text, to=[certificate.person.email])
        message.attach_alternative(html, "text/html")
        message.attach(
            f"{certificate.number}.pdf", certificate_pdf_bytes(certificate), "application/pdf"
        )
        messages.append(message)
    if messages:
        mailers.default.send_messages(messages)
