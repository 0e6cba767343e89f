"""Background work for certificates. Jobs take ids, reload, and call services."""

from django.db import transaction
from django.tasks import task

from kvalis.certificates.models import Certificate


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
    """E-mail participants their certificates; whoever was already e-mailed is skipped, so the
    task may run again after a crash."""
    from kvalis.certificates.services import certificates_mail

    certificates_mail(certificate_ids=certificate_ids)
