"""Background work for certificates. Jobs take ids, reload, and call services."""

from django.db import transaction
from django.tasks import task
from django.utils import translation

from kvalis.certificates.models import Certificate
from kvalis.lib.mail import render_mail, send_rendered


@task()
def run_certificate_batch(*, batch_id: int) -> None:
    from kvalis.certificates.services import certificate_batch_run

    certificate_batch_run(batch_id=batch_id)


@task()
def deliver_certificates(*, certificate_ids: list[int]) -> None:
    """Render (one WeasyPrint run for all) and e-mail freshly issued certificates."""
    from kvalis.certificates.services import _queue_mail, certificate_render_pdfs

    certificates = list(Certificate.objects.filter(pk__in=certificate_ids))
    certificate_render_pdfs(certificates=certificates)
    for certificate in certificates:
        transaction.on_commit(lambda pk=certificate.pk: _queue_mail(pk))


@task()
def mail_certificate(*, certificate_id: int) -> None:
    """E-mail a participant their certificate, the PDF attached."""
    from kvalis.certificates.services import certificate_pdf_bytes

    certificate = (
        Certificate.objects.select_related("person__user").filter(pk=certificate_id).first()
    )
    if certificate is None or not certificate.person.email or not certificate.is_valid:
        return
    user = certificate.person.user
    language = (user.language if user else "") or "lt"
    with translation.override(language):
        from django.urls import reverse

        context = {
            "name": certificate.participant_name,
            "number": certificate.number,
            "activity": certificate.data.get("activity_title", ""),
            "hours": str(certificate.hours),
            "my_url": reverse("certificates:my_certificates"),
            "verify_url": reverse("certificates:verify", args=[certificate.verification_code]),
        }
    subject, text, html = render_mail(
        template="certificates/emails/issued", context=context, language=language
    )
    send_rendered(
        to=[certificate.person.email],
        subject=subject,
        text=text,
        html=html,
        attachments=[
            (
                f"{certificate.number}.pdf",
                certificate_pdf_bytes(certificate),
                "application/pdf",
            )
        ],
    )
