"""A bulk issue survives the worker dying: progress lives in the batch's own rows (certificates,
their `mailed_at`), a batch without a heartbeat is shown as interrupted with a retry button,
and a retry finishes the rest without issuing a certificate or sending an e-mail twice."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.mail.backends import locmem
from django.urls import reverse
from django.utils import timezone

from kvalis.certificates import services
from kvalis.certificates.models import STALE_AFTER, Certificate, CertificateBatch
from kvalis.certificates.tasks import mail_certificates
from tests.certificates.conftest import completer
from tests.factories import CertificateBatchFactory, CohortFactory, ProjectFactory


class WorkerDied(BaseException):
    """What a killed worker looks like from inside the task: not an Exception, so no handler in
    the task gets to record anything (as with SIGKILL, no `except` runs at all)."""


def _batch_url(world, batch) -> str:
    return reverse("certificates:batch", args=[world.project.code, batch.pk])


def _retry_url(world, batch) -> str:
    return reverse("certificates:batch_retry", args=[world.project.code, batch.pk])


def _restart_worker(batch) -> None:
    """The worker is gone: nobody has touched the batch for longer than STALE_AFTER."""
    CertificateBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - STALE_AFTER - timedelta(minutes=1)
    )


def _die_after_messages(monkeypatch, count: int) -> list:
    """The mail backend hands `count` messages over, then the worker dies."""
    handed_over: list = []
    original = locmem.EmailBackend.send_messages

    def send_messages(self, messages):
        for message in messages:
            if len(handed_over) >= count:
                raise WorkerDied
            original(self, [message])
            handed_over.append(message)
        return len(messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)
    return handed_over


def _start(client, world, capture):
    client.force_login(world.alice)
    url = reverse("certificates:cohort_issue_bulk", args=[world.project.code, world.cohort.pk])
    with capture(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    return CertificateBatch.objects.get()


def _assert_each_once(enrolments, mailoutbox) -> None:
    issued = Counter(Certificate.objects.values_list("enrolment_id", flat=True))
    assert issued == {e.pk: 1 for e in enrolments}
    assert sorted(Certificate.objects.values_list("sequence", flat=True)) == list(
        range(1, len(enrolments) + 1)
    )
    mailed = Counter(m.to[0] for m in mailoutbox)
    assert mailed == {e.person.email: 1 for e in enrolments}
    assert Certificate.objects.filter(mailed_at__isnull=True).count() == 0


def test_a_batch_killed_while_issuing_is_interrupted_and_a_retry_finishes_it(
    client, world, issuer, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    enrolments = [completer(world, last=f"Baigusi{i}") for i in range(5)]
    monkeypatch.setattr(services, "CHUNK", 2)
    real_store = services._store_pdfs
    runs: list[int] = []

    def store_then_die(certificates):
        runs.append(len(certificates))
        if len(runs) == 2:  # the second chunk's PDFs: its numbers and rows committed before
            raise WorkerDied
        real_store(certificates)

    monkeypatch.setattr(services, "_store_pdfs", store_then_die)
    batch = _start(client, world, django_capture_on_commit_callbacks)

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("running", 2, 5)
    # Numbered and inserted before rendering (outside the write transaction): two with a PDF,
    # two waiting for theirs, no gap in the numbers.
    assert Certificate.objects.count() == 4
    assert Certificate.objects.exclude(pdf="").count() == 2
    assert sorted(Certificate.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4]
    assert mailoutbox == []
    page = client.get(_batch_url(world, batch)).text
    assert "Išduota 2 iš 5 pažymėjimų" in page
    assert "išsiųst" not in page  # nothing was e-mailed, and the page does not claim it
    assert _retry_url(world, batch) not in page  # a fresh heartbeat: still working

    _restart_worker(batch)
    page = client.get(_batch_url(world, batch)).text
    assert "Nutraukta" in page
    assert _retry_url(world, batch) in page
    partial = client.get(_batch_url(world, batch), headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in partial  # an interrupted batch is not polled for ever

    monkeypatch.setattr(services, "_store_pdfs", real_store)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_retry_url(world, batch))
    assert response.url == _batch_url(world, batch)
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("done", 5, 5)
    _assert_each_once(enrolments, mailoutbox)
    assert not Certificate.objects.filter(pdf="").exists()  # the retry rendered the missing
    page = client.get(_batch_url(world, batch)).text
    assert "Išduota 5 iš 5 pažymėjimų" in page
    assert "El. paštu pažymėjimai išsiųsti 5 dalyviams." in page
    assert "Nutraukta" not in page


def test_a_batch_killed_while_mailing_counts_only_what_was_sent_and_a_retry_mails_the_rest(
    client, world, issuer, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    enrolments = [completer(world, last=f"Baigusi{i}") for i in range(5)]
    handed_over = _die_after_messages(monkeypatch, 2)
    batch = _start(client, world, django_capture_on_commit_callbacks)

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("mailing", 5, 5)
    assert len(handed_over) == len(mailoutbox) == 2
    assert Certificate.objects.filter(mailed_at__isnull=False).count() == 2
    page = client.get(_batch_url(world, batch)).text
    assert "Išduota 5 iš 5 pažymėjimų" in page
    assert "El. paštu išsiųsta 2 iš 5 pažymėjimų" in page
    assert "išsiųsti 5" not in page and "5 dalyviams" not in page
    assert _retry_url(world, batch) not in page

    _restart_worker(batch)
    page = client.get(_batch_url(world, batch)).text
    assert "Nutraukta" in page and _retry_url(world, batch) in page
    assert "El. paštu išsiųsta 2 iš 5 pažymėjimų" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_retry_url(world, batch))
    batch.refresh_from_db()
    assert batch.status == "done"
    _assert_each_once(enrolments, mailoutbox)
    page = client.get(_batch_url(world, batch)).text
    assert "El. paštu pažymėjimai išsiųsti 5 dalyviams." in page


def test_a_retry_of_a_batch_that_is_still_alive_is_refused(
    client, world, issuer, django_capture_on_commit_callbacks
):
    completer(world)
    batch = services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status="running", heartbeat_at=timezone.now()
    )
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_retry_url(world, batch), follow=True)
    assert "vis dar vykdomas" in response.text
    assert not Certificate.objects.exists()


def test_a_second_run_leaves_a_live_batch_to_its_runner(world, issuer):
    """The old task may still be queued when a retry runs: whoever holds a fresh heartbeat
    does the work, the other one stops at once."""
    completer(world)
    batch = services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status="running", heartbeat_at=timezone.now(), runner="another-worker"
    )
    services.certificate_batch_run(batch_id=batch.pk)
    assert not Certificate.objects.exists()
    batch.refresh_from_db()
    assert batch.runner == "another-worker"


def test_a_queued_batch_nobody_picked_up_is_offered_for_retry(
    client, world, issuer, django_capture_on_commit_callbacks, mailoutbox
):
    enrolment = completer(world)
    batch = services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)  # no worker
    CertificateBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - STALE_AFTER - timedelta(minutes=1)
    )
    client.force_login(world.alice)
    page = client.get(_batch_url(world, batch)).text
    assert "Nutraukta" in page and _retry_url(world, batch) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_retry_url(world, batch))
    _assert_each_once([enrolment], mailoutbox)


def test_a_finished_batch_cannot_be_retried(client, world, issuer, mailoutbox):
    batch = CertificateBatchFactory(cohort=world.cohort, status="done")
    client.force_login(world.alice)
    response = client.post(_retry_url(world, batch), follow=True)
    assert response.status_code == 200
    assert "baigtas" in response.text
    batch.refresh_from_db()
    assert batch.status == "done"


def test_retry_answers_404_for_another_organisations_batch(client, world, issuer):
    theirs = CertificateBatchFactory(
        cohort=CohortFactory(activity__project=ProjectFactory()), status="running"
    )
    _restart_worker(theirs)
    client.force_login(world.alice)
    # their batch through alice's project, and alice's project's batch for charlie
    assert client.post(_retry_url(world, theirs)).status_code == 404
    ours = CertificateBatchFactory(cohort=world.cohort, status="running")
    _restart_worker(ours)
    client.force_login(world.charlie)
    assert client.post(_retry_url(world, ours)).status_code == 404
    ours.refresh_from_db()
    assert ours.status == "running"


def test_mailing_twice_mails_once_and_records_when(world, issuer, mailoutbox):
    """A mail task that runs again (a retry, a duplicate) skips whoever was already e-mailed;
    `mailed_at` is set only after the backend took the message."""
    certificate = services.certificate_issue(
        enrolment=completer(world), actor=world.alice, notify=False
    )
    assert certificate.mailed_at is None
    mail_certificates.enqueue(certificate_ids=[certificate.pk])
    mail_certificates.enqueue(certificate_ids=[certificate.pk])
    assert len(mailoutbox) == 1
    certificate.refresh_from_db()
    assert certificate.mailed_at is not None


def test_a_message_the_backend_did_not_take_is_not_recorded_as_sent(
    world, issuer, mailoutbox, monkeypatch
):
    certificate = services.certificate_issue(
        enrolment=completer(world), actor=world.alice, notify=False
    )
    _die_after_messages(monkeypatch, 0)
    with pytest.raises(WorkerDied):
        services.certificates_mail(certificate_ids=[certificate.pk])
    certificate.refresh_from_db()
    assert certificate.mailed_at is None


def test_a_single_certificate_whose_mail_task_died_is_e_mailed_from_its_page_once(
    client, world, issuer, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    _die_after_messages(monkeypatch, 0)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    assert mailoutbox == []
    monkeypatch.undo()
    client.force_login(world.alice)
    detail = reverse("certificates:detail", args=[world.project.code, certificate.pk])
    url = reverse("certificates:mail", args=[world.project.code, certificate.pk])
    page = client.get(detail).text
    assert "dar ne" in page and url in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "vis dar siunčiamas" in response.text  # issued moments ago: its task may be running
    assert mailoutbox == []

    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=timezone.now() - STALE_AFTER - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert [m.to for m in mailoutbox] == [[certificate.person.email]]
    page = client.get(detail).text
    assert url not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "jau išsiųstas" in response.text
    assert len(mailoutbox) == 1


def test_mailing_looks_again_before_each_chunk_and_beats_once_a_chunk(
    world, issuer, mailoutbox, monkeypatch
):
    """E-mails go MAIL_CHUNK at a time: before each chunk the batch's heartbeat, and a look at
    who another run mailed meanwhile (those are skipped, not mailed twice)."""
    certificates = [
        services.certificate_issue(
            enrolment=completer(world, last=f"Baigusi{i}"), actor=world.alice, notify=False
        )
        for i in range(5)
    ]
    monkeypatch.setattr(services, "MAIL_CHUNK", 2)
    original = locmem.EmailBackend.send_messages

    def send_messages(self, messages):
        if not mailoutbox:  # meanwhile another run e-mails the fourth
            Certificate.objects.filter(pk=certificates[3].pk).update(mailed_at=timezone.now())
        return original(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)
    beats = []
    sent = services.certificates_mail(
        certificate_ids=[c.pk for c in certificates], beat=lambda: beats.append(len(mailoutbox))
    )
    assert sent == len(mailoutbox) == 4
    assert beats == [0, 2, 3]  # before messages 1, 3 (the fourth skipped) and 5
    mailed = Counter(message.to[0] for message in mailoutbox)
    assert certificates[3].person.email not in mailed and set(mailed.values()) == {1}
    assert not Certificate.objects.filter(mailed_at__isnull=True).exists()
