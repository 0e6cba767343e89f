"""Certificates only after the cohort's last session has ended, dated the day they are issued
(never before that end, never in the future); a coordinator's exception is audited."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kvalis import time_rules
from kvalis.audit.models import AuditEntry
from kvalis.certificates import services
from kvalis.certificates.models import BatchStatus, Certificate, CertificateBatch
from tests.certificates.conftest import completer
from tests.factories import VILNIUS

pytestmark = pytest.mark.django_db

# world.session: 2014-04-07 09:00–16:00 in Vilnius.
END = datetime(2014, 4, 7, 16, 0, tzinfo=VILNIUS)
MINUTE = timedelta(minutes=1)
REFUSAL = "Pažymėjimai išduodami tik pasibaigus paskutiniam grupės užsiėmimui (2014-04-07 16:00)."


def test_issue_is_refused_a_minute_before_the_last_session_ends(world, issuer):
    enrolment = completer(world)
    with pytest.raises(ValidationError) as error:
        services.certificate_issue(
            enrolment=enrolment, actor=world.alice, now=END - MINUTE, notify=False
        )
    assert time_rules.is_too_early(error.value)
    assert error.value.messages == [REFUSAL]
    assert not Certificate.objects.exists()


def test_issue_at_the_end_is_dated_then_and_numbered_in_its_year(world, issuer):
    certificate = services.certificate_issue(
        enrolment=completer(world), actor=world.alice, now=END, notify=False
    )
    assert certificate.issued_at == END
    assert certificate.number == "UVB-2014-0001"


def test_issue_later_is_dated_the_day_it_is_issued(world, issuer):
    certificate = services.certificate_issue(
        enrolment=completer(world), actor=world.alice, notify=False
    )
    assert timezone.localdate(certificate.issued_at) == timezone.localdate()
    assert certificate.year == timezone.localdate().year


def test_an_issue_date_before_the_end_is_refused(world, issuer):
    with pytest.raises(ValidationError) as error:
        services.certificate_issue(
            enrolment=completer(world), actor=world.alice, issued_at=END - MINUTE, notify=False
        )
    assert error.value.messages == [REFUSAL]


def test_an_issue_date_in_the_future_is_refused(world, issuer):
    with pytest.raises(ValidationError) as error:
        services.certificate_issue(
            enrolment=completer(world),
            actor=world.alice,
            issued_at=timezone.now() + timedelta(days=1),
            notify=False,
        )
    assert error.value.messages == ["Pažymėjimo negalima datuoti ateities data."]


def test_a_coordinator_may_issue_early_with_a_reason(world, issuer, trainer_user):
    enrolment = completer(world)
    with pytest.raises(ValidationError):
        services.certificate_issue(
            enrolment=enrolment,
            actor=trainer_user,
            now=END - MINUTE,
            override_reason="Išvyksta",
            notify=False,
        )
    certificate = services.certificate_issue(
        enrolment=enrolment,
        actor=world.alice,
        now=END - MINUTE,
        override_reason="Dalyvė išvyksta į užsienį",
        notify=False,
    )
    assert certificate.issued_at == END - MINUTE
    entry = AuditEntry.objects.get(action=time_rules.OVERRIDE_ACTION)
    assert (entry.actor, entry.data["rule"]) == (world.alice, "certificate")
    assert entry.data["reason"] == "Dalyvė išvyksta į užsienį"
    issued = AuditEntry.objects.get(action="certificate.issue")
    assert issued.data["override_reason"] == "Dalyvė išvyksta į užsienį"


def test_early_issue_still_needs_the_hours(world, issuer):
    short = completer(world, status="late", minutes=60)
    with pytest.raises(ValidationError) as error:
        services.certificate_issue(
            enrolment=short,
            actor=world.alice,
            now=END - MINUTE,
            override_reason="Išvyksta",
            notify=False,
        )
    assert error.value.messages[0].startswith("Eglė Čepulytė nebaigė veiklos (1,3 iš")
    assert not Certificate.objects.exists()


def test_bulk_issue_is_refused_before_the_end(world, issuer):
    completer(world)
    with pytest.raises(ValidationError) as error:
        services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice, now=END - MINUTE)
    assert error.value.messages == [REFUSAL]
    assert not CertificateBatch.objects.exists()


def test_bulk_issue_at_the_end_is_accepted(world, issuer, django_capture_on_commit_callbacks):
    completer(world)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice, now=END)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert Certificate.objects.count() == 1


def test_the_batch_task_checks_the_rule_again(world, issuer):
    """The batch was started after the end; then the session was moved into the future: the
    task issues nothing and says why."""
    completer(world)
    batch = services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)
    start = timezone.now() + timedelta(days=30)
    world.session.starts_at, world.session.ends_at = start, start + timedelta(hours=7)
    world.session.save()
    with pytest.raises(ValidationError):
        services.certificate_batch_run(batch_id=batch.pk, send_mail=False)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "Pažymėjimai išduodami tik pasibaigus" in batch.error
    assert not Certificate.objects.exists()


def test_a_batch_started_with_an_exception_is_issued_by_the_task(
    world, issuer, django_capture_on_commit_callbacks
):
    start = timezone.now() - timedelta(hours=2)
    world.session.starts_at, world.session.ends_at = start, start + timedelta(hours=4)
    world.session.save()
    completer(world)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.certificate_issue_bulk(
            cohort=world.cohort, actor=world.alice, override_reason="Grupė baigia anksčiau"
        )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert Certificate.objects.count() == 1


def test_reissue_is_dated_when_it_happens_and_not_before_the_end(world, issuer):
    certificate = services.certificate_issue(
        enrolment=completer(world), actor=world.alice, now=END, notify=False
    )
    with pytest.raises(ValidationError):
        services.certificate_reissue(
            certificate=certificate,
            actor=world.alice,
            reason="Vardo klaida",
            when=END - MINUTE,
            notify=False,
        )
    new = services.certificate_reissue(
        certificate=certificate, actor=world.alice, reason="Vardo klaida", notify=False
    )
    assert timezone.localdate(new.issued_at) == timezone.localdate()


# --- through the pages --------------------------------------------------------------------


@pytest.fixture
def running(world):
    """world.session is under way: started two hours ago, ends in two hours."""
    start = timezone.now() - timedelta(hours=2)
    world.session.starts_at, world.session.ends_at = start, start + timedelta(hours=4)
    world.session.save()
    return world.session


def test_cohort_page_explains_why_nothing_is_issued_yet(client, world, issuer, running):
    completer(world)
    client.force_login(world.alice)
    page = client.get(reverse("certificates:cohort", args=[world.project.code, world.cohort.pk]))
    assert "Pažymėjimai išduodami tik pasibaigus paskutiniam grupės užsiėmimui" in page.text
    assert 'name="override"' in page.text
    assert "Išduoti 1 pažymėjimą tiems, kurių valandų pakanka" in page.text


def test_bulk_issue_page_refuses_without_and_issues_with_the_exception(
    client, world, issuer, running, django_capture_on_commit_callbacks
):
    completer(world)
    client.force_login(world.alice)
    url = reverse("certificates:cohort_issue_bulk", args=[world.project.code, world.cohort.pk])
    refused = client.post(url, follow=True)
    assert "Pažymėjimai išduodami tik pasibaigus" in refused.text
    no_reason = client.post(url, {"override": "1"}, follow=True)
    assert "Parašykite, kodėl reikia šios laiko taisyklės išimties." in no_reason.text
    assert not CertificateBatch.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"override": "1", "override_reason": "Baigia anksčiau"})
    assert done.status_code == 302
    assert Certificate.objects.count() == 1
    assert AuditEntry.objects.filter(action=time_rules.OVERRIDE_ACTION).count() == 1


def test_single_issue_page_refuses_before_the_end(client, world, issuer, running):
    enrolment = completer(world)
    client.force_login(world.alice)
    url = reverse("certificates:cohort_issue", args=[world.project.code, world.cohort.pk])
    page = client.post(url, {"enrolment": enrolment.pk}, follow=True)
    assert "Pažymėjimai išduodami tik pasibaigus" in page.text
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_others_cannot_issue_early(client, world, issuer, running, who):
    completer(world)
    client.force_login(getattr(world, who))
    url = reverse("certificates:cohort_issue_bulk", args=[world.project.code, world.cohort.pk])
    response = client.post(url, {"override": "1", "override_reason": "x"})
    assert response.status_code == 404
    assert not CertificateBatch.objects.exists()


@pytest.fixture
def trainer_user(world):
    from tests.factories import PersonFactory, UserFactory

    user = UserFactory(email="lektore@example.lt")
    world.cohort.trainers.add(PersonFactory(user=user))
    return user
